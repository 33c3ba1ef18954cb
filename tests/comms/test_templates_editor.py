"""The template editor: a business's own wording, placeholders, the preview in the business's zone,
SMS length, reset, and who may change it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.comms import catalog, context, outbox, segments, selectors
from coachos.comms.models import MessageTemplate, OutboundMessage
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import MessageTemplateFactory, member

pytestmark = pytest.mark.django_db


def url(org, suffix: str = "") -> str:
    return f"/o/{org.slug}/messages/templates/{suffix}"


def test_the_list_shows_every_client_message_with_both_wordings(org, web):
    with scope(organization=org):
        MessageTemplateFactory(organization=org, kind="reminder_24h", channel="sms", body="See you tomorrow!")
    response = web.get(url(org))
    html = response.content.decode()
    assert response.status_code == 200
    for spec in catalog.CLIENT_EDITABLE:
        assert f'id="kind-{spec.key}"' in html
    assert "client_booked" not in html  # team notifications are not edited here
    assert "See you tomorrow!" in html and "your wording" in html
    assert "Booked: {session_type} on {session_date} at {session_time}" in html  # a default email subject
    assert url(org, "help_reply/sms/") in html and url(org, "help_reply/email/") not in html


def test_edit_shows_the_placeholders_with_their_descriptions(org, web):
    html = web.get(url(org, "reminder_24h/sms/")).content.decode()
    assert "{session_time}" in html and "the session&#x27;s start time" in html
    assert "{amount}" not in html  # not given to a reminder
    assert "Reply Y to confirm" in html  # the default wording fills the form
    assert 'data-sms-length' in html and "SMS segment" in html


def test_save_own_wording_is_used_and_audited(org, web):
    response = web.post(url(org, "reminder_24h/sms/"), {
        "body": "Hey {client_first_name}, {session_type} tomorrow at {session_time}. Reply Y!", "enabled": "on"})
    assert response.status_code == 302
    with scope(organization=org):
        own = MessageTemplate.objects.get(kind="reminder_24h", channel="sms")
        assert own.body.startswith("Hey {client_first_name}") and own.enabled
        entry = AuditEntry.objects.get(action="message_template.saved")
        assert entry.data["kind"] == "reminder_24h" and entry.data["channel"] == "sms"
        subject, body, enabled = outbox.template_for(org, catalog.kind("reminder_24h"), "sms")
    assert body == own.body


def test_an_unknown_placeholder_is_refused_and_the_text_kept(org, web):
    typed = "Hi {client_firstname}, see you at {session_time}"
    response = web.post(url(org, "reminder_24h/sms/"), {"body": typed, "enabled": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "{client_firstname} is not a placeholder we know" in html
    assert f"\n{typed}</textarea>" in html
    with scope(organization=org):
        assert not MessageTemplate.objects.exists()


def test_a_placeholder_the_message_does_not_get_is_refused(org, web):
    response = web.post(url(org, "reminder_24h/email/"), {"subject": "Pay {amount}", "body": "Hi", "enabled": "on"})
    assert "{amount} is not available in this message" in response.content.decode()
    with scope(organization=org):
        assert not MessageTemplate.objects.exists()


def test_email_needs_a_subject(org, web):
    response = web.post(url(org, "follow_up/email/"), {"subject": "", "body": "Thanks!", "enabled": "on"})
    assert "This field is required" in response.content.decode()


def test_switch_a_message_off(org, sms_org, texter):
    web = login_as(member(org, Role.OWNER))
    web.post(url(org, "follow_up/sms/"), {"body": "Thanks {client_first_name}!"})  # the box left unticked
    with scope(organization=org):
        assert MessageTemplate.objects.get(kind="follow_up", channel="sms").enabled is False
        assert outbox.enqueue(organization=org, channel="sms", kind="follow_up", client=texter) is None
    assert "switched off" in web.get(url(org)).content.decode()


def test_messages_the_team_types_cannot_be_switched_off(org, web):
    html = web.get(url(org, "custom/sms/")).content.decode()
    assert 'name="enabled"' not in html
    web.post(url(org, "custom/sms/"), {"body": "{message}"})
    with scope(organization=org):
        assert MessageTemplate.objects.get(kind="custom").enabled is True


def test_reset_to_default_deletes_the_own_wording(org, web):
    with scope(organization=org):
        MessageTemplateFactory(organization=org, kind="reminder_2h", channel="sms", body="Mine")
    page = web.get(url(org, "reminder_2h/sms/")).content.decode()
    assert "Reset to default" in page and "data-confirm" in page
    response = web.post(url(org, "reminder_2h/sms/reset/"))
    assert response.status_code == 302
    with scope(organization=org):
        assert not MessageTemplate.objects.exists()
        assert AuditEntry.objects.filter(action="message_template.reset").count() == 1
    assert "back to the default wording" in web.get(response["Location"]).content.decode()


def test_preview_uses_the_business_zone_whatever_zone_is_active(org):
    """A session at 17:30 in Chicago reads 5:30 PM, even when the code runs in Tokyo's zone."""
    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # Tuesday noon in Chicago, Wednesday 03:00 in Tokyo
    session = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # Wednesday 17:30 in Chicago
    with scope(organization=org), timezone.override("Asia/Tokyo"):
        shown = selectors.preview(org, subject="{session_date}", body="See you at {session_time}", now=now)
    assert shown["body"] == f"See you at {context.local_time(org, session)}"
    assert shown["body"].startswith("See you at 5:30") and "p" in shown["body"][-4:].lower()
    assert shown["subject"] == context.local_date(org, session) == "Wednesday, November 25"


def test_preview_endpoint_renders_what_is_typed(org, web):
    response = web.post(url(org, "reminder_24h/sms/preview/"),
                        {"body": "Hi {client_first_name}, {session_time} with {coach_name} {oops}"},
                        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Hi Alex, 5:30" in html
    assert "Not a placeholder we know: oops" in html
    assert "SMS segment" in html
    with scope(organization=org):
        assert not MessageTemplate.objects.exists()


def test_the_edit_page_preview_is_in_the_business_zone(org, web):
    html = web.get(url(org, "reminder_2h/sms/")).content.decode()
    assert "today at 5:30" in html and "America/Chicago" in html


def test_front_desk_reads_but_cannot_change(org):
    desk = login_as(member(org, Role.STAFF))
    page = desk.get(url(org, "reminder_24h/sms/"))
    assert page.status_code == 200 and "disabled" in page.content.decode()
    assert "Only the owner changes what messages say" in desk.get(url(org)).content.decode()
    assert desk.post(url(org, "reminder_24h/sms/"), {"body": "Hacked"}).status_code == 403
    assert desk.post(url(org, "reminder_24h/sms/reset/")).status_code == 403
    coach = login_as(member(org, Role.COACH))
    assert coach.post(url(org, "reminder_24h/sms/"), {"body": "Nope"}).status_code == 403
    with scope(organization=org):
        assert not MessageTemplate.objects.exists()


def test_unknown_kind_or_channel_is_a_404(org, web):
    assert web.get(url(org, "client_booked/email/")).status_code == 404  # a team notification
    assert web.get(url(org, "nope/sms/")).status_code == 404
    assert web.get(url(org, "confirm_reply/email/")).status_code == 404  # a text-only reply
    assert web.post(url(org, "reminder_24h/fax/reset/")).status_code == 404


def test_own_wording_reaches_the_outbox(sms_org, web, texter):
    web.post(url(sms_org, "custom/sms/"), {"body": "{business_name}: {message}"})
    with scope(organization=sms_org):
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "Gym closed Monday"})
    assert message is not None and message.body == "Northside Strength: Gym closed Monday"
    with scope(organization=sms_org):
        assert OutboundMessage.objects.count() == 1


# --- SMS length ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "encoding", "units", "parts"), [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # an extension character takes two
    ("b" * 70 + "’", "UCS-2", 71, 2),  # a curly quote makes the whole text UCS-2
    ("é" * 70, "GSM-7", 70, 1),  # é is in the GSM alphabet
    ("ü" * 69 + "ç", "UCS-2", 70, 1),
    ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ("x" * 134 + "😀", "UCS-2", 136, 3),
])
def test_segments(text, encoding, units, parts):
    measured = segments.measure(text)
    assert (measured.encoding, measured.units, measured.segments) == (encoding, units, parts)


def test_segments_name_the_characters_that_force_ucs2():
    assert segments.measure("It’s “great”").non_gsm == ("’", "“", "”")
