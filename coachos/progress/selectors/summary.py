"""The progress summary of a client over a date range — what the dashboard, the API and the PDF report
show — and a month-over-month comparison. A fixed number of queries whatever the data: attendance (1),
goals (4), tasks (2), measurements (2), the business's own kinds (1) and the client's settings (1).

Shape (``summary_json``)::

    {"start": "2025-01-01", "end": "2025-01-31", "unit_system": "metric",
     "attendance": {"completed": 8, "booked": 2, "no_show": 1},
     "goals": [{"id", "title", "status", "progress", "target_date", ...}],
     "tasks": {"done": 20, "due": 31},
     "measurements": {"weight": {"first": 82.0, "last": 79.4, "change": -2.6, "unit": "kg", ...}}}
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from coachos.clients.models import Client

from ..kinds import KindInfo
from ..units import System
from .attendance import Attendance, attendance, day_start
from .goals import GoalView, goals_in_range
from .kinds import kinds_by_key
from .measurements import Edges, first_and_last, value_in
from .preferences import unit_system_for
from .tasks import TaskTotals, task_totals


@dataclass(frozen=True)
class KindChange:
    kind: KindInfo
    unit: str
    first: Decimal
    last: Decimal
    edges: Edges

    @property
    def change(self) -> Decimal:
        return self.last - self.first

    @property
    def improved(self) -> bool | None:
        """Whether the change is good news (None when nothing changed)."""
        if self.change == 0:
            return None
        return (self.change > 0) == (self.kind.better == "up")


@dataclass(frozen=True)
class Summary:
    client: Client
    start: date
    end: date
    unit_system: System
    attendance: Attendance
    goals: list[GoalView]
    tasks: TaskTotals
    measurements: dict[str, KindChange]


def progress_summary(client: Client, *, start: date, end: date, system: System | None = None) -> Summary:
    """The client's progress between two local dates (inclusive). Values in ``system`` (default: the
    client's own)."""
    zone = client.organization.tzinfo
    system = system or unit_system_for(client)
    kinds = kinds_by_key(client.organization)
    changes: dict[str, KindChange] = {}
    for key, edges in first_and_last(client, start=day_start(start, zone),
                                     end=day_start(end + timedelta(days=1), zone)).items():
        kind = kinds.get(key)
        if kind is None:  # pragma: no cover - a measurement always has a known kind (a constraint)
            continue
        unit = kind.unit_for(system)
        changes[key] = KindChange(kind=kind, unit=unit, first=value_in(edges.first, kind, unit),
                                  last=value_in(edges.last, kind, unit), edges=edges)
    ordered = {key: changes[key] for key in kinds if key in changes}
    return Summary(client=client, start=start, end=end, unit_system=system,
                   attendance=attendance(client, start=start, end=end),
                   goals=goals_in_range(client, start=start, end=end),
                   tasks=task_totals(client, start=start, end=end), measurements=ordered)


def month_range(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True)
class MonthComparison:
    this: Summary
    previous: Summary

    def deltas(self) -> dict[str, Any]:
        """This month minus the previous one: attendance, ticks, and each kind's last value."""
        measurements = {}
        for key, now in self.this.measurements.items():
            before = self.previous.measurements.get(key)
            if before is not None and before.unit == now.unit:
                measurements[key] = now.last - before.last
        return {
            "attendance": {name: getattr(self.this.attendance, name) - getattr(self.previous.attendance, name)
                           for name in ("completed", "booked", "no_show")},
            "tasks": {"done": self.this.tasks.done - self.previous.tasks.done,
                      "due": self.this.tasks.due - self.previous.tasks.due},
            "measurements": measurements,
        }


def month_over_month(client: Client, *, month: date, system: System | None = None) -> MonthComparison:
    """``month``'s summary beside the previous month's."""
    start, end = month_range(month)
    previous_start, previous_end = month_range(start - timedelta(days=1))
    system = system or unit_system_for(client)
    return MonthComparison(this=progress_summary(client, start=start, end=end, system=system),
                           previous=progress_summary(client, start=previous_start, end=previous_end, system=system))
