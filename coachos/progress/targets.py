"""How far a goal has come: pure arithmetic on its start, target and current values. No Django.

A measurable goal moves from where the client started (the latest value of the kind when the goal was
made, or the first one recorded after) towards the target: down for "weight 75 kg" from 82 kg, up for
"arm 38 cm" from 35. Progress is the share of that way covered, 0–100 (whole percent, rounded down so
that 100 means reached), never below 0 (a step back) or above 100 (beyond the target). A goal whose
start already is its target is reached. With no value yet, nothing is known: 0, not reached.

An attendance goal ("12 sessions this quarter") is reached at N completed sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class Progress:
    percent: int  # 0–100
    reached: bool


NONE = Progress(0, False)


def measurement_progress(*, start: Decimal | None, target: Decimal, current: Decimal | None) -> Progress:
    if start is None or current is None:
        return NONE
    if start == target:
        return Progress(100, True)
    way = target - start
    covered = current - start
    reached = current >= target if way > 0 else current <= target
    if reached:
        return Progress(100, True)
    share = (covered * 100 / way).to_integral_value(rounding=ROUND_FLOOR)
    return Progress(int(min(max(share, Decimal(0)), Decimal(99))), False)


def count_progress(*, done: int, target: int) -> Progress:
    """N of ``target`` (sessions completed, milestones done)."""
    if target <= 0:
        return NONE
    if done >= target:
        return Progress(100, True)
    return Progress(max(0, done * 100 // target), False)
