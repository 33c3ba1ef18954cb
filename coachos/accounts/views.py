from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from coachos.tenancy import security
from coachos.tenancy.middleware import memberships_of
from coachos.tenancy.views import landing_url

from .forms import ApiTokenForm, InvitationSignupForm, LanguageForm
from .models import ApiToken, User
from .services import (
    AccountError,
    api_token_create,
    api_token_revoke,
    invitation_accept,
    invitation_from_token,
    invitation_signup,
    user_language_set,
)


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            user_language_set(user=request.user, language=form.cleaned_data["language"])
        except AccountError as exc:
            form.add_error("language", str(exc))
        else:
            # Said in the language just chosen (the next page speaks it).
            with translation.override(form.cleaned_data["language"] or translation.get_language()):
                messages.success(request, _("Your language is saved."))
            return redirect("account_home")
    return render(request, "accounts/account.html", {"language_form": form})


@login_required
def account_activity(request: HttpRequest) -> HttpResponse:
    """Recent activity: the person's own sign-ins, failures and security changes (newest first)."""
    # Times in the zone of the business the person works in (the one they used last), said on the page.
    memberships = memberships_of(request.user)
    current = next((m for m in memberships if m.organization.slug == request.session.get("current_org")),
                   memberships[0] if memberships else None)
    zone_name = current.organization.timezone if current is not None else "UTC"
    with timezone.override(zone_name):
        return render(request, "accounts/activity.html", {"events": security.recent_for(request.user),
                                                          "zone_name": zone_name})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    memberships = [m for m in memberships_of(request.user)]
    form = ApiTokenForm(request.POST or None, memberships=memberships)
    new_token = None
    if request.method == "POST" and form.is_valid():
        organization = next(m.organization for m in memberships if m.organization.slug == form.cleaned_data["organization"])
        try:
            _token, new_token = api_token_create(user=request.user, organization=organization, name=form.cleaned_data["name"])
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            form = ApiTokenForm(memberships=memberships)
    with scopes_disabled():
        tokens = list(ApiToken.objects.filter(user=request.user).select_related("organization"))
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, apitoken_id: int) -> HttpResponse:
    with scopes_disabled():
        token = ApiToken.objects.select_related("organization").filter(pk=apitoken_id, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked. Anything using it can no longer reach the API."))
    return redirect("api_tokens")


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    context: dict[str, object] = {"invitation": invitation, "organization": invitation.organization}
    if not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", {**context, "used": True}, status=410)

    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            context["wrong_account"] = True
            return render(request, "accounts/invitation.html", context, status=403)
        if request.method == "POST":
            try:
                membership = invitation_accept(invitation=invitation, user=user)
            except AccountError as exc:
                messages.error(request, str(exc))
                return redirect(request.path)
            request.session["current_org"] = invitation.organization.slug
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organization.name})
            return redirect(landing_url(membership))
        return render(request, "accounts/invitation.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["needs_login"] = True
        return render(request, "accounts/invitation.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            new_user, membership = invitation_signup(
                invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["current_org"] = invitation.organization.slug
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organization.name})
            return redirect(landing_url(membership))
    context["form"] = form
    return render(request, "accounts/invitation.html", context)
