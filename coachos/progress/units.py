"""Units of body measurements: what people type (kg, lb, cm, in, %, bpm) and what is stored (SI).

Pure Python with ``Decimal``: no Django, no floats. Measurements are stored three ways — the value in
the kind's SI unit (kg, m, %, bpm) for sums, charts and comparisons across units, *and* the value and
unit exactly as typed. A value is shown in the unit it was typed in as typed (75.35 kg stays 75.35 kg,
never 75.3 or 75.350000001); in any other unit it is converted from SI and rounded for display. So
switching a client between metric and imperial and back never changes a stored number: nothing is
ever re-derived from a rounded display value.

Conversions are exact: the factors are defined constants (1 lb = 0.45359237 kg, 1 in = 0.0254 m), a
typed value has at most ``ENTERED_DECIMALS`` decimals, and multiplying by a factor with 8 decimals
gives at most ``SI_DECIMALS`` decimals — which is what the database keeps. Dividing back by the same
factor gives the typed value again, exactly.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ENTERED_DECIMALS = 2  # what a person may type: 75.35 kg, 32.25 in
SI_DECIMALS = 10  # what is stored in SI: 2 typed decimals x the 8 of 0.45359237
SI_MAX_DIGITS = 20
_PRECISION = 50  # Decimal context digits for conversions: far more than any stored value has


class Dimension(StrEnum):
    MASS = "mass"
    LENGTH = "length"
    PERCENT = "percent"
    HEART_RATE = "heart_rate"
    CUSTOM = "custom"  # a business's own kind: stored as typed, in its own unit, never converted


class System(StrEnum):
    METRIC = "metric"
    IMPERIAL = "imperial"


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: Dimension
    to_si: Decimal  # SI value = value x to_si
    decimals: int  # decimals shown when the value is converted (not when shown as typed)


UNITS: dict[str, Unit] = {
    "kg": Unit("kg", Dimension.MASS, Decimal(1), 1),
    "lb": Unit("lb", Dimension.MASS, Decimal("0.45359237"), 1),
    "cm": Unit("cm", Dimension.LENGTH, Decimal("0.01"), 1),
    "in": Unit("in", Dimension.LENGTH, Decimal("0.0254"), 1),
    "%": Unit("%", Dimension.PERCENT, Decimal(1), 1),
    "bpm": Unit("bpm", Dimension.HEART_RATE, Decimal(1), 0),
}
SI_UNITS: dict[Dimension, str] = {Dimension.MASS: "kg", Dimension.LENGTH: "m", Dimension.PERCENT: "%",
                                  Dimension.HEART_RATE: "bpm"}
_PREFERRED: dict[tuple[System, Dimension], str] = {
    (System.METRIC, Dimension.MASS): "kg", (System.IMPERIAL, Dimension.MASS): "lb",
    (System.METRIC, Dimension.LENGTH): "cm", (System.IMPERIAL, Dimension.LENGTH): "in",
}
# Countries whose people weigh in pounds and measure in inches. Kept short on purpose: the client
# picks their own system anyway; this is only the first guess.
IMPERIAL_COUNTRIES = frozenset({"US", "LR", "MM"})


class UnitError(ValueError):
    """A unit that does not exist, or does not measure this dimension."""


def unit_get(code: str) -> Unit | None:
    return UNITS.get(code)


def units_for(dimension: Dimension) -> tuple[str, ...]:
    """The units a value of this dimension may be typed in (none for a custom kind: its own label)."""
    return tuple(code for code, unit in UNITS.items() if unit.dimension == dimension)


def preferred_unit(dimension: Dimension, system: System | str) -> str:
    """The unit a person using ``system`` reads this dimension in (kg or lb, cm or in, %, bpm)."""
    system = System(system)
    if (system, dimension) in _PREFERRED:
        return _PREFERRED[(system, dimension)]
    choices = units_for(dimension)
    if not choices:
        raise UnitError(f"no built-in unit measures {dimension}")
    return choices[0]


def system_for_country(country: str) -> System:
    return System.IMPERIAL if (country or "").upper() in IMPERIAL_COUNTRIES else System.METRIC


def _unit(code: str, dimension: Dimension | None = None) -> Unit:
    unit = UNITS.get(code)
    if unit is None:
        raise UnitError(f"unknown unit {code!r}")
    if dimension is not None and unit.dimension != dimension:
        raise UnitError(f"{code} does not measure {dimension}")
    return unit


def has_entered_precision(value: Decimal) -> bool:
    """True when ``value`` has at most ``ENTERED_DECIMALS`` decimals (75.5 and 75.50 do; 75.505 does not)."""
    if not value.is_finite():
        return False
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -ENTERED_DECIMALS


def to_si(value: Decimal, unit: str) -> Decimal:
    """The value in SI, exactly (a typed value has at most ENTERED_DECIMALS decimals)."""
    factor = _unit(unit).to_si
    with decimal.localcontext() as context:
        context.prec = _PRECISION
        return value * factor


def from_si(value_si: Decimal, unit: str) -> Decimal:
    """The SI value in ``unit``, unrounded (exact when it is representable; else to 50 digits)."""
    factor = _unit(unit).to_si
    with decimal.localcontext() as context:
        context.prec = _PRECISION
        return value_si / factor


def round_for(value: Decimal, unit: str) -> Decimal:
    """Rounded as ``unit`` is shown after a conversion (0.1 kg, 0.1 in, 1 bpm), half up."""
    return value.quantize(Decimal(1).scaleb(-_unit(unit).decimals), rounding=ROUND_HALF_UP)


def display_value(value_si: Decimal, unit: str, *, entered_value: Decimal | None = None,
                  entered_unit: str = "") -> Decimal:
    """What to show in ``unit``: the typed value itself when it was typed in ``unit``; otherwise the SI
    value converted and rounded for display."""
    if entered_value is not None and entered_unit == unit:
        return entered_value
    return round_for(from_si(value_si, unit), unit)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """A typed value in another unit of the same dimension, rounded for display (the same unit: as is)."""
    source = _unit(from_unit)
    _unit(to_unit, source.dimension)
    if from_unit == to_unit:
        return value
    return round_for(from_si(to_si(value, from_unit), to_unit), to_unit)


def si_to_stored(value_si: Decimal) -> Decimal:
    """The SI value as the database keeps it (SI_DECIMALS decimals). Exact for typed values."""
    return value_si.quantize(Decimal(1).scaleb(-SI_DECIMALS), rounding=ROUND_HALF_UP)
