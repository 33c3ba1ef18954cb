"""Text search over notes and journal entries: PostgreSQL full-text (a GIN index on the same
expression, made by the migrations), plain ``icontains`` on SQLite.

Each word the reader types must match (a prefix matches: "run" finds "running"). The ``simple``
configuration (no stemming, no stop words) works the same in every language a business writes in.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

CONFIG = "simple"
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def vector(*fields: str) -> SearchVector:
    """The indexed expression (the migrations build their GIN index from this very expression)."""
    return SearchVector(*fields, config=CONFIG)


def terms(q: str) -> list[str]:
    return _WORD.findall(q or "")[:MAX_TERMS]


def search(rows: QuerySet[Any], q: str, *, fields: tuple[str, ...] = ("title", "body_text")) -> QuerySet[Any]:
    words = terms(q)
    if not words:
        return rows
    if connection.vendor == "postgresql":
        # Only word characters reach the query, so the raw syntax cannot be abused.
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), config=CONFIG, search_type="raw")
        return rows.annotate(search=vector(*fields)).filter(search=query)
    for word in words:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        rows = rows.filter(match)
    return rows
