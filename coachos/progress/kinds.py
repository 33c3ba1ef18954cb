"""Kinds of measurement: the built-in ones (code constants, the same for every business) and the
business's own (``MeasurementKind`` rows), seen through one shape, ``KindInfo``.

Built-ins are keyed ``weight``, ``body_fat``, ``resting_hr``, ``waist``, ``hips``, ``chest``, ``arm``,
``thigh``; a business's own kind gets a key made from its name when it is created (``plank_time``),
which never changes and never takes a built-in's key. Each kind has plausible limits (in SI): a value
outside them is a typing slip (700 kg, a 3 cm waist) and is refused with the range in the person's unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .units import SI_UNITS, Dimension, System, preferred_unit, units_for

UP = "up"
DOWN = "down"


@dataclass(frozen=True)
class KindInfo:
    key: str
    name: str | Promise
    dimension: Dimension
    better: str  # "up" or "down": which way a change is good news
    min_si: Decimal | None
    max_si: Decimal | None
    custom_unit: str = ""  # a business's own kind: its unit label
    custom_id: int | None = None

    @property
    def is_custom(self) -> bool:
        return self.custom_id is not None

    @property
    def si_unit(self) -> str:
        return self.custom_unit if self.is_custom else SI_UNITS[self.dimension]

    @property
    def units(self) -> tuple[str, ...]:
        """Units a value may be typed in."""
        return (self.custom_unit,) if self.is_custom else units_for(self.dimension)

    def unit_for(self, system: System | str) -> str:
        """The unit a person using ``system`` reads this kind in."""
        return self.custom_unit if self.is_custom else preferred_unit(self.dimension, system)


def _cm(value: int) -> Decimal:
    return Decimal(value) / 100


BUILTIN: dict[str, KindInfo] = {kind.key: kind for kind in (
    KindInfo("weight", _("Weight"), Dimension.MASS, DOWN, Decimal(20), Decimal(400)),
    KindInfo("body_fat", _("Body fat"), Dimension.PERCENT, DOWN, Decimal(2), Decimal(75)),
    KindInfo("resting_hr", _("Resting heart rate"), Dimension.HEART_RATE, DOWN, Decimal(25), Decimal(220)),
    KindInfo("waist", _("Waist"), Dimension.LENGTH, DOWN, _cm(30), _cm(250)),
    KindInfo("hips", _("Hips"), Dimension.LENGTH, DOWN, _cm(40), _cm(250)),
    KindInfo("chest", _("Chest"), Dimension.LENGTH, UP, _cm(40), _cm(250)),
    KindInfo("arm", _("Arm"), Dimension.LENGTH, UP, _cm(10), _cm(80)),
    KindInfo("thigh", _("Thigh"), Dimension.LENGTH, UP, _cm(20), _cm(120)),
)}
BUILTIN_KEYS = tuple(BUILTIN)
