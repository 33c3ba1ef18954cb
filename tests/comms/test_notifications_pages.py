"""The notification centre: the bell, the list, marking read, preferences — back office and portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.comms import notify
from coachos.comms.models import Notification, NotificationPreference, OutboundMessage
from coachos.tenancy.roles import Role
from tests.conftest import login_as

from ..factories import ClientFactory, NotificationFactory, member

pytestmark = pytest.mark.django_db


def entries(org: Any, user: Any, n: int, **fields: Any) -> list[Notification]:
    return [NotificationFactory(organization=org, user=user, title=f"Event {i}", **fields) for i in range(n)]


def base(org: Any) -> str:
    return f"/o/{org.slug}/notifications/"


# --- the bell ------------------------------------------------------------------------------------

def test_the_bell_shows_the_unread_count_on_every_back_office_page(org, owner, web):
    entries(org, owner, 3)
    entries(org, owner, 2, read_at="2025-01-01T00:00:00Z")
    html = web.get(f"/o/{org.slug}/").content.decode()
    assert 'id="notification-bell"' in html and 'class="bell-count" aria-hidden="true">3<' in html
    assert 'aria-label="Notifications: 3 unread"' in html
    assert f'hx-get="{base(org)}bell/" hx-trigger="every 30s"' in html


def test_the_bell_counts_with_one_query_however_many_notifications(org, owner, web):
    def bell_queries() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = web.get(f"{base(org)}bell/")
        assert response.status_code == 200
        return response.content.decode(), sum("comms_notification" in q["sql"] for q in ctx.captured_queries)

    web.get(f"/o/{org.slug}/")  # the first request of a login saves the session
    html, few = bell_queries()
    assert "bell-count" not in html and 'aria-label="Notifications"' in html
    entries(org, owner, 120)
    html, many = bell_queries()
    assert few == many == 1
    assert ">99+<" in html


def test_the_bell_counts_only_my_own_in_this_business(org, other_org, owner, web):
    entries(org, member(org, Role.COACH), 4)
    entries(other_org, owner, 4)
    entries(org, owner, 1)
    assert ">1<" in web.get(f"{base(org)}bell/").content.decode()


# --- the list ------------------------------------------------------------------------------------

def test_the_list_is_newest_first_with_unread_ones_marked_and_paginated(org, owner, web):
    entries(org, owner, 30)
    html = web.get(base(org)).content.decode()
    assert html.index("Event 29") < html.index("Event 28")
    assert html.count('class="notification unread"') == 25
    assert "Page 1 of 2" in html and "30 unread" in html
    assert "Event 0<" in web.get(base(org), {"page": 2}).content.decode()


def test_an_empty_list_says_what_will_appear(org, web):
    html = web.get(base(org)).content.decode()
    assert "No notifications yet" in html and "Mark all as read" not in html


def test_following_a_notification_marks_it_read_and_goes_to_its_page(org, owner, web):
    [entry] = entries(org, owner, 1, url=f"/o/{org.slug}/calendar/")
    response = web.get(f"{base(org)}{entry.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/calendar/"
    entry.refresh_from_db()
    first_read = entry.read_at
    assert first_read is not None
    web.get(f"{base(org)}{entry.pk}/")
    entry.refresh_from_db()
    assert entry.read_at == first_read


def test_a_link_off_the_site_is_never_followed(org, owner, web):
    [entry] = entries(org, owner, 1, url="https://evil.example/phish")
    assert web.get(f"{base(org)}{entry.pk}/")["Location"] == base(org)


def test_mark_one_read_and_mark_all_read(org, owner, web):
    first, second, third = entries(org, owner, 3)
    assert web.get(f"{base(org)}{first.pk}/read/").status_code == 405
    response = web.post(f"{base(org)}{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'class="notification"' in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert web.get(f"{base(org)}read-all/").status_code == 405
    assert web.post(f"{base(org)}read-all/").status_code == 302
    with scope(organization=org):
        assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()


def test_someone_elses_notification_is_a_404(org, owner, web):
    [theirs] = entries(org, member(org, Role.COACH), 1)
    assert web.get(f"{base(org)}{theirs.pk}/").status_code == 404
    assert web.post(f"{base(org)}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- preferences ---------------------------------------------------------------------------------

def test_team_preferences_show_team_events_and_are_respected(org, owner, web):
    page = web.get(f"{base(org)}settings/").content.decode()
    assert 'value="client_booked:email" id="pref-client_booked-email" checked' in page
    assert 'value="client_confirmed:email" id="pref-client_confirmed-email" aria-label' in page  # off by default
    assert "booking_confirmation" not in page  # client messages are not the team's to choose
    assert 'value="client_booked:sms" id="pref-client_booked-sms" disabled' in page  # no mobile on accounts
    # Keep everything as shown except: no email when a client books, email when one confirms.
    on = ["client_booked:in_app", "client_cancelled:in_app", "client_cancelled:email", "client_confirmed:in_app",
          "client_confirmed:email"]
    assert web.post(f"{base(org)}settings/", {"on": on}).status_code == 302
    with scope(organization=org):
        saved = set(NotificationPreference.objects.filter(user=owner).values_list("kind", "via", "enabled"))
    assert ("client_booked", "email", False) in saved and ("client_confirmed", "email", True) in saved
    assert ("client_cancelled", "email", True) not in saved  # same as the default: no row needed
    page = web.get(f"{base(org)}settings/").content.decode()
    assert 'value="client_booked:email" id="pref-client_booked-email" aria-label' in page
    with scope(organization=org):
        notify.team(organization=org, kind="client_booked", context={"client_name": "X"})
        notify.team(organization=org, kind="client_confirmed", context={"client_name": "X"})
        emailed = set(OutboundMessage.objects.values_list("kind", flat=True))
    assert emailed == {"client_confirmed"}


@pytest.fixture
def portal_user(org: Any) -> Any:
    user = member(org, Role.CLIENT, email="pat@example.com")
    with scope(organization=org):
        ClientFactory(organization=org, user=user, email="pat@example.com", phone="+13125550150", sms_consent=False)
    return user


def test_the_portal_has_its_own_bell_list_and_client_preferences(org, portal_user):
    browser = login_as(portal_user)
    entries(org, portal_user, 2)
    home = browser.get(f"/portal/{org.slug}/").content.decode()
    assert f'hx-get="/portal/{org.slug}/notifications/bell/"' in home and ">2<" in home
    listing = browser.get(f"/portal/{org.slug}/notifications/").content.decode()
    assert listing.count('class="notification unread"') == 2
    page = browser.get(f"/portal/{org.slug}/notifications/settings/").content.decode()
    assert "reminder_24h:email" in page and "client_booked" not in page
    assert 'value="reminder_24h:sms" id="pref-reminder_24h-sms" checked disabled' in page
    assert "agreement to texts" in page
    # Switch off reminders by email; the disabled SMS box keeps its value.
    keep = [f"{k}:{v}" for k in ("booking_confirmation", "reminder_24h", "reminder_2h") for v in ("in_app", "email")]
    keep.remove("reminder_24h:email")
    browser.post(f"/portal/{org.slug}/notifications/settings/", {"on": keep})
    with scope(organization=org):
        saved = set(NotificationPreference.objects.filter(user=portal_user, kind="reminder_24h").values_list(
            "via", "enabled"))
    assert saved == {("email", False)}


def test_the_back_office_pages_are_not_for_clients_nor_the_portal_for_the_team(org, portal_user, web):
    assert login_as(portal_user).get(base(org)).status_code == 403
    assert web.get(f"/portal/{org.slug}/notifications/").status_code == 403


def test_another_businesss_notification_is_a_404_everywhere(org, other_org):
    """The generic walker (tests/test_cross_tenant.py) covers these routes too; this names them."""
    theirs_owner, theirs_client = member(other_org, Role.OWNER), member(other_org, Role.CLIENT)
    [a_team] = entries(org, member(org, Role.OWNER), 1)
    [a_client] = entries(org, member(org, Role.CLIENT), 1)
    for user, area, entry in ((theirs_owner, "o", a_team), (theirs_client, "portal", a_client)):
        browser = login_as(user)
        for slug in (other_org.slug, org.slug):
            prefix = f"/{area}/{slug}/notifications/{entry.pk}/"
            assert browser.get(prefix).status_code == 404
            assert browser.post(f"{prefix}read/").status_code == 404
    for entry in (a_team, a_client):
        entry.refresh_from_db()
        assert entry.read_at is None
