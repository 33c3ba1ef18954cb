"""The audit log as sentences: "Maya refunded $50.00 of Zoe Allen's purchase Intro pack".

A sentence is built from the entry's action (a table of wordings, below), its data (amounts, changed
fields) and readable names of its object, looked up when the page is shown. The objects belong to
apps on higher floors, so they are found by their model label (``apps.get_model``), never imported.
An action without a wording still reads as a sentence (the fallback)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.common.formats import format_money

from .models import AuditEntry

# %(actor)s: who; %(object)s: the object's readable name; %(amount)s: data["amount_minor"] as money;
# %(fields)s: the changed fields. A wording whose placeholder has no value falls back to the next
# wording of the same action, then to the generic one.
SENTENCES: dict[str, tuple[Any, ...]] = {
    "client.created": (gettext_lazy("%(actor)s added the client %(object)s"),),
    "client.imported": (gettext_lazy("%(actor)s imported the client %(object)s"),),
    "client.updated": (gettext_lazy("%(actor)s changed %(object)s's details (%(fields)s)"),
                       gettext_lazy("%(actor)s changed %(object)s's details"),),
    "client.status_changed": (gettext_lazy("%(actor)s changed %(object)s's status from %(from)s to %(to)s"),),
    "client.tagged": (gettext_lazy("%(actor)s tagged %(object)s"),),
    "client.untagged": (gettext_lazy("%(actor)s removed a tag from %(object)s"),),
    "client.coach_changed": (gettext_lazy("%(actor)s changed who coaches %(object)s"),),
    "client_note.added": (gettext_lazy("%(actor)s added a note about %(object)s"),),
    "purchase.refunded": (gettext_lazy("%(actor)s refunded %(amount)s of %(object)s"),),
    "purchase.paid": (gettext_lazy("%(object)s was paid"),),
    "purchase.failed": (gettext_lazy("A payment failed: %(object)s"),),
    "purchase.created": (gettext_lazy("%(actor)s started %(object)s"),),
    "purchase.cancelled": (gettext_lazy("%(actor)s cancelled %(object)s"),),
    "purchase.link_sent": (gettext_lazy("%(actor)s sent a payment link for %(object)s"),),
    "payment.recorded": (gettext_lazy("%(actor)s recorded a payment of %(amount)s: %(object)s"),),
    "package.granted": (gettext_lazy("%(actor)s gave %(object)s"),),
    "package_plan.created": (gettext_lazy("%(actor)s created the package plan %(object)s"),),
    "package_plan.updated": (gettext_lazy("%(actor)s changed the package plan %(object)s"),),
    "credit.used": (gettext_lazy("%(actor)s used a credit of %(object)s"),),
    "credit.released": (gettext_lazy("%(actor)s gave back a credit of %(object)s"),),
    "credit.adjusted": (gettext_lazy("%(actor)s adjusted the credits of %(object)s"),),
    "booking.created": (gettext_lazy("%(actor)s booked %(object)s"),),
    "booking.cancelled": (gettext_lazy("%(actor)s cancelled %(object)s"),),
    "session.created": (gettext_lazy("%(actor)s scheduled %(object)s"),),
    "session.moved": (gettext_lazy("%(actor)s moved %(object)s"),),
    "session.cancelled": (gettext_lazy("%(actor)s cancelled %(object)s"),),
    "organization.created": (gettext_lazy("%(actor)s created the business"),),
    "organization.updated": (gettext_lazy("%(actor)s changed the business settings (%(fields)s)"),
                             gettext_lazy("%(actor)s changed the business settings"),),
    "membership.created": (gettext_lazy("%(actor)s added %(object)s to the business"),),
    "membership.role_changed": (gettext_lazy("%(actor)s changed the role of %(object)s"),),
    "membership.access_changed": (gettext_lazy("%(actor)s changed what %(object)s may see and do (%(fields)s)"),),
    "membership.removed": (gettext_lazy("%(actor)s removed a member from the business"),),
    "invitation.created": (gettext_lazy("%(actor)s invited %(object)s"),),
    "invitation.resent": (gettext_lazy("%(actor)s sent the invitation to %(object)s again"),),
    "invitation.revoked": (gettext_lazy("%(actor)s revoked the invitation to %(object)s"),),
    "invitation.accepted": (gettext_lazy("%(object)s accepted the invitation"),),
    "expense.created": (gettext_lazy("%(actor)s recorded an expense: %(object)s"),),
    "expense.voided": (gettext_lazy("%(actor)s voided an expense: %(object)s"),),
    "api_token.created": (gettext_lazy("%(actor)s created an API token"),),
    "api_token.revoked": (gettext_lazy("%(actor)s revoked an API token"),),
}

# The kinds the log can be filtered by: the part of the action before the dot.
KINDS: dict[str, Any] = {
    "client": gettext_lazy("Clients"), "client_note": gettext_lazy("Client notes"),
    "client_tag": gettext_lazy("Tags"), "booking": gettext_lazy("Bookings"),
    "session": gettext_lazy("Sessions"), "purchase": gettext_lazy("Payments"),
    "payment": gettext_lazy("Payments recorded by hand"), "package": gettext_lazy("Packages"),
    "package_plan": gettext_lazy("Package plans"), "credit": gettext_lazy("Credits"),
    "membership": gettext_lazy("Team"), "invitation": gettext_lazy("Invitations"),
    "organization": gettext_lazy("Business settings"), "expense": gettext_lazy("Expenses"),
    "automation": gettext_lazy("Automations"), "api_token": gettext_lazy("API tokens"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind.replace("_", " ").capitalize()))


def _label(obj: Any) -> str:
    for attr in ("plan", "session_type"):
        related: Any = getattr(obj, attr, None)
        name = getattr(related, "name", None) if isinstance(related, models.Model) else None
        if name:
            return str(name)
    for attr in ("name", "title", "description", "email"):
        value = getattr(obj, attr, "")
        if isinstance(value, str) and value:
            return value
    return ""


def object_name(obj: Any) -> str:
    """A person's name for a client or a member; "Zoe Allen's purchase Intro pack" for an object
    of a client; the kind and its label otherwise."""
    if isinstance(getattr(obj, "full_name", None), str):
        return str(obj.full_name)
    user = getattr(obj, "user", None)
    if obj._meta.model_name == "membership" and user is not None:
        return str(user.get_full_name())
    kind = str(obj._meta.verbose_name)
    label = _label(obj)
    described = f"{kind} {label}".strip()
    client = getattr(obj, "client", None)
    if client is not None and isinstance(getattr(client, "full_name", None), str):
        return _("%(client)s's %(thing)s") % {"client": client.full_name, "thing": described}
    return described


def _objects(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], Any]:
    """Every entry's object, a query per kind of object (another business's rows are not in scope)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type and entry.object_id:
            wanted[entry.object_type].add(entry.object_id)
    found: dict[tuple[str, str], Any] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        related = [f.name for f in model._meta.get_fields()
                   if f.name in ("client", "plan", "user", "session_type") and f.many_to_one]
        rows = model._default_manager.filter(pk__in=[i for i in ids if i.isdigit()]).select_related(*related)
        for row in rows:
            found[(label, str(row.pk))] = row
    return found


def _actor(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return str(entry.actor.get_full_name())
    if entry.data.get("source") == "stripe":
        return "Stripe"
    return _("Coach OS")


def _fields(entry: AuditEntry) -> str:
    changed = entry.data.get("changed") or {}
    names = list(changed) if isinstance(changed, dict) else list(entry.data.get("fields") or [])
    return ", ".join(str(name).replace("_", " ") for name in names)


def sentence(entry: AuditEntry, obj: Any, currency: str) -> str:
    values: dict[str, str] = {
        "actor": _actor(entry),
        "object": object_name(obj) if obj is not None else (entry.object_repr or ""),
        "fields": _fields(entry),
        "from": str(entry.data.get("from", "")), "to": str(entry.data.get("to", "")),
    }
    amount = entry.data.get("amount_minor")
    values["amount"] = format_money(amount, getattr(obj, "currency", "") or currency) \
        if isinstance(amount, int) else ""
    for wording in SENTENCES.get(entry.action, ()):
        text = str(wording)
        needed = [key for key in values if f"%({key})s" in text]
        if all(values[key] for key in needed):
            return text % values
    kind, _dot, verb = entry.action.partition(".")
    generic = _("%(actor)s: %(kind)s — %(verb)s") % {
        "actor": values["actor"], "kind": kind_label(kind), "verb": verb.replace("_", " ")}
    return f"{generic} ({values['object']})" if values["object"] else generic


def with_sentences(entries: list[AuditEntry], *, currency: str) -> list[AuditEntry]:
    """The entries, each with ``sentence`` set for the page."""
    objects = _objects(entries)
    for entry in entries:
        entry.sentence = sentence(  # type: ignore[attr-defined]
            entry, objects.get((entry.object_type, entry.object_id)), currency)
    return entries
