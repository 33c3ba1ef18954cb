"""The only code that talks to SMS and email providers.

SMS: Twilio through its official SDK (``SMS_BACKEND=twilio``), a console gateway by default that prints
each text to the terminal (like Django's console email backend; not through logging, which never
carries message bodies), and an in-memory one for tests. Email: Django's mail backends (SMTP in
production, console by default). Provider errors come back as ``GatewayError`` saying whether a retry
could help.
"""

from __future__ import annotations

import smtplib
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

# Twilio error codes that no retry will fix (https://www.twilio.com/docs/api/errors).
PERMANENT_TWILIO_CODES = frozenset({
    21211,  # invalid 'To' number
    21408,  # permission to send to this region is not enabled
    21610,  # the recipient replied STOP (unsubscribed)
    21612,  # cannot route to this number
    21614,  # 'To' is not a mobile number
    21659,  # 'From' is not a Twilio number
    21606,  # 'From' cannot send SMS
    30003, 30004, 30005, 30006,  # unreachable, blocked, unknown, landline
})
OPTED_OUT_CODE = "21610"


class GatewayError(Exception):
    def __init__(self, message: str, *, code: str = "", permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Sms:
    to: str
    sender: str
    body: str
    status_callback: str = ""


class SmsGateway(Protocol):
    def send(self, sms: Sms) -> str: ...


class TwilioGateway:
    def __init__(self, client: Any = None) -> None:
        if client is None:
            from twilio.rest import Client

            client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        self.client = client

    def send(self, sms: Sms) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs: dict[str, Any] = {"to": sms.to, "from_": sms.sender, "body": sms.body}
        if sms.status_callback:
            kwargs["status_callback"] = sms.status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            code = str(exc.code or "")
            permanent = (exc.code in PERMANENT_TWILIO_CODES) or (400 <= (exc.status or 0) < 500
                                                                  and exc.status != 429)
            raise GatewayError(f"Twilio {exc.status}: {exc.msg}"[:480], code=code, permanent=permanent) from exc
        except TwilioException as exc:
            raise GatewayError(f"Twilio: {exc}"[:480]) from exc
        return str(message.sid)


class ConsoleSmsGateway:
    """The embedded default: prints the text so `make run` shows it (and the outbox page lists it)."""

    def send(self, sms: Sms) -> str:
        sid = "CONSOLE" + uuid.uuid4().hex[:26]
        sys.stdout.write(f"---------- SMS {sid}\nFrom: {sms.sender}\nTo: {sms.to}\n\n{sms.body}\n----------\n")
        sys.stdout.flush()
        return sid


class MemorySmsGateway:
    """For tests: keeps what was sent in ``sent`` (like django.core.mail.outbox)."""

    sent: list[Sms] = []
    _lock = threading.Lock()

    def send(self, sms: Sms) -> str:
        with self._lock:
            MemorySmsGateway.sent.append(sms)
        return "SM" + uuid.uuid4().hex


_override: SmsGateway | None = None


def sms_gateway() -> SmsGateway:
    if _override is not None:
        return _override
    backend = settings.SMS_BACKEND
    if backend == "twilio":
        return TwilioGateway()
    if backend == "locmem":
        return MemorySmsGateway()
    return ConsoleSmsGateway()


def use_sms_gateway(gateway: SmsGateway | None) -> None:
    """Tests and tools may put a gateway of their own in place (None restores the configured one)."""
    global _override
    _override = gateway


def send_email(message: EmailMultiAlternatives) -> str:
    """Send through Django's configured backend; returns the Message-ID."""
    message_id = message.extra_headers.get("Message-ID", "")
    try:
        connection = get_connection(fail_silently=False)
        sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        raise GatewayError("The mail server refused the recipient.", code="recipient_refused",
                           permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise GatewayError(f"Mail server: {exc.__class__.__name__}") from exc
    if not sent:
        raise GatewayError("The mail backend sent nothing.")
    return message_id
