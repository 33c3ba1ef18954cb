"""Who may open the progress pages. Every route of both sides (found from the URL configuration, so a route
added later is checked too) answers 404 — never the object, never a change — for another business's
member, for another client in the portal (a goal, task, measurement, milestone or photo by id, or a photo's
address), and for a coach the owner limited to their own clients. The dashboard lists overdue tasks only of
the clients the member may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.progress import services
from coachos.progress.models import Goal, GoalChange, Measurement, Milestone, ProgressPhoto, Task, TaskCompletion
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import BookingFactory, CoachFactory, OrganizationFactory, TrainingSessionFactory, member
from tests.test_cross_tenant import Route, walk

from .conftest import Person, portal_client, team_member
from .test_pages_team import TODAY, jpeg

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 13, 16, 0, tzinfo=UTC)
TABLES = (Goal, Milestone, GoalChange, Task, TaskCompletion, Measurement, ProgressPhoto)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def progress_routes() -> list[Route]:
    routes = [r for r in walk() if r.name.startswith(("progress:", "portal_progress:"))]
    assert len(routes) >= 35  # the pages of both sides, not a vacuous walk
    return routes


def everything_of(org: Any, person: Person) -> dict[str, int]:
    """A goal with a milestone, an overdue daily task with a tick, a measurement, a photo and a session of
    ``person``."""
    client = person.client
    with scope(organization=org):
        goal = services.goal_create(client=client, actor=None, title="Private goal", measurement_kind="weight",
                                    target_value=Decimal(150), target_unit="lb")
        milestone = services.milestone_add(goal=goal, actor=None, title="Private step")
        task = services.task_create(client=client, actor=None, title="Private task", repeat="daily",
                                    start_date=TODAY - timedelta(days=4))
        services.task_done(task=task, actor=None, day=TODAY - timedelta(days=3))
        measurement = services.measurement_record(client=client, actor=None, kind="weight", value=Decimal(170),
                                                  unit="lb")
        photo = services.photo_upload(client=client, actor=None, data=jpeg(), pose="front", taken_on=TODAY)
        session = TrainingSessionFactory(coach=CoachFactory(organization=org), starts_at=NOW - timedelta(hours=2),
                                         ends_at=NOW - timedelta(hours=1))
        BookingFactory(session=session, client=client)
    return {"client_id": client.pk, "goal_id": goal.pk, "milestone_id": milestone.pk, "task_id": task.pk,
            "measurement_id": measurement.pk, "progressphoto_id": photo.pk, "session_id": session.pk}


def fingerprint() -> dict[str, list[dict[str, Any]]]:
    with scopes_disabled():
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def statuses(web: DjangoClient, url: str) -> dict[str, int]:
    return {method: getattr(web, method)(url, HTTP_HX_REQUEST="true").status_code for method in ("get", "post")}


def refused(found: dict[str, int]) -> bool:
    """404 for what may not be seen: both methods 404, or 404 for the one the route answers (405 the other)."""
    return set(found.values()) <= {404, 405} and 404 in found.values()


def test_another_business_gets_404_on_every_progress_route_and_changes_nothing(org, olivia):
    ids = everything_of(org, olivia)
    other = OrganizationFactory(name="Southside", slug="southside-pages", timezone="Europe/London")
    owner_b = login_as(member(other, Role.OWNER, name="Otto Other"))
    client_b = login_as(portal_client(other, first_name="Bea", last_name="Other").user)
    before = fingerprint()
    failures = []
    for route in progress_routes():
        web = owner_b if route.name.startswith("progress:") else client_b
        if route.id_params:  # A's objects under B's own address: not found
            url = route.url({**ids, "org_slug": other.slug})
            if not refused(found := statuses(web, url)):
                failures.append(f"{route.name} {url} → {found}")
        url = route.url({**ids, "org_slug": org.slug})  # A's address: B's people are not members there
        if set((found := statuses(web, url)).values()) != {404}:
            failures.append(f"{route.name} under A's address {url} → {found}")
    assert not failures, "\n".join(failures)
    assert fingerprint() == before


def test_a_client_cannot_reach_another_clients_progress_by_id_or_address(org, olivia, liam):
    ids = everything_of(org, olivia)
    web = login_as(liam.user)
    before = fingerprint()
    failures = []
    for route in progress_routes():
        if not route.name.startswith("portal_progress:") or not route.id_params:
            continue
        url = route.url({**ids, "org_slug": org.slug})
        found = statuses(web, url)
        if not refused(found):
            failures.append(f"{route.name} {url} → {found}")
    assert not failures, "\n".join(failures)
    # Olivia's photo by its address, as Liam, on both sides: not found (the team side is not his at all).
    for url in (f"/portal/{org.slug}/progress/photos/{ids['progressphoto_id']}/",
                f"/portal/{org.slug}/progress/photos/{ids['progressphoto_id']}/thumbnail/",
                f"/o/{org.slug}/clients/{olivia.client.pk}/progress/photos/{ids['progressphoto_id']}/"):
        assert web.get(url).status_code in (403, 404), url
    assert fingerprint() == before
    # And his own page does not show hers.
    html = web.get(f"/portal/{org.slug}/progress/").content.decode()
    assert "Private" not in html and f"photos/{ids['progressphoto_id']}/" not in html
    # The same requests as Olivia do work: the refusals were about whose it is.
    mine = login_as(olivia.user)
    assert mine.get(f"/portal/{org.slug}/progress/photos/{ids['progressphoto_id']}/").status_code == 200
    assert mine.get(f"/portal/{org.slug}/progress/goals/{ids['goal_id']}/").status_code == 200


def test_a_limited_coach_cannot_see_another_coachs_clients_progress(org, owner, olivia):
    ids = everything_of(org, olivia)  # Olivia is Jordan's client
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Lena Limited")
    own = portal_client(org, first_name="Owen", last_name="Own", coach=limited)
    web = login_as(limited.user)
    before = fingerprint()
    failures = []
    for route in progress_routes():
        if not route.name.startswith("progress:"):
            continue
        url = route.url({**ids, "org_slug": org.slug})
        found = statuses(web, url)
        if not refused(found):
            failures.append(f"{route.name} {url} → {found}")
    assert not failures, "\n".join(failures)
    assert fingerprint() == before
    assert web.get(f"/o/{org.slug}/clients/{own.client.pk}/progress/").status_code == 200
    # The dashboard's overdue tasks: Olivia's task for the owner, not for the limited coach.
    assert "Private task" in login_as(owner).get(f"/o/{org.slug}/").content.decode()
    dashboard = web.get(f"/o/{org.slug}/").content.decode()
    assert "Private task" not in dashboard and 'data-attention="overdue-tasks"' in dashboard


def test_the_dashboard_lists_overdue_tasks_with_a_link_to_the_clients_progress(org, web, olivia):
    with scope(organization=org):
        services.task_create(client=olivia.client, actor=None, title="Send food diary",
                             start_date=TODAY - timedelta(days=5), due_date=TODAY - timedelta(days=2))
        services.task_create(client=olivia.client, actor=None, title="Not yet due", due_date=TODAY)
    html = web.get(f"/o/{org.slug}/").content.decode()
    panel = html[html.index("data-overdue-tasks"):]
    assert "Send food diary" in panel and "due Mar 11, 2030" in panel and "Not yet due" not in panel
    assert f'href="/o/{org.slug}/clients/{olivia.client.pk}/progress/#progress-tasks">Olivia Martinez</a>' in panel
    card = html[html.index('data-attention="overdue-tasks"') - 200:html.index('data-attention="overdue-tasks"') + 200]
    assert 'href="#overdue-tasks"' in card
