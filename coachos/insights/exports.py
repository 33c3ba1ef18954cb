"""The Insights page as CSV (one row per number) and as a PDF (ReportLab), from the same data."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coachos.common import formats
from coachos.tenancy.models import Organization


def rows(data: dict[str, Any], organization: Organization) -> list[tuple[str, str, str]]:
    """(section, metric, value) — values as plain numbers (minor units for money) so a sheet can sum them."""
    out: list[tuple[str, str, str]] = []
    if data["revenue"] is not None:
        revenue = data["revenue"]
        out.append(("revenue", "total_minor", str(revenue["total_minor"])))
        out.append(("revenue", "currency", revenue["currency"]))
        for key, value in revenue["forecast"].items():
            out.append(("revenue_forecast", key, str(value)))
        for point in revenue["series"]:
            out.append((f"revenue_by_{revenue['bucket']}", point["period"].isoformat(), str(point["net_minor"])))
    for section in ("sessions", "clients", "packages", "rating"):
        for key, value in data[section].items():
            out.append((section, key, "" if value is None else str(value)))
    for row in data["utilization"]:
        out.append(("utilization", f"coach {row['coach']}", str(row["utilization"])))
        out.append(("utilization_booked_hours", f"coach {row['coach']}", str(row["booked_hours"])))
        out.append(("utilization_available_hours", f"coach {row['coach']}", str(row["available_hours"])))
    for cohort in data["cohorts"]:
        out.append(("cohort_size", cohort["month"].isoformat(), str(cohort["size"])))
        for k, share in enumerate(cohort["retention"], start=1):
            out.append((f"cohort_retention_month_{k}", cohort["month"].isoformat(), str(share)))
    for day, hours in enumerate(data["heatmap"]):
        for hour, n in enumerate(hours):
            if n:
                out.append(("demand", f"weekday {day} hour {hour:02d}", str(n)))
    for name, numbers in data["comparisons"].items():
        for key in ("completed", "no_show", "no_show_rate", "active_clients", "revenue_minor"):
            if key in numbers:
                out.append((name, key, str(numbers[key])))
    return out


def csv_text(data: dict[str, Any], organization: Organization) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "metric", "value"])
    for section, metric, value in rows(data, organization):
        # A cell starting with = + - @ could run as a formula in a spreadsheet: numbers are safe, text is quoted.
        safe = value if value[:1] not in ("=", "+", "@") else "'" + value
        writer.writerow([section, metric, safe])
    return buffer.getvalue()


def pdf_bytes(data: dict[str, Any], organization: Organization, first: date, last: date) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=_("Insights"))
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(escape(_("Insights: %(name)s") % {"name": organization.name}), styles["Title"]),
        Paragraph(escape(_("%(first)s to %(last)s") % {"first": formats.format_date(first, style="medium"),
                                                      "last": formats.format_date(last, style="medium")}),
                  styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    currency = organization.currency

    def table(title: str, body: list[list[str]]) -> None:
        story.append(Paragraph(escape(title), styles["Heading2"]))
        grid = Table(body, hAlign="LEFT", colWidths=[95 * mm, 60 * mm])
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                  ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
        story.append(grid)
        story.append(Spacer(1, 4 * mm))

    if data["revenue"] is not None:
        revenue = data["revenue"]
        forecast = revenue["forecast"]
        table(_("Revenue"), [
            [_("Revenue (income − refunds)"), formats.format_money(revenue["total_minor"], currency)],
            [_("Forecast for the period"), formats.format_money(forecast["total_minor"], currency)],
            [_("Booked sessions still to come"), formats.format_money(forecast["booked_minor"], currency)],
            [_("Membership renewals"), formats.format_money(forecast["memberships_minor"], currency)],
            [_("Paid for, not yet delivered"), formats.format_money(forecast["deferred_minor"], currency)],
        ])
    s = data["sessions"]
    table(_("Sessions"), [
        [_("Completed"), formats.format_number(s["completed"])], [_("No-shows"), formats.format_number(s["no_show"])],
        [_("Late cancellations"), formats.format_number(s["late_cancelled"])],
        [_("No-show rate"), f"{s['no_show_rate']:.1%}"],
    ])
    c = data["clients"]
    table(_("Clients"), [[_("Active"), str(c["active"])], [_("New"), str(c["new"])],
                         [_("Retained"), str(c["retained"])], [_("Churned"), str(c["churned"])]])
    if data["utilization"]:
        table(_("Utilization"), [[row["name"], f"{row['utilization']:.0%} ({row['booked_hours']} / "
                                              f"{row['available_hours']} h)"] for row in data["utilization"]])
    p = data["packages"]
    table(_("Packages and credits"), [
        [_("Packages sold"), str(p["sold"])], [_("Sell-through"), f"{p['sell_through']:.0%}"],
        [_("Credits used"), str(p["credits_used"])], [_("Credits outstanding"), str(p["credits_outstanding"])],
        [_("Credits expiring in %(n)s days") % {"n": p["expiring_days"]}, str(p["credits_expiring"])],
    ])
    if data["rating"]["count"]:
        table(_("Ratings"), [[_("Average rating"), f"{data['rating']['average']} / 5"],
                             [_("Ratings"), str(data["rating"]["count"])]])
    doc.build(story)
    return buffer.getvalue()
