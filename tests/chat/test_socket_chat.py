"""What flows on the socket for a conversation: typing to its audience only, presence, message frames."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import TestCase
from django_scopes import scope

from coachos.chat import realtime, services
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, MembershipFactory, member
from .sockets import cookie_socket, opened, share_the_test_connection


@pytest.fixture(autouse=True)
def _sockets(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    share_the_test_connection(monkeypatch, settings)


class Cast:
    """A business with a client who has a coach, a second client, a coach limited to their own
    clients, and a conversation of another business."""

    def __init__(self, org: Any, other_org: Any, owner: Any) -> None:
        self.org, self.owner = org, owner
        self.coach = member(org, Role.COACH, name="Cody Coach")
        self.limited = member(org, Role.COACH, name="Lena Limited")
        self.dana = member(org, Role.CLIENT, name="Dana Client")
        self.eli = member(org, Role.CLIENT, name="Eli Other")
        with scope(organization=org):
            coach_membership = self.coach.memberships.get()
            self.limited.memberships.update(sees_all_clients=False)
            self.dana_client = ClientFactory(organization=org, user=self.dana, coach_membership=coach_membership)
            self.eli_client = ClientFactory(organization=org, user=self.eli)
            self.conversation, _ = services.conversation_get_or_create(client=self.dana_client)
            self.eli_conversation, _ = services.conversation_get_or_create(client=self.eli_client)
        stranger = MembershipFactory(organization=other_org, role=Role.OWNER).user
        with scope(organization=other_org):
            self.foreign, _ = services.conversation_get_or_create(client=ClientFactory(organization=other_org))
        self.stranger = stranger


@pytest.fixture
def cast(org: Any, other_org: Any, owner: Any) -> Cast:
    return Cast(org, other_org, owner)


def test_typing_reaches_the_conversations_audience_and_no_one_else(cast):
    people = [cast.dana, cast.owner, cast.coach, cast.limited, cast.eli]
    sockets = [cookie_socket(person, cast.org.slug) for person in people]

    async def body() -> None:
        dana, owner, coach, limited, eli = [await opened(s) for s in sockets]
        await dana.send_json_to({"type": "typing", "conversation": cast.conversation.pk})
        expected = {"type": "typing", "conversation": cast.conversation.pk, "user": cast.dana.pk, "name": "Dana"}
        assert await owner.receive_json_from() == expected
        assert await coach.receive_json_from() == expected
        for other in (dana, limited, eli):  # not the typist, not a coach who may not see Dana, not Eli
            assert await other.receive_nothing(timeout=0.3)

        await coach.send_json_to({"type": "typing", "conversation": cast.conversation.pk})
        assert (await dana.receive_json_from())["name"] == "Cody"
        assert (await owner.receive_json_from())["user"] == cast.coach.pk
        for s in (dana, owner, coach, limited, eli):
            await s.disconnect()

    async_to_sync(body)()


@pytest.mark.parametrize("whose", ["another client's", "another business's", "hidden from a limited coach",
                                   "no such", "not an id"])
def test_typing_for_a_conversation_the_user_may_not_see_is_refused_and_never_relayed(cast, whose):
    typist, conversation_id = {
        "another client's": (cast.eli, cast.conversation.pk),
        "another business's": (cast.dana, cast.foreign.pk),
        "hidden from a limited coach": (cast.limited, cast.conversation.pk),
        "no such": (cast.dana, cast.foreign.pk + 1000),
        "not an id": (cast.dana, str(cast.conversation.pk)),
    }[whose]
    listeners = [cookie_socket(person, cast.org.slug) for person in (cast.owner, cast.coach, cast.dana, cast.eli)]
    listeners.append(cookie_socket(cast.stranger, cast.foreign.organization.slug))
    typing = cookie_socket(typist, cast.org.slug)

    async def body() -> None:
        ears = [await opened(s) for s in listeners]
        mouth = await opened(typing)
        await mouth.send_json_to({"type": "typing", "conversation": conversation_id})
        reply = await mouth.receive_json_from()
        assert reply["type"] == "error" and reply["error"] == "not_found"
        for ear in ears:
            assert await ear.receive_nothing(timeout=0.3)
        for s in [*ears, mouth]:
            await s.disconnect()

    async_to_sync(body)()


def test_a_burst_of_typing_frames_is_relayed_once(cast):
    sockets = [cookie_socket(cast.dana, cast.org.slug), cookie_socket(cast.coach, cast.org.slug)]

    async def body() -> None:
        dana, coach = [await opened(s) for s in sockets]
        for _ in range(5):
            await dana.send_json_to({"type": "typing", "conversation": cast.conversation.pk})
        assert (await coach.receive_json_from())["type"] == "typing"
        assert await coach.receive_nothing(timeout=0.3)
        await dana.disconnect()
        await coach.disconnect()

    async_to_sync(body)()


def test_presence_follows_viewing_frames_pings_and_the_ttl(cast, time_machine):
    time_machine.move_to(datetime.now(tz=UTC), tick=False)
    page, other_tab = cookie_socket(cast.dana, cast.org.slug), cookie_socket(cast.dana, cast.org.slug)

    def viewing(conversation: Any) -> bool:
        return realtime.is_viewing(user_id=cast.dana.pk, conversation_id=conversation.pk)

    async def body() -> None:
        socket, tab = await opened(page), await opened(other_tab)
        assert not viewing(cast.conversation)
        await socket.send_json_to({"type": "viewing", "conversation": cast.conversation.pk})
        await socket.send_json_to({"type": "ping"})  # frames are handled in order: pong = viewing done
        assert await socket.receive_json_from() == {"type": "pong"}
        assert viewing(cast.conversation)

        time_machine.shift(realtime.PRESENCE_TTL - 10)
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        time_machine.shift(realtime.PRESENCE_TTL - 10)
        assert viewing(cast.conversation)  # refreshed by the ping
        time_machine.shift(11)
        assert not viewing(cast.conversation)  # a page that went quiet stops counting

        await socket.send_json_to({"type": "viewing", "conversation": cast.conversation.pk})
        await tab.send_json_to({"type": "viewing", "conversation": cast.conversation.pk})
        await tab.send_json_to({"type": "ping"})
        assert await tab.receive_json_from() == {"type": "pong"}
        await socket.send_json_to({"type": "viewing", "conversation": None})
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        assert viewing(cast.conversation)  # the other tab still looks
        await tab.disconnect()
        assert not viewing(cast.conversation)  # closing the tab ends its presence at once

        await socket.send_json_to({"type": "viewing", "conversation": cast.eli_conversation.pk})
        assert (await socket.receive_json_from())["error"] == "not_found"
        assert not viewing(cast.eli_conversation)
        await socket.disconnect()

    async_to_sync(body)()


def send(conversation: Any, actor: Any, body: str, key: str) -> None:
    with scope(organization=conversation.organization), TestCase.captureOnCommitCallbacks(execute=True):
        services.message_send(conversation=conversation, actor=actor, body=body, client_key=key)


def test_a_message_sent_through_the_service_reaches_its_audience_and_no_other_client(cast):
    people = [cast.dana, cast.owner, cast.eli, cast.limited]
    sockets = [cookie_socket(person, cast.org.slug) for person in people]

    async def body() -> None:
        dana, owner, eli, limited = [await opened(s) for s in sockets]
        await database_sync_to_async(send)(cast.conversation, cast.coach, "See you at 6", "k-1")
        for socket in (dana, owner):
            created = await socket.receive_json_from()
            assert created["type"] == "message.created" and created["conversation"] == cast.conversation.pk
            assert created["message"]["body"] == "See you at 6"
        for socket in (eli, limited):
            assert await socket.receive_nothing(timeout=0.3)

        await database_sync_to_async(send)(cast.eli_conversation, cast.owner, "Hi Eli", "k-2")
        assert (await eli.receive_json_from())["conversation"] == cast.eli_conversation.pk
        assert await dana.receive_nothing(timeout=0.3)
        for s in (dana, owner, eli, limited):
            await s.disconnect()

    async_to_sync(body)()
