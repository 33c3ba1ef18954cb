"""notify.client / notify.team: channels by consent and preferences, audiences, dedupe."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.comms import notify
from coachos.comms.models import Notification, NotificationPreference, OutboundMessage
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..factories import BookingFactory, ClientFactory, CoachFactory, TrainingSessionFactory, member

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def daytime(time_machine: Any) -> None:
    """Tuesday 10:00 in Chicago: outside the default quiet hours (21:00–08:00)."""
    time_machine.move_to(datetime(2025, 6, 3, 10, 0, tzinfo=CHICAGO), tick=False)


def rows(org: Any, **filters: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(**filters).order_by("channel"))


def send(org: Any, client: Any, **kwargs: Any) -> list[OutboundMessage]:
    kwargs.setdefault("kind", "low_credits")
    kwargs.setdefault("context", {"credits_left": 1, "package_name": "10 sessions"})
    with scope(organization=org):
        return notify.client(organization=org, client=client, **kwargs)


def portal_client(org: Any, **fields: Any) -> Any:
    user = member(org, Role.CLIENT, email=fields.get("email", "pat@example.com"))
    with scope(organization=org):
        return ClientFactory(organization=org, user=user, **fields)


# --- clients -------------------------------------------------------------------------------------

def test_a_client_with_a_number_consent_and_an_email_gets_both(sms_org, texter):
    messages = send(sms_org, texter, dedupe_key="low-credits:1:1")
    assert [(m.channel, m.status, m.dedupe_key, m.to) for m in messages] == [
        ("sms", Status.QUEUED, "low-credits:1:1:sms", "+13125550142"),
        ("email", Status.QUEUED, "low-credits:1:1:email", "tess@example.com"),
    ]
    assert "10 sessions is running low (1 left)" in messages[0].body
    with scope(organization=sms_org):
        assert not Notification.objects.exists()  # no portal login: no bell


def test_no_consent_to_texts_means_email_only(sms_org):
    with scope(organization=sms_org):
        client = ClientFactory(organization=sms_org, phone="+13125550111", email="a@example.com", sms_consent=False)
    messages = send(sms_org, client)
    assert [m.channel for m in messages] == ["email"]
    assert [m.channel for m in rows(sms_org)] == ["email"]


def test_when_no_channel_can_carry_it_one_row_says_why(sms_org):
    with scope(organization=sms_org):
        no_consent = ClientFactory(organization=sms_org, phone="+13125550112", email="", sms_consent=False)
        nothing = ClientFactory(organization=sms_org, phone="", email="")
    first = send(sms_org, no_consent, dedupe_key="a")
    second = send(sms_org, nothing, dedupe_key="b")
    assert [(m.channel, m.status, m.dedupe_key) for m in first] == [("sms", Status.SUPPRESSED, "a:sms")]
    assert "not agreed to texts" in first[0].last_error
    assert [(m.channel, m.status) for m in second] == [("email", Status.SUPPRESSED)]
    assert "No email address" in second[0].last_error


def test_a_portal_client_also_gets_a_bell_entry_pointing_at_their_page(sms_org):
    client = portal_client(sms_org, phone="+13125550113", email="pat@example.com", sms_consent=True)
    send(sms_org, client, dedupe_key="low-credits:9:1")
    with scope(organization=sms_org):
        entry = Notification.objects.get()
    assert entry.user_id == client.user_id
    assert entry.title == "10 sessions is running low: 1 left"
    assert entry.url == f"/portal/{sms_org.slug}/"
    assert entry.dedupe_key == "low-credits:9:1" and entry.read_at is None


def test_a_portal_clients_preferences_choose_the_channels(sms_org):
    client = portal_client(sms_org, phone="+13125550114", email="pat@example.com", sms_consent=True)
    with scope(organization=sms_org):
        NotificationPreference.objects.create(organization=sms_org, user=client.user, kind="low_credits", via="sms",
                                              enabled=False)
        NotificationPreference.objects.create(organization=sms_org, user=client.user, kind="low_credits",
                                              via="in_app", enabled=False)
    messages = send(sms_org, client)
    assert [m.channel for m in messages] == ["email"]
    with scope(organization=sms_org):
        assert not Notification.objects.exists()
        # Another kind keeps its defaults (everything on).
    assert {m.channel for m in send(sms_org, client, kind="follow_up")} == {"sms", "email"}


def test_everything_switched_off_is_recorded_as_such(sms_org):
    client = portal_client(sms_org, phone="+13125550115", email="pat@example.com", sms_consent=True)
    with scope(organization=sms_org):
        for via in ("sms", "email"):
            NotificationPreference.objects.create(organization=sms_org, user=client.user, kind="low_credits",
                                                  via=via, enabled=False)
    messages = send(sms_org, client, dedupe_key="k")
    assert [(m.channel, m.status) for m in messages] == [("sms", Status.SUPPRESSED)]
    assert "switched these messages off" in rows(sms_org)[0].last_error
    with scope(organization=sms_org):
        assert Notification.objects.count() == 1  # the bell still tells them


def test_the_same_event_twice_writes_nothing_new(sms_org):
    client = portal_client(sms_org, phone="+13125550116", email="pat@example.com", sms_consent=True)
    first = send(sms_org, client, dedupe_key="low-credits:5:1")
    second = send(sms_org, client, dedupe_key="low-credits:5:1")
    assert [m.pk for m in first] == [m.pk for m in second]
    assert len(rows(sms_org)) == 2
    with scope(organization=sms_org):
        assert Notification.objects.count() == 1


# --- the team ------------------------------------------------------------------------------------

@pytest.fixture
def team(org: Any, owner: Any) -> dict[str, Any]:
    with scope(organization=org):
        coach = CoachFactory(organization=org, display_name="Jordan")
        other_coach = CoachFactory(organization=org)
    return {"owner": owner, "coach": coach.membership.user, "coach_obj": coach,
            "other_coach": other_coach.membership.user, "staff": member(org, Role.STAFF),
            "client": member(org, Role.CLIENT)}


def test_a_team_message_goes_to_owners_and_coaches_never_to_clients(org, team):
    with scope(organization=org):
        delivery = notify.team(organization=org, kind="client_message", context={"message": "Running late",
                                                                                    "client_name": "Tess T"},
                               dedupe_key="inbound:1")
        told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {team["owner"].pk, team["coach"].pk, team["other_coach"].pk}
    assert {n.title for n in delivery.notifications} == {"Text from Tess T: Running late"}
    # Email is on by default for this kind; it goes to each member's own address, not to a client.
    emails = rows(org, channel="email")
    assert sorted(m.to for m in emails) == sorted(u.email for u in (team["owner"], team["coach"], team["other_coach"]))
    assert all(m.client_id is None and m.status == Status.QUEUED for m in emails)
    assert {m.dedupe_key for m in emails} == {f"inbound:1:email:{u.pk}" for u in
                                              (team["owner"], team["coach"], team["other_coach"])}


def test_given_users_are_filtered_to_the_team(org, team):
    with scope(organization=org):
        notify.team(organization=org, kind="client_confirmed", users=[team["client"], team["staff"]],
                    context={"client_name": "X"})
        assert set(Notification.objects.values_list("user_id", flat=True)) == {team["staff"].pk}
    assert rows(org) == []  # client_confirmed is in-app only by default


def test_a_booking_tells_its_coach_and_the_owners_with_a_link_to_the_calendar(org, team):
    with scope(organization=org):
        session = TrainingSessionFactory(coach=team["coach_obj"], starts_at=datetime(2025, 6, 10, 17, 30,
                                                                                     tzinfo=CHICAGO))
        booking = BookingFactory(session=session, client=ClientFactory(organization=org, first_name="Tess",
                                                                       last_name="Texter"))
        notify.team(organization=org, kind="client_booked", related=booking, dedupe_key=f"client-booked:{booking.pk}")
        notify.team(organization=org, kind="client_booked", related=booking, dedupe_key=f"client-booked:{booking.pk}")
        entries = list(Notification.objects.order_by("user_id"))
    assert {n.user_id for n in entries} == {team["owner"].pk, team["coach"].pk}
    assert entries[0].title == "Tess Texter booked Personal training on Tuesday, June 10 at 5:30 PM"
    assert entries[0].url == f"/o/{org.slug}/calendar/sessions/{session.pk}/"
    email = rows(org, channel="email")
    assert len(email) == 2  # once each, however often the event is told
    assert f"/o/{org.slug}/calendar/sessions/{session.pk}/" in email[0].body


def test_team_preferences_switch_email_on_or_off(org, team):
    with scope(organization=org):
        NotificationPreference.objects.create(organization=org, user=team["owner"], kind="client_message",
                                              via="email", enabled=False)
        NotificationPreference.objects.create(organization=org, user=team["coach"], kind="client_confirmed",
                                              via="email", enabled=True)
        NotificationPreference.objects.create(organization=org, user=team["coach"], kind="client_confirmed",
                                              via="in_app", enabled=False)
        notify.team(organization=org, kind="client_message", context={"message": "hi"})
        notify.team(organization=org, kind="client_confirmed", context={"client_name": "X"})
        bell = set(Notification.objects.filter(kind="client_confirmed").values_list("user_id", flat=True))
    assert team["owner"].email not in {m.to for m in rows(org, kind="client_message")}
    assert [m.to for m in rows(org, kind="client_confirmed")] == [team["coach"].email]
    assert team["coach"].pk not in bell and team["owner"].pk in bell


def test_a_business_without_an_sms_number_uses_email_alone(org, texter):
    Organization.objects.filter(pk=org.pk).update(sms_number="")
    org.refresh_from_db()
    assert [m.channel for m in send(org, texter)] == ["email"]
    with scope(organization=org):
        no_email = ClientFactory(organization=org, phone="+13125550119", email="", sms_consent=True)
    [row] = send(org, no_email)
    assert (row.channel, row.status) == ("sms", Status.SUPPRESSED) and "no SMS number" in row.last_error
