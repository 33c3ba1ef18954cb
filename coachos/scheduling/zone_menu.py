"""The time zone menu of the booking pages, rendered once per selected zone and process.

Its ~600 options cost more to render through the template engine than the rest of the page
(the week of times) did; the HTML only depends on which zone is selected."""

from __future__ import annotations

import functools

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from coachos.accounts.forms import timezone_choices


@functools.lru_cache(maxsize=64)
def zone_options_html(selected: str) -> SafeString:
    """``<option>`` elements for every zone, ``selected`` marked (safe HTML)."""
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((value, " selected" if value == selected else "", label)
                             for value, label in timezone_choices()))
