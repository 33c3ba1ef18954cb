"""Writes to client records. Every change is audited (ids only: no names, emails or phones)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.common import events
from coachos.common.text import clean_name
from coachos.tenancy import audit
from coachos.tenancy.models import Membership, Organization, validate_timezone
from coachos.tenancy.roles import Role

from .models import Client, ClientNote, Tag


def _duplicate_email() -> ValidationError:
    return ValidationError(
        {"email": [_("A client with this email address already exists in this business.")]}, code="duplicate"
    )


@transaction.atomic
def client_create(
    *, organization: Organization, actor: Any, first_name: str, last_name: str = "", email: str = "",
    phone: str = "",
) -> Client:
    """Add a client record. Raises ``ValidationError`` (by field) for bad input or an email
    address another client of the business already has (compared without regard to case)."""
    client = Client(
        organization=organization, first_name=clean_name(first_name), last_name=clean_name(last_name),
        email=BaseUserManager.normalize_email(email.strip()), phone=phone.strip(),
    )
    if client.email and Client.objects.filter(organization=organization, email__iexact=client.email).exists():
        raise _duplicate_email()
    client.full_clean()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:  # the same address, added at the same moment
        raise _duplicate_email()
    audit.log(organization=organization, actor=actor, action="client.created", obj=client)
    events.emit("client.created", organization=organization, client=client, obj=client)
    return client


# --- phone numbers -----------------------------------------------------------------------------

def normalize_phone(raw: str, *, default_country_code: str = "1") -> str:
    """A phone number as typed ("(312) 555-0123", "312.555.0123", "+44 20 7946 0958") in E.164.
    Ten digits without a country code get the business's default (+1). Raises ``ValueError``."""
    value = raw.strip()
    if not value:
        return ""
    plus = value.startswith("+")
    digits = re.sub(r"[\s().\-/]", "", value.lstrip("+"))
    if not digits.isdigit():
        raise ValueError(_("Enter a phone number with digits only, for example (312) 555-0123 or +13125550123."))
    if not plus:
        if len(digits) == 10:
            digits = default_country_code + digits
        elif len(digits) == 11 and digits.startswith(default_country_code):
            pass
        else:
            raise ValueError(_("Enter a 10-digit number or the international format, for example +13125550123."))
    result = "+" + digits
    if not re.fullmatch(r"\+[1-9]\d{6,14}", result):
        raise ValueError(_("Enter the number in international format, for example +13125550123."))
    return result


# --- updates ------------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "first_name", "last_name", "email", "phone", "status", "source", "source_detail", "birthday", "address",
    "emergency_contact_name", "emergency_contact_phone", "sms_consent", "email_consent",
)
_TEXT_FIELDS = {"first_name", "last_name", "email", "phone", "source_detail", "address", "emergency_contact_name",
                "emergency_contact_phone", "source", "status"}


_NAME_FIELDS = {"first_name", "last_name", "emergency_contact_name"}  # no bidi overrides, no control characters


def _apply(client: Client, data: dict[str, Any], now: datetime) -> list[str]:
    """Set the given fields on ``client``; return the names that changed. Consent times follow the boxes."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = []
    for field, value in data.items():
        if field in _TEXT_FIELDS:
            value = (value or "").strip()
        if field in _NAME_FIELDS:
            value = clean_name(value)
        if field == "email":
            value = BaseUserManager.normalize_email(value)
        if getattr(client, field) != value:
            setattr(client, field, value)
            changed.append(field)
    for kind in ("sms", "email"):
        if f"{kind}_consent" in changed:
            setattr(client, f"{kind}_consent_at", now if getattr(client, f"{kind}_consent") else None)
    return changed


def _check_birthday(client: Client, today: date) -> None:
    if client.birthday is not None and not (date(1900, 1, 1) <= client.birthday <= today):
        raise ValidationError({"birthday": [_("Enter a birthday between 1900 and today.")]}, code="invalid")


def _save_checked(client: Client) -> None:
    _check_birthday(client, timezone.localdate())
    if client.email and Client.objects.filter(
        organization_id=client.organization_id, email__iexact=client.email
    ).exclude(pk=client.pk).exists():
        raise _duplicate_email()
    client.full_clean(exclude=["tags"])
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise _duplicate_email()


@transaction.atomic
def client_add(*, organization: Organization, actor: Any, data: dict[str, Any], tags: list[Tag] | None = None,
               tag_names: list[str] | None = None, now: datetime | None = None,
               coach_membership: Membership | None = None) -> Client:
    """Add a client with any of the editable fields (the page, the CSV import and the API), and
    ``tags`` or tags by name (``tag_names``: made if new). ``coach_membership``: the client's coach
    (a coach limited to their own clients adds clients as theirs)."""
    if coach_membership is not None:
        _check_coach(organization, coach_membership)
    client = Client(organization=organization, coach_membership=coach_membership)
    _apply(client, data, now or timezone.now())
    _save_checked(client)
    if tags:
        client.tags.set(tags)
    audit.log(organization=organization, actor=actor, action="client.created", obj=client)
    if tag_names:
        client_set_tags(client=client, actor=actor, names=tag_names)
    events.emit("client.created", organization=organization, client=client, obj=client)
    return client


@transaction.atomic
def client_update(*, client: Client, actor: Any, data: dict[str, Any], tag_names: list[str] | None = None,
                  now: datetime | None = None) -> Client:
    """Change a client's fields (and, with ``tag_names``, set exactly these tags). Raises
    ``ValidationError`` (by field); nothing is written then. Consent times follow the consents."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = _apply(client, data, now or timezone.now())
    if changed:
        _save_checked(client)
        audit.log(organization=client.organization, actor=actor, action="client.updated", obj=client,
                  data={"fields": sorted(changed)})
    if tag_names is not None:
        client_set_tags(client=client, actor=actor, names=tag_names)
    return client


COACHING_ROLES = (Role.OWNER, Role.COACH)


def _check_coach(organization: Organization, coach: Membership) -> None:
    if coach.organization_id != organization.pk or coach.role not in COACHING_ROLES:
        raise ValidationError({"coach_membership": [_("Choose a coach of this business.")]}, code="invalid")


@transaction.atomic
def client_set_coach(*, client: Client, actor: Any, coach: Membership | None) -> Client:
    """Make ``coach`` (an owner's or coach's membership; None: nobody) the client's own coach."""
    if coach is not None:
        _check_coach(client.organization, coach)
    client = Client.objects.select_for_update().get(pk=client.pk)
    new_id = coach.pk if coach is not None else None
    if client.coach_membership_id != new_id:
        old_id = client.coach_membership_id
        client.coach_membership = coach
        client.save(update_fields=["coach_membership", "updated_at"])
        audit.log(organization=client.organization, actor=actor, action="client.coach_changed", obj=client,
                  data={"from": old_id, "to": new_id})
    return client


@transaction.atomic
def client_set_status(*, client: Client, actor: Any, status: str) -> Client:
    if status not in Client.Status.values:
        raise ValidationError({"status": [_("Choose lead, active, paused or archived.")]})
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status != status:
        old, client.status = client.status, status
        client.save(update_fields=["status", "updated_at"])
        audit.log(organization=client.organization, actor=actor, action="client.status_changed", obj=client,
                  data={"from": old, "to": status})
    return client


@transaction.atomic
def client_set_timezone(*, client: Client, actor: Any, zone: str) -> Client:
    """Remember the zone a client picked (booking pages, portal): their times are shown in it."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.timezone != zone:
        validate_timezone(zone)
        client.timezone = zone
        client.save(update_fields=["timezone", "updated_at"])
        audit.log(organization=client.organization, actor=actor, action="client.timezone_changed", obj=client,
                  data={"timezone": zone})
    return client


# --- tags ---------------------------------------------------------------------------------------

def _tag_name(name: str) -> str:
    name = clean_name(name)
    if not name:
        raise ValidationError({"name": [_("Give the tag a name.")]})
    if len(name) > 40:
        raise ValidationError({"name": [_("A tag name has at most 40 characters.")]})
    return name


def tag_get_or_create(*, organization: Organization, actor: Any, name: str, colour: str = "") -> Tag:
    """The business's tag with this name (compared without regard to case), created if new."""
    name = _tag_name(name)
    tag = Tag.objects.filter(organization=organization, name__iexact=name).first()
    if tag is not None:
        return tag
    tag = Tag(organization=organization, name=name, colour=colour)
    tag.full_clean()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:  # created at the same moment
        return Tag.objects.get(organization=organization, name=name)
    audit.log(organization=organization, actor=actor, action="client_tag.created", obj=tag)
    return tag


@transaction.atomic
def client_tag(*, client: Client, actor: Any, name: str) -> Tag:
    tag = tag_get_or_create(organization=client.organization, actor=actor, name=name)
    if not client.tags.filter(pk=tag.pk).exists():
        client.tags.add(tag)
        audit.log(organization=client.organization, actor=actor, action="client.tagged", obj=client,
                  data={"tag": tag.pk})
    return tag


@transaction.atomic
def client_set_tags(*, client: Client, actor: Any, names: list[str]) -> list[Tag]:
    """Give the client exactly these tags (by name, without regard to case; new ones are made).
    Each tag added or taken off is audited like a single one."""
    wanted: dict[int, Tag] = {}
    for name in names:
        tag = tag_get_or_create(organization=client.organization, actor=actor, name=name)
        wanted.setdefault(tag.pk, tag)
    current = set(client.tags.values_list("pk", flat=True))
    for pk, tag in wanted.items():
        if pk not in current:
            client.tags.add(tag)
            audit.log(organization=client.organization, actor=actor, action="client.tagged", obj=client,
                      data={"tag": pk})
    for pk in sorted(current - set(wanted)):
        client.tags.remove(pk)
        audit.log(organization=client.organization, actor=actor, action="client.untagged", obj=client,
                  data={"tag": pk})
    return list(wanted.values())


@transaction.atomic
def client_untag(*, client: Client, actor: Any, tag: Tag) -> None:
    if client.tags.filter(pk=tag.pk).exists():
        client.tags.remove(tag)
        audit.log(organization=client.organization, actor=actor, action="client.untagged", obj=client,
                  data={"tag": tag.pk})


# --- notes --------------------------------------------------------------------------------------

@transaction.atomic
def note_add(*, client: Client, actor: Any, body: str) -> ClientNote:
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("Write the note first.")]})
    if len(body) > 5000:
        raise ValidationError({"body": [_("A note has at most 5,000 characters.")]})
    note = ClientNote.objects.create(
        organization=client.organization, client=client, body=body,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.log(organization=client.organization, actor=actor, action="client_note.added", obj=note,
              data={"client": client.pk})
    # Notes (a higher floor) keeps its own copy of every note while this form still exists.
    events.emit("client_note.added", organization=client.organization, client=client, obj=note)
    return note
