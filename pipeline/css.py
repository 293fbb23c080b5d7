"""CSS as static HTML carries it: <style> rules (tinycss2) matched to elements (soupsieve), cascaded; and values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import soupsieve
import tinycss2
import tinycss2.color3
from bs4 import BeautifulSoup, Tag

# Properties that can hide text; rules declaring none of them are never matched (stylesheets are long).
HIDING = {"display", "visibility", "opacity", "filter", "color", "background", "background-color",
          "background-image", "background-clip", "-webkit-background-clip", "position", "left", "top", "right",
          "bottom", "inset", "margin-left", "margin-top", "text-indent", "clip", "clip-path", "width", "height",
          "max-width", "max-height", "overflow", "overflow-x", "overflow-y", "transform", "scale", "font-size",
          "font", "content-visibility"}
VIEWPORT = (1280.0, 800.0)  # the desktop screen @media conditions and vw/vh are read against
ROOT_FONT_PX = 16.0
_UNITS_PX = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
             "vw": VIEWPORT[0] / 100, "vh": VIEWPORT[1] / 100, "vmin": VIEWPORT[1] / 100,
             "vmax": VIEWPORT[0] / 100, "rem": ROOT_FONT_PX}
_FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
                  "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}

Color = tuple[float, float, float, float]
Declared = dict[str, list]  # property -> its value's tokens (whitespace and comments left out)


@dataclass(frozen=True)
class Rule:
    """One selector of a style rule with its declarations: property -> (value tokens, !important)."""

    selector: str
    specificity: tuple[int, int, int]
    order: int
    declarations: dict[str, tuple[list, bool]]


@dataclass
class Styles:
    """Cascaded declarations per element, from the page's <style> rules."""

    by_element: dict[int, list[tuple[bool, tuple[int, int, int], int, str, list]]] = field(default_factory=dict)


# ---- the page's style rules ------------------------------------------------------------------------------------

def stylesheet_rules(soup: BeautifulSoup) -> list[Rule]:
    """Every style rule of the page's <style> elements that could hide something, in source order."""
    rules: list[Rule] = []
    for style in soup.find_all("style"):
        if _media_applies(str(style.get("media", "all"))):
            _collect(tinycss2.parse_stylesheet(style.get_text(), skip_comments=True, skip_whitespace=True), rules)
    return rules


def _collect(nodes: list, rules: list[Rule]) -> None:
    """Qualified rules into `rules`; @media (for a desktop screen), @supports and @layer blocks read through."""
    for node in nodes:
        if node.type == "at-rule" and node.content is not None:
            keyword = node.lower_at_keyword
            if keyword in ("supports", "layer", "container") or (
                    keyword == "media" and _media_applies(tinycss2.serialize(node.prelude))):
                _collect(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True), rules)
        elif node.type == "qualified-rule":
            declarations = _declarations(node.content)
            if declarations:
                for selector in _split_selectors(tinycss2.serialize(node.prelude)):
                    rules.append(Rule(selector, _specificity(selector), len(rules), declarations))


def _declarations(tokens: list | str) -> dict[str, tuple[list, bool]]:
    """The hiding-relevant declarations of a block or a style attribute."""
    found: dict[str, tuple[list, bool]] = {}
    for item in tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration" and item.lower_name in HIDING:
            found[item.lower_name] = ([t for t in item.value if t.type not in ("whitespace", "comment")],
                                      item.important)
    return found


def _media_applies(query: str) -> bool:
    """Whether a media query list matches a desktop screen (unknown features count as matching)."""
    for part in query.lower().split(","):
        part = part.strip()
        if re.search(r"\b(print|speech)\b", part) and not part.startswith("not"):
            continue
        widths = re.findall(r"\((min|max)-width\s*:\s*([\d.]+)(px|em|rem)\)", part)
        if all((float(v) * (1 if u == "px" else ROOT_FONT_PX) <= VIEWPORT[0]) == (kind == "min")
               for kind, v, u in widths):
            return True
    return False


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at top-level commas; selectors of pseudo-elements (generated content) left out."""
    parts, depth, current = [], 0, ""
    for ch in prelude:
        depth += (ch in "([") - (ch in ")]")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip() and "::" not in p and not re.search(r":(before|after)\b", p)]


def _specificity(selector: str) -> tuple[int, int, int]:
    """(ids, classes/attributes/pseudo-classes, types): close enough to the CSS rules for a cascade."""
    plain = re.sub(r"\[[^\]]*\]", "[]", selector)
    ids = len(re.findall(r"#[\w-]+", plain))
    classes = len(re.findall(r"\.[\w-]+|\[\]|:(?!not\b|is\b|where\b)[\w-]+", plain))
    types = len(re.findall(r"(?:^|[\s>+~(])([a-zA-Z][\w-]*)", plain))
    return ids, classes, types


def match(soup: BeautifulSoup, rules: list[Rule]) -> Styles:
    """Each element's matching declarations; selectors soupsieve cannot evaluate statically (:hover…) are skipped.

    Like a browser, a rule is only tried on elements that have its rightmost id, class or tag name, and whose
    ancestors have all the others (soupsieve's own matching is slow on long stylesheets).
    """
    index: dict[str, list[tuple[Rule, frozenset[str]]]] = {}
    for rule in rules:
        index.setdefault(_key(rule.selector), []).append((rule, _required(rule.selector)))
    styles = Styles()
    chains: dict[int, frozenset[str]] = {}
    for tag in soup.find_all(True):
        own = _keys(tag)
        chain = chains[id(tag)] = chains.get(id(tag.parent), frozenset()) | own
        for rule, required in [item for key in ("*", *own) for item in index.get(key, [])]:
            compiled = _compiled(rule.selector) if required <= chain else None
            if compiled is not None and compiled.match(tag):
                styles.by_element.setdefault(id(tag), []).extend(
                    (important, rule.specificity, rule.order, prop, value)
                    for prop, (value, important) in rule.declarations.items())
    return styles


@lru_cache(maxsize=4096)
def _compiled(selector: str) -> Any:
    """The selector compiled by soupsieve, on first use only (most rules of a long stylesheet never get that far);
    None when soupsieve cannot evaluate it."""
    try:
        return soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError):
        return None


def _keys(tag: Tag) -> frozenset[str]:
    """An element's tag name, classes and id as selector keys ("<p", ".note", "#main")."""
    classes: list[str] = list(tag.get("class") or [])
    return frozenset([f"<{tag.name}", *(f".{c}" for c in classes), *([f"#{tag['id']}"] if tag.get("id") else [])])


def _parts(selector: str) -> list[str]:
    """The selector's compounds, with arguments of pseudo-classes and attribute tests taken out."""
    return re.split(r"\s*[>+~]\s*|\s+", re.sub(r"\([^)]*\)|\[[^\]]*\]", "", selector).strip())


def _compound_keys(compound: str) -> list[str]:
    """The keys a compound selector requires, most selective first."""
    keys = [f"#{x}" for x in re.findall(r"#([\w-]+)", compound)]
    keys += [f".{x}" for x in re.findall(r"\.([\w-]+)", compound)]
    tag = re.match(r"[a-zA-Z][\w-]*", compound)
    return keys + ([f"<{tag.group().lower()}"] if tag else [])


def _key(selector: str) -> str:
    """The rightmost compound selector's most selective key, or "*"."""
    keys = _compound_keys(_parts(selector)[-1])
    return keys[0] if keys else "*"


def _required(selector: str) -> frozenset[str]:
    """Keys the element or its ancestors must all have (none for sibling combinators).

    Functional pseudo-classes (:not(), :is(), :has()…) are left out: without them a selector matches more, so
    the keys that remain are still required.
    """
    if re.search(r"[+~]", re.sub(r"\([^)]*\)|\[[^\]]*\]", "", selector)):
        return frozenset()
    plain = re.sub(r":[\w-]+\([^)]*\)\)?", "", selector)
    return frozenset(key for compound in _parts(plain) for key in _compound_keys(compound))


def cascade(tag: Tag, styles: Styles) -> Declared:
    """The winning value of each hiding-relevant property: !important first, then inline, specificity, order."""
    entries = list(styles.by_element.get(id(tag), []))
    for prop, value in _presentational(tag).items():
        entries.append((False, (-1, 0, 0), -1, prop, value))
    inline = _declarations(str(tag.get("style", ""))) if tag.get("style") else {}
    entries += [(important, (1000, 0, 0), 0, prop, value) for prop, (value, important) in inline.items()]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    return {prop: value for _, _, _, prop, value in entries}


def _presentational(tag: Tag) -> Declared:
    """Old HTML attributes that style like CSS: <font color>, bgcolor."""
    hints: Declared = {}
    for attribute, prop in (("color", "color"), ("bgcolor", "background-color")):
        if tag.name in ("font", "body", "table", "td", "th", "tr") and tag.get(attribute):
            hints[prop] = tinycss2.parse_component_value_list(str(tag[attribute]))
    return hints


# ---- values ----------------------------------------------------------------------------------------------------

def ident(style: Declared, prop: str) -> str:
    """A keyword value, lowercased ("" when absent or not a keyword)."""
    tokens = style.get(prop) or []
    return tokens[0].lower_value if tokens and tokens[0].type == "ident" else ""


def functions(tokens: list | None) -> list[tuple[str, list]]:
    """(name, arguments) of every function in a value, commas and whitespace left out."""
    return [(t.lower_name, [a for a in t.arguments if a.type not in ("whitespace", "literal", "comment")])
            for t in tokens or [] if t.type == "function"]


def length(tokens: list | None, font_px: float, percent_of: float = VIEWPORT[0]) -> float | None:
    """A length in px (em against the element's font size, % against the viewport width); None if unknown."""
    if not tokens:
        return None
    token = tokens[0]
    if token.type == "number" and token.value == 0:
        return 0.0
    if token.type == "percentage":
        return token.value / 100 * percent_of
    if token.type == "dimension":
        unit = token.lower_unit
        if unit in ("em", "ch", "ex"):
            return token.value * font_px * (0.5 if unit != "em" else 1.0)
        if unit in _UNITS_PX:
            return token.value * _UNITS_PX[unit]
    return None


def font_px(style: Declared, parent_px: float) -> float:
    """The element's font size in px, from font-size or the size in the font shorthand."""
    tokens = style.get("font-size")
    if tokens is None and style.get("font"):
        tokens = [t for t in style["font"] if t.type in ("dimension", "percentage")
                  or (t.type == "number" and t.value == 0) or (t.type == "ident" and t.lower_value in _FONT_KEYWORDS)]
    if not tokens:
        return parent_px
    token = tokens[0]
    if token.type == "ident":
        return _FONT_KEYWORDS.get(token.lower_value, {"smaller": parent_px / 1.2,
                                                      "larger": parent_px * 1.2}.get(token.lower_value, parent_px))
    size = length([token], parent_px, percent_of=parent_px)
    return parent_px if size is None else size


def opacity(style: Declared) -> float:
    """The element's own opacity (opacity and filter: opacity())."""
    values = [1.0]
    for token in style.get("opacity") or []:
        if token.type in ("number", "percentage"):
            values.append(token.value / (100 if token.type == "percentage" else 1))
    for name, args in functions(style.get("filter")):
        if name == "opacity" and args and args[0].type in ("number", "percentage"):
            values.append(args[0].value / (100 if args[0].type == "percentage" else 1))
    return min(values)


def color(tokens: list | None, current: Color) -> Color | None:
    """An RGBA colour from a value's tokens (currentColor is the inherited colour); None when not a colour."""
    for token in tokens or []:
        parsed = tinycss2.color3.parse_color(token)
        if parsed == "currentColor":
            return current
        if parsed is not None:
            return (parsed.red, parsed.green, parsed.blue, parsed.alpha)
    return None


def over(paint: Color, below: Color | None) -> Color:
    """A translucent colour as it shows over what is below it (alpha kept, so fully transparent stays so)."""
    if below is None or paint[3] >= 1.0 or paint[3] <= 0.05:
        return paint
    a = paint[3]
    return (paint[0] * a + below[0] * (1 - a), paint[1] * a + below[1] * (1 - a), paint[2] * a + below[2] * (1 - a),
            1.0)


def contrast(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio of two colours (1 = identical, 21 = black on white)."""
    def luminance(c: Color) -> float:
        channels = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
