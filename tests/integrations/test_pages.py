"""The Calendars page, the video settings and the session panel part: what a coach sees, forms that
keep what was typed, and tenancy (another business's ids are 404, a colleague's calendars 403)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.integrations import video
from coachos.integrations.models import CalendarConnection, OnlineSessionType, VideoSettings
from coachos.scheduling.services import bookings
from coachos.tenancy.roles import Role
from tests.conftest import bearer, login_as
from tests.factories import ClientFactory, member

from .helpers import NOW, WEDNESDAY, business, chicago, connect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_the_page_shows_an_empty_state_and_is_in_the_navigation(org: Any) -> None:
    setup = business(org)
    http = login_as(setup.coach_user)
    response = http.get(reverse("integrations:index", args=[org.slug]), follow=True)
    assert response.status_code == 200
    assert b"No calendar connected yet" in response.content
    assert reverse("integrations:index", args=[org.slug]).encode() in response.content  # the nav item
    assert b"Connect Google Calendar" not in response.content  # no Google client configured


def test_wrong_credentials_keep_what_was_typed_and_store_nothing(org: Any, caldav_server: Any) -> None:
    setup = business(org)
    http = login_as(setup.coach_user)
    url = reverse("integrations:coach", args=[org.slug, setup.coach.pk])
    response = http.post(url, {"url": caldav_server.base + "/", "username": "coach", "password": "nope",
                               "name": "Work"})
    assert response.status_code == 200
    assert b"refused these credentials" in response.content and b"Unauthorized" in response.content
    assert caldav_server.base.encode() in response.content and b'value="Work"' in response.content
    assert b"nope" not in response.content
    with scopes_disabled():
        assert CalendarConnection.objects.count() == 0
    response = http.post(url, {"url": caldav_server.base + "/", "username": "coach",
                               "password": caldav_server.password, "name": "Work"})
    assert response.status_code == 302
    page = http.get(url)
    assert b"Work" in page.content and b'data-status="active"' in page.content


def test_settings_choose_the_write_target(org: Any, caldav_server: Any) -> None:
    setup = business(org)
    http = login_as(setup.coach_user)
    calendar_id = connect(DjangoClient(), setup, caldav_server).json()["id"]
    response = http.post(reverse("integrations:connection_settings", args=[org.slug, calendar_id]),
                         {f"c{calendar_id}-busy_source": "on"})
    assert response.status_code == 302
    with scope(organization=org):
        connection = CalendarConnection.objects.get()
    assert connection.busy_source and not connection.write_target


def test_another_business_gets_404_everywhere(org: Any, other_org: Any, caldav_server: Any) -> None:
    setup = business(org)
    calendar_id = connect(DjangoClient(), setup, caldav_server).json()["id"]
    with scope(organization=org):
        client = ClientFactory(organization=org)
        session = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None).session
    stranger = member(other_org, Role.OWNER, email="stranger@example.com")
    http = login_as(stranger)
    slug = other_org.slug
    assert http.get(reverse("integrations:coach", args=[slug, setup.coach.pk])).status_code == 404
    for name in ("connection_settings", "connection_sync", "connection_disconnect"):
        assert http.post(reverse(f"integrations:{name}", args=[slug, calendar_id])).status_code == 404
    assert http.get(reverse("integrations:session_panel", args=[slug, session.pk])).status_code == 404
    headers = bearer(stranger, other_org)
    api = DjangoClient()
    assert api.get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **headers).status_code == 404
    assert api.post(f"/api/v1/coaches/{setup.coach.pk}/calendars", data={"provider": "caldav"},
                    content_type="application/json", **headers).status_code == 404
    assert api.delete(f"/api/v1/coaches/{setup.coach.pk}/calendars/{calendar_id}", **headers).status_code == 404
    # And the owner's own business cannot reach it through its own coach either.
    other_setup = business(other_org)
    assert api.delete(f"/api/v1/coaches/{other_setup.coach.pk}/calendars/{calendar_id}",
                      **other_setup.headers).status_code == 404
    with scopes_disabled():
        assert CalendarConnection.objects.filter(pk=calendar_id).exists()


def test_a_colleague_or_staff_cannot_see_a_coachs_calendars(org: Any, caldav_server: Any) -> None:
    setup = business(org)
    calendar_id = connect(DjangoClient(), setup, caldav_server).json()["id"]
    colleague = member(org, Role.COACH, email="colleague@example.com")
    staff = member(org, Role.STAFF, email="staff@example.com")
    http = login_as(colleague)
    assert http.get(reverse("integrations:coach", args=[org.slug, setup.coach.pk])).status_code == 403
    assert http.post(reverse("integrations:connection_disconnect", args=[org.slug, calendar_id])).status_code == 403
    api = DjangoClient()
    for user in (colleague, staff):
        assert api.get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **bearer(user, org)).status_code == 403
    owner_api = api.get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **bearer(member(org, Role.OWNER), org))
    assert owner_api.status_code == 200 and len(owner_api.json()) == 1


def test_the_meeting_link_is_only_for_the_sessions_people(org: Any) -> None:
    setup = business(org)
    with scope(organization=org):
        video.session_type_set_online(session_type=setup.session_type, online=True)
        client = ClientFactory(organization=org)
        session = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None).session
        link = video.link_for(session, create=False)
    url = reverse("integrations:session_panel", args=[org.slug, session.pk])
    own = login_as(setup.coach_user).get(url)
    assert own.status_code == 200 and link.encode() in own.content
    colleague = login_as(member(org, Role.COACH, email="colleague@example.com")).get(url)
    assert colleague.status_code == 403 and link.encode() not in colleague.content


def test_the_owner_chooses_the_jitsi_server_and_online_types(org: Any, owner: Any) -> None:
    setup = business(org)
    http = login_as(owner)
    url = reverse("integrations:video", args=[org.slug])
    bad = http.post(url, {"jitsi_base_url": "not a url", "online_types": [str(setup.session_type.pk)]})
    assert bad.status_code == 200 and b"field-error" in bad.content
    with scope(organization=org):
        assert not OnlineSessionType.objects.exists()
    ok = http.post(url, {"jitsi_base_url": "https://jitsi.example.org", "online_types": [str(setup.session_type.pk)]})
    assert ok.status_code == 302
    with scope(organization=org):
        assert VideoSettings.objects.get().jitsi_base_url == "https://jitsi.example.org"
        assert video.is_online(setup.session_type.pk)
    assert login_as(setup.coach_user).get(url).status_code == 403
