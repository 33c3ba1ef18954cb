"""Reads of client records shared by the pages, the export and the dashboard.

The list is annotated with credits and the last booking by subqueries (not joins), so one
page costs the same few queries whatever its size, and a tag filter does not multiply sums. Those
subqueries come from the apps that own the data (credits, scheduling: ``register_list_facts``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Lower
from django.utils import timezone

from coachos.tenancy.models import Membership

from .models import Client, Tag

LOW_CREDITS = 1
EXPIRING_DAYS = 14


@dataclass(frozen=True)
class ClientFilters:
    q: str = ""
    status: str = ""
    tag: int | None = None
    credits: str = ""  # "" | "has" | "low" | "expiring" | "none"
    inactive_days: int | None = None
    sort: str = "name"  # "name" | "newest" | "last_booking"


SORTS = {
    "name": ("last_name", "first_name", "id"),
    "newest": ("-created_at", "-id"),
}


# Facts about each client that the apps above own (credits left, the last booking): each registers a
# function (``register_list_facts`` in its AppConfig.ready) giving annotations for the list. With none
# registered the list still works, with these defaults.
ListFacts = Callable[[datetime], dict[str, Any]]
DEFAULT_FACTS: dict[str, Any] = {
    "credits_left": Value(0, output_field=IntegerField()),
    "next_expiry": Value(None, output_field=DateTimeField()),
    "had_package": Value(False, output_field=BooleanField()),
    "last_booking_at": Value(None, output_field=DateTimeField()),
}
_list_facts: list[ListFacts] = []


def clients_visible_to(membership: Membership | None) -> QuerySet[Client]:
    """The one rule for which client records a member may see: pages, API, exports and search use it.

    A coach the owner limited to their own clients sees those whose ``coach_membership`` is theirs;
    other team members see every client of the business; anyone else none (fails closed)."""
    if membership is None or not membership.is_team:
        return Client.objects.none()
    if membership.own_clients_only:
        return Client.objects.filter(coach_membership=membership)
    return Client.objects.all()


def sees_every_client(membership: Membership | None) -> bool:
    """Whether ``clients_visible_to(membership)`` is every client of the business: callers that only
    need to leave some clients out can then skip the query."""
    return membership is not None and membership.is_team and not membership.own_clients_only


def register_list_facts(facts: ListFacts) -> None:
    if facts not in _list_facts:
        _list_facts.append(facts)


def client_list_annotated(*, now: datetime | None = None,
                          base: QuerySet[Client] | None = None) -> QuerySet[Client]:
    """Every client of ``base`` (pass ``clients_visible_to(membership)`` on pages; all clients by default) with ``credits_left`` (valid packages), ``next_expiry`` (the first valid
    package to expire), ``had_package`` and ``last_booking_at`` (the latest active booking's start),
    as the apps owning them annotate them (subqueries, not joins)."""
    now = now or timezone.now()
    annotations = dict(DEFAULT_FACTS)
    for facts in _list_facts:
        annotations.update(facts(now))
    return (base if base is not None else Client.objects.all()).annotate(**annotations)


def _search(clients: QuerySet[Client], q: str) -> QuerySet[Client]:
    for term in q.split()[:5]:
        digits = "".join(ch for ch in term if ch.isdigit())
        match = Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
        clients = clients.filter(match)
    return clients


def client_list(*, membership: Membership | None, filters: ClientFilters,
                now: datetime | None = None) -> QuerySet[Client]:
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    clients = client_list_annotated(now=now, base=clients_visible_to(membership))
    if filters.q:
        clients = _search(clients, filters.q)
    if filters.status:
        clients = clients.filter(status=filters.status)
    if filters.tag:
        clients = clients.filter(Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"),
                                                                            tag_id=filters.tag)))
    if filters.credits == "has":
        clients = clients.filter(Q(credits_left__gt=0))  # annotations: in Q, which the type checker leaves alone
    elif filters.credits == "low":
        clients = clients.filter(low_credits_q(soon))
    elif filters.credits == "expiring":
        clients = clients.filter(Q(next_expiry__lte=soon))
    elif filters.credits == "none":
        clients = clients.filter(Q(credits_left=0))
    if filters.inactive_days is not None:
        since = now - timedelta(days=filters.inactive_days)
        clients = clients.filter(Q(last_booking_at__isnull=True) | Q(last_booking_at__lt=since))
    if filters.sort == "last_booking":
        clients = clients.order_by(F("last_booking_at").desc(nulls_last=True), "last_name", "id")
    else:
        clients = clients.order_by(*SORTS.get(filters.sort, SORTS["name"]))
    return clients.prefetch_related("tags")


def low_credits_q(soon: datetime) -> Q:
    """Low on credits: a client who has had a package and has at most one credit left, or
    whose next valid package expires within 14 days."""
    return Q(had_package=True, credits_left__lte=LOW_CREDITS) | Q(next_expiry__lte=soon)


def tags_with_counts() -> QuerySet[Tag]:
    """The business's tags by name, each with ``client_count`` (how many clients have it)."""
    return Tag.objects.annotate(client_count=Count("clients", distinct=True)).order_by(Lower("name"), "id")


def client_api_list(*, membership: Membership | None, q: str = "", status: str = "",
                    tag: str = "") -> QuerySet[Client]:
    """The API's list: the list page's search, status and tag (by name, any case) filters."""
    clients: QuerySet[Client] = clients_visible_to(membership)
    if q.strip():
        clients = _search(clients, q)
    if status:
        clients = clients.filter(status=status)
    if tag:
        found = Tag.objects.filter(name__iexact=" ".join(tag.split())).values("pk")[:1]
        clients = clients.filter(Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"),
                                                                            tag_id=Subquery(found))))
    return clients.prefetch_related("tags")
