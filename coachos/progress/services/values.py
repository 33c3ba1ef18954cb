"""A typed value of a kind of measurement, checked: the kind exists, the unit measures it, at most two
decimals, and the value is plausible for a human body (or within the business's own limits). Each
refusal is a sentence for the person naming the field at fault, with the range in their unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common.formats import format_number

from ..errors import IMPLAUSIBLE, ProgressError
from ..kinds import KindInfo
from ..selectors.kinds import kind_get
from ..selectors.measurements import si_in
from ..selectors.preferences import unit_system_for
from ..units import ENTERED_DECIMALS, has_entered_precision, si_to_stored, to_si


@dataclass(frozen=True)
class Typed:
    kind: KindInfo
    value: Decimal  # as typed
    unit: str  # as typed (or the client's unit for the kind when none was given)
    value_si: Decimal  # as stored


def kind_of(client: Client, key: str, *, field: str = "kind") -> KindInfo:
    kind = kind_get(client.organization, key)
    if kind is None:
        raise ProgressError(_("No such kind of measurement. See the list of measurement kinds."), field=field)
    return kind


def unit_of(client: Client, kind: KindInfo, unit: str, *, field: str = "unit") -> str:
    """The unit given, if it measures ``kind``; none given: the client's unit for it."""
    if not unit:
        return kind.unit_for(unit_system_for(client))
    if unit not in kind.units:
        raise ProgressError(_("%(kind)s is measured in: %(units)s.") % {
            "kind": kind.name, "units": ", ".join(kind.units)}, field=field)
    return unit


def _shown(value: Decimal) -> str:
    return format_number(value)


def check_plausible(kind: KindInfo, value_si: Decimal, *, unit: str, typed: Decimal, field: str = "value") -> None:
    low, high = kind.min_si, kind.max_si
    if value_si < 0 and low is None and not kind.is_custom:
        low = Decimal(0)
    if (low is None or value_si >= low) and (high is None or value_si <= high):
        return
    values = {"value": _shown(typed), "unit": unit, "kind": kind.name}
    if low is not None and high is not None:
        values.update(low=_shown(si_in(low, kind, unit)), high=_shown(si_in(high, kind, unit)))
        message = _("%(kind)s: %(value)s %(unit)s is not plausible. Enter a value between %(low)s and "
                    "%(high)s %(unit)s.") % values
    elif low is not None:
        values["low"] = _shown(si_in(low, kind, unit))
        message = _("%(kind)s: %(value)s %(unit)s is not plausible. Enter at least %(low)s %(unit)s.") % values
    else:
        values["high"] = _shown(si_in(high, kind, unit))  # type: ignore[arg-type]
        message = _("%(kind)s: %(value)s %(unit)s is not plausible. Enter at most %(high)s %(unit)s.") % values
    raise ProgressError(message, code=IMPLAUSIBLE, field=field)


def typed_value(client: Client, *, kind: KindInfo, value: Decimal, unit: str, value_field: str = "value",
                unit_field: str = "unit") -> Typed:
    """Check a value typed for ``kind`` and work out its SI value."""
    unit = unit_of(client, kind, unit, field=unit_field)
    if not has_entered_precision(value):
        raise ProgressError(_("Enter the value with at most %(n)d decimals.") % {"n": ENTERED_DECIMALS},
                            field=value_field)
    value_si = value if kind.is_custom else to_si(value, unit)
    check_plausible(kind, value_si, unit=unit, typed=value, field=value_field)
    return Typed(kind=kind, value=value, unit=unit, value_si=si_to_stored(value_si))
