"""Session types: what can be booked, for how long, for how many, at what price."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from coachos.common.api import require_perm
from coachos.tenancy.roles import Perm

from .. import services
from ..models import SessionType
from .common import Text, problems

router = Router(tags=["session types"])


class SessionTypeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=80)
    duration_minutes: int = Field(ge=5, le=720, description="Length of a session, 5–720 minutes.")
    capacity: int = Field(ge=1, le=1000, description="1 for one-to-one; more for a group session.")
    price_minor: int = Field(ge=0, le=100_000_000, description="Price in minor units (cents) of the business's "
                                                                "currency.")
    color: str = Field("#00895a", pattern=r"^#[0-9a-fA-F]{6}$", description="Calendar colour, #rrggbb.")
    location: Text = Field("", max_length=200)
    video_url: Text = Field("", max_length=200, description="A video-call link (http or https), if any.")
    bookable_online: bool = Field(True, description="Whether clients (and this API) can book it.")


class SessionTypeOut(Schema):
    id: int
    name: str
    duration_minutes: int
    capacity: int
    price_minor: int
    color: str
    location: str
    video_url: str
    bookable_online: bool
    active: bool


@router.get("/session-types", response={200: list[SessionTypeOut], **problems()},
            summary="Session types of the business, by name")
def session_type_list(request: HttpRequest) -> Any:
    require_perm(request, Perm.BACKOFFICE)
    return list(SessionType.objects.all())


@router.post("/session-types", response={201: SessionTypeOut, **problems(400, 422)},
             summary="Create a session type (owner)")
def session_type_create(request: HttpRequest, payload: SessionTypeIn) -> Status[SessionType]:
    require_perm(request, Perm.SETTINGS)
    fields = payload.dict()
    fields["name"] = fields["name"].strip()
    session_type = services.session_type_create(
        organization=request.organization, actor=request.auth, **fields  # type: ignore[attr-defined]
    )
    return Status(201, session_type)
