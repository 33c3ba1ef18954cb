from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import CursorPagination, paginate

from coachos.common.api import require_perm
from coachos.tenancy.roles import Perm

from .models import Client

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    status: str
    created_at: datetime


@router.get("/clients", response=list[ClientOut], summary="Clients of the business, in the order they were added")
@paginate(CursorPagination, ordering=("created_at", "id"))
def client_list(request: HttpRequest) -> object:
    require_perm(request, Perm.BACKOFFICE)
    return Client.objects.all()


@router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def client_get(request: HttpRequest, client_id: int) -> Client:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(Client, pk=client_id)
