"""Turning an outbox row into an email: text and HTML parts, the business's name and logo, attachments,
and an unsubscribe link on anything promotional."""

from __future__ import annotations

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import attachments, catalog
from .context import absolute, reader_language
from .models import OutboundMessage

UNSUBSCRIBE_SALT = "coachos.comms.unsubscribe"


def unsubscribe_token(client_id: int) -> str:
    return signing.dumps({"c": client_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_client_id(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    value = data.get("c") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def unsubscribe_url(message: OutboundMessage) -> str:
    if message.client_id is None:
        return ""
    return absolute(reverse("portal_comms:unsubscribe", kwargs={
        "org_slug": message.organization.slug, "token": unsubscribe_token(message.client_id)}))


def build(message: OutboundMessage) -> EmailMultiAlternatives:
    organization = message.organization
    unsubscribe = unsubscribe_url(message) if message.promotional else ""
    logo = absolute(organization.logo.url) if organization.logo else ""
    # The reader's language (their account's, else the business's), as the text was worded in.
    language = reader_language(organization, client=message.client, user=message.user)
    with translation.override(language):
        html = render_to_string("comms/email.html", {
            "organization": organization, "message": message, "logo_url": logo,
            "paragraphs": [p.strip() for p in message.body.split("\n\n") if p.strip()],
            "unsubscribe_url": unsubscribe, "language": language,
        })
        text = message.body
        if unsubscribe:
            text += "\n\n--\n" + _("Unsubscribe from these emails: %(url)s") % {"url": unsubscribe}
    headers = {"Message-ID": make_msgid(domain="coachos"), "Content-Language": language}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(subject=message.subject or organization.name, body=text,
                                   from_email=message.sender, to=[message.to], headers=headers)
    email.attach_alternative(html, "text/html")
    refs = [tuple(ref) for ref in message.attachments]
    spec = catalog.KINDS.get(message.kind)
    if (message.related_type == "booking" and message.related_id and spec is not None and spec.booking
            and message.kind != "cancellation"):
        refs.append(("booking_ics", message.related_id))
    for name, object_id in refs:
        built = attachments.build(organization, str(name), int(object_id))
        if built is not None:
            email.attach(*built)
    return email
