"""Overlap filters that stay flat as a coach's history grows.

``starts_at < hi AND ends_at > lo`` alone reads every row that started before ``hi`` — a coach's whole
past. A session (and a hold, which has a session's length) lasts at most LONGEST_SESSION, so a row
that overlaps ``(lo, hi)`` also started after ``lo - LONGEST_SESSION``: with that bound the
``(coach, starts_at)`` index reads only the window, whatever the history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

# SessionType.duration_minutes is at most 720 (its MaxValueValidator; tests/scheduling/test_spans.py
# checks they agree) and every session and hold takes its length from its type.
LONGEST_SESSION_MINUTES = 720
LONGEST_SESSION = timedelta(minutes=LONGEST_SESSION_MINUTES)


def session_overlap(lo: datetime, hi: datetime, *, prefix: str = "") -> Q:
    """Sessions (or holds) overlapping ``(lo, hi)``; ``prefix`` for a relation, e.g. ``"session__"``."""
    return Q(**{f"{prefix}starts_at__lt": hi, f"{prefix}ends_at__gt": lo,
                f"{prefix}starts_at__gt": lo - LONGEST_SESSION})
