"""The team's side of the journal: a client's shared entries with the same insights over them, the
client page's section, prompts to one client, several or a tag — and never an unshared entry or a
draft: not listed, counted, searched or shown on any team page, and a 404 by its id."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django_scopes import scope

from coachos.notes.models import JournalEntry, JournalPrompt, JournalPromptRecipient
from coachos.notes.services.journal import journal_entry_create
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import TagFactory, member
from tests.test_cross_tenant import walk

from .conftest import Person, portal_client

pytestmark = pytest.mark.django_db

SECRET = "Qwvbnotshared"


@pytest.fixture
def journal(org, olivia: Person) -> dict[str, JournalEntry]:
    with scope(organization=org):
        private = journal_entry_create(client=olivia.client, actor=olivia.user, title=f"{SECRET} title",
                                       body_html=f"<p>{SECRET} body</p>", mood=1, tags=[f"{SECRET}tag"])
        draft = journal_entry_create(client=olivia.client, actor=olivia.user, title=f"{SECRET} draft",
                                     body_html=f"<p>{SECRET}</p>", shared=True, draft=True)
        shared = journal_entry_create(client=olivia.client, actor=olivia.user, title="Shared week",
                                      body_html="<p>Felt strong</p>", mood=4, shared=True, tags=["strength"])
    return {"private": private, "draft": draft, "shared": shared}


def team_url(org: Any, rest: str) -> str:
    return f"/o/{org.slug}/journal/{rest}"


def test_the_client_journal_shows_shared_entries_and_insights_over_them_only(org, coach: Person, olivia: Person,
                                                                           journal) -> None:
    browser = login_as(coach.user)
    page = browser.get(team_url(org, f"clients/{olivia.client.pk}/"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Shared week" in html and "Felt strong" in html and SECRET not in html
    data = json.loads(re.search(r'id="journal-chart-data" type="application/json">(.*?)</script>', html)[1])
    assert sum(data["entries"]) == 1 and [m for m in data["mood"] if m is not None] == [4.0]
    assert "?tag=strength" in html
    # Searching and filtering never reaches the unshared entry either.
    for query in (f"?q={SECRET[:6]}", "?mood=1"):
        found = browser.get(team_url(org, f"clients/{olivia.client.pk}/{query}")).content.decode()
        assert "Shared week" not in found and SECRET not in found and "No shared entries match." in found
    # The unshared entry's tag is no tag to the coach: the filter is left out, as an unknown one is.
    found = browser.get(team_url(org, f"clients/{olivia.client.pk}/?tag={SECRET}tag")).content.decode()
    assert SECRET not in found and "were not understood" in found
    shown = browser.get(team_url(org, f"entries/{journal['shared'].pk}/"))
    assert shown.status_code == 200 and "Felt strong" in shown.content.decode()
    for key in ("private", "draft"):
        assert browser.get(team_url(org, f"entries/{journal[key].pk}/")).status_code == 404


def test_the_client_page_has_a_journal_section(org, coach: Person, olivia: Person, journal) -> None:
    browser = login_as(coach.user)
    detail = browser.get(f"/o/{org.slug}/clients/{olivia.client.pk}/").content.decode()
    assert f'hx-get="/o/{org.slug}/journal/clients/{olivia.client.pk}/section/"' in detail
    section = browser.get(team_url(org, f"clients/{olivia.client.pk}/section/")).content.decode()
    assert "1 shared entry" in section and "Shared week" in section and SECRET not in section
    assert f"/o/{org.slug}/journal/prompts/?client={olivia.client.pk}" in section


def test_no_team_page_shows_an_unshared_entry_and_each_is_a_404_by_its_id(org, owner_p: Person, coach: Person,
                                                                          olivia: Person, journal) -> None:
    """Every route of the team's journal and session pages, with the unshared entry (and its client)
    wherever an id goes: its words never appear, and the entry's own page is a 404."""
    routes = [r for r in walk() if r.name.startswith(("journal:", "sessions:"))]
    assert {r.name for r in routes} >= {"journal:client", "journal:entry", "journal:section", "journal:prompts",
                                        "sessions:detail"}
    for person in (owner_p, coach):
        browser = login_as(person.user)
        for key in ("private", "draft"):
            values = {"org_slug": org.slug, "journalentry_id": journal[key].pk, "client_id": olivia.client.pk}
            for route in routes:
                for query in ("", f"?q={SECRET[:6]}", f"?client={olivia.client.pk}"):
                    response = browser.get(route.url(values) + query)
                    assert SECRET.encode() not in response.content, route.name
            assert browser.get(team_url(org, f"entries/{journal[key].pk}/")).status_code == 404
            # The portal's pages are the client's: the team is refused there, the words never shown.
            for rest in ("", f"{journal[key].pk}/", f"{journal[key].pk}/edit/", "insights/"):
                response = browser.get(f"/portal/{org.slug}/journal/{rest}")
                assert response.status_code == 403 and SECRET.encode() not in response.content


def test_a_limited_coach_does_not_see_another_coachs_clients_journal(org, limited: Person, olivia: Person,
                                                                     journal) -> None:
    browser = login_as(limited.user)
    for rest in (f"clients/{olivia.client.pk}/", f"clients/{olivia.client.pk}/section/",
                 f"entries/{journal['shared'].pk}/"):
        assert browser.get(team_url(org, rest)).status_code == 404, rest
    # Nor can they send her a prompt.
    page = browser.post(team_url(org, "prompts/"), {"text": "Hi?", "clients": [str(olivia.client.pk)]})
    assert page.status_code == 422
    with scope(organization=org):
        assert not JournalPrompt.objects.exists()


def test_prompts_keep_what_was_typed_and_go_to_clients_and_a_tag(org, coach: Person, olivia: Person,
                                                                  noah: Person) -> None:
    browser = login_as(coach.user)
    page = browser.get(team_url(org, f"prompts/?client={olivia.client.pk}")).content.decode()
    assert f'<option value="{olivia.client.pk}" selected>' in page
    missing = browser.post(team_url(org, "prompts/"), {"text": "What went well this week?"})
    html = missing.content.decode()
    assert missing.status_code == 422 and "Choose who gets the prompt" in html and "What went well this week?" in html
    with scope(organization=org):
        tag = TagFactory(organization=org, name="Marathon")
        noah.client.tags.add(tag)
        third = portal_client(org, first_name="Ana", last_name="Diaz").client
    sent = browser.post(team_url(org, "prompts/"), {"text": "What went well this week?",
                                                    "clients": [str(olivia.client.pk)], "tag": str(tag.pk)})
    assert sent.status_code == 302
    with scope(organization=org):
        prompt = JournalPrompt.objects.get()
        assert set(JournalPromptRecipient.objects.filter(prompt=prompt).values_list("client_id", flat=True)) == {
            olivia.client.pk, noah.client.pk}
        assert third.pk not in JournalPromptRecipient.objects.values_list("client_id", flat=True)
        # Olivia answers but keeps it private; Noah answers and shares it.
        journal_entry_create(client=olivia.client, actor=olivia.user, title="mine", body_html="<p>a</p>", mood=3,
                             prompt=prompt)
        journal_entry_create(client=noah.client, actor=noah.user, title="shared", body_html="<p>b</p>", mood=3,
                             prompt=prompt, shared=True)
    listing = browser.get(team_url(org, "prompts/")).content.decode()
    row = re.search(r"<tr>\s*<td>“What went well this week\?”.*?</tr>", listing, re.S)[0]
    assert re.findall(r'data-label="(?:Clients|Shared answers)">(\d+)<', row) == ["2", "1"]


def test_another_business_is_a_404_on_every_team_journal_route(org, other_org, olivia: Person, journal) -> None:
    stranger = login_as(member(other_org, Role.OWNER))
    for slug in (org.slug, other_org.slug):
        for rest in (f"clients/{olivia.client.pk}/", f"clients/{olivia.client.pk}/section/",
                     f"entries/{journal['shared'].pk}/"):
            assert stranger.get(f"/o/{slug}/journal/{rest}").status_code == 404, (slug, rest)
    assert stranger.get(f"/o/{org.slug}/journal/prompts/").status_code == 404
    refused = stranger.post(f"/o/{other_org.slug}/journal/prompts/", {"text": "x", "clients": [str(olivia.client.pk)]})
    assert refused.status_code == 422
    with scope(organization=org):
        assert not JournalPrompt.objects.exists()

