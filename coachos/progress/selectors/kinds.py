"""Which kinds of measurement a business has: the built-ins and its own."""

from __future__ import annotations

from decimal import Decimal

from coachos.tenancy.models import Organization

from ..kinds import BUILTIN, KindInfo
from ..models import MeasurementKind
from ..units import Dimension


def custom_info(row: MeasurementKind) -> KindInfo:
    return KindInfo(key=row.key, name=row.name, dimension=Dimension.CUSTOM, better=row.better,
                    min_si=Decimal(row.min_value) if row.min_value is not None else None,
                    max_si=Decimal(row.max_value) if row.max_value is not None else None,
                    custom_unit=row.unit, custom_id=row.pk)


def kinds_for(organization: Organization) -> list[KindInfo]:
    """The built-ins in their order, then the business's own by name (one query)."""
    own = MeasurementKind.objects.filter(organization=organization).order_by("name", "id")
    return [*BUILTIN.values(), *(custom_info(row) for row in own)]


def kinds_by_key(organization: Organization) -> dict[str, KindInfo]:
    return {kind.key: kind for kind in kinds_for(organization)}


def kind_get(organization: Organization, key: str) -> KindInfo | None:
    if key in BUILTIN:
        return BUILTIN[key]
    row = MeasurementKind.objects.filter(organization=organization, key=key).first() if key else None
    return custom_info(row) if row is not None else None
