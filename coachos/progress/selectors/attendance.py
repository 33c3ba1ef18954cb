"""A client's attendance from the calendar (scheduling): sessions completed, still booked, missed.

Counted per booking by the local date (the business's zone) its session starts on: ``completed`` and
``no_show`` as marked; ``booked`` the confirmed bookings not marked either way yet (upcoming, or past
and not yet marked). Cancelled bookings and sessions count nowhere. One aggregate query per call,
whatever the number of sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, TrainingSession


@dataclass(frozen=True)
class Attendance:
    completed: int
    booked: int
    no_show: int

    def as_dict(self) -> dict[str, int]:
        return {"completed": self.completed, "booked": self.booked, "no_show": self.no_show}


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day begins (DST-safe: the zone's own midnight, or what stands for it)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _window(start: date | None, end: date | None, zone: ZoneInfo) -> Q:
    window = Q()
    if start is not None:
        window &= Q(session__starts_at__gte=day_start(start, zone))
    if end is not None:
        window &= Q(session__starts_at__lt=day_start(end + timedelta(days=1), zone))
    return window


def attendance(client: Client, *, start: date, end: date) -> Attendance:
    """Completed, booked and no-show bookings of sessions starting between two local dates (inclusive)."""
    zone = client.organization.tzinfo
    totals = Booking.objects.filter(client=client).exclude(session__status=TrainingSession.Status.CANCELLED).filter(
        _window(start, end, zone)).aggregate(
        completed=Count("id", filter=Q(status=Booking.Status.COMPLETED)),
        booked=Count("id", filter=Q(status=Booking.Status.CONFIRMED)),
        no_show=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
    )
    return Attendance(completed=totals["completed"], booked=totals["booked"], no_show=totals["no_show"])


def completed_in_windows(client: Client, windows: Sequence[tuple[date | None, date | None]]) -> list[int]:
    """Completed sessions in each of several local date windows (an attendance goal's start to target
    date; ``None``: open), in one query."""
    if not windows:
        return []
    zone = client.organization.tzinfo
    completed = Q(status=Booking.Status.COMPLETED)
    totals = Booking.objects.filter(client=client).exclude(session__status=TrainingSession.Status.CANCELLED).aggregate(
        **{f"w{i}": Count("id", filter=completed & _window(start, end, zone)) for i, (start, end) in enumerate(windows)})
    return [int(totals[f"w{i}"]) for i in range(len(windows))]


@dataclass(frozen=True)
class MonthAttendance:
    month: date  # the month's first day
    completed: int
    booked: int
    no_show: int


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def attendance_by_month(client: Client, *, start: date, end: date) -> list[MonthAttendance]:
    """Attendance per local month between two local dates (inclusive), every month of the range listed
    (empty ones too), in one query."""
    zone = client.organization.tzinfo
    rows = (Booking.objects.filter(client=client).exclude(session__status=TrainingSession.Status.CANCELLED)
            .filter(_window(start, end, zone))
            .annotate(month=TruncMonth("session__starts_at", tzinfo=zone)).order_by().values("month")
            .annotate(completed=Count("id", filter=Q(status=Booking.Status.COMPLETED)),
                      booked=Count("id", filter=Q(status=Booking.Status.CONFIRMED)),
                      no_show=Count("id", filter=Q(status=Booking.Status.NO_SHOW))))
    found = {row["month"].astimezone(zone).date().replace(day=1): row for row in rows}
    empty = {"completed": 0, "booked": 0, "no_show": 0}
    return [MonthAttendance(month=month, completed=found.get(month, empty)["completed"],
                            booked=found.get(month, empty)["booked"], no_show=found.get(month, empty)["no_show"])
            for month in _months(start, end)]
