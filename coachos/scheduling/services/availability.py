"""Coaches, their settings and availability, session types and rooms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coachos.common import formats
from coachos.common.errors import validation_message
from coachos.common.text import clean_name
from coachos.tenancy import audit
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from ..models import AvailabilityAddition, BlockedSlot, Coach, Room, SessionType, WeeklyAvailability
from .errors import SchedulingError

COACH_SETTINGS = (
    "display_name", "bio", "active", "default_session_minutes", "buffer_before_minutes", "buffer_after_minutes",
    "min_notice_minutes", "horizon_days", "max_per_day", "max_per_week", "slot_step_minutes",
    "cancellation_window_hours", "default_room",
)


def coach_ensure(*, membership: Membership) -> Coach | None:
    """Owners and coaches can be booked; make sure they have a Coach record (idempotent)."""
    if membership.role not in (Role.OWNER, Role.COACH):
        return None
    coach, _created = Coach.objects.get_or_create(
        membership=membership, defaults={"organization_id": membership.organization_id}
    )
    return coach


def _validated(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise SchedulingError(validation_message(exc)) from exc


def _changes(instance: Any, data: dict[str, Any], allowed: Sequence[str]) -> dict[str, list[Any]]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise SchedulingError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed = {}
    for field, value in data.items():
        old = getattr(instance, field)
        if old != value:
            changed[field] = [str(old) if old is not None else None, str(value) if value is not None else None]
            setattr(instance, field, value)
    return changed


@transaction.atomic
def coach_update(*, coach: Coach, actor: Any, data: dict[str, Any]) -> Coach:
    coach = Coach.objects.select_for_update().get(pk=coach.pk)
    changed = _changes(coach, data, COACH_SETTINGS)
    _validated(coach)
    if changed:
        coach.save()
        audit.log(organization=coach.organization, actor=actor, action="coach.settings_updated", obj=coach,
                  data={"changed": changed})
    return coach


@transaction.atomic
def session_type_create(*, organization: Any, actor: Any, **fields: Any) -> SessionType:
    if isinstance(fields.get("name"), str):
        fields["name"] = clean_name(fields["name"])
    session_type = SessionType(organization=organization, **fields)
    _validated(session_type)
    session_type.save()
    audit.log(organization=organization, actor=actor, action="session_type.created", obj=session_type)
    return session_type


SESSION_TYPE_FIELDS = ("name", "duration_minutes", "price_minor", "capacity", "color", "location", "video_url",
                       "bookable_online", "active", "payment_mode", "deposit_minor", "new_clients_only")


@transaction.atomic
def session_type_update(*, session_type: SessionType, actor: Any, data: dict[str, Any]) -> SessionType:
    session_type = SessionType.objects.select_for_update().get(pk=session_type.pk)
    if isinstance(data.get("name"), str):
        data = {**data, "name": clean_name(data["name"])}
    changed = _changes(session_type, data, SESSION_TYPE_FIELDS)
    _validated(session_type)
    if session_type.deposit_minor and session_type.deposit_minor >= session_type.price_minor:
        raise SchedulingError(_("A deposit must be less than the price (0 for no deposit)."))
    if changed:
        session_type.save()
        audit.log(organization=session_type.organization, actor=actor, action="session_type.updated",
                  obj=session_type, data={"changed": changed})
    return session_type


@transaction.atomic
def room_create(*, organization: Any, actor: Any, name: str, capacity: int = 1) -> Room:
    room = Room(organization=organization, name=name.strip(), capacity=capacity)
    _validated(room)
    room.save()
    audit.log(organization=organization, actor=actor, action="room.created", obj=room)
    return room


def _check_ranges(ranges: Sequence[dict[str, Any]]) -> None:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for r in ranges:
        if r["end_time"] <= r["start_time"]:
            raise SchedulingError(_("Each range must end after it starts (%(s)s–%(e)s).")
                                  % {"s": formats.format_time(r["start_time"]), "e": formats.format_time(r["end_time"])})
        if not 0 <= r["weekday"] <= 6:
            raise SchedulingError(_("Unknown day of the week."))
        by_day.setdefault(r["weekday"], []).append((r["start_time"], r["end_time"]))
    for day_ranges in by_day.values():
        day_ranges.sort()
        for (_s1, e1), (s2, _e2) in zip(day_ranges, day_ranges[1:], strict=False):
            if s2 < e1:
                raise SchedulingError(_("Two ranges on the same day overlap. Join them into one."))


@transaction.atomic
def weekly_availability_replace(*, coach: Coach, actor: Any, ranges: Sequence[dict[str, Any]]) -> list[WeeklyAvailability]:
    """Replace the weekly template. Sessions that no longer fit are not touched: they show on
    the Conflicts page (selectors.conflicts_for) for the coach to decide."""
    _check_ranges(ranges)
    Coach.objects.select_for_update().get(pk=coach.pk)
    before = [str(w) for w in WeeklyAvailability.objects.filter(coach=coach)]
    WeeklyAvailability.objects.filter(coach=coach).delete()
    created = WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(
            organization=coach.organization, coach=coach, weekday=r["weekday"], start_time=r["start_time"],
            end_time=r["end_time"], for_individual=r.get("for_individual", True), for_group=r.get("for_group", False),
            room=r.get("room"),
        )
        for r in ranges
    )
    audit.log(organization=coach.organization, actor=actor, action="availability.weekly_replaced", obj=coach,
              data={"before": before, "after": [str(w) for w in created]})
    return created


def _interval(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise SchedulingError(_("Times need a time zone offset."))
    if ends_at <= starts_at:
        raise SchedulingError(_("The end must be after the start."))


@transaction.atomic
def blocked_slot_create(*, coach: Coach, actor: Any, starts_at: datetime, ends_at: datetime,
                        reason: str = "") -> BlockedSlot:
    _interval(starts_at, ends_at)
    blocked = BlockedSlot.objects.create(organization=coach.organization, coach=coach, starts_at=starts_at,
                                         ends_at=ends_at, reason=reason[:200])
    audit.log(organization=coach.organization, actor=actor, action="availability.blocked", obj=blocked)
    return blocked


@transaction.atomic
def blocked_slot_delete(*, blocked: BlockedSlot, actor: Any) -> None:
    audit.log(organization=blocked.organization, actor=actor, action="availability.unblocked", obj=blocked)
    blocked.delete()


@transaction.atomic
def addition_create(*, coach: Coach, actor: Any, starts_at: datetime, ends_at: datetime, reason: str = "",
                    room: Room | None = None, for_individual: bool = True, for_group: bool = True) -> AvailabilityAddition:
    _interval(starts_at, ends_at)
    addition = AvailabilityAddition.objects.create(
        organization=coach.organization, coach=coach, starts_at=starts_at, ends_at=ends_at, reason=reason[:200],
        room=room, for_individual=for_individual, for_group=for_group,
    )
    audit.log(organization=coach.organization, actor=actor, action="availability.added", obj=addition)
    return addition


@transaction.atomic
def addition_delete(*, addition: AvailabilityAddition, actor: Any) -> None:
    audit.log(organization=addition.organization, actor=actor, action="availability.addition_removed", obj=addition)
    addition.delete()
