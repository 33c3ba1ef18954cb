"""The progress demo: months of measurements, goals in every state (one achieved by a measurement),
tasks with streaks, drawn photos — for three clients, once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled
from PIL import Image

from coachos.accounts.models import User
from coachos.clients.models import Client
from coachos.progress.demo import demo_photo, seed_progress
from coachos.progress.models import Goal, GoalChange, Measurement, Milestone, ProgressPhoto, ProgressSettings, Task
from coachos.progress.report import progress_report_pdf
from coachos.progress.selectors.access import today_for
from coachos.progress.selectors.tasks import tasks_for
from coachos.tenancy.models import Organization
from tests.conftest import bearer

pytestmark = pytest.mark.django_db


def counts(org: Organization) -> tuple[int, ...]:
    with scope(organization=org):
        return tuple(model.objects.count() for model in (Measurement, Goal, Milestone, Task, ProgressPhoto))


def demo_client(org: Organization, first_name: str) -> Client:
    return Client.objects.select_related("organization", "user").get(organization=org, first_name=first_name,
                                                                     last_name__in=["Martinez", "Johnson", "Williams"])


def test_the_demo_has_progress_for_three_clients(settings: Any, tmp_path: Any):
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    first = counts(org)
    seed_progress(org)  # again: nothing new
    assert counts(org) == first

    with scope(organization=org):
        today = today_for(org)
        olivia, liam, emma = (demo_client(org, name) for name in ("Olivia", "Liam", "Emma"))
        kinds = Counter(Measurement.objects.filter(client=olivia).values_list("kind", flat=True))
        assert kinds["weight"] >= 100 and kinds["waist"] >= 20 and kinds["body_fat"] >= 10  # months of it
        oldest = Measurement.objects.filter(client=olivia).order_by("measured_at").first()
        assert oldest is not None and oldest.measured_at.astimezone(org.tzinfo).date() <= today - timedelta(days=120)
        assert {m.entered_unit for m in Measurement.objects.filter(client=olivia)} == {"lb", "in", "%"}  # US units

        statuses = set(Goal.objects.filter(client__in=[olivia, liam, emma]).values_list("status", flat=True))
        assert statuses == set(Goal.Status.values)  # every state
        achieved = Goal.objects.get(client=olivia, status=Goal.Status.ACHIEVED)
        assert achieved.target_type == Goal.Target.MEASUREMENT and achieved.achieved_at is not None
        change = GoalChange.objects.get(goal=achieved, field="status")
        assert change.new == "achieved" and change.actor is None  # by itself: a measurement reached it
        reached = Measurement.objects.filter(client=olivia, kind=achieved.measurement_kind,
                                             measured_at=achieved.achieved_at).get()
        assert reached.value_si <= achieved.target_si
        assert Milestone.objects.filter(goal__client=olivia, done_at__isnull=False).count() == 2

        views = {v.task.title: v for v in tasks_for(olivia, today=today)}
        assert views["Log your meals"].streak >= 10 and views["Stretch 10 minutes, 3 times"].streak >= 5
        assert views["Send your food diary"].overdue_since is not None
        assert ProgressSettings.objects.get(client=olivia).monthly_report is True

        photos = list(ProgressPhoto.objects.filter(client=olivia).order_by("taken_on", "pose"))
        assert len(photos) == 6 and {p.pose for p in photos} == {"front", "side"}
        assert len({p.taken_on for p in photos}) == 3
        with photos[0].file.open("rb") as handle:
            image = Image.open(handle)
            image.load()
            assert image.size == (480, 640) and not image.getexif()
        assert ProgressPhoto.objects.filter(client=liam).count() == 4  # front and side, two dates
        assert Measurement.objects.filter(client=emma, kind="resting_hr").count() >= 12

        pdf = progress_report_pdf(client=olivia, start=today - timedelta(days=150), end=today, viewer=None)
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000

    # The portal login sees her own goals through the API.
    with scopes_disabled():
        user = User.objects.get(email="client@northside.example")
    goals = DjangoClient().get(f"/api/v1/clients/{olivia.pk}/goals", **bearer(user, org)).json()
    assert {g["status"] for g in goals} == set(Goal.Status.values)


def test_a_drawn_photo_carries_its_date_and_pose():
    from datetime import date

    data = demo_photo(day=date(2026, 5, 1), pose="side", seed=2)
    from io import BytesIO

    image = Image.open(BytesIO(data))
    assert image.format == "PNG" and image.size == (480, 640)
    assert demo_photo(day=date(2026, 5, 1), pose="side", seed=2) == data  # the same every time
    assert demo_photo(day=date(2026, 5, 1), pose="front", seed=0) != data
