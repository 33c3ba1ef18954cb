"""Automations API, and the platform's job records (``GET /jobs``, platform admins only)."""

# No ``from __future__ import annotations``: ninja resolves the schemas' annotations at runtime.
from datetime import datetime, time
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.security import HttpBearer
from pydantic import AfterValidator, ConfigDict

from coachos.clients.models import Tag
from coachos.common.api import found_first, reference, require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from . import platform_jobs, services
from .models import Automation, AutomationRun

router = Router(tags=["automations"])

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
EventName = Literal["booking.created", "booking.cancelled", "booking.completed", "booking.no_show",
                    "package.granted", "package.low_credits", "package.expired", "client.created",
                    "waiver.signed", "payment.failed", "goal.achieved", "task.overdue", "measurement.recorded"]
ClientStatus = Literal["lead", "active", "paused", "archived"]
ActionType = Literal["send_sms", "send_email", "add_tag", "remove_tag", "create_todo", "notify_team"]
MessageKind = Literal["automation", "promotion", "low_credits", "follow_up"]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


def _hhmm(value: str) -> str:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise ValueError("a time like 09:00 (24-hour, the business's zone)") from None
    if len(value) != 5 or parsed.second or parsed.tzinfo:
        raise ValueError("a time like 09:00 (24-hour, the business's zone)")
    return value


def _local(instant: datetime | None) -> datetime | None:
    """Instants are shown with the business's offset (the request runs in its zone)."""
    return timezone.localtime(instant) if instant is not None else None


Text = Annotated[str, AfterValidator(_no_nul)]
HHMM = Annotated[str, AfterValidator(_hhmm)]


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: ActionType = Field(..., description=(
        "send_sms / send_email: a message to the client (through the outbox: consent, opt-outs and quiet hours "
        "apply); add_tag / remove_tag: `tag` by name (made if new); create_todo: a to-do for the coach "
        "(`title`, `due_in_days`); notify_team: one notification to the owners and coaches per run (`text`)."))
    message_kind: MessageKind = Field("automation", description=(
        "For messages: `automation` (your own `text`), `promotion` (your own text as news and offers: needs "
        "consent to promotional email), or a messaging template: `low_credits`, `follow_up`."))
    text: Text = Field("", max_length=5000, description=(
        "Own text (SMS ≤ 1000, email ≤ 5000 characters), or the note of notify_team (≤ 500). Placeholders: "
        "{client_first_name}, {client_name}, {business_name}, {booking_link}, {portal_link}, {credits_left}, "
        "{package_name}, {expires_on}."))
    subject: Text = Field("", max_length=200, description="Email subject (own text); empty: the default.")
    tag: Text = Field("", max_length=40, description="add_tag / remove_tag: the tag's name.")
    title: Text = Field("", max_length=200, description="create_todo: what the coach should do (placeholders allowed).")
    due_in_days: int = Field(0, ge=0, le=365, description="create_todo: due this many days after the run.")


class ActionOut(Schema):
    type: str
    message_kind: str | None = None
    text: str | None = None
    subject: str | None = None
    tag: str | None = None
    title: str | None = None
    due_in_days: int | None = None


class AutomationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(..., min_length=1, max_length=100)
    enabled: bool = Field(False, description="Off by default: check whom it reaches (the dry run page) first.")
    trigger_type: Literal["event", "schedule", "condition"] = Field(..., description=(
        "event: when something happens (`event`); schedule: `frequency` at `time_of_day`; condition: checked "
        "once a day at `time_of_day`, acting once per client per occurrence (`condition`)."))
    event: EventName | None = Field(None, description="For trigger_type=event.")
    session_number: int | None = Field(None, ge=1, le=1000, description=(
        "event=booking.completed only: run after the client's Nth completed session (empty: every session)."))
    credits_threshold: int | None = Field(None, ge=0, le=10, description=(
        "event=package.low_credits or condition=low_credits: at this many credits left or fewer."))
    frequency: Literal["daily", "weekly", "monthly"] | None = Field(None, description="For trigger_type=schedule.")
    weekdays: list[Weekday] = Field([], max_length=7, description="frequency=weekly: the days it runs.")
    day_of_month: int | None = Field(None, ge=1, le=31, description=(
        "frequency=monthly: 1–31; the 31st (or 29th, 30th) runs on the last day of shorter months."))
    time_of_day: HHMM = Field("09:00", description="HH:MM in the business's time zone (schedule and condition).")
    condition: Literal["no_booking", "birthday", "package_expires", "low_credits"] | None = Field(None, description=(
        "For trigger_type=condition. no_booking: no booking in the last `condition_days` days and none ahead (once "
        "per lapse); birthday: once a year; package_expires: a package with credits expires within "
        "`condition_days` days (once per package); low_credits: `credits_threshold` credits or fewer left across "
        "the client's valid packages (once per package)."))
    condition_days: int | None = Field(None, ge=1, le=365, description=(
        "N days for no_booking (1–365) and package_expires (1–90)."))
    tags: list[int] = Field([], max_length=50, description="Only clients with any of these tag ids (empty: any).")
    statuses: list[ClientStatus] = Field(["active"], description="Only clients with one of these statuses (empty: any).")
    actions: list[ActionIn] = Field(..., min_length=1, max_length=10, description="Done in order, for each client.")


class LastRunOut(Schema):
    id: int
    status: str
    started_at: datetime


class AutomationOut(Schema):
    id: int
    name: str
    enabled: bool
    trigger_type: str
    event: str | None
    session_number: int | None
    credits_threshold: int | None
    frequency: str | None
    weekdays: list[Weekday]
    day_of_month: int | None
    time_of_day: str
    condition: str | None
    condition_days: int | None
    tags: list[int]
    statuses: list[str]
    actions: list[ActionOut]
    next_run_at: datetime | None = Field(None, description="The next due time (schedule and condition triggers).")
    last_run: LastRunOut | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_event(obj: Automation) -> str | None:
        return obj.event or None

    @staticmethod
    def resolve_frequency(obj: Automation) -> str | None:
        return obj.frequency or None

    @staticmethod
    def resolve_condition(obj: Automation) -> str | None:
        return obj.condition or None

    @staticmethod
    def resolve_weekdays(obj: Automation) -> list[str]:
        return [WEEKDAYS[d] for d in obj.weekdays or []]

    @staticmethod
    def resolve_time_of_day(obj: Automation) -> str:
        return obj.time_of_day.strftime("%H:%M")

    @staticmethod
    def resolve_tags(obj: Automation) -> list[int]:
        return sorted(t.pk for t in obj.tags.all())

    @staticmethod
    def resolve_last_run(obj: Automation) -> AutomationRun | None:
        return obj.runs.order_by("-started_at", "-id").first()

    @staticmethod
    def resolve_next_run_at(obj: Automation) -> datetime | None:
        return _local(obj.next_run_at)


class RunOut(Schema):
    id: int
    status: Literal["running", "succeeded", "partial", "failed"]
    started_at: datetime = Field(description="In the business's zone (with its offset), like every instant here.")
    finished_at: datetime | None
    error: str = Field(description="What did not happen, in words (empty when the run succeeded).")
    results: list[dict[str, Any]] = Field(description=(
        "Per action: `action` (index), `type`, `label`, `status` (ok / partial / failed / skipped), counts `ok`, "
        "`not_sent` (a message the outbox would not send: no consent, opted out, no number), `failed`, and "
        "`detail` (the reasons)."))
    trigger: str
    due_at: datetime | None
    clients_matched: int
    clients_reached: int = Field(description="Clients for whom every action was done.")
    retry_of: int | None = Field(None, alias="retry_of_id")


    @staticmethod
    def resolve_started_at(obj: AutomationRun) -> datetime | None:
        return _local(obj.started_at)

    @staticmethod
    def resolve_finished_at(obj: AutomationRun) -> datetime | None:
        return _local(obj.finished_at)

    @staticmethod
    def resolve_due_at(obj: AutomationRun) -> datetime | None:
        return _local(obj.due_at)


class RunQuery(Schema):
    status: Literal["running", "succeeded", "partial", "failed"] | None = None
    limit: int = Field(50, ge=1, le=500)


def _service_data(payload: AutomationIn) -> tuple[dict[str, Any], list[Tag]]:
    data = payload.dict(exclude={"tags"})
    data["weekdays"] = [WEEKDAYS.index(d) for d in payload.weekdays]
    data["time_of_day"] = time.fromisoformat(payload.time_of_day)
    data["actions"] = [action.dict() for action in payload.actions]
    tags = [reference(Tag, pk, "tags", "tag") for pk in dict.fromkeys(payload.tags)]
    return data, tags


@router.get("/automations", response=list[AutomationOut], summary="Automations (a plain list)")
def automation_list(request: HttpRequest) -> object:
    require_perm(request, Perm.BACKOFFICE)
    return Automation.objects.prefetch_related("tags").order_by("name", "id")


@router.post("/automations", response={201: AutomationOut},
             summary="Create an automation (owner); the same fields as the page's form")
def automation_create(request: HttpRequest, payload: AutomationIn) -> Status:
    require_perm(request, Perm.SETTINGS)
    data, tags = _service_data(payload)
    automation = services.automation_create(organization=request.organization,  # type: ignore[attr-defined]
                                            actor=request.auth, data=data, tags=tags)  # type: ignore[attr-defined]
    return Status(201, automation)


@router.get("/automations/{automation_id}", response=AutomationOut, summary="An automation")
def automation_get(request: HttpRequest, automation_id: int) -> Automation:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(Automation, pk=automation_id)


@router.put("/automations/{automation_id}", response=AutomationOut,
            summary="Replace an automation's fields (owner); the same body as POST")
@decorate_view(found_first(automation_id=Automation))
def automation_update(request: HttpRequest, automation_id: int, payload: AutomationIn) -> Automation:
    require_perm(request, Perm.SETTINGS)
    automation = get_object_or_404(Automation, pk=automation_id)
    data, tags = _service_data(payload)
    return services.automation_update(automation=automation, actor=request.auth, data=data,  # type: ignore[attr-defined]
                                      tags=tags)


@router.get("/automations/{automation_id}/runs", response=list[RunOut],
            summary="An automation's runs, newest first (a plain list; `limit` ≤ 500)")
def automation_runs(request: HttpRequest, automation_id: int, query: Query[RunQuery]) -> object:
    require_perm(request, Perm.BACKOFFICE)
    automation = get_object_or_404(Automation, pk=automation_id)
    runs = AutomationRun.objects.filter(automation=automation).order_by("-started_at", "-id")
    if query.status:
        runs = runs.filter(status=query.status)
    return list(runs[:query.limit])


@router.post("/automation-runs/{automationrun_id}/retry", response={201: RunOut},
             summary="Retry a failed or partly done run (owner): redoes only what did not happen")
def automation_run_retry(request: HttpRequest, automationrun_id: int) -> Status:
    require_perm(request, Perm.SETTINGS)
    run = get_object_or_404(AutomationRun, pk=automationrun_id)
    try:
        new = services.automation_run_retry(run=run, actor=request.auth)  # type: ignore[attr-defined]
    except services.AutomationError as exc:
        raise ValidationError(str(exc)) from exc
    return Status(201, new)


# --- the platform's jobs --------------------------------------------------------------------------

class PlatformAdminAuth(HttpBearer):
    """A personal API token of a platform admin (a staff or superuser account). Another valid
    token is refused with 403; no valid token is 401."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from coachos.accounts.tokens import token_authenticate

        api_token = token_authenticate(token.strip())
        if api_token is None or not api_token.user.is_active:
            return None
        if not (api_token.user.is_staff or api_token.user.is_superuser):
            raise PermissionDenied("Only platform admins may read the platform's jobs.")
        return api_token.user


class JobOut(Schema):
    name: str
    description: str
    every_seconds: int
    last_run_at: datetime | None
    last_status: Literal["succeeded", "failed"] | None
    last_duration_ms: int | None
    last_error: str = Field(description="The last failure's error type and message (no personal data).")
    running: bool
    next_run_at: datetime | None


@router.get("/jobs", response=list[JobOut], auth=PlatformAdminAuth(), tags=["platform"],
            summary="The platform's periodic jobs with their last run and next due time (platform admins)")
def job_list(request: HttpRequest) -> object:
    return platform_jobs.job_overview()
