from __future__ import annotations

from datetime import datetime, time

from django.http import HttpRequest
from ninja import Field, Router
from ninja.pagination import CursorPagination, paginate
from pydantic import ConfigDict, field_validator

from coachos.common.api import phones_parsed, require_perm
from coachos.common.phones import phone_region
from coachos.common.schema import Schema

from . import services
from .models import AuditEntry, Organization
from .roles import Perm

router = Router(tags=["business"])

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class MeOut(Schema):
    email: str
    name: str
    slug: str = Field(description="The business this token is bound to.")
    organization: str
    role: str


class OrganizationOut(Schema):
    name: str
    slug: str
    timezone: str
    currency: str
    locale: str
    phone: str
    sms_number: str
    address: str
    quiet_hours_start: str = Field(description="HH:MM in the business's time zone")
    quiet_hours_end: str = Field(description="HH:MM in the business's time zone")


class OrganizationPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    slug: str | None = Field(None, min_length=1, max_length=50)
    timezone: str | None = Field(None, description="IANA time zone name, e.g. America/Chicago")
    currency: str | None = Field(None, min_length=3, max_length=3)
    locale: str | None = None
    phone: str | None = Field(None, description="As people type it, with its country code or as a number of the "
                                                "business's country; kept in E.164. Empty to clear.")
    sms_number: str | None = Field(None, description="E.164, e.g. +13125550123, or a number of the business's "
                                                     "country (read as the phone is); empty to clear")
    address: str | None = None
    quiet_hours_start: str | None = Field(None, pattern=HHMM, description="HH:MM")
    quiet_hours_end: str | None = Field(None, pattern=HHMM, description="HH:MM")

    @field_validator("name", "slug", "timezone", "currency", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class AuditOut(Schema):
    id: int
    action: str
    actor_id: int | None
    object_type: str
    object_id: str
    data: dict
    created_at: datetime


def _organization_out(org: object) -> dict[str, object]:
    data = {field: getattr(org, field) for field in OrganizationOut.model_fields}
    data["quiet_hours_start"] = org.quiet_hours_start.strftime("%H:%M")  # type: ignore[attr-defined]
    data["quiet_hours_end"] = org.quiet_hours_end.strftime("%H:%M")  # type: ignore[attr-defined]
    return data


@router.get("/me", response=MeOut, summary="Who this token belongs to")
def me(request: HttpRequest) -> dict[str, object]:
    user, org, membership = request.auth, request.organization, request.membership  # type: ignore[attr-defined]
    return {"email": user.email, "name": user.name, "slug": org.slug, "organization": org.name,
            "role": membership.role}


@router.get("/organization", response=OrganizationOut, summary="The token's business")
def organization_get(request: HttpRequest) -> dict[str, object]:
    return _organization_out(request.organization)  # type: ignore[attr-defined]


@router.patch("/organization", response=OrganizationOut, summary="Change business settings (owner)")
def organization_patch(request: HttpRequest, payload: OrganizationPatch) -> dict[str, object]:
    require_perm(request, Perm.SETTINGS)
    data: dict[str, object] = payload.dict(exclude_unset=True)
    for field in ("quiet_hours_start", "quiet_hours_end"):
        if isinstance(data.get(field), str):
            data[field] = time.fromisoformat(str(data[field]))
    for field in ("phone", "sms_number", "address", "locale"):
        if field in data and data[field] is None:
            data[field] = ""
    # Read in the country being saved, as the settings form does.
    business = request.organization  # type: ignore[attr-defined]
    saved = Organization(country=business.country, timezone=data.get("timezone") or business.timezone)
    phones_parsed(data, ("phone", "sms_number"), region=phone_region(saved))
    org = services.organization_update(
        organization=request.organization, actor=request.auth, data=data  # type: ignore[attr-defined]
    )
    return _organization_out(org)


@router.get("/audit", response=list[AuditOut], summary="The audit log, newest first (owner)")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def audit_list(request: HttpRequest) -> object:
    require_perm(request, Perm.AUDIT)
    return AuditEntry.objects.all()
