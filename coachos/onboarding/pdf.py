"""A signed waiver as a PDF (ReportLab): what was signed, by whom, when and from where."""

from __future__ import annotations

import io
from datetime import UTC
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table

from coachos.common import formats
from coachos.comms.context import reader_language

from .models import WaiverSignature

TYPED_ADOPTED_NOTE = gettext_lazy("Signed by typed name (accessible alternative)")


def _para(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def signature_pdf(signature: WaiverSignature) -> bytes:
    """The signed waiver in the signer's language (their own, else the business's)."""
    language = reader_language(signature.organization, client=signature.client)
    with translation.override(language):
        return _signature_pdf(signature, language)


def _pdf_text(text: str) -> str:
    """Babel's narrow/no-break spaces as plain ones: ReportLab's built-in fonts have no glyph for them."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _signature_pdf(signature: WaiverSignature, language: str) -> bytes:
    version = signature.version
    organization = signature.organization
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = _("%(title)s (version %(number)s)") % {"title": version.template.title, "number": version.number}
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=organization.name,
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    story = [
        Paragraph(_para(organization.name), styles["Heading2"]),
        Paragraph(_para(title), styles["Title"]),
        Spacer(1, 4 * mm),
    ]
    for block in signature.signed_text.split("\n\n"):
        story.append(Paragraph(_para(block), styles["BodyText"]))
    story.append(Spacer(1, 8 * mm))
    if signature.method == WaiverSignature.Method.DRAWN and signature.signature:
        with signature.signature.open("rb") as handle:
            data = io.BytesIO(handle.read())
        image = Image(data)
        width = 70 * mm
        image.drawHeight = image.imageHeight * width / max(image.imageWidth, 1)
        image.drawWidth = width
        story.append(image)
    else:
        # The accessible alternative: the typed full name is the signature.
        story.append(Paragraph(_para(signature.full_name), styles["Heading3"]))
        story.append(Paragraph(_para(str(TYPED_ADOPTED_NOTE)), styles["Italic"]))
    story.append(Spacer(1, 4 * mm))
    style = formats.style_of(organization, language=language)
    when = formats.format_datetime(signature.signed_at, locale=style.locale, zone=style.zone)
    # People read the first part; the exact UTC instant (to the second) stays beside it for the record.
    exact = signature.signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [
        [_("Signed by"), signature.full_name],
        [_("Method"), str(_("Typed name and drawn signature") if signature.method == WaiverSignature.Method.DRAWN
                          else TYPED_ADOPTED_NOTE)],
        [_("Signed at"), _pdf_text(f"{when} ({formats.zone_name(style.zone, locale=style.locale)}), {exact}")],
        [_("IP address"), signature.ip or _("unknown")],
        [_("Browser"), Paragraph(_para(signature.user_agent or _("unknown")), styles["BodyText"])],
        [_("Text SHA-256"), Paragraph(signature.text_sha256, styles["Code"])],
    ]
    story.append(Table(rows, colWidths=[35 * mm, 135 * mm], hAlign="LEFT"))
    doc.build(story)
    return buffer.getvalue()
