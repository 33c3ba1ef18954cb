"""A signed waiver as a PDF (ReportLab): what was signed, by whom, when and from where."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table

from .models import WaiverSignature

TYPED_ADOPTED_NOTE = "Signed by typed name (accessible alternative)"


def _para(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def signature_pdf(signature: WaiverSignature) -> bytes:
    version = signature.version
    organization = signature.organization
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = f"{version.template.title} (version {version.number})"
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
        story.append(Paragraph(TYPED_ADOPTED_NOTE, styles["Italic"]))
    story.append(Spacer(1, 4 * mm))
    local = signature.signed_at.astimezone(organization.tzinfo)
    rows = [
        ["Signed by", signature.full_name],
        ["Method", "Typed name and drawn signature" if signature.method == WaiverSignature.Method.DRAWN
         else TYPED_ADOPTED_NOTE],
        ["Signed at", f"{local:%Y-%m-%d %H:%M:%S} ({organization.timezone})"],
        ["IP address", signature.ip or "unknown"],
        ["Browser", Paragraph(_para(signature.user_agent or "unknown"), styles["BodyText"])],
        ["Text SHA-256", Paragraph(signature.text_sha256, styles["Code"])],
    ]
    story.append(Table(rows, colWidths=[35 * mm, 135 * mm], hAlign="LEFT"))
    doc.build(story)
    return buffer.getvalue()
