"""Read .txt, .md, .html and .pdf files (or pasted text) into cleaned Articles, refusing bad input clearly."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from pipeline.bm25 import STOPWORDS
from pipeline.cleaning import (
    HtmlPage,
    clean_text,
    find_carriers,
    guess_title,
    markdown_title,
    markdown_to_text,
    read_html,
)
from pipeline.config import IngestSettings
from pipeline.dates import publication_date
from pipeline.errors import InputError
from pipeline.fetch import fetch
from pipeline.injection import HIDDEN_NOTICE, find_instructions
from pipeline.types import Article
from pipeline.visibility import HiddenText

SUPPORTED_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf"}
_MIN_ARTICLE_CHARS = 20


def discover_files(paths: list[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders into supported files; also return (path, reason) for skipped ones."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(child)
                else:
                    skipped.append((str(child), f"unsupported file type '{child.suffix or 'none'}'"))
        elif path.is_file():
            files.append(path)
        else:
            skipped.append((str(path), "no such file or folder"))
    return files, skipped


def load_file(path: str | Path, max_mb: float = 20.0) -> Article:
    """Read one file into an Article, or raise InputError saying what is wrong and how to fix it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"{path.name} is not a supported file type",
                         "Use .txt, .md, .html or .pdf, or paste the text")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise InputError(f"{path.name} is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit",
                         "Split the file or raise ingest.max_file_mb")
    data = path.read_bytes()
    return load_bytes(data, path.name, source=path.name)


def load_bytes(data: bytes, filename: str, source: str = "", url: str = "") -> Article:
    """Turn uploaded bytes into an Article according to the file name's extension."""
    suffix = Path(filename).suffix.lower()
    page_url, notices = "", []
    if suffix == ".pdf":
        title, text = _pdf_to_text(data, filename)
    else:
        raw = decode_text(data, filename)
        page = read_html(raw) if suffix in (".html", ".htm") else None
        notices = input_notices(raw, page=page)
        if page is not None:
            title, text, page_url = page.title, page.text, page.url
        elif suffix in (".md", ".markdown"):
            title, text = markdown_title(raw), markdown_to_text(raw)
        else:
            text = clean_text(raw)
            title = guess_title(text)
    text, found_url = split_source_line(text)
    return _finish(text, filename, notices, title=title or Path(filename).stem, source=source or filename,
                   url=url or page_url or found_url, **publication_date(data, suffix, text))


def load_text(raw: str, title: str = "", source: str = "pasted text", url: str = "") -> Article:
    """Turn pasted text (plain, or HTML when it looks like a page) into an Article."""
    page = read_html(raw) if raw.lstrip()[:1] == "<" and "</" in raw else None
    notices = input_notices(raw, page=page)
    if page is not None:
        title, url, text = title or page.title, url or page.url, page.text
    else:
        text = clean_text(raw)
    text, found_url = split_source_line(text)
    return _finish(text, source, notices, title=title or guess_title(text) or url, source=source,
                   url=url or found_url, **publication_date(raw, ".html" if page else ".txt", text))


def split_source_line(text: str) -> tuple[str, str]:
    """Take a trailing "Source: <url>" / "URL: <url>" line off the text and return it as the article URL."""
    match = re.search(r"\n\s*(?:source|url|link)\s*:\s*(https?://\S+)\s*$", text, re.IGNORECASE)
    if not match:
        return text, ""
    return text[:match.start()].rstrip(), match.group(1)


def input_notices(raw: str, is_html: bool = False, page: HtmlPage | None = None) -> list[str]:
    """What a reviewer should know about the raw input: hidden text, invisible characters, hidden instructions."""
    page = read_html(raw) if is_html and page is None else page
    if page is not None:
        unseen = page.unseen + [h.text for h in page.hidden]
        carriers = find_carriers(html.unescape(raw))
    else:
        unseen = re.findall(r"<!--(.*?)-->", raw, re.DOTALL)
        carriers = find_carriers(raw)
    worded = [h for h in page.hidden if sum(c.isalpha() for c in h.text) >= 3] if page is not None else []
    notices = [hidden_text_notice(worded)] if worded else []
    notices += [f"Invisible {_CARRIER_NAMES[kind]} spelled out text that was removed: “{_excerpt(text)}”."
                for kind, text in carriers.spelled.items()]
    if carriers.counts:
        counts = ", ".join(f"{n} {kind}" for kind, n in carriers.counts.most_common())
        notices.append(f"Invisible characters were removed from the text ({counts}).")
    if any(find_instructions(part) for part in [*unseen, *carriers.spelled.values()]):
        notices.append(HIDDEN_NOTICE)
    return notices


_CARRIER_NAMES = {"tags": "Unicode tag characters", "variation selectors": "variation selectors"}
_NOTICE_ITEMS = 8
_EXCERPT_CHARS = 160


def hidden_text_notice(hidden: list[HiddenText]) -> str:
    """One notice listing the page text a reader would not see (removed before checking), with how it was hidden."""
    shown = [f"“{_excerpt(h.text)}” ({h.reason})" for h in hidden[:_NOTICE_ITEMS]]
    more = f"; and {len(hidden) - _NOTICE_ITEMS} more" if len(hidden) > _NOTICE_ITEMS else ""
    return f"Hidden page text was removed (a reader of the page would not see it): {'; '.join(shown)}{more}."


def _excerpt(text: str) -> str:
    """A notice-sized piece of text."""
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS - 1].rstrip() + "…"


def language_notice(text: str) -> str:
    """A warning when the text does not look like English (the offline engine and MiniLM are English-only)."""
    letters = [c for c in text if c.isalpha()]
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 20:
        return ""
    ascii_share = sum(c.isascii() for c in letters) / max(len(letters), 1)
    english_share = sum(w in STOPWORDS for w in words) / len(words)
    if ascii_share < 0.7 or english_share < 0.12:
        return ("This text does not look like English: the offline engine and the default embedding are "
                "English-only, so expect weak results (configure a multilingual LLM and embedding).")
    return ""


def _finish(text: str, name: str, notices: list[str], **meta: str) -> Article:
    """Refuse empty results and build the content-addressed Article."""
    if len(text.strip()) < _MIN_ARTICLE_CHARS:
        raise InputError(f"{name} has no article text after cleaning",
                         "Check that the file contains readable text, not only markup, images or ads")
    notices = notices + [n for n in [language_notice(text)] if n]
    return Article.from_text(text, ingested_at=datetime.now(UTC).isoformat(timespec="seconds"), notices=notices,
                             **meta)


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Latin-1; refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:8192]
    if b"\x00" in sample or _control_ratio(sample) > 0.05:
        raise InputError(f"{name} looks like a binary file, not text",
                         "Upload the article as .txt, .md, .html or .pdf")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _control_ratio(sample: bytes) -> float:
    """Share of control bytes other than tab, newline and carriage return."""
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(sample)


def _pdf_to_text(data: bytes, name: str) -> tuple[str, str]:
    """Extract (title, text) from a PDF's text layer."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings would print beside our one sentence

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else "") or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name} is not a readable PDF ({exc})", "Re-save it as PDF or upload the text") from None
    text = clean_text(_join_pdf_lines("\n\n".join(pages)))
    if len(text) < _MIN_ARTICLE_CHARS:
        raise InputError(f"{name} has no text layer (it is probably a scan)",
                         "Run OCR on it first or paste the article text")
    return str(title), text


def _join_pdf_lines(text: str) -> str:
    """PDF text wraps lines mid-sentence; rejoin them, keeping blank lines as paragraph breaks."""
    paragraphs = [" ".join(line.strip() for line in block.split("\n") if line.strip())
                  for block in text.split("\n\n")]
    return "\n".join(p for p in paragraphs if p)


def fetch_url(url: str, settings: IngestSettings) -> Article:
    """Download a page or file through the safe fetcher (pipeline/fetch.py) and load it."""
    fetched = fetch(url, settings)
    return load_bytes(fetched.data, fetched.file_name(), source=url, url=fetched.url)
