"""Reads of measurements: lists, each kind's latest value, the first and last of a range, chart series.

Every read is a fixed number of queries however many measurements a client has (five years of daily
weights is ~1,800 rows): "latest per kind" and "first and last per kind" are a scalar subquery per kind
(``ORDER BY measured_at LIMIT 1`` on the (client, kind, measured_at) index), portable to SQLite."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Subquery

from coachos.clients.models import Client

from ..kinds import KindInfo
from ..models import Measurement
from ..units import display_value


def value_in(measurement: Measurement, kind: KindInfo, unit: str) -> Decimal:
    """The value to show in ``unit``: as typed when typed in it, else converted from SI and rounded."""
    if kind.is_custom:
        return Decimal(measurement.entered_value)
    return display_value(Decimal(measurement.value_si), unit, entered_value=Decimal(measurement.entered_value),
                         entered_unit=measurement.entered_unit)


def si_in(value_si: Decimal, kind: KindInfo, unit: str) -> Decimal:
    """An SI value (a goal's target or start) shown in ``unit``."""
    if kind.is_custom:
        return value_si
    return display_value(value_si, unit)


def measurement_list(client: Client, *, kind: str = "", start: datetime | None = None,
                     end: datetime | None = None) -> QuerySet[Measurement]:
    """The client's measurements, oldest first; ``end`` is exclusive."""
    rows = Measurement.objects.filter(client=client)
    if kind:
        rows = rows.filter(kind=kind)
    if start is not None:
        rows = rows.filter(measured_at__gte=start)
    if end is not None:
        rows = rows.filter(measured_at__lt=end)
    return rows.order_by("measured_at", "id")


def _edge(rows: QuerySet[Measurement], kind: str, *, newest: bool) -> Subquery:
    """The id of ``kind``'s first (or newest) row among ``rows``: an uncorrelated scalar subquery, run once
    per kind as an index scan on (client, kind, measured_at) that stops at the first row — not once per
    row of the client, which cost seconds over five years of daily weights."""
    order = ("-measured_at", "-id") if newest else ("measured_at", "id")
    return Subquery(rows.filter(kind=kind).order_by(*order).values("pk")[:1])


def _edges(rows: QuerySet[Measurement], kinds: Iterable[str], *, first: bool, last: bool) -> QuerySet[Measurement]:
    wanted = [edge for kind in sorted(set(kinds))
              for edge in ((_edge(rows, kind, newest=False),) if first else ())
              + ((_edge(rows, kind, newest=True),) if last else ())]
    return Measurement.objects.filter(pk__in=wanted) if wanted else Measurement.objects.none()


def latest_by_kind(client: Client, kinds: Iterable[str] | None = None) -> dict[str, Measurement]:
    """Each kind's latest measurement (by when it was measured): one query for the kinds given, two when
    every kind is asked for (the client's kinds first)."""
    rows = Measurement.objects.filter(client=client)
    if kinds is None:
        kinds = list(rows.order_by().values_list("kind", flat=True).distinct())
    kinds = list(kinds)
    if not kinds:
        return {}
    return {m.kind: m for m in _edges(rows, kinds, first=False, last=True)}


@dataclass(frozen=True)
class Edges:
    first: Measurement
    last: Measurement
    count: int


def first_and_last(client: Client, *, start: datetime | None = None, end: datetime | None = None) -> dict[str, Edges]:
    """Per kind, the first and the last measurement within [start, end) and how many there are (two
    queries: the counts, then each kind's two edges)."""
    in_range = measurement_list(client, start=start, end=end)
    counts = dict(in_range.order_by().values_list("kind").annotate(n=Count("id")))
    if not counts:
        return {}
    found: dict[str, list[Measurement]] = {}
    for row in _edges(in_range, counts, first=True, last=True).order_by("kind", "measured_at", "id"):
        found.setdefault(row.kind, []).append(row)
    return {kind: Edges(first=rows[0], last=rows[-1], count=counts.get(kind, len(rows)))
            for kind, rows in found.items()}


@dataclass(frozen=True)
class Point:
    measured_at: datetime
    value_si: Decimal
    entered_value: Decimal
    entered_unit: str


def series(client: Client, kind: str, *, start: datetime | None = None, end: datetime | None = None) -> list[Point]:
    """One kind's values in time order (for a chart: downsample long series before drawing)."""
    rows = measurement_list(client, kind=kind, start=start, end=end).values_list(
        "measured_at", "value_si", "entered_value", "entered_unit")
    return [Point(at, Decimal(si), Decimal(entered), unit) for at, si, entered, unit in rows]


def point_value(point: Point, kind: KindInfo, unit: str) -> Decimal:
    if kind.is_custom:
        return point.entered_value
    return display_value(point.value_si, unit, entered_value=point.entered_value, entered_unit=point.entered_unit)
