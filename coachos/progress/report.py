"""The progress report as a PDF (ReportLab), for any date range: the business's name and logo, then the
client's goals (status, progress, milestones), attendance (completed / booked / no-show, a bar per
month), tasks (done of due, streaks), measurements (first, last and change per kind, a line chart
each, with the goal's line) and the coach's notes shared with the client (``report_notes``: a hook).

Written in its reader's language: the person downloading it (``viewer``), or for the monthly email the
client (their portal login's language, else the business's). Dates and numbers through
``common.formats`` (Babel) in the business's country; the client's units. ReportLab's built-in
Helvetica has Latin-1 glyphs only: Babel's narrow and no-break spaces are written as plain ones.
"""

from __future__ import annotations

import io
import logging
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from babel.numbers import format_percent
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coachos.clients.models import Client
from coachos.common import formats
from coachos.comms.context import reader_language

from . import pdfcharts
from .models import Goal, Task
from .report_data import ReportData, Series, TaskLine, report_data
from .selectors.goals import GoalView
from .selectors.measurements import si_in
from .selectors.summary import KindChange

logger = logging.getLogger("coachos.progress")

PAGE_WIDTH = A4[0] - 36 * mm  # the frame: 18 mm margins
INK, MUTED, RULE = colors.HexColor("#1f2937"), colors.HexColor("#6b7280"), colors.HexColor("#e5e7eb")
BAR, BAR_BACK = colors.HexColor("#1d4ed8"), colors.HexColor("#e5e7eb")
LOGO_BOX = (40 * mm, 16 * mm)


def report_filename(client: Client, start: date, end: date) -> str:
    """progress-olivia-martinez-2026-01-01-2026-03-31.pdf (ASCII: safe in a Content-Disposition)."""
    name = slugify(client.full_name) or f"client-{client.pk}"
    return f"progress-{name}-{start.isoformat()}-{end.isoformat()}.pdf"


def progress_report_pdf(*, client: Client, start: date, end: date, viewer: Any = None,
                        compress: bool = True) -> bytes:
    """The report of ``client`` between two local dates (inclusive), in ``viewer``'s language (the
    client's when ``viewer`` is None: the monthly email). ``compress=False`` keeps the text readable in
    the file (tests)."""
    organization = client.organization
    language = (reader_language(organization, user=viewer) if viewer is not None
                else reader_language(organization, client=client))
    with translation.override(language), formats.activate(organization, language) as style:
        data = report_data(client, start=start, end=end)
        return _Report(data, locale=style.locale, compress=compress).build()


def text(value: str) -> str:
    return pdfcharts.pdf_text(value)


def para(value: str) -> str:
    return escape(text(value)).replace("\n", "<br/>")


def _styles() -> StyleSheet1:
    styles = getSampleStyleSheet()
    styles.add(ParagraphStyle("Small", parent=styles["BodyText"], fontSize=8.5, leading=11, textColor=MUTED))
    styles.add(ParagraphStyle("Cell", parent=styles["BodyText"], fontSize=9, leading=11.5))
    styles.add(ParagraphStyle("CellBold", parent=styles["Cell"], fontName="Helvetica-Bold"))
    styles.add(ParagraphStyle("Business", parent=styles["Heading2"], spaceBefore=0, spaceAfter=0))
    styles.add(ParagraphStyle("Lead", parent=styles["Cell"], spaceAfter=2 * mm, keepWithNext=1))
    styles["Heading2"].keepWithNext = 1  # a section's title never ends a page alone
    return styles


class _Report:
    def __init__(self, data: ReportData, *, locale: str, compress: bool) -> None:
        self.data = data
        self.client = data.client
        self.organization = data.client.organization
        self.locale = locale
        self.compress = compress
        self.styles = _styles()

    # --- words and numbers ------------------------------------------------------------------------

    def day(self, value: date | None) -> str:
        return text(formats.format_date(value, locale=self.locale)) if value is not None else ""

    def number(self, value: Decimal | float | int, decimals: int | None = None) -> str:
        return text(formats.format_number(value, locale=self.locale, decimals=decimals))

    def measure(self, value: Decimal, unit: str) -> str:
        return f"{self.number(value)} {unit}".strip()

    def signed(self, value: Decimal, unit: str) -> str:
        sign = "+" if value > 0 else "-" if value < 0 else ""
        return f"{sign}{self.measure(abs(value), unit)}"

    def percent(self, part: int, whole: int) -> str:
        return text(format_percent(part / whole if whole else 0, locale=self.locale))

    def p(self, value: str, style: str = "Cell") -> Paragraph:
        return Paragraph(para(value), self.styles[style])

    # --- the document ---------------------------------------------------------------------------

    def build(self) -> bytes:
        buffer = io.BytesIO()
        title = _("Progress report")
        doc = SimpleDocTemplate(buffer, pagesize=A4, title=text(f"{title}: {self.client.full_name}"),
                                author=text(self.organization.name), leftMargin=18 * mm, rightMargin=18 * mm,
                                topMargin=16 * mm, bottomMargin=18 * mm, pageCompression=1 if self.compress else 0)
        story: list[Flowable] = [*self.header(), *self.goals(), *self.attendance(), *self.tasks(),
                                 *self.measurements(), *self.notes()]
        footer = text(_("%(business)s · Progress report of %(client)s · %(start)s – %(end)s") % {
            "business": self.organization.name, "client": self.client.full_name,
            "start": self.day(self.data.start), "end": self.day(self.data.end)})

        def on_page(canvas: Any, document: Any) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 7.5)
            canvas.setFillColor(MUTED)
            canvas.drawString(18 * mm, 10 * mm, footer[:150])
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm,
                                   text(_("Page %(number)s") % {"number": self.number(document.page)}))
            canvas.restoreState()

        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue()

    def section(self, title: str) -> list[Flowable]:
        return [Spacer(1, 5 * mm), Paragraph(para(title), self.styles["Heading2"])]

    def table(self, rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
        table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("LEFTPADDING", (0, 0), (0, -1), 0),
        ]
        if header:
            commands += [("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                         ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED)]
        table.setStyle(TableStyle(commands))
        return table

    # --- the parts --------------------------------------------------------------------------------

    def logo(self) -> Flowable | None:
        logo = self.organization.logo
        if not logo:
            return None
        try:
            with logo.open("rb") as handle:
                image = Image(io.BytesIO(handle.read()))
        except Exception:  # a missing or unreadable file: the name alone heads the report
            logger.warning("logo not drawn in a progress report", extra={"organization_id": self.organization.pk})
            return None
        scale = min(LOGO_BOX[0] / max(image.imageWidth, 1), LOGO_BOX[1] / max(image.imageHeight, 1))
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "RIGHT"
        return image

    def header(self) -> list[Flowable]:
        business = [Paragraph(para(self.organization.name), self.styles["Business"])]
        details = [line for line in (self.organization.address, self.organization.phone) if line]
        if details:
            business.append(self.p("\n".join(details), "Small"))
        logo = self.logo()
        top: Flowable = self.table([[business, logo]], [PAGE_WIDTH - LOGO_BOX[0] - 4 * mm, LOGO_BOX[0] + 4 * mm],
                                   header=False) if logo is not None else KeepTogether(business)
        if isinstance(top, Table):
            top.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0, colors.white),
                                     ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
        data = self.data
        summary = data.summary
        facts = [
            _("%(count)s sessions completed") % {"count": self.number(summary.attendance.completed)},
            _("%(done)s of %(due)s tasks done") % {"done": self.number(summary.tasks.done),
                                                   "due": self.number(summary.tasks.due)},
            _("%(count)s goals") % {"count": self.number(len(summary.goals))},
        ]
        return [
            top, Spacer(1, 6 * mm),
            Paragraph(para(_("Progress report")), self.styles["Title"]),
            self.p(_("%(client)s · %(start)s – %(end)s") % {
                "client": self.client.full_name, "start": self.day(data.start), "end": self.day(data.end)},
                "CellBold"),
            self.p(" · ".join(facts), "Small"),
        ]

    def goal_bar(self, percent: int) -> Drawing:
        width, height = 22 * mm, 2.4 * mm
        drawing = Drawing(width, height)
        drawing.add(Rect(0, 0, width, height, fillColor=BAR_BACK, strokeColor=None))
        if percent:
            drawing.add(Rect(0, 0, width * min(percent, 100) / 100, height, fillColor=BAR, strokeColor=None))
        return drawing

    def goal_target(self, view: GoalView) -> str:
        goal = view.goal
        parts = []
        if goal.target_type == Goal.Target.MEASUREMENT and goal.target_value is not None and view.kind is not None:
            target = self.measure(Decimal(goal.target_value), goal.target_unit)
            if view.current_si is not None:
                now = self.measure(si_in(view.current_si, view.kind, goal.target_unit), goal.target_unit)
                parts.append(_("%(kind)s: %(now)s, goal %(target)s") % {"kind": view.kind.name, "now": now,
                                                                        "target": target})
            else:
                parts.append(_("%(kind)s: goal %(target)s") % {"kind": view.kind.name, "target": target})
        elif goal.target_type == Goal.Target.ATTENDANCE and goal.target_sessions:
            parts.append(_("%(done)s of %(target)s sessions") % {"done": self.number(view.completed_sessions or 0),
                                                                 "target": self.number(goal.target_sessions)})
        if goal.target_date is not None:
            parts.append(_("by %(date)s") % {"date": self.day(goal.target_date)})
        if goal.status == Goal.Status.ACHIEVED and goal.achieved_at is not None:
            parts.append(_("achieved on %(date)s") % {
                "date": text(formats.format_date(goal.achieved_at, locale=self.locale,
                                                 zone=self.organization.tzinfo))})
        return ", ".join(parts)

    def goal_cell(self, view: GoalView) -> list[Flowable]:
        cell: list[Flowable] = [self.p(view.goal.title, "CellBold")]
        target = self.goal_target(view)
        if target:
            cell.append(self.p(target, "Small"))
        for milestone in view.milestones:
            if milestone.done_at is not None:
                line = _("Done: %(title)s") % {"title": milestone.title}
            elif milestone.target_date is not None:
                line = _("To do: %(title)s (by %(date)s)") % {"title": milestone.title,
                                                              "date": self.day(milestone.target_date)}
            else:
                line = _("To do: %(title)s") % {"title": milestone.title}
            cell.append(self.p(f"- {line}", "Small"))
        return cell

    def goals(self) -> list[Flowable]:
        story = self.section(_("Goals"))
        views = self.data.summary.goals
        if not views:
            return [*story, self.p(_("No goals in this period."), "Small")]
        rows: list[list[Any]] = [[_("Goal"), _("Status"), _("Progress"), ""]]
        for view in views:
            rows.append([self.goal_cell(view), self.p(str(view.goal.get_status_display())),
                         self.goal_bar(view.progress.percent), self.p(self.percent(view.progress.percent, 100))])
        widths = [PAGE_WIDTH - 80 * mm, 28 * mm, 26 * mm, 26 * mm]
        return [*story, self.table(rows, widths)]

    def attendance(self) -> list[Flowable]:
        story = self.section(_("Attendance"))
        totals = self.data.summary.attendance
        rows = [[_("Completed"), _("Booked"), _("No-show")],
                [self.number(totals.completed), self.number(totals.booked), self.number(totals.no_show)]]
        story.append(self.table(rows, [PAGE_WIDTH / 3] * 3))
        months = [(m.month, m.completed, m.no_show) for m in self.data.months]
        if any(completed or no_show for _month, completed, no_show in months):
            story += [Spacer(1, 3 * mm), pdfcharts.bar_chart(months, width=PAGE_WIDTH, height=150,
                                                             title=_("Sessions per month"), locale=self.locale)]
        return story

    def task_row(self, line: TaskLine) -> list[Any]:
        task = line.task
        often = str(Task.RepeatChoice(task.repeat).label)
        streak = self.number(line.streak) if task.repeat != Task.RepeatChoice.NONE else ""
        return [self.p(task.title), self.p(often), self.p(_("%(done)s of %(due)s") % {
            "done": self.number(line.done), "due": self.number(line.due)}), self.p(streak)]

    def tasks(self) -> list[Flowable]:
        story = self.section(_("Tasks"))
        if not self.data.tasks:
            return [*story, self.p(_("No tasks in this period."), "Small")]
        totals = self.data.summary.tasks
        story.append(self.p(_("%(done)s of %(due)s done (%(percent)s).") % {
            "done": self.number(totals.done), "due": self.number(totals.due),
            "percent": self.percent(totals.done, totals.due)}, "Lead"))
        rows: list[list[Any]] = [[_("Task"), _("How often"), _("Done"), _("Streak")]]
        rows += [self.task_row(line) for line in self.data.tasks]
        return [*story, self.table(rows, [PAGE_WIDTH - 96 * mm, 32 * mm, 36 * mm, 28 * mm])]

    def change_row(self, change: KindChange) -> list[Any]:
        return [self.p(str(change.kind.name)), self.p(self.measure(change.first, change.unit)),
                self.p(self.measure(change.last, change.unit)), self.p(self.signed(change.change, change.unit))]

    def chart(self, change: KindChange, series: Series) -> Flowable:
        decimals = 0 if change.unit == "bpm" else 1
        return pdfcharts.line_chart(series.points, width=PAGE_WIDTH, height=150, goal=series.goal, unit=change.unit,
                                    title=str(change.kind.name), better=change.kind.better, locale=self.locale,
                                    zone=self.organization.tzinfo, precision=decimals)

    def measurements(self) -> list[Flowable]:
        story = self.section(_("Measurements"))
        changes = self.data.summary.measurements
        if not changes:
            return [*story, self.p(_("No measurements in this period."), "Small")]
        rows: list[list[Any]] = [[_("Measurement"), _("First"), _("Last"), pgettext("measurement", "Change")]]
        rows += [self.change_row(change) for change in changes.values()]
        story.append(self.table(rows, [PAGE_WIDTH - 108 * mm, 36 * mm, 36 * mm, 36 * mm]))
        for key, change in changes.items():
            story += [Spacer(1, 4 * mm), self.chart(change, self.data.series[key])]
        return story

    def notes(self) -> list[Flowable]:
        if not self.data.notes:
            return []
        story = self.section(_("Notes from your coach"))
        for note in self.data.notes:
            story += [self.p(_("%(date)s, %(author)s") % {"date": self.day(note.written_on), "author": note.author},
                             "Small"), self.p(note.text), Spacer(1, 2 * mm)]
        return story
