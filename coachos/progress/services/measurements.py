"""Every write of measurements, a business's own kinds of measurement, and a client's progress settings.

A measurement is checked (``values.typed_value``: kind, unit, decimals, plausibility), stored in SI and
as typed, announced (``measurement.recorded``) and moves the client's goals on that kind
(``goals_refresh``), all in one transaction."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy import audit
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..errors import CONFLICT, FORBIDDEN, ProgressError
from ..kinds import BUILTIN, DOWN, UP
from ..models import Goal, Measurement, MeasurementKind, ProgressDefaults, ProgressSettings
from ..selectors.access import membership_of
from ..units import ENTERED_DECIMALS, System, has_entered_precision
from .common import by_of, clean_text, require_actor
from .goals import goals_refresh
from .values import kind_of, typed_value

logger = logging.getLogger("coachos.progress")

FUTURE_LEEWAY = timedelta(days=1)  # a scale in another zone, a phone clock a little ahead
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
NOTE_MAX = 500


@transaction.atomic
def measurement_record(*, client: Client, actor: Any, kind: str, value: Decimal, unit: str = "",
                       measured_at: datetime | None = None, note: str = "", now: datetime | None = None) -> Measurement:
    """Record what ``client``'s body measured (by the team, or the client themself). Backdating is
    allowed; more than a day ahead is not."""
    require_actor(actor, client)
    now = now or timezone.now()
    info = kind_of(client, kind)
    typed = typed_value(client, kind=info, value=value, unit=unit)
    measured_at = measured_at or now
    if timezone.is_naive(measured_at):
        raise ProgressError(_("Give the time with its UTC offset."), field="measured_at")
    if measured_at > now + FUTURE_LEEWAY:
        raise ProgressError(_("A measurement cannot be more than a day in the future."), field="measured_at")
    if measured_at < EARLIEST:
        raise ProgressError(_("Enter a date after 1900."), field="measured_at")
    measurement = Measurement.objects.create(
        organization_id=client.organization_id, client=client, kind=info.key, custom_kind_id=info.custom_id,
        value_si=typed.value_si, entered_value=typed.value, entered_unit=typed.unit, measured_at=measured_at,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=clean_text(note, field="note", limit=NOTE_MAX, one_line=False))
    events.emit("measurement.recorded", organization=client.organization, client=client.pk, obj=measurement,
                data={"kind": info.key, "by": by_of(actor, client)})
    goals_refresh(client=client, kinds=[info.key])
    logger.info("measurement recorded", extra={"measurement_id": measurement.pk,
                                               "organization_id": client.organization_id})
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement, actor: Any) -> None:
    """Remove a mistaken measurement (the team, or the client for their own). A goal it achieved stays
    achieved: the celebration happened."""
    client = Client.objects.select_related("organization").get(pk=measurement.client_id)
    require_actor(actor, client)
    Measurement.objects.filter(pk=measurement.pk).delete()
    audit.log(organization=client.organization, actor=actor, action="progress.measurement_deleted", obj=measurement,
              data={"client": client.pk, "kind": measurement.kind})


# --- the business's own kinds ----------------------------------------------------------------------

def _key_for(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:30] or "kind"


def _limit(value: Decimal | None, field: str) -> Decimal | None:
    if value is not None and (not has_entered_precision(value) or abs(value) >= Decimal(10) ** 9):
        raise ProgressError(_("Enter a number with at most %(n)d decimals.") % {"n": ENTERED_DECIMALS}, field=field)
    return value


@transaction.atomic
def measurement_kind_create(*, organization: Organization, actor: Any, name: str, unit: str, better: str = UP,
                            min_value: Decimal | None = None, max_value: Decimal | None = None) -> MeasurementKind:
    """A kind of the business's own (the team): its key is made from its name and never changes."""
    membership = membership_of(actor, organization.pk)
    if actor is not None and (membership is None or not membership.is_team):
        raise ProgressError(_("Only the team can do this."), code=FORBIDDEN)
    name = clean_text(name, field="name", limit=60, required=True)
    unit = clean_text(unit, field="unit", limit=12, required=True)
    if better not in (UP, DOWN):
        raise ProgressError(_("Choose whether higher or lower is better."), field="better")
    min_value, max_value = _limit(min_value, "min_value"), _limit(max_value, "max_value")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ProgressError(_("The lowest value cannot be above the highest."), field="min_value")
    taken_names = {str(kind.name).lower() for kind in BUILTIN.values()} | set(
        MeasurementKind.objects.filter(organization=organization).annotate(low=Lower("name"))
        .values_list("low", flat=True))
    if name.lower() in taken_names:
        raise ProgressError(_("There is already a kind with this name."), field="name")
    base = _key_for(name)
    taken_keys = set(BUILTIN) | set(MeasurementKind.objects.filter(organization=organization, key__startswith=base)
                                    .values_list("key", flat=True))
    key, n = base, 1
    while key in taken_keys:
        n += 1
        key = f"{base}_{n}"
    try:
        with transaction.atomic():
            kind = MeasurementKind.objects.create(
                organization=organization, key=key, name=name, unit=unit, better=better, min_value=min_value,
                max_value=max_value, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:  # the same name at the same moment from two tabs
        raise ProgressError(_("There is already a kind with this name."), field="name", code=CONFLICT) from None
    audit.log(organization=organization, actor=actor, action="progress.kind_created", obj=kind, data={"key": key})
    return kind


@transaction.atomic
def measurement_kind_delete(*, kind: MeasurementKind, actor: Any) -> None:
    """Remove a kind of the business's own that no measurement or goal uses."""
    membership = membership_of(actor, kind.organization_id)
    if actor is not None and (membership is None or not membership.is_team):
        raise ProgressError(_("Only the team can do this."), code=FORBIDDEN)
    if Measurement.objects.filter(custom_kind=kind).exists() or Goal.objects.filter(custom_kind=kind).exists():
        raise ProgressError(_("This kind has measurements or goals: it cannot be removed."), code=CONFLICT)
    organization = Organization.objects.get(pk=kind.organization_id)
    MeasurementKind.objects.filter(pk=kind.pk).delete()
    audit.log(organization=organization, actor=actor, action="progress.kind_deleted", obj=kind, data={"key": kind.key})


# --- a client's settings ---------------------------------------------------------------------------

class _Keep:
    """An argument not given: the setting stays as it is (``None`` means "the business's default")."""


KEEP: Any = _Keep()


@transaction.atomic
def progress_settings_update(*, client: Client, actor: Any, unit_system: str | None = None,
                             monthly_report: bool | None = KEEP) -> ProgressSettings:
    """The client's unit system ("" for the business's default) and monthly report switch (the team or
    the client; ``None``: as the business decides)."""
    require_actor(actor, client)
    settings, _created = ProgressSettings.objects.select_for_update().get_or_create(
        client=client, defaults={"organization_id": client.organization_id})
    fields = []
    if unit_system is not None:
        if unit_system not in ("", *System):
            raise ProgressError(_("Choose metric or imperial."), field="unit_system")
        settings.unit_system = unit_system
        fields.append("unit_system")
    if monthly_report is not KEEP:
        settings.monthly_report = None if monthly_report is None else bool(monthly_report)
        fields.append("monthly_report")
    if fields:
        settings.save(update_fields=[*fields, "updated_at"])
    return settings


@transaction.atomic
def progress_defaults_update(*, organization: Organization, actor: Any, monthly_report: bool) -> ProgressDefaults:
    """The business's default for the monthly report (the owner: it emails every client who did not
    choose themselves)."""
    membership = membership_of(actor, organization.pk)
    if actor is not None and (membership is None or not membership.is_team or membership.role != Role.OWNER):
        raise ProgressError(_("Only the owner can change this."), code=FORBIDDEN)
    defaults, _created = ProgressDefaults.objects.select_for_update().get_or_create(organization=organization)
    if defaults.monthly_report != bool(monthly_report):
        defaults.monthly_report = bool(monthly_report)
        defaults.save(update_fields=["monthly_report", "updated_at"])
        audit.log(organization=organization, actor=actor, action="progress.defaults_changed",
                  data={"monthly_report": defaults.monthly_report})
    return defaults
