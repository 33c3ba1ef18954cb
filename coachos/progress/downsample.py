"""Long series made short enough to draw: Largest-Triangle-Three-Buckets (Steinarsson, 2013).

Five years of daily weights are ~1,800 points; a chart 390 px wide shows at most a few hundred. LTTB
keeps the points that carry the shape of the line (each bucket's point forming the largest triangle
with its neighbours), so a dip or a spike survives where averaging or taking every n-th point would
flatten it. On top of plain LTTB we promise what a reader checks first: the first and last
measurements and the series' highest and lowest values are always drawn.

Pure: no Django. Points are returned as given (the same tuples, in the same order), never averaged.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime
from math import isfinite
from typing import TypeVar

# float covers int for type checkers; datetime is a date.
X = TypeVar("X", bound=float | date)

DEFAULT_POINTS = 200
_EPOCH_DAY = date(1970, 1, 1)
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 - only to measure naive datetimes against


def x_value(x: float | date) -> float:
    """A point's x as a number: numbers as they are; dates and datetimes as days since 1970-01-01
    (naive datetimes counted as they read, aware ones in UTC), so that mixed series share one scale."""
    if isinstance(x, datetime):
        if x.tzinfo is None or x.utcoffset() is None:
            return (x - _EPOCH_NAIVE).total_seconds() / 86400.0
        return x.astimezone(UTC).timestamp() / 86400.0
    if isinstance(x, date):
        return float((x - _EPOCH_DAY).days)
    return float(x)


def _bucket_edges(count: int, threshold: int) -> list[int]:
    """Start indices of the threshold - 2 middle buckets, plus the index of the last point.

    Integer arithmetic, so that the buckets cover indices 1 … count - 2 exactly, each non-empty."""
    middle = threshold - 2
    return [1 + (k * (count - 2)) // middle for k in range(middle + 1)]


def lttb_indices(xs: Sequence[float], ys: Sequence[float], threshold: int) -> list[int]:
    """Indices (ascending) of at most ``threshold`` points to draw, always including the first, the last,
    one highest and one lowest y. ``xs`` must not decrease; ``threshold`` must be at least 4 (the four
    promised points)."""
    count = len(xs)
    if len(ys) != count:
        raise ValueError("xs and ys differ in length")
    if threshold < 4:
        raise ValueError("threshold must be at least 4")
    if count <= threshold:
        return list(range(count))

    edges = _bucket_edges(count, threshold)
    base = xs[0]  # measured from the first x: timestamps are large, triangle areas are not
    chosen: list[int] = []
    anchor = 0
    for bucket in range(threshold - 2):
        start, end = edges[bucket], edges[bucket + 1]
        # The next bucket's average is the third corner; the last bucket's "next" is the last point.
        next_start = end
        next_end = edges[bucket + 2] if bucket + 2 < len(edges) else count
        span = next_end - next_start
        avg_x = sum(xs[next_start:next_end]) / span - base
        avg_y = sum(ys[next_start:next_end]) / span
        ax, ay = xs[anchor] - base, ys[anchor]
        best, best_area = start, -1.0
        for i in range(start, end):
            area = abs((ax - avg_x) * (ys[i] - ay) - (ax - (xs[i] - base)) * (avg_y - ay))
            if area > best_area:
                best, best_area = i, area
        chosen.append(best)
        anchor = best

    _keep_extremes(chosen, edges, ys)
    return [0, *chosen, count - 1]


def _keep_extremes(chosen: list[int], edges: list[int], ys: Sequence[float]) -> None:
    """Make the highest and the lowest point each replace their bucket's choice (in place).

    When both fall in one bucket, that bucket keeps both and a neighbouring bucket gives up its point,
    so the count never grows. ``chosen[b]`` is bucket b's index; -1 marks a bucket given up."""
    last = len(ys) - 1
    high = max(range(len(ys)), key=lambda i: (ys[i], -i))  # the first of equal highs
    low = min(range(len(ys)), key=lambda i: (ys[i], i))
    kept = set(chosen)
    extras: dict[int, int] = {}  # bucket -> a second index kept in it
    for extreme in (high, low):
        if extreme in (0, last) or extreme in kept:
            continue
        bucket = bisect_right(edges, extreme) - 1
        current = chosen[bucket]
        if current in (high, low):
            extras[bucket] = extreme
        else:
            chosen[bucket] = extreme
        kept.add(extreme)
    for bucket, extreme in extras.items():
        # A neighbour that holds no extreme gives up its point; with threshold >= 4 there is one.
        donor = next(b for b in (bucket + 1, bucket - 1, *range(len(chosen)))
                     if 0 <= b < len(chosen) and b != bucket and chosen[b] not in (high, low))
        chosen[donor] = -1
        chosen.append(extreme)
    chosen[:] = sorted(i for i in chosen if i >= 0)


def downsample(points: Sequence[tuple[X, float]], threshold: int = DEFAULT_POINTS) -> list[tuple[X, float]]:
    """At most ``threshold`` of ``points`` (x, y), in their order, keeping the line's shape, the first and
    last points and the highest and lowest values. Points must be in order of x (as stored: by date);
    points whose y is not a finite number are left out. A series already short enough comes back whole."""
    finite = [p for p in points if isfinite(p[1])]
    xs = [x_value(p[0]) for p in finite]
    if any(b < a for a, b in zip(xs, xs[1:], strict=False)):
        raise ValueError("points must be in order of x")
    return [finite[i] for i in lttb_indices(xs, [float(p[1]) for p in finite], threshold)]
