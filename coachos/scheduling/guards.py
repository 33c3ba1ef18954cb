"""Booking guards: checks that higher apps add to booking without scheduling importing them.

A guard is called with the client about to book (``booking_create`` in client mode: the public
page, the portal, the API; the coach's own calendar is exempt). It returns quietly to allow the
booking or raises ``SchedulingError`` with a message a person can read (and a ``code`` for the
API). Apps register their guards in their ``AppConfig.ready``, e.g. onboarding's "sign the waiver
first" (DESIGN.md, floors: scheduling offers the registry, higher apps fill it).
"""

from __future__ import annotations

from collections.abc import Callable

from coachos.clients.models import Client

Guard = Callable[[Client], None]
_guards: list[Guard] = []


def register(guard: Guard) -> None:
    """Add a guard; registering the same function twice is a no-op."""
    if not any(existing is guard for existing in _guards):
        _guards.append(guard)


def unregister(guard: Guard) -> None:
    _guards[:] = [existing for existing in _guards if existing is not guard]


def check(client: Client) -> None:
    """Run every guard in the order they were registered; the first refusal propagates."""
    for guard in list(_guards):
        guard(client)
