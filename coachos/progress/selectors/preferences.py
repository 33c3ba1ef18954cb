"""A client's progress preferences, with the defaults when they never chose."""

from __future__ import annotations

from coachos.clients.models import Client
from coachos.common.phones import phone_region
from coachos.tenancy.models import Organization

from ..models import ProgressDefaults, ProgressSettings
from ..units import System, system_for_country


def default_system(organization: Organization) -> System:
    """The business's country decides (its phone region: the country, else its zone's, else the US)."""
    return system_for_country(phone_region(organization))


def settings_for(client: Client) -> ProgressSettings:
    """The client's settings row, or an unsaved one with the defaults."""
    found = ProgressSettings.objects.filter(client=client).first()
    return found or ProgressSettings(organization_id=client.organization_id, client=client)


def unit_system_for(client: Client, *, stored: ProgressSettings | None = None) -> System:
    """The system the client reads measurements in: their choice, else the business's default."""
    row = stored if stored is not None else settings_for(client)
    if row.unit_system:
        return System(row.unit_system)
    return default_system(client.organization)


def defaults_for(organization: Organization) -> ProgressDefaults:
    """The business's progress defaults, or an unsaved row with the platform's (no monthly report)."""
    found = ProgressDefaults.objects.filter(organization=organization).first()
    return found or ProgressDefaults(organization=organization)


def monthly_report_for(client: Client, *, stored: ProgressSettings | None = None,
                       defaults: ProgressDefaults | None = None) -> bool:
    """Whether the client gets the monthly report: their own choice, else the business's default."""
    row = stored if stored is not None else settings_for(client)
    if row.monthly_report is not None:
        return bool(row.monthly_report)
    return bool((defaults or defaults_for(client.organization)).monthly_report)
