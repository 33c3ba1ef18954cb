"""Rich text for notes and journal entries: HTML a person wrote, made safe to store and show.

Everything stored passes through ``sanitize`` (nh3, the Rust ``ammonia`` sanitizer, which parses
like a browser does — so mutation tricks that rely on a different parse than the browser's do not
survive). Only a small set of formatting tags is kept; ``script``, ``style`` and other tags that
carry code or foreign markup are dropped *with their content*; no attribute but a link's ``href``
(http, https or mailto, never relative) and an action item's ``data-action`` survives; links open
in a new tab with ``rel="noopener noreferrer nofollow"``.

No Django here: this module is pure and property-tested.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "blockquote", "code", "pre",
})
# Dropped with everything inside: their content is code, foreign markup or form controls' text.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "object", "embed", "noscript", "title", "textarea",
    "select", "svg", "math", "xmp", "noembed", "noframes", "plaintext", "frameset", "applet",
})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# An action item (see ``coachos.notes.action_items``): who it is for.
ACTION_VALUES = frozenset({"client", "coach"})

_BLOCK_END = re.compile(r"</(p|li|h2|h3|h4|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")


def sanitize(raw: str) -> str:
    """The HTML with only what is allowed left. Idempotent: sanitizing again changes nothing."""
    if not raw:
        return ""
    cleaned = nh3.clean(
        raw.replace("\x00", ""),
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}},
        tag_attribute_values={"li": {"data-action": set(ACTION_VALUES)}},
        set_tag_attribute_values={"a": {"target": "_blank"}},
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        strip_comments=True,
    )
    return cleaned.strip()


def to_text(raw: str) -> str:
    """Plain text of (sanitized or not) HTML, for search and previews: one line per block,
    entities decoded, runs of spaces collapsed."""
    if not raw:
        return ""
    safe = sanitize(raw)
    with_breaks = _BLOCK_END.sub(lambda m: m.group(0) + "\n", safe)
    text = html.unescape(nh3.clean(with_breaks, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def is_blank(raw: str) -> bool:
    """True when nothing a person could read is left (only tags, spaces or dropped content)."""
    return not to_text(raw)


def from_plain(text: str) -> str:
    """Plain text (an old note) as safe HTML: paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()) if p.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)


def preview(raw: str, length: int = 160) -> str:
    """The first words of the text, on one line, cut at a word boundary."""
    text = " ".join(to_text(raw).split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] or text[:length]
    return cut.rstrip(",.;:") + "…"
