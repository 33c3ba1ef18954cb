"""Who an automation reaches: the one selector behind the real run, the dry run and the tick.

``load_facts`` reads what the business's automations need to know about its clients in a fixed
number of queries (clients; tags, last bookings and packages only if some automation needs
them); ``evaluate`` then decides in Python, per automation, looking only at the clients the
facts' index says could match (by status and tag, birthdays today, last bookings in order) — the
full test still decides for each of them. The scheduler evaluates every due automation of a
business against one set of facts, so a business costs a handful of queries however many of its
automations are due (and the scheduler reads the facts of a whole batch of businesses at once).

Occurrence keys (condition triggers act once per client per occurrence, see ConditionFire):
  birthday          ``birthday:<year>``
  no_booking        ``lapse:<local date of the last booking>`` (``lapse:never`` if never booked);
                    a new booking and a new lapse make a new key
  package_expires   ``package-expires:<package id>``
  low_credits       ``low-credits:<newest valid package id>``
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Max

from coachos.clients.models import Client
from coachos.credits.models import ClientPackage
from coachos.scheduling.models import Booking
from coachos.tenancy.models import Organization

from .db import rows
from .models import Automation, ConditionFire

Condition = Automation.Condition


class Target(NamedTuple):
    client_id: int
    key: str = ""
    related: tuple[str, int] | None = None  # (model name, id) the message is about


class ClientRow(NamedTuple):
    id: int
    status: str
    birthday: date | None
    created_at: datetime


class PackageRow(NamedTuple):
    id: int
    remaining: int
    expires_at: datetime


@dataclass
class Facts:
    now: datetime
    today: date
    tz: Any
    clients: dict[int, ClientRow]
    tag_ids: dict[int, set[int]] = field(default_factory=dict)  # client → the tags automations filter on
    last_booking: dict[int, datetime] = field(default_factory=dict)
    packages: dict[int, list[PackageRow]] = field(default_factory=dict)  # active, still valid
    _index: Index | None = field(default=None, repr=False, compare=False)

    @property
    def index(self) -> Index:
        """Built on first use, once per business however many automations are evaluated (the
        facts are not changed after loading)."""
        if self._index is None:
            self._index = Index(self)
        return self._index


class Index:
    """Which clients could match, so that ``evaluate`` looks at those instead of every client:
    each set holds at least every client for whom the full test can pass (the full test still
    decides). By status and tag for the filters; birthdays today; last bookings (and, for the
    never-booked, creation times) in order, so a lapse cutoff is one bisection."""

    def __init__(self, facts: Facts) -> None:
        self.by_status: dict[str, list[int]] = {}
        self.by_tag: dict[int, list[int]] = {}
        self.birthdays: list[int] = []
        booked: list[tuple[datetime, int]] = []
        never: list[tuple[datetime, int]] = []
        for client in facts.clients.values():
            self.by_status.setdefault(client.status, []).append(client.id)
            if client.birthday is not None and _is_birthday(client.birthday, facts.today):
                self.birthdays.append(client.id)
            last = facts.last_booking.get(client.id)
            if last is None:
                never.append((client.created_at, client.id))
            else:
                booked.append((last, client.id))
        for client_id, tag_ids in facts.tag_ids.items():
            for tag_id in tag_ids:
                self.by_tag.setdefault(tag_id, []).append(client_id)
        booked.sort()
        never.sort()
        self.booked_at, self.booked_ids = [at for at, _id in booked], [pk for _at, pk in booked]
        self.created_at, self.never_ids = [at for at, _id in never], [pk for _at, pk in never]

    def lapsed(self, cutoff: datetime) -> list[int]:
        """Last booking before ``cutoff``, or never booked and added at or before it."""
        return (self.booked_ids[:bisect.bisect_left(self.booked_at, cutoff)]
                + self.never_ids[:bisect.bisect_right(self.created_at, cutoff)])

    def candidates(self, automation: Automation, tags: set[int], facts: Facts) -> Iterable[int]:
        tagged = {pk for tag_id in tags for pk in self.by_tag.get(tag_id, ())} if tags else None
        if automation.trigger_type == Automation.Trigger.CONDITION:
            condition = automation.condition
            found: Iterable[int]
            if condition == Condition.BIRTHDAY:
                found = self.birthdays
            elif condition == Condition.NO_BOOKING:
                found = self.lapsed(facts.now - timedelta(days=automation.condition_days or 0))
            elif condition in (Condition.PACKAGE_EXPIRES, Condition.LOW_CREDITS):
                found = facts.packages.keys()
            else:
                return ()
            return found if tagged is None else [pk for pk in found if pk in tagged]
        if tagged is not None:
            return tagged
        if automation.statuses:
            return {pk for status in automation.statuses for pk in self.by_status.get(status, ())}
        return facts.clients.keys()


def tag_filters(automations: Iterable[Automation]) -> dict[int, set[int]]:
    """{automation id: tag ids} in one query for any number of automations."""
    items = list(automations)
    found: dict[int, set[int]] = {a.pk: set() for a in items}
    if not items:
        return found
    through = Automation.tags.through
    for automation_id, tag_id in rows(through.objects.filter(automation_id__in=list(found)).values_list(
            "automation_id", "tag_id")):
        found[automation_id].add(tag_id)
    return found


def load_facts(*, organization: Organization, automations: list[Automation], tags: dict[int, set[int]],
               now: datetime, client_ids: list[int] | None = None) -> Facts:
    """Read what ``automations`` need about the business's clients (or only ``client_ids``)."""
    return load_facts_many(organizations=[organization], automations=automations, tags=tags, now=now,
                           client_ids=client_ids)[organization.pk]


def load_facts_many(*, organizations: list[Organization], automations: list[Automation], tags: dict[int, set[int]],
                    now: datetime, client_ids: list[int] | None = None) -> dict[int, Facts]:
    """The facts of several businesses at once: one query per kind of fact, whatever their number
    (each filtered by the businesses' ids; the scheduler runs this with scopes disabled)."""
    org_ids = [o.pk for o in organizations]
    found = {o.pk: Facts(now=now, today=now.astimezone(o.tzinfo).date(), tz=o.tzinfo, clients={})
             for o in organizations}
    restrict = {"client_id__in": client_ids} if client_ids is not None else {}
    clients = Client.objects.filter(organization_id__in=org_ids)
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    owner: dict[int, int] = {}
    for org_id, client_id, status, birthday, created_at in rows(clients.values_list(
            "organization_id", "id", "status", "birthday", "created_at")):
        found[org_id].clients[client_id] = ClientRow(client_id, status, birthday, created_at)
        owner[client_id] = org_id
    wanted_tags = set().union(*tags.values()) if tags else set()
    if wanted_tags:
        through = Client.tags.through
        for client_id, tag_id in rows(through.objects.filter(tag_id__in=wanted_tags, **restrict).values_list(
                "client_id", "tag_id")):
            if client_id in owner:
                found[owner[client_id]].tag_ids.setdefault(client_id, set()).add(tag_id)
    needs: dict[str, set[int]] = {}
    for automation in automations:
        if automation.trigger_type == Automation.Trigger.CONDITION:
            needs.setdefault(automation.condition, set()).add(automation.organization_id)
    lapse_orgs = needs.get(Condition.NO_BOOKING, set())
    if lapse_orgs:
        # The sessions' business too (always the booking's): lets the join use its index.
        for client_id, last in rows(Booking.objects.filter(
                organization_id__in=lapse_orgs, status__in=Booking.ACTIVE, session__organization_id__in=lapse_orgs,
                **restrict).values("client_id").annotate(last=Max("session__starts_at")).values_list("client_id", "last")):
            if client_id in owner:
                found[owner[client_id]].last_booking[client_id] = last
    package_orgs = needs.get(Condition.PACKAGE_EXPIRES, set()) | needs.get(Condition.LOW_CREDITS, set())
    if package_orgs:
        for package_id, client_id, remaining, expires_at in rows(ClientPackage.objects.filter(
                organization_id__in=package_orgs, status=ClientPackage.Status.ACTIVE, expires_at__gt=now, **restrict
        ).values_list("id", "client_id", "remaining", "expires_at")):
            if client_id in owner:
                found[owner[client_id]].packages.setdefault(client_id, []).append(
                    PackageRow(package_id, remaining, expires_at))
    return found


def passes_filters(automation: Automation, client: ClientRow, tags: set[int], facts: Facts) -> bool:
    if automation.statuses and client.status not in automation.statuses:
        return False
    if tags and not (facts.tag_ids.get(client.id, set()) & tags):
        return False
    return True


def _is_birthday(birthday: date, today: date) -> bool:
    if (birthday.month, birthday.day) == (today.month, today.day):
        return True
    # 29 February birthdays are celebrated on the 28th in other years.
    return ((birthday.month, birthday.day) == (2, 29) and (today.month, today.day) == (2, 28)
            and not calendar.isleap(today.year))


def condition_target(automation: Automation, client: ClientRow, facts: Facts) -> Target | None:
    """The client's current occurrence of the automation's condition, or None."""
    condition, days = automation.condition, automation.condition_days or 0
    if condition == Condition.BIRTHDAY:
        if client.birthday is not None and _is_birthday(client.birthday, facts.today):
            return Target(client.id, f"birthday:{facts.today.year}")
        return None
    if condition == Condition.NO_BOOKING:
        cutoff = facts.now - timedelta(days=days)
        last = facts.last_booking.get(client.id)
        if last is None:
            return Target(client.id, "lapse:never") if client.created_at <= cutoff else None
        if last < cutoff:
            return Target(client.id, f"lapse:{last.astimezone(facts.tz).date().isoformat()}")
        return None
    packages = facts.packages.get(client.id, [])
    if condition == Condition.PACKAGE_EXPIRES:
        horizon = facts.now + timedelta(days=days)
        expiring = sorted((p for p in packages if p.remaining > 0 and p.expires_at <= horizon),
                          key=lambda p: (p.expires_at, p.id))
        if expiring:
            return Target(client.id, f"package-expires:{expiring[0].id}", ("clientpackage", expiring[0].id))
        return None
    if condition == Condition.LOW_CREDITS:
        if packages and sum(p.remaining for p in packages) <= (automation.credits_threshold or 0):
            newest = max(packages, key=lambda p: p.id)
            return Target(client.id, f"low-credits:{newest.id}", ("clientpackage", newest.id))
        return None
    return None


def evaluate(automation: Automation, facts: Facts, tags: set[int]) -> list[Target]:
    """Every client the automation is for right now (before removing occurrences already acted on)."""
    targets = []
    for client_id in facts.index.candidates(automation, tags, facts):
        client = facts.clients.get(client_id)
        if client is None or not passes_filters(automation, client, tags, facts):
            continue
        if automation.trigger_type == Automation.Trigger.CONDITION:
            target = condition_target(automation, client, facts)
            if target is not None:
                targets.append(target)
        else:
            targets.append(Target(client.id))
    targets.sort(key=lambda t: t.client_id)
    return targets


def already_fired(automations: list[Automation], targets: dict[int, list[Target]]) -> set[tuple[int, int, str]]:
    """(automation, client, key) of the targets' occurrences already acted on: one query."""
    ids = [a.pk for a in automations if a.trigger_type == Automation.Trigger.CONDITION and targets.get(a.pk)]
    if not ids:
        return set()
    if connection.vendor == "postgresql":
        # The exact (automation, client, key) triples, joined against the unique index's columns.
        # The automations are the caller's (of its business, or businesses), so are the rows.
        triples = [(a, t.client_id, t.key) for a in ids for t in targets[a]]
        meta = ConditionFire._meta
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.automation_id, f.client_id, f.key FROM {meta.db_table} f "  # noqa: S608
                "JOIN unnest(%s::bigint[], %s::bigint[], %s::varchar[]) AS t(automation_id, client_id, key) "
                "ON f.automation_id = t.automation_id AND f.client_id = t.client_id AND f.key = t.key",
                [[a for a, _c, _k in triples], [c for _a, c, _k in triples], [k for _a, _c, k in triples]])
            return set(cursor.fetchall())
    client_ids = {t.client_id for a in ids for t in targets[a]}
    keys = {t.key for a in ids for t in targets[a]}
    return set(ConditionFire.objects.filter(automation_id__in=ids, client_id__in=client_ids, key__in=keys)
               .values_list("automation_id", "client_id", "key"))


def remove_fired(automation: Automation, targets: list[Target], fired: set[tuple[int, int, str]]) -> list[Target]:
    if automation.trigger_type != Automation.Trigger.CONDITION:
        return targets
    return [t for t in targets if (automation.pk, t.client_id, t.key) not in fired]


def audience(automation: Automation, *, now: datetime, tag_ids: set[int] | None = None) -> list[Target]:
    """Whom the automation would reach now (the dry run; the run itself goes through the same
    ``load_facts`` / ``evaluate`` / ``remove_fired``). Inside the business's scope. ``tag_ids``:
    the tag filter of an automation not saved yet (a form being filled in)."""
    if tag_ids is None:
        tag_ids = tag_filters([automation])[automation.pk] if automation.pk else set()
    tags = {automation.pk or 0: tag_ids}
    facts = load_facts(organization=automation.organization, automations=[automation], tags=tags, now=now)
    targets = evaluate(automation, facts, tag_ids)
    if automation.pk is None:
        return targets
    return remove_fired(automation, targets, already_fired([automation], {automation.pk: targets}))


def clients_of(targets: list[Target]) -> dict[int, Client]:
    return Client.objects.in_bulk([t.client_id for t in targets])


def related_objects(targets: Iterable[Target]) -> dict[tuple[str, int], Any]:
    """The packages (or other objects) the targets are about, loaded in one query per model."""
    wanted: dict[str, set[int]] = {}
    for target in targets:
        if target.related is not None:
            wanted.setdefault(target.related[0], set()).add(target.related[1])
    found: dict[tuple[str, int], Any] = {}
    models: dict[str, Any] = {"clientpackage": ClientPackage, "booking": Booking}
    for name, ids in wanted.items():
        model = models.get(name)
        if model is None:
            continue
        for pk, obj in model.objects.in_bulk(list(ids)).items():
            found[(name, pk)] = obj
    return found
