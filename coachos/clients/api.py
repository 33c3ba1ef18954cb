"""Clients API: list (with the list page's filters), add, read and change client records.

The fields of the first version (id, first_name, last_name, email, phone, status, created_at)
keep their names and meaning; the others were added after."""

# No ``from __future__ import annotations``: ninja's pagination wrapper resolves the query
# schema's annotation in its own module and would not find ``ClientQuery`` as a string.
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import CursorPagination, paginate
from pydantic import AfterValidator, ConfigDict

from coachos.common.api import found_first, phones_parsed, require_perm
from coachos.common.phones import phone_region
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from . import selectors, services
from .models import Client

router = Router(tags=["clients"])

ClientStatus = Literal["lead", "active", "paused", "archived"]
ClientSource = Literal["", "referral", "website", "social", "walk-in", "other"]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


def _tag_name(value: str) -> str:
    value = " ".join(_no_nul(value).split())
    if not value:
        raise ValueError("a tag needs a name")
    if len(value) > 40:
        raise ValueError("a tag name has at most 40 characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
TagName = Annotated[str, AfterValidator(_tag_name)]

PHONE = ("As people type it: with its country code (+447700900123) or as a number of the business's country "
         "(07700 900123 for a British business); kept in E.164. 422 when it is not a phone number. May be empty.")
PHONE_FIELDS = ("phone", "emergency_contact_phone")
CONSENT = "When true, the time it became true is kept (`{kind}_consent_at`); false clears it."


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    status: ClientStatus
    created_at: datetime
    tags: list[str] = Field(description="Tag names, alphabetically.")
    source: ClientSource = Field(description="How they found the business; empty when not known.")
    source_detail: str
    birthday: date | None
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    sms_consent: bool
    sms_consent_at: datetime | None = Field(description="When the client agreed to texts; null when not agreed.")
    email_consent: bool
    email_consent_at: datetime | None = Field(description="When the client agreed to emails; null when not agreed.")
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Client) -> list[str]:
        return sorted((t.name for t in obj.tags.all()), key=str.lower)


class ClientIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first_name: Text = Field(min_length=1, max_length=80)
    last_name: Text = Field("", max_length=80)
    email: Text = Field("", max_length=254, description="Unique among the business's clients; may be empty.")
    phone: Text = Field("", max_length=30, description=PHONE)
    status: ClientStatus = "active"
    tags: list[TagName] = Field(default_factory=list, max_length=50,
                                description="Tag names (any case matches an existing tag; new ones are made).")
    source: ClientSource = ""
    source_detail: Text = Field("", max_length=120)
    birthday: date | None = Field(None, description="YYYY-MM-DD, between 1900 and today.")
    address: Text = Field("", max_length=1000)
    emergency_contact_name: Text = Field("", max_length=120)
    emergency_contact_phone: Text = Field("", max_length=30, description=PHONE)
    sms_consent: bool = Field(False, description=CONSENT.format(kind="sms"))
    email_consent: bool = Field(False, description=CONSENT.format(kind="email"))


class ClientPatch(Schema):
    """Only the fields sent change. ``null`` is refused except for ``birthday`` (clears it);
    send "" to clear a text field. ``tags`` replaces the client's tags."""

    model_config = ConfigDict(extra="forbid")

    # A default of None that is not a valid value: a field left out is simply unset, and an
    # explicit null fails validation (422).
    first_name: Text = Field(None, min_length=1, max_length=80)
    last_name: Text = Field(None, max_length=80)
    email: Text = Field(None, max_length=254, description="Unique among the business's clients; may be empty.")
    phone: Text = Field(None, max_length=30, description=PHONE)
    status: ClientStatus = Field(None)
    tags: list[TagName] = Field(None, max_length=50, description="The client's tags after the change, by name.")
    source: ClientSource = Field(None)
    source_detail: Text = Field(None, max_length=120)
    birthday: date | None = Field(None, description="YYYY-MM-DD, between 1900 and today; null clears it.")
    address: Text = Field(None, max_length=1000)
    emergency_contact_name: Text = Field(None, max_length=120)
    emergency_contact_phone: Text = Field(None, max_length=30, description=PHONE)
    sms_consent: bool = Field(None, description=CONSENT.format(kind="sms"))
    email_consent: bool = Field(None, description=CONSENT.format(kind="email"))


class ClientQuery(Schema):
    q: Text = Field("", max_length=100, description="Search in names, email and phone, as on the client list.")
    status: ClientStatus | None = Field(None, description="Only clients with this status.")
    tag: TagName | None = Field(None, description="Only clients with this tag (its name, any case).")


def _phones(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    return phones_parsed(data, PHONE_FIELDS, region=phone_region(request.organization))  # type: ignore[attr-defined]


def _fresh(client: Client) -> Client:
    return Client.objects.prefetch_related("tags").get(pk=client.pk)


@router.get("/clients", response=list[ClientOut],
            summary="Clients of the business, in the order they were added; filter by q, status and tag")
@paginate(CursorPagination, ordering=("created_at", "id"))
def client_list(request: HttpRequest, filters: ClientQuery = Query(...)) -> object:  # noqa: B008
    require_perm(request, Perm.BACKOFFICE)
    return selectors.client_api_list(membership=request.membership,  # type: ignore[attr-defined]
                                     q=filters.q, status=filters.status or "", tag=filters.tag or "")


@router.post("/clients", response={201: ClientOut}, summary="Add a client",
             description="422 for invalid input, including an email address another client of the business has.")
def client_create(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    require_perm(request, Perm.BACKOFFICE)
    data: dict[str, Any] = _phones(request, payload.dict())
    tags = data.pop("tags")
    membership = request.membership  # type: ignore[attr-defined]
    client = services.client_add(organization=request.organization, actor=request.auth,  # type: ignore[attr-defined]
                                 data=data, tag_names=tags,
                                 coach_membership=membership if membership.own_clients_only else None)
    return Status(201, _fresh(client))


@router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def client_get(request: HttpRequest, client_id: int) -> Client:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(selectors.clients_visible_to(request.membership)  # type: ignore[attr-defined]
                             .prefetch_related("tags"), pk=client_id)


@router.patch("/clients/{client_id}", response=ClientOut, summary="Change a client",
              description="Only the fields sent change. 422 for invalid input; nothing is changed then.")
@decorate_view(found_first(client_id=Client))
def client_update(request: HttpRequest, client_id: int, payload: ClientPatch) -> Client:
    require_perm(request, Perm.BACKOFFICE)
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    data: dict[str, Any] = _phones(request, payload.dict(exclude_unset=True))
    tags = data.pop("tags", None)
    services.client_update(client=client, actor=request.auth, data=data, tag_names=tags)  # type: ignore[attr-defined]
    return _fresh(client)
