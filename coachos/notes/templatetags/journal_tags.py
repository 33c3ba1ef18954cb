"""Small helpers of the journal and session templates: a mood as its icon and word."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from coachos.notes.forms_journal import MOOD_ICONS
from coachos.notes.models import Mood

register = template.Library()


@register.simple_tag
def mood(value: int | None) -> SafeString | str:
    """The mood's icon (hidden from screen readers) and its word: "🙂 Good"."""
    if value not in MOOD_ICONS:
        return ""
    return format_html('<span class="mood mood-{}"><span aria-hidden="true">{}</span> {}</span>',
                       value, MOOD_ICONS[value], Mood(value).label)


@register.simple_tag
def stars(value: int | None) -> SafeString | str:
    """★★★★☆ with its words for screen readers ("4 of 5 stars")."""
    if value is None or not 1 <= int(value) <= 5:
        return ""
    count = int(value)
    label = ngettext("%(n)d of 5 star", "%(n)d of 5 stars", count) % {"n": count}
    return format_html('<span class="stars" role="img" aria-label="{}">{}</span>', label,
                       "★" * count + "☆" * (5 - count))
