"""The monthly progress report by email: due-driven, once per client and month.

Each business's previous month is due from the 1st at 08:00 in its zone (a run later in the month
catches up: a worker that was down does not lose a month). A client gets it when their switch says so
(``ProgressSettings.monthly_report``), else when the business's default does (``ProgressDefaults``), has
an email address and is not archived. Each (client, month) is claimed by inserting its
``MonthlyReport`` row — unique, so two workers at once send once — in the transaction that writes the
email to the outbox (``notify.client``: the client's notification preferences, quiet hours and
suppressions apply; the dedupe key ``progress-report:<client>:<YYYY-MM>`` holds too). The PDF is
attached when the email is sent (``comms.attachments``: ``progress_report``, built from the row). A
month with nothing to show (no session, task, goal or measurement) sends nothing and is recorded so.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time, timedelta

from babel.dates import format_skeleton
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common import formats
from coachos.comms import notify
from coachos.comms.context import absolute, reader_language
from coachos.comms.models import Channel
from coachos.tenancy.models import Organization

from .alerts import REPORT_KIND, portal_progress_path
from .models import MonthlyReport, ProgressDefaults, ProgressSettings
from .report import progress_report_pdf, report_filename
from .selectors.preferences import defaults_for
from .selectors.summary import Summary, month_range, progress_summary

logger = logging.getLogger("coachos.progress")

SEND_FROM = time(8, 0)  # on the 1st, in the business's zone
BATCH = 200  # clients per business and run; the next run goes on


def month_due(local_now: datetime) -> date | None:
    """The month whose report is due at this local time: the previous one, from the 1st at 08:00."""
    if local_now.day == 1 and local_now.time() < SEND_FROM:
        return None
    return (local_now.date().replace(day=1) - timedelta(days=1)).replace(day=1)


def recipients(organization: Organization, month: date) -> list[Client]:
    """The business's clients due a report for ``month`` and not sent it yet (one query; in its scope)."""
    wants = Q(progress_settings__monthly_report=True)
    if defaults_for(organization).monthly_report:
        wants |= Q(progress_settings__isnull=True) | Q(progress_settings__monthly_report__isnull=True)
    _first, last = month_range(month)
    done = MonthlyReport.objects.filter(client=OuterRef("pk"), month=month)
    return list(Client.objects.filter(organization=organization).filter(wants).exclude(email="")
                .exclude(status=Client.Status.ARCHIVED)
                .filter(created_at__lt=datetime.combine(last + timedelta(days=1), time(0), tzinfo=organization.tzinfo))
                .exclude(Exists(done)).select_related("organization", "user").order_by("pk")[:BATCH])


def _empty(summary: Summary) -> bool:
    attendance = summary.attendance
    return not (attendance.completed or attendance.booked or attendance.no_show or summary.tasks.due
                or summary.tasks.done or summary.goals or summary.measurements)


def _facts(summary: Summary, locale: str) -> str:
    def n(value: int) -> str:
        return formats.format_number(value, locale=locale)

    facts = []
    if summary.attendance.completed or summary.attendance.no_show:
        facts.append(_("Sessions completed: %(count)s.") % {"count": n(summary.attendance.completed)})
    if summary.tasks.due:
        facts.append(_("Tasks done: %(done)s of %(due)s.") % {"done": n(summary.tasks.done), "due": n(summary.tasks.due)})
    for change in summary.measurements.values():
        value = formats.format_number(change.last, locale=locale)
        facts.append(_("%(kind)s: %(value)s %(unit)s.") % {"kind": change.kind.name, "value": value,
                                                          "unit": change.unit})
    return " ".join(facts).replace("{", "(").replace("}", ")")


def _send(organization: Organization, client: Client, month: date) -> str:
    """Claim and send (or record as empty) one client's report. Returns what happened."""
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(organization=organization, client=client, month=month,
                                                  status=MonthlyReport.Status.EMPTY)
            start, end = month_range(month)
            summary = progress_summary(client, start=start, end=end)
            if _empty(summary):
                return "empty"
            language = reader_language(organization, client=client)
            locale = formats.style_of(organization, language).locale
            with translation.override(language):
                context = {"month": format_skeleton("yMMMM", month, locale=locale), "message": _facts(summary, locale)}
            portal = portal_progress_path(organization.slug)
            context["link"] = absolute(portal) if portal else ""
            messages = notify.client(organization=organization, kind=REPORT_KIND, client=client, context=context,
                                     dedupe_key=f"progress-report:{client.pk}:{month:%Y-%m}",
                                     attachments=[(REPORT_KIND, report.pk)])
            email = next((m for m in messages if m.channel == Channel.EMAIL), None)
            report.status = MonthlyReport.Status.SENT
            report.message_id = email.pk if email is not None else None
            report.save(update_fields=["status", "message_id"])
            return "sent"
    except IntegrityError:
        return "taken"  # another worker has it


def monthly_reports_send(*, now: datetime | None = None) -> dict[str, int]:
    """The job: every business whose previous month is due, each client once. Returns counts."""
    now = now or timezone.now()
    with scopes_disabled():
        switched_on = set(ProgressSettings.objects.filter(monthly_report=True).values_list("organization_id", flat=True))
        switched_on |= set(ProgressDefaults.objects.filter(monthly_report=True).values_list("organization_id",
                                                                                            flat=True))
        organizations = list(Organization.objects.filter(pk__in=switched_on).order_by("pk"))
    counts: Counter[str] = Counter()
    for organization in organizations:
        month = month_due(now.astimezone(organization.tzinfo))
        if month is None:
            continue
        with scope(organization=organization):
            for client in recipients(organization, month):
                counts[_send(organization, client, month)] += 1
    if counts:
        logger.info("monthly progress reports", extra={key: value for key, value in counts.items()})
    return dict(counts)


def report_attachment(organization: Organization, report_id: int) -> tuple[str, bytes, str]:
    """The comms attachment builder for ``progress_report``: the month's PDF, built when sent."""
    with scope(organization=organization):
        report = MonthlyReport.objects.select_related("client__organization", "client__user").get(pk=report_id)
        start, end = month_range(report.month)
        pdf = progress_report_pdf(client=report.client, start=start, end=end, viewer=None)
        return report_filename(report.client, start, end), pdf, "application/pdf"
