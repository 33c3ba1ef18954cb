"""Business settings (page and API) and the append-only audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.tenancy import audit
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import member

pytestmark = pytest.mark.django_db

SNAPSHOT_FIELDS = (
    "name", "slug", "timezone", "currency", "locale", "phone", "sms_number", "address",
    "quiet_hours_start", "quiet_hours_end", "updated_at",
)


def form_data(org: Organization, **changes: str) -> dict[str, str]:
    """What the settings form posts when nothing is touched, with ``changes`` typed in.
    Built from the form itself, so a field added later is posted as the browser would."""
    from coachos.tenancy.forms import OrganizationSettingsForm

    form = OrganizationSettingsForm(instance=org)
    data: dict[str, str] = {}
    for name in form.fields:
        value = form[name].value()
        if name == "logo":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%H:%M")
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


def snapshot(org: Organization) -> dict[str, Any]:
    fresh = Organization.objects.get(pk=org.pk)
    return {field: getattr(fresh, field) for field in SNAPSHOT_FIELDS}


def audit_count(org: Organization) -> int:
    with scope(organization=org):
        return AuditEntry.objects.count()


def settings_url(org: Organization) -> str:
    return f"/o/{org.slug}/settings/"


def test_owner_saves_settings_and_the_change_is_audited(org: Organization, owner: Any, web: DjangoClient):
    response = web.post(settings_url(org), form_data(
        org, name="Northside S&C", timezone="Europe/Berlin", quiet_hours_start="22:00", quiet_hours_end="07:30",
    ))
    assert response.status_code == 302
    assert response.headers["Location"] == settings_url(org)

    org.refresh_from_db()
    assert org.name == "Northside S&C"
    assert org.timezone == "Europe/Berlin"
    assert org.quiet_hours_start.strftime("%H:%M") == "22:00"
    assert org.quiet_hours_end.strftime("%H:%M") == "07:30"
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="organization.updated")
    assert entry.actor == owner
    assert entry.object_type == "tenancy.Organization"
    assert entry.object_id == str(org.pk)
    assert entry.data == {
        "changed": {
            "name": ["Northside Strength", "Northside S&C"],
            "timezone": ["America/Chicago", "Europe/Berlin"],
            "quiet_hours_start": ["21:00", "22:00"],
            "quiet_hours_end": ["08:00", "07:30"],
        }
    }
    page = web.get(settings_url(org))
    assert "Settings saved." in page.content.decode()


def test_saving_without_changes_writes_no_audit_entry(org: Organization, web: DjangoClient):
    response = web.post(settings_url(org), form_data(org))
    assert response.status_code == 302
    assert audit_count(org) == 0


def test_changing_the_address_moves_the_business(org: Organization, web: DjangoClient):
    response = web.post(settings_url(org), form_data(org, slug="northside-sc"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/o/northside-sc/settings/"
    org.refresh_from_db()
    assert org.slug == "northside-sc"
    assert web.get("/o/northside-sc/settings/").status_code == 200
    assert web.get("/o/northside-test/settings/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("timezone", "Mars/Base", "Select a valid choice. Mars/Base is not one of the available choices."),
        ("phone", "12345", "This is not a valid phone number. Check it or add the country code, for example "
                           "(201) 555-0123."),
        ("sms_number", "call me", "Enter a phone number, for example (201) 555-0123."),
        ("slug", "southside-test", "Business with this Address already exists."),
        ("slug", "admin", "“admin” is reserved. Choose another address."),
        ("quiet_hours_start", "25:99", "Enter a valid time."),
        ("name", "", "This field is required."),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_error(
    org: Organization, other_org: Organization, web: DjangoClient, field: str, value: str, error: str
):
    before, entries = snapshot(org), audit_count(org)
    typed = {"name": "Typed Name Kept", "address": "1 Typed Street"}
    typed[field] = value
    response = web.post(settings_url(org), form_data(org, **typed))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [error]
    assert error in response.content.decode()
    # What the person typed stays in the form, so they only fix the one field.
    for name, typed_value in typed.items():
        if name != "timezone":
            assert form[name].value() == typed_value
    html = response.content.decode()
    if field != "name":
        assert 'value="Typed Name Kept"' in html
    assert "1 Typed Street" in html
    # The page around the form still shows the saved business, not the rejected input.
    assert "<title>Settings · Northside Strength</title>" in html
    assert snapshot(org) == before
    assert audit_count(org) == entries


def test_the_settings_api_refuses_invalid_input_and_changes_nothing(org: Organization, owner: Any):
    headers = bearer(owner, org)
    before, entries = snapshot(org), audit_count(org)
    for body in ({"timezone": "Mars/Base"}, {"phone": "12345"}, {"slug": "admin"}, {"quiet_hours_end": "9am"},
                 {"name": None}, {"currency": "dollars"}):
        response = DjangoClient().patch("/api/v1/organization", data=body, content_type="application/json",
                                        **headers)
        assert response.status_code == 422, body
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["detail"]
    assert snapshot(org) == before
    assert audit_count(org) == entries


def _entries(org: Organization, actor: Any) -> None:
    with scope(organization=org):
        for action in ("organization.updated", "membership.created", "membership.removed", "invitation.created"):
            audit.log(organization=org, actor=actor, action=action, obj=org)


def test_owner_reads_the_audit_log(org: Organization, owner: Any, web: DjangoClient):
    _entries(org, owner)
    response = web.get(f"/o/{org.slug}/audit/")
    assert response.status_code == 200
    shown = [entry.action for entry in response.context["page"].object_list]
    assert sorted(shown) == ["invitation.created", "membership.created", "membership.removed",
                             "organization.updated"]
    assert shown[0] == "invitation.created"  # newest first
    assert "<code>membership.removed</code>" in response.content.decode()
    assert "Olga Owner changed the business settings" in response.content.decode()


def test_the_audit_log_filters_by_action(org: Organization, other_org: Organization, owner: Any,
                                         web: DjangoClient):
    _entries(org, owner)
    _entries(other_org, owner)
    response = web.get(f"/o/{org.slug}/audit/", {"action": "membership"})
    assert response.status_code == 200
    shown = [entry.action for entry in response.context["page"].object_list]
    assert sorted(shown) == ["membership.created", "membership.removed"]
    assert {entry.organization_id for entry in response.context["page"].object_list} == {org.pk}

    response = web.get(f"/o/{org.slug}/audit/", {"action": "invitation.created"})
    assert [entry.action for entry in response.context["page"].object_list] == ["invitation.created"]
    response = web.get(f"/o/{org.slug}/audit/", {"action": "booking"})
    assert list(response.context["page"].object_list) == []
    assert "Nothing matches this filter." in response.content.decode()


@pytest.mark.parametrize("role", [Role.COACH, Role.STAFF, Role.CLIENT])
def test_only_the_owner_reads_the_audit_log(org: Organization, owner: Any, role: str):
    _entries(org, owner)
    response = login_as(member(org, role)).get(f"/o/{org.slug}/audit/")
    assert response.status_code == 403
    assert "organization.updated" not in response.content.decode()


def test_audit_entries_are_append_only(org: Organization, owner: Any):
    with scope(organization=org):
        entry = audit.log(organization=org, actor=owner, action="organization.updated", data={"x": 1})
        entry.action = "something.else"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()
        with pytest.raises(ValueError, match="append-only"):
            entry.delete()
        stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.data) == ("organization.updated", {"x": 1})


def test_the_audit_api_pages_through_every_entry_once_newest_first(org: Organization, owner: Any):
    headers = bearer(owner, org)  # writes an "api_token.created" entry of its own
    with scope(organization=org):
        for n in range(6):
            audit.log(organization=org, actor=owner, action=f"test.entry{n}", obj=org)
        expected = list(AuditEntry.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    assert len(expected) == 7

    http = DjangoClient()
    url: str | None = "/api/v1/audit?page_size=2"
    seen: list[int] = []
    pages = 0
    while url:
        response = http.get(url, **headers)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["results"]) <= 2
        seen += [item["id"] for item in body["results"]]
        pages += 1
        assert pages <= 10, "the cursor never ran out"
        if body["next"]:
            parts = urlsplit(body["next"])
            url = f"{parts.path}?{parts.query}"
        else:
            url = None
    assert seen == expected
    assert pages == 4


def test_the_audit_api_is_for_the_owner_only(org: Organization):
    coach = member(org, Role.COACH)
    response = DjangoClient().get("/api/v1/audit", **bearer(coach, org))
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/problem+json")
