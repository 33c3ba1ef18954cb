"""Telling clients what was shared with them: a bell entry in the portal and an email, as their
notification preferences allow (``library_shared``, on their settings page to switch off), through the
outbox in the delivering transaction. One message per client per delivery run, whatever number of items
it brings; with the coach's message and a direct link (the item, or the library when several)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.clients.models import Client
from coachos.comms import catalog, notifications, notify
from coachos.comms.context import absolute
from coachos.comms.models import Notification
from coachos.tenancy.models import Organization

logger = logging.getLogger("coachos.library")

KIND = "library_shared"


def register_kinds() -> None:
    if KIND not in catalog.KINDS:
        catalog.register(catalog.Kind(
            KIND, gettext_lazy("New in your library"),
            subject=gettext_lazy("New in your library: {message}"),
            email=gettext_lazy("Hi {client_first_name},\n\n{business_name} shared something with you: {message}\n\n"
                               "{note}\n\nOpen it: {link}\n\n{business_name}")))
    notifications.register_client_kind(KIND)


def register() -> None:
    register_kinds()


def library_path(organization_slug: str) -> str:
    try:
        return reverse("portal_library:index", kwargs={"org_slug": organization_slug})
    except NoReverseMatch:
        return ""


def item_path(organization_slug: str, *, resource_id: int | None, collection_id: int | None) -> str:
    try:
        if resource_id is not None:
            return reverse("portal_library:resource", kwargs={"org_slug": organization_slug, "resource_id": resource_id})
        if collection_id is not None:
            return reverse("portal_library:collection",
                           kwargs={"org_slug": organization_slug, "collection_id": collection_id})
    except NoReverseMatch:
        pass
    return library_path(organization_slug)


@dataclass
class Delivered:
    """What one client got in one run: titles, the coach's messages, and the keys of those deliveries."""

    titles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    resource_id: int | None = None
    collection_id: int | None = None


def _plain(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def announce(*, organization: Organization, clients: dict[int, Client], delivered: dict[int, Delivered]) -> int:
    """One message per client (inside the delivering transaction). Returns how many clients were told."""
    told = 0
    for client_id, got in delivered.items():
        client = clients.get(client_id)
        if client is None or not got.titles:
            continue
        if len(got.titles) == 1:
            title = got.titles[0]
            path = item_path(organization.slug, resource_id=got.resource_id, collection_id=got.collection_id)
        else:
            title = _("%(first)s and %(count)d more") % {"first": got.titles[0], "count": len(got.titles) - 1}
            path = library_path(organization.slug)
        digest = hashlib.sha256("|".join(sorted(got.keys)).encode()).hexdigest()[:24]
        key = f"library:{client_id}:{digest}"
        notify.client(organization=organization, kind=KIND, client=client,
                      context={"message": _plain(title)[:150], "note": _plain("\n\n".join(got.notes))[:2000],
                               "link": absolute(path) if path else ""},
                      dedupe_key=key)
        if path and client.user_id:
            Notification.objects.filter(organization=organization, user_id=client.user_id, dedupe_key=key).update(
                url=path)
        told += 1
    if told:
        logger.info("library shares announced", extra={"organization_id": organization.pk, "clients": told})
    return told
