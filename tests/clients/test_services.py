from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from coachos.clients import services
from coachos.clients.models import Client, ClientNote, Tag
from coachos.tenancy.models import AuditEntry

from ..factories import ClientFactory


@pytest.mark.parametrize(("raw", "expected"), [
    ("(312) 555-0123", "+13125550123"), ("312.555.0123", "+13125550123"), ("1 312 555 0123", "+13125550123"),
    ("+44 20 7946 0958", "+442079460958"), ("", ""),
])
def test_normalize_phone(raw, expected):
    assert services.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["555-0123", "call me", "+0123456789", "12345678901234567"])
def test_normalize_phone_rejects(raw):
    with pytest.raises(ValueError):
        services.normalize_phone(raw)


def test_add_update_and_consent_times(org, owner):
    with scope(organization=org):
        client = services.client_add(organization=org, actor=owner, data={
            "first_name": " Ana ", "email": "Ana@Example.com", "phone": "+13125550123", "sms_consent": True})
        assert client.first_name == "Ana" and client.sms_consent_at is not None and client.email_consent_at is None
        client = services.client_update(client=client, actor=owner, data={"sms_consent": False, "last_name": "Diaz"})
        assert client.sms_consent_at is None and client.last_name == "Diaz"
        entry = AuditEntry.objects.filter(action="client.updated").get()
        assert entry.data == {"fields": ["last_name", "sms_consent"]}
        assert "Ana" not in str(entry.data) and "Diaz" not in str(entry.data)


def test_update_duplicate_email_changes_nothing(org, owner):
    with scope(organization=org):
        ClientFactory(organization=org, email="taken@example.com")
        client = ClientFactory(organization=org, email="mine@example.com", first_name="Bo")
        with pytest.raises(ValidationError) as exc:
            services.client_update(client=client, actor=owner, data={"email": "TAKEN@example.com", "first_name": "X"})
        assert "email" in exc.value.message_dict
        client.refresh_from_db()
        assert (client.email, client.first_name) == ("mine@example.com", "Bo")
        assert not AuditEntry.objects.filter(action="client.updated").exists()


def test_status_tags_and_notes(org, owner):
    with scope(organization=org):
        client = ClientFactory(organization=org)
        services.client_set_status(client=client, actor=owner, status="paused")
        client.refresh_from_db()
        assert client.status == "paused"
        with pytest.raises(ValidationError):
            services.client_set_status(client=client, actor=owner, status="gone")
        tag = services.client_tag(client=client, actor=owner, name="VIP")
        again = services.client_tag(client=client, actor=owner, name="vip")
        assert tag == again and Tag.objects.count() == 1 and list(client.tags.all()) == [tag]
        services.client_untag(client=client, actor=owner, tag=tag)
        assert not client.tags.exists()
        note = services.note_add(client=client, actor=owner, body=" Left knee sore ")
        assert note.body == "Left knee sore" and note.author == owner
        with pytest.raises(ValidationError):
            services.note_add(client=client, actor=owner, body="   ")
        assert ClientNote.objects.count() == 1
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"client.status_changed", "client.tagged", "client.untagged", "client_note.added"} <= actions


def test_tag_names_are_per_business(org, other_org, owner):
    with scope(organization=org):
        services.tag_get_or_create(organization=org, actor=owner, name="VIP")
    with scope(organization=other_org):
        services.tag_get_or_create(organization=other_org, actor=None, name="VIP")
        assert Client.objects.count() == 0
        assert Tag.objects.count() == 1


@pytest.mark.parametrize("birthday", ["2999-01-01", "1899-12-31"])
def test_a_birthday_must_be_between_1900_and_today(org, owner, birthday):
    from datetime import date

    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Ana")
        with pytest.raises(ValidationError) as info:
            services.client_update(client=client, actor=owner, data={"birthday": date.fromisoformat(birthday)})
        assert "birthday" in info.value.message_dict
        client.refresh_from_db()
        assert client.birthday is None
        with pytest.raises(ValidationError):
            services.client_add(organization=org, actor=owner, data={"first_name": "Bo",
                                                                     "birthday": date.fromisoformat(birthday)})
