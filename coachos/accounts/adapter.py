from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from coachos.common.text import clean_name
from coachos.tenancy.middleware import language_of, memberships_of

from .models import User

# Who account emails speak for when the person belongs to no one business (or to several).
PLATFORM_NAME = "Coach OS"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """Create the coach's user and their business in one transaction."""
        from coachos.tenancy.services import organization_create

        with transaction.atomic():
            user = super().save_user(request, user, form, commit=False)
            user.name = clean_name(form.cleaned_data["name"])
            user.save()
            organization_create(
                name=form.cleaned_data["business_name"], owner=user, timezone=form.cleaned_data["timezone"],
                owner_verified=False,  # until the sign-up email is confirmed (tenancy/verification.py)
                **form.organization_fields(),
            )
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (verification, password reset, account notices) name the business the person
        was invited to or signed up for, else Coach OS — never the host name — and speak the person's own
        language, else that of the page that sent them."""
        user = context.get("user") or _user_with_email(email)
        organization = _business_of(user, getattr(self, "request", None) or allauth_context.request)
        brand = organization.name if organization is not None else PLATFORM_NAME
        self._brand = brand
        context = {**context, "brand": brand, "current_site": SimpleNamespace(name=brand, domain=brand)}
        with translation.override(language_of(user) or translation.get_language()):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        brand = getattr(self, "_brand", None)
        return f"[{brand}] {subject}" if brand else super().format_email_subject(subject)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Platform staff land on the platform admin; everyone else on their business."""
        if getattr(request.user, "is_staff", False):
            return reverse("admin:index")
        return reverse("home")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")


def _user_with_email(email: str) -> Any:
    return User.objects.filter(email__iexact=email).first() if email else None


def _business_of(user: Any, request: HttpRequest | None) -> Any:
    """The one business a person belongs to; of several, the one they last worked in (this session's);
    else None."""
    if user is None or user.pk is None:
        return None
    memberships = memberships_of(user)
    if len(memberships) == 1:
        return memberships[0].organization
    session = getattr(request, "session", None)
    current = session.get("current_org") if session is not None else None
    return next((m.organization for m in memberships if current and m.organization.slug == current), None)


def user_display(user: Any) -> str:
    """How allauth names a person on pages and in messages ("Successfully signed in as …").

    ``User.__str__`` is "User #<id>" on purpose (it ends up in logs), which is no name to greet
    someone with."""
    return user.get_full_name()
