"""A coach never reads a journal entry its client did not share: not through any API route or page,
the client export, search, insights, prompts' counts, notifications, the audit log or the admin.
The entry carries a unique word; every answer the coach (and another client, and platform staff)
gets is searched for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.notes.models import JournalEntry, JournalPrompt, JournalPromptRecipient, Note, SessionRating
from coachos.notes.services.journal import journal_entry_create
from coachos.scheduling.models import TrainingSession
from tests.conftest import login_as
from tests.factories import TENANT_FACTORIES, BookingFactory, JournalPromptFactory, TrainingSessionFactory, UserFactory
from tests.test_cross_tenant import OPENAPI_PARAM_RE, api_operations, model_for_param, walk

from .conftest import Person, call, portal_client

pytestmark = pytest.mark.django_db

SECRET = "Zyxwquor"  # appears nowhere else
# What the coach searches for: the word's beginning (search matches it), so that a page echoing the
# query in its search box does not count as showing the entry.
PREFIX = SECRET[:5]


@pytest.fixture
def world(org, coach: Person, olivia: Person) -> dict[str, Any]:
    """Olivia's private entry (title, text and tag carry the secret) beside shared things of hers."""
    session = TrainingSessionFactory(organization=org)
    BookingFactory(session=session, organization=org, client=olivia.client)
    with scope(organization=org):
        prompt = JournalPromptFactory(organization=org, author=coach.user, text="How was the week?")
        JournalPromptRecipient.objects.create(organization=org, prompt=prompt, client=olivia.client)
        private = journal_entry_create(client=olivia.client, actor=olivia.user, title=f"{SECRET} title",
                                       body_html=f"<p>I feel {SECRET} today</p>", mood=1, tags=[SECRET],
                                       session=session, prompt=prompt)
        shared = journal_entry_create(client=olivia.client, actor=olivia.user, title="Shared one",
                                      body_html="<p>Shared text</p>", mood=4, shared=True)
        draft = journal_entry_create(client=olivia.client, actor=olivia.user, title=f"{SECRET} draft",
                                     body_html=f"<p>{SECRET}</p>", shared=True, draft=True)
        note = Note.objects.create(organization=org, client=olivia.client, author=coach.user, title="Coach note",
                                   body_html="<p>n</p>", body_text="n")
    return {"private": private, "shared": shared, "draft": draft, "session": session, "prompt": prompt,
            "note": note}


def _objects(org: Any, olivia: Person, world: dict[str, Any]) -> dict[type, Any]:
    """An object for every id a route may name: Olivia's and her private entry where it matters."""
    with scopes_disabled():
        objects = {model: factory(organization=org) for model, factory in TENANT_FACTORIES.items()
                   if model._meta.app_label not in {"notes"} or model in (SessionRating,)}
    objects.update({type(olivia.client): olivia.client, JournalEntry: world["private"], Note: world["note"],
                    TrainingSession: world["session"], JournalPrompt: world["prompt"]})
    return objects


def _no_secret(response: Any, what: str, failures: list[str]) -> None:
    content = response.content if not getattr(response, "streaming", False) else b"".join(response.streaming_content)
    if SECRET.encode() in content:
        failures.append(f"{what} → {response.status_code} shows the unshared entry")


def test_every_api_read_as_the_coach_leaves_the_unshared_entry_out(org, coach: Person, owner_p: Person,
                                                                    olivia: Person, world: dict[str, Any]) -> None:
    objects = _objects(org, olivia, world)
    http = DjangoClient(raise_request_exception=False)
    failures: list[str] = []
    checked = 0
    for person in (coach, owner_p):
        for path, method, params in api_operations() + [(p, "get", []) for p in _plain_api_paths()]:
            if method != "get":
                continue
            values = {p: objects[model_for_param(p)].pk for p in params if model_for_param(p) in objects}
            url = OPENAPI_PARAM_RE.sub(lambda m, v=values: str(v.get(m["parameter"], 1)), path)
            for query in ("", f"?q={PREFIX}", f"?client={olivia.client.pk}"):
                _no_secret(http.get(url + query, **person.headers), f"GET {url}{query}", failures)
                checked += 1
        # The entry itself, by its id, on every route that takes one: a 404.
        for url in (f"/api/v1/journal/{world['private'].pk}", f"/api/v1/journal/{world['draft'].pk}"):
            assert http.get(url, **person.headers).status_code == 404
            assert call(http, "patch", url, person, {"title": "x"}).status_code == 404
            assert http.delete(url, **person.headers).status_code == 404
    assert checked > 100
    assert not failures, "\n".join(failures)
    listed = call(http, "get", f"/api/v1/clients/{olivia.client.pk}/journal", coach).json()["results"]
    assert [e["id"] for e in listed] == [world["shared"].pk]
    insights = call(http, "get", f"/api/v1/clients/{olivia.client.pk}/journal/insights", coach).json()
    assert insights["total"] == 1 and insights["weeks"][-1]["mood_average"] == 4.0
    assert call(http, "get", "/api/v1/journal-prompts", coach).json()[0]["shared_answers_count"] == 0


def _plain_api_paths() -> list[str]:
    from coachos.api import api

    return [p for p, item in api.get_openapi_schema()["paths"].items() if "get" in item and "{" not in p]


def test_every_back_office_page_as_the_coach_leaves_the_unshared_entry_out(org, coach: Person, olivia: Person,
                                                                           world: dict[str, Any]) -> None:
    objects = _objects(org, olivia, world)
    browser = login_as(coach.user)
    browser.raise_request_exception = False
    failures: list[str] = []
    checked = 0
    for route in walk():
        if route.route.startswith(("platform/", "ws/")):
            continue
        values: dict[str, Any] = {"org_slug": org.slug}
        for param in route.id_params:
            model = model_for_param(param)
            if model in objects:
                values[param] = objects[model].pk
        url = route.url(values)
        for query in ("", f"?q={PREFIX}"):
            _no_secret(browser.get(url + query), f"GET {url}{query}", failures)
            checked += 1
    assert checked > 50
    assert not failures, "\n".join(failures)
    export = browser.get(f"/o/{org.slug}/clients/export.csv")
    assert export.status_code == 200
    _no_secret(export, "the clients export", failures)
    assert not failures


def test_another_client_and_a_limited_coach_do_not_read_it_either(api, org, coach: Person, limited: Person,
                                                                   olivia: Person, world: dict[str, Any]) -> None:
    noah = portal_client(org, first_name="Noah", last_name="Kim", coach=coach)
    for person in (noah, limited):
        for entry in ("private", "shared"):
            assert call(api, "get", f"/api/v1/journal/{world[entry].pk}", person).status_code == 404
        assert call(api, "get", "/api/v1/journal", person).json()["results"] == []
    assert call(api, "get", f"/api/v1/clients/{olivia.client.pk}/journal", limited).status_code == 404


def test_no_notification_audit_entry_or_log_carries_it(org, world: dict[str, Any],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.app_label in {"notes"} or not model.__module__.startswith("coachos."):
                continue
            for row in model._base_manager.values():
                assert SECRET not in repr(row), f"{model._meta.label} holds the entry's text"
    assert SECRET not in caplog.text


def test_the_admin_shows_staff_that_it_exists_and_nothing_of_what_it_says(org, world: dict[str, Any]) -> None:
    staff = login_as(UserFactory(is_staff=True, is_superuser=True))
    changelist = staff.get("/admin/notes/journalentry/")
    assert changelist.status_code == 200
    content = changelist.content.decode()
    assert SECRET not in content and "Shared one" in content
    for entry in (world["private"], world["draft"]):
        page = staff.get(f"/admin/notes/journalentry/{entry.pk}/change/")
        assert page.status_code == 200
        assert SECRET not in page.content.decode() and "not shared by the client" in page.content.decode()
    shared = staff.get(f"/admin/notes/journalentry/{world['shared'].pk}/change/").content.decode()
    assert "Shared text" in shared
    assert SECRET not in staff.get(f"/admin/notes/journalentry/?q={PREFIX}").content.decode()
    assert staff.post(f"/admin/notes/journalentry/{world['private'].pk}/delete/").status_code == 403
