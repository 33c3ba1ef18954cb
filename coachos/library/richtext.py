"""Articles: HTML a coach wrote, made safe to store and show (nh3, as notes' rich text does — the
library sits beside notes on its floor and may not import it). Formatting tags only; ``script``,
``style``, frames, SVG and the like are dropped with their content; links keep only an http(s) or
mailto ``href`` and open in a new tab with ``rel="noopener noreferrer nofollow"``. Pure: no Django."""

from __future__ import annotations

import nh3

TAGS = frozenset({"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "a", "h2", "h3", "h4",
                  "blockquote", "code", "pre"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "title",
                                  "textarea", "select", "svg", "math", "xmp", "noembed", "noframes", "plaintext",
                                  "frameset", "applet"})


def sanitize(raw: str) -> str:
    """Only what is allowed left; idempotent."""
    if not raw:
        return ""
    return nh3.clean(raw.replace("\x00", ""), tags=set(TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
                     attributes={"a": {"href"}}, set_tag_attribute_values={"a": {"target": "_blank"}},
                     link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"},
                     url_relative="deny", strip_comments=True).strip()


def to_text(raw: str) -> str:
    return " ".join(nh3.clean(sanitize(raw), tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT)).split())


def is_blank(raw: str) -> bool:
    return not to_text(raw)
