"""Session types: what can be booked, for how long, for how many, at what price, paid how."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Status
from pydantic import ConfigDict

from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from .. import services
from ..models import SessionType
from .common import Text, problems

router = Router(tags=["session types"])

Mode = Literal["free", "credit", "pay", "either"]


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: Mode = Field(description="free; credit (a package credit); pay (card when booking: the price, or "
                                   "the deposit); either (the client chooses).")
    price_minor: int | None = Field(None, ge=0, le=100_000_000, description="The price, in minor units.")
    deposit_minor: int | None = Field(None, ge=0, le=100_000_000,
                                      description="0: the full price is paid when booking; else this deposit "
                                                  "then, the rest at the session. Less than the price.")
    new_clients_only: bool | None = Field(None, description="An intro offer: only clients who never booked or "
                                                            "bought before.")


class PaymentOut(Schema):
    mode: Mode
    price_minor: int
    deposit_minor: int
    currency: str
    new_clients_only: bool


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
    payment: PaymentIn | None = Field(None, description="How a booking is paid; free when left out.")


class SessionTypePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, min_length=1, max_length=80)
    duration_minutes: int | None = Field(None, ge=5, le=720)
    capacity: int | None = Field(None, ge=1, le=1000)
    price_minor: int | None = Field(None, ge=0, le=100_000_000)
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    location: Text | None = Field(None, max_length=200)
    video_url: Text | None = Field(None, max_length=200)
    bookable_online: bool | None = None
    active: bool | None = None
    payment: PaymentIn | None = Field(None, description="How a booking is paid.")


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
    payment: PaymentOut

    @staticmethod
    def resolve_payment(obj: SessionType) -> dict[str, Any]:
        return payment_out(obj)


def payment_out(session_type: SessionType) -> dict[str, Any]:
    return {"mode": session_type.payment_mode, "price_minor": session_type.price_minor,
            "deposit_minor": session_type.deposit_minor, "currency": session_type.organization.currency,
            "new_clients_only": session_type.new_clients_only}


def _payment_fields(payment: PaymentIn | None) -> dict[str, Any]:
    if payment is None:
        return {}
    fields: dict[str, Any] = {"payment_mode": payment.mode}
    if payment.price_minor is not None:
        fields["price_minor"] = payment.price_minor
    if payment.deposit_minor is not None:
        fields["deposit_minor"] = payment.deposit_minor
    if payment.new_clients_only is not None:
        fields["new_clients_only"] = payment.new_clients_only
    return fields


@router.get("/session-types", response={200: list[SessionTypeOut], **problems()},
            summary="Session types of the business, by name")
def session_type_list(request: HttpRequest) -> Any:
    require_perm(request, Perm.BACKOFFICE)
    return list(SessionType.objects.select_related("organization"))


@router.get("/session-types/{session_type_id}", response={200: SessionTypeOut, **problems(404)},
            summary="One session type, with how it is paid")
def session_type_get(request: HttpRequest, session_type_id: int) -> Any:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(SessionType.objects.select_related("organization"), pk=session_type_id)


@router.post("/session-types", response={201: SessionTypeOut, **problems(400, 422)},
             summary="Create a session type (owner)")
def session_type_create(request: HttpRequest, payload: SessionTypeIn) -> Status[SessionType]:
    require_perm(request, Perm.SETTINGS)
    fields = payload.dict(exclude={"payment"})
    fields["name"] = fields["name"].strip()
    payment = _payment_fields(payload.payment)
    session_type = services.session_type_create(
        organization=request.organization, actor=request.auth, **fields  # type: ignore[attr-defined]
    )
    if payment:
        session_type = services.session_type_update(session_type=session_type, actor=request.auth,  # type: ignore[attr-defined]
                                                    data=payment)
    return Status(201, session_type)


@router.patch("/session-types/{session_type_id}", response={200: SessionTypeOut, **problems(400, 404, 422)},
              summary="Change a session type, e.g. how it is paid (owner)",
              description="Send only the fields to change. `payment.deposit_minor` must be less than the price.")
def session_type_patch(request: HttpRequest, session_type_id: int, payload: SessionTypePatch) -> Any:
    require_perm(request, Perm.SETTINGS)
    session_type = get_object_or_404(SessionType, pk=session_type_id)
    data = {k: v for k, v in payload.dict(exclude={"payment"}, exclude_unset=True).items() if v is not None}
    if "name" in data:
        data["name"] = data["name"].strip()
    data.update(_payment_fields(payload.payment))
    return services.session_type_update(session_type=session_type, actor=request.auth,  # type: ignore[attr-defined]
                                        data=data)
