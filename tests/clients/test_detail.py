from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client, ClientNote
from coachos.credits import client_sections
from coachos.credits.models import ClientPackage, CreditEntry

from ..factories import BookingFactory, ClientFactory, ClientPackageFactory, PackagePlanFactory, TrainingSessionFactory

SECTIONS = ("profile", "packages", "bookings", "notes")


def base(org, client) -> str:
    return f"/o/{org.slug}/clients/{client.pk}/"


def section_url(org, client, key: str) -> str:
    """The section's own address: under the client's page, except Notes' (the notes app's pages)."""
    if key == "notes":
        return f"/o/{org.slug}/notes/clients/{client.pk}/section/"
    return f"{base(org, client)}sections/{key}/"


def htmx(web, method: str, url: str, data: dict | None = None):
    return getattr(web, method)(url, data or {}, HTTP_HX_REQUEST="true")


def test_detail_page_lists_sections_loaded_on_their_own(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Ana", sms_consent=True)
    response = web.get(base(org, client))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana" in html and "Texts OK" in html and "clients.js" in html
    for key in SECTIONS:
        assert f'hx-get="{section_url(org, client, key)}"' in html
    assert "onboarding" not in html or "sections/forms" not in html
    for key in SECTIONS:
        section = htmx(web, "get", section_url(org, client, key))
        assert section.status_code == 200, key
        assert "<html" not in section.content.decode()


def test_a_failing_section_answers_its_own_error_and_the_rest_still_load(org, web, monkeypatch, caplog):
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Zed", email="zed@example.com")

    def broken(_client):
        raise DatabaseError("boom")

    monkeypatch.setattr(client_sections, "client_packages", broken)
    page = web.get(base(org, client))
    assert page.status_code == 200 and 'id="section-packages"' in page.content.decode()
    failed = htmx(web, "get", f"{base(org, client)}sections/packages/")
    assert failed.status_code == 500
    body = failed.content.decode()
    assert "This section could not load" in body and "data-section-retry" in body and "<html" not in body
    for key in ("profile", "bookings", "notes"):
        assert htmx(web, "get", section_url(org, client, key)).status_code == 200
    logged = " ".join(r.getMessage() + str(getattr(r, "client_id", "")) for r in caplog.records)
    assert str(client.pk) in logged and "zed@example.com" not in caplog.text and "Zed" not in caplog.text


def test_use_one_session_twice_with_the_same_key_deducts_once(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        package = ClientPackageFactory(client=client, remaining=3, total=3)
    section = htmx(web, "get", f"{base(org, client)}sections/packages/")
    key = section.context["use_key"]
    url = f"{base(org, client)}packages/{package.pk}/use/"
    first = htmx(web, "post", url, {"key": str(key)})
    second = htmx(web, "post", url, {"key": str(key)})
    assert first.status_code == second.status_code == 200
    assert "1 session used" in first.content.decode()
    with scope(organization=org):
        package.refresh_from_db()
        assert package.remaining == 2
        assert CreditEntry.objects.filter(package=package, kind="use").count() == 1
    # A new form (a new key) deducts again.
    htmx(web, "post", url, {"key": str(uuid.uuid4())})
    with scope(organization=org):
        package.refresh_from_db()
        assert package.remaining == 1


def test_use_with_no_credits_says_so(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        package = ClientPackageFactory(client=client, remaining=0)
    response = htmx(web, "post", f"{base(org, client)}packages/{package.pk}/use/", {"key": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "No credits left" in response.content.decode()
    with scope(organization=org):
        assert not CreditEntry.objects.filter(kind="use").exists()


def test_give_and_adjust(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        plan = PackagePlanFactory(organization=org, name="Five pack", sessions=5)
    response = htmx(web, "post", f"{base(org, client)}packages/give/", {"plan": plan.pk})
    assert "Five pack given" in response.content.decode()
    with scope(organization=org):
        package = ClientPackage.objects.get(client=client)
        assert package.remaining == 5
    url = f"{base(org, client)}packages/{package.pk}/adjust/"
    prefix = f"adj{package.pk}"
    # No reason, or too many removed: nothing changes.
    bad = htmx(web, "post", url, {f"{prefix}-amount": "-2", f"{prefix}-reason": ""})
    assert "This field is required" in bad.content.decode()
    too_many = htmx(web, "post", url, {f"{prefix}-amount": "-9", f"{prefix}-reason": "oops"})
    assert "fewer credits" in too_many.content.decode()
    with scope(organization=org):
        package.refresh_from_db()
        assert package.remaining == 5
    htmx(web, "post", url, {f"{prefix}-amount": "-2", f"{prefix}-reason": "Missed sessions"})
    with scope(organization=org):
        package.refresh_from_db()
        assert package.remaining == 3
        assert CreditEntry.objects.get(kind="adjustment").reason == "Missed sessions"


def test_plain_post_without_htmx_goes_back_to_the_page(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        package = ClientPackageFactory(client=client, remaining=2)
    response = web.post(f"{base(org, client)}packages/{package.pk}/use/", {"key": str(uuid.uuid4())})
    assert response.status_code == 302 and response["Location"] == base(org, client)


def test_packages_section_warns(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        ClientPackageFactory(client=client, remaining=1, expires_at=timezone.now() + timedelta(days=3))
    html = htmx(web, "get", f"{base(org, client)}sections/packages/").content.decode()
    assert "low balance" in html and "expiring soon" in html


def test_bookings_section(org, web):
    now = timezone.now()
    with scope(organization=org):
        client = ClientFactory(organization=org)
        future = TrainingSessionFactory(coach__membership__organization=org, coach__organization=org)
        BookingFactory(organization=org, session=future, client=client)
        past = TrainingSessionFactory(coach=future.coach, session_type=future.session_type,
                                      starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-1))
        BookingFactory(organization=org, session=past, client=client, status="completed")
    response = htmx(web, "get", f"{base(org, client)}sections/bookings/")
    assert len(response.context["upcoming"]) == 1 and len(response.context["past"]) == 1
    assert "Completed" in response.content.decode()


def test_notes(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
    response = htmx(web, "post", f"{base(org, client)}notes/", {"body": "Prefers mornings"})
    assert "Prefers mornings" in response.content.decode()
    empty = htmx(web, "post", f"{base(org, client)}notes/", {"body": "  "})
    assert "required" in empty.content.decode()
    with scope(organization=org):
        assert ClientNote.objects.count() == 1


def test_add_and_edit_keep_typed_values_on_error(org, web):
    response = web.post(f"/o/{org.slug}/clients/new/", {"first_name": "Ana", "email": "nope", "phone": "(312) 555-0123",
                                                         "status": "active"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ana"' in html and 'value="nope"' in html
    with scope(organization=org):
        assert not Client.objects.exists()
    response = web.post(f"/o/{org.slug}/clients/new/", {"first_name": "Ana", "phone": "(312) 555-0123",
                                                         "status": "lead", "sms_consent": "on"})
    assert response.status_code == 302
    with scope(organization=org):
        client = Client.objects.get()
        assert client.phone == "+13125550123" and client.status == "lead" and client.sms_consent_at
        ClientFactory(organization=org, email="taken@example.com")
    response = web.post(f"/o/{org.slug}/clients/{client.pk}/edit/", {"first_name": "Anna", "email": "taken@example.com",
                                                                      "status": "lead"})
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert 'value="Anna"' in response.content.decode()
    with scope(organization=org):
        client.refresh_from_db()
        assert client.first_name == "Ana"


def test_status_and_tags_from_the_profile(org, web):
    with scope(organization=org):
        client = ClientFactory(organization=org)
    web.post(f"{base(org, client)}status/", {"status": "paused"})
    web.post(f"{base(org, client)}tags/", {"name": "VIP"})
    with scope(organization=org):
        client.refresh_from_db()
        assert client.status == "paused"
        tag = client.tags.get()
    web.post(f"{base(org, client)}tags/{tag.pk}/remove/")
    with scope(organization=org):
        assert not client.tags.exists()
