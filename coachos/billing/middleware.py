"""A business in arrears on its platform subscription: warned, then read-only.

Runs after the tenancy middleware (inside the business's scope). After the plan's grace period,
a team member's request that would change something — any method but GET/HEAD/OPTIONS, in the
back office or through the API — is refused with a page (or a 403 problem) that says why and how
to pay. Paying the platform is still allowed. Clients (the portal) and webhooks are not affected,
and nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coachos.common.problems import problem_response

from .accounts import arrears_of, billing_account_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The pages that let the owner pay (and log out) stay usable.
ALLOWED_VIEWS = frozenset({"billing:platform", "billing:platform_subscribe", "billing:platform_test_checkout"})


class ArrearsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse], args: object,
                     kwargs: object) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        organization = getattr(request, "organization", None)
        membership = getattr(request, "membership", None)
        if organization is None or membership is None or not membership.is_team:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        arrears = arrears_of(billing_account_for(organization))
        if not arrears.read_only:
            return None
        detail = _("This business's Coach OS subscription is unpaid, so the back office is read-only. "
                   "The owner can pay under Payments → Plan; nothing has been deleted.")
        if request.path_info.startswith("/api/"):
            return problem_response(403, "Read-only: subscription unpaid", detail, code="read_only")
        return render(request, "billing/read_only.html", {"detail": detail, "arrears": arrears}, status=403)
