"""The Messages section of a client's page: every message to and from the client, and sending one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone
from django_scopes import scope

from coachos.comms import selectors
from coachos.comms.models import InboundMessage, OutboundMessage, SmsOptOut
from coachos.tenancy.models import AuditEntry

from ..factories import ClientFactory, InboundMessageFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status
NOON_CHICAGO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def section(org, client) -> str:
    return f"/o/{org.slug}/messages/clients/{client.pk}/section/"


def send(org, client) -> str:
    return f"/o/{org.slug}/messages/clients/{client.pk}/send/"


def htmx(web, method: str, path: str, data: dict | None = None):
    return getattr(web, method)(path, data or {}, HTTP_HX_REQUEST="true")


def test_the_client_page_lists_the_messages_section(sms_org, web, texter):
    page = web.get(f"/o/{sms_org.slug}/clients/{texter.pk}/").content.decode()
    assert 'id="section-messages"' in page and f'hx-get="{section(sms_org, texter)}"' in page


def test_outgoing_and_incoming_interleaved_newest_first_with_reasons(sms_org, web, texter):
    org = sms_org
    now = timezone.now()
    with scope(organization=org):
        other = ClientFactory(organization=org)
        OutboundMessageFactory(organization=org, client=other, body="NOT HERS")
        confirm = OutboundMessageFactory(organization=org, client=texter, kind="booking_confirmation",
                                         status=Status.SENT, body="You're booked", sent_at=now - timedelta(hours=3))
        yes = InboundMessageFactory(organization=org, client=texter, body="Y", handled_as="confirm")
        InboundMessage.objects.filter(pk=yes.pk).update(received_at=now - timedelta(hours=2))
        failed = OutboundMessageFactory(organization=org, client=texter, channel="email", kind="receipt",
                                        status=Status.SUPPRESSED, body="Receipt", scheduled_for=now - timedelta(hours=1),
                                        last_error="No email address on file.")
    response = htmx(web, "get", section(org, texter))
    assert response.status_code == 200
    items = response.context["items"]
    assert [(i["direction"], i["message"].pk) for i in items] == [("out", failed.pk), ("in", yes.pk),
                                                                  ("out", confirm.pk)]
    html = response.content.decode()
    assert "NOT HERS" not in html and "<html" not in html
    assert "No email address on file." in html and "Not sent" in html and "Confirmed a booking" in html


def test_the_section_paginates(sms_org, web, texter):
    with scope(organization=sms_org):
        for n in range(20):
            OutboundMessageFactory(organization=sms_org, client=texter, body=f"m{n}")
    first = htmx(web, "get", section(sms_org, texter))
    assert len(first.context["items"]) == 15
    assert f'hx-get="{section(sms_org, texter)}?page=2"' in first.content.decode()
    second = htmx(web, "get", section(sms_org, texter) + "?page=2")
    assert len(second.context["items"]) == 5


def test_send_a_text(sms_org, web, texter, sms_sent, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON_CHICAGO), django_capture_on_commit_callbacks(execute=True):
        response = htmx(web, "post", send(sms_org, texter), {"channel": "sms", "body": "Hi {client_first_name}!"})
    assert response.status_code == 200 and "Text to Tess queued" in response.content.decode()
    with scope(organization=sms_org):
        message = OutboundMessage.objects.get()
        assert AuditEntry.objects.filter(action="message.written", object_id=str(message.pk)).exists()
    assert message.kind == "custom" and message.body == "Hi Tess!" and message.client == texter
    assert [s.body for s in sms_sent] == ["Hi Tess!"]


def test_send_an_email(sms_org, web, texter, outbox_mail, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON_CHICAGO), django_capture_on_commit_callbacks(execute=True):
        response = htmx(web, "post", send(sms_org, texter),
                        {"channel": "email", "subject": "Your plan", "body": "Here is your plan."})
    assert "Email to Tess queued" in response.content.decode()
    assert len(outbox_mail) == 1
    assert outbox_mail[0].subject == "Your plan" and outbox_mail[0].to == [texter.email]


def test_a_typo_in_a_placeholder_keeps_the_text(sms_org, web, texter):
    response = htmx(web, "post", send(sms_org, texter), {"channel": "sms", "body": "Hi {firstname}"})
    html = response.content.decode()
    assert "{firstname} is not a placeholder we know" in html and "Hi {firstname}</textarea>" in html
    with scope(organization=sms_org):
        assert not OutboundMessage.objects.exists()


def test_plain_post_goes_back_to_the_client_page(sms_org, web, texter):
    response = web.post(send(sms_org, texter), {"channel": "sms", "body": "Hello"})
    assert response.status_code == 302 and response["Location"] == f"/o/{sms_org.slug}/clients/{texter.pk}/"


def test_the_form_is_closed_with_the_reasons_when_nothing_can_go(org, web):
    """No SMS number for the business, no email address, no consent: nothing to send with."""
    with scope(organization=org):
        quiet = ClientFactory(organization=org, first_name="Quinn", email="", phone="+13125550160",
                              sms_consent=False)
    response = htmx(web, "get", section(org, quiet))
    html = response.content.decode()
    assert response.context["form"].closed
    assert "You cannot message Quinn right now" in html
    assert "no SMS number yet" in html and "No email address on file." in html
    assert "<fieldset disabled" in html
    # Even a hand-made POST sends nothing.
    htmx(web, "post", send(org, quiet), {"channel": "sms", "body": "Hello"})
    with scope(organization=org):
        assert not OutboundMessage.objects.exists()


def test_an_opted_out_client_can_only_get_email(sms_org, web, texter):
    with scope(organization=sms_org):
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())
    response = htmx(web, "get", section(sms_org, texter))
    form = response.context["form"]
    assert not form.closed and [c for c, _label in form.fields["channel"].choices] == ["email"]
    assert "opted out of texts" in response.content.decode()
    refused = htmx(web, "post", send(sms_org, texter), {"channel": "sms", "body": "Hello"})
    assert "Select a valid choice" in refused.content.decode()
    with scope(organization=sms_org):
        assert not OutboundMessage.objects.exists()


def test_a_failing_query_shows_the_section_error_and_the_rest_still_load(sms_org, web, texter, monkeypatch, caplog):
    def broken(*, client):
        raise DatabaseError("boom")

    monkeypatch.setattr(selectors, "client_thread", broken)
    page = web.get(f"/o/{sms_org.slug}/clients/{texter.pk}/")
    assert page.status_code == 200 and 'id="section-messages"' in page.content.decode()
    failed = htmx(web, "get", section(sms_org, texter))
    assert failed.status_code == 500
    body = failed.content.decode()
    assert "This section could not load" in body and "data-section-retry" in body and "<html" not in body
    base = f"/o/{sms_org.slug}/clients/{texter.pk}/sections/"
    for key in ("profile", "packages", "bookings", "notes"):
        assert htmx(web, "get", f"{base}{key}/").status_code == 200, key
    logged = " ".join(r.getMessage() + str(getattr(r, "client_id", "")) for r in caplog.records)
    assert str(texter.pk) in logged and texter.phone not in caplog.text and "Tess" not in caplog.text


def test_another_business_client_is_a_404(org, other_org, web):
    with scope(organization=other_org):
        theirs = ClientFactory(organization=other_org, sms_consent=True)
    assert htmx(web, "get", section(org, theirs)).status_code == 404
    assert htmx(web, "post", send(org, theirs), {"channel": "email", "body": "hi"}).status_code == 404
    with scope(organization=other_org):
        assert not OutboundMessage.objects.exists()
