"""A receipt per payment as a PDF (ReportLab), with the business's details."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coachos.common import formats
from coachos.comms.context import reader_language
from coachos.tenancy.models import Organization

from .models import Purchase


def _para(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _pdf_text(text: str) -> str:
    """Babel's narrow/no-break spaces as plain ones: ReportLab's built-in fonts have no glyph for them."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def amount_text(minor: int, currency: str, organization: Organization | None = None, *,
                language: str | None = None) -> str:
    """$160.00 / 160,00 € / ¥1,600, as the business writes amounts (common.formats)."""
    locale = formats.style_of(organization, language=language).locale if organization is not None else None
    return _pdf_text(formats.format_money(minor, currency, locale=locale))


def paid_on_text(purchase: Purchase, *, language: str | None = None) -> str:
    """Dec 8, 2026, 9:00 AM (Chicago): in the business's zone, which it names."""
    organization = purchase.organization
    style = formats.style_of(organization, language=language)
    paid_at = purchase.paid_at or purchase.created_at
    when = formats.format_datetime(paid_at, locale=style.locale, zone=style.zone)
    return _pdf_text(f"{when} ({formats.zone_name(style.zone, locale=style.locale)})")


def receipt_number(purchase: Purchase) -> str:
    return f"R-{purchase.organization_id}-{purchase.pk:06d}"


def receipt_filename(purchase: Purchase) -> str:
    return f"receipt-{receipt_number(purchase)}.pdf"


def receipt_pdf(purchase: Purchase) -> bytes:
    """The receipt in its reader's language: the client's own, else the business's."""
    language = reader_language(purchase.organization, client=purchase.client)
    with translation.override(language):
        return _receipt_pdf(purchase, language)


def _receipt_pdf(purchase: Purchase, language: str) -> bytes:
    organization = purchase.organization
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    number = receipt_number(purchase)
    heading = _("Receipt %(number)s") % {"number": number}
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=heading, author=organization.name,
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    business = [organization.name]
    if organization.address:
        business.append(organization.address)
    if organization.phone:
        business.append(organization.phone)
    story = [
        Paragraph(_para(organization.name), styles["Title"]),
        Paragraph(_para("\n".join(business[1:])), styles["BodyText"]),
        Spacer(1, 6 * mm),
        Paragraph(_para(heading), styles["Heading2"]),
    ]
    rows = [
        [_("Date"), paid_on_text(purchase, language=language)],
        [_("Received from"), purchase.client.full_name],
        [_("For"), Paragraph(_para(purchase.description), styles["BodyText"])],
        [_("Paid by"), str(purchase.get_method_display())],
        [_("Amount"), amount_text(purchase.amount_minor, purchase.currency, organization, language=language)],
    ]
    if purchase.refunded_minor:
        rows.append([_("Refunded"), amount_text(purchase.refunded_minor, purchase.currency, organization,
                                                language=language)])
        rows.append([_("Net paid"), amount_text(purchase.amount_minor - purchase.refunded_minor, purchase.currency,
                                                organization, language=language)])
    table = Table(rows, colWidths=[40 * mm, 130 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]))
    story += [table, Spacer(1, 8 * mm),
              Paragraph(_para(_("Thank you. %(business)s") % {"business": organization.name}),
                        styles["BodyText"])]
    doc.build(story)
    return buffer.getvalue()


def receipt_attachment(organization: Organization, object_id: int) -> tuple[str, bytes, str]:
    """The comms attachment builder for kind "receipt" (registered in apps.ready)."""
    with scope(organization=organization):
        purchase = Purchase.objects.select_related("organization", "client").get(pk=object_id)
        return receipt_filename(purchase), receipt_pdf(purchase), "application/pdf"
