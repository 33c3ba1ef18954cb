"""Who may read which conversation: client A never B's; a coach limited to their own clients never
another coach's client's; nobody another business's. Every route answers 404 for what one may not see.
And the pages' own way in: the session cookie, a CSRF token on writes, and the business named."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.chat import selectors
from coachos.chat.models import Message
from coachos.tenancy.roles import Role
from tests.conftest import login_as

from .conftest import assert_problem, open_conversation, patch, portal_client, post, send, team_member

pytestmark = pytest.mark.django_db


def _routes(conversation_id: int, message_id: int) -> list[tuple[str, str, Any]]:
    base = f"/api/v1/conversations/{conversation_id}"
    one = f"{base}/messages/{message_id}"
    return [
        ("get", base, None), ("patch", base, {"archived": True}), ("post", f"{base}/archive", {}),
        ("delete", f"{base}/archive", None), ("get", f"{base}/messages", None),
        ("post", f"{base}/messages", {"body": "x", "client_key": "intruder"}),
        ("post", f"{base}/read", {"up_to": message_id}), ("patch", one, {"body": "changed"}), ("delete", one, None),
        ("post", f"{one}/reactions", {"emoji": "👍"}), ("delete", f"{one}/reactions?emoji=👍", None),
        ("post", f"{one}/report", {}),
    ]


def _call(http: DjangoClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    if method == "post":
        return post(http, url, body, headers)
    if method == "patch":
        return patch(http, url, body, headers)
    return getattr(http, method)(url, **headers)


def _assert_hidden(http: DjangoClient, conversation_id: int, message_id: int, headers: dict[str, str]) -> None:
    for method, url, body in _routes(conversation_id, message_id):
        response = _call(http, method, url, body, headers)
        assert response.status_code == 404, (method, url, response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/problem+json")


def test_client_a_cannot_read_client_bs_conversation(client, org, coach, olivia, liam):
    theirs = open_conversation(client, liam.client, coach.headers)
    secret = send(client, theirs["id"], "Liam's private plan", coach.headers, "k").json()
    _assert_hidden(client, theirs["id"], secret["id"], olivia.headers)
    listed = client.get("/api/v1/conversations", **olivia.headers).json()["results"]
    assert theirs["id"] not in [c["id"] for c in listed]
    with scope(organization=org):
        assert Message.objects.get().body == "Liam's private plan"  # nothing changed


def test_a_limited_coach_cannot_read_another_coachs_clients_conversation(client, org, olivia):
    other_coach = team_member(org, Role.COACH, sees_all_clients=False, name="Sam Limited")
    own = portal_client(org, first_name="Mia", last_name="Anderson", coach=other_coach)
    conversation = open_conversation(client, olivia.client, olivia.headers)
    message = send(client, conversation["id"], "Hi coach", olivia.headers, "k").json()
    _assert_hidden(client, conversation["id"], message["id"], other_coach.headers)
    assert_problem(post(client, "/api/v1/conversations", {"client": olivia.client.pk}, other_coach.headers), 422)
    # Their own client's conversation is theirs.
    mine = open_conversation(client, own.client, other_coach.headers)
    assert [c["id"] for c in client.get("/api/v1/conversations", **other_coach.headers).json()["results"]] \
        == [mine["id"]]


def test_another_business_sees_nothing(client, org, other_org, coach, olivia):
    conversation = open_conversation(client, olivia.client, coach.headers)
    message = send(client, conversation["id"], "Hi", coach.headers, "k").json()
    stranger = team_member(other_org, Role.OWNER, name="Other Owner")
    _assert_hidden(client, conversation["id"], message["id"], stranger.headers)
    assert client.get("/api/v1/conversations", **stranger.headers).json()["results"] == []


def test_a_message_of_another_conversation_is_404_under_this_one(client, org, coach, olivia, liam):
    mine = open_conversation(client, olivia.client, coach.headers)
    theirs = open_conversation(client, liam.client, coach.headers)
    foreign = send(client, theirs["id"], "Liam only", coach.headers, "k").json()
    assert_problem(patch(client, f"/api/v1/conversations/{mine['id']}/messages/{foreign['id']}", {"body": "x"},
                         coach.headers), 404)


def test_the_audience_is_who_may_see_it(org, boss, coach, olivia, liam):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Sam Limited")
    desk = team_member(org, Role.STAFF, name="Priya Desk")
    with scope(organization=org):
        from coachos.chat import services

        conversation, _created = services.conversation_get_or_create(client=olivia.client)
        ids = selectors.audience_user_ids(conversation)
        for user in (boss.user, coach.user, desk.user, olivia.user):
            assert user.pk in ids
        assert limited.user.pk not in ids and liam.user.pk not in ids
        for person, visible in ((limited, False), (coach, True), (liam, False), (olivia, True)):
            if visible:
                assert selectors.conversation_for(user=person.user, organization=org,
                                                  conversation_id=conversation.pk) == conversation
            else:
                with pytest.raises(Exception) as raised:
                    selectors.conversation_for(user=person.user, organization=org, conversation_id=conversation.pk)
                assert raised.type.__name__ == "Http404"


# --- the pages' session ----------------------------------------------------------------------------

def test_the_session_works_with_the_business_named_and_csrf_on_writes(org, coach, olivia):
    browser = DjangoClient(enforce_csrf_checks=True)
    browser.force_login(olivia.user)
    business = {"HTTP_X_BUSINESS": org.slug}
    assert_problem(browser.get("/api/v1/conversations"), 401)  # which business?
    listed = browser.get("/api/v1/conversations", **business)
    assert listed.status_code == 200 and listed.json()["results"] == []
    refused = post(browser, "/api/v1/conversations", {"client": olivia.client.pk}, business)
    assert_problem(refused, 403)  # no CSRF token
    token = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # what the page's {% csrf_token %} carries, and its cookie
    browser.cookies["csrftoken"] = token
    opened = post(browser, "/api/v1/conversations", {"client": olivia.client.pk}, {**business,
                                                                                   "HTTP_X_CSRFTOKEN": token})
    assert opened.status_code == 201
    sent = send(browser, opened.json()["id"], "From the portal", {**business, "HTTP_X_CSRFTOKEN": token}, "p1")
    assert sent.status_code == 201 and sent.json()["sender"]["name"] == "Olivia"
    via_query = browser.get(f"/api/v1/conversations?business={org.slug}")
    assert [c["id"] for c in via_query.json()["results"]] == [opened.json()["id"]]


def test_the_session_of_a_business_one_is_not_in_is_401(org, other_org, olivia):
    browser = login_as(olivia.user)
    assert_problem(browser.get("/api/v1/conversations", HTTP_X_BUSINESS=other_org.slug), 401)
    assert_problem(browser.get("/api/v1/conversations", HTTP_X_BUSINESS="no-such-business"), 401)


def test_a_session_request_for_another_clients_conversation_is_404(org, coach, olivia, liam):
    http = DjangoClient()
    theirs = open_conversation(http, liam.client, coach.headers)
    browser = login_as(olivia.user)
    assert_problem(browser.get(f"/api/v1/conversations/{theirs['id']}/messages", HTTP_X_BUSINESS=org.slug), 404)
