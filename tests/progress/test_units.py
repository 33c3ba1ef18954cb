"""Units of body measurements (``coachos/progress/units.py``): exact conversions, values shown as typed,
rounding only for display, and nothing that drifts however often a value is shown in another unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachos.progress import units
from coachos.progress.units import Dimension, System

# Values as people type them: at most two decimals, within any plausible body measurement and beyond.
typed = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2, allow_nan=False,
                    allow_infinity=False)
unit_codes = st.sampled_from(sorted(units.UNITS))
same_dimension = st.sampled_from([("kg", "lb"), ("lb", "kg"), ("cm", "in"), ("in", "cm"), ("kg", "kg"),
                                  ("%", "%"), ("bpm", "bpm")])


@given(value=typed, unit=unit_codes)
def test_a_typed_value_goes_to_si_and_back_exactly(value: Decimal, unit: str) -> None:
    si = units.to_si(value, unit)
    assert units.from_si(si, unit) == value
    # What the database keeps (10 decimals) is the same number: nothing is rounded on the way in.
    assert units.si_to_stored(si) == si


@given(value=typed, unit=unit_codes)
def test_a_value_is_shown_as_typed_in_its_own_unit(value: Decimal, unit: str) -> None:
    stored = units.si_to_stored(units.to_si(value, unit))
    shown = units.display_value(stored, unit, entered_value=value, entered_unit=unit)
    assert shown == value
    assert str(shown) == str(value)  # 75.50 stays "75.50", not 75.5000000001


@given(value=typed, pair=same_dimension)
def test_another_unit_is_within_half_a_display_step(value: Decimal, pair: tuple[str, str]) -> None:
    source, target = pair
    stored = units.si_to_stored(units.to_si(value, source))
    shown = units.display_value(stored, target, entered_value=value, entered_unit=source)
    exact = units.from_si(stored, target)
    step = Decimal(1).scaleb(-units.UNITS[target].decimals)
    assert abs(shown - exact) <= step / 2
    if source != target:  # converted: rounded to the unit's display step
        assert shown == shown.quantize(step)


@given(value=typed, pair=same_dimension, times=st.integers(min_value=1, max_value=20))
def test_showing_a_value_again_and_again_never_drifts(value: Decimal, pair: tuple[str, str], times: int) -> None:
    """The stored SI value and the typed value never change when shown: each display is computed from them,
    never from an earlier display."""
    source, target = pair
    stored = units.si_to_stored(units.to_si(value, source))
    first = units.display_value(stored, target, entered_value=value, entered_unit=source)
    for _ in range(times):
        again = units.display_value(stored, target, entered_value=value, entered_unit=source)
        back = units.display_value(stored, source, entered_value=value, entered_unit=source)
        assert again == first
        assert back == value


@given(a=typed, b=typed, pair=same_dimension)
def test_conversion_keeps_the_order_of_values(a: Decimal, b: Decimal, pair: tuple[str, str]) -> None:
    source, target = pair
    low, high = sorted((a, b))
    assert units.convert(low, source, target) <= units.convert(high, source, target)


@given(a=typed, b=typed, unit=unit_codes)
def test_si_is_linear(a: Decimal, b: Decimal, unit: str) -> None:
    assert units.to_si(a + b, unit) == units.to_si(a, unit) + units.to_si(b, unit)


@given(value=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=6, allow_nan=False,
                         allow_infinity=False))
def test_entered_precision_is_two_decimals(value: Decimal) -> None:
    assert units.has_entered_precision(value) == (value == value.quantize(Decimal("0.01")))


@pytest.mark.parametrize(("value", "source", "target", "expected"), [
    ("165.35", "lb", "kg", "75.0"),  # 75.0014983795 kg
    ("75", "kg", "lb", "165.3"),  # 165.3467… lb
    ("32", "in", "cm", "81.3"),  # 81.28 cm
    ("81.28", "cm", "in", "32.0"),
    ("72", "bpm", "bpm", "72"),
])
def test_known_conversions(value: str, source: str, target: str, expected: str) -> None:
    assert units.convert(Decimal(value), source, target) == Decimal(expected)


def test_exact_factors() -> None:
    assert units.to_si(Decimal(1), "lb") == Decimal("0.45359237")
    assert units.to_si(Decimal(1), "in") == Decimal("0.0254")
    assert units.to_si(Decimal("81.5"), "cm") == Decimal("0.815")
    assert units.SI_UNITS[Dimension.LENGTH] == "m"


def test_units_of_another_dimension_are_refused() -> None:
    with pytest.raises(units.UnitError):
        units.convert(Decimal(1), "kg", "cm")
    with pytest.raises(units.UnitError):
        units.to_si(Decimal(1), "stone")


@pytest.mark.parametrize(("country", "system", "mass", "length"), [
    ("US", System.IMPERIAL, "lb", "in"), ("us", System.IMPERIAL, "lb", "in"), ("GB", System.METRIC, "kg", "cm"),
    ("DE", System.METRIC, "kg", "cm"), ("", System.METRIC, "kg", "cm"), ("LR", System.IMPERIAL, "lb", "in"),
])
def test_the_country_picks_the_system(country: str, system: System, mass: str, length: str) -> None:
    assert units.system_for_country(country) == system
    assert units.preferred_unit(Dimension.MASS, system) == mass
    assert units.preferred_unit(Dimension.LENGTH, system) == length
    assert units.preferred_unit(Dimension.PERCENT, system) == "%"
    assert units.preferred_unit(Dimension.HEART_RATE, system) == "bpm"
