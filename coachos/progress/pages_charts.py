"""The measurements part of the progress pages: a line chart per kind (``progress/_chart.html`` drawn by
``progress/charts.js``) with the goal's target as a dashed line, the recent entries, and the form to log
one. Values are in the reader's units (as typed when typed in them); instants in the reader's zone.

A long series is cut down on the server (``downsample``: at most ``CHART_POINTS`` points keeping the
line's shape, first and last, highest and lowest) — five years of daily weights draw as fast as a month.
All kinds of the range come from one query, whatever their number of rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from .downsample import lttb_indices, x_value
from .kinds import KindInfo
from .models import Goal, Measurement
from .pages import Range, Reader
from .selectors.measurements import Point, measurement_list, point_value, si_in
from .serialize import number

CHART_POINTS = 200
RECENT = 8


def _shorten(points: list[Point], kind: KindInfo, unit: str) -> list[tuple[datetime, Decimal]]:
    values = [(p.measured_at, point_value(p, kind, unit)) for p in points]
    if len(values) <= CHART_POINTS:
        return values
    keep = lttb_indices([x_value(at) for at, _v in values], [float(v) for _at, v in values], CHART_POINTS)
    return [values[i] for i in keep]


def goal_lines(reader: Reader) -> dict[str, Decimal]:
    """Per kind, the target of the client's oldest open goal on it, in the reader's unit (one query)."""
    lines: dict[str, Decimal] = {}
    goals = (Goal.objects.filter(client=reader.client, status__in=Goal.OPEN, target_type=Goal.Target.MEASUREMENT,
                                 target_si__isnull=False).order_by("created_at", "id")
             .values_list("measurement_kind", "target_si"))
    for key, target_si in goals:
        kind = reader.kind(key)
        if kind is not None and key not in lines and target_si is not None:
            lines[key] = si_in(Decimal(target_si), kind, reader.unit(kind))
    return lines


def chart(reader: Reader, kind: KindInfo, points: list[Point], goal: Decimal | None) -> dict[str, Any]:
    """What ``progress/_chart.html`` takes for one kind."""
    unit = reader.unit(kind)
    shown = _shorten(points, kind, unit)
    return {
        "id": f"chart-{kind.key}", "key": kind.key, "label": str(kind.name), "unit": unit,
        "points": [[at.astimezone(reader.zone).isoformat(), number(value)] for at, value in shown],
        "goal": number(goal) if goal is not None else None, "better": kind.better,
        "locale": reader.js_locale.replace("-", "_"), "zone": str(reader.zone),
        "rows": [{"at": at, "value": value} for at, value in reversed(shown)],
    }


def series_by_kind(reader: Reader, rng: Range, kinds: list[str] | None = None) -> dict[str, list[Point]]:
    start, end = rng.bounds(reader.zone)
    rows = measurement_list(reader.client, start=start, end=end)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    found: dict[str, list[Point]] = defaultdict(list)
    for key, at, si, entered, unit in rows.values_list("kind", "measured_at", "value_si", "entered_value",
                                                       "entered_unit"):
        found[key].append(Point(at, Decimal(si), Decimal(entered), unit))
    return found


def charts(reader: Reader, rng: Range) -> list[dict[str, Any]]:
    """A chart for each kind measured in the range (weight always: it is the one most people log)."""
    series = series_by_kind(reader, rng)
    lines = goal_lines(reader)
    return [chart(reader, kind, series.get(kind.key, []), lines.get(kind.key))
            for kind in reader.kinds if kind.key in series or kind.key == "weight"]


def chart_update(reader: Reader, rng: Range, key: str) -> dict[str, Any] | None:
    """The new points of one kind's chart, for the page's script to redraw it (``charts.js`` update)."""
    kind = reader.kind(key)
    if kind is None:
        return None
    drawn = chart(reader, kind, series_by_kind(reader, rng, [key]).get(key, []), goal_lines(reader).get(key))
    return {"chart": drawn["id"], "kind": key, "points": drawn["points"]}


def recent(reader: Reader) -> list[dict[str, Any]]:
    rows = Measurement.objects.filter(client=reader.client).select_related("recorded_by").order_by(
        "-measured_at", "-id")[:RECENT]
    shown = []
    for row in rows:
        kind = reader.kind(row.kind)
        if kind is None:  # pragma: no cover - a measurement's kind always exists (a constraint)
            continue
        unit = reader.unit(kind)
        shown.append({"measurement": row, "kind": kind, "unit": unit,
                      "value": point_value(Point(row.measured_at, Decimal(row.value_si), Decimal(row.entered_value),
                                                 row.entered_unit), kind, unit),
                      "delete_url": reader.url("measurement_delete", measurement_id=row.pk)})
    return shown


def charts_part(reader: Reader, rng: Range) -> dict[str, Any]:
    drawn = charts(reader, rng)
    return {"charts": drawn, "range": rng, "recent": recent(reader),
            "no_weight_yet": not Measurement.objects.filter(client=reader.client, kind="weight").exists(),
            "refresh_url": f"{reader.url('charts')}?{rng.query}"}
