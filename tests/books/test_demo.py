"""The books demo step: a year of expenses and payments, idempotent. Runs on SQLite too."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.books import selectors
from coachos.books.demo import seed_books
from coachos.books.models import Expense, MoneyEvent
from coachos.tenancy.models import Organization

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return MoneyEvent.objects.count(), Expense.objects.count()


def test_seed_books_is_idempotent_and_plausible():
    call_command("seed_demo")
    first = counts()
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    seed_books(org)
    call_command("seed_demo")
    assert counts() == first
    with scope(organization=org):
        kinds = set(MoneyEvent.objects.values_list("kind", flat=True))
        assert {"expense", "manual_payment", "refund"} <= kinds
        assert Expense.objects.count() >= 12 * 5  # rent, software, bank fees… every month
        assert not MoneyEvent.objects.filter(external_id="").filter(kind="expense").exists()
        months = {e.date.strftime("%Y-%m") for e in Expense.objects.all()}
        assert len(months) == 12
        today = selectors.local_today(org)
        assert not Expense.objects.filter(date__gt=today).exists()
        rows = selectors.pnl_by_year(organization=org)
        assert sum(r.income for r in rows) > sum(r.expenses for r in rows) > 0
