from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import CursorPagination, paginate
from pydantic import AfterValidator, ConfigDict

from coachos.common.api import require_perm
from coachos.tenancy.roles import Perm

from . import services
from .models import Client

router = Router(tags=["clients"])


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    status: str
    created_at: datetime


class ClientIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first_name: Text = Field(min_length=1, max_length=80)
    last_name: Text = Field("", max_length=80)
    email: Text = Field("", max_length=254, description="Unique among the business's clients; may be empty.")
    phone: Text = Field("", max_length=20, description="E.164, e.g. +13125550123; may be empty.")


@router.get("/clients", response=list[ClientOut], summary="Clients of the business, in the order they were added")
@paginate(CursorPagination, ordering=("created_at", "id"))
def client_list(request: HttpRequest) -> object:
    require_perm(request, Perm.BACKOFFICE)
    return Client.objects.all()


@router.post("/clients", response={201: ClientOut}, summary="Add a client",
             description="422 for invalid input, including an email address another client of the business has.")
def client_create(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    require_perm(request, Perm.BACKOFFICE)
    client = services.client_create(organization=request.organization, actor=request.auth,  # type: ignore[attr-defined]
                                    **payload.dict())
    return Status(201, client)


@router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def client_get(request: HttpRequest, client_id: int) -> Client:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(Client, pk=client_id)
