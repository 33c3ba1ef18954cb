"""Available hours per coach over a range, as the slot engine sees them: the weekly template
expanded in the business's zone (DST included), plus extra time, minus time off
(``scheduling.slots.windows_for``). Three queries for all coaches, whatever the range."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from coachos.scheduling import slots as engine
from coachos.scheduling.models import AvailabilityAddition, BlockedSlot, Coach, WeeklyAvailability


def _group(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.coach_id].append(row)
    return grouped


def available_hours(coaches: list[Coach], tz: ZoneInfo, start: datetime, end: datetime) -> dict[int, float]:
    if not coaches or end <= start:
        return {}
    ids = [c.pk for c in coaches]
    overlap = {"starts_at__lt": end, "ends_at__gt": start, "coach_id__in": ids}
    weekly = _group(WeeklyAvailability.objects.filter(coach_id__in=ids).values_list(
        "coach_id", "weekday", "start_time", "end_time", "for_individual", "for_group", "room_id", named=True))
    additions = _group(AvailabilityAddition.objects.filter(**overlap).values_list(
        "coach_id", "starts_at", "ends_at", "room_id", "for_individual", "for_group", named=True))
    blocked = _group(BlockedSlot.objects.filter(**overlap).values_list("coach_id", "starts_at", "ends_at", named=True))
    first_day, last_day = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    range_ = engine.Interval(start, end)
    hours: dict[int, float] = {}
    for coach in coaches:
        if not weekly.get(coach.pk) and not additions.get(coach.pk):
            continue
        query = engine.SlotQuery(
            tz=tz, first_day=first_day, last_day=last_day, duration=timedelta(minutes=1), now=timezone.now(),
            weekly=[engine.WeeklyRange(w.weekday, w.start_time, w.end_time, w.for_individual, w.for_group, w.room_id)
                    for w in weekly.get(coach.pk, [])],
            additions=[engine.Window(engine.Interval(a.starts_at, a.ends_at), a.room_id, a.for_individual,
                                     a.for_group) for a in additions.get(coach.pk, [])],
            blocked=[engine.Interval(b.starts_at, b.ends_at) for b in blocked.get(coach.pk, [])],
        )
        # One-to-one and group hours are the same hours of the coach: merged, counted once.
        pieces = [w.interval for kind in (engine.INDIVIDUAL, engine.GROUP)
                  for w in engine.windows_for(_with_kind(query, kind))]
        total = timedelta(0)
        for piece in engine.merge(pieces):
            if piece.overlaps(range_):
                total += min(piece.end, end) - max(piece.start, start)
        hours[coach.pk] = total.total_seconds() / 3600
    return hours


def _with_kind(query: engine.SlotQuery, kind: str) -> engine.SlotQuery:
    from dataclasses import replace

    return replace(query, kind=kind)
