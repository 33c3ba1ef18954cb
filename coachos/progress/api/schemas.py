"""The progress API's request and response bodies (the contract in docs/progress.md and the OpenAPI).

Types are strict where a lax reading would surprise: a number is a JSON number (``true`` is not 1, "75"
is not 75), a date is a "YYYY-MM-DD" string (not a Unix time), a flag is ``true``/``false``, an instant
carries its UTC offset."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, StrictBool

from coachos.common.schema import Schema

from ..models.goals import TITLE_MAX, WHY_MAX
from ..models.tasks import NOTES_MAX
from ..models.tasks import TITLE_MAX as TASK_TITLE_MAX


def _number_only(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    return value


def _date_only(value: Any) -> Any:
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


def _instant_only(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date and time with its UTC offset (ISO 8601)")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


Number = Annotated[Decimal, BeforeValidator(_number_only), Field(allow_inf_nan=False, max_digits=20)]
Day = Annotated[date, BeforeValidator(_date_only)]
Instant = Annotated[AwareDatetime, BeforeValidator(_instant_only)]
Text = Annotated[str, AfterValidator(_no_nul)]
GoalStatus = Literal["not_started", "in_progress", "achieved", "abandoned"]
TargetType = Literal["none", "measurement", "attendance"]
Repeat = Literal["none", "daily", "weekly"]
Pose = Literal["front", "side", "back"]
UnitSystem = Literal["metric", "imperial"]


# --- in ------------------------------------------------------------------------------------------

class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=TITLE_MAX, description="What the client wants, e.g. Run 5 km.")
    why: Text = Field("", max_length=WHY_MAX, description="Why it matters to them.")
    target_type: TargetType | None = Field(None, description="`measurement` (implied by `measurement_kind`), "
                                                             "`attendance` (completed sessions), or `none`.")
    measurement_kind: Text | None = Field(None, max_length=40, description="A kind's key (GET /measurement-kinds), "
                                                                            "e.g. `weight`.")
    target_value: Number | None = Field(None, description="The target in `target_unit` (at most 2 decimals); for "
                                                          "attendance, the number of sessions.")
    target_unit: Text | None = Field(None, max_length=12, description="One of the kind's units; default: the "
                                                                       "client's (kg or lb, cm or in).")
    start_value: Number | None = Field(None, description="Where the client starts, in `target_unit` (default: "
                                                         "their latest measurement of the kind, else the next one).")
    start_date: Day | None = Field(None, description="Default today. Attendance counts from this date.")
    target_date: Day | None = None


class GoalPatch(Schema):
    """Only the fields sent change; ``null`` clears ``target_date`` and is refused elsewhere."""

    model_config = ConfigDict(extra="forbid")

    title: Text = Field(None, min_length=1, max_length=TITLE_MAX)
    why: Text = Field(None, max_length=WHY_MAX)
    status: GoalStatus = Field(None, description="Achieved by hand is celebrated like achieved by itself.")
    start_date: Day = Field(None)
    target_date: Day | None = Field(None)
    target_value: Number = Field(None, description="A new target (what is measured stays).")
    target_unit: Text = Field(None, max_length=12)


class MilestoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=TITLE_MAX)
    target_date: Day | None = None


class MilestonePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(None, min_length=1, max_length=TITLE_MAX)
    target_date: Day | None = Field(None)
    done: StrictBool = Field(None, description="Tick it off (true) or back (false).")


class MeasurementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Text = Field(min_length=1, max_length=40, description="A kind's key, e.g. `weight`, `waist`.")
    value: Number = Field(description="As typed, at most 2 decimals. Implausible values (700 kg) → 422.")
    unit: Text | None = Field(None, max_length=12, description="One of the kind's units; default: the client's.")
    measured_at: Instant | None = Field(None, description="Default now. Backdating is fine; at most a day ahead.")
    note: Text = Field("", max_length=500)


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class MeasurementQuery(Schema):
    kind: str = Field("", max_length=40, description="Only this kind.")
    unit: str = Field("", max_length=12, description="Show `value` in this unit (where it measures the kind); "
                                                     "default: the client's unit for each kind.")
    start: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="From this local date.")
    end: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="Up to this local date (inclusive).")
    limit: int = Field(1000, ge=1, le=5000, description="The newest this many (returned oldest first).")


class MeasurementKindIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=60)
    unit: Text = Field(min_length=1, max_length=12, description="Shown after values, e.g. min, km, reps.")
    better: Literal["up", "down"] = "up"
    min_value: Number | None = Field(None, description="Values below are refused as typing slips.")
    max_value: Number | None = Field(None, description="Values above are refused as typing slips.")


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=TASK_TITLE_MAX)
    notes: Text = Field("", max_length=NOTES_MAX)
    due_date: Day | None = Field(None, description="A one-off task's due date; a repeating task's last day.")
    repeat: Repeat = "none"


class TaskPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(None, min_length=1, max_length=TASK_TITLE_MAX)
    notes: Text = Field(None, max_length=NOTES_MAX)
    due_date: Day | None = Field(None)
    repeat: Repeat = Field(None, description="Only before the first tick.")
    active: StrictBool = Field(None, description="false stops the task (today is its last period).")


class SettingsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    unit_system: Literal["metric", "imperial", ""] = Field(None, description="\"\" follows the business's default.")
    monthly_report: StrictBool | None = Field(None, description=(
        "Email a progress report every month; null: as the business decides (`/progress-defaults`)."))


class DefaultsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    monthly_report: StrictBool = Field(description="Email every client who did not choose a progress report each month.")


class DefaultsOut(Schema):
    monthly_report: bool


class RangeQuery(Schema):
    start: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY,
                               description="First local date (default: 30 days before `end`).")
    end: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="Last local date, inclusive (default: today).")
    unit_system: UnitSystem | None = Field(None, description="Default: the client's.")


class MonthQuery(Schema):
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$", description="YYYY-MM (default: this month).")
    unit_system: UnitSystem | None = None


class PhotoQuery(Schema):
    pose: Pose | None = None
    start: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    end: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)


# --- out -----------------------------------------------------------------------------------------

Num = float | int


class PersonOut(Schema):
    id: int
    name: str


class MeasurementKindOut(Schema):
    key: str
    name: str
    unit: str = Field(description="The metric unit (a custom kind: its own).")
    metric_unit: str
    imperial_unit: str
    units: list[str] = Field(description="Units a value may be typed in.")
    si_unit: str = Field(description="What `value_si` is in: kg, m, %, bpm (a custom kind: its unit).")
    dimension: Literal["mass", "length", "percent", "heart_rate", "custom"]
    better: Literal["up", "down"]
    custom: bool = Field(description="The business's own kind.")
    min_value: Num | None = Field(description="Plausible range, in `unit`.")
    max_value: Num | None


class MeasurementOut(Schema):
    id: int
    client: int
    kind: str
    value: Num = Field(description="In `unit`: as typed when typed in it, else converted and rounded.")
    unit: str
    entered_value: Num
    entered_unit: str
    value_si: Num
    si_unit: str
    measured_at: datetime
    note: str
    recorded_by: PersonOut | None
    created_at: datetime


class MilestoneOut(Schema):
    id: int
    goal: int
    title: str
    target_date: date | None
    done: bool
    done_at: datetime | None
    position: int


class GoalOut(Schema):
    id: int
    client: int
    title: str
    why: str
    status: GoalStatus
    progress: int = Field(ge=0, le=100, description="Percent of the way from the start to the target.")
    reached: bool
    target_type: TargetType
    measurement_kind: str | None
    target_value: Num | None
    target_unit: str
    target_si: Num | None
    start_value: Num | None = Field(description="In `target_unit`.")
    start_si: Num | None
    current_value: Num | None = Field(description="The kind's latest value, in `target_unit`.")
    current_si: Num | None
    current_at: datetime | None
    completed_sessions: int | None = Field(description="Attendance goals: completed sessions in the window.")
    start_date: date
    target_date: date | None
    achieved_at: datetime | None
    created_by: PersonOut | None
    created_at: datetime
    updated_at: datetime
    milestones: list[MilestoneOut]


class GoalChangeOut(Schema):
    id: int
    field: str
    old: str
    new: str
    actor: PersonOut | None = Field(description="null: it happened by itself (a target reached).")
    at: datetime


class TaskOut(Schema):
    id: int
    client: int
    title: str
    notes: str
    repeat: Repeat
    due_date: date | None
    start_date: date
    active: bool
    ended_on: date | None
    period: date = Field(description="The period a tick now counts for (the day, the week's Monday).")
    done: bool = Field(description="That period is ticked off.")
    streak: int
    overdue: bool
    overdue_since: date | None
    finished: bool
    assigned_by: PersonOut | None
    created_at: datetime


class OverdueClientOut(Schema):
    id: int
    name: str


class OverdueTaskOut(Schema):
    id: int
    title: str
    repeat: Repeat
    due_date: date | None
    missed: date
    client: OverdueClientOut


class PhotoOut(Schema):
    id: int
    client: int
    pose: Pose
    taken_on: date
    width: int
    height: int
    content_type: str
    size: int
    file_url: str
    thumbnail_url: str
    uploaded_by: PersonOut | None
    created_at: datetime


class SettingsOut(Schema):
    client: int
    unit_system: UnitSystem = Field(description="What the client reads: their choice, else the business's default.")
    unit_system_choice: Literal["metric", "imperial", ""]
    monthly_report: bool = Field(description="Whether the client gets the monthly report: their choice, else the "
                                             "business's default.")
    monthly_report_choice: bool | None = Field(description="The client's own choice; null: the business's default.")


class AttendanceOut(Schema):
    completed: int
    booked: int
    no_show: int


class TaskTotalsOut(Schema):
    done: int
    due: int


class KindChangeOut(Schema):
    name: str
    unit: str
    first: Num
    last: Num
    change: Num
    better: Literal["up", "down"]
    improved: bool | None
    first_at: datetime
    last_at: datetime
    count: int


class SummaryOut(Schema):
    client: int
    start: date
    end: date
    unit_system: UnitSystem
    attendance: AttendanceOut
    goals: list[GoalOut]
    tasks: TaskTotalsOut
    measurements: dict[str, KindChangeOut]


class ChangeOut(Schema):
    attendance: AttendanceOut
    tasks: TaskTotalsOut
    measurements: dict[str, Num]


class ComparisonOut(Schema):
    this: SummaryOut
    previous: SummaryOut
    change: ChangeOut


class ProgressFieldError(Schema):
    field: str
    message: str


class ProgressProblem(Schema):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[ProgressFieldError] | None = None


def problems(*statuses: int) -> dict[int, type[ProgressProblem]]:
    return {status: ProgressProblem for status in (401, 403, 404, *statuses)}
