"""The team page (members and invitations) under /o/<slug>/team/: invitations belong to accounts,
so the page lives here; ``coachos.site.urls`` mounts it in the ``backoffice`` namespace."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.forms import InviteForm, RoleForm
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm, Role

from .models import Invitation
from .services import AccountError, invitation_create, invitation_resend, invitation_revoke


def _invitable_roles(membership: Membership) -> list[str]:
    roles = []
    if membership.has(Perm.MANAGE_TEAM):
        roles += [Role.COACH, Role.STAFF, Role.OWNER]
    if membership.has(Perm.INVITE_CLIENTS):
        roles.insert(0, Role.CLIENT)
    return roles


@org_view(Perm.BACKOFFICE)
def team(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    roles = _invitable_roles(membership)
    form = InviteForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                organization=request.organization, actor=request.user, actor_membership=membership,
                email=form.cleaned_data["email"], role=form.cleaned_data["role"], name=form.cleaned_data["name"],
            )
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("backoffice:team", org_slug=org_slug)
    members = Membership.objects.select_related("user").order_by("role", "user__name")
    invitations = Invitation.objects.filter(status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED])
    return render(
        request, "tenancy/team.html",
        {
            "form": form,
            "team": [m for m in members if m.is_team],
            "clients": [m for m in members if not m.is_team],
            "invitations": invitations,
            "can_manage": membership.has(Perm.MANAGE_TEAM),
            "role_form": RoleForm(),
        },
    )


def _invitation_action(request: HttpRequest, org_slug: str, invitation_id: int, action: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    needed = Perm.INVITE_CLIENTS if invitation.role == Role.CLIENT else Perm.MANAGE_TEAM
    if not request.membership.has(needed):
        messages.error(request, _("Your role cannot manage this invitation."))
        return redirect("backoffice:team", org_slug=org_slug)
    try:
        if action == "resend":
            invitation_resend(invitation=invitation, actor=request.user)
            messages.success(request, _("A new invitation link was sent."))
        else:
            invitation_revoke(invitation=invitation, actor=request.user)
            messages.success(request, _("Invitation revoked."))
    except AccountError as exc:
        messages.error(request, str(exc))
    return redirect("backoffice:team", org_slug=org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def invitation_resend_view(request: HttpRequest, org_slug: str, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, org_slug, invitation_id, "resend")


@require_POST
@org_view(Perm.BACKOFFICE)
def invitation_revoke_view(request: HttpRequest, org_slug: str, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, org_slug, invitation_id, "revoke")
