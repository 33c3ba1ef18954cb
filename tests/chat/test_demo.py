"""The chat demo: a conversation with history and an unread question, a text thread, a class group."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.chat.demo import seed_chat
from coachos.chat.models import Conversation, Message
from coachos.tenancy.models import Organization
from tests.conftest import bearer

pytestmark = pytest.mark.django_db


def counts(org: Organization) -> tuple[int, int]:
    with scope(organization=org):
        return Conversation.objects.count(), Message.objects.count()


def test_the_demo_has_history_an_unread_one_a_text_thread_and_a_group():
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
        owner = User.objects.get(email="owner@northside.example")
        olivia = User.objects.get(email="client@northside.example")
    first = counts(org)
    seed_chat(org)  # again: nothing new
    assert counts(org) == first

    http = DjangoClient()
    listed = http.get("/api/v1/conversations?limit=50", **bearer(owner, org)).json()["results"]
    by_kind = {c["kind"] for c in listed}
    assert by_kind == {"direct", "group"}
    history = next(c for c in listed if c["title"] == "Olivia Martinez")
    assert history["unread"] == 1 and history["last_message"]["preview"].startswith("Can we move Thursday")
    thread = http.get(f"/api/v1/conversations/{history['id']}/messages", **bearer(owner, org)).json()
    assert len(thread) >= 8 and thread[1]["reactions"][0]["emoji"] == "👍"
    assert thread[-2]["state"] == "read"  # Olivia read the coach's last answer

    with scope(organization=org):
        text_thread = Conversation.objects.filter(messages__kind="sms_out").distinct().get()
        kinds = list(Message.objects.filter(conversation=text_thread).values_list("kind", flat=True))
    assert kinds[-2:] == ["sms_in", "sms_out"]
    replies = http.get(f"/api/v1/conversations/{text_thread.pk}/messages", **bearer(owner, org)).json()
    assert replies[-1]["state"] == "delivered" and replies[-1]["channel"] == "sms"

    # The portal login sees her own conversation and the group, by first names.
    mine = http.get("/api/v1/conversations", **bearer(olivia, org)).json()["results"]
    assert {c["kind"] for c in mine} == {"direct", "group"}
    group = next(c for c in mine if c["kind"] == "group")
    assert group["title"] == "Saturday bootcamp" and all(" " not in m["name"] for m in group["members"])
