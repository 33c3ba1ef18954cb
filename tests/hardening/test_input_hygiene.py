"""Input hygiene (issue #21): names lose bidirectional overrides and control characters (one cleaner,
coachos.common.text.clean_name, in the services behind the pages and the API); expense dates stay in
the books' range; "localtime" (and any name that is no IANA zone) is no business time zone."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.accounts.services import invitation_create, invitation_signup
from coachos.books.models import Expense
from coachos.clients.models import Client, Tag
from coachos.common import moments
from coachos.common.text import clean_name
from coachos.scheduling.models import SessionType
from coachos.tenancy.models import Membership, Organization, validate_timezone
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_update
from tests.conftest import bearer, login_as

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Ann\u202eeL" shows as "AnnLe"
TRICKS = f"{RLO}Ann\u2066\u200b Lee\x1b[31m\t\u2028"  # NUL: refused outright by the API's text types


def post(http: DjangoClient, url: str, body: Any, headers: dict[str, str], method: str = "post") -> Any:
    return getattr(http, method)(url, json.dumps(body), content_type="application/json", **headers)


def test_the_cleaner() -> None:
    assert clean_name(TRICKS) == "Ann Lee [31m"
    assert clean_name("Ann\x00Lee") == "Ann Lee"
    assert clean_name("  Zoë   O\u2019Brien ") == "Zoë O\u2019Brien"
    assert clean_name("\u0645\u200c\u06cc") == "\u0645\u200c\u06cc"  # the zero-width non-joiner Persian needs stays
    assert clean_name("👩\u200d💻") == "👩\u200d💻"  # and the joiner of an emoji sequence
    assert clean_name(f"{RLO}\u202c\x00") == ""


def test_client_and_tag_names_via_the_api(org: Any, owner: Any) -> None:
    auth = bearer(owner, org)
    http = DjangoClient()
    response = post(http, "/api/v1/clients", {"first_name": TRICKS, "last_name": f"Lee{RLO}", "tags": [f"VIP{RLO}"]},
                    auth)
    assert response.status_code == 201, response.content
    with scope(organization=org):
        client = Client.objects.get()
        assert (client.first_name, client.last_name) == ("Ann Lee [31m", "Lee")
        assert list(Tag.objects.values_list("name", flat=True)) == ["VIP"]
    response = post(http, f"/api/v1/clients/{client.pk}", {"last_name": f"{RLO}Smith\n"}, auth, method="patch")
    assert response.status_code == 200, response.content
    assert response.json()["last_name"] == "Smith"


def test_a_name_of_nothing_but_tricks_is_refused(org: Any, owner: Any) -> None:
    response = post(DjangoClient(), "/api/v1/clients", {"first_name": f"{RLO}\u200b\t"}, bearer(owner, org))
    assert response.status_code == 422
    with scope(organization=org):
        assert not Client.objects.exists()


def test_client_names_via_the_back_office_form(org: Any, owner: Any) -> None:
    response = login_as(owner).post(f"/o/{org.slug}/clients/new/", {"first_name": f"Dana{RLO}", "last_name": "Ng\x1b",
                                                                      "status": "active"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with scope(organization=org):
        assert Client.objects.values_list("first_name", "last_name").get() == ("Dana", "Ng")


def test_business_and_session_type_names(org: Any, owner: Any) -> None:
    with scope(organization=org):
        organization_update(organization=org, actor=owner, data={"name": f"North{RLO}side\n"})
    assert Organization.objects.get(pk=org.pk).name == "Northside"
    auth = bearer(owner, org)
    response = post(DjangoClient(), "/api/v1/session-types",
                    {"name": f"{RLO}Boxing\u2066", "duration_minutes": 60, "capacity": 1, "price_minor": 0}, auth)
    assert response.status_code == 201, response.content
    with scope(organization=org):
        assert SessionType.objects.get().name == "Boxing"


def test_user_names(org: Any, owner: Any) -> None:
    with scope(organization=org):
        invitation = invitation_create(organization=org, actor=owner, email="new@example.com", role=Role.COACH,
                                       actor_membership=Membership.objects.get(user=owner), name=f"Sam{RLO} Coach")
        assert invitation.name == "Sam Coach"
        user, _membership = invitation_signup(invitation=invitation, name=f"{RLO}Sam\x00 Coach",
                                              password="a long passphrase 42")
    assert user.name == "Sam Coach"


# --- time zones -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["localtime", "Factory", "posix/Europe/London", "right/UTC", "Mars/Olympus"])
def test_a_name_that_is_no_iana_zone_is_no_business_zone(org: Any, owner: Any, name: str) -> None:
    assert not moments.is_zone(name)
    with pytest.raises(ValidationError):
        validate_timezone(name)
    response = post(DjangoClient(), "/api/v1/organization", {"timezone": name}, bearer(owner, org), method="patch")
    assert response.status_code == 422, response.content
    assert Organization.objects.get(pk=org.pk).timezone == "America/Chicago"


def test_iana_names_still_are(org: Any, owner: Any) -> None:
    for name in ("America/Chicago", "UTC", "Europe/London", "Asia/Kolkata"):
        assert moments.is_zone(name)
        validate_timezone(name)


# --- expense dates -------------------------------------------------------------------------------------

@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
def test_expense_dates_stay_in_the_books_range(org: Any, owner: Any) -> None:
    auth = bearer(owner, org)
    http = DjangoClient()
    body = {"amount_minor": 1500, "category": "rent"}
    for day in ("1999-12-31", "2027-06-03", "2199-12-31"):
        response = post(http, "/api/v1/expenses", {**body, "date": day}, auth)
        assert response.status_code == 422, (day, response.content)
        assert "Give a date between January 1, 2000 and June 2, 2027." in response.json()["detail"]
    form = login_as(owner).post(f"/o/{org.slug}/books/expenses/new/",
                                {"date": "2206-06-01", "amount": "15.00", "category": "rent"})
    assert form.status_code == 200
    assert "Give a date between January 1, 2000 and June 2, 2027." in form.content.decode()
    with scope(organization=org):
        assert not Expense.objects.exists()
    for day in ("2000-01-01", (date(2026, 6, 1) + timedelta(days=366)).isoformat(), "2026-05-31"):
        assert post(http, "/api/v1/expenses", {**body, "date": day}, auth).status_code == 201, day
