"""What payments tell people, through ``coachos.comms.notify`` (written in the caller's transaction).

Each message has a dedupe key, so an event delivered twice (or a retried task) tells nobody twice.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from coachos.comms import notify
from coachos.comms.context import absolute, money

from .models import ClientMembership, Purchase


def _portal_payments(organization: Any) -> str:
    return absolute(reverse("portal_billing:index", kwargs={"org_slug": organization.slug}))


def _client_message(*, organization: Any, kind: str, client: Any, context: dict[str, Any], related: Any,
                    dedupe_key: str, attachments: list[tuple[str, int]] | None = None,
                    requested: bool | None = None) -> None:
    notify.client(organization=organization, kind=kind, client=client, context=context, related=related,
                  dedupe_key=dedupe_key, attachments=attachments, requested=requested)


def _team_message(*, organization: Any, kind: str, context: dict[str, Any], related: Any, dedupe_key: str) -> None:
    notify.team(organization=organization, kind=kind, context=context, related=related, dedupe_key=dedupe_key)


def receipt_send(purchase: Purchase) -> None:
    """The receipt, by email with the PDF attached (kind "receipt").

    A payment the client just made at a checkout may pass quiet hours; one the team recorded by
    hand, or a membership renewal charged by itself, waits for the window's end."""
    organization = purchase.organization
    _client_message(
        requested=purchase.method == Purchase.Method.STRIPE and purchase.source != Purchase.Source.RENEWAL,
        organization=organization, kind="receipt", client=purchase.client,
        context={"amount": money(organization, purchase.amount_minor, purchase.currency),
                 "link": _portal_payments(organization), "package_name": purchase.description},
        related=purchase, dedupe_key=f"receipt:{purchase.pk}", attachments=[("receipt", purchase.pk)],
    )


def payment_link_send(purchase: Purchase, link: str) -> None:
    organization = purchase.organization
    _client_message(
        organization=organization, kind="payment_link", client=purchase.client,
        context={"amount": money(organization, purchase.amount_minor, purchase.currency), "link": link,
                 "package_name": purchase.description},
        related=purchase, dedupe_key=f"payment-link:{purchase.pk}",
    )


def _notify_flagged(purchase: Purchase) -> None:
    """Tell the team a payment needs checking (amount or currency did not match)."""
    organization = purchase.organization
    _team_message(organization=organization, kind="purchase_flagged",
                  context={"message": purchase.flag_reason, "client_name": purchase.client.full_name,
                           "link": absolute(reverse("billing:purchase", kwargs={
                               "org_slug": organization.slug, "purchase_id": purchase.pk}))},
                  related=purchase, dedupe_key=f"purchase-flagged:{purchase.pk}")


def membership_payment_failed(membership: ClientMembership, *, amount_minor: int, currency: str,
                              invoice_id: str) -> None:
    """The client is told (update your card), and the team sees it."""
    organization = membership.organization
    amount = money(organization, amount_minor, currency)
    _client_message(organization=organization, kind="payment_failed", client=membership.client,
                    context={"amount": amount, "link": _portal_payments(organization)},
                    related=membership, dedupe_key=f"payment-failed:{invoice_id}")
    _team_message(organization=organization, kind="payment_failed_team",
                  context={"amount": amount, "client_name": membership.client.full_name,
                           "link": absolute(reverse("billing:memberships", kwargs={"org_slug": organization.slug}))},
                  related=membership, dedupe_key=f"payment-failed-team:{invoice_id}")


def booking_payment_refunded(purchase: Purchase) -> None:
    """A booking's payment arrived after its hold ended and the time was gone: refunded, and said."""
    organization = purchase.organization
    _client_message(
        organization=organization, kind="booking_payment_refunded", client=purchase.client,
        context={"amount": money(organization, purchase.amount_minor, purchase.currency),
                 "link": _portal_payments(organization)},
        related=purchase, dedupe_key=f"booking-payment-refunded:{purchase.pk}", requested=True,
    )
