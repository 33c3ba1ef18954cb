"""Busy times from outside Coach OS (a coach's connected calendars) that block slots.

Scheduling cannot import the apps above it (DESIGN.md, floors): ``integrations`` registers a
provider in its ``AppConfig.ready``. A provider has two parts:

- ``busy(coach_ids, lo, hi)``: the busy intervals it knows (its cached copy), per coach id, that
  overlap [lo, hi). It reads the database only, in a fixed number of queries, and must be quick:
  the slot engine calls it for every slot query.
- ``refresh_if_stale(coach)``: called before a client's booking (or hold) is accepted, outside
  any lock: the provider re-reads the coach's calendars when its copy is older than it trusts
  (a minute), so that a lagging sync cannot double-book. It must never raise: a failing
  calendar keeps its last known busy times (they keep blocking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

BusyFunction = Callable[[Iterable[int], datetime, datetime], dict[int, list[tuple[datetime, datetime]]]]
RefreshFunction = Callable[[Any], None]


@dataclass(frozen=True)
class Provider:
    key: str
    busy: BusyFunction
    refresh_if_stale: RefreshFunction | None = None


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Add (or replace, by key) a provider of busy times."""
    _providers[provider.key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def busy_for(coach_ids: Iterable[int], lo: datetime, hi: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Every provider's busy intervals overlapping [lo, hi), per coach id (empty lists when none)."""
    ids = list(coach_ids)
    found: dict[int, list[tuple[datetime, datetime]]] = {pk: [] for pk in ids}
    for provider in list(_providers.values()):
        for coach_id, intervals in provider.busy(ids, lo, hi).items():
            found.setdefault(coach_id, []).extend(intervals)
    return found


def refresh_if_stale(coach: Any) -> None:
    """Let each provider bring its copy of the coach's busy times up to date if it is stale."""
    for provider in list(_providers.values()):
        if provider.refresh_if_stale is not None:
            provider.refresh_if_stale(coach)
