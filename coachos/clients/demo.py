"""Demo data for clients: a few coloured tags on the demo clients, so the tag screen, the list's
tag filter and the badges have something to show. Idempotent."""

from __future__ import annotations

from django_scopes import scope

from coachos.tenancy.models import Organization

from .models import Client, Tag
from .services import client_tag
from .services_tags import tag_create

TAGS = (("Morning group", "#175cd3"), ("Marathon 2026", "#067647"), ("VIP", "#5925dc"), ("Injury watch", "#b42318"))


def seed_tags(organization: Organization) -> None:
    with scope(organization=organization):
        if Tag.objects.filter(organization=organization).exists():
            return
        tags = [tag_create(organization=organization, actor=None, name=name, colour=colour) for name, colour in TAGS]
        for index, client in enumerate(Client.objects.filter(organization=organization).order_by("id")):
            for position, tag in enumerate(tags):
                # A spread: every 2nd client in the morning group, every 3rd training for the marathon, …
                if index % (position + 2) == 0:
                    client_tag(client=client, actor=None, name=tag.name)


__all__ = ["seed_tags"]
