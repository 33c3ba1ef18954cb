"""The public booking page never books in an existing client's name without proof: every visitor
who is not signed in as a client of the business confirms their email with a 6-digit code that is
emailed to them (whether or not the email is known, so the page never tells)."""

# ruff: noqa: F811  (the fixtures clock and setup come from test_public_booking)
from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.comms.models import OutboundMessage
from coachos.scheduling.models import Booking, SlotHold
from coachos.scheduling.picker import encode_slot
from coachos.scheduling.services.errors import SchedulingError
from coachos.scheduling.services.public import (
    CODE_TRIES,
    CODES_PER_EMAIL_PER_HOUR,
    email_code_challenge,
    public_email_code_check,
    public_email_code_send,
)
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory, member
from .test_public_booking import (  # noqa: F401  (clock and setup are fixtures)
    NOW,
    book,
    clock,
    counts,
    details_data,
    emailed_code,
    hold_time,
    setup,
    url,
)

KNOWN = "ann@example.com"


@pytest.fixture
def ann(setup: dict[str, Any]) -> Client:
    """An existing client of the business, with her own name and phone."""
    return ClientFactory(organization=setup["org"], first_name="Annabel", last_name="Lee", email=KNOWN,
                         phone="+13125550111")


def code_url(details: str) -> str:
    return details + "code/"


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def bookings(org: Any) -> int:
    with scope(organization=org):
        return Booking.objects.count()


# --- the defect: an email alone books in a client's name -------------------------------------------

def test_an_unverified_visitor_cannot_book_as_an_existing_client(setup: dict[str, Any], ann: Client) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    before = counts(org)
    response = http.post(details, details_data(first_name="Mallory", phone="+1 312 555 0199"))
    # Not booked: the visitor is asked for the code emailed to Ann.
    assert response.status_code == 302 and urlparse(response["Location"]).path == code_url(details)
    assert counts(org) == before
    page = http.get(response["Location"]).content.decode()
    assert "We emailed a 6-digit code to <strong>ann@example.com</strong>" in page
    # Guessing does not book either, and the other pages do not skip the step.
    wrong = http.post(code_url(details), {"code": other_code(emailed_code(KNOWN))})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    again = http.post(details, details_data(first_name="Mallory"))
    assert urlparse(again["Location"]).path == code_url(details)
    assert counts(org) == before
    ann.refresh_from_db()
    assert (ann.first_name, ann.phone) == ("Annabel", "+13125550111")
    with scope(organization=org):
        assert SlotHold.objects.count() == 1  # still held while they look for the email


def test_the_emailed_code_books_it_for_the_existing_client(setup: dict[str, Any], ann: Client) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    response = book(http, details, details_data(first_name="Annie", phone=""))
    assert response.status_code == 302 and "/booked/" in response["Location"]
    with scope(organization=org):
        booking = Booking.objects.get()
        assert booking.client_id == ann.pk and Client.objects.count() == 1
        assert not SlotHold.objects.exists()
    assert "You're booked" in http.get(response["Location"]).content.decode()
    # The code works once: the same code again books nothing more (the hold is gone: to the confirmation).
    assert "/booked/" in http.post(code_url(details), {"code": emailed_code(KNOWN)})["Location"]
    assert bookings(org) == 1


def test_a_new_person_also_confirms_their_email_first(setup: dict[str, Any]) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data(email="new@example.com"))
    with scope(organization=org):
        assert not Client.objects.exists() and not Booking.objects.exists()
        message = OutboundMessage.objects.get(kind="booking_email_code")
    assert message.to == "new@example.com" and message.client_id is None
    assert "Your code to book with Northside Strength" == message.subject
    response = http.post(code_url(details), {"code": emailed_code("new@example.com")})
    assert "/booked/" in response["Location"]
    with scope(organization=org):
        assert Booking.objects.select_related("client").get().client.email == "new@example.com"


def _normalized(html: str, *, email: str, token: str, typed: str = "") -> str:
    """The page less what must differ: the email itself, the hold's token, CSRF tokens, the code typed."""
    html = html.replace(email, "EMAIL").replace(token, "TOKEN")
    if typed:
        html = html.replace(f'value="{typed}"', 'value="TYPED"')
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def _visit(setup: dict[str, Any], email: str) -> dict[str, Any]:
    """One visitor's way through the details and the code step, every response kept."""
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    token = details.rstrip("/").split("/")[-1]
    posted = http.post(details, details_data(email=email))
    page = http.get(posted["Location"])
    code = emailed_code(email)
    wrong = http.post(code_url(details), {"code": other_code(code)})
    with scopes_disabled():
        message = OutboundMessage.objects.get(kind="booking_email_code", to=email)
    seen = {
        "posted": (posted.status_code, posted["Location"].replace(token, "TOKEN")),
        "page": (page.status_code, _normalized(page.content.decode(), email=email, token=token)),
        "wrong": (wrong.status_code, _normalized(wrong.content.decode(), email=email, token=token,
                                                 typed=other_code(code))),
        "email": (message.subject, message.body.replace(code, "CODE"), message.status, message.client_id),
    }
    http.post(url("release", setup["org"], token=token))  # free the time for the next visitor
    return seen


def test_a_known_and_an_unknown_email_get_the_same_responses(setup: dict[str, Any], ann: Client) -> None:
    org = setup["org"]
    before = counts(org)
    known = _visit(setup, KNOWN)
    unknown = _visit(setup, "nobody.here@example.com")
    assert known == unknown
    assert known["posted"][0] == 302 and known["page"][0] == 200
    assert counts(org) == before


def test_five_wrong_codes_block_the_code_until_a_new_one(setup: dict[str, Any], ann: Client, clock: Any) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data())
    code = emailed_code(KNOWN)
    for left in range(CODE_TRIES - 1, 0, -1):
        html = http.post(code_url(details), {"code": other_code(code)}).content.decode()
        plural = "try" if left == 1 else "tries"
        assert f"That code is not right. Check the email and try again ({left} {plural} left)." in html
        assert f'value="{other_code(code)}"' in html  # what was typed stays in the field
    html = http.post(code_url(details), {"code": other_code(code)}).content.decode()
    assert "That code is not right, and that was the last try. Ask for a new code." in html
    # Now even the right code is refused.
    html = http.post(code_url(details), {"code": code}).content.decode()
    assert "Too many wrong tries. Ask for a new code." in html and "Send a new code" in html
    assert bookings(org) == 0
    # A new code (a minute later) works; the old one does not.
    clock.shift(timedelta(seconds=61))
    resent = http.post(code_url(details) + "resend/", follow=True).content.decode()
    assert "We sent a new code." in resent
    fresh = emailed_code(KNOWN)
    if fresh != code:  # one chance in a million that the new code is the old one
        assert "not right" in http.post(code_url(details), {"code": code}).content.decode()
    assert "/booked/" in http.post(code_url(details), {"code": fresh})["Location"]
    with scope(organization=org):
        assert Booking.objects.get().client_id == ann.pk


def test_a_code_that_is_not_six_digits_is_not_a_try(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data())
    for typed in ("", "12345", "abcdef", "1234567"):
        response = http.post(code_url(details), {"code": typed})
        assert response.status_code == 200
    assert "Enter the 6-digit code from the email." in response.content.decode()
    # Spaces and dashes as people type them are fine; no try was used above.
    code = emailed_code(KNOWN)
    assert "/booked/" in http.post(code_url(details), {"code": f"{code[:3]} {code[3:]}"})["Location"]


def test_an_expired_code_says_so_and_offers_a_new_one(setup: dict[str, Any], clock: Any) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data())
    code = emailed_code(KNOWN)
    with scope(organization=org):  # the hold outlives the code here (say, the coach extended it)
        SlotHold.objects.update(expires_at=NOW + timedelta(hours=1))
    clock.shift(timedelta(minutes=10, seconds=1))
    response = http.post(code_url(details), {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This code has expired. Ask for a new code." in html
    assert '<button type="submit">Send a new code</button>' in html
    assert bookings(org) == 0
    http.post(code_url(details) + "resend/")
    assert "/booked/" in http.post(code_url(details), {"code": emailed_code(KNOWN)})["Location"]


def test_sending_a_code_keeps_the_time_held(setup: dict[str, Any], clock: Any) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    clock.shift(timedelta(minutes=8))  # filling in the form took a while
    http.post(details, details_data())
    with scope(organization=setup["org"]):
        assert SlotHold.objects.get().expires_at == NOW + timedelta(minutes=18)
    clock.shift(timedelta(minutes=5))  # past the first 10 minutes: the code still books it
    assert "/booked/" in http.post(code_url(details), {"code": emailed_code(KNOWN)})["Location"]


def test_resending_is_limited(setup: dict[str, Any], clock: Any) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data())
    html = http.post(code_url(details) + "resend/", follow=True).content.decode()
    assert "We just sent a code to this email. You can ask for a new one in a minute." in html
    for _ in range(CODES_PER_EMAIL_PER_HOUR - 1):
        clock.shift(timedelta(seconds=61))
        assert "We sent a new code." in http.post(code_url(details) + "resend/", follow=True).content.decode()
    clock.shift(timedelta(seconds=61))
    html = http.post(code_url(details) + "resend/", follow=True).content.decode()
    assert "Too many codes were asked for. Please try again in an hour." in html
    with scopes_disabled():
        assert OutboundMessage.objects.filter(kind="booking_email_code").count() == CODES_PER_EMAIL_PER_HOUR


def test_changing_the_details_keeps_what_was_typed(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data(note="Bad knee"))
    html = http.get(details).content.decode()
    assert 'value="Ann"' in html and 'value="ann@example.com"' in html and "Bad knee" in html
    # The same email again within the minute: the code already sent still works.
    response = http.post(details, details_data(note="Bad left knee"))
    assert urlparse(response["Location"]).path == code_url(details)
    assert "/booked/" in http.post(code_url(details), {"code": emailed_code(KNOWN)})["Location"]
    with scope(organization=setup["org"]):
        assert Booking.objects.get().note == "Bad left knee"


def test_a_signed_in_person_who_is_not_a_client_here_confirms_their_email(setup: dict[str, Any],
                                                                       ann: Client) -> None:
    coach = member(setup["org"], Role.COACH, email="coach@example.com")
    http = login_as(coach)
    details = hold_time(http, setup)["Location"]
    response = http.post(details, details_data())
    assert urlparse(response["Location"]).path == code_url(details)
    assert bookings(setup["org"]) == 0


def test_neither_the_email_nor_the_code_is_logged(setup: dict[str, Any], ann: Client,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    http.post(details, details_data())
    code = emailed_code(KNOWN)
    http.post(code_url(details), {"code": other_code(code)})
    http.post(code_url(details), {"code": code})
    assert bookings(setup["org"]) == 1
    assert caplog.records
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        assert KNOWN not in text and code not in text and other_code(code) not in text


# --- another business ------------------------------------------------------------------------------

@pytest.fixture
def other(other_org: Any, setup: dict[str, Any]) -> dict[str, Any]:
    coach = CoachFactory(organization=other_org, min_notice_minutes=60)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    return {"org": other_org, "coach": coach, "type": SessionTypeFactory(organization=other_org)}


def test_a_code_issued_by_one_business_is_useless_at_another(setup: dict[str, Any], other: dict[str, Any],
                                                             ann: Client) -> None:
    org_a, org_b = setup["org"], other["org"]
    challenge = email_code_challenge()
    with scope(organization=org_a):
        public_email_code_send(organization=org_a, email=KNOWN, challenge=challenge)
    code = emailed_code(KNOWN)
    with scope(organization=org_b), pytest.raises(SchedulingError) as refused:
        public_email_code_check(organization=org_b, email=KNOWN, challenge=challenge, code=code)
    assert refused.value.code == "code_expired"
    with scope(organization=org_a):  # the code itself was right, at its own business
        public_email_code_check(organization=org_a, email=KNOWN, challenge=challenge, code=code)


def test_another_business_page_does_not_take_a_hold_or_code_from_this_one(setup: dict[str, Any],
                                                                          other: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    token = details.rstrip("/").split("/")[-1]
    http.post(details, details_data())
    code = emailed_code(KNOWN)
    # A's hold and code under B's address: no such hold there.
    response = http.post(url("code", other["org"], token=token), {"code": code})
    assert response.status_code == 302 and response["Location"] == url("index", other["org"])
    assert http.post(url("code_resend", other["org"], token=token)).status_code == 302
    # B's own hold, A's code: wrong (the code is bound to A, this visitor's attempt and the email).
    b_slot = encode_slot(other["coach"].pk, datetime(2026, 6, 2, 10, 0, tzinfo=other["org"].tzinfo))
    b_details = http.post(url("hold", other["org"]), {"type": other["type"].pk, "slot": b_slot})["Location"]
    http.post(b_details, details_data(email="ann.b@example.com"))
    b_code = emailed_code("ann.b@example.com")
    if b_code != code:
        assert "not right" in http.post(code_url(b_details), {"code": code}).content.decode()
    assert bookings(setup["org"]) == 0 and bookings(other["org"]) == 0
    with scopes_disabled():
        assert OutboundMessage.objects.filter(organization=other["org"], to=KNOWN).count() == 0
