"""Web push as a notification channel: devices, preferences, the outbox, quiet hours, expiry.

Pushes go through the real gateway (pywebpush) to a push service on loopback that checks the VAPID
token and decrypts the payload with the subscription's own keys (tests/comms/push_service.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django_scopes import scope, scopes_disabled
from py_vapid import Vapid

from coachos.comms import notify, push, sender
from coachos.comms.models import NotificationPreference, OutboundMessage, PushSubscription
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer, login_as
from tests.people import portal_client

from ..factories import ClientFactory, OrganizationFactory, PushSubscriptionFactory, member
from .push_service import PushService, b64url, running

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def daytime(time_machine: Any) -> None:
    """Tuesday 10:00 in Chicago: outside the default quiet hours (21:00–08:00)."""
    time_machine.move_to(datetime(2025, 6, 3, 10, 0, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def vapid(settings: Any) -> Any:
    public, private = push.generate_keys()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:push-admin@example.com"
    settings.PUSH_ENDPOINT_ALLOW_LOCAL = True  # the stand-in listens on loopback, over http
    return settings


@pytest.fixture
def service(vapid: Any) -> Iterator[PushService]:
    with running() as push_service:
        yield push_service


@pytest.fixture
def person(org: Organization) -> Any:
    return portal_client(org, first_name="Pia", last_name="Phone", email="pia@example.com")


def subscribe(org: Organization, user: Any, device: Any, *, portal: bool = True) -> Any:
    area = "portal" if portal else "o"
    return login_as(user).post(f"/{area}/{org.slug}/notifications/push/subscribe/",
                               data=json.dumps(device.subscription_json()), content_type="application/json")


def push_rows(org: Organization, **filters: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(channel="push", **filters).order_by("pk"))


def low_credits(org: Organization, client: Any, **kwargs: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return notify.client(organization=org, kind="low_credits", client=client,
                             context={"credits_left": 1, "package_name": "10 sessions"}, **kwargs)


# --- the embedded default: no keys, no push ------------------------------------------------------

def test_without_vapid_keys_push_is_hidden_and_everything_else_works(org, person, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    browser = login_as(person.user)
    page = browser.get(f"/portal/{org.slug}/notifications/settings/").content.decode()
    assert "Push notifications" not in page and 'value="low_credits:push"' not in page
    assert 'value="low_credits:email"' in page
    response = browser.post(f"/portal/{org.slug}/notifications/push/subscribe/", data="{}",
                            content_type="application/json")
    assert response.status_code == 404
    with scope(organization=org):
        PushSubscriptionFactory(organization=org, user=person.user)  # left over from when keys were set
    messages = low_credits(org, person.client)
    assert [m.channel for m in messages] == ["email"]
    assert push_rows(org) == []


# --- turning it on for a device ------------------------------------------------------------------

def test_a_client_turns_push_on_for_a_device_and_the_settings_show_it(org, person, service):
    device = service.device("pia-phone")
    response = subscribe(org, person.user, device)
    assert response.status_code == 201, response.content
    with scope(organization=org):
        saved = PushSubscription.objects.get()
    assert (saved.user, saved.endpoint, saved.p256dh, saved.auth, saved.label) == (
        person.user, device.endpoint, device.p256dh, device.auth, "Chromium · Linux")
    # Again from the same browser: the same row, not a second one.
    assert subscribe(org, person.user, device).status_code == 200
    page = login_as(person.user).get(f"/portal/{org.slug}/notifications/settings/").content.decode()
    assert 'value="low_credits:push"' in page and "Chromium · Linux" in page
    assert f'data-public-key="{push.public_key()}"' in page


@pytest.mark.parametrize(("body", "status", "says"), [
    ("not json", 400, "JSON"),
    ('["a list"]', 400, "JSON object"),
    ('{"endpoint": "http://127.0.0.1:9/push/x", "keys": {"p256dh": "abc", "auth": "AAECAwQFBgcICQoLDA0ODw"}}',
     422, "P-256"),
    ('{"endpoint": "http://127.0.0.1:9/push/x", "keys": {"p256dh": "%s", "auth": "c2hvcnQ"}}', 422, "16 bytes"),
    ('{"keys": {}}', 422, "endpoint"),
])
def test_a_subscription_that_cannot_work_is_refused_with_the_reason(org, person, vapid, body, status, says):
    if "%s" in body:
        body = body % PushSubscriptionFactory.p256dh
    response = login_as(person.user).post(f"/portal/{org.slug}/notifications/push/subscribe/", data=body,
                                          content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert says in json.loads(response.content)["detail"]
    with scope(organization=org):
        assert not PushSubscription.objects.exists()


def test_only_push_services_on_the_internet_over_https_are_accepted(settings):
    settings.PUSH_ENDPOINT_ALLOW_LOCAL = False
    for endpoint in ("http://fcm.googleapis.com/fcm/send/x", "https://127.0.0.1/push", "https://10.1.2.3/push",
                     "https://localhost:8443/push", "https://[::1]/push", "https://169.254.169.254/latest"):
        assert push.endpoint_problem(endpoint), endpoint
    assert push.endpoint_problem("https://fcm.googleapis.com/fcm/send/abc") == ""
    assert push.endpoint_problem("https://updates.push.services.mozilla.com/wpush/v2/abc") == ""


def test_a_device_signed_up_again_by_someone_else_stops_getting_the_first_persons_pushes(org, person, service):
    device = service.device("shared-tablet")
    assert subscribe(org, person.user, device).status_code == 201
    other = portal_client(org, first_name="Sam", last_name="Second", email="sam@example.com")
    assert subscribe(org, other.user, device).status_code == 200
    with scope(organization=org):
        assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [other.user.pk]
    assert [m.channel for m in low_credits(org, person.client)] == ["email"]


def test_turning_push_off_forgets_only_ones_own_device(org, person, service):
    mine, theirs = service.device("mine"), service.device("theirs")
    other = portal_client(org, first_name="Sam", last_name="Second", email="sam@example.com")
    subscribe(org, person.user, mine)
    subscribe(org, other.user, theirs)
    browser = login_as(person.user)
    url = f"/portal/{org.slug}/notifications/push/unsubscribe/"
    # Someone else's endpoint: nothing happens (and nothing says whether it exists).
    assert browser.post(url, data=json.dumps({"endpoint": theirs.endpoint}),
                        content_type="application/json").status_code == 204
    assert browser.post(url, data=json.dumps({"endpoint": mine.endpoint}),
                        content_type="application/json").status_code == 204
    with scope(organization=org):
        assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [theirs.endpoint]


def test_removing_a_device_from_the_list(org, person, service):
    subscribe(org, person.user, service.device("old-phone"))
    with scope(organization=org):
        device = PushSubscription.objects.get()
    browser = login_as(person.user)
    response = browser.post(f"/portal/{org.slug}/notifications/push/{device.pk}/remove/")
    assert response.status_code == 302
    with scope(organization=org):
        assert not PushSubscription.objects.exists()


def test_another_persons_or_another_business_s_device_is_a_404(org, person, service):
    other_org = OrganizationFactory(name="Other Gym", slug="other-gym")
    with scope(organization=org):
        pia_device = PushSubscriptionFactory(organization=org, user=person.user)
    coworker = portal_client(org, first_name="Cody", last_name="Coworker", email="cody@example.com")
    outsider = member(other_org, Role.OWNER)
    assert login_as(coworker.user).post(
        f"/portal/{org.slug}/notifications/push/{pia_device.pk}/remove/").status_code == 404
    assert login_as(outsider).post(
        f"/o/{other_org.slug}/notifications/push/{pia_device.pk}/remove/").status_code == 404
    assert login_as(outsider).post(f"/o/{org.slug}/notifications/push/{pia_device.pk}/remove/").status_code == 404
    with scopes_disabled():
        assert PushSubscription.objects.filter(pk=pia_device.pk).exists()


# --- sending -------------------------------------------------------------------------------------

def test_a_notification_reaches_the_device_encrypted_and_signed(org, person, service):
    device = service.device("pia-phone")
    subscribe(org, person.user, device)
    messages = low_credits(org, person.client, dedupe_key="low-credits:7:1")
    pushes = [m for m in messages if m.channel == "push"]
    assert len(pushes) == 1 and pushes[0].status == Status.QUEUED
    assert pushes[0].dedupe_key.startswith("low-credits:7:1:push:")
    assert sender.deliver(pushes[0].pk) == Status.SENT
    assert service.errors == []
    [received] = service.received
    assert received.token == "pia-phone"
    assert received.payload["title"] == org.name
    assert "10 sessions" in received.payload["body"]
    assert received.payload["url"] == f"/portal/{org.slug}/"
    # The VAPID token: signed with this server's key, for the push service's origin, from our contact.
    assert received.vapid_key == push.public_key()
    assert received.claims["aud"] == service.url and received.claims["sub"] == "mailto:push-admin@example.com"
    assert received.headers["content-encoding"] == "aes128gcm" and int(received.headers["ttl"]) > 0
    with scope(organization=org):
        assert PushSubscription.objects.get().last_sent_at is not None


def test_the_settings_pair_is_one_key(vapid):
    # A browser subscribes with the public half; the push service checks tokens signed by the private one.
    public = Vapid.from_string(private_key=vapid.VAPID_PRIVATE_KEY).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert b64url(public) == vapid.VAPID_PUBLIC_KEY


def test_the_team_gets_pushes_on_their_devices_too(org, owner, service):
    device = service.device("owner-laptop")
    assert subscribe(org, owner, device, portal=False).status_code == 201
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Ada")
        delivery = notify.team(organization=org, kind="client_booked", related=client, dedupe_key="booked:1",
                               context={"session_date": "Tuesday 3 June", "session_time": "5:30 PM"})
    [message] = [m for m in delivery.messages if m.channel == "push"]
    assert sender.deliver(message.pk) == Status.SENT
    assert "Ada" in service.received[0].payload["body"]
    assert service.received[0].payload["url"] == f"/o/{org.slug}/clients/{client.pk}/"


def test_a_kind_switched_off_for_push_is_not_pushed(org, person, service):
    subscribe(org, person.user, service.device("pia-phone"))
    with scope(organization=org):
        NotificationPreference.objects.create(organization=org, user=person.user, kind="low_credits", via="push",
                                              enabled=False)
    assert [m.channel for m in low_credits(org, person.client)] == ["email"]


def test_the_settings_page_saves_the_push_column(org, person, service):
    subscribe(org, person.user, service.device("pia-phone"))
    browser = login_as(person.user)
    url = f"/portal/{org.slug}/notifications/settings/"
    page = browser.get(url).content.decode()
    on = [value for value in ("low_credits:in_app", "low_credits:email", "low_credits:sms")]
    browser.post(url, {"on": on})  # every push box unticked
    with scope(organization=org):
        assert NotificationPreference.objects.filter(user=person.user, via="push", kind="low_credits",
                                                     enabled=False).exists()
    assert 'value="low_credits:push"' in page


def test_pushes_respect_quiet_hours(org, person, service, time_machine):
    subscribe(org, person.user, service.device("pia-phone"))
    time_machine.move_to(datetime(2025, 6, 3, 23, 30, tzinfo=CHICAGO), tick=False)
    [message] = [m for m in low_credits(org, person.client) if m.channel == "push"]
    assert message.status == Status.DEFERRED
    assert message.scheduled_for == datetime(2025, 6, 4, 8, 0, tzinfo=CHICAGO)
    assert sender.send_due() == {}
    assert service.received == []
    time_machine.move_to(datetime(2025, 6, 4, 8, 1, tzinfo=CHICAGO), tick=False)
    assert sender.send_due().get(Status.SENT) == 2  # the email and the push
    assert len(service.received) == 1


def test_an_expired_subscription_is_removed_and_its_other_pushes_say_why(org, person, service):
    device = service.device("gone-phone")
    subscribe(org, person.user, device)
    first = [m for m in low_credits(org, person.client, dedupe_key="a") if m.channel == "push"][0]
    later = [m for m in low_credits(org, person.client, dedupe_key="b", send_after=datetime(
        2025, 6, 3, 12, 0, tzinfo=CHICAGO)) if m.channel == "push"][0]
    service.answers["gone-phone"] = 410
    assert sender.deliver(first.pk) == Status.FAILED
    with scopes_disabled():
        assert not PushSubscription.objects.exists()
        first.refresh_from_db()
        later.refresh_from_db()
    assert "no longer accepts notifications" in first.last_error and first.error_code == push.GONE_CODE
    assert later.status == Status.SUPPRESSED and "removed" in later.last_error
    # Nothing more goes to it.
    assert [m.channel for m in low_credits(org, person.client, dedupe_key="c")] == ["email"]


def test_a_push_service_that_is_down_is_retried_like_any_channel(org, person, service, time_machine):
    subscribe(org, person.user, service.device("flaky-phone"))
    [message] = [m for m in low_credits(org, person.client) if m.channel == "push"]
    service.answers["flaky-phone"] = 503
    assert sender.deliver(message.pk) == Status.QUEUED
    with scopes_disabled():
        message.refresh_from_db()
        assert PushSubscription.objects.exists()
    assert message.attempts == 1 and message.scheduled_for > datetime(2025, 6, 3, 10, 0, tzinfo=CHICAGO)
    service.answers.pop("flaky-phone")
    time_machine.move_to(message.scheduled_for + timedelta(seconds=1), tick=False)
    assert sender.deliver(message.pk) == Status.SENT
    assert len(service.received) == 2  # the failed try reached the service too, and then the real one


def test_a_device_removed_before_its_push_went_out_is_not_sent_to(org, person, service):
    subscribe(org, person.user, service.device("pia-phone"))
    [message] = [m for m in low_credits(org, person.client) if m.channel == "push"]
    login_as(person.user).post(f"/portal/{org.slug}/notifications/push/unsubscribe/",
                               data=json.dumps({"endpoint": service.devices["pia-phone"].endpoint}),
                               content_type="application/json")
    with scopes_disabled():
        message.refresh_from_db()
    assert message.status == Status.SUPPRESSED
    assert sender.deliver(message.pk) == ""
    assert service.received == []


def test_the_outbox_pages_and_api_show_push_rows(org, owner, web, person, service):
    subscribe(org, person.user, service.device("pia-phone"))
    [message] = [m for m in low_credits(org, person.client) if m.channel == "push"]
    sender.deliver(message.pk)
    assert web.get(f"/o/{org.slug}/messages/").status_code == 200
    assert web.get(f"/o/{org.slug}/messages/{message.pk}/").status_code == 200
    listed = web.get("/api/v1/messages", **bearer(owner, org))
    assert listed.status_code == 200
    assert "push" in {row["channel"] for row in listed.json()["results"]}


def test_the_key_command_prints_a_working_pair():
    from io import StringIO

    out = StringIO()
    call_command("vapid_keys", stdout=out)
    values = dict(line.split("=", 1) for line in out.getvalue().split())
    assert set(values) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"}
    assert push.keys_problem(values["VAPID_PUBLIC_KEY"], "AAECAwQFBgcICQoLDA0ODw") == ""
