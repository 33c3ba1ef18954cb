from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """Create the coach's user and their business in one transaction."""
        from coachos.tenancy.services import organization_create

        with transaction.atomic():
            user = super().save_user(request, user, form, commit=False)
            user.name = form.cleaned_data["name"].strip()
            user.save()
            organization_create(
                name=form.cleaned_data["business_name"], owner=user, timezone=form.cleaned_data["timezone"],
                **form.organization_fields(),
            )
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Platform staff land on the platform admin; everyone else on their business."""
        if getattr(request.user, "is_staff", False):
            return reverse("admin:index")
        return reverse("home")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")


def user_display(user: Any) -> str:
    """How allauth names a person on pages and in messages ("Successfully signed in as …").

    ``User.__str__`` is "User #<id>" on purpose (it ends up in logs), which is no name to greet
    someone with."""
    return user.get_full_name()
