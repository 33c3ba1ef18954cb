"""CSV import and export of client records, with the same columns both ways so that an
export imports back. The import validates every row first and writes in one transaction:
with any invalid row nothing is written, unless ``skip_invalid`` (then only the valid rows).
The file is parsed in memory and never stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.common.phones import PhoneError, phone_parse, phone_region
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import services
from .models import Client

COLUMNS = (
    "first_name", "last_name", "email", "phone", "status", "tags", "source", "source_detail", "birthday", "address",
    "emergency_contact_name", "emergency_contact_phone", "sms_consent", "email_consent",
)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


class CsvError(Exception):
    """The file as a whole cannot be read; the message is for people."""


@dataclass
class RowResult:
    number: int  # the line in the file (the header is line 1)
    values: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[RowResult]
    imported: int = 0

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]


def parse(data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded file (UTF-8, with or without a BOM), keyed by column name."""
    if len(data) > MAX_BYTES:
        raise CsvError(_("The file is larger than 2 MB. Split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."))
    if "\x00" in text:
        raise CsvError(_("The file is not a CSV text file."))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    if "first_name" not in headers:
        raise CsvError(_("The first line must name the columns, including first_name. Export a file to see the "
                         "expected columns."))
    unknown = [h for h in headers if h and h not in COLUMNS]
    if unknown:
        raise CsvError(_("Unknown columns: %(names)s. The columns are: %(expected)s.")
                       % {"names": ", ".join(unknown), "expected": ", ".join(COLUMNS)})
    reader.fieldnames = headers
    rows = []
    try:
        for raw in reader:
            rows.append({k: (v or "") if isinstance(v, str) else "" for k, v in raw.items() if k})
            if len(rows) > MAX_ROWS:
                raise CsvError(_("The file has more than %(n)d rows. Split it into smaller files.") % {"n": MAX_ROWS})
    except csv.Error:
        raise CsvError(_("The file is not a valid CSV file."))
    return rows


def _unguard(value: str) -> str:
    """Undo the export's formula guard, so an exported file imports back as it was."""
    value = value.strip()
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value


def _bool(value: str, column: str, errors: list[str]) -> bool:
    low = value.lower()
    if low in YES:
        return True
    if low not in NO:
        errors.append(_("%(column)s must be yes or no.") % {"column": column})
    return False


def _row(number: int, raw: dict[str, str], *, seen: dict[str, int], existing: set[str], region: str) -> RowResult:
    get = {c: _unguard(raw.get(c, "")) for c in COLUMNS}
    result = RowResult(number=number)
    errors = result.errors
    values: dict[str, Any] = {}
    if not get["first_name"]:
        errors.append(_("First name is missing."))
    for column, limit in (("first_name", 80), ("last_name", 80), ("source_detail", 120),
                          ("emergency_contact_name", 120), ("address", 1000)):
        if len(get[column]) > limit:
            errors.append(_("%(column)s is longer than %(n)d characters.") % {"column": column, "n": limit})
        values[column] = get[column]
    email = BaseUserManager.normalize_email(get["email"])
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("“%(email)s” is not an email address.") % {"email": email[:80]})
        else:
            key = email.lower()
            if key in seen:
                errors.append(_("The same email is on row %(n)d.") % {"n": seen[key]})
            elif key in existing:
                errors.append(_("A client with this email already exists."))
            seen.setdefault(key, number)
    values["email"] = email
    for column in ("phone", "emergency_contact_phone"):
        try:  # in the business's country, as on the client form
            values[column] = phone_parse(get[column], region=region)
        except PhoneError as exc:
            errors.append(f"{column}: {exc.messages[0]}")
    status = get["status"].lower() or Client.Status.ACTIVE
    if status not in Client.Status.values:
        errors.append(_("Status “%(value)s” is not one of lead, active, paused, archived.") % {"value": status[:30]})
    values["status"] = status
    source = get["source"].lower().replace(" ", "-").replace("walkin", "walk-in")
    if source and source not in Client.Source.values:
        errors.append(_("Source must be one of referral, website, social, walk-in, other."))
    values["source"] = source
    birthday: date | None = None
    if get["birthday"]:
        try:
            birthday = date.fromisoformat(get["birthday"])
        except ValueError:
            errors.append(_("Birthday “%(value)s” is not a date like 1990-04-27.") % {"value": get["birthday"][:30]})
        else:
            if not date(1900, 1, 1) <= birthday <= timezone.localdate():
                errors.append(_("Birthday %(value)s is not between 1900 and today.") % {"value": birthday.isoformat()})
    values["birthday"] = birthday
    values["sms_consent"] = _bool(get["sms_consent"], "sms_consent", errors)
    values["email_consent"] = _bool(get["email_consent"], "email_consent", errors)
    result.tags = [t.strip() for t in get["tags"].split(";") if t.strip()]
    if any(len(t) > 40 for t in result.tags):
        errors.append(_("A tag name has at most 40 characters."))
    result.values = values
    return result


def validate(*, organization: Organization, rows: list[dict[str, str]]) -> ImportReport:
    existing = {e.lower() for e in Client.objects.filter(organization=organization).exclude(email="")
                .values_list("email", flat=True)}
    seen: dict[str, int] = {}
    region = phone_region(organization)
    return ImportReport(rows=[_row(i + 2, raw, seen=seen, existing=existing, region=region)
                              for i, raw in enumerate(rows)])


@transaction.atomic
def clients_import(*, organization: Organization, actor: Any, rows: list[dict[str, str]],
                   skip_invalid: bool = False, now: datetime | None = None) -> ImportReport:
    """Validate every row, then write all of them, or (``skip_invalid``) only the valid ones.
    With an invalid row and no ``skip_invalid`` nothing is written."""
    now = now or timezone.now()
    report = validate(organization=organization, rows=rows)
    if report.invalid and not skip_invalid:
        return report
    tags: dict[str, Any] = {}
    for row in report.valid:
        try:
            with transaction.atomic():
                client = services.client_add(organization=organization, actor=actor, data=row.values, now=now)
                for name in row.tags:
                    key = name.lower()
                    if key not in tags:
                        tags[key] = services.tag_get_or_create(organization=organization, actor=actor, name=name)
                    client.tags.add(tags[key])
        except ValidationError as exc:  # what the row check cannot see (a field's own validator)
            row.errors.extend(m for m in exc.messages)
            if not skip_invalid:
                transaction.set_rollback(True)
                report.imported = 0
                return report
            continue
        report.imported += 1
    audit.log(organization=organization, actor=actor, action="client.imported",
              data={"rows": len(report.rows), "imported": report.imported, "skipped": len(report.invalid)})
    return report


def _guard(value: str) -> str:
    """A cell a spreadsheet would run as a formula starts with a quote instead."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _cells(client: Client) -> list[str]:
    return [
        client.first_name, client.last_name, client.email, client.phone, client.status,
        ";".join(t.name for t in client.tags.all()), client.source, client.source_detail,
        client.birthday.isoformat() if client.birthday else "", client.address, client.emergency_contact_name,
        client.emergency_contact_phone, "yes" if client.sms_consent else "no", "yes" if client.email_consent else "no",
    ]


def export_rows(clients: Iterable[Client]) -> Iterable[str]:
    """The CSV text, a line at a time (for a streaming response); a BOM first for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(COLUMNS)
    yield "\ufeff" + flush()
    for client in clients:
        writer.writerow([_guard(cell) for cell in _cells(client)])
        yield flush()
