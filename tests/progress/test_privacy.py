"""Who may see whose progress: a client only their own, a coach limited to their own clients only those,
nobody another business's. Every route answers 404 for what one may not see — the same answer as for no
object — and changes nothing. A client cannot reach another client's photos by id or by URL."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.progress.models import Goal, Measurement, Milestone, ProgressPhoto, ProgressSettings, Task, TaskCompletion
from coachos.tenancy.roles import Role
from tests.factories import MeasurementKindFactory

from .conftest import Person, assert_problem, patch, portal_client, post, team_member

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(out, format="JPEG")
    return out.getvalue()


def _progress_of(http: DjangoClient, team: Person, owner: Person) -> dict[str, int]:
    """Goal, milestone, task, measurement and photo of ``owner`` (a client), made by ``team``."""
    client_id = owner.client.pk  # type: ignore[union-attr]
    goal = post(http, f"/api/v1/clients/{client_id}/goals", {"title": "Secret goal"}, team.headers).json()
    milestone = post(http, f"/api/v1/goals/{goal['id']}/milestones", {"title": "Step"}, team.headers).json()
    task = post(http, f"/api/v1/clients/{client_id}/tasks", {"title": "Secret task", "repeat": "daily"},
                team.headers).json()
    measurement = post(http, f"/api/v1/clients/{client_id}/measurements", {"kind": "weight", "value": 180},
                       team.headers).json()
    photo = http.post(f"/api/v1/clients/{client_id}/photos", {
        "file": SimpleUploadedFile("me.jpg", _jpeg(), content_type="image/jpeg"), "pose": "front"},
        **team.headers).json()
    return {"client": client_id, "goal": goal["id"], "milestone": milestone["id"], "task": task["id"],
            "measurement": measurement["id"], "photo": photo["id"]}


def _routes(ids: dict[str, int]) -> list[tuple[str, str, Any]]:
    c, g, m, t = ids["client"], ids["goal"], ids["milestone"], ids["task"]
    me, p = ids["measurement"], ids["photo"]
    return [
        ("get", f"/api/v1/clients/{c}/goals", None), ("post", f"/api/v1/clients/{c}/goals", {"title": "Mine now"}),
        ("get", f"/api/v1/goals/{g}", None), ("patch", f"/api/v1/goals/{g}", {"title": "Changed"}),
        ("get", f"/api/v1/goals/{g}/history", None), ("post", f"/api/v1/goals/{g}/milestones", {"title": "x"}),
        ("patch", f"/api/v1/goals/{g}/milestones/{m}", {"done": True}),
        ("delete", f"/api/v1/goals/{g}/milestones/{m}", None),
        ("get", f"/api/v1/clients/{c}/measurements", None),
        ("post", f"/api/v1/clients/{c}/measurements", {"kind": "weight", "value": 150}),
        ("get", f"/api/v1/measurements/{me}", None), ("delete", f"/api/v1/measurements/{me}", None),
        ("get", f"/api/v1/clients/{c}/tasks", None), ("post", f"/api/v1/clients/{c}/tasks", {"title": "x"}),
        ("get", f"/api/v1/tasks/{t}", None), ("patch", f"/api/v1/tasks/{t}", {"active": False}),
        ("post", f"/api/v1/tasks/{t}/done", None), ("delete", f"/api/v1/tasks/{t}/done", None),
        ("get", f"/api/v1/clients/{c}/photos", None), ("get", f"/api/v1/progress-photos/{p}", None),
        ("get", f"/api/v1/progress-photos/{p}/file", None), ("get", f"/api/v1/progress-photos/{p}/thumbnail", None),
        ("delete", f"/api/v1/progress-photos/{p}", None),
        ("post", f"/api/v1/clients/{c}/photos", "upload"),
        ("get", f"/api/v1/clients/{c}/progress", None), ("get", f"/api/v1/clients/{c}/progress/month-over-month",
                                                         None),
        ("get", f"/api/v1/clients/{c}/progress/report.pdf", None),
        ("get", f"/api/v1/clients/{c}/progress-settings", None),
        ("patch", f"/api/v1/clients/{c}/progress-settings", {"unit_system": "metric"}),
    ]


def _call(http: DjangoClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    if body == "upload":
        return http.post(url, {"file": SimpleUploadedFile("x.jpg", _jpeg(), content_type="image/jpeg"),
                               "pose": "front"}, **headers)
    if method in ("post", "patch") and body is not None:
        return getattr(http, method)(url, data=json.dumps(body), content_type="application/json", **headers)
    return getattr(http, method)(url, **headers)


def _state(org: Any) -> dict[str, list[Any]]:
    with scope(organization=org):
        return {model.__name__: sorted(map(repr, model.objects.values_list()))
                for model in (Goal, Milestone, Task, TaskCompletion, Measurement, ProgressPhoto, ProgressSettings)}


def _assert_hidden(http: DjangoClient, ids: dict[str, int], headers: dict[str, str], org: Any) -> None:
    before = _state(org)
    for method, url, body in _routes(ids):
        response = _call(http, method, url, body, headers)
        assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/problem+json")
    assert _state(org) == before, "a refused request changed something"


def test_the_routes_above_are_every_progress_operation_on_a_clients_object():
    """The list above is complete: each progress operation whose path names an object of a client."""
    from coachos.api import api

    schema = api.get_openapi_schema()["paths"]
    operations = {(method, path) for path, item in schema.items() for method, spec in item.items()
                  if "progress" in spec.get("tags", []) and "{" in path and "measurementkind_id" not in path}
    sample = {"client": 1, "goal": 2, "milestone": 3, "task": 4, "measurement": 5, "photo": 6}
    names = {"client_id": 1, "goal_id": 2, "milestone_id": 3, "task_id": 4, "measurement_id": 5,
             "progressphoto_id": 6}
    expected = set()
    for method, path in operations:
        for name, value in names.items():
            path = path.replace("{" + name + "}", str(value))
        expected.add((method, path))
    listed = {(method, url) for method, url, _b in _routes(sample)}
    assert expected == listed
    assert len(listed) >= 28


def test_client_a_cannot_reach_client_bs_progress(client, org, coach, olivia, liam):
    ids = _progress_of(client, coach, liam)
    _assert_hidden(client, ids, olivia.headers, org)
    # Nor does anything of Liam's show in Olivia's own lists.
    own = olivia.client.pk
    assert client.get(f"/api/v1/clients/{own}/goals", **olivia.headers).json() == []
    assert client.get(f"/api/v1/clients/{own}/photos", **olivia.headers).json() == []
    assert client.get(f"/api/v1/clients/{own}/measurements", **olivia.headers).json() == []


def test_a_client_cannot_fetch_another_clients_photo_by_id_or_url(client, coach, olivia, liam):
    ids = _progress_of(client, coach, liam)
    photo = client.get(f"/api/v1/progress-photos/{ids['photo']}", **coach.headers).json()
    for url in (photo["file_url"], photo["thumbnail_url"], f"/api/v1/progress-photos/{ids['photo']}"):
        assert_problem(client.get(url, **olivia.headers), 404)
        assert client.get(url, **liam.headers).status_code == 200  # Liam's own
    # Without a token, nobody.
    assert client.get(photo["file_url"]).status_code == 401


def test_a_limited_coach_sees_only_their_own_clients(client, org, boss, olivia):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Sam Limited")
    own = portal_client(org, first_name="Mia", last_name="Anderson", coach=limited)
    ids = _progress_of(client, boss, olivia)
    _assert_hidden(client, ids, limited.headers, org)
    assert post(client, f"/api/v1/clients/{own.client.pk}/goals", {"title": "Squat 100"}, limited.headers) \
        .status_code == 201
    assert client.get("/api/v1/tasks/overdue", **limited.headers).json() == []


def test_another_business_sees_nothing(client, org, other_org, coach, olivia):
    ids = _progress_of(client, coach, olivia)
    stranger = team_member(other_org, Role.OWNER, name="Other Owner")
    _assert_hidden(client, ids, stranger.headers, org)
    kinds = [k["key"] for k in client.get("/api/v1/measurement-kinds", **stranger.headers).json()]
    assert "plank" not in " ".join(kinds)


def test_another_business_own_kinds_are_not_offered_nor_accepted(client, org, other_org, coach, olivia):
    with scope(organization=other_org):
        theirs = MeasurementKindFactory(organization=other_org, key="grip", name="Grip")
    assert "grip" not in [k["key"] for k in client.get("/api/v1/measurement-kinds", **coach.headers).json()]
    assert_problem(post(client, f"/api/v1/clients/{olivia.client.pk}/measurements", {"kind": "grip", "value": 40},
                        coach.headers), 422, "kind")
    assert_problem(client.delete(f"/api/v1/measurement-kinds/{theirs.pk}", **coach.headers), 404)


def test_a_client_may_change_their_own_progress_but_not_assign_tasks(client, coach, olivia):
    own = olivia.client.pk
    assert post(client, f"/api/v1/clients/{own}/goals", {"title": "Mine"}, olivia.headers).status_code == 201
    assert post(client, f"/api/v1/clients/{own}/measurements", {"kind": "weight", "value": 170},
                olivia.headers).status_code == 201
    assert patch(client, f"/api/v1/clients/{own}/progress-settings", {"monthly_report": True},
                 olivia.headers).json()["monthly_report"] is True
    assert_problem(post(client, f"/api/v1/clients/{own}/tasks", {"title": "Self"}, olivia.headers), 403)
