"""How a booking is settled (paid, a credit, nothing), as the pages and the API show it.

Scheduling (floor 2) books; billing (floor 5) settles the money and the credit in the booking's
transaction (a required listener on ``booking.announced``). Scheduling never imports billing:
billing registers these functions in its ``AppConfig.ready`` and scheduling's pages and API ask
them what to say. Without billing, every booking is settled with nothing ("none").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAY_WITH = ("", "credit", "card", "saved_card")


@dataclass(frozen=True)
class Preview:
    """What booking will do, said before the client confirms."""

    text: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (pay_with, label) when the client chooses
    policy: str = ""  # the cancellation policy, in words
    refused: str = ""  # why this client cannot book it (an intro offer they already had)


_hooks: dict[str, Callable[..., Any]] = {}


def register(*, preview: Callable[..., Preview], describe: Callable[..., dict[str, Any]],
             cancel_outcome: Callable[..., dict[str, Any]]) -> None:
    _hooks.update(preview=preview, describe=describe, cancel_outcome=cancel_outcome)


def preview(*, client: Any, session_type: Any) -> Preview:
    hook = _hooks.get("preview")
    return hook(client=client, session_type=session_type) if hook else Preview()


def describe(booking: Any) -> dict[str, Any]:
    """``{"status": none|credit_used|pending|paid|refunded|expired, "checkout_url"?, "client_package"?}``"""
    hook = _hooks.get("describe")
    return hook(booking) if hook else {"status": "none"}


def cancel_outcome(booking: Any) -> dict[str, Any]:
    """What a cancellation did with the money: ``{refund_minor, credit_released, fee_kept_minor}``."""
    hook = _hooks.get("cancel_outcome")
    return hook(booking) if hook else {"refund_minor": 0, "credit_released": False, "fee_kept_minor": 0}
