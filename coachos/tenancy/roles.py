"""Roles and what each may do, in one table. Views and API endpoints ask for a permission."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    COACH = "coach", _("Coach")
    STAFF = "staff", _("Front desk")
    CLIENT = "client", _("Client")


class Perm(models.TextChoices):
    BACKOFFICE = "backoffice", _("Use the back office")
    PORTAL = "portal", _("Use the client portal")
    MONEY = "money", _("See payments and money reports")
    SETTINGS = "settings", _("Change business settings")
    AUDIT = "audit", _("Read the audit log")
    MANAGE_TEAM = "manage_team", _("Invite and manage staff and coaches")
    INVITE_CLIENTS = "invite_clients", _("Invite clients")
    EDIT_PRICES = "edit_prices", _("Edit packages and prices")


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        {Perm.BACKOFFICE, Perm.MONEY, Perm.SETTINGS, Perm.AUDIT, Perm.MANAGE_TEAM, Perm.INVITE_CLIENTS,
         Perm.EDIT_PRICES}
    ),
    Role.COACH: frozenset({Perm.BACKOFFICE, Perm.MONEY, Perm.INVITE_CLIENTS, Perm.EDIT_PRICES}),
    Role.STAFF: frozenset({Perm.BACKOFFICE, Perm.INVITE_CLIENTS}),
    Role.CLIENT: frozenset({Perm.PORTAL}),
}

TEAM_ROLES = (Role.OWNER, Role.COACH, Role.STAFF)


def role_has(role: str, perm: str) -> bool:
    return perm in ROLE_PERMS.get(role, frozenset())
