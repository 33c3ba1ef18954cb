"""Writes to the books. Every movement of money goes through ``money_event_record``."""

from __future__ import annotations

import logging
import re
from datetime import date as date_type
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.common import formats
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .models import Expense, MoneyEvent

logger = logging.getLogger(__name__)

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class BooksError(Exception):
    """A write to the books that cannot be done; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_money(amount_minor: int, currency: str) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise BooksError(_("The amount must be a whole number of cents."))
    if amount_minor < 0:
        raise BooksError(_("An amount cannot be negative; the kind of entry gives its direction."))
    if not isinstance(currency, str) or not CURRENCY_RE.match(currency):
        raise BooksError(_("The currency must be a three-letter code such as USD."))


def money_event_record(
    *,
    organization: Organization,
    kind: str,
    amount_minor: int,
    currency: str,
    occurred_at: datetime | None = None,
    client: Any = None,
    package_plan: Any = None,
    session_type: Any = None,
    related: models.Model | None = None,
    related_type: str = "",
    related_id: int | None = None,
    external_id: str = "",
    method: str = "",
    description: str = "",
    actor: Any = None,
    reverses: MoneyEvent | None = None,
) -> MoneyEvent:
    """Append one row to the money ledger.

    Idempotent by ``external_id``: when a row with the same (business, kind, external_id) exists,
    that row is returned and nothing is written; concurrent calls make exactly one row (the
    unique constraint decides, inside a savepoint so the caller's transaction survives).
    """
    if kind not in MoneyEvent.Kind.values:
        raise BooksError(_("Unknown kind of money entry."))
    _check_money(amount_minor, currency)
    if method and method not in MoneyEvent.Method.values:
        raise BooksError(_("Unknown payment method."))
    if occurred_at is not None and timezone.is_naive(occurred_at):
        raise BooksError(_("The date and time must carry a time zone."))
    if related is not None:
        related_type = related._meta.model_name or ""
        related_id = related.pk
    for obj in (client, package_plan, session_type, reverses):
        if obj is not None and obj.organization_id != organization.pk:
            raise BooksError(_("That belongs to another business."))
    if reverses is not None and reverses.kind != kind:
        raise BooksError(_("A reversal must be of the same kind as the entry it reverses."))
    external_id = (external_id or "")[:255]

    if external_id:
        existing = MoneyEvent.objects.filter(organization=organization, kind=kind, external_id=external_id).first()
        if existing is not None:
            return existing
    event = MoneyEvent(
        organization=organization,
        kind=kind,
        amount_minor=amount_minor,
        currency=currency,
        occurred_at=occurred_at or timezone.now(),
        client=client,
        package_plan=package_plan,
        session_type=session_type,
        related_type=related_type[:30],
        related_id=related_id,
        external_id=external_id,
        method=method,
        description=(description or "")[:200],
        reverses=reverses,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if reverses is not None and MoneyEvent.objects.filter(reverses=reverses).exists():
            raise BooksError(_("This entry has already been reversed.")) from None
        if not external_id:
            raise
        # Another caller recorded the same provider id first: that row is the answer.
        return MoneyEvent.objects.get(organization=organization, kind=kind, external_id=external_id)
    logger.info("money event recorded", extra={"money_event_id": event.pk, "kind": kind,
                                                "organization_id": organization.pk})
    return event


@transaction.atomic
def money_event_reverse(*, event: MoneyEvent, actor: Any, reason: str = "") -> MoneyEvent:
    """Cancel one ledger row with a reversal row (same kind, same amount, same date).

    The reversal carries the original's date so that the period the mistake was booked in is
    corrected; reports count reversals negatively. A row is reversed at most once.
    """
    event = MoneyEvent.objects.select_for_update().get(pk=event.pk)
    if event.reverses_id is not None:
        raise BooksError(_("A reversal cannot itself be reversed; record a new entry instead."))
    if MoneyEvent.objects.filter(reverses=event).exists():
        raise BooksError(_("This entry has already been reversed."))
    reversal = money_event_record(
        organization=event.organization, kind=event.kind, amount_minor=event.amount_minor,
        currency=event.currency, occurred_at=event.occurred_at, client=event.client,
        package_plan=event.package_plan, session_type=event.session_type,
        related_type=event.related_type, related_id=event.related_id, method=event.method,
        description=(reason or _("Reversal of entry #%(id)s") % {"id": event.pk})[:200],
        actor=actor, reverses=event,
    )
    audit.log(organization=event.organization, actor=actor, action="money_event.reversed", obj=event,
              data={"reversal_id": reversal.pk})
    return reversal


EXPENSE_EARLIEST = date_type(2000, 1, 1)
EXPENSE_DAYS_AHEAD = 366  # a year's rent paid ahead; not a typo's year 2206


def expense_date_error(day: date_type, today: date_type) -> str | None:
    """Why an expense cannot carry this date (the books cover 2000 to a year from today), or None."""
    latest = today + timedelta(days=EXPENSE_DAYS_AHEAD)
    if EXPENSE_EARLIEST <= day <= latest:
        return None
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": formats.format_date(EXPENSE_EARLIEST, style="long"),
        "latest": formats.format_date(latest, style="long")}


def expense_occurred_at(organization: Organization, day: date_type) -> datetime:
    """Noon of the expense's day in the business's zone: safely inside that day and month."""
    return datetime.combine(day, time(12, 0), tzinfo=organization.tzinfo)


@transaction.atomic
def expense_create(
    *,
    organization: Organization,
    actor: Any,
    date: date_type,
    amount_minor: int,
    category: str,
    currency: str = "",
    vendor: str = "",
    note: str = "",
    receipt: UploadedFile | None = None,
    external_id: str = "",
) -> Expense:
    """Record an expense and its ledger row in one transaction."""
    currency = currency or organization.currency
    _check_money(amount_minor, currency)
    if amount_minor == 0:
        raise BooksError(_("An expense must be more than zero."))
    if category not in Expense.Category.values:
        raise BooksError(_("Choose a category."))
    date_error = expense_date_error(date, timezone.now().astimezone(organization.tzinfo).date())
    if date_error:
        raise BooksError(date_error)
    if external_id:
        existing = MoneyEvent.objects.filter(
            organization=organization, kind=MoneyEvent.Kind.EXPENSE, external_id=external_id,
        ).first()
        if existing is not None and existing.related_type == "expense" and existing.related_id is not None:
            found = Expense.objects.filter(pk=existing.related_id).first()
            if found is not None:
                return found
    expense = Expense(
        organization=organization, date=date, amount_minor=amount_minor, currency=currency, category=category,
        vendor=vendor[:120], note=note[:500], created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if receipt is not None:
        expense.receipt_content_type = (getattr(receipt, "content_type", "") or "")[:100]
        expense.receipt.save(receipt.name or "receipt", receipt, save=False)
    try:
        expense.save()
        money_event_record(
            organization=organization, kind=MoneyEvent.Kind.EXPENSE, amount_minor=amount_minor, currency=currency,
            occurred_at=expense_occurred_at(organization, date), related=expense, external_id=external_id,
            description=(vendor or expense.get_category_display())[:200], actor=actor,
        )
    except Exception:
        # The file was written before the rows; they will not exist, so neither should it.
        if expense.receipt:
            expense.receipt.storage.delete(expense.receipt.name)
        raise
    audit.log(organization=organization, actor=actor, action="expense.created", obj=expense,
              data={"amount_minor": amount_minor, "category": category})
    return expense


@transaction.atomic
def expense_void(*, expense: Expense, actor: Any, reason: str = "") -> Expense:
    """Void an expense: the expense is marked void and its ledger row is reversed (never deleted)."""
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    if expense.voided_at is not None:
        raise BooksError(_("This expense is already void."))
    original = MoneyEvent.objects.filter(
        organization=expense.organization, kind=MoneyEvent.Kind.EXPENSE, related_type="expense",
        related_id=expense.pk, reverses__isnull=True,
    ).first()
    if original is not None:
        money_event_reverse(event=original, actor=actor,
                            reason=(_("Voided expense: %(reason)s") % {"reason": reason}) if reason else "")
    expense.voided_at = timezone.now()
    expense.void_reason = reason[:200]
    expense.save(update_fields=["voided_at", "void_reason"])
    audit.log(organization=expense.organization, actor=actor, action="expense.voided", obj=expense,
              data={"reason": reason[:200]})
    return expense
