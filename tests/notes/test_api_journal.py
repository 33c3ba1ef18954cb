"""The journal API: a client writes, shares and finds their entries; the team reads only what was
shared; prompts, the goal and insights."""

from __future__ import annotations

import pytest
from django_scopes import scope

from coachos.comms.models import Notification, OutboundMessage
from coachos.notes.models import JournalEntry, JournalPromptRecipient
from tests.factories import BookingFactory, TagFactory, TrainingSessionFactory

from .conftest import Person, call

pytestmark = pytest.mark.django_db


def _write(api, person: Person, **body: object) -> dict:
    response = call(api, "post", "/api/v1/journal", person,
                    {"title": "Tuesday", "body_html": "<p>Slept well</p>", "mood": 4, "shared": False, **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_client_writes_an_entry_stored_sanitized_and_private(api, olivia: Person, coach: Person) -> None:
    entry = _write(api, olivia, body_html='<p onload="x()">Good <em>day</em></p><script>x()</script>',
                   tags=["sleep", "Sleep", "work"])
    assert entry["body_html"] == "<p>Good <em>day</em></p>"
    assert (entry["shared"], entry["mood"], entry["mood_label"], entry["draft"]) == (False, 4, "Good", False)
    assert entry["tags"] == ["sleep", "work"] and entry["client"] == olivia.client.pk
    assert call(api, "get", "/api/v1/journal", olivia).json()["results"][0]["id"] == entry["id"]


def test_the_team_cannot_write_a_journal_and_bad_moods_are_refused(api, coach: Person, olivia: Person) -> None:
    assert call(api, "post", "/api/v1/journal", coach, {"title": "x", "body_html": "<p>x</p>", "mood": 3,
                                                        "shared": True}).status_code == 403
    for mood in (0, 6):
        response = call(api, "post", "/api/v1/journal", olivia, {"body_html": "<p>x</p>", "mood": mood,
                                                                 "shared": False})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mood"
    response = call(api, "post", "/api/v1/journal", olivia, {"body_html": "<p>x</p>", "shared": False})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mood"
    draft = call(api, "post", "/api/v1/journal", olivia, {"body_html": "<p>half</p>", "shared": False,
                                                          "draft": True})
    assert draft.status_code == 201 and draft.json()["mood"] is None
    with scope(organization=olivia.client.organization):
        assert JournalEntry.objects.count() == 1


def test_the_team_reads_only_shared_saved_entries(api, coach: Person, olivia: Person) -> None:
    private = _write(api, olivia, title="Private")
    shared = _write(api, olivia, title="Shared", shared=True)
    shared_draft = call(api, "post", "/api/v1/journal", olivia, {"title": "Draft", "shared": True, "draft": True,
                                                                 "body_html": "<p>d</p>"}).json()
    listed = call(api, "get", f"/api/v1/clients/{olivia.client.pk}/journal", coach).json()["results"]
    assert [e["id"] for e in listed] == [shared["id"]]
    assert call(api, "get", f"/api/v1/journal/{shared['id']}", coach).status_code == 200
    for hidden in (private, shared_draft):
        assert call(api, "get", f"/api/v1/journal/{hidden['id']}", coach).status_code == 404
    # Sharing is the client's switch, both ways.
    call(api, "patch", f"/api/v1/journal/{private['id']}", olivia, {"shared": True})
    assert call(api, "get", f"/api/v1/journal/{private['id']}", coach).status_code == 200
    call(api, "patch", f"/api/v1/journal/{private['id']}", olivia, {"shared": False})
    assert call(api, "get", f"/api/v1/journal/{private['id']}", coach).status_code == 404
    assert call(api, "patch", f"/api/v1/journal/{shared['id']}", coach, {"title": "x"}).status_code == 403


def test_search_and_filters_for_the_client(api, olivia: Person) -> None:
    run = _write(api, olivia, title="Long run", body_html="<p>Knees fine</p>", mood=5, tags=["running"])
    _write(api, olivia, title="Rest", body_html="<p>Tired</p>", mood=2)

    def ids(query: str) -> list[int]:
        return [e["id"] for e in call(api, "get", f"/api/v1/journal?{query}", olivia).json()["results"]]

    assert ids("q=knee") == [run["id"]] and ids("mood=5") == [run["id"]] and ids("tag=RUNNING") == [run["id"]]
    assert len(ids("")) == 2


def test_autosave_conflicts_and_the_draft_kept(api, olivia: Person) -> None:
    draft = call(api, "post", "/api/v1/journal", olivia, {"body_html": "<p>a</p>", "shared": False,
                                                          "draft": True}).json()
    url = f"/api/v1/journal/{draft['id']}"
    saved = call(api, "patch", url, olivia, {"base_version": 1, "body_html": "<p>ab</p>", "autosave": True})
    assert saved.json()["version"] == 2
    stale = call(api, "patch", url, olivia, {"base_version": 1, "body_html": "<p>other tab</p>", "autosave": True})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    needs_mood = call(api, "patch", url, olivia, {"draft": False})
    assert needs_mood.status_code == 422 and needs_mood.json()["errors"][0]["field"] == "mood"
    kept = call(api, "patch", url, olivia, {"draft": False, "mood": 3})
    assert kept.json()["draft"] is False and kept.json()["body_html"] == "<p>ab</p>"


def test_prompts_reach_clients_and_answers_link_back(api, org, coach: Person, olivia: Person,
                                                     noah: Person) -> None:
    tag = TagFactory(organization=org, name="Marathon")
    noah.client.tags.add(tag)
    sent = call(api, "post", "/api/v1/journal-prompts", coach, {"text": "What went well this week?",
                                                                "clients": [olivia.client.pk], "tag": tag.pk})
    assert sent.status_code == 201, sent.content
    assert (sent.json()["sent_count"], sent.json()["shared_answers_count"]) == (2, 0)
    with scope(organization=org):
        bells = Notification.objects.filter(kind="journal_prompt").values_list("user_id", flat=True)
        assert sorted(bells) == sorted([olivia.user.pk, noah.user.pk])
        assert OutboundMessage.objects.filter(kind="journal_prompt", client=olivia.client).exists()
    open_prompts = call(api, "get", "/api/v1/journal-prompts", olivia).json()
    assert [p["text"] for p in open_prompts] == ["What went well this week?"]
    prompt_id = open_prompts[0]["id"]
    answer = call(api, "post", f"/api/v1/journal-prompts/{prompt_id}/answer", olivia,
                  {"body_html": "<p>Ran 10k</p>", "mood": 5, "shared": False})
    assert answer.status_code == 201 and answer.json()["prompt"] == prompt_id
    assert call(api, "get", "/api/v1/journal-prompts", olivia).json() == []
    # An unshared answer is not the team's to know of.
    assert call(api, "get", "/api/v1/journal-prompts", coach).json()[0]["shared_answers_count"] == 0
    call(api, "patch", f"/api/v1/journal/{answer.json()['id']}", olivia, {"shared": True})
    assert call(api, "get", "/api/v1/journal-prompts", coach).json()[0]["shared_answers_count"] == 1
    with scope(organization=org):
        assert JournalPromptRecipient.objects.get(client=olivia.client).entry_id == answer.json()["id"]


def test_an_entry_about_a_session_the_client_had(api, org, olivia: Person, noah: Person) -> None:
    session = TrainingSessionFactory(organization=org)
    BookingFactory(session=session, organization=org, client=olivia.client)
    made = call(api, "post", f"/api/v1/sessions/{session.pk}/journal", olivia,
                {"body_html": "<p>Great class</p>", "mood": 5, "shared": False})
    assert made.status_code == 201 and made.json()["session"] == session.pk
    assert call(api, "post", f"/api/v1/sessions/{session.pk}/journal", noah,
                {"body_html": "<p>x</p>", "mood": 5, "shared": False}).status_code == 404


def test_goal_and_insights(api, coach: Person, olivia: Person) -> None:
    assert call(api, "put", "/api/v1/journal/goal", olivia, {"entries_per_week": 3}).json() == {
        "entries_per_week": 3, "remind": True}
    assert call(api, "put", "/api/v1/journal/goal", olivia, {"entries_per_week": 20}).status_code == 422
    _write(api, olivia, mood=2, tags=["work"])
    _write(api, olivia, mood=4, tags=["work", "sleep"], shared=True)
    mine = call(api, "get", "/api/v1/journal/insights", olivia).json()
    assert (mine["total"], mine["this_week"], mine["entries_per_week_goal"]) == (2, 2, 3)
    assert mine["weeks"][-1]["mood_average"] == 3.0
    assert mine["common_tags"][0] == {"name": "work", "count": 2}
    theirs = call(api, "get", f"/api/v1/clients/{olivia.client.pk}/journal/insights", coach).json()
    assert (theirs["total"], theirs["entries_per_week_goal"]) == (1, None)
    assert theirs["weeks"][-1]["mood_average"] == 4.0
    assert sorted(t["name"] for t in theirs["common_tags"]) == ["sleep", "work"]
    assert call(api, "put", "/api/v1/journal/goal", olivia, {"entries_per_week": None}).json()[
        "entries_per_week"] is None
