"""Who may open /ws/v1/events, for which business, and that a frame reaches only its own sockets."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django_scopes import scopes_disabled

from coachos.accounts.services import api_token_create, api_token_revoke
from coachos.chat import consumers
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, MembershipFactory, member
from .sockets import cookie_socket, opened, publish_committed, refused_with, share_the_test_connection, token_socket


@pytest.fixture(autouse=True)
def _sockets(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    share_the_test_connection(monkeypatch, settings)


def frame(n: int) -> dict[str, Any]:
    return {"type": "message.created", "conversation": n, "message": {"id": n, "body": "hello"}}


async def publish(organization_id: int, user_ids: list[int], payload: dict[str, Any]) -> None:
    await database_sync_to_async(publish_committed)(organization_id=organization_id, user_ids=user_ids,
                                                    frame=payload)


@pytest.mark.parametrize("role", [Role.OWNER, Role.COACH, Role.STAFF, Role.CLIENT])
def test_a_cookie_socket_is_admitted_for_a_business_of_the_user_and_gets_its_frames(org, role):
    user = member(org, role)
    page = cookie_socket(user, org.slug)

    async def body() -> None:
        socket = await opened(page)
        await publish(org.pk, [user.pk], frame(1))
        assert await socket.receive_json_from(timeout=3) == frame(1)
        await socket.disconnect()

    async_to_sync(body)()


def test_a_token_socket_is_admitted_for_the_tokens_business_without_an_origin(org, owner):
    _token, raw = api_token_create(user=owner, organization=org, name="app")
    app = token_socket(raw)

    async def body() -> None:
        socket = await opened(app)
        await publish(org.pk, [owner.pk], frame(2))
        assert await socket.receive_json_from(timeout=3) == frame(2)
        await socket.disconnect()

    async_to_sync(body)()


def test_a_socket_without_credentials_is_closed_4401(org):
    assert async_to_sync(refused_with)(cookie_socket(None, org.slug)) == 4401


@pytest.mark.parametrize("header", ["Bearer cos_deadbeef_not-a-token", "Basic b3duZXI6cGFzcw==", "Bearer "])
def test_a_bad_authorization_header_is_closed_4401_even_with_a_valid_cookie(org, owner, header):
    socket = cookie_socket(owner, org.slug)
    socket.scope["headers"].append((b"authorization", header.encode()))
    assert async_to_sync(refused_with)(socket) == 4401


def test_a_revoked_token_or_an_inactive_user_is_closed_4401(org, owner):
    token, raw = api_token_create(user=owner, organization=org, name="app")
    api_token_revoke(token=token, actor=owner)
    assert async_to_sync(refused_with)(token_socket(raw)) == 4401

    coach = member(org, Role.COACH)
    _token, coach_raw = api_token_create(user=coach, organization=org, name="app")
    coach.is_active = False
    coach.save(update_fields=["is_active"])
    assert async_to_sync(refused_with)(token_socket(coach_raw)) == 4401


def test_a_token_of_someone_no_longer_a_member_is_closed_4401(org):
    coach = member(org, Role.COACH)
    _token, raw = api_token_create(user=coach, organization=org, name="app")
    with scopes_disabled():
        Membership.objects.filter(user=coach).delete()
    assert async_to_sync(refused_with)(token_socket(raw)) == 4401


@pytest.mark.parametrize("origin", ["https://evil.example", "http://testserver:8081", "null", "", None])
def test_a_cookie_socket_from_another_origin_is_closed_4403(org, owner, origin):
    assert async_to_sync(refused_with)(cookie_socket(owner, org.slug, origin=origin)) == 4403


def test_a_cookie_socket_from_the_public_address_is_admitted(org, owner, settings):
    settings.PUBLIC_BASE_URL = "https://coach.example"
    page = cookie_socket(owner, org.slug, origin="https://coach.example", host="10.0.0.5:8000")

    async def body() -> None:
        socket = await opened(page)
        await socket.disconnect()

    async_to_sync(body)()


def test_origin_rules():
    allowed = consumers.origin_allowed
    assert allowed("http://testserver", "testserver")
    assert not allowed("http://testserver", "other.example")  # not the host the socket was opened on
    assert not allowed("http://evil.example", "evil.example")  # not one of ALLOWED_HOSTS
    assert not allowed("javascript://testserver", "testserver")
    assert not allowed(None, "testserver")


@pytest.mark.parametrize("business", ["southside-test", "no-such-business", "", None])
def test_a_cookie_socket_for_a_business_the_user_is_not_in_is_closed_4403(org, other_org, owner, business):
    ClientFactory(organization=other_org, email=owner.email)  # a record with the same email is no membership
    assert async_to_sync(refused_with)(cookie_socket(owner, business)) == 4403


def test_a_token_socket_naming_another_business_is_closed_4403(org, other_org, owner):
    MembershipFactory(organization=other_org, user=owner, role=Role.OWNER)
    _token, raw = api_token_create(user=owner, organization=org, name="app")
    assert async_to_sync(refused_with)(token_socket(raw, business=other_org.slug)) == 4403


def test_a_frame_reaches_only_its_user_in_its_business(org, other_org):
    alice = member(org, Role.COACH)
    MembershipFactory(organization=other_org, user=alice, role=Role.OWNER)
    bob = member(org, Role.OWNER)
    carol = member(org, Role.CLIENT)
    ClientFactory(organization=org, user=carol)
    _token, alice_raw = api_token_create(user=alice, organization=org, name="app")
    sockets = [cookie_socket(alice, org.slug), token_socket(alice_raw), cookie_socket(alice, other_org.slug),
               cookie_socket(bob, org.slug), cookie_socket(carol, org.slug)]

    async def body() -> None:
        alice_here, alice_app, alice_there, bob_here, carol_here = [await opened(s) for s in sockets]

        await publish(org.pk, [alice.pk], frame(3))
        assert await alice_here.receive_json_from(timeout=3) == frame(3)
        assert await alice_app.receive_json_from(timeout=3) == frame(3)
        for other in (alice_there, bob_here, carol_here):
            assert await other.receive_nothing(timeout=0.3)

        await publish(other_org.pk, [alice.pk], frame(4))
        assert await alice_there.receive_json_from(timeout=3) == frame(4)
        for other in (alice_here, alice_app, bob_here, carol_here):
            assert await other.receive_nothing(timeout=0.3)

        await publish(org.pk, [alice.pk, bob.pk, carol.pk], frame(5))
        for socket in (alice_here, alice_app, bob_here, carol_here):
            assert await socket.receive_json_from(timeout=3) == frame(5)
        assert await alice_there.receive_nothing(timeout=0.3)
        for socket in (alice_here, alice_app, alice_there, bob_here, carol_here):
            await socket.disconnect()

    async_to_sync(body)()


def test_an_open_socket_is_closed_4401_once_its_credentials_no_longer_hold(org, owner, monkeypatch):
    monkeypatch.setattr(consumers, "RECHECK_INTERVAL", 0)
    coach = member(org, Role.COACH)
    token, raw = api_token_create(user=owner, organization=org, name="app")
    sockets = [token_socket(raw), cookie_socket(coach, org.slug)]

    async def body() -> None:
        app, page = [await opened(s) for s in sockets]
        await database_sync_to_async(api_token_revoke)(token=token, actor=owner)
        await database_sync_to_async(Session.objects.all().delete)()  # signed out everywhere
        for socket in (app, page):
            await socket.send_json_to({"type": "ping"})
            closed = await socket.receive_output(timeout=3)
            assert closed["type"] == "websocket.close" and closed["code"] == 4401

    async_to_sync(body)()


def test_a_frame_the_page_cannot_parse_gets_an_error_and_the_socket_stays_open(org, owner):
    page = cookie_socket(owner, org.slug)

    async def body() -> None:
        socket = await opened(page)
        await socket.send_to(text_data="not json")
        assert await socket.receive_json_from(timeout=3) == {"type": "error", "error": "bad_frame"}
        await socket.send_json_to({"type": "shout"})
        assert await socket.receive_json_from(timeout=3) == {"type": "error", "error": "unknown_type"}
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=3) == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(body)()


def test_a_page_that_floods_the_socket_is_told_once_and_its_extra_frames_are_dropped(org, owner, monkeypatch):
    monkeypatch.setattr(consumers, "FRAME_BUDGET", 3)
    page = cookie_socket(owner, org.slug)

    async def body() -> None:
        socket = await opened(page)  # its ping is the first frame of the window
        for _ in range(5):
            await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        assert await socket.receive_json_from() == {"type": "pong"}
        assert await socket.receive_json_from() == {"type": "error", "error": "rate_limited"}
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(body)()
