"""Writes behind the public booking page: a person books (or joins a waitlist) with a name
and an email, and becomes a client of the business.

A visitor who is not signed in proves the email is theirs with a one-time code before anything is
booked in its name (``public_email_code_send`` / ``public_email_code_check``): every visitor, so
the page never tells whether an email belongs to a client. Codes live in the cache (Redis, or the
database cache by default), hashed, bound to the business, the visitor's challenge and the email.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from ..models import Booking, SlotHold, TrainingSession, WaitlistEntry
from .bookings import CLIENT, booking_create, waitlist_join
from .errors import SchedulingError

CODE_MINUTES = 10  # a code works this long
CODE_TRIES = 5  # wrong tries allowed on one code; then a new code is needed
CODE_RESEND_SECONDS = 60  # one code a minute per email
CODES_PER_EMAIL_PER_HOUR = 5
CODES_PER_IP_PER_HOUR = 20
HOLD_MAX_MINUTES = 20  # sending a code extends the hold, never beyond this after the time was chosen
EMAIL_CODE_EVENT = "booking.email_code_requested"
_SALT = "coachos.scheduling.public.email_code"
_HOUR = 3600


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def client_for_booking(
    *, organization: Organization, first_name: str, last_name: str, email: str, phone: str = "",
    user: Any = None, status: str = Client.Status.ACTIVE,
) -> Client:
    """The client a booking is for: the signed-in person's own record, else the business's client
    with that email, else a new one. A record found by email only gets its empty fields filled
    (whoever types an email must not rename someone else); a person's own record is updated.
    A new record is never linked to the signed-in account: portal access comes by invitation."""
    client = None
    own = False
    if _signed_in(user):
        client = Client.objects.select_for_update().filter(user=user).order_by("pk").first()
        own = client is not None
    if client is None:
        client = Client.objects.select_for_update().filter(email__iexact=email).order_by("pk").first()
    if client is None:
        try:
            with transaction.atomic():
                client = Client.objects.create(
                    organization=organization, first_name=first_name, last_name=last_name, email=email,
                    phone=phone, status=status,
                )
        except IntegrityError:
            # The same email booked twice at once: the other request created the record.
            client = Client.objects.select_for_update().get(email__iexact=email)
        else:
            audit.log(organization=organization, actor=user, action="client.created", obj=client,
                      data={"source": "online_booking"})
            return client

    wanted = {"first_name": first_name, "last_name": last_name, "phone": phone}
    changed = [
        name for name, value in wanted.items()
        if value and getattr(client, name) != value and (own or not getattr(client, name))
    ]
    for name in changed:
        setattr(client, name, wanted[name])
    if client.status == Client.Status.LEAD and status == Client.Status.ACTIVE:
        client.status = Client.Status.ACTIVE
        changed.append("status")
    if changed:
        client.save(update_fields=[*changed, "updated_at"])
        audit.log(organization=organization, actor=user, action="client.updated", obj=client,
                  data={"source": "online_booking", "fields": changed})
    return client


@transaction.atomic
def public_booking_confirm(
    *, hold: SlotHold, first_name: str, last_name: str, email: str, phone: str, note: str,
    user: Any = None, now: datetime | None = None, pay_with: str = "",
) -> Booking:
    """Book the held time for a person: their client record and the booking, or nothing.
    ``pay_with``: their choice for a session type paid either way (``settlement``)."""
    client = client_for_booking(organization=hold.organization, first_name=first_name, last_name=last_name,
                                email=email, phone=phone, user=user)
    return booking_create(coach=hold.coach, session_type=hold.session_type, client=client,
                          starts_at=hold.starts_at, actor=user if _signed_in(user) else None, note=note,
                          mode=CLIENT, hold=hold, now=now or timezone.now(), pay_with=pay_with)


def public_hold_release(*, hold: SlotHold) -> None:
    """The person chose another time: free theirs for others at once."""
    SlotHold.objects.filter(pk=hold.pk).delete()


@transaction.atomic
def public_waitlist_join(
    *, session: TrainingSession, first_name: str, last_name: str, email: str, user: Any = None,
) -> WaitlistEntry:
    """Join a full class's waitlist with a name and an email (a new person becomes a lead). The
    caller has the email proven first (a code from ``public_email_code_check``), or ``user`` is the
    signed-in client: as with a booking, an email alone must not act in a client's name."""
    client = client_for_booking(organization=session.organization, first_name=first_name, last_name=last_name,
                                email=email, user=user, status=Client.Status.LEAD)
    return waitlist_join(session=session, client=client, actor=user if _signed_in(user) else None)


# --- one-time codes by email -------------------------------------------------------------------

def email_code_challenge() -> str:
    """A new challenge: the name of one visitor's attempt to confirm one email (kept in their session)."""
    return secrets.token_urlsafe(18)


def _hashed(kind: str, value: str) -> str:
    """Cache keys carry no email or address, only a keyed hash of it."""
    return salted_hmac(f"{_SALT}.{kind}", value).hexdigest()[:40]


def _code_key(organization: Organization, challenge: str) -> str:
    return f"booking-code:{organization.pk}:{_hashed('challenge', challenge)}"


def _digest(organization: Organization, challenge: str, email: str, code: str) -> str:
    return salted_hmac(_SALT, f"{organization.pk}:{challenge}:{email.lower()}:{code}").hexdigest()


def _take_slot(keys: list[str], *, seconds: int) -> int:
    """Claim the first free one of ``keys`` for ``seconds`` (``cache.add`` is atomic on every
    backend, so two requests never claim the same slot); its index, or -1 when all are taken."""
    taken = cache.get_many(keys)
    for index, key in enumerate(keys):
        if key not in taken and cache.add(key, 1, seconds):
            return index
    return -1


def _within(prefix: str, limit: int, *, seconds: int = _HOUR) -> bool:
    return _take_slot([f"{prefix}:{i}" for i in range(limit)], seconds=seconds) >= 0


@transaction.atomic
def public_email_code_send(
    *, organization: Organization, email: str, challenge: str, ip: str = "", hold: SlotHold | None = None,
    now: datetime | None = None,
) -> None:
    """Email a new 6-digit code for ``challenge`` (it replaces the challenge's earlier code and its
    tries). The same for any email: nothing here looks at the business's clients. Raises
    SchedulingError ``code_wait`` (a code went to this email less than a minute ago) or
    ``code_limit`` (too many codes this hour for this email or from this address).
    ``hold``: the held time is kept while the visitor reads their email."""
    now = now or timezone.now()
    email_key = _hashed("email", email.lower())
    if not cache.add(f"booking-code-wait:{email_key}", 1, CODE_RESEND_SECONDS):
        raise SchedulingError(_("We just sent a code to this email. You can ask for a new one in a minute."),
                              "code_wait")
    if not (_within(f"booking-code-ip:{_hashed('ip', ip)}", CODES_PER_IP_PER_HOUR)
            and _within(f"booking-code-email:{email_key}", CODES_PER_EMAIL_PER_HOUR)):
        raise SchedulingError(_("Too many codes were asked for. Please try again in an hour."), "code_limit")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    cache.set(_code_key(organization, challenge), {
        "digest": _digest(organization, challenge, email, code), "nonce": secrets.token_hex(8),
        "expires": (now + timedelta(minutes=CODE_MINUTES)).timestamp(),
    }, _HOUR)
    if hold is not None:
        longest = min(now + timedelta(minutes=CODE_MINUTES), hold.created_at + timedelta(minutes=HOLD_MAX_MINUTES))
        SlotHold.objects.filter(pk=hold.pk, expires_at__gt=now, expires_at__lt=longest).update(expires_at=longest)
    # comms writes the email to the outbox in this transaction (a required listener).
    events.emit(EMAIL_CODE_EVENT, organization=organization, obj=hold,
                data={"email": email, "code": code, "minutes": CODE_MINUTES})
    audit.log(organization=organization, actor=None, action="booking.email_code_sent", obj=hold)


def public_email_code_check(
    *, organization: Organization, email: str, challenge: str, code: str, now: datetime | None = None,
) -> None:
    """Accept the code once, or raise SchedulingError: ``code_wrong`` (tries left), ``code_blocked``
    (no tries left: a new code is needed) or ``code_expired`` (no code, or too old)."""
    now = now or timezone.now()
    key = _code_key(organization, challenge)
    entry = cache.get(key)
    expired = SchedulingError(_("This code has expired. Ask for a new code."), "code_expired")
    if not isinstance(entry, dict) or float(entry.get("expires", 0)) <= now.timestamp():
        raise expired
    used = _take_slot([f"{key}:{entry['nonce']}:try:{i}" for i in range(CODE_TRIES)], seconds=_HOUR)
    if used < 0:
        raise SchedulingError(_("Too many wrong tries. Ask for a new code."), "code_blocked")
    if not constant_time_compare(str(entry.get("digest", "")), _digest(organization, challenge, email, code)):
        left = CODE_TRIES - used - 1
        if left <= 0:
            raise SchedulingError(_("That code is not right, and that was the last try. Ask for a new code."),
                                  "code_blocked")
        raise SchedulingError(ngettext(
            "That code is not right. Check the email and try again (%(n)d try left).",
            "That code is not right. Check the email and try again (%(n)d tries left).", left) % {"n": left},
            "code_wrong")
    if not cache.delete(key):  # used once: a second request with the same code finds nothing
        raise expired
