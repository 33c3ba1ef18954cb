"""Retries that arrive together: real threads, real transactions, PostgreSQL. The same client opened
eight times at once is one conversation; the same client_key sent eight times at once is one message."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.chat import services
from coachos.chat.models import Conversation, Message
from tests.concurrency import run_concurrently

from .conftest import post

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency")]


@pytest.mark.django_db(transaction=True)
def test_opening_the_same_conversation_at_once_makes_one(org, coach, olivia):
    def open_it(_i: int) -> tuple[int, int]:
        response = post(DjangoClient(), "/api/v1/conversations", {"client": olivia.client.pk}, coach.headers)
        return response.status_code, response.json()["id"]

    results = run_concurrently(open_it, 8, timeout=120).values
    statuses = sorted(status for status, _id in results)
    assert statuses == [200] * 7 + [201]
    assert len({conversation_id for _status, conversation_id in results}) == 1
    with scope(organization=org):
        assert Conversation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_service_itself_makes_one_conversation_under_a_race(org, olivia):
    def open_it(_i: int) -> tuple[int, bool]:
        with scope(organization=org):
            conversation, created = services.conversation_get_or_create(client=olivia.client)
        return conversation.pk, created

    results = run_concurrently(open_it, 6, timeout=120).values
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False] * 5 + [True]


@pytest.mark.django_db(transaction=True)
def test_the_same_client_key_at_once_is_one_message(org, coach, olivia):
    conversation = post(DjangoClient(), "/api/v1/conversations", {"client": olivia.client.pk}, coach.headers).json()
    url = f"/api/v1/conversations/{conversation['id']}/messages"

    def send_it(_i: int) -> tuple[int, int]:
        response = post(DjangoClient(), url, {"body": "On my way", "client_key": "retry-me"}, coach.headers)
        return response.status_code, response.json()["id"]

    results = run_concurrently(send_it, 8, timeout=120).values
    assert sorted(status for status, _id in results) == [200] * 7 + [201]
    assert len({message_id for _status, message_id in results}) == 1
    with scope(organization=org):
        assert Message.objects.count() == 1
