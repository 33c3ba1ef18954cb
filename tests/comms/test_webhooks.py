"""Twilio's webhooks: only requests Twilio signed get in; each text is stored once; delivery reports
move a message's status forward only. Requests are signed with Twilio's own validator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from twilio.request_validator import RequestValidator

from coachos.comms import gateways, inbound, outbox, sender
from coachos.comms.models import InboundMessage, OutboundMessage, SmsOptOut
from coachos.tenancy.models import Organization
from tests.factories import OutboundMessageFactory

from ..concurrency import run_concurrently
from .conftest import PUBLIC_BASE, TWILIO_TOKEN, twilio_post

Status = OutboundMessage.Status
SMS = "/webhooks/twilio/sms"
STATUS = "/webhooks/twilio/status"
AFTERNOON = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 15:00 in Chicago
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def text(body: str, *, sid: str = "SM00000000000000000000000000000001", frm: str = "+13125550142",
         to: str = "+13125550199") -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": frm, "To": to, "Body": body,
            "NumMedia": "0"}


def report(sid: str, status: str, code: str = "") -> dict[str, str]:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": "+13125550142",
              "From": "+13125550199"}
    if code:
        params["ErrorCode"] = code
    return params


def inbound_count() -> int:
    with scopes_disabled():
        return InboundMessage.objects.count()


def test_the_url_names_sender_py_uses() -> None:
    assert reverse("twilio_webhooks:sms") == SMS
    assert reverse("twilio_webhooks:status") == STATUS


# --- who gets in --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_signed_text_is_stored_and_answered_with_empty_twiml(twilio: Any, sms_org: Organization,
                                                              texter: Any) -> None:
    response = twilio_post(SMS, text("Running 5 minutes late"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content == EMPTY_TWIML
    with scope(organization=sms_org):
        message = InboundMessage.objects.get()
    assert (message.provider_id, message.client, message.body) == (
        "SM00000000000000000000000000000001", texter, "Running 5 minutes late")


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_X_TWILIO_SIGNATURE": ""},
                                     {"HTTP_X_TWILIO_SIGNATURE": "bm90IGEgc2lnbmF0dXJl"}])
def test_unsigned_or_forged_requests_are_refused_and_change_nothing(twilio: Any, sms_org: Organization,
                                                                   texter: Any, headers: dict[str, str]) -> None:
    response = DjangoClient().post(SMS, text("STOP"), **headers)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert inbound_count() == 0
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()


@pytest.mark.django_db
def test_a_signature_made_with_another_token_is_refused(twilio: Any, sms_org: Organization, texter: Any) -> None:
    assert twilio_post(SMS, text("STOP"), token="someone-elses-token").status_code == 403
    assert inbound_count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "http://coach.example.com" + SMS,  # the scheme Twilio was not given
    "https://attacker.example.com" + SMS,  # another host
    PUBLIC_BASE + STATUS,  # a signature for the other webhook
    PUBLIC_BASE + SMS + "?x=1",  # another query string
])
def test_a_signature_for_another_url_is_refused(twilio: Any, sms_org: Organization, texter: Any, url: str) -> None:
    assert twilio_post(SMS, text("STOP"), url=url).status_code == 403
    assert inbound_count() == 0


@pytest.mark.django_db
def test_a_tampered_body_is_refused(twilio: Any, sms_org: Organization, texter: Any) -> None:
    params = text("Running late")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + SMS, params)
    response = DjangoClient().post(SMS, {**params, "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert inbound_count() == 0


@pytest.mark.django_db
def test_the_query_string_is_part_of_what_is_signed(twilio: Any, sms_org: Organization, texter: Any) -> None:
    params = text("Hello")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + SMS + "?tenant=a", params)
    response = DjangoClient().post(SMS + "?tenant=a", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    assert inbound_count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", [SMS, STATUS])
def test_no_auth_token_configured_is_503_even_for_a_signed_request(settings: Any, sms_org: Organization,
                                                                    texter: Any, path: str) -> None:
    settings.TWILIO_AUTH_TOKEN = ""
    settings.PUBLIC_BASE_URL = PUBLIC_BASE
    response = twilio_post(path, text("STOP") if path == SMS else report("SMx", "delivered"))
    assert response.status_code == 503
    assert "TWILIO_AUTH_TOKEN" in response.json()["detail"]
    assert inbound_count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", [SMS, STATUS])
def test_only_post(twilio: Any, path: str) -> None:
    assert DjangoClient().get(path).status_code == 405


@pytest.mark.django_db
def test_no_csrf_token_is_needed(twilio: Any, sms_org: Organization, texter: Any) -> None:
    client = DjangoClient(enforce_csrf_checks=True)
    assert twilio_post(SMS, text("Hello"), client=client).status_code == 200


@pytest.mark.django_db
def test_a_signed_request_without_the_fields_of_a_text_is_a_400(twilio: Any, sms_org: Organization) -> None:
    response = twilio_post(SMS, {"AccountSid": "AC1", "Body": "Y"})
    assert response.status_code == 400
    assert "MessageSid" in response.json()["detail"]
    assert inbound_count() == 0


@pytest.mark.django_db
def test_a_text_to_a_number_no_business_has_is_accepted_and_dropped(twilio: Any, sms_org: Organization,
                                                                   texter: Any, caplog: Any) -> None:
    caplog.set_level("INFO", logger="coachos.comms")
    response = twilio_post(SMS, text("STOP", to="+13125550100"))
    assert response.status_code == 200
    assert response.content == EMPTY_TWIML
    assert inbound_count() == 0
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()
    records = [r for r in caplog.records if r.name == "coachos.comms"]
    assert any(getattr(r, "provider_id", "") == "SM00000000000000000000000000000001" for r in records)
    assert "+1312555" not in "".join(str(r.__dict__) for r in records)


# --- once per MessageSid ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_repeated_message_sid_changes_nothing(twilio: Any, sms_org: Organization, texter: Any) -> None:
    first = twilio_post(SMS, text("HELP"))
    second = twilio_post(SMS, text("HELP"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert inbound_count() == 1
    with scope(organization=sms_org):
        assert OutboundMessage.objects.filter(kind="help_reply").count() == 1
    # Even a repeat with another body (a replay) is the same message: nothing new happens.
    assert twilio_post(SMS, text("STOP")).status_code == 200
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()
        assert InboundMessage.objects.get().handled_as == InboundMessage.Handling.HELP


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("twilio-race")
def test_two_deliveries_of_one_text_at_the_same_moment_act_once(twilio: Any, sms_org: Organization,
                                                                 texter: Any, sms_sent: list[Any]) -> None:
    """Twilio retries a slow webhook: both requests reach two workers at once. Real threads, each with
    its own database connection; the unique provider id lets exactly one of them act."""
    params = text("HELP", sid="SM000000000000000000000000000000ab")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + SMS, params)
    def deliver(_i: int) -> int:
        return DjangoClient().post(SMS, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code

    statuses = run_concurrently(deliver, 2, timeout=60).values
    assert sorted(statuses) == [200, 200]
    with scopes_disabled():
        assert InboundMessage.objects.filter(provider_id=params["MessageSid"]).count() == 1
        replies = list(OutboundMessage.objects.filter(kind="help_reply"))
    assert len(replies) == 1
    assert replies[0].status == Status.SENT  # sent on commit by the (eager) worker
    assert [s.to for s in sms_sent] == [texter.phone]


# --- delivery reports ---------------------------------------------------------------------------

def _sent(org: Organization, client: Any, sid: str = "SMdelivery0000000000000000000001", **kwargs: Any) -> Any:
    with scope(organization=org):
        return OutboundMessageFactory(organization=org, client=client, to=client.phone, sender=org.sms_number,
                                      status=kwargs.pop("status", Status.SENT), provider_id=sid,
                                      sent_at=AFTERNOON, **kwargs)


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_delivered_report_marks_the_message_delivered(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter)
    response = twilio_post(STATUS, report(message.provider_id, "delivered"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (Status.DELIVERED, AFTERNOON)


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_reports_never_move_a_message_backwards(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter, status=Status.SENDING)
    twilio_post(STATUS, report(message.provider_id, "queued"))
    message.refresh_from_db()
    assert message.status == Status.SENT
    twilio_post(STATUS, report(message.provider_id, "delivered"))
    for late in ("sent", "sending", "queued", "undelivered", "failed"):  # out of order, after the receipt
        twilio_post(STATUS, report(message.provider_id, late, "30003" if late in {"undelivered", "failed"} else ""))
    message.refresh_from_db()
    assert (message.status, message.error_code, message.last_error) == (Status.DELIVERED, "", "")


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_undelivered_report_records_the_code_and_a_readable_reason(twilio: Any, sms_org: Organization,
                                                                  texter: Any) -> None:
    message = _sent(sms_org, texter)
    twilio_post(STATUS, report(message.provider_id, "undelivered", "30003"))
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "30003")
    assert "unreachable" in message.last_error
    twilio_post(STATUS, report(message.provider_id, "sent"))  # a late "sent" does not undo the failure
    message.refresh_from_db()
    assert message.status == Status.FAILED


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_an_unknown_error_code_still_reads_well(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter)
    twilio_post(STATUS, report(message.provider_id, "failed", "30099"))
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "30099")
    assert "30099" in message.last_error


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_error_21610_records_an_opt_out(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter)
    twilio_post(STATUS, report(message.provider_id, "undelivered", "21610"))
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "21610")
    with scope(organization=sms_org):
        assert SmsOptOut.objects.get().phone == texter.phone
        assert SmsOptOut.objects.get().source == "provider"
        later = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                               context={"message": "again"})
    assert later is not None and later.status == Status.SUPPRESSED


@pytest.mark.django_db
def test_a_report_for_an_unknown_message_changes_nothing(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter)
    response = twilio_post(STATUS, report("SMnotours000000000000000000000000", "failed", "21610"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Status.SENT
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()


@pytest.mark.django_db
def test_a_forged_report_changes_nothing(twilio: Any, sms_org: Organization, texter: Any) -> None:
    message = _sent(sms_org, texter)
    assert twilio_post(STATUS, report(message.provider_id, "failed", "21610"), token="forged").status_code == 403
    assert DjangoClient().post(STATUS, report(message.provider_id, "failed", "21610")).status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_the_status_callback_sent_with_each_text_is_this_webhook(twilio: Any, sms_org: Organization,
                                                                 texter: Any) -> None:
    """End to end: the sender gives Twilio the callback URL; Twilio's report to it, signed over that
    URL, is accepted and marks the message delivered."""
    with scope(organization=sms_org):
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "Bring a towel."})
    assert message is not None
    assert sender.send_due() == {"sent": 1}
    [sms] = gateways.MemorySmsGateway.sent
    assert sms.status_callback == PUBLIC_BASE + STATUS
    message.refresh_from_db()
    response = twilio_post(STATUS, report(message.provider_id, "delivered"), url=sms.status_callback)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_error_text_is_readable_for_known_and_unknown_codes() -> None:
    assert "STOP" in inbound.error_text("21610")
    assert "12345" in inbound.error_text("12345")
    assert inbound.error_text("")


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_report_after_a_delay_keeps_the_first_delivery_time(twilio: Any, sms_org: Organization,
                                                           texter: Any) -> None:
    message = _sent(sms_org, texter)
    twilio_post(STATUS, report(message.provider_id, "delivered"))
    with time_machine.travel(AFTERNOON + timedelta(minutes=5), tick=False):
        twilio_post(STATUS, report(message.provider_id, "delivered"))
    message.refresh_from_db()
    assert message.delivered_at == AFTERNOON
