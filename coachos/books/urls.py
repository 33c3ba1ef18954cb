from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.pnl, name="index"),
    path("pnl.csv", views.pnl_csv, name="pnl_csv"),
    path("revenue/", views.revenue, name="revenue"),
    path("expenses/", views.expense_list, name="expenses"),
    path("expenses/new/", views.expense_create, name="expense_create"),
    path("expenses/<int:expense_id>/void/", views.expense_void, name="expense_void"),
    path("expenses/<int:expense_id>/receipt/", views.expense_receipt, name="expense_receipt"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:moneyevent_id>/", views.ledger_entry, name="ledger_entry"),
]
