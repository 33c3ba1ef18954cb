"""Telling people about an event: the client (SMS, email, in-app) or the team (in-app, email, SMS).

Call these inside the transaction of the event (like ``outbox.enqueue``): every row they write —
outbox messages and bell entries — commits or rolls back with it.

``client(...)`` picks the channels from the client's record and, when they have a portal login,
their own preferences: SMS when they have a mobile number and agreed to texts (and the business
has an SMS number), email when they have an address. When no channel may carry the message, one row is still written, ``suppressed``
with the reason (no consent, no address, switched off), so the coach can see why the client heard
nothing — and a job that looks for that row (reminders) does not try again every few minutes.

``team(...)`` goes to owners and coaches (for a booking: the session's coach and the owners),
never to clients: a bell entry by default, email/SMS as each person chose (defaults from the
kind's ``notify_default``). A coach the owner limited to their own clients hears nothing about
another client (``clients_visible_to``), on any channel.

Dedupe keys: the caller's key names the event; each outbox row gets ``<key>:sms`` / ``<key>:email``
(team: ``<key>:email:<user id>``), each bell entry the key itself (unique per user).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import TEAM_ROLES, Role

from . import catalog, notifications, outbox, push
from .context import absolute
from .context import build as build_variables
from .models import Channel, Notification, OutboundMessage, PushSubscription

logger = logging.getLogger("coachos.comms")

Status = OutboundMessage.Status


def _path(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _model(obj: models.Model | None) -> str:
    return (obj._meta.model_name or "") if obj is not None else ""


def client_url(organization: Organization, related: models.Model | None) -> str:
    """Where a client's bell entry leads: their bookings, their package, or the portal."""
    slug = organization.slug
    name = _model(related)
    if name in {"booking", "waitlistentry", "trainingsession", "recurringbooking"}:
        return _path("portal_bookings:index", org_slug=slug)
    if name == "clientpackage" and related is not None:
        return _path("portal_packages:detail", org_slug=slug, package_id=related.pk)
    return _path("portal:home", org_slug=slug)


def team_url(organization: Organization, related: models.Model | None, client: Client | None) -> str:
    """Where a team member's bell entry leads: the session on the calendar, or the client's page."""
    slug = organization.slug
    name = _model(related)
    if name == "booking":
        return _path("calendar:session", org_slug=slug, session_id=related.session_id)  # type: ignore[union-attr]
    if name == "trainingsession" and related is not None:
        return _path("calendar:session", org_slug=slug, session_id=related.pk)
    if client is not None:
        return _path("clients:detail", org_slug=slug, client_id=client.pk)
    return ""


def user_phone(user: Any) -> str:
    """A team member's mobile number, if accounts ever carry one (today they do not)."""
    return str(getattr(user, "phone", "") or "")


def _key(dedupe_key: str | None, *parts: object) -> str | None:
    if dedupe_key is None:
        return None
    return ":".join([dedupe_key, *(str(p) for p in parts)])[:200]


def _title(spec: catalog.Kind, variables: dict[str, str]) -> str:
    return catalog.render(spec.subject or str(spec.label), variables)[:200] or str(spec.label)


# --- clients -----------------------------------------------------------------------------------

def client(*, organization: Organization, kind: str, client: Client, context: dict[str, Any] | None = None,
           related: models.Model | None = None, dedupe_key: str | None = None, send_after: datetime | None = None,
           expires_at: datetime | None = None, attachments: list[tuple[str, int]] | None = None,
           requested: bool | None = None) -> list[OutboundMessage]:
    """Send a client-audience message on every channel it may use; returns the outbox rows.

    ``requested``: the client's own action caused it (quiet hours may let it through); None: the kind's
    default (see ``policy.quiet_hours_apply``)."""
    spec = catalog.kind(kind)
    user = client.user if client.user_id else None
    own = notifications.preferences_for(organization=organization, users=[user], kind=kind).get(
        getattr(user, "pk", 0), {}) if user is not None else {}
    sms_on = notifications.wants(own, spec, Channel.SMS)
    email_on = notifications.wants(own, spec, Channel.EMAIL)
    has_sms, has_email = bool(spec.sms), bool(spec.email)
    common: dict[str, Any] = {"organization": organization, "kind": kind, "client": client, "context": context,
                              "related": related, "send_after": send_after, "expires_at": expires_at,
                              "requested": requested}

    channels: list[str] = []
    # A business without an SMS number yet sends by email alone (if nothing can go, the row says why).
    if sms_on and has_sms and client.phone and client.sms_consent and organization.sms_number:
        channels.append(Channel.SMS)
    if email_on and has_email and client.email:
        channels.append(Channel.EMAIL)

    messages: list[OutboundMessage] = []
    for channel in channels:
        message = outbox.enqueue(channel=channel, dedupe_key=_key(dedupe_key, channel),
                                 attachments=attachments if channel == Channel.EMAIL else None, **common)
        if message is not None:
            messages.append(message)
    if not channels and (has_sms or has_email):
        # Switched off: every channel this kind has wording for (an email-only kind with email off).
        record = _record_unsent(common, dedupe_key=dedupe_key,
                                switched_off=not ((sms_on and has_sms) or (email_on and has_email)),
                                sms_first=bool(has_sms and (client.phone or not has_email)))
        if record is not None:
            messages.append(record)

    messages += _pushes(organization=organization, user=user, spec=spec, own=own, context=context, related=related,
                        dedupe_key=dedupe_key, url=client_url(organization, related), client=client,
                        send_after=send_after, expires_at=expires_at, requested=requested)
    if user is not None and notifications.wants(own, spec, "in_app"):
        variables = build_variables(organization=organization, client=client, related=related,
                                    extra=dict(context or {}))
        notifications.notification_create(
            organization=organization, user=user, kind=kind, title=_title(spec, variables),
            url=client_url(organization, related), related=related, client=client, dedupe_key=dedupe_key)
    return messages


def _pushes(*, organization: Organization, user: Any, spec: catalog.Kind, own: dict[str, bool],
            context: dict[str, Any] | None, related: models.Model | None, dedupe_key: str | None, url: str,
            client: Client | None = None, send_after: datetime | None = None, expires_at: datetime | None = None,
            requested: bool | None = None) -> list[OutboundMessage]:
    """One push per device the person turned push on for (in this business), if they want this kind
    by push. Titled with the business's name; the text is the kind's subject, in the reader's language."""
    if user is None or not push.enabled() or not notifications.wants(own, spec, Channel.PUSH):
        return []
    sent: list[OutboundMessage] = []
    for subscription in PushSubscription.objects.filter(organization=organization, user=user).order_by("pk"):
        message = outbox.enqueue(
            organization=organization, channel=Channel.PUSH, kind=spec.key, client=client, user=user,
            context=context, related=related, dedupe_key=_key(dedupe_key, Channel.PUSH, subscription.pk),
            send_after=send_after, expires_at=expires_at, requested=requested, push_subscription=subscription,
            url=url, subject="{business_name}", body=spec.subject or spec.label)
        if message is not None:
            sent.append(message)
    return sent


def _record_unsent(common: dict[str, Any], *, dedupe_key: str | None, switched_off: bool,
                   sms_first: bool) -> OutboundMessage | None:
    """No channel may carry the message: write one row that says why (the outbox finds the reason
    itself — no address, no consent — except for a client's own "off", which it cannot know)."""
    channel = Channel.SMS if sms_first else Channel.EMAIL
    message = outbox.enqueue(channel=channel, dedupe_key=_key(dedupe_key, channel), **common)
    if message is not None and switched_off and message.status in OutboundMessage.PENDING and not message.attempts:
        reason = _("The client switched these messages off in their notification settings.")
        OutboundMessage.objects.filter(pk=message.pk, status__in=OutboundMessage.PENDING, attempts=0).update(
            status=Status.SUPPRESSED, last_error=reason)
        message.status, message.last_error = Status.SUPPRESSED, reason
    return message


# --- the team ------------------------------------------------------------------------------------

@dataclass
class TeamDelivery:
    notifications: list[Notification] = field(default_factory=list)
    messages: list[OutboundMessage] = field(default_factory=list)


def _client_of(related: models.Model | None) -> Client | None:
    if isinstance(related, Client):
        return related
    if related is not None and getattr(related, "client_id", None):
        found = getattr(related, "client", None)
        return found if isinstance(found, Client) else None
    return None


def team_recipients(*, organization: Organization, related: models.Model | None = None,
                    users: list[Any] | None = None, client: Client | None = None) -> list[Any]:
    """Active team members to tell (one query): the given users, or for a booking/session (or a
    recurring booking) its coach and the owners, or else every owner and coach. Clients never,
    whatever is passed in; about a ``client``, only those who may see them (one more query for
    each coach limited to their own clients)."""
    return [m.user for m in _team_members(organization=organization, related=related, users=users)
            if client is None or sees_every_client(m) or clients_visible_to(m).filter(pk=client.pk).exists()]


def _team_members(*, organization: Organization, related: models.Model | None,
                  users: list[Any] | None) -> list[Membership]:
    from coachos.scheduling.models import Coach

    members = Membership.objects.filter(organization=organization, role__in=TEAM_ROLES, user__is_active=True)
    if users is not None:
        members = members.filter(user_id__in=[u.pk for u in users])
    else:
        session_id = getattr(related, "session_id", None) if _model(related) == "booking" else (
            related.pk if _model(related) == "trainingsession" and related is not None else None)
        coach_id = getattr(related, "coach_id", None) if _model(related) == "recurringbooking" else None
        if session_id is not None:
            coach_of_session = Coach.objects.filter(sessions=session_id).values("membership_id")
            members = members.filter(Q(role=Role.OWNER) | Q(pk__in=coach_of_session))
        elif coach_id is not None:
            members = members.filter(Q(role=Role.OWNER) | Q(pk__in=Coach.objects.filter(pk=coach_id)
                                                            .values("membership_id")))
        else:
            members = members.filter(role__in=[Role.OWNER, Role.COACH])
    return list(members.select_related("user").order_by("pk"))


def team(*, organization: Organization, kind: str, context: dict[str, Any] | None = None,
         related: models.Model | None = None, dedupe_key: str | None = None, users: list[Any] | None = None,
         client: Client | None = None, url: str | None = None) -> TeamDelivery:
    """Tell the team: a bell entry (on by default) plus email/SMS as each member chose."""
    spec = catalog.kind(kind)
    client = client or _client_of(related)
    extra: dict[str, Any] = dict(context or {})
    if client is not None:
        extra.setdefault("client_name", client.full_name)
        extra.setdefault("client_first_name", client.first_name)
    path = team_url(organization, related, client) if url is None else url
    if path:
        extra.setdefault("link", absolute(path))
    variables = build_variables(organization=organization, related=related, extra=extra)
    title = _title(spec, variables)
    delivery = TeamDelivery()
    recipients = team_recipients(organization=organization, related=related, users=users, client=client)
    prefs = notifications.preferences_for(organization=organization, users=recipients, kind=kind)
    # The title is already filled in: braces a client typed must not read as placeholders.
    plain_title = title.replace("{", "(").replace("}", ")")
    body = spec.email or f"{plain_title}\n\n{{link}}"
    for user in recipients:
        own = prefs.get(user.pk, {})
        if notifications.wants(own, spec, "in_app"):
            delivery.notifications.append(notifications.notification_create(
                organization=organization, user=user, kind=kind, title=title, url=path, related=related,
                client=client, dedupe_key=dedupe_key))
        if notifications.wants(own, spec, Channel.EMAIL) and user.email:
            message = outbox.enqueue(organization=organization, channel=Channel.EMAIL, kind=kind, user=user,
                                     to=user.email, context=extra, related=related,
                                     dedupe_key=_key(dedupe_key, Channel.EMAIL, user.pk),
                                     subject=str(spec.subject or spec.label), body=str(body))
            if message is not None:
                delivery.messages.append(message)
        delivery.messages += _pushes(organization=organization, user=user, spec=spec, own=own, context=extra,
                                     related=related, dedupe_key=dedupe_key, url=path)
        phone = user_phone(user)
        if notifications.wants(own, spec, Channel.SMS) and phone:
            message = outbox.enqueue(organization=organization, channel=Channel.SMS, kind=kind, user=user, to=phone,
                                     context=extra, related=related, dedupe_key=_key(dedupe_key, Channel.SMS, user.pk),
                                     body=plain_title)
            if message is not None:
                delivery.messages.append(message)
    logger.info("team notified", extra={"kind": kind, "recipients": len(recipients),
                                        "organization_id": organization.pk})
    return delivery
