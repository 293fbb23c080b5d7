"""The bundled demo: a small reference corpus and a scraped-style article with planted errors."""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_CORPUS = DEMO_DIR / "corpus"
DEMO_ARTICLE = DEMO_DIR / "demo-article.txt"
DEMO_ARTICLE_TITLE = "US says Russia offers Iran fighter jets for drones (demo article)"
