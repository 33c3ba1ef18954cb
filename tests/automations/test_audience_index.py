"""``evaluate`` looks only at the clients its index says could match: it must find exactly whom
the full test over every client finds, whatever the facts (random businesses, every trigger,
condition and filter, lapses on the cutoff, 29 February birthdays)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachos.automations.audience import (
    ClientRow,
    Facts,
    PackageRow,
    Target,
    condition_target,
    evaluate,
    passes_filters,
)
from coachos.automations.models import Automation

STATUSES = ["active", "lead", "paused", "archived"]
CONDITIONS = ["birthday", "no_booking", "package_expires", "low_credits"]


def everyone(automation: Automation, facts: Facts, tags: set[int]) -> list[Target]:
    """The reference: the full test for every client, in id order."""
    found = []
    for client in facts.clients.values():
        if not passes_filters(automation, client, tags, facts):
            continue
        if automation.trigger_type == "condition":
            target = condition_target(automation, client, facts)
            if target is not None:
                found.append(target)
        else:
            found.append(Target(client.id))
    return sorted(found, key=lambda t: t.client_id)


def random_facts(rng: random.Random, now: datetime) -> Facts:
    tz = ZoneInfo(rng.choice(["America/Chicago", "Australia/Sydney", "UTC"]))
    today = now.astimezone(tz).date()
    clients, tag_ids, last_booking, packages = {}, {}, {}, {}
    ids = rng.sample(range(1, 10_000), rng.randrange(0, 60))
    for pk in ids:
        birthday = rng.choice([None, date(1990, today.month, today.day) if rng.random() < 0.2 else
                               date(1988, 2, 29) if rng.random() < 0.1 else date(1985, rng.randrange(1, 13), 1)])
        created = now - timedelta(days=rng.choice([0, 10, 29, 30, 31, 90, 400]), seconds=rng.choice([-1, 0, 1]))
        clients[pk] = ClientRow(pk, rng.choice(STATUSES), birthday, created)
        if rng.random() < 0.4:
            tag_ids[pk] = set(rng.sample([1, 2, 3], rng.randrange(1, 3)))
        if rng.random() < 0.7:
            # Exactly on some cutoffs too (``last < cutoff`` is strict, ``created <= cutoff`` is not).
            last_booking[pk] = now - timedelta(days=rng.choice([1, 7, 21, 30, 45, 60, 90]),
                                               seconds=rng.choice([-1, 0, 1]))
        if rng.random() < 0.3:
            packages[pk] = [PackageRow(rng.randrange(1, 10**6), rng.choice([0, 1, 2, 5]),
                                       now + timedelta(days=rng.randrange(1, 20)))
                            for _ in range(rng.randrange(1, 3))]
    return Facts(now=now, today=today, tz=tz, clients=clients, tag_ids=tag_ids, last_booking=last_booking,
                 packages=packages)


def random_automation(rng: random.Random) -> tuple[Automation, set[int]]:
    trigger = rng.choice(["schedule", "condition", "event"])
    automation = Automation(pk=rng.randrange(1, 1000), organization_id=1, trigger_type=trigger,
                            statuses=rng.choice([[], ["active"], ["active", "lead"], ["archived"]]),
                            condition=rng.choice(CONDITIONS) if trigger == "condition" else "",
                            condition_days=rng.choice([None, 0, 3, 7, 21, 30, 60]),
                            credits_threshold=rng.choice([None, 0, 1, 2]))
    return automation, set(rng.sample([1, 2, 3, 4], rng.randrange(0, 3)))


@pytest.mark.parametrize("seed", range(40))
def test_evaluate_finds_exactly_whom_the_full_test_finds(seed: int) -> None:
    rng = random.Random(seed)
    now = datetime(2026, rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24), tzinfo=UTC)
    facts = random_facts(rng, now)
    for _ in range(25):  # many automations against one set of facts (the index is built once)
        automation, tags = random_automation(rng)
        assert evaluate(automation, facts, tags) == everyone(automation, facts, tags), (seed, automation.__dict__)


def test_a_29_february_birthday_is_celebrated_on_the_28th_in_other_years() -> None:
    now = datetime(2026, 2, 28, 15, tzinfo=UTC)
    facts = Facts(now=now, today=date(2026, 2, 28), tz=UTC, clients={
        1: ClientRow(1, "active", date(2000, 2, 29), now), 2: ClientRow(2, "active", date(2000, 2, 28), now),
        3: ClientRow(3, "active", date(2000, 3, 1), now)})
    automation = Automation(pk=1, trigger_type="condition", condition="birthday", statuses=[])
    assert evaluate(automation, facts, set()) == [Target(1, "birthday:2026"), Target(2, "birthday:2026")]
