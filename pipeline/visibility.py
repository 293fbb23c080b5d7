"""Which parts of a static HTML page a reader would see, decided from the cascaded CSS of each element."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import BaseModel

from pipeline import css
from pipeline.css import Color, Declared

_FAR = 999.0  # px beyond the page's left or top edge: off-screen for any reader
_TINY_FONT_PX = 3.0
_MIN_CONTRAST = 1.1  # WCAG contrast ratio; 1.0 is the same colour
_WHITE = (1.0, 1.0, 1.0, 1.0)
_BLACK = (0.0, 0.0, 0.0, 1.0)


class HiddenText(BaseModel):
    """Text a reader of the page would not see, and how it was hidden."""

    reason: str
    text: str


@dataclass(frozen=True)
class _Inherited:
    """What a child inherits: text colour, the background behind it (None when unknown), font size, visibility."""

    color: Color = _BLACK
    background: Color | None = _WHITE
    font_px: float = css.ROOT_FONT_PX
    visibility: str = "visible"
    clipped_text: bool = False  # background-clip:text paints the text with the background


def remove_hidden(soup: BeautifulSoup) -> list[HiddenText]:
    """Remove from the page every element and text a browser would not show; return what was removed and why."""
    styles = css.match(soup, css.stylesheet_rules(soup))
    removed: list[HiddenText] = []
    root = soup.body or soup
    stack: list[tuple[Tag | NavigableString, _Inherited | str]] = [(root, _page_defaults(soup, styles))]
    while stack:  # depth first, in document order, without recursion (scraped pages nest deeply)
        node, context = stack.pop()
        if isinstance(node, NavigableString):
            if context and node.strip():
                _record(removed, str(context), str(node))
                node.extract()
            continue
        parent = context if isinstance(context, _Inherited) else _Inherited()
        declared = css.cascade(node, styles)
        reason = _box_hidden(node, declared, parent) if node is not root else ""
        if reason:
            _record(removed, reason, node.get_text(" ", strip=True))
            node.decompose()
            continue
        state = _inherit(parent, declared)
        text_reason = _text_hidden(state)
        for child in reversed(node.contents):
            if isinstance(child, Tag):
                stack.append((child, state))
            elif type(child) is NavigableString:
                stack.append((child, text_reason))
    return _merged(removed)


def _record(removed: list[HiddenText], reason: str, text: str) -> None:
    """Keep a removed fragment (whitespace collapsed)."""
    text = " ".join(text.split())
    if text:
        removed.append(HiddenText(reason=reason, text=text))


def _merged(removed: list[HiddenText]) -> list[HiddenText]:
    """Neighbouring fragments hidden the same way joined into one (a paragraph's text nodes, say)."""
    merged: list[HiddenText] = []
    for item in removed:
        if merged and merged[-1].reason == item.reason and item.reason in _TEXT_REASONS:
            merged[-1] = HiddenText(reason=item.reason, text=f"{merged[-1].text} {item.text}")
        else:
            merged.append(item)
    return merged


def _page_defaults(soup: BeautifulSoup, styles: css.Styles) -> _Inherited:
    """What <body> inherits: a white canvas and black text unless <html> says otherwise."""
    root = soup.find("html")
    return _inherit(_Inherited(), css.cascade(root, styles)) if isinstance(root, Tag) and soup.body else _Inherited()


# ---- deciding visibility ---------------------------------------------------------------------------------------

_TEXT_REASONS = {"visibility:hidden", "transparent text", "text coloured like its background",
                 "near-zero font size"}


def _box_hidden(tag: Tag, style: Declared, parent: _Inherited) -> str:
    """Why an element and everything in it is invisible, or ""."""
    if tag.has_attr("hidden"):
        return "hidden attribute"
    if str(tag.get("aria-hidden", "")).lower() == "true":
        return "aria-hidden"
    if css.ident(style, "display") == "none":
        return "display:none"
    if css.ident(style, "content-visibility") == "hidden":
        return "content-visibility:hidden"
    if css.opacity(style) <= 0.05:
        return "opacity:0"
    font_px = css.font_px(style, parent.font_px)
    if _off_screen(style, font_px):
        return "positioned off-screen"
    if (css.length(style.get("text-indent"), font_px) or 0) <= -_FAR:
        return "indented off-screen"
    clipped = _clipped(style, font_px)
    if clipped:
        return f"clipped away ({clipped})"
    if _zero_box(style, font_px):
        return "zero-size box with hidden overflow"
    if _scaled_away(style):
        return "scaled to zero"
    return ""


def _text_hidden(state: _Inherited) -> str:
    """Why the text directly inside an element (with this inherited state) is invisible, or ""."""
    if state.visibility in ("hidden", "collapse"):
        return "visibility:hidden"
    if state.font_px <= _TINY_FONT_PX:
        return "near-zero font size"
    if state.clipped_text:
        return ""
    if state.color[3] <= 0.05:
        return "transparent text"
    if state.background is not None and css.contrast(state.color, state.background) < _MIN_CONTRAST:
        return "text coloured like its background"
    return ""


def _inherit(parent: _Inherited, style: Declared) -> _Inherited:
    """The inherited state of an element's children given its own declarations."""
    state = replace(parent, font_px=css.font_px(style, parent.font_px))
    visibility = css.ident(style, "visibility")
    if visibility in ("visible", "hidden", "collapse"):
        state = replace(state, visibility=visibility)
    color = css.color(style.get("color"), parent.color)
    if color is not None:
        state = replace(state, color=css.over(color, state.background))
    clip = css.ident(style, "background-clip") or css.ident(style, "-webkit-background-clip")
    background, painted = _background(style, parent.color if color is None else color)
    if clip == "text":
        return replace(state, clipped_text=True)
    if painted:
        state = replace(state, background=css.over(background, parent.background) if background else None,
                        clipped_text=False)
    return state


def _background(style: Declared, current: Color) -> tuple[Color | None, bool]:
    """(the colour it paints, whether it paints anything); an image or gradient makes the colour unknown."""
    tokens = [t for p in ("background", "background-color", "background-image") for t in style.get(p) or []]
    if not tokens:
        return None, False
    if any(t.type == "url" or (t.type == "function" and (t.lower_name in ("url", "image-set")
                                                         or t.lower_name.endswith("gradient"))) for t in tokens):
        return None, True
    for token in reversed(tokens):
        color = css.color([token], current)
        if color is not None:
            return (color, True) if color[3] > 0.05 else (None, False)
    return None, False


def _off_screen(style: Declared, font_px: float) -> bool:
    """Moved beyond the left or top edge of the page (or far to the right), by position, margin or translate."""
    positioned = css.ident(style, "position") in ("absolute", "fixed", "relative", "sticky")
    offsets = {side: css.length(style.get(side), font_px) for side in ("left", "top", "right", "bottom")}
    if positioned and (any(v is not None and v <= -_FAR for v in offsets.values())
                       or (offsets["left"] or 0) >= css.VIEWPORT[0] * 4):
        return True
    margins = [css.length(style.get(side), font_px) for side in ("margin-left", "margin-top")]
    return any(m is not None and m <= -_FAR for m in margins) or _translated_away(style, font_px)


def _translated_away(style: Declared, font_px: float) -> bool:
    """A translate() that moves the box beyond the page's left or top edge."""
    for name, args in css.functions(style.get("transform")):
        if name in ("translate", "translatex", "translatey", "translate3d"):
            values = [css.length([a], font_px) for a in args]
            if any(v is not None and v <= -_FAR for v in values):
                return True
    return False


def _clipped(style: Declared, font_px: float) -> str:
    """"clip" for a rect() of at most 1px either way, "clip-path" for one that leaves nothing; else ""."""
    for name, args in css.functions(style.get("clip")):
        sides = [css.length([a], font_px) for a in args]
        if name == "rect" and len(sides) == 4 and None not in sides:
            top, right, bottom, left = (s or 0.0 for s in sides)
            if bottom - top <= 1 and right - left <= 1:
                return "clip"
    for name, args in css.functions(style.get("clip-path")):
        numbers = [a.value for a in args if a.type in ("percentage", "dimension", "number")]
        if (name == "inset" and any(a.type == "percentage" and a.value >= 50 for a in args)) or (
                name in ("circle", "ellipse") and numbers and not any(numbers[:1 if name == "circle" else 2])) or (
                name == "polygon" and len({str(a.value) for a in args if hasattr(a, "value")}) <= 1):
            return "clip-path"
    return ""


def _zero_box(style: Declared, font_px: float) -> bool:
    """A box at most 1px wide or high whose overflow is hidden."""
    overflow = {css.ident(style, p) for p in ("overflow", "overflow-x", "overflow-y")}
    if not overflow & {"hidden", "clip"}:
        return False
    sizes = [css.length(style.get(p), font_px) for p in ("width", "height", "max-width", "max-height")]
    return any(s is not None and s <= 1 for s in sizes)


def _scaled_away(style: Declared) -> bool:
    """transform: scale(0) and its relatives (scaleX/Y, scale3d, a singular matrix), or the scale property at 0."""
    for name, args in css.functions(style.get("transform")):
        numbers = [a.value for a in args if a.type in ("number", "percentage")]
        if name in ("scale", "scalex", "scaley", "scale3d") and any(abs(n) < 0.05 for n in numbers[:2]):
            return True
        if name == "matrix" and len(numbers) == 6 and abs(numbers[0] * numbers[3] - numbers[1] * numbers[2]) < 1e-3:
            return True
    scale = [t.value for t in style.get("scale") or [] if t.type in ("number", "percentage")]
    return any(abs(n) < 0.05 for n in scale[:2])


