"""Writes to businesses and memberships. Every change is audited.

A membership created or given another role emits ``membership.created`` / ``membership.role_changed``:
the apps above act on it in the same transaction (scheduling makes owners and coaches bookable)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.common import events
from coachos.common.text import clean_name

from . import audit, security
from .models import RESERVED_SLUGS, Membership, Organization
from .roles import Role

ORGANIZATION_EDITABLE = (
    "name", "slug", "timezone", "currency", "country", "locale", "phone", "sms_number", "address", "logo",
    "quiet_hours_start", "quiet_hours_end", "quiet_hours_exempt_requested", "late_cancellation_allowed",
    "late_cancellation_forfeits_credit", "no_show_forfeits_credit", "auto_complete_after_hours",
)


class TenancyError(Exception):
    """A change to a business or membership that cannot be made; the message is for people."""


def unique_slug(name: str) -> str:
    base = (slugify(name) or "business")[:40].strip("-") or "business"
    if base in RESERVED_SLUGS:
        base = f"{base}-coaching"
    candidate, n = base, 2
    while Organization.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def organization_create(*, name: str, owner: Any, timezone: str, slug: str | None = None, **fields: Any) -> Organization:
    name = clean_name(name)
    organization = Organization(name=name, slug=slug or unique_slug(name), timezone=timezone, **fields)
    organization.full_clean()
    organization.save()
    with scope(organization=organization):
        membership = Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
        events.emit("membership.created", organization=organization, obj=membership, data={"role": Role.OWNER})
        audit.log(organization=organization, actor=owner, action="organization.created", obj=organization)
        audit.log(organization=organization, actor=owner, action="membership.created", obj=membership,
                  data={"role": Role.OWNER})
    return organization


def _display(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes") if hasattr(value, "hour") else value.isoformat()
    if hasattr(value, "name") and hasattr(value, "url"):  # a file field
        return value.name or ""
    return value


@transaction.atomic
def organization_update(*, organization: Organization, actor: Any, data: dict[str, Any]) -> Organization:
    """Apply field changes, validate the whole record, and audit what changed (old → new)."""
    unknown = set(data) - set(ORGANIZATION_EDITABLE)
    if unknown:
        raise TenancyError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    before = {field: _display(getattr(locked, field)) for field in data}
    for field, value in data.items():
        setattr(locked, field, clean_name(value) if field == "name" and isinstance(value, str) else value)
    locked.full_clean()
    changed = {
        field: [before[field], _display(getattr(locked, field))]
        for field in data
        if before[field] != _display(getattr(locked, field))
    }
    if changed:
        locked.save()
        audit.log(organization=locked, actor=actor, action="organization.updated", obj=locked,
                  data={"changed": changed})
    return locked


def _owner_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER).count()


@transaction.atomic
def membership_set_role(*, membership: Membership, actor: Any, role: str) -> Membership:
    if role not in Role.values:
        raise TenancyError(_("Unknown role."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER and _owner_count(membership.organization) <= 1:
        raise TenancyError(_("A business needs at least one owner. Make someone else an owner first."))
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    events.emit("membership.role_changed", organization=membership.organization, obj=membership, data={"role": role})
    audit.log(organization=membership.organization, actor=actor, action="membership.role_changed",
              obj=membership, data={"role": [old, role]})
    security.record(security.Kind.ROLE_CHANGED, user=membership.user, actor=actor,
                    business=membership.organization, data={"role": [old, role]})
    return membership


COACH_ACCESS_FIELDS = ("sees_all_clients", "sees_money", "edits_prices")


@transaction.atomic
def membership_set_access(*, membership: Membership, actor: Any, sees_all_clients: bool, sees_money: bool,
                          edits_prices: bool) -> Membership:
    """What an owner lets one coach see and do; only a coach's membership has these choices."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role != Role.COACH:
        raise TenancyError(_("Only a coach's access can be limited."))
    wanted = {"sees_all_clients": sees_all_clients, "sees_money": sees_money, "edits_prices": edits_prices}
    changed = {field: [getattr(membership, field), value] for field, value in wanted.items()
               if getattr(membership, field) != value}
    if changed:
        for field, (_old, value) in changed.items():
            setattr(membership, field, value)
        membership.save(update_fields=list(changed))
        audit.log(organization=membership.organization, actor=actor, action="membership.access_changed",
                  obj=membership, data={"changed": changed})
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Any) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER and _owner_count(membership.organization) <= 1:
        raise TenancyError(_("A business needs at least one owner. Make someone else an owner first."))
    audit.log(organization=membership.organization, actor=actor, action="membership.removed",
              obj=membership, data={"role": membership.role})
    membership.delete()


def organization_for_slug(slug: str) -> Organization | None:
    with scopes_disabled():
        return Organization.objects.filter(slug=slug).first()
