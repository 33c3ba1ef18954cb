"""Private calendar feed links: make one, or replace it so that the old address stops working."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from coachos.clients.models import Client
from coachos.tenancy import audit

from ..models import ClientFeed, Coach, new_feed_token


@transaction.atomic
def coach_feed_reset(*, coach: Coach, actor: Any) -> Coach:
    coach = Coach.objects.select_for_update().get(pk=coach.pk)
    coach.feed_token = new_feed_token()
    coach.save(update_fields=["feed_token"])
    # Never the token itself: it is a password for the feed.
    audit.log(organization=coach.organization, actor=actor, action="coach.feed_reset", obj=coach)
    return coach


@transaction.atomic
def client_feed_reset(*, client: Client, actor: Any) -> ClientFeed:
    """Give the client a feed link, or a new one in place of the old (idempotent per click)."""
    feed = ClientFeed.objects.select_for_update().filter(client=client).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = ClientFeed.objects.create(organization=client.organization, client=client)
        except IntegrityError:  # a second click that raced the first: it made the link
            return ClientFeed.objects.get(client=client)
        audit.log(organization=client.organization, actor=actor, action="client.feed_created", obj=feed)
        return feed
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit.log(organization=client.organization, actor=actor, action="client.feed_reset", obj=feed)
    return feed
