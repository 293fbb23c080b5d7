"""Turn raw scraped text, Markdown or HTML into clean article text without boilerplate."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, Comment, NavigableString, PageElement, Tag

from pipeline.text import INVISIBLE
from pipeline.visibility import HiddenText, remove_hidden

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
_INVISIBLE_RUN = re.compile(INVISIBLE.pattern + "+")
_CODE_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed"]
_FURNITURE_TAGS = ["form", "button", "input", "select", "textarea", "nav", "header", "footer", "aside"]
_UNSEEN_ATTRIBUTES = ("alt", "title", "aria-label", "data-text")
_BOILERPLATE_CLASS = re.compile(r"cookie|consent|banner|newsletter|subscribe|paywall|advert|"
                                r"(^|[-_ ])ads?([-_ ]|$)|promo|share|social|related|sidebar|popup|modal",
                                re.I)
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "div",
               "section", "article", "br", "figcaption", "dd", "dt"}


def clean_text(raw: str) -> str:
    """Normalise unicode and whitespace, drop invisible characters and boilerplate lines."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_invisible(text.replace("\u2028", "\n").replace("\u2029", "\n"))
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


@dataclass
class HtmlPage:
    """An HTML page read like a browser shows it: title, visible article text, URL, and what was not shown."""

    title: str
    text: str
    url: str
    hidden: list[HiddenText] = field(default_factory=list)  # removed because CSS or attributes hide it
    unseen: list[str] = field(default_factory=list)  # comments, alt/title text, noscript: never article text


def read_html(raw: str) -> HtmlPage:
    """Reduce an HTML page to its visible article text; hidden elements are removed and reported, not kept."""
    soup = BeautifulSoup(raw, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    url = _canonical_url(soup)
    unseen = [str(c) for c in soup.find_all(string=lambda s: isinstance(s, Comment))]
    unseen += [tag.get_text(" ", strip=True) for tag in soup.find_all(["noscript", "template"])]
    unseen += [str(tag[a]) for tag in soup.find_all(True) for a in _UNSEEN_ATTRIBUTES if tag.get(a)]
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(["script", "noscript", "template"]):
        tag.decompose()
    hidden = remove_hidden(soup)  # reads the <style> rules, so before they go
    for tag in soup.find_all([*_CODE_TAGS, *_FURNITURE_TAGS]):
        tag.decompose()
    for tag in soup.find_all(_is_boilerplate_element):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    heading = root.find("h1")
    if not title and heading:
        title = heading.get_text(" ", strip=True)
    text = re.sub(r"\n{2,}", "\n", clean_text(_block_text(root)))
    return HtmlPage(title, text, url, hidden, [u for u in unseen if u.strip()])


def _block_text(root: Tag) -> str:
    """The element's text with a line break around every block element, in one pass (editing the tree to add
    the breaks is quadratic in bs4 on deeply nested pages)."""
    parts: list[str] = []
    stack: list[PageElement | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the end of a block element
            parts.append("\n")
        elif isinstance(node, Tag):
            if node.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append(None)
            stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):
            parts.append(str(node))
    return "".join(parts)


def html_to_text(raw: str) -> tuple[str, str, str]:
    """Reduce an HTML page to (title, article text, canonical URL): no scripts, hidden elements, menus, banners."""
    page = read_html(raw)
    return page.title, page.text, page.url


def _canonical_url(soup) -> str:
    """The page's canonical URL (link rel=canonical or og:url), if it declares one."""
    link = soup.find("link", rel="canonical")
    if link and str(link.get("href", "")).startswith(("http://", "https://")):
        return str(link["href"])
    meta = soup.find("meta", property="og:url")
    if meta and str(meta.get("content", "")).startswith(("http://", "https://")):
        return str(meta["content"])
    return ""


def _is_boilerplate_element(tag) -> bool:
    """Page furniture marked by its class or id: cookie banners, share bars, newsletter boxes."""
    if getattr(tag, "attrs", None) is None or tag.name in ("html", "body", "article", "main"):
        return False
    marker = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
    return bool(marker.strip()) and bool(_BOILERPLATE_CLASS.search(marker))


# ---- invisible carriers ------------------------------------------------------------------------------------------

_TAGS = (0xE0000, 0xE007F)
_VARIATION = ((0xFE00, 0xFE0F, 0), (0xE0100, 0xE01EF, 16))  # (first, last, byte value of first) as payload bytes
_PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0x10FFFF))
_KEYCAP = "\u20e3"


@dataclass
class Carriers:
    """Invisible characters found in a text: how many of each kind, and the text that tags or selectors spelled."""

    counts: Counter[str] = field(default_factory=Counter)
    spelled: dict[str, str] = field(default_factory=dict)  # kind -> decoded text


def find_carriers(text: str) -> Carriers:
    """The invisible characters cleaning removes from text, counted by kind, with any text they spelled."""
    found = Carriers()
    decoded: dict[str, list[str]] = {"tags": [], "variation selectors": []}
    for run in _removed_runs(text):
        payload = bytearray()
        for ch in run:
            kind = _kind(ord(ch))
            found.counts[kind] += 1
            if kind == "tags" and 0x20 <= ord(ch) - _TAGS[0] < 0x7F:
                decoded["tags"].append(chr(ord(ch) - _TAGS[0]))
            elif kind == "variation selectors":
                payload.append(_selector_byte(ord(ch)))
        decoded["tags"].append(" ")
        decoded["variation selectors"].append(payload.decode("utf-8", errors="replace") + " ")
    for kind, parts in decoded.items():
        spelled = " ".join("".join(parts).split())
        if sum(c.isalnum() for c in spelled) >= 3:
            found.spelled[kind] = spelled
    return found


def strip_invisible(text: str) -> str:
    """Remove every invisible character except a lone variation selector after an emoji or CJK base."""
    return _INVISIBLE_RUN.sub(lambda m: m.group() if _keeps(text, m) else "", text)


def _removed_runs(text: str) -> list[str]:
    """The runs of invisible characters `strip_invisible` removes."""
    return [m.group() for m in _INVISIBLE_RUN.finditer(text) if not _keeps(text, m)]


def _keeps(text: str, match: re.Match) -> bool:
    """A single variation selector that follows a base it can modify (emoji, symbol, CJK, keycap digit)."""
    run = match.group()
    if len(run) != 1 or _kind(ord(run)) != "variation selectors" or match.start() == 0:
        return False
    base = text[match.start() - 1]
    if base in "0123456789#*":
        return text[match.end():match.end() + 1] == _KEYCAP
    if ord(run) >= _VARIATION[1][0]:  # ideographic variation selectors: CJK only
        return unicodedata.east_asian_width(base) in ("W", "F") and unicodedata.category(base) == "Lo"
    return unicodedata.category(base) in ("So", "Sm") or unicodedata.east_asian_width(base) in ("W", "F")


def _kind(code: int) -> str:
    """Which kind of invisible character a code point is."""
    if _TAGS[0] <= code <= _TAGS[1]:
        return "tags"
    if any(first <= code <= last for first, last, _ in _VARIATION):
        return "variation selectors"
    if any(first <= code <= last for first, last in _PRIVATE_USE):
        return "private use"
    return "zero-width or direction"


def _selector_byte(code: int) -> int:
    """The byte a variation selector stands for when selectors carry data (one selector per byte)."""
    first, _, value = next(v for v in _VARIATION if v[0] <= code <= v[1])
    return code - first + value


def guess_title(text: str) -> str:
    """A title for plain text: its first line, when that line is short and looks like a headline ("" otherwise).

    A cut first sentence is no title: without a headline, callers fall back to the file name or URL.
    """
    first = text.split("\n", 1)[0].strip()
    return first if 3 <= len(first) <= 150 and not first.endswith((".", "!", "?", "”", '"')) else ""
