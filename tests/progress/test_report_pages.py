"""The report's download from the pages: the team's (``progress:report``) and the client's own in the
portal (``portal_progress:report``) — PDFs for those who may see the client, 404 for anyone else, a 400
that says what to fix for a bad date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import login_as

from .conftest import portal_client, team_member

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def team_url(org: Any, client_id: int, query: str = "") -> str:
    return reverse("progress:report", kwargs={"org_slug": org.slug, "client_id": client_id}) + query


def portal_url(org: Any, query: str = "") -> str:
    return reverse("portal_progress:report", kwargs={"org_slug": org.slug}) + query


def test_the_routes_are_where_the_pages_link(org):
    assert team_url(org, 5) == f"/o/{org.slug}/clients/5/progress/report.pdf"
    assert portal_url(org) == f"/portal/{org.slug}/progress/report.pdf"


def test_the_team_downloads_a_clients_report(org, web, olivia):
    response = web.get(team_url(org, olivia.client.pk, "?start=2026-01-01&end=2026-01-31"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="progress-olivia-martinez-2026-01-01-2026-01-31.pdf"'
    assert response["Cache-Control"] == "private, no-store" and response.content.startswith(b"%PDF")
    default = web.get(team_url(org, olivia.client.pk))
    assert "2026-01-01-2026-03-31" in default["Content-Disposition"]  # the last 90 days


def test_the_client_downloads_their_own(org, olivia):
    response = login_as(olivia.user).get(portal_url(org, "?start=2026-02-01&end=2026-02-28"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "progress-olivia-martinez-2026-02-01-2026-02-28.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(("query", "message"), [
    ("?start=2026-03-01&end=2026-02-01", "The start cannot be after the end."),
    ("?start=1.2.2026", "Give the date as YYYY-MM-DD."),
    ("?end=2026-02-30", "Give the date as YYYY-MM-DD."),
    ("?start=2010-01-01", "Choose at most ten years."),
    ("?start=0001-01-01", "Enter a date between 1900 and 2999."),
])
def test_a_bad_date_is_a_400_that_says_what_to_fix(org, web, olivia, query, message):
    for http, url in ((web, team_url(org, olivia.client.pk, query)), (login_as(olivia.user), portal_url(org, query))):
        response = http.get(url)
        assert response.status_code == 400, url
        assert message in response.content.decode()


def test_nobody_else_gets_a_clients_report(org, other_org, olivia, liam):
    limited = team_member(org, sees_all_clients=False, name="Casey Coach")
    stranger = team_member(other_org, name="Other Owner")
    assert login_as(limited.user).get(team_url(org, olivia.client.pk)).status_code == 404
    assert login_as(stranger.user).get(team_url(org, olivia.client.pk)).status_code == 404  # not a member
    outsider = portal_client(other_org, first_name="Sam", last_name="Other")
    assert login_as(outsider.user).get(portal_url(org)).status_code == 404
    # A client at the team's route, even for their own record: the back office is not theirs.
    assert login_as(olivia.user).get(team_url(org, olivia.client.pk)).status_code in (403, 404)
    # Liam's portal download is Liam's: there is no way to name another client there.
    response = login_as(liam.user).get(portal_url(org, f"?client={olivia.client.pk}"))
    assert response.status_code == 200 and "progress-liam-johnson" in response["Content-Disposition"]
