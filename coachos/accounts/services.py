"""Writes for accounts: API tokens and invitations. Each change is audited.

Accounts is on the ground floor: what an invitation means elsewhere goes through events, in the same
transaction — ``invitation.sent`` / ``invitation.revoked`` (comms writes or suppresses the messages),
``invitation.accepted`` (clients links the client record), ``membership.created`` (scheduling)."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.common import events
from coachos.common.text import clean_name
from coachos.tenancy import audit, security
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm, Role

from .models import ApiToken, Invitation, User
from .tokens import hash_token, new_raw_token

logger = logging.getLogger(__name__)

INVITATION_SALT = "coachos.invitation"


class AccountError(Exception):
    """An account change that cannot be made; the message is for people."""


# --- API tokens -------------------------------------------------------------------------------

@transaction.atomic
def api_token_create(*, user: User, organization: Organization, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise AccountError(_("Give the token a name, so you can tell it apart later."))
    with scope(organization=organization):
        if not Membership.objects.filter(user=user).exists():
            raise AccountError(_("You are not a member of that business."))
        raw, prefix = new_raw_token()
        token = ApiToken.objects.create(
            organization=organization, user=user, name=name[:80], prefix=prefix, token_hash=hash_token(raw)
        )
        audit.log(organization=organization, actor=user, action="api_token.created", obj=token)
        security.record(security.Kind.TOKEN_CREATED, user=user, actor=user, business=organization,
                        data={"token_id": token.pk})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    with scope(organization=token.organization):
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.log(organization=token.organization, actor=actor, action="api_token.revoked", obj=token)
            security.record(security.Kind.TOKEN_REVOKED, user=token.user, actor=actor,
                            business=token.organization, data={"token_id": token.pk})
    return token


# --- the person's own settings -----------------------------------------------------------------

@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The language of this person's pages and messages; "" leaves it to each business's own.

    A personal setting of an account that may span several businesses, so no business's audit log
    records it."""
    if language and language not in dict(settings.LANGUAGES):
        raise AccountError(_("Choose one of the languages offered."))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        logger.info("language chosen", extra={"user_id": user.pk, "language": language or "business"})
    return user


# --- invitations ------------------------------------------------------------------------------

def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points to, if the signature holds and the link is the latest one sent."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk, nonce = data.get("i"), data.get("n")
    if not isinstance(pk, int) or not isinstance(nonce, str):
        return None
    with scopes_disabled():
        invitation = Invitation.objects.select_related("organization").filter(pk=pk, nonce=nonce).first()
    return invitation


def invitation_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.PUBLIC_BASE_URL + reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})


def _can_invite(membership: Membership, role: str) -> bool:
    if role == Role.CLIENT:
        return membership.has(Perm.INVITE_CLIENTS)
    return membership.has(Perm.MANAGE_TEAM)


def invitation_message_key(invitation: Invitation) -> str:
    """Dedupe-key prefix of the messages carrying this invitation's current link."""
    return f"invitation:{invitation.pk}:{invitation.nonce[:12]}"


def _send(invitation: Invitation) -> None:
    """Tell the apps above that the current link is to be sent: comms writes the email (and a text to a
    client who agreed to texts) to the outbox in this transaction, and suppresses unsent messages
    with an older link. Call inside the business's scope and transaction."""
    events.emit("invitation.sent", organization=invitation.organization, obj=invitation,
                data={"key": invitation_message_key(invitation), "role": invitation.role})


@transaction.atomic
def invitation_create(
    *, organization: Organization, actor: User, actor_membership: Membership, email: str, role: str, name: str = ""
) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise AccountError(_("Choose a role."))
    if not _can_invite(actor_membership, role):
        raise AccountError(_("Your role cannot invite a %(role)s.") % {"role": Role(role).label.lower()})
    with scope(organization=organization):
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise AccountError(_("%(email)s is already a member of this business.") % {"email": email})
        if Invitation.objects.filter(email__iexact=email, status=Invitation.Status.PENDING).exists():
            raise AccountError(
                _("%(email)s already has a pending invitation. Resend it from the list instead.") % {"email": email}
            )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    organization=organization, email=email, role=role, name=clean_name(name), invited_by=actor
                )
        except IntegrityError as exc:
            raise AccountError(_("%(email)s already has a pending invitation.") % {"email": email}) from exc
        audit.log(organization=organization, actor=actor, action="invitation.created", obj=invitation,
                  data={"role": role})
        _send(invitation)  # outbox rows, sent after commit
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send a fresh link (the old one stops working) and extend the expiry."""
    with scope(organization=invitation.organization):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
            raise AccountError(_("Only a pending or expired invitation can be sent again."))
        invitation.nonce = Invitation._meta.get_field("nonce").get_default()
        invitation.expires_at = Invitation._meta.get_field("expires_at").get_default()
        invitation.status = Invitation.Status.PENDING
        invitation.save(update_fields=["nonce", "expires_at", "status"])
        audit.log(organization=invitation.organization, actor=actor, action="invitation.resent", obj=invitation)
        _send(invitation)  # outbox rows, sent after commit
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    with scope(organization=invitation.organization):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise AccountError(_("Only a pending invitation can be revoked."))
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])
        events.emit("invitation.revoked", organization=invitation.organization, obj=invitation)
        audit.log(organization=invitation.organization, actor=actor, action="invitation.revoked", obj=invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the business with the invited role. The invitation must be usable and for this email."""
    with scope(organization=invitation.organization):
        invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
        if not invitation.is_usable:
            raise AccountError(_("This invitation is no longer valid. Ask for a new one."))
        if invitation.email.lower() != user.email.lower():
            raise AccountError(
                _("This invitation was sent to another email address. Log out and open the link again.")
            )
        membership, created = Membership.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        if created:
            events.emit("membership.created", organization=invitation.organization, obj=membership,
                        data={"role": membership.role})
        invitation.status = Invitation.Status.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit.log(organization=invitation.organization, actor=user, action="invitation.accepted", obj=invitation)
        # A client invitation links (or creates) the client record: the clients app, in this transaction.
        events.emit("invitation.accepted", organization=invitation.organization, obj=invitation,
                    data={"user_id": user.pk, "role": invitation.role})
        if created:
            audit.log(organization=invitation.organization, actor=user, action="membership.created",
                      obj=membership, data={"role": membership.role})
    return membership


@transaction.atomic
def invitation_signup(*, invitation: Invitation, name: str, password: str) -> tuple[User, Membership]:
    """A new person accepts: their account is created with the invited email, already verified
    (they proved it by opening the emailed link)."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountError(_("An account with this email already exists. Log in to accept the invitation."))
    user = User.objects.create_user(email=invitation.email, password=password, name=clean_name(name))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership = invitation_accept(invitation=invitation, user=user)
    return user, membership


def invitations_expire(*, now: Any = None) -> int:
    """Mark pending invitations past their expiry as expired (a platform job)."""
    now = now or timezone.now()
    with scopes_disabled():
        return Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__lte=now).update(
            status=Invitation.Status.EXPIRED
        )
