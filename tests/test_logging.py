"""A logged-in person's requests write no email, phone, name, user id, session key or token to the logs."""

from __future__ import annotations

import copy
import logging
import logging.config
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as DjangoClient

from coachos.accounts.services import api_token_create
from coachos.tenancy.roles import Role

from .factories import ClientFactory, MembershipFactory, OrganizationFactory, UserFactory

EMAIL = "zanzibar.quillfeather@leakcheck.example"
NAME = "Zanzibar Quillfeather"
PHONE = "+13125550177"
USER_PK = 987654
PASSWORD = "correct-horse-battery"


class CaptureHandler(logging.Handler):
    """Formats every record the way settings.LOGGING would: both formatters, behind the same filters."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        config = copy.deepcopy(settings.LOGGING)
        configurator = logging.config.DictConfigurator(config)
        self.formatters = {
            name: configurator.configure_formatter(copy.deepcopy(spec))
            for name, spec in settings.LOGGING["formatters"].items()
        }
        for name in settings.LOGGING["handlers"]["console"].get("filters", []):
            self.addFilter(configurator.configure_filter(copy.deepcopy(settings.LOGGING["filters"][name])))
        self.records: list[dict[str, Any]] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        for formatter in self.formatters.values():
            self.lines.append(formatter.format(record))
        self.records.append(dict(record.__dict__))


@pytest.fixture
def captured() -> Iterator[CaptureHandler]:
    handler = CaptureHandler()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_the_capture_uses_the_configured_formatters_and_filter(captured: CaptureHandler):
    assert {type(f).__module__ + "." + type(f).__name__ for f in captured.formatters.values()} == {
        "pythonjsonlogger.json.JsonFormatter", "coachos.common.logging.TextFormatter"
    }
    logging.getLogger("coachos.test").debug("probe", extra={"order_id": 7, "request": object()})
    assert len(captured.records) == 1
    assert "request" not in captured.records[0]  # RedactFilter dropped it
    assert any('"order_id": 7' in line for line in captured.lines)
    assert any("order_id=7" in line for line in captured.lines)


@pytest.mark.django_db
def test_a_logged_in_session_writes_no_personal_data_to_the_logs(captured: CaptureHandler):
    gym = OrganizationFactory(name="Leakcheck Gym", slug="leakcheck-gym")
    yoga = OrganizationFactory(name="Other Yoga", slug="other-yoga")
    user = UserFactory(pk=USER_PK, email=EMAIL, name=NAME)
    MembershipFactory(organization=gym, user=user, role=Role.OWNER)
    MembershipFactory(organization=yoga, user=user, role=Role.CLIENT)
    ClientFactory(organization=yoga, user=user, email=EMAIL, first_name="Zanzibar", last_name="Quillfeather",
                  phone=PHONE)
    gym_client = ClientFactory(organization=gym, email=EMAIL, first_name="Zanzibar", last_name="Quillfeather",
                               phone=PHONE)
    _token, raw_token = api_token_create(user=user, organization=gym, name="logging test")
    captured.records.clear()
    captured.lines.clear()

    # A fixed request id keeps random hex out of the lines searched for the user id.
    browser = DjangoClient(HTTP_X_REQUEST_ID="logcheck")
    session_keys: set[str] = set()

    def remember_session() -> None:
        if "sessionid" in browser.cookies:
            session_keys.add(browser.cookies["sessionid"].value)

    assert browser.get("/accounts/login/").status_code == 200
    response = browser.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    remember_session()
    assert session_keys, "the login set no session cookie"

    pages = {
        "/": 302,
        "/o/leakcheck-gym/": 200,
        "/o/leakcheck-gym/settings/": 200,
        "/o/leakcheck-gym/team/": 200,
        "/o/leakcheck-gym/audit/": 200,
        "/portal/other-yoga/": 200,
        "/portal/leakcheck-gym/": 403,
        "/businesses/": 200,
        "/account/api-tokens/": 200,
        "/o/leakcheck-gym/no-such-page/": 404,
        "/o/no-such-business/": 404,
    }
    for url, status in pages.items():
        assert browser.get(url).status_code == status, url
        remember_session()
    response = browser.post("/o/leakcheck-gym/settings/", {
        "name": "Leakcheck Gym", "slug": "leakcheck-gym", "timezone": "Europe/Dublin", "currency": "EUR",
        "locale": "en", "phone": "12345", "quiet_hours_start": "21:00", "quiet_hours_end": "08:00",
    })
    assert response.status_code == 200  # the phone is refused
    response = browser.post("/o/leakcheck-gym/team/", {"email": "new.coach@leakcheck.example", "role": "coach"})
    assert response.status_code == 302
    remember_session()

    api = DjangoClient(HTTP_AUTHORIZATION=f"Bearer {raw_token}", HTTP_X_REQUEST_ID="logcheck")
    assert api.get("/api/v1/me").json()["email"] == EMAIL
    assert api.get(f"/api/v1/clients/{gym_client.pk}").json()["phone"] == PHONE
    assert api.get("/api/v1/clients/999999999").status_code == 404
    assert DjangoClient(HTTP_AUTHORIZATION="Bearer cos_wrong_token", HTTP_X_REQUEST_ID="logcheck").get("/api/v1/me").status_code == 401

    forbidden = {
        "email": EMAIL, "email local part": EMAIL.split("@")[0], "name": NAME, "first name": "Zanzibar",
        "last name": "Quillfeather", "phone": PHONE, "phone digits": PHONE.lstrip("+"),
        "password": PASSWORD, "API token": raw_token, "invitee email": "new.coach@leakcheck.example",
        **{f"session key {n}": key for n, key in enumerate(sorted(session_keys))},
    }
    # An id is a number on its own: "987654" inside a timestamp's digits is not a user id.
    user_id = re.compile(rf"(?<!\d){USER_PK}(?!\d)")

    assert captured.lines, "nothing was logged: the capture is broken"
    leaks = []
    for line in captured.lines:
        for what, value in forbidden.items():
            if value.lower() in line.lower():
                leaks.append(f"{what} in line: {line}")
        if user_id.search(line):
            leaks.append(f"user id in line: {line}")
    for record in captured.records:
        for attr, value in record.items():
            text = value if isinstance(value, str) else repr(value)
            for what, secret in forbidden.items():
                if secret.lower() in text.lower():
                    leaks.append(f"{what} in {record['name']} record attribute {attr}: {text[:200]}")
            if user_id.search(text):
                leaks.append(f"user id in {record['name']} record attribute {attr}: {text[:200]}")
    assert not leaks, "\n".join(leaks)

    requests = [r for r in captured.records if r["name"] == "coachos.request"]
    seen = {(r["method"], r["route"], r["status"]) for r in requests}
    assert ("POST", "accounts/login/", 302) in seen
    assert ("GET", "o/<slug:org_slug>/", 200) in seen
    assert ("GET", "o/<slug:org_slug>/settings/", 200) in seen
    assert ("GET", "portal/<slug:org_slug>/", 200) in seen
    assert ("GET", "api/v1/me", 200) in seen
    assert ("GET", "api/v1/clients/<client_id>", 200) in seen
    assert {403, 404} <= {status for _method, _route, status in seen}
    assert all(isinstance(r["duration_ms"], float) and r["request_id"] == "logcheck" for r in requests)
    # One line per request, each naming the route pattern rather than the raw path.
    assert len(requests) >= len(pages) + 6
    assert not any("leakcheck-gym" in str(r["route"]) for r in requests)
