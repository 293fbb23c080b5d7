"""Turn raw scraped text, Markdown or HTML into clean article text without boilerplate."""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup, Comment

# Lines that scrapers leave behind and that are never article content.
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(
        \[ad_?\d*\]                                   # [ad_1], [ad_2]
      | (source|original)\s+link\.?                   # trailing "Source link"
      | advertisement | sponsored(\s+content)? | ad
      | (share|tweet|email|print)(\s+(this|on\s+\w+))?(\s+article)?
      | (read|see)\s+(more|also)\b.{0,80}
      | (click|tap)\s+here\b.{0,80}
      | skip\s+to\s+(main\s+)?content
      | related(\s+(articles|stories|posts))?:?
      | all\s+rights\s+reserved\.? | ©.{0,80} | copyright\s+(©|\(c\)|\d{4}).{0,80}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Short lines about cookies, consent, newsletters and paywalls.
_BANNER_LINE = re.compile(
    r"\b(cookies?|cookie\s+policy|consent|privacy\s+policy|subscribe|subscription|newsletter|"
    r"sign\s+up|log\s*in|paywall|already\s+a\s+subscriber|accept\s+all)\b",
    re.IGNORECASE,
)
_BANNER_MAX_CHARS = 220
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0", re.I)
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "form",
              "button", "input", "select", "textarea", "nav", "header", "footer", "aside", "object",
              "embed"]
_BOILERPLATE_CLASS = re.compile(r"cookie|consent|banner|newsletter|subscribe|paywall|advert|"
                                r"(^|[-_ ])ads?([-_ ]|$)|promo|share|social|related|sidebar|popup|modal",
                                re.I)
_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "div",
               "section", "article", "br", "figcaption", "dd", "dt"]


def clean_text(raw: str) -> str:
    """Normalise unicode and whitespace, drop invisible characters and boilerplate lines."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = INVISIBLE.sub("", text)
    lines = [re.sub(r"[ \t\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    kept = [line for line in lines if not _is_boilerplate(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _is_boilerplate(line: str) -> bool:
    """True for scraper debris, cookie/subscription banners and similar non-article lines."""
    if not line:
        return False
    if _BOILERPLATE_LINE.match(line):
        return True
    if len(line) > _BANNER_MAX_CHARS or not _BANNER_LINE.search(line):
        return False
    return (len(line) <= 60 and not line.endswith(".")) or _looks_like_banner(line)


def _looks_like_banner(line: str) -> bool:
    """Banner lines talk to the reader ("you", "our", imperative verbs), not about the news."""
    return bool(re.search(r"\b(you|your|our|we|us|accept|agree|continue|click|here|now|free|today)\b",
                          line, re.IGNORECASE))


def markdown_to_text(raw: str) -> str:
    """Strip Markdown markup (images, link targets, emphasis, heading marks) and keep the words."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", raw)          # images: dropped entirely
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)        # links: keep the label
    text = re.sub(r"^[ \t]{0,3}#{1,6}[ \t]*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]{0,3}(>[ \t]?)+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]*(?:---+|\*\*\*+|___+)[ \t]*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    return clean_text(text)


def markdown_title(raw: str) -> str:
    """The first Markdown heading, if any."""
    match = re.search(r"^[ \t]{0,3}#[ \t]+(.+)$", raw, re.MULTILINE)
    return match.group(1).strip() if match else ""


def html_to_text(raw: str) -> tuple[str, str, str]:
    """Reduce an HTML page to (title, article text, canonical URL): no scripts, hidden elements, menus, banners."""
    soup = BeautifulSoup(raw, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    url = _canonical_url(soup)
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden_or_boilerplate):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    heading = root.find("h1")
    if not title and heading:
        title = heading.get_text(" ", strip=True)
    text = re.sub(r"\n{2,}", "\n", clean_text(root.get_text("")))
    return title, text, url


def hidden_html_text(raw: str) -> str:
    """Text a reader never sees but a naive scraper would keep: comments, hidden elements, alt/title text."""
    soup = BeautifulSoup(raw, "html.parser")
    parts = [str(c) for c in soup.find_all(string=lambda s: isinstance(s, Comment))]
    parts += [tag.get_text(" ", strip=True) for tag in soup.find_all(_is_hidden_or_boilerplate)]
    parts += [tag.get_text(" ", strip=True) for tag in soup.find_all(["noscript", "template"])]
    for tag in soup.find_all(True):
        parts += [str(tag.get(attr, "")) for attr in ("alt", "title", "aria-label", "data-text")]
    return "\n".join(p for p in parts if p.strip())


def _canonical_url(soup) -> str:
    """The page's canonical URL (link rel=canonical or og:url), if it declares one."""
    link = soup.find("link", rel="canonical")
    if link and str(link.get("href", "")).startswith(("http://", "https://")):
        return str(link["href"])
    meta = soup.find("meta", property="og:url")
    if meta and str(meta.get("content", "")).startswith(("http://", "https://")):
        return str(meta["content"])
    return ""


def _is_hidden_or_boilerplate(tag) -> bool:
    """Elements a reader never sees (hidden) or that are page furniture (cookie banners, share bars)."""
    if getattr(tag, "attrs", None) is None or tag.name in ("html", "body", "article", "main"):
        return False
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(tag.get("style", "")):
        return True
    marker = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
    return bool(marker.strip()) and bool(_BOILERPLATE_CLASS.search(marker))


def guess_title(text: str) -> str:
    """A title for plain text: its first line, when that line is short and looks like a headline."""
    first = text.split("\n", 1)[0].strip()
    if 3 <= len(first) <= 150 and not first.endswith((".", "!", "?")):
        return first
    return first[:80].rsplit(" ", 1)[0] + "…" if len(first) > 80 else first
