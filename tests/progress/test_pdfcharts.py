"""Charts in the progress report PDF: drawn into a real PDF, long series downsampled, dates and
numbers written the reader's way, empty and one-point series handled."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, Shape, String
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from coachos.progress.pdfcharts import bar_chart, date_ticks, decimals_for, line_chart, nice_ticks


def shapes(node: Drawing | Group) -> Iterator[Shape]:
    for child in node.contents:
        yield child
        if isinstance(child, Group):
            yield from shapes(child)


def texts(drawing: Drawing) -> list[str]:
    return [s.text for s in shapes(drawing) if isinstance(s, String)]


def polylines(drawing: Drawing) -> list[PolyLine]:
    return [s for s in shapes(drawing) if isinstance(s, PolyLine)]


def render(*flowables: Drawing) -> bytes:
    """A real PDF, uncompressed so that its text operators can be read back."""
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, pageCompression=0, title="Progress").build(list(flowables))
    return buffer.getvalue()


def daily(count: int, *, start: date = date(2021, 1, 1), base: float = 92.0) -> list[tuple[date, float]]:
    return [(start + timedelta(days=i), base - i * 0.006 + math.sin(i / 30)) for i in range(count)]


def test_the_charts_render_into_a_pdf_with_their_titles_and_labels() -> None:
    weight = line_chart(daily(120), title="Weight", unit="kg", goal=85.0, locale="en_US")
    attendance = bar_chart([(date(2025, m, 1), m, m % 2) for m in range(1, 7)], title="Attendance",
                           locale="en_US")
    body = render(weight, attendance)
    assert body.startswith(b"%PDF")
    for text in (b"(Weight) Tj", b"(Attendance) Tj", b"(Goal: 85 kg) Tj", b"(Completed) Tj", b"(No-show) Tj"):
        assert text in body
    assert b"(Feb \\22221) Tj" in body  # "Feb ’21": the closing quote in the font's encoding (octal 222)


def test_a_3000_point_series_is_drawn_as_at_most_200_points() -> None:
    series = daily(3000)
    drawing = line_chart(series, title="Weight", unit="kg")
    lines = polylines(drawing)
    assert len(lines) == 1
    assert len(lines[0].points) // 2 == 200
    assert len(polylines(line_chart(series, max_points=50))[0].points) // 2 == 50
    assert len(polylines(line_chart(daily(30)))[0].points) // 2 == 30  # short series: every point


def test_the_goal_is_a_dashed_line_across_the_plot_at_its_value() -> None:
    drawing = line_chart([(date(2025, 1, 1), 80.0), (date(2025, 2, 1), 70.0)], goal=75.0, unit="kg",
                         title="Weight")
    dashed = [s for s in shapes(drawing) if isinstance(s, Line) and s.strokeDashArray]
    assert len(dashed) == 1
    goal = dashed[0]
    assert goal.y1 == goal.y2
    line = polylines(drawing)[0].points
    assert min(line[1], line[3]) < goal.y1 < max(line[1], line[3])  # between 80 and 70, where 75 is
    assert goal.y1 == pytest.approx((line[1] + line[3]) / 2)
    assert "Goal: 75 kg" in texts(drawing)


def test_the_last_point_is_marked_and_labelled_and_the_change_says_which_way() -> None:
    drawing = line_chart([(date(2025, 1, 1), 82.25), (date(2025, 3, 1), 79.0)], unit="kg", title="Weight",
                         better="down")
    words = texts(drawing)
    assert "79 kg" in words
    assert "-3.2 kg" in words or "-3.3 kg" in words
    up = line_chart([(date(2025, 1, 1), 50.0), (date(2025, 3, 1), 52.5)], unit="kg", title="Squat",
                    better="up", locale="de_DE")
    change = next(s for s in shapes(up) if isinstance(s, String) and s.text.startswith("+"))
    down_change = next(s for s in shapes(drawing) if isinstance(s, String) and s.text.startswith("-"))
    assert change.text == "+2,5 kg"
    assert change.fillColor == down_change.fillColor  # both went the better way: the same green


@pytest.mark.parametrize("series,expected", [
    ([], "Not enough data for a chart yet."),
    ([(date(2025, 3, 1), 80.0)], "One measurement so far: 80 kg on Mar 1, 2025."),
])
def test_no_line_without_two_points(series: list[tuple[date, float]], expected: str) -> None:
    drawing = line_chart(series, title="Weight", unit="kg", goal=75.0, locale="en_US")
    assert polylines(drawing) == []
    assert expected in texts(drawing)
    assert render(drawing).startswith(b"%PDF")


def test_dates_are_written_the_readers_way() -> None:
    series = [(date(2025, 1, 1) + timedelta(days=i), 80.0 + i % 3) for i in range(200)]
    german = texts(line_chart(series, locale="de_DE", width=480))
    assert "März 2025" in german or "Apr. 2025" in german
    french = texts(line_chart(series[:20], locale="fr_FR"))
    assert any(t.endswith("janv.") for t in french)


def test_instants_are_placed_on_the_days_of_the_zone_given() -> None:
    from zoneinfo import ZoneInfo

    series = [(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), 80.0), (datetime(2025, 2, 6, 8, tzinfo=UTC), 79.0)]

    def tick_x(zone: ZoneInfo | None, label: str) -> float:
        drawing = line_chart(series, locale="en_GB", zone=zone)
        return float(next(s.x for s in shapes(drawing) if isinstance(s, String) and s.text == label))

    # A day starts an hour earlier in Berlin than in UTC (in winter): its tick sits a little further left.
    assert tick_x(ZoneInfo("Europe/Berlin"), "3 Feb") < tick_x(None, "3 Feb")
    note = texts(line_chart(series[:1], locale="en_GB", zone=ZoneInfo("Europe/Berlin"), unit="kg"))
    assert "One measurement so far: 80 kg on 1 Feb 2025." in note  # 23:30 UTC is 00:30 in Berlin


def test_babel_spaces_and_minus_are_written_with_latin_1() -> None:
    drawing = line_chart([(date(2025, 1, 1), 12000.0), (date(2025, 2, 1), 9000.0)], locale="fr_FR",
                         unit="kcal", title="Energy")
    for text in texts(drawing):
        text.encode("cp1252")  # the built-in fonts' encoding: no narrow spaces, no Unicode minus


def test_attendance_bars_stack_no_shows_on_completed() -> None:
    drawing = bar_chart([(date(2025, 1, 1), 6, 2), (date(2025, 2, 1), 0, 0), (date(2025, 3, 1), 3, 0)],
                        title="Attendance", locale="en_GB")
    bars = [s for s in shapes(drawing) if isinstance(s, Rect) and s.width > 7]
    completed_jan, no_show_jan, completed_mar = bars
    assert no_show_jan.y == pytest.approx(completed_jan.y + completed_jan.height)
    assert completed_jan.height == pytest.approx(2 * completed_mar.height)
    assert no_show_jan.height == pytest.approx(completed_jan.height / 3)
    assert {"8", "3"} <= set(texts(drawing))  # each month's total
    assert "Jan ’25" in texts(drawing) or "Jan 25" in texts(drawing)


def test_no_sessions_is_said_not_drawn() -> None:
    drawing = bar_chart([(date(2025, 1, 1), 0, 0)], title="Attendance")
    assert "No sessions in this period." in texts(drawing)
    assert "No sessions in this period." in texts(bar_chart([], title="Attendance"))


# --- scales ------------------------------------------------------------------------------------------

@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_value_ticks_cover_the_range_in_equal_round_steps(low: float, span: float) -> None:
    ticks = nice_ticks(low, low + span)
    assert 2 <= len(ticks) <= 10
    step = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in zip(ticks, ticks[1:], strict=False))
    # Covered, give or take float noise (a millionth of a step: 0.30000000000000004 is on the 0.3 tick).
    assert ticks[0] <= low + step * 1e-6 and ticks[-1] >= low + span - step * 1e-6
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1.0, 2.0, 2.5, 5.0}


def test_decimals_follow_the_step() -> None:
    assert [decimals_for(s) for s in (10, 1, 2.5, 0.5, 0.25)] == [0, 0, 1, 1, 2]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(min_value=0, max_value=4000),
       st.integers(min_value=2, max_value=12))
def test_date_ticks_fit_the_box_and_stay_in_range(first: date, span: int, max_ticks: int) -> None:
    last = first + timedelta(days=span)
    ticks, skeleton = date_ticks(first, last, max_ticks=max_ticks)
    assert 1 <= len(ticks) <= max_ticks
    assert all(first <= t <= last for t in ticks)
    assert ticks == sorted(ticks)
    if skeleton != "MMMd":
        assert all(t.day == 1 for t in ticks)


def test_decimal_values_as_stored_draw_like_floats() -> None:
    from decimal import Decimal

    drawing = line_chart([(date(2025, 1, 1), Decimal("80.50")), (date(2025, 2, 1), Decimal("79.90"))],  # type: ignore[list-item]
                         goal=Decimal("78"), unit="kg", title="Weight")  # type: ignore[arg-type]
    assert len(polylines(drawing)[0].points) == 4
    assert "79.9 kg" in texts(drawing) and "Goal: 78 kg" in texts(drawing)
