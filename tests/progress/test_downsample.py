"""Downsampling long series for charts (LTTB): what it keeps, what it promises."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachos.progress.downsample import downsample, lttb_indices, x_value

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def series(draw: st.DrawFn) -> list[tuple[float, float]]:
    """Points in order of x; x may repeat (two measurements on one day)."""
    steps = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.0, 1.0, 3.0, 30.0]), min_size=0, max_size=600))
    ys = draw(st.lists(values, min_size=len(steps), max_size=len(steps)))
    x, points = draw(st.floats(min_value=-1e5, max_value=1e5)), []
    for step, y in zip(steps, ys, strict=True):
        x += step
        points.append((x, y))
    return points


def is_subsequence(part: list[tuple[float, float]], whole: list[tuple[float, float]]) -> bool:
    # Identity, not equality: the same tuples, taken in order (equal points may repeat).
    rest = iter(whole)
    return all(any(candidate is p for candidate in rest) for p in part)


@given(series(), st.integers(min_value=4, max_value=250))
def test_never_more_than_asked_and_a_subsequence_in_order(points: list[tuple[float, float]], n: int) -> None:
    out = downsample(points, n)
    assert len(out) <= n
    assert len(out) == min(n, len(points))
    assert is_subsequence(out, points)


@given(series(), st.integers(min_value=4, max_value=250))
def test_first_last_highest_and_lowest_survive(points: list[tuple[float, float]], n: int) -> None:
    out = downsample(points, n)
    if not points:
        assert out == []
        return
    assert out[0] is points[0]
    assert out[-1] is points[-1]
    assert max(y for _x, y in out) == max(y for _x, y in points)
    assert min(y for _x, y in out) == min(y for _x, y in points)


@given(series(), st.integers(min_value=4, max_value=700))
def test_a_short_series_comes_back_whole(points: list[tuple[float, float]], n: int) -> None:
    if len(points) <= n:
        assert downsample(points, n) == points


@given(st.lists(values, min_size=5, max_size=400), st.integers(min_value=4, max_value=60))
def test_indices_ascend_and_stay_in_range(ys: list[float], n: int) -> None:
    indices = lttb_indices([float(i) for i in range(len(ys))], ys, n)
    assert indices == sorted(set(indices))
    assert indices[0] == 0 and indices[-1] == len(ys) - 1
    assert len(indices) == min(n, len(ys))


def test_five_years_of_daily_weights_come_down_to_200_keeping_a_lone_dip() -> None:
    start = datetime(2021, 1, 1, 7, 30, tzinfo=UTC)
    points = [(start + timedelta(days=i), 90 - i * 0.005 + math.sin(i / 9)) for i in range(3000)]
    points[1234] = (points[1234][0], 60.0)  # one morning's odd reading
    out = downsample(points)
    assert len(out) == 200
    assert points[1234] in out
    assert out[0] is points[0] and out[-1] is points[-1]


def test_lttb_picks_the_point_that_shapes_the_line_not_every_nth() -> None:
    # A flat line with one bump in the middle of a bucket: plain decimation would miss the bump;
    # LTTB must keep it even though it is neither the highest nor the lowest point.
    ys = [0.0] * 100
    ys[0], ys[99] = -10.0, 10.0
    ys[47] = 5.0
    indices = lttb_indices([float(i) for i in range(100)], ys, 10)
    assert 47 in indices


def test_both_extremes_in_one_bucket_are_kept_without_growing() -> None:
    ys = [1.0] * 50
    ys[20], ys[21] = 100.0, -100.0  # neighbours: one bucket when n is small
    out = lttb_indices([float(i) for i in range(50)], ys, 4)
    assert out[0] == 0 and out[-1] == 49 and 20 in out and 21 in out
    assert len(out) == 4


def test_dates_datetimes_and_numbers_share_one_scale() -> None:
    assert x_value(date(1970, 1, 2)) == 1.0
    assert x_value(datetime(1970, 1, 2, 12)) == 1.5  # noqa: DTZ001 - naive is counted as it reads
    assert x_value(datetime(1970, 1, 2, 12, tzinfo=UTC)) == 1.5
    assert x_value(3) == 3.0


def test_dates_downsample_like_numbers() -> None:
    points = [(date(2024, 1, 1) + timedelta(days=i), float(i % 17)) for i in range(1000)]
    out = downsample(points, 50)
    assert len(out) == 50 and out[0] == points[0] and out[-1] == points[-1]


def test_non_numbers_are_left_out_and_order_is_checked() -> None:
    assert downsample([(1.0, 1.0), (2.0, math.nan), (3.0, 2.0)], 10) == [(1.0, 1.0), (3.0, 2.0)]
    with pytest.raises(ValueError, match="order"):
        downsample([(2.0, 1.0), (1.0, 1.0)], 10)
    with pytest.raises(ValueError, match="at least 4"):
        downsample([(1.0, 1.0)] * 10, 3)
