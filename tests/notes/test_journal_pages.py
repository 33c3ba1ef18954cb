"""The client's journal in the portal: the timeline (sharing shown per entry, drafts, prompts), search
and filters, writing (forms keep what was typed), the editor's autosave protocol, one-click sharing,
deleting, insights with the weekly goal, and another client's or business's entry as a 404."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.notes.models import JournalEntry, JournalGoal, JournalPromptRecipient, NoteTemplate
from coachos.notes.services.journal import journal_entry_create
from coachos.notes.services.prompts import journal_prompt_send
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import BookingFactory, CoachFactory, TrainingSessionFactory, member

from .conftest import Person, portal_client

pytestmark = pytest.mark.django_db


def url(org: Any, rest: str = "") -> str:
    return f"/portal/{org.slug}/journal/{rest}"


def write(org: Any, person: Person, **fields: Any) -> JournalEntry:
    fields.setdefault("mood", 3)
    with scope(organization=org):
        return journal_entry_create(client=person.client, actor=person.user, **fields)


def fresh(org: Any, entry: JournalEntry) -> JournalEntry:
    with scope(organization=org):
        return JournalEntry.objects.prefetch_related("tags").get(pk=entry.pk)


# --- the timeline -------------------------------------------------------------------------------------

def test_the_timeline_shows_each_entrys_sharing_drafts_and_the_coachs_prompts(org, coach: Person,
                                                                              olivia: Person) -> None:
    write(org, olivia, title="Private thoughts", body_html="<p>Just for me</p>")
    shared = write(org, olivia, title="Good week", body_html="<p>Slept well</p>", shared=True, tags=["sleep"])
    write(org, olivia, title="Half written", body_html="<p>Not done</p>", draft=True, mood=None)
    with scope(organization=org):
        prompt = journal_prompt_send(organization=org, actor=coach.user, text="What went well this week?",
                                     clients=[olivia.client])
    page = login_as(olivia.user).get(url(org))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Private thoughts" in html and "Good week" in html and "Half written" in html
    # Each entry says who may read it, with the one-click switch.
    assert html.count('data-shared="yes"') == 1 and html.count('data-shared="no"') == 2
    assert f'action="/portal/{org.slug}/journal/{shared.pk}/share/"' in html
    assert "Stop sharing" in html and "Share with my coach" in html
    assert "Continue writing" in html  # the draft
    assert "What went well this week?" in html and f"?prompt={prompt.pk}" in html
    # The portal's menu has the journal, marked as the current page.
    assert re.search(rf'<a href="/portal/{org.slug}/journal/" aria-current="page">Journal', html)


def test_search_and_filters_by_words_mood_tag_and_dates(org, olivia: Person) -> None:
    zone = org.tzinfo
    write(org, olivia, title="Long run", body_html="<p>Running in the rain</p>", mood=5, tags=["running"],
          now=datetime(2025, 3, 3, 10, tzinfo=zone))
    write(org, olivia, title="Tired", body_html="<p>Poor sleep</p>", mood=2, tags=["sleep"],
          now=datetime(2025, 3, 10, 10, tzinfo=zone))
    write(org, olivia, title="Rest day", body_html="<p>Stretching</p>", mood=4,
          now=datetime(2025, 3, 17, 10, tzinfo=zone))
    browser = login_as(olivia.user)

    def titles(query: str) -> set[str]:
        html = browser.get(url(org) + query).content.decode()
        return {t for t in ("Long run", "Tired", "Rest day") if f">{t}</a>" in html}

    assert titles("") == {"Long run", "Tired", "Rest day"}
    assert titles("?q=runn") == {"Long run"}
    assert titles("?mood=2") == {"Tired"}
    assert titles("?tag=sleep") == {"Tired"}
    assert titles("?since=2025-03-09&until=2025-03-16") == {"Tired"}
    # What is not understood is left out (and said so); the rest still applies.
    page = browser.get(url(org) + "?mood=9&since=nonsense&q=rest")
    assert page.status_code == 200 and "Those filters were left out." in page.content.decode()
    assert titles("?mood=9&since=nonsense&q=rest") == {"Rest day"}
    empty = browser.get(url(org) + "?q=zzzz").content.decode()
    assert "No entries match" in empty


def test_an_empty_journal_invites_a_first_entry(org, olivia: Person) -> None:
    html = login_as(olivia.user).get(url(org)).content.decode()
    assert "Your journal is empty" in html and f'href="/portal/{org.slug}/journal/new/"' in html


def test_a_portal_login_without_a_client_record_sees_why(org) -> None:
    stranger = login_as(member(org, Role.CLIENT))
    page = stranger.get(url(org))
    assert page.status_code == 200 and "No client record yet" in page.content.decode()
    assert stranger.get(url(org, "new/")).status_code == 404
    assert stranger.get(url(org, "insights/")).status_code == 404


# --- writing ------------------------------------------------------------------------------------------

def test_a_new_entry_keeps_what_was_typed_when_the_mood_is_missing(org, olivia: Person) -> None:
    browser = login_as(olivia.user)
    form = {"title": "Morning pages", "body_html": "First line\n\nSecond paragraph", "tags": "calm, sleep",
            "shared": "on"}
    page = browser.post(url(org, "new/"), form)
    html = page.content.decode()
    assert page.status_code == 422
    assert "Choose how you feel." in html
    assert 'value="Morning pages"' in html and "Second paragraph" in html and 'value="calm, sleep"' in html
    with scope(organization=org):
        assert not JournalEntry.objects.exists()
    done = browser.post(url(org, "new/"), {**form, "mood": "4"})
    with scope(organization=org):
        entry = JournalEntry.objects.get()
        assert sorted(t.name for t in entry.tags.all()) == ["calm", "sleep"]
    assert done.status_code == 302 and done["Location"] == url(org, f"{entry.pk}/")
    # Plain text (a page without script) becomes paragraphs; the entry is saved for good and shared.
    assert entry.body_html == "<p>First line</p><p>Second paragraph</p>"
    assert (entry.mood, entry.shared, entry.draft) == (4, True, False)
    shown = browser.get(done["Location"]).content.decode()
    assert "Morning pages" in shown and 'data-shared="yes"' in shown and "Good" in shown


def test_the_editor_page_offers_moods_as_icons_and_words_and_uses_the_notes_editor(org, olivia: Person) -> None:
    html = login_as(olivia.user).get(url(org, "new/")).content.decode()
    for word in ("Awful", "Low", "Okay", "Good", "Great"):
        assert word in html
    assert html.count('name="mood"') == 5 and '<span class="mood-icon" aria-hidden="true">😄</span>' in html
    assert "data-note-editor" in html and "notes/editor.js" in html and "data-rte-area" in html
    config = json.loads(re.search(r'id="note-editor-config" type="application/json">(.*?)</script>', html)[1])
    assert config == {"mode": "new", "create_url": f"/portal/{org.slug}/journal/new/", "draft_key": "journal:new::"}
    # Private by default: the sharing switch is off.
    assert re.search(r'<input type="checkbox" role="switch" name="shared" id="id_shared">', html)


def test_answering_a_prompt_and_starting_from_a_template(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        prompt = journal_prompt_send(organization=org, actor=coach.user, text="What got in your way?",
                                     clients=[olivia.client])
    browser = login_as(olivia.user)
    page = browser.get(url(org, f"new/?prompt={prompt.pk}")).content.decode()
    assert "What got in your way?" in page and "Answer your coach" in page
    with scope(organization=org):
        template = NoteTemplate.objects.get(organization=org, builtin_key="weekly_reflection")
    started = browser.get(url(org, f"new/?template={template.pk}&prompt={prompt.pk}")).content.decode()
    assert "&lt;h3&gt;What went well&lt;/h3&gt;" in started  # the template's sections fill the text box
    browser.post(url(org, "new/"), {"title": "Answer", "body_html": "Work trips", "mood": "3",
                                    "prompt": str(prompt.pk), "template": str(template.pk)})
    with scope(organization=org):
        entry = JournalEntry.objects.get()
        recipient = JournalPromptRecipient.objects.get(prompt=prompt)
    assert (entry.prompt_id, entry.template_id, recipient.entry_id) == (prompt.pk, template.pk, entry.pk)
    # Answered: the prompt leaves the timeline's list.
    assert f"?prompt={prompt.pk}" not in browser.get(url(org)).content.decode()


def test_an_entry_about_a_session_and_another_clients_session_or_prompt(org, coach: Person, olivia: Person,
                                                                        noah: Person) -> None:
    with scope(organization=org):
        coach_row = CoachFactory(organization=org, membership=coach.membership)
        mine = TrainingSessionFactory(coach=coach_row, organization=org,
                                      starts_at=timezone.now() - timedelta(days=1),
                                      ends_at=timezone.now() - timedelta(days=1) + timedelta(hours=1))
        BookingFactory(session=mine, organization=org, client=olivia.client)
        theirs = TrainingSessionFactory(coach=coach_row, organization=org)
        BookingFactory(session=theirs, organization=org, client=noah.client)
        prompt = journal_prompt_send(organization=org, actor=coach.user, text="For Noah", clients=[noah.client])
    browser = login_as(olivia.user)
    page = browser.get(url(org, f"new/?session={mine.pk}")).content.decode()
    assert f'<option value="{mine.pk}" selected>' in page
    assert browser.get(url(org, f"new/?session={theirs.pk}")).status_code == 404
    assert browser.get(url(org, f"new/?prompt={prompt.pk}")).status_code == 404
    browser.post(url(org, "new/"), {"title": "After", "body_html": "Legs!", "mood": "5", "session": str(mine.pk)})
    refused = browser.post(url(org, "new/"), {"title": "x", "body_html": "y", "mood": "5", "session": str(theirs.pk)})
    assert refused.status_code == 404
    with scope(organization=org):
        assert list(JournalEntry.objects.values_list("session_id", flat=True)) == [mine.pk]


# --- autosave (the notes editor's protocol) -----------------------------------------------------------

def test_autosave_makes_a_draft_then_saves_into_it_and_a_stale_version_is_a_conflict(org, olivia: Person) -> None:
    browser = login_as(olivia.user)
    first = browser.post(url(org, "new/"), {"title": "Draft", "body_html": "<p>Typing</p><script>x()</script>"},
                         HTTP_ACCEPT="application/json")
    assert first.status_code == 201
    data = first.json()
    entry = fresh(org, JournalEntry(pk=data["entry"]))
    assert data["id"] == f"journal-{entry.pk}" and data["version"] == 1
    assert data["edit_url"] == url(org, f"{entry.pk}/edit/") and data["autosave_url"] == url(org, f"{entry.pk}/autosave/")
    assert (entry.draft, entry.shared, entry.mood, entry.body_html) == (True, False, None, "<p>Typing</p>")
    saved = browser.post(data["autosave_url"], {"title": "Draft", "body_html": "<p>Typing more</p>",
                                                "base_version": "1"})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = browser.post(data["autosave_url"], {"title": "Other tab", "body_html": "<p>Other</p>",
                                                "base_version": "1"})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert fresh(org, entry).body_html == "<p>Typing more</p>"
    assert browser.post(data["autosave_url"], {"title": "x", "body_html": "y"}).status_code == 422
    # A reload finds the draft: its edit page holds the text and the editor's config names it.
    page = browser.get(data["edit_url"]).content.decode()
    assert "Typing more" in page and f'"note": "journal-{entry.pk}"' in page and '"version": 2' in page
    # Save keeps it for good, with a mood (required now).
    missing = browser.post(data["edit_url"], {"title": "Draft", "body_html": "<p>Typing more</p>", "base_version": "2"})
    assert missing.status_code == 422 and fresh(org, entry).draft
    browser.post(data["edit_url"], {"title": "Done", "body_html": "<p>Typing more</p>", "base_version": "2",
                                    "mood": "4"})
    entry = fresh(org, entry)
    assert (entry.draft, entry.title, entry.mood) == (False, "Done", 4)


def test_a_save_over_a_newer_version_is_shown_and_keeps_the_typed_text(org, olivia: Person) -> None:
    entry = write(org, olivia, title="Start", body_html="<p>v1</p>")
    browser = login_as(olivia.user)
    browser.post(url(org, f"{entry.pk}/autosave/"), {"title": "Start", "body_html": "<p>v2 elsewhere</p>",
                                                     "base_version": "1"})
    page = browser.post(url(org, f"{entry.pk}/edit/"), {"title": "Mine", "body_html": "<p>my words</p>",
                                                        "base_version": "1", "mood": "3"})
    html = page.content.decode()
    assert page.status_code == 409
    assert "was not saved over it" in html and "my words" in html and 'value="Mine"' in html
    assert '<input type="hidden" name="base_version" value="2"' in html  # saving again is now a choice
    assert fresh(org, entry).body_html == "<p>v2 elsewhere</p>"
    browser.post(url(org, f"{entry.pk}/edit/"), {"title": "Mine", "body_html": "<p>my words</p>",
                                                 "base_version": "2", "mood": "3"})
    assert fresh(org, entry).body_html == "<p>my words</p>"


# --- sharing and deleting -------------------------------------------------------------------------------

def test_sharing_is_one_click_and_so_is_stopping(org, olivia: Person) -> None:
    entry = write(org, olivia, title="Mine")
    browser = login_as(olivia.user)
    done = browser.post(url(org, f"{entry.pk}/share/"), {"shared": "1", "next": url(org)})
    assert done.status_code == 302 and done["Location"] == url(org)
    assert fresh(org, entry).shared and fresh(org, entry).shared_at is not None
    # With htmx the switch is swapped in place.
    fragment = browser.post(url(org, f"{entry.pk}/share/"), {"shared": "0"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and f'id="share-{entry.pk}"' in html
    assert 'data-shared="no"' in html and "Share with my coach" in html
    assert not fresh(org, entry).shared
    # A link elsewhere is not followed.
    away = browser.post(url(org, f"{entry.pk}/share/"), {"shared": "1", "next": "https://evil.example/"})
    assert away["Location"] == url(org)


def test_deleting_asks_first(org, olivia: Person) -> None:
    entry = write(org, olivia, title="Gone soon")
    browser = login_as(olivia.user)
    assert "Delete this entry?" in browser.get(url(org, f"{entry.pk}/delete/")).content.decode()
    assert browser.post(url(org, f"{entry.pk}/delete/"))["Location"] == url(org)
    with scope(organization=org):
        assert not JournalEntry.objects.filter(pk=entry.pk).exists()


# --- insights and the goal --------------------------------------------------------------------------------

def test_insights_show_weeks_moods_tags_and_streaks_with_a_table_beside_the_chart(org, olivia: Person) -> None:
    zone = ZoneInfo("America/Chicago")
    today = timezone.localtime(timezone.now(), zone).replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago, mood, tags in ((0, 4, ["sleep"]), (1, 2, ["sleep", "work"]), (2, 5, []), (10, 3, ["work"])):
        write(org, olivia, title=f"Day {days_ago}", body_html="<p>x</p>", mood=mood, tags=tags,
              now=today - timedelta(days=days_ago))
    write(org, olivia, title="Draft", body_html="<p>x</p>", draft=True, mood=None, now=today)
    html = login_as(olivia.user).get(url(org, "insights/")).content.decode()
    assert 'id="journal-chart-data"' in html and "vendor/chart.umd.min.js" in html and "notes/journal.js" in html
    data = json.loads(re.search(r'id="journal-chart-data" type="application/json">(.*?)</script>', html)[1])
    assert len(data["labels"]) == 12 and sum(data["entries"]) == 4  # the draft is not counted
    assert "<caption" in html and html.count("<tr>") >= 13  # the same numbers as a table
    assert '<span class="stat-value">4</span>' in html  # entries
    assert "?tag=sleep" in html and "?tag=work" in html
    assert re.search(r'<span class="stat-value">3</span><span>days: longest streak', html)


def test_the_weekly_goal_keeps_bad_input_and_can_be_removed(org, olivia: Person) -> None:
    browser = login_as(olivia.user)
    bad = browser.post(url(org, "goal/"), {"entries_per_week": "20", "remind": "on"})
    assert bad.status_code == 422 and 'value="20"' in bad.content.decode()
    with scope(organization=org):
        assert not JournalGoal.objects.exists()
    browser.post(url(org, "goal/"), {"entries_per_week": "3", "remind": "on"})
    with scope(organization=org):
        goal = JournalGoal.objects.get(client=olivia.client)
    assert (goal.entries_per_week, goal.remind) == (3, True)
    assert "Your goal: 3 entries a week." in browser.get(url(org, "insights/")).content.decode()
    browser.post(url(org, "goal/"), {"entries_per_week": ""})
    with scope(organization=org):
        assert not JournalGoal.objects.exists()


def test_times_are_in_the_clients_own_zone_and_say_so(org, olivia: Person) -> None:
    with scope(organization=org):
        olivia.client.timezone = "Europe/London"
        olivia.client.save(update_fields=["timezone"])
    entry = write(org, olivia, title="Abroad", now=datetime(2025, 6, 2, 14, 30, tzinfo=ZoneInfo("UTC")))
    html = login_as(olivia.user).get(url(org, f"{entry.pk}/")).content.decode()
    assert re.search(r"3:30\sPM", html) and "(London time)" in html  # 15:30 in London (14:30 UTC; 9:30 AM in Chicago)


# --- another client's, another business's ------------------------------------------------------------------

def routes(entry_id: int) -> list[tuple[str, str]]:
    return [("get", f"{entry_id}/"), ("get", f"{entry_id}/edit/"), ("post", f"{entry_id}/edit/"),
            ("post", f"{entry_id}/autosave/"), ("post", f"{entry_id}/share/"), ("get", f"{entry_id}/delete/"),
            ("post", f"{entry_id}/delete/")]


def test_another_clients_entry_is_a_404_on_every_route(org, olivia: Person, noah: Person) -> None:
    theirs = write(org, noah, title="Noah only", body_html="<p>secret</p>")
    browser = login_as(olivia.user)
    for method, rest in routes(theirs.pk):
        response = getattr(browser, method)(url(org, rest), {"title": "hijack", "body_html": "x", "mood": "1",
                                                              "base_version": "1", "shared": "1"})
        assert response.status_code == 404, (method, rest)
    answer = browser.post(url(org, "new/"), {"title": "x", "body_html": "x", "mood": "3"},
                          HTTP_ACCEPT="application/json")
    assert answer.status_code == 201  # her own draft: not his
    after = fresh(org, theirs)
    assert (after.title, after.shared, after.version) == ("Noah only", False, 1)


def test_another_business_is_a_404_on_every_route(org, other_org, olivia: Person) -> None:
    entry = write(org, olivia, title="Home")
    stranger = portal_client(other_org, first_name="Sam", last_name="Other")
    browser = login_as(stranger.user)
    for slug_org in (org, other_org):
        for method, rest in [*routes(entry.pk), ("get", ""), ("get", "new/"), ("get", "insights/"), ("post", "goal/")]:
            response = getattr(browser, method)(url(slug_org, rest), {"title": "x", "shared": "1"})
            if slug_org is other_org and rest in ("", "new/", "insights/", "goal/"):
                continue  # their own journal
            assert response.status_code == 404, (slug_org.slug, method, rest)
    assert fresh(org, entry).title == "Home" and not fresh(org, entry).shared
