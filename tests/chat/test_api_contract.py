"""The chat API contract of issue #13: conversations, messages, after=ID, read → 204, idempotent sends,
edits, deletions, reactions, reports, rate limit, problem details. Same endpoints for both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.chat import services
from coachos.chat.models import Conversation, ConversationState, Message, MessageEdit, MessageReport
from coachos.comms.models import Notification
from coachos.tenancy.models import AuditEntry

from .conftest import assert_problem, open_conversation, patch, post, send

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
MESSAGE_FIELDS = {"id", "conversation", "kind", "channel", "body", "sender", "client_key", "created_at", "edited_at",
                  "edited", "deleted", "state", "error", "reactions", "attachments"}


def test_opening_a_conversation_is_201_then_200_with_the_same_id(client: DjangoClient, org, coach, olivia):
    first = post(client, "/api/v1/conversations", {"client": olivia.client.pk}, coach.headers)
    assert first.status_code == 201
    body = first.json()
    assert {"id", "client", "unread", "title", "owner", "last_message", "archived", "kind"} <= set(body)
    assert body["client"] == olivia.client.pk and body["unread"] == 0 and body["kind"] == "direct"
    assert body["title"] == "Olivia Martinez" and body["owner"]["name"] == "Jordan Reyes"
    again = post(client, "/api/v1/conversations", {"client": olivia.client.pk}, coach.headers)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    # The client opens the same one with their own token.
    mine = post(client, "/api/v1/conversations", {"client": olivia.client.pk}, olivia.headers)
    assert mine.status_code == 200 and mine.json()["id"] == body["id"]
    assert mine.json()["title"] == org.name and mine.json()["owner"]["name"] == "Jordan"
    with scope(organization=org):
        assert Conversation.objects.count() == 1


def test_a_client_cannot_open_another_clients_conversation(client, org, olivia, liam):
    response = post(client, "/api/v1/conversations", {"client": liam.client.pk}, olivia.headers)
    assert_problem(response, 422)
    with scope(organization=org):
        assert not Conversation.objects.exists()


def test_send_is_201_and_the_same_client_key_is_200_with_the_same_message(client, org, coach, olivia, frames):
    conversation = open_conversation(client, olivia.client, coach.headers)
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    with time_machine.travel(NOON, tick=False):
        first = post(client, url, {"body": "Hi Olivia <b>!</b>", "client_key": "k-1"}, coach.headers)
        assert first.status_code == 201
        message = first.json()
        assert set(message) == MESSAGE_FIELDS
        assert message["body"] == "Hi Olivia <b>!</b>"  # stored as typed; the page escapes it
        assert message["client_key"] == "k-1" and message["state"] == "sent" and message["kind"] == "in_app"
        assert message["sender"] == {"id": coach.user.pk, "client": None, "name": "Jordan Reyes", "team": True}
        assert message["created_at"] == "2026-11-24T12:00:00-06:00"  # the business's zone, with its offset
        retry = post(client, url, {"body": "Hi Olivia <b>!</b>", "client_key": "k-1"}, coach.headers)
    assert retry.status_code == 200 and retry.json() == message
    with scope(organization=org):
        assert Message.objects.count() == 1
    created = [f for f in frames if f["frame"]["type"] == "message.created"]
    # One frame per side (the team's JSON, the client's); the retry published nothing.
    assert [f["user_ids"] for f in created] == [[coach.user.pk], [olivia.user.pk]]
    assert created[0]["frame"]["message"] == message
    assert created[1]["frame"]["message"]["sender"]["name"] == "Jordan"
    # A different text under a used key is not silently dropped.
    assert_problem(post(client, url, {"body": "Something else", "client_key": "k-1"}, coach.headers), 409)


def test_the_same_key_from_another_sender_is_another_message(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    assert send(client, conversation["id"], "Hi", coach.headers, "same").status_code == 201
    reply = send(client, conversation["id"], "Hello!", olivia.headers, "same")
    assert reply.status_code == 201
    assert reply.json()["sender"] == {"id": olivia.user.pk, "client": None, "name": "Olivia", "team": False}


def test_after_id_returns_what_came_after_oldest_first_and_pages_go_back(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    ids = [send(client, conversation["id"], f"m{n}", coach.headers if n % 2 else olivia.headers, f"k{n}").json()["id"]
           for n in range(7)]
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    after = client.get(f"{url}?after={ids[3]}", **coach.headers)
    assert after.status_code == 200
    assert [m["id"] for m in after.json()] == ids[4:]
    assert client.get(f"{url}?after={ids[-1]}", **coach.headers).json() == []
    assert [m["id"] for m in client.get(f"{url}?after=0", **coach.headers).json()] == ids
    latest = client.get(f"{url}?limit=3", **coach.headers).json()
    assert [m["id"] for m in latest] == ids[4:]
    older = client.get(f"{url}?before={ids[4]}&limit=3", **coach.headers).json()
    assert [m["id"] for m in older] == ids[1:4]
    oldest = client.get(f"{url}?before={ids[1]}&limit=3", **coach.headers).json()
    assert [m["id"] for m in oldest] == ids[:1]  # a short page: the beginning
    found = client.get(f"{url}?q=m5", **olivia.headers).json()
    assert [m["body"] for m in found] == ["m5"]


def test_a_cursor_of_another_conversation_is_422(client, org, coach, olivia, liam):
    mine = open_conversation(client, olivia.client, coach.headers)
    theirs = open_conversation(client, liam.client, coach.headers)
    other = send(client, theirs["id"], "elsewhere", coach.headers, "x").json()["id"]
    body = assert_problem(client.get(f"/api/v1/conversations/{mine['id']}/messages?after={other}", **coach.headers),
                          422)
    assert body["errors"][0]["field"] == "after"


def test_read_is_204_never_moves_back_and_clears_the_unread_count(client, org, coach, olivia, frames):
    conversation = open_conversation(client, olivia.client, coach.headers)
    ids = [send(client, conversation["id"], f"m{n}", coach.headers, f"k{n}").json()["id"] for n in range(3)]
    listed = client.get("/api/v1/conversations", **olivia.headers).json()["results"]
    assert [(c["id"], c["unread"]) for c in listed] == [(conversation["id"], 3)]
    assert listed[0]["last_message"]["preview"] == "m2"
    url = f"/api/v1/conversations/{conversation['id']}/read"
    response = post(client, url, {"up_to": ids[1]}, olivia.headers)
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/api/v1/conversations/{conversation['id']}", **olivia.headers).json()["unread"] == 1
    assert post(client, url, {"up_to": ids[0]}, olivia.headers).status_code == 204  # an older mark: no change
    with scope(organization=org):
        assert ConversationState.objects.get(user=olivia.user).last_read_id == ids[1]
    read_frames = [f for f in frames if f["frame"]["type"] == "message.read"]
    assert read_frames[-1]["frame"] == {"type": "message.read", "conversation": conversation["id"],
                                        "user": olivia.user.pk, "up_to": ids[1]}
    assert coach.user.pk in read_frames[-1]["user_ids"]
    # The sender sees it read; a message after the mark is not, until the client's app fetches it.
    thread = f"/api/v1/conversations/{conversation['id']}/messages"
    states = {m["id"]: m["state"] for m in client.get(thread, **coach.headers).json()}
    assert states == {ids[0]: "read", ids[1]: "read", ids[2]: "sent"}
    client.get(thread, **olivia.headers)
    assert client.get(thread, **coach.headers).json()[-1]["state"] == "delivered"
    assert_problem(post(client, url, {"up_to": 0}, olivia.headers), 422)


def test_reading_marks_the_bell_entries_of_those_messages_read(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    sent = send(client, conversation["id"], "New plan attached", coach.headers, "k").json()
    with scope(organization=org):
        bell = Notification.objects.get(user=olivia.user)
        assert bell.read_at is None and bell.related_type == "message" and bell.related_id == sent["id"]
    post(client, f"/api/v1/conversations/{conversation['id']}/read", {"up_to": sent["id"]}, olivia.headers)
    bell.refresh_from_db()
    assert bell.read_at is not None


def test_edit_within_five_minutes_keeps_the_history(client, org, coach, olivia, frames):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON, tick=False) as traveller:
        sent = send(client, conversation["id"], "See you at 5", coach.headers, "k").json()
        url = f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}"
        traveller.shift(timedelta(minutes=4, seconds=59))
        edited = patch(client, url, {"body": "See you at 6"}, coach.headers)
        assert edited.status_code == 200
        assert edited.json()["body"] == "See you at 6" and edited.json()["edited"] is True
        assert frames[-1]["frame"]["type"] == "message.updated"
        assert frames[-1]["frame"]["message"]["body"] == "See you at 6"
        traveller.shift(timedelta(seconds=2))
        assert_problem(patch(client, url, {"body": "See you at 7"}, coach.headers), 409)
    assert_problem(patch(client, url, {"body": "Hacked"}, olivia.headers), 403)  # not the sender
    with scope(organization=org):
        assert list(MessageEdit.objects.values_list("body", flat=True)) == ["See you at 5"]
        assert Message.objects.get().body == "See you at 6"


def test_delete_leaves_message_deleted_for_the_sender_or_an_owner(client, org, boss, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    mine = send(client, conversation["id"], "Oops", olivia.headers, "a").json()
    rude = send(client, conversation["id"], "Rude words", olivia.headers, "b").json()
    base = f"/api/v1/conversations/{conversation['id']}/messages"
    assert_problem(client.delete(f"{base}/{mine['id']}", **coach.headers), 403)  # a coach, not an owner
    gone = client.delete(f"{base}/{mine['id']}", **olivia.headers)
    assert gone.status_code == 200 and gone.json()["deleted"] is True and gone.json()["body"] == ""
    assert client.delete(f"{base}/{rude['id']}", **boss.headers).json()["deleted"] is True
    thread = client.get(base, **olivia.headers).json()
    assert [(m["id"], m["deleted"], m["body"]) for m in thread] == [(mine["id"], True, ""), (rude["id"], True, "")]
    with scope(organization=org):
        assert Message.objects.get(pk=rude["id"]).body == ""  # the text is gone, not hidden
        assert AuditEntry.objects.filter(action="chat.message_deleted").count() == 2


def test_reactions_are_one_per_person_and_emoji(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    sent = send(client, conversation["id"], "Great session!", coach.headers, "k").json()
    url = f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}/reactions"
    for _ in range(2):
        response = post(client, url, {"emoji": "👍"}, olivia.headers)
        assert response.status_code == 200
    post(client, url, {"emoji": "👍"}, coach.headers)
    assert response.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": [olivia.user.pk]}]
    thread = client.get(f"/api/v1/conversations/{conversation['id']}/messages", **coach.headers).json()
    assert thread[0]["reactions"] == [{"emoji": "👍", "count": 2, "users": [olivia.user.pk, coach.user.pk]}]
    assert_problem(post(client, url, {"emoji": "lol"}, olivia.headers), 422)
    removed = client.delete(f"{url}?emoji=👍", **olivia.headers)
    assert removed.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": [coach.user.pk]}]


def test_a_client_reports_a_message_to_the_owners(client, org, boss, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    sent = send(client, conversation["id"], "Something inappropriate", coach.headers, "k").json()
    url = f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}/report"
    response = post(client, url, {"reason": "Not OK"}, olivia.headers)
    assert response.status_code == 201
    with scope(organization=org):
        report = MessageReport.objects.get()
        assert report.body == "Something inappropriate" and report.reported_by == olivia.user
        bells = Notification.objects.filter(kind="chat_report")
        assert [b.user for b in bells] == [boss.user]
    assert post(client, url, {"reason": "again"}, olivia.headers).status_code == 201  # once: the same report
    with scope(organization=org):
        assert MessageReport.objects.count() == 1
    own = send(client, conversation["id"], "mine", olivia.headers, "m").json()
    assert_problem(post(client, f"/api/v1/conversations/{conversation['id']}/messages/{own['id']}/report", {},
                        olivia.headers), 409)


def test_thirty_messages_a_minute_then_a_clear_429(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    with time_machine.travel(NOON + timedelta(seconds=10), tick=False):
        for n in range(services.RATE_LIMIT):
            assert send(client, conversation["id"], f"m{n}", coach.headers, f"k{n}").status_code == 201
        refused = send(client, conversation["id"], "one more", coach.headers, "k-extra")
        body = assert_problem(refused, 429)
        assert refused["Retry-After"] == "50"
        assert "too fast" in body["detail"] and body["code"] == "rate_limited"
        # A retry of a message already sent is not a new message: it still answers.
        assert send(client, conversation["id"], "m0", coach.headers, "k0").status_code == 200
        # The limit is per person.
        assert send(client, conversation["id"], "hi", olivia.headers, "o1").status_code == 201
    with time_machine.travel(NOON + timedelta(seconds=61), tick=False):
        assert send(client, conversation["id"], "later", coach.headers, "k-later").status_code == 201
    with scope(organization=org):
        assert Message.objects.filter(sender=coach.user).count() == services.RATE_LIMIT + 1


@pytest.mark.parametrize("body, status", [
    ({"body": "x"}, 422),  # no client_key
    ({"body": "", "client_key": "k"}, 422),  # nothing to send
    ({"body": "   ", "client_key": "k"}, 422),
    ({"body": "x" * 4001, "client_key": "k"}, 422),
    ({"body": "x", "client_key": "k" * 65}, 422),
    ({"body": "x", "client_key": "k", "channel": "pigeon"}, 422),
    ({"body": "bad\x00byte", "client_key": "k"}, 422),
    ({"body": "x", "client_key": "k", "attachments": [999999]}, 422),
    ({"body": "x", "client_key": "k", "surprise": 1}, 422),
])
def test_bad_input_is_a_problem_and_writes_nothing(client, org, coach, olivia, body, status):
    conversation = open_conversation(client, olivia.client, coach.headers)
    assert_problem(post(client, f"/api/v1/conversations/{conversation['id']}/messages", body, coach.headers), status)
    with scope(organization=org):
        assert not Message.objects.exists()


def test_malformed_json_and_bad_ids_are_4xx_never_500(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    assert_problem(client.post(url, data="{not json", content_type="application/json", **coach.headers), 400)
    assert_problem(client.get("/api/v1/conversations/abc", **coach.headers), 422)
    assert_problem(client.get(f"/api/v1/conversations/{2**62}", **coach.headers), 404)
    assert_problem(client.get(f"{url}?after=-1", **coach.headers), 422)
    assert_problem(client.get(f"{url}?limit=0", **coach.headers), 422)
    assert_problem(client.get("/api/v1/conversations?cursor=%%%", **coach.headers), 422)
    assert_problem(client.get("/api/v1/conversations?cursor=bm90LWEtY3Vyc29y", **coach.headers), 422)


def test_without_credentials_it_is_401(client, org, coach, olivia):
    assert_problem(client.get("/api/v1/conversations"), 401)
    assert_problem(post(client, "/api/v1/conversations", {"client": olivia.client.pk}, {}), 401)
    assert_problem(client.get("/api/v1/conversations", HTTP_AUTHORIZATION="Bearer cos_nope_nope"), 401)


def test_the_list_filters_search_and_archive(client, org, boss, coach, olivia, liam):
    a = open_conversation(client, olivia.client, boss.headers)
    b = open_conversation(client, liam.client, boss.headers)
    send(client, a["id"], "Parking question", olivia.headers, "1")
    send(client, b["id"], "Running late", liam.headers, "2")
    listed = client.get("/api/v1/conversations", **boss.headers).json()
    assert [c["id"] for c in listed["results"]] == [b["id"], a["id"]]  # most recent first
    assert listed["next"] is None
    assert [c["id"] for c in client.get("/api/v1/conversations?q=parking", **boss.headers).json()["results"]] == [a["id"]]
    assert [c["id"] for c in client.get("/api/v1/conversations?q=johnson", **boss.headers).json()["results"]] == [b["id"]]
    # "mine": the clients the coach coaches (Olivia's coach is Jordan).
    assert [c["id"] for c in client.get("/api/v1/conversations?mine=true", **coach.headers).json()["results"]] == [a["id"]]
    archived = post(client, f"/api/v1/conversations/{a['id']}/archive", {}, boss.headers)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert [c["id"] for c in client.get("/api/v1/conversations", **boss.headers).json()["results"]] == [b["id"]]
    assert [c["id"] for c in client.get("/api/v1/conversations?archived=true", **boss.headers).json()["results"]] \
        == [a["id"]]
    # Archived for the owner only: the coach still has it.
    assert a["id"] in [c["id"] for c in client.get("/api/v1/conversations", **coach.headers).json()["results"]]
    # A new message brings it back.
    send(client, a["id"], "Still there?", olivia.headers, "3")
    assert a["id"] in [c["id"] for c in client.get("/api/v1/conversations", **boss.headers).json()["results"]]
    assert patch(client, f"/api/v1/conversations/{a['id']}", {"archived": True, "muted": True},
                 boss.headers).json()["muted"] is True
    back = client.delete(f"/api/v1/conversations/{a['id']}/archive", **boss.headers)
    assert back.json()["archived"] is False
    send(client, a["id"], "only unread", olivia.headers, "4")
    unread = client.get("/api/v1/conversations?unread=true", **boss.headers).json()["results"]
    assert {c["id"] for c in unread} == {a["id"], b["id"]}


def test_the_list_pages_with_a_cursor(client, org, boss):
    from .conftest import portal_client

    people = [portal_client(org, first_name=f"P{n}", last_name="X") for n in range(5)]
    opened = []
    for n, person in enumerate(people):
        with time_machine.travel(NOON + timedelta(minutes=n), tick=False):
            opened.append(open_conversation(client, person.client, boss.headers)["id"])
    seen, url = [], "/api/v1/conversations?limit=2"
    while url:
        page = client.get(url, **boss.headers).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == list(reversed(opened))


def test_groups_show_clients_first_names_only(client, org, boss, coach, olivia, liam):
    response = post(client, "/api/v1/conversations/groups",
                    {"title": "Saturday bootcamp", "clients": [olivia.client.pk, liam.client.pk],
                     "memberships": [coach.membership.pk]}, boss.headers)
    assert response.status_code == 201
    group = response.json()
    assert group["kind"] == "group" and group["client"] is None and group["title"] == "Saturday bootcamp"
    assert {m["name"] for m in group["members"]} == {"Olivia Martinez", "Liam Johnson", "Jordan Reyes",
                                                     "Olga Owner"}
    send(client, group["id"], "Welcome all", coach.headers, "g1")
    seen = client.get(f"/api/v1/conversations/{group['id']}", **olivia.headers).json()
    assert {m["name"] for m in seen["members"]} == {"Olivia", "Liam", "Jordan", "Olga"}
    assert all(m["client"] is None for m in seen["members"])
    reply = send(client, group["id"], "Hi!", liam.headers, "g2").json()
    thread = client.get(f"/api/v1/conversations/{group['id']}/messages", **olivia.headers).json()
    assert [m["sender"]["name"] for m in thread] == ["Jordan", "Liam"]
    assert thread[1]["sender"]["client"] is None and reply["sender"]["client"] is None
    # Texts and emails are for one client only.
    assert_problem(send(client, group["id"], "x", coach.headers, "g3", channel="sms"), 422)
    # A client cannot start a group.
    assert_problem(post(client, "/api/v1/conversations/groups", {"title": "Mine"}, olivia.headers), 403)


def test_the_api_is_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert "post" in paths["/api/v1/conversations"] and "get" in paths["/api/v1/conversations"]
    assert {"get", "post"} <= set(paths["/api/v1/conversations/{conversation_id}/messages"])
    assert "post" in paths["/api/v1/conversations/{conversation_id}/read"]
    assert "204" in paths["/api/v1/conversations/{conversation_id}/read"]["post"]["responses"]
    assert {"200", "201"} <= set(paths["/api/v1/conversations/{conversation_id}/messages"]["post"]["responses"])
    assert "post" in paths["/api/v1/attachments"]
    message = spec["components"]["schemas"]["ChatMessageOut"]["properties"]
    assert {"id", "body", "sender", "created_at", "client_key"} <= set(message)


def test_every_change_is_published_to_the_audience(client, org, boss, coach, olivia, liam, frames):
    conversation = open_conversation(client, olivia.client, coach.headers)
    sent = send(client, conversation["id"], "Hi", coach.headers, "k").json()
    base = f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}"
    patch(client, base, {"body": "Hi Olivia"}, coach.headers)
    post(client, f"{base}/reactions", {"emoji": "🎉"}, olivia.headers)
    client.delete(f"{base}/reactions?emoji=🎉", **olivia.headers)
    post(client, f"/api/v1/conversations/{conversation['id']}/read", {"up_to": sent["id"]}, olivia.headers)
    client.delete(base, **coach.headers)
    kinds = [f["frame"]["type"] for f in frames if f["user_ids"] != [olivia.user.pk]]
    assert kinds == ["message.created", "message.updated", "message.updated", "message.updated", "message.read",
                     "message.updated"]
    for entry in frames:
        assert liam.user.pk not in entry["user_ids"]  # another client never hears of it
        assert {boss.user.pk, coach.user.pk} <= set(entry["user_ids"]) or entry["user_ids"] == [olivia.user.pk]
        if entry["frame"]["type"] != "message.read":
            assert entry["frame"]["conversation"] == conversation["id"]
    last = frames[-1]["frame"]["message"]
    assert last["deleted"] is True and last["body"] == ""


GARBAGE = ["[]", '"x"', "null", "{}", '{"body": 5, "client_key": []}', '{"up_to": "1"}', '{"emoji": null}',
           '{"client": -1}', '{"attachments": "all"}', '{"archived": "maybe"}', '{"title": 7, "clients": [0]}']


def test_garbage_never_makes_a_500(client, org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    message = send(client, conversation["id"], "Hi", coach.headers, "k").json()
    base = f"/api/v1/conversations/{conversation['id']}"
    targets = [("post", "/api/v1/conversations"), ("post", "/api/v1/conversations/groups"), ("patch", base),
               ("post", f"{base}/messages"), ("post", f"{base}/read"), ("patch", f"{base}/messages/{message['id']}"),
               ("post", f"{base}/messages/{message['id']}/reactions"), ("post", f"{base}/messages/{message['id']}/report"),
               ("post", "/api/v1/attachments")]
    for method, url in targets:
        for body in GARBAGE:
            response = getattr(client, method)(url, data=body, content_type="application/json", **coach.headers)
            assert response.status_code < 500, (method, url, body, response.content[:200])
    for query in ("?after=x", "?before=0", "?limit=9999", "?q=" + "x" * 500, "?after=99999999999999999999"):
        response = client.get(f"{base}/messages{query}", **coach.headers)
        assert 400 <= response.status_code < 500, (query, response.status_code)
    assert client.get(f"{base}/messages/{message['id']}/reactions", **coach.headers).status_code == 405
    assert client.delete(f"{base}/messages/{message['id']}/reactions", **coach.headers).status_code == 422
