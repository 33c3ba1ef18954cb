"""Demo progress for Northside Strength (pounds and inches: a US business). Idempotent: a client who has
any measurement already is left alone.

- Olivia (the portal login client@northside.example): five months of weights (most days), her waist
  every week and body fat every other week; goals in every state — a weight goal in progress, a waist
  goal achieved by a measurement, a goal moved on by its milestones, one not started, one abandoned;
  tasks with streaks (a daily one, a weekly one), an overdue one-off and a finished one; progress photos
  (front and side, three dates); the monthly report switched on.
- Liam: four months of weights going up (building muscle) and his arm every week, a goal in progress,
  a weekly task with a streak, front and side photos at two dates.
- Emma: resting heart rate every week and a monthly weight; a goal not started and one abandoned.

Written as rows (history: nobody is notified, nothing is sent), except the photos, which go through
``photo_upload`` so that their files are cleaned and thumbnailed like any upload. The photos are drawn
here (a gradient, a silhouette and the date) — no real person. The writers (``write_series``,
``write_sessions``, ``write_ticks``) serve the bench and tests too. Times are relative to now.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scope
from PIL import Image, ImageDraw

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, Coach, SessionType, TrainingSession
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from .kinds import BUILTIN
from .models import Goal, GoalChange, Measurement, Milestone, ProgressSettings, Task, TaskCompletion
from .periods import Repeat, period_of, previous_period
from .services.photos import photo_upload
from .units import si_to_stored, to_si

PORTAL_EMAIL = "client@northside.example"


# --- writers (also for the bench and tests) ------------------------------------------------------

def write_series(client: Client, kind: str, unit: str, values: Iterable[tuple[datetime, Decimal]], *,
                 by: Any = None) -> int:
    """Measurements of a built-in kind as typed in ``unit``, in one INSERT. Returns how many."""
    assert kind in BUILTIN, kind
    rows = [Measurement(organization_id=client.organization_id, client=client, kind=kind, entered_unit=unit,
                        entered_value=value, value_si=si_to_stored(to_si(value, unit)), measured_at=at,
                        recorded_by=by, created_at=at)
            for at, value in values]
    Measurement.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def write_sessions(client: Client, coach: Coach, session_type: SessionType,
                   sessions: Iterable[tuple[datetime, str]]) -> int:
    """One-to-one sessions with ``client`` booked in, each (start, booking status: completed, no_show or
    confirmed), in two INSERTs. Starts must not overlap for the coach (the database refuses)."""
    plan = list(sessions)
    length = timedelta(minutes=session_type.duration_minutes)
    status_of = {Booking.Status.COMPLETED: TrainingSession.Status.COMPLETED,
                 Booking.Status.NO_SHOW: TrainingSession.Status.NO_SHOW}
    made = TrainingSession.objects.bulk_create([
        TrainingSession(organization_id=client.organization_id, coach=coach, session_type=session_type,
                        starts_at=starts, ends_at=starts + length,
                        status=status_of.get(status, TrainingSession.Status.SCHEDULED),  # type: ignore[call-overload]
                        completed_at=starts + length if status == Booking.Status.COMPLETED else None)
        for starts, status in plan], batch_size=500)
    Booking.objects.bulk_create([
        Booking(organization_id=client.organization_id, session=session, client=client, status=status)
        for session, (_starts, status) in zip(made, plan, strict=True)], batch_size=500)
    return len(made)


def write_ticks(task: Task, periods: Iterable[date], *, by: Any = None) -> int:
    zone = task.organization.tzinfo
    rows = [TaskCompletion(organization_id=task.organization_id, task=task, period=period, by=by,
                           done_at=datetime.combine(period, time(19, 30), tzinfo=zone))
            for period in periods]
    TaskCompletion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- drawn photos ----------------------------------------------------------------------------------

def demo_photo(*, day: date, pose: str, seed: int, width: int = 480, height: int = 640) -> bytes:
    """A made-up progress photo: a soft gradient, a plain silhouette (slimmer as ``seed`` grows), the
    pose and the date written on it. PNG."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top, bottom = (198, 214, 236), (236, 228, 214)
    for y in range(height):
        share = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)))
    body = (71, 85, 105)
    middle = width // 2
    girth = max(0.72, 1.0 - seed * 0.07)  # each later photo a little slimmer
    half = int(width * 0.16 * girth) if pose != "side" else int(width * 0.10 * girth)
    draw.ellipse([middle - 38, 70, middle + 38, 160], fill=body)  # head
    draw.rounded_rectangle([middle - half, 170, middle + half, 420], radius=36, fill=body)  # torso
    arm = 22
    if pose != "side":
        draw.rounded_rectangle([middle - half - arm - 6, 185, middle - half - 6, 390], radius=11, fill=body)
        draw.rounded_rectangle([middle + half + 6, 185, middle + half + arm + 6, 390], radius=11, fill=body)
    leg = max(int(half * 0.8), 30)
    draw.rounded_rectangle([middle - leg, 400, middle - 4, 600], radius=16, fill=body)
    draw.rounded_rectangle([middle + 4, 400, middle + leg, 600], radius=16, fill=body)
    draw.rectangle([0, height - 34, width, height], fill=(255, 255, 255))
    draw.text((12, height - 26), f"{pose.upper()}  {day.isoformat()}", fill=(31, 41, 55))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the demo --------------------------------------------------------------------------------------

def _at(org: Organization, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=org.tzinfo)


def _round(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _goal(client: Client, *, title: str, created: datetime, status: str = Goal.Status.NOT_STARTED,
          coach: Any = None, **fields: Any) -> Goal:
    goal = Goal.objects.create(organization_id=client.organization_id, client=client, title=title, status=status,
                               start_date=created.astimezone(client.organization.tzinfo).date(),
                               created_by=coach, created_at=created, **fields)
    GoalChange.objects.create(organization_id=client.organization_id, goal=goal, field="created", new=title,
                              actor=coach, at=created)
    return goal


def _status(goal: Goal, new: str, at: datetime, actor: Any = None, old: str = Goal.Status.IN_PROGRESS) -> None:
    GoalChange.objects.create(organization_id=goal.organization_id, goal=goal, field="status", old=old, new=new,
                              actor=actor, at=at)


def _task(client: Client, *, title: str, repeat: str, start: date, coach: Any, due: date | None = None,
          notes: str = "") -> Task:
    return Task.objects.create(organization_id=client.organization_id, client=client, title=title, notes=notes,
                               repeat=repeat, start_date=start, due_date=due, assigned_by=coach)


def _back_periods(repeat: str, today: date, count: int, *, skip_current: bool = False) -> list[date]:
    period = period_of(today, repeat)
    if skip_current:
        period = previous_period(period, repeat)
    found = []
    for _n in range(count):
        found.append(period)
        period = previous_period(period, repeat)
    return found


def _photos(client: Client, days: list[date]) -> None:
    for seed, day in enumerate(days):
        for pose in ("front", "side"):
            photo_upload(client=client, actor=None, data=demo_photo(day=day, pose=pose, seed=seed), pose=pose,
                         taken_on=day)


def _olivia(org: Organization, client: Client, coach: Any, today: date) -> None:
    rng = random.Random(7)
    first = today - timedelta(days=150)
    weights = []
    for n in range(151):
        if rng.random() < 0.18 and n not in (0, 150):
            continue  # a day she did not step on the scale
        trend = 172.4 - 10.2 * (1 - math.exp(-n / 80)) / (1 - math.exp(-150 / 80))
        weights.append((_at(org, first + timedelta(days=n), 7, rng.randint(0, 40)), _round(trend + rng.gauss(0, 0.6))))
    write_series(client, "weight", "lb", weights, by=client.user)
    waist = [(_at(org, first + timedelta(days=7 * w), 18), _round(34.6 - 2.1 * w / 21 + rng.gauss(0, 0.15)))
             for w in range(22)]
    write_series(client, "waist", "in", waist, by=coach)
    write_series(client, "body_fat", "%", [(_at(org, first + timedelta(days=14 * w), 18),
                                            _round(31.2 - 3.0 * w / 10 + rng.gauss(0, 0.2))) for w in range(11)], by=coach)

    created = _at(org, first, 9)
    _goal(client, title="Get to 160 lb", created=created, coach=coach, status=Goal.Status.IN_PROGRESS,
          why="Feel strong and light for the summer hiking trip.", target_type=Goal.Target.MEASUREMENT,
          measurement_kind="weight", target_value=Decimal(160), target_unit="lb",
          target_si=si_to_stored(to_si(Decimal(160), "lb")), start_si=si_to_stored(to_si(weights[0][1], "lb")),
          target_date=today + timedelta(days=60))
    # Achieved by a measurement: the first weekly waist at 33 in or less.
    reached_at = next(at for at, value in waist if value <= Decimal(33))
    waist_goal = _goal(client, title="Waist at 33 in", created=created, coach=coach, status=Goal.Status.ACHIEVED,
                       target_type=Goal.Target.MEASUREMENT, measurement_kind="waist", target_value=Decimal(33),
                       target_unit="in", target_si=si_to_stored(to_si(Decimal(33), "in")),
                       start_si=si_to_stored(to_si(waist[0][1], "in")), achieved_at=reached_at)
    _status(waist_goal, Goal.Status.ACHIEVED, reached_at)  # by itself: no actor
    run = _goal(client, title="Run 5 km without stopping", created=_at(org, first + timedelta(days=20), 9),
                coach=coach, status=Goal.Status.IN_PROGRESS, target_date=today + timedelta(days=45))
    for position, (title, done_days_ago) in enumerate((("Run 2 km", 70), ("Run 3 km", 30), ("Run 4 km", None))):
        done = _at(org, today - timedelta(days=done_days_ago), 19) if done_days_ago is not None else None
        Milestone.objects.create(organization_id=org.pk, goal=run, title=title, position=position, done_at=done,
                                 target_date=today + timedelta(days=15) if done is None else None)
    _goal(client, title="Try the Saturday bootcamp", created=_at(org, today - timedelta(days=10), 12), coach=coach)
    dropped = _goal(client, title="No sugary drinks on weekdays", created=_at(org, first, 9), coach=client.user,
                    status=Goal.Status.ABANDONED)
    _status(dropped, Goal.Status.ABANDONED, _at(org, first + timedelta(days=40), 20), actor=client.user)

    meals = _task(client, title="Log your meals", repeat=Repeat.DAILY, start=today - timedelta(days=40), coach=coach,
                  notes="Photos are fine: breakfast, lunch, dinner and snacks.")
    streak = _back_periods(Repeat.DAILY, today, 12, skip_current=True)
    earlier = [today - timedelta(days=n) for n in range(14, 41) if n % 5]
    write_ticks(meals, [*streak, *earlier], by=client.user)
    stretch = _task(client, title="Stretch 10 minutes, 3 times", repeat=Repeat.WEEKLY,
                    start=today - timedelta(days=63), coach=coach)
    write_ticks(stretch, _back_periods(Repeat.WEEKLY, today, 8, skip_current=True), by=client.user)
    _task(client, title="Send your food diary", repeat=Repeat.NONE, start=today - timedelta(days=9), coach=coach,
          due=today - timedelta(days=3))
    shoes = _task(client, title="Buy running shoes", repeat=Repeat.NONE, start=today - timedelta(days=30), coach=coach,
                  due=today - timedelta(days=20))
    write_ticks(shoes, [shoes.due_date] if shoes.due_date else [], by=client.user)
    _photos(client, [first, first + timedelta(days=75), today - timedelta(days=2)])
    ProgressSettings.objects.update_or_create(client=client, defaults={"organization_id": org.pk,
                                                                       "monthly_report": True})


def _liam(org: Organization, client: Client, coach: Any, today: date) -> None:
    rng = random.Random(11)
    first = today - timedelta(days=120)
    weights = [(_at(org, first + timedelta(days=n), 8), _round(165.0 + 7.0 * n / 120 + rng.gauss(0, 0.5)))
               for n in range(0, 121, rng.choice((2, 3)))]
    write_series(client, "weight", "lb", weights, by=coach)
    write_series(client, "arm", "in", [(_at(org, first + timedelta(days=7 * w), 18),
                                        _round(13.1 + 0.8 * w / 17 + rng.gauss(0, 0.05))) for w in range(18)], by=coach)
    _goal(client, title="Reach 175 lb of lean mass", created=_at(org, first, 10), coach=coach,
          status=Goal.Status.IN_PROGRESS, target_type=Goal.Target.MEASUREMENT, measurement_kind="weight",
          target_value=Decimal(175), target_unit="lb", target_si=si_to_stored(to_si(Decimal(175), "lb")),
          start_si=si_to_stored(to_si(weights[0][1], "lb")), target_date=today + timedelta(days=90))
    protein = _task(client, title="Hit your protein target", repeat=Repeat.WEEKLY, start=today - timedelta(days=84),
                    coach=coach)
    write_ticks(protein, _back_periods(Repeat.WEEKLY, today, 5, skip_current=True))
    _photos(client, [first, today - timedelta(days=5)])


def _emma(org: Organization, client: Client, coach: Any, today: date) -> None:
    rng = random.Random(5)
    first = today - timedelta(days=90)
    write_series(client, "resting_hr", "bpm", [(_at(org, first + timedelta(days=7 * w), 7),
                                               Decimal(round(72 - 8 * w / 12 + rng.gauss(0, 1)))) for w in range(13)],
                 by=coach)
    write_series(client, "weight", "lb", [(_at(org, first + timedelta(days=30 * m), 7), _round(141.0 - 0.8 * m))
                                          for m in range(4)], by=coach)
    _goal(client, title="Resting heart rate under 60", created=_at(org, today - timedelta(days=3), 10), coach=coach,
          target_type=Goal.Target.MEASUREMENT, measurement_kind="resting_hr", target_value=Decimal(60),
          target_unit="bpm", target_si=Decimal(60), target_date=today + timedelta(days=120))
    dropped = _goal(client, title="Swim twice a week", created=_at(org, first, 10), coach=coach,
                    status=Goal.Status.ABANDONED)
    _status(dropped, Goal.Status.ABANDONED, _at(org, first + timedelta(days=21), 10), actor=coach,
            old=Goal.Status.NOT_STARTED)


DEMO_CLIENTS = (("Olivia", "Martinez", _olivia), ("Liam", "Johnson", _liam), ("Emma", "Williams", _emma))


def seed_progress(organization: Organization) -> None:
    with scope(organization=organization):
        today = timezone.now().astimezone(organization.tzinfo).date()
        coach_membership = (Membership.objects.filter(organization=organization, role=Role.COACH)
                            .select_related("user").order_by("pk").first())
        coach = coach_membership.user if coach_membership is not None else None
        for first_name, last_name, seed in DEMO_CLIENTS:
            client = (Client.objects.filter(organization=organization, first_name=first_name, last_name=last_name)
                      .select_related("organization", "user").order_by("pk").first())
            if client is None or Measurement.objects.filter(client=client).exists():
                continue
            seed(organization, client, coach, today)
