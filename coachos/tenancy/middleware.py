"""Resolve the business of every request, check the member's role, and enter its scope.

Pages under an organization URL (a route with ``org_slug``) and API calls with a bearer
token run inside ``django_scopes.scope(organization=...)`` and the business's time zone.
Everything else runs with no scope, so a tenant query there raises instead of leaking.

Language: a signed-in person's own (``User.language``) when they chose one, else the business's; dates
and money keep the business's country either way. Public pages of a business (the booking page) speak
the business's language; pages of no business, the person's own or the browser's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from coachos.common import formats, ratelimit

from .access import PUBLIC
from .models import Membership, Organization

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


# How a bearer token is checked: ``accounts`` (the floor above, which owns API tokens) sets it in its
# AppConfig.ready. It returns the token (with ``organization``, ``user_id`` and ``user``) or None;
# with none set, no bearer token is accepted (fails closed).
_token_authenticator: Callable[[str], Any] | None = None


def set_token_authenticator(authenticate: Callable[[str], Any]) -> None:
    global _token_authenticator
    _token_authenticator = authenticate


class TenancyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.api_token = None  # type: ignore[attr-defined]

        if request.path_info.startswith(API_PREFIX):
            return self._api(request)
        if request.path_info.startswith(ADMIN_PREFIX):
            # The platform admin spans every business; Django admin itself admits only staff.
            with scopes_disabled():
                return self.get_response(request)

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self._own_language(request)
        request.coachos_route = match.route  # type: ignore[attr-defined]
        slug = match.kwargs.get("org_slug")
        if slug is None:
            return self._own_language(request)

        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise Http404("No such business.")
        perm = getattr(match.func, "coachos_perm", None)
        if perm is None:
            logger.error("route without an access declaration", extra={"route": match.route})
            raise Http404("No such page.")

        if perm == PUBLIC:
            limited = _public_limited(request, organization)
            if limited is not None:
                return limited
            if not organization.owner_verified:  # signed up, email not confirmed yet: not published
                return render(request, "tenancy/not_published.html", {"business_name": organization.name},
                              status=404)
        with scope(organization=organization):
            language = ""
            if perm != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
                membership = Membership.objects.filter(user=request.user).first()
                if membership is None:
                    raise Http404("No such business.")
                # A member may know the business: its name and menu frame the 403 page too.
                request.membership = membership  # type: ignore[attr-defined]
                request.organization = organization  # type: ignore[attr-defined]
                if not membership.has(perm):
                    raise PermissionDenied("Your role does not allow this page.")
                if request.session.get("current_org") != organization.slug:
                    request.session["current_org"] = organization.slug
                language = language_of(request.user)
            request.organization = organization  # type: ignore[attr-defined]
            language = language or organization.locale
            # Dates, times and money as the business writes them, in the reader's language.
            with (timezone.override(organization.tzinfo), translation.override(language),
                  formats.activate(organization, language)):
                response = self.get_response(request)
            return _says_language(response, language)

    def _own_language(self, request: HttpRequest) -> HttpResponse:
        """A page of no business (the account pages): the person's own language, if they chose one.
        Only a request with a session cookie can be someone's, so others never load a session."""
        language = (language_of(request.user) if settings.SESSION_COOKIE_NAME in request.COOKIES else "")
        if not language:
            return self.get_response(request)
        with translation.override(language):
            response = self.get_response(request)
        return _says_language(response, language)

    def _api(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        kind, _, raw = header.partition(" ")
        authenticate = _token_authenticator
        bearer = kind.lower() == "bearer" and bool(raw.strip())
        ip = ratelimit.client_ip(request)
        if bearer:
            # Token guessing: an address that sent too many unknown tokens is refused before any lookup.
            wait = ratelimit.exceeded("api_bad_token", ip)
            if wait is not None:
                return ratelimit.too_many(request, wait)
        token = authenticate(raw.strip()) if authenticate is not None and bearer else None
        if token is None:
            if bearer:
                ratelimit.hit("api_bad_token", ip)
            return self.get_response(request)
        wait = ratelimit.hit("api_token", f"token:{token.pk}")
        if wait is not None:
            return ratelimit.too_many(request, wait)
        with scope(organization=token.organization):
            membership = Membership.objects.filter(user_id=token.user_id).first()
            if membership is None or not token.user.is_active:
                return self.get_response(request)
            request.api_token = token  # type: ignore[attr-defined]
            request.organization = token.organization  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            with timezone.override(token.organization.tzinfo):
                return self.get_response(request)


def _public_limited(request: HttpRequest, organization: Organization) -> HttpResponse | None:
    """A business's public pages: limited per address and per business (429 page when over)."""
    for name, key in (("public_ip", ratelimit.client_ip(request)), ("public_org", f"org:{organization.pk}")):
        wait = ratelimit.hit(name, key)
        if wait is not None:
            return ratelimit.too_many(request, wait)
    return None


def language_of(user: Any) -> str:
    """The language a person chose for their pages and messages; "" when they left it to the business."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else ""


def _says_language(response: HttpResponse, language: str) -> HttpResponse:
    # LocaleMiddleware would label the response with the browser's language, outside our override.
    response.headers["Content-Language"] = language
    return response


def memberships_of(user: Any) -> list[Membership]:
    """Every business the user belongs to (for the switcher): filtered by user, so no scope."""
    if not getattr(user, "is_authenticated", False):
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
        )
