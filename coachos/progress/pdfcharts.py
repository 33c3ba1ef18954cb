"""Charts drawn in the progress report PDF (ReportLab graphics): a measurement over time, attendance by month.

Each function returns a ``Drawing``, a flowable the report puts in its story like a paragraph. Dates
and numbers are written the reader's way (Babel, the locale passed in); words go through gettext in
the language active when the chart is drawn. Long series are downsampled first (LTTB, at most
``max_points``), so five years of daily weights draw as a couple of hundred points, not 1,800.

ReportLab's built-in Helvetica has Latin-1 glyphs only: Babel's narrow and no-break spaces and the
Unicode minus are written as their ASCII look-alikes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import NamedTuple

from babel.dates import format_skeleton
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from coachos.common import formats

from .downsample import DEFAULT_POINTS, downsample, x_value

FONT, BOLD = "Helvetica", "Helvetica-Bold"
TICK_SIZE, TITLE_SIZE, NOTE_SIZE = 7.0, 10.0, 8.5
INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
GRID = colors.HexColor("#e5e7eb")
LINE = colors.HexColor("#1d4ed8")
BETTER = colors.HexColor("#15803d")
WORSE = colors.HexColor("#b45309")
COMPLETED = colors.HexColor("#1d4ed8")
NO_SHOW = colors.HexColor("#f59e0b")


class MonthCount(NamedTuple):
    month: date  # any day of the month; the first by convention
    completed: int
    no_show: int


def pdf_text(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("\u2009", " ").replace("\u2212", "-")


def _string(x: float, y: float, text: str, *, size: float = TICK_SIZE, anchor: str = "start",
            color: colors.Color = MUTED, bold: bool = False) -> String:
    return String(x, y, pdf_text(text), fontName=BOLD if bold else FONT, fontSize=size, fillColor=color,
                  textAnchor=anchor)


def _width(text: str, size: float = TICK_SIZE, *, bold: bool = False) -> float:
    return float(stringWidth(pdf_text(text), BOLD if bold else FONT, size))


# --- scales --------------------------------------------------------------------------------------

def nice_ticks(low: float, high: float, *, target: int = 4) -> list[float]:
    """Round tick values covering [low, high], about ``target`` intervals (steps of 1, 2, 2.5, 5 × 10^k)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("ticks need finite bounds")
    if high < low:
        low, high = high, low
    if high - low < 1e-6 * max(1.0, abs(high)):  # one value (or float noise): a band around it
        pad = max(abs(low) * 0.05, 1.0)
        low, high = low - pad, high + pad
    raw = (high - low) / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if raw <= m * magnitude * (1 + 1e-9))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = max(round((last - first) / step), 1)
    return [round(first + i * step, 10) for i in range(count + 1)]


def decimals_for(step: float) -> int:
    """Digits after the separator that write ``step`` exactly (2.5 → 1, 0.25 → 2, 10 → 0)."""
    for digits in range(7):
        scaled = abs(step) * 10**digits
        if abs(scaled - round(scaled)) < 1e-6:
            return digits
    return 6


def _local_date(x: date, zone: tzinfo | None) -> date:
    if isinstance(x, datetime):
        if x.tzinfo is not None and x.utcoffset() is not None:
            return x.astimezone(zone or UTC).date()
        return x.date()
    return x


def _day_x(day: date, *, aware: bool, zone: tzinfo | None) -> float:
    """Where a calendar day starts on the x scale of the series (midnight in the zone when instants)."""
    if aware:
        return x_value(datetime(day.year, day.month, day.day, tzinfo=zone or UTC))
    return x_value(day)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def date_ticks(first: date, last: date, *, max_ticks: int) -> tuple[list[date], str]:
    """Calendar-aligned ticks between two days and the Babel skeleton to label them: month starts
    (every 1, 2, 3, 6 or 12 months) over a long span, else days (every 1, 2, 7, 14 or 28)."""
    max_ticks = max(max_ticks, 2)
    span = (last - first).days
    if span > 62:
        start = _add_months(first, 0 if first.day == 1 else 1)
        for step in (1, 2, 3, 6, 12, 24, 60, 120):
            months = [m for m in (_add_months(start, i) for i in range((span // 28) + 2)) if m <= last
                      and (m.year * 12 + m.month - 1) % step == 0]
            if len(months) <= max_ticks:
                return months, ("y" if step >= 12 else "MMMyy")
    for step in (1, 2, 7, 14, 28, 56):
        days = [first + timedelta(days=i) for i in range(0, span + 1, step)]
        if len(days) <= max_ticks:
            return days, "MMMd"
    return [first, last], "MMMd"  # pragma: no cover - 56-day steps over ≤ 62 days fit any box


# --- the line chart --------------------------------------------------------------------------------

def line_chart(series: Sequence[tuple[date, float]], *, width: float = 480, height: float = 180,
               goal: float | None = None, unit: str = "", title: str = "", better: str = "down",
               locale: str = formats.FALLBACK_LOCALE, zone: tzinfo | None = None,
               max_points: int = DEFAULT_POINTS, precision: int = 1) -> Drawing:
    """A measurement over time: axes with a few dates and values, the goal as a dashed line, the
    latest value marked and labelled, the change since the first point in the title row (green when it
    went the ``better`` way, "up" or "down"). Dates (or aware datetimes, shown in ``zone``) in order.
    Values are labelled to ``precision`` decimals at most. Fewer than two points draw a note instead."""
    drawing = Drawing(width, height)
    points = downsample(list(series), max_points)
    top = height - (TITLE_SIZE + 8 if title else 4)
    if title:
        drawing.add(_string(0, height - TITLE_SIZE - 2, title, size=TITLE_SIZE, color=INK, bold=True))

    def number(value: float, digits: int | None = None) -> str:
        return formats.format_number(value, locale=locale, decimals=digits)

    def with_unit(text: str) -> str:
        return f"{text} {unit}".strip()

    def value_text(value: float) -> str:
        return with_unit(number(round(value, precision)))

    if len(points) < 2:
        _note(drawing, width, top, _("Not enough data for a chart yet."))
        if points:
            when, value = points[0]
            sentence = _("One measurement so far: %(value)s on %(date)s.") % {
                "value": value_text(value), "date": formats.format_date(when, locale=locale, zone=zone)}
            drawing.add(_string(width / 2, top / 2 - NOTE_SIZE - 4, sentence, size=NOTE_SIZE, anchor="middle"))
        return drawing

    values = [float(v) for _x, v in points]
    goal_value = float(goal) if goal is not None and math.isfinite(goal) else None
    bounds = [*values, *([goal_value] if goal_value is not None else [])]
    low, high = min(bounds), max(bounds)
    pad = (high - low) * 0.08
    ticks = nice_ticks(low - pad, high + pad)
    digits = decimals_for(ticks[1] - ticks[0])
    tick_labels = [number(t, digits) for t in ticks]
    left = max(_width(label) for label in tick_labels) + 6
    bottom, right = TICK_SIZE + 8, width - 4
    plot_w, plot_h = right - left, top - bottom - 4

    change = round(values[-1] - values[0], precision)
    if title and change:
        text = ("+" if change > 0 else "") + value_text(change)
        improved = (change < 0) == (better == "down")
        drawing.add(_string(width, height - TITLE_SIZE - 2, text, size=NOTE_SIZE, anchor="end",
                            color=BETTER if improved else WORSE, bold=True))

    aware = isinstance(points[0][0], datetime) and points[0][0].utcoffset() is not None
    xs = [x_value(x) for x, _v in points]
    x_low, x_high = xs[0], xs[-1]
    if x_high == x_low:
        x_low, x_high = x_low - 0.5, x_high + 0.5

    def px(x: float) -> float:
        return left + (x - x_low) / (x_high - x_low) * plot_w

    def py(y: float) -> float:
        return bottom + (y - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    for tick, label in zip(ticks, tick_labels, strict=True):
        drawing.add(Line(left, py(tick), right, py(tick), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_string(left - 4, py(tick) - TICK_SIZE / 3, label, anchor="end"))
    drawing.add(Line(left, bottom, right, bottom, strokeColor=MUTED, strokeWidth=0.7))

    first_day, last_day = _local_date(points[0][0], zone), _local_date(points[-1][0], zone)
    sample = format_skeleton("MMMyy", date(2000, 9, 28), locale=locale)
    days, skeleton = date_ticks(first_day, last_day, max_ticks=int(plot_w // (_width(sample) + 14)))
    for day in days:
        x = px(_day_x(day, aware=aware, zone=zone))
        if left - 1 <= x <= right + 1:
            drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=MUTED, strokeWidth=0.7))
            label = format_skeleton(skeleton, day, locale=locale)
            anchor = "start" if x - left < _width(label) / 2 else "end" if right - x < _width(label) / 2 else "middle"
            drawing.add(_string(x, 1, label, anchor=anchor))

    if goal_value is not None:
        y = py(goal_value)
        drawing.add(Line(left, y, right, y, strokeColor=MUTED, strokeWidth=1, strokeDashArray=[4, 3]))
        label = _("Goal: %(value)s") % {"value": value_text(goal_value)}
        drawing.add(_string(left + 3, y + 2.5 if y + 12 < top else y - TICK_SIZE - 2, label, color=INK))

    flat = [c for x, v in zip(xs, values, strict=True) for c in (px(x), py(v))]
    drawing.add(PolyLine(flat, strokeColor=LINE, strokeWidth=1.4, strokeLineJoin=1, strokeLineCap=1))
    if len(points) <= 40:  # few enough to see each measurement
        for i in range(0, len(flat) - 2, 2):
            drawing.add(Circle(flat[i], flat[i + 1], 1.6, fillColor=LINE, strokeColor=None))
    last_x, last_y = flat[-2], flat[-1]
    drawing.add(Circle(last_x, last_y, 3, fillColor=LINE, strokeColor=colors.white, strokeWidth=1))
    above = last_y + 6 + TICK_SIZE < top
    latest = value_text(values[-1])
    label_y = last_y + 6 if above else last_y - 6 - TICK_SIZE
    # On a white box, so that the goal line or the series passing behind it does not cross it out.
    label_w = _width(latest, bold=True)
    drawing.add(Rect(last_x - 4 - label_w, label_y - 2, label_w + 4, TICK_SIZE + 3, fillColor=colors.white,
                     strokeColor=None))
    drawing.add(_string(last_x - 2, label_y, latest, anchor="end", color=INK, bold=True))
    return drawing


def _note(drawing: Drawing, width: float, top: float, text: str) -> None:
    drawing.add(Rect(0, 0, width, top, fillColor=colors.HexColor("#f9fafb"), strokeColor=GRID, strokeWidth=0.5))
    drawing.add(_string(width / 2, top / 2, text, size=NOTE_SIZE, anchor="middle"))


# --- attendance by month -----------------------------------------------------------------------------

def bar_chart(months: Sequence[tuple[date, int, int]], *, width: float = 480, height: float = 160,
              title: str = "", locale: str = formats.FALLBACK_LOCALE) -> Drawing:
    """Sessions per month as stacked bars: completed below, no-shows above, with a legend and each
    month's total. ``months``: (month, completed, no_show) in order, empty months included."""
    drawing = Drawing(width, height)
    rows = [MonthCount(*row) for row in months]
    top = height - (TITLE_SIZE + 8 if title else 4)
    if title:
        drawing.add(_string(0, height - TITLE_SIZE - 2, title, size=TITLE_SIZE, color=INK, bold=True))
    legend_x = width
    for label, fill in ((_("No-show"), NO_SHOW), (_("Completed"), COMPLETED)):
        legend_x -= _width(label) + 4
        drawing.add(_string(legend_x, height - TITLE_SIZE, label))
        legend_x -= 10
        drawing.add(Rect(legend_x, height - TITLE_SIZE - 0.5, 7, 7, fillColor=fill, strokeColor=None))
        legend_x -= 8
    if not any(r.completed or r.no_show for r in rows):
        _note(drawing, width, top, _("No sessions in this period."))
        return drawing

    highest = max(r.completed + r.no_show for r in rows)
    ticks = [t for t in nice_ticks(0, max(highest, 4)) if t == int(t)] or [0.0, float(highest)]
    left = max(_width(str(int(t))) for t in ticks) + 6
    bottom, right = TICK_SIZE + 8, width - 2
    plot_w, plot_h = right - left, top - bottom - TICK_SIZE - 6  # room for the totals above bars

    def py(y: float) -> float:
        return bottom + y / ticks[-1] * plot_h

    for tick in ticks:
        drawing.add(Line(left, py(tick), right, py(tick), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_string(left - 4, py(tick) - TICK_SIZE / 3, formats.format_number(int(tick), locale=locale),
                            anchor="end"))
    slot = plot_w / len(rows)
    bar = min(slot * 0.7, 28)
    labels = [format_skeleton("MMMyy" if i == 0 or r.month.month == 1 else "MMM", r.month, locale=locale)
              for i, r in enumerate(rows)]
    every = max(1, math.ceil(max(_width(label) for label in labels) / (slot - 2))) if slot > 2 else len(rows)
    for i, row in enumerate(rows):
        x = left + slot * i + (slot - bar) / 2
        if row.completed:
            drawing.add(Rect(x, bottom, bar, py(row.completed) - bottom, fillColor=COMPLETED, strokeColor=None))
        if row.no_show:
            drawing.add(Rect(x, py(row.completed), bar, py(row.completed + row.no_show) - py(row.completed),
                             fillColor=NO_SHOW, strokeColor=None))
        total = row.completed + row.no_show
        if total and bar >= _width(str(total)):
            drawing.add(_string(x + bar / 2, py(total) + 2, formats.format_number(total, locale=locale),
                                anchor="middle", color=INK))
        if i % every == 0:
            drawing.add(_string(x + bar / 2, 1, labels[i], anchor="middle"))
    drawing.add(Line(left, bottom, right, bottom, strokeColor=MUTED, strokeWidth=0.7))
    return drawing
