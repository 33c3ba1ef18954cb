"""A full class's waitlist on the public page asks for the same emailed 6-digit code as booking
does: an email alone never puts an existing client on a waitlist nor touches their record, and the
page never tells whether the email is a client's."""

# ruff: noqa: F811  (the fixtures clock, setup and group come from test_public_booking)
from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.comms.models import OutboundMessage
from coachos.scheduling.models import WaitlistEntry
from coachos.scheduling.services.public import CODE_TRIES, CODES_PER_EMAIL_PER_HOUR
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)
from .test_public_booking import (  # noqa: F401  (clock, setup and group are fixtures)
    CHICAGO,
    clock,
    emailed_code,
    group,
    setup,
    url,
)

KNOWN = "ann@example.com"


@pytest.fixture
def ann(group: dict[str, Any]) -> Client:
    """An existing client of the business; no last name on file (an unverified form must not fill it)."""
    return ClientFactory(organization=group["org"], first_name="Annabel", last_name="", email=KNOWN,
                         phone="+13125550111")


def form_data(session: Any, **overrides: str) -> dict[str, Any]:
    return {"session": session.pk, "first_name": "Mallory", "last_name": "Mallet", "email": KNOWN, **overrides}


def waitlist_url(org: Any, session: Any) -> str:
    return f"{url('waitlist', org)}?session={session.pk}"


def code_url(org: Any, session: Any) -> str:
    return f"{url('waitlist_code', org)}?session={session.pk}"


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def entries(org: Any) -> list[tuple[int, int]]:
    with scope(organization=org):
        return list(WaitlistEntry.objects.values_list("session_id", "client_id"))


def ask_code(http: DjangoClient, org: Any, session: Any, **overrides: str) -> Any:
    response = http.post(url("waitlist", org), form_data(session, **overrides))
    assert response.status_code == 302, response.content
    assert response["Location"] == code_url(org, session)
    return response


# --- the defect: an email alone joins the waitlist in a client's name ------------------------------

def test_an_unverified_visitor_cannot_put_an_existing_client_on_the_waitlist(group: dict[str, Any],
                                                                              ann: Client) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    response = http.post(url("waitlist", org), form_data(full))
    # Not joined: the visitor is asked for the code emailed to Ann.
    assert response.status_code == 302 and response["Location"] == code_url(org, full)
    page = http.get(response["Location"]).content.decode()
    assert "We emailed a 6-digit code to <strong>ann@example.com</strong>. Enter it to join the waitlist." in page
    assert "Bootcamp" in page and "Confirm booking" not in page
    # Guessing does not join either; the form again does not skip the step.
    wrong = http.post(code_url(org, full), {"code": other_code(emailed_code(KNOWN))})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    again = http.post(url("waitlist", org), form_data(full))
    assert again.status_code == 302 and again["Location"] == code_url(org, full)
    assert entries(org) == []
    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name, ann.status) == ("Annabel", "", Client.Status.ACTIVE)
    with scope(organization=org):
        assert Client.objects.filter(email__iexact=KNOWN).count() == 1


def test_the_emailed_code_puts_the_existing_client_on_the_waitlist(group: dict[str, Any], ann: Client) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full)
    code = emailed_code(KNOWN)
    response = http.post(code_url(org, full), {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 200 and "You're on the waitlist" in response.content.decode()
    assert entries(org) == [(full.pk, ann.pk)]
    ann.refresh_from_db()
    # Proven hers: an empty field is filled, her own name is not replaced.
    assert (ann.first_name, ann.last_name) == ("Annabel", "Mallet")
    # The code works once: the same code again adds nothing (back to the form).
    again = http.post(code_url(org, full), {"code": code})
    assert again.status_code == 302 and again["Location"] == waitlist_url(org, full)
    assert len(entries(org)) == 1


def test_a_new_person_also_confirms_their_email_first(group: dict[str, Any]) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full, first_name="Wes", last_name="Wait", email="wes@example.com")
    with scope(organization=org):
        assert not Client.objects.filter(email="wes@example.com").exists()
        message = OutboundMessage.objects.get(kind="booking_email_code")
    assert message.to == "wes@example.com" and message.client_id is None
    response = http.post(code_url(org, full), {"code": emailed_code("wes@example.com")})
    assert "You're on the waitlist" in response.content.decode()
    with scope(organization=org):
        entry = WaitlistEntry.objects.select_related("client").get()
        assert entry.session_id == full.pk and entry.status == WaitlistEntry.Status.WAITING
        assert entry.client.email == "wes@example.com" and entry.client.status == Client.Status.LEAD
        assert (entry.client.first_name, entry.client.last_name) == ("Wes", "Wait")


def test_a_signed_in_client_of_the_business_joins_without_a_code(group: dict[str, Any]) -> None:
    org, full = group["org"], group["full"]
    user = member(org, Role.CLIENT, email="olivia@example.com")
    client = ClientFactory(organization=org, user=user, email="olivia@example.com")
    http = login_as(user)
    form = http.get(waitlist_url(org, full)).content.decode()
    assert "6-digit code" not in form
    response = http.post(url("waitlist", org), form_data(full, first_name=client.first_name,
                                                         last_name=client.last_name, email="x@example.com"))
    assert response.status_code == 200 and "You're on the waitlist" in response.content.decode()
    assert entries(org) == [(full.pk, client.pk)]
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(kind="booking_email_code").exists()


def test_a_signed_in_person_who_is_not_a_client_here_confirms_their_email(group: dict[str, Any],
                                                                       ann: Client) -> None:
    org, full = group["org"], group["full"]
    http = login_as(member(org, Role.COACH, email="coach@example.com"))
    ask_code(http, org, full)
    assert entries(org) == []


# --- the same responses for a known and an unknown email ------------------------------------------

def _normalized(html: str, *, email: str, typed: str = "") -> str:
    html = html.replace(email, "EMAIL")
    if typed:
        html = html.replace(f'value="{typed}"', 'value="TYPED"')
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def _visit(group: dict[str, Any], email: str) -> dict[str, Any]:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    form = http.get(waitlist_url(org, full))
    posted = http.post(url("waitlist", org), form_data(full, email=email))
    page = http.get(posted["Location"])
    code = emailed_code(email)
    wrong = http.post(code_url(org, full), {"code": other_code(code)})
    back = http.get(waitlist_url(org, full))
    with scopes_disabled():
        message = OutboundMessage.objects.get(kind="booking_email_code", to=email)
    return {
        "form": (form.status_code, _normalized(form.content.decode(), email=email)),
        "posted": (posted.status_code, posted["Location"]),
        "page": (page.status_code, _normalized(page.content.decode(), email=email)),
        "wrong": (wrong.status_code, _normalized(wrong.content.decode(), email=email, typed=other_code(code))),
        "back": (back.status_code, _normalized(back.content.decode(), email=email)),
        "email": (message.subject, message.body.replace(code, "CODE"), message.status, message.client_id),
    }


def test_a_known_and_an_unknown_email_get_the_same_responses(group: dict[str, Any], ann: Client) -> None:
    org = group["org"]
    with scope(organization=org):
        clients_before = Client.objects.count()
    known = _visit(group, KNOWN)
    unknown = _visit(group, "nobody.here@example.com")
    assert known == unknown
    assert known["posted"][0] == 302 and known["page"][0] == 200 and known["wrong"][0] == 200
    assert entries(org) == []
    with scope(organization=org):
        assert Client.objects.count() == clients_before


# --- the code step as on the booking page ----------------------------------------------------------

def test_going_back_keeps_what_was_typed(group: dict[str, Any], ann: Client) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full, first_name="Annie", last_name="Lee")
    page = http.get(code_url(org, full)).content.decode()
    assert f'href="{waitlist_url(org, full)}"' in page  # "Change your details or email"
    form = http.get(waitlist_url(org, full)).content.decode()
    assert 'value="Annie"' in form and 'value="Lee"' in form and f'value="{KNOWN}"' in form
    # The same email again within the minute: the code already sent still works.
    ask_code(http, org, full, first_name="Annie", last_name="Lee")
    assert "You're on the waitlist" in http.post(code_url(org, full),
                                                 {"code": emailed_code(KNOWN)}).content.decode()
    with scopes_disabled():
        assert OutboundMessage.objects.filter(kind="booking_email_code").count() == 1


def test_five_wrong_codes_block_the_code_until_a_new_one(group: dict[str, Any], ann: Client, clock: Any) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full)
    code = emailed_code(KNOWN)
    for _ in range(CODE_TRIES):
        html = http.post(code_url(org, full), {"code": other_code(code)}).content.decode()
        assert f'value="{other_code(code)}"' in html  # what was typed stays in the field
    assert "that was the last try. Ask for a new code." in html
    html = http.post(code_url(org, full), {"code": code}).content.decode()
    assert "Too many wrong tries. Ask for a new code." in html and "Send a new code" in html
    assert entries(org) == []
    clock.shift(timedelta(seconds=61))
    resend = f"{url('waitlist_code_resend', org)}?session={full.pk}"
    assert "We sent a new code." in http.post(resend, follow=True).content.decode()
    assert "You're on the waitlist" in http.post(code_url(org, full),
                                                 {"code": emailed_code(KNOWN)}).content.decode()
    assert entries(org) == [(full.pk, ann.pk)]


def test_an_expired_code_says_so_and_resending_is_limited(group: dict[str, Any], clock: Any) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full)
    code = emailed_code(KNOWN)
    clock.shift(timedelta(minutes=10, seconds=1))
    html = http.post(code_url(org, full), {"code": code}).content.decode()
    assert "This code has expired. Ask for a new code." in html
    assert '<button type="submit">Send a new code</button>' in html
    resend = f"{url('waitlist_code_resend', org)}?session={full.pk}"
    for _ in range(CODES_PER_EMAIL_PER_HOUR - 1):
        assert "We sent a new code." in http.post(resend, follow=True).content.decode()
        assert "We just sent a code" in http.post(resend, follow=True).content.decode()
        clock.shift(timedelta(seconds=61))
    assert "Too many codes were asked for." in http.post(resend, follow=True).content.decode()
    with scopes_disabled():
        assert OutboundMessage.objects.filter(kind="booking_email_code").count() == CODES_PER_EMAIL_PER_HOUR
    assert entries(org) == []


def test_the_code_page_without_a_code_asked_goes_back_to_the_form(group: dict[str, Any]) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    response = http.post(code_url(org, full), {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == waitlist_url(org, full)
    assert entries(org) == []


def test_neither_the_email_nor_the_code_is_logged(group: dict[str, Any], ann: Client,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    org, full = group["org"], group["full"]
    http = DjangoClient()
    ask_code(http, org, full)
    code = emailed_code(KNOWN)
    http.post(code_url(org, full), {"code": other_code(code)})
    http.post(code_url(org, full), {"code": code})
    assert len(entries(org)) == 1
    assert caplog.records
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        assert KNOWN not in text and code not in text and other_code(code) not in text


# --- another business ------------------------------------------------------------------------------

@pytest.fixture
def other(other_org: Any, group: dict[str, Any]) -> dict[str, Any]:
    """Business B with a full class of its own and its own client with Ann's email."""
    coach = CoachFactory(organization=other_org)
    bootcamp = SessionTypeFactory(organization=other_org, name="Bootcamp B", capacity=2, duration_minutes=60)
    starts = datetime.combine(datetime(2026, 6, 10).date(), time(18), tzinfo=CHICAGO)
    full = TrainingSessionFactory(coach=coach, session_type=bootcamp, starts_at=starts,
                                  ends_at=starts + timedelta(hours=1), capacity=2)
    for _ in range(2):
        BookingFactory(session=full)
    ann_b = ClientFactory(organization=other_org, first_name="Ann", last_name="", email=KNOWN)
    return {"org": other_org, "full": full, "ann": ann_b}


def test_a_code_from_one_business_is_useless_at_another(group: dict[str, Any], other: dict[str, Any],
                                                        ann: Client, clock: Any) -> None:
    org_a, full_a = group["org"], group["full"]
    org_b, full_b = other["org"], other["full"]
    http = DjangoClient()
    ask_code(http, org_a, full_a)
    code_a = emailed_code(KNOWN)
    # A's class under B's address: no such class there.
    assert http.post(code_url(org_b, full_a), {"code": code_a}).status_code == 404
    assert http.post(f"{url('waitlist_code_resend', org_b)}?session={full_a.pk}").status_code == 404
    # B's own class: no code asked there yet, so A's code leads back to B's form.
    response = http.post(code_url(org_b, full_b), {"code": code_a})
    assert response.status_code == 302 and response["Location"] == waitlist_url(org_b, full_b)
    # B's code step for the same email (a minute later), A's code: not right there.
    clock.shift(timedelta(seconds=61))  # one code a minute per email
    ask_code(http, org_b, full_b)
    code_b = emailed_code(KNOWN)
    if code_b != code_a:  # one chance in a million that B's code is A's
        html = http.post(code_url(org_b, full_b), {"code": code_a}).content.decode()
        assert "That code is not right" in html
    assert entries(org_a) == [] and entries(org_b) == []
    other["ann"].refresh_from_db()
    assert other["ann"].last_name == ""
    # B's own code joins B's waitlist as B's client.
    assert "You're on the waitlist" in http.post(code_url(org_b, full_b), {"code": code_b}).content.decode()
    assert entries(org_b) == [(full_b.pk, other["ann"].pk)] and entries(org_a) == []
