"""Packages and credits API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Router, Status
from ninja.decorators import decorate_view

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import found_first, reference, require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from . import services
from .models import ClientPackage, CreditEntry, PackagePlan

router = Router(tags=["packages and credits"])


class PlanIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    sessions: int = Field(..., ge=1, le=1000, description="Number of session credits")
    price_minor: int = Field(0, ge=0, le=100_000_000, description="Price in minor units (cents) of the business currency")
    validity_days: int = Field(90, ge=1, le=3650, description="Days the credits stay valid after the package starts")


class PlanOut(Schema):
    id: int
    name: str
    sessions: int
    price_minor: int
    validity_days: int
    active: bool


class GrantIn(Schema):
    plan: int = Field(..., description="Id of the package plan to give")


class LedgerOut(Schema):
    id: int
    kind: str
    amount: int
    booking: int | None = Field(None, alias="booking_id")
    reason: str
    created_at: datetime


class PackageOut(Schema):
    id: int
    client: int = Field(..., alias="client_id")
    name: str
    total: int
    remaining: int
    expires_at: datetime
    status: str


class PackageDetailOut(PackageOut):
    ledger: list[LedgerOut]

    @staticmethod
    def resolve_ledger(obj: ClientPackage) -> list[CreditEntry]:
        return list(CreditEntry.objects.filter(package=obj))


class RemainingOut(Schema):
    remaining: int


def _visible_packages(request: HttpRequest) -> QuerySet[ClientPackage]:
    """Packages of the clients this member may see (a coach limited to their own clients: theirs)."""
    return ClientPackage.objects.filter(client__in=clients_visible_to(request.membership))  # type: ignore[attr-defined]


@router.get("/package-plans", response=list[PlanOut], summary="Package plans")
def plan_list(request: HttpRequest) -> object:
    require_perm(request, Perm.BACKOFFICE)
    return PackagePlan.objects.all()


@router.post("/package-plans", response={201: PlanOut}, summary="Create a package plan (owner, coach)")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status:
    require_perm(request, Perm.EDIT_PRICES)
    plan = services.package_plan_create(organization=request.organization, actor=request.auth,  # type: ignore[attr-defined]
                                        **payload.dict())
    return Status(201, plan)


@router.post("/clients/{client_id}/packages", response={201: PackageOut},
             summary="Give a client a package (its credits arrive through the ledger)")
@decorate_view(found_first(client_id=Client))
def package_give(request: HttpRequest, client_id: int, payload: GrantIn) -> Status:
    require_perm(request, Perm.BACKOFFICE)
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    plan = reference(PackagePlan, payload.plan, "plan", "package plan")
    return Status(201, services.package_grant(client=client, plan=plan, actor=request.auth))  # type: ignore[attr-defined]


@router.get("/client-packages/{package_id}", response=PackageDetailOut, summary="A client package with its ledger")
def package_get(request: HttpRequest, package_id: int) -> ClientPackage:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(_visible_packages(request), pk=package_id)


@router.post("/client-packages/{package_id}/use", response=RemainingOut,
             summary="Use one credit by hand; none left → 409. Send Idempotency-Key to make retries safe")
def package_use(request: HttpRequest, package_id: int,
                idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80)) -> dict[str, int]:
    require_perm(request, Perm.BACKOFFICE)
    package = get_object_or_404(_visible_packages(request), pk=package_id)
    services.use_session(client=package.client, package=package, actor=request.auth,  # type: ignore[attr-defined]
                         idempotency_key=f"api:{idempotency_key}" if idempotency_key else None, reason="by hand (API)")
    package.refresh_from_db()
    return {"remaining": package.remaining}
