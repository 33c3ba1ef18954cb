"""No template formats a date, a time or a plural by hand: dates, times, numbers and money go through
``{% load formats %}`` (common.formats, Babel), plurals through ``{% blocktranslate count %}``.

Machine formats stay allowed where machines read them: ``|date:"c"``, ``"Y-m-d"``, ``"H:i"`` or ``"U"``
inside an attribute value (``<time datetime>``, a date input's ``value``, ``data-*``, a URL).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "coachos"
MACHINE_FORMATS = frozenset({"c", "Y-m-d", "H:i", "U"})

# ``|date``, ``|time`` (with or without an argument); ``|floatformat`` is a number written by hand.
FILTER = re.compile(r"""\|\s*(?P<name>date|time|floatformat)(?![\w])(?:\s*:\s*(?P<arg>"[^"]*"|'[^']*'|[\w.]+))?""")
HANDMADE_PLURAL = re.compile(r"\w\(s\)")
TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _masked(text: str) -> str:
    """The template with every {{ }}, {% %} and {# #} blanked (same length): only the HTML is left to read."""
    return TEMPLATE_SYNTAX.sub(lambda m: "x" * len(m.group()), text)


def _in_attribute_value(text: str) -> list[bool]:
    """For each character of ``text``: is it inside the quoted value of an HTML attribute?"""
    html = _masked(text)
    inside = [False] * len(html)
    in_tag = False
    quote = ""
    previous = ""  # the last character of the tag that is not a space
    for i, ch in enumerate(html):
        if quote:
            if ch == quote:
                quote = ""
            else:
                inside[i] = True
        elif in_tag:
            if ch == ">":
                in_tag = False
            elif ch in "\"'" and previous == "=":
                quote = ch
        elif ch == "<" and html[i + 1:i + 2].isalpha() or html[i:i + 2] == "</":
            in_tag = True
        if not ch.isspace():
            previous = ch
    return inside


def problems_in(text: str) -> list[tuple[int, str]]:
    """(line, what) for each hand-made date, time, number or plural of one template."""
    found: list[tuple[int, str]] = []
    attribute = _in_attribute_value(text)
    for match in FILTER.finditer(text):
        arg = (match.group("arg") or "").strip("\"'")
        quoted = (match.group("arg") or "")[:1] in {'"', "'"}
        machine = match.group("name") in {"date", "time"} and quoted and arg in MACHINE_FORMATS
        if machine and attribute[match.start()]:
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, f"{match.group().strip()} for people"))
    for match in HANDMADE_PLURAL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, f"hand-made plural {match.group()!r}"))
    return found


def templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and "templates" in p.relative_to(ROOT).parts
                  and p.suffix in {".html", ".txt", ".xml", ".md"})


def test_there_are_templates_to_check() -> None:
    assert len(templates()) > 100


def test_no_template_formats_dates_times_or_plurals_by_hand() -> None:
    problems = [f"{path.relative_to(ROOT.parent)}:{line}: {what}"
                for path in templates() for line, what in problems_in(path.read_text(encoding="utf-8"))]
    assert not problems, ("Hand-made formats in templates. Use {% load formats %} (day, short_date, long_date, "
                          "clock, when, money, number) and {% blocktranslate count %}:\n" + "\n".join(problems))


# --- the scanner itself -------------------------------------------------------------------------

@pytest.mark.parametrize("snippet", [
    '<time datetime="{{ s.starts_at|date:\'c\' }}">{{ s.starts_at|when }}</time>',
    '<input type="date" name="from" value="{{ since|date:\'Y-m-d\' }}">',
    '<a href="?date={{ day|date:"Y-m-d" }}&amp;at={{ t|time:"H:i" }}">{% translate "Week" %}</a>',
    '<li data-at="{{ at|date:"U" }}" class="x">{{ at|clock }}</li>',
    "{{ when|dateday }} {{ t|timeline }} {{ p.amount_minor|money:p.currency }}",
    "{% blocktranslate count n=packages %}{{ n }} package{% plural %}{{ n }} packages{% endblocktranslate %}",
    "list.forEach((s) => s.remove())",
])
def test_machine_formats_in_attributes_and_formats_filters_pass(snippet: str) -> None:
    assert problems_in(snippet) == []


@pytest.mark.parametrize(("snippet", "line"), [  # the line (or lines) each is reported on
    ('<td>{{ p.created_at|date:"j M Y, H:i" }}</td>', 1),
    ("<p>{{ local_start|date:'l' }},\n{{ local_start|date }}, {{ local_start|time }}</p>", [1, 2, 2]),
    ('<time datetime="{{ at|date:\'c\' }}">{{ at|date:"c" }}</time>', 1),  # a machine format shown to people
    ('<p title="{{ at|date:\'D j M\' }}">x</p>', 1),  # a display format, even in an attribute
    ('<button data-confirm="{% blocktranslate with d=at|date:\'D, M j\' %}Cancel {{ d }}?{% endblocktranslate %}">', 1),
    ("{% blocktranslate with t=rb.start_time|time:'H:i' %}Every Monday at {{ t }}{% endblocktranslate %}", 1),
    ("The link works until {{ expires_at|date:\"F j, Y\" }}.", 1),
    ("<td>{{ value|floatformat:2 }}</td>", 1),
    ("<p>\n\nYou have {{ n }} active package(s).</p>", 3),
])
def test_display_formats_and_handmade_plurals_are_found_with_their_line(snippet: str, line: int | list[int]) -> None:
    found = problems_in(snippet)
    assert [where for where, _what in found] == (line if isinstance(line, list) else [line])
