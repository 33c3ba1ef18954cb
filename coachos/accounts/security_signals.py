"""Sign-ins, failures, two-factor and password changes into the security log (``tenancy.security``);
a confirmed email publishes the businesses its owner signed up (``tenancy.verification``)."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

from coachos.tenancy import security, verification

from .models import User

Kind = security.Kind


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    security.record(Kind.LOGIN, user=user, actor=user, request=request)


def _login_failed(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any) -> None:
    # The email typed is never stored: only whose account it was, if it was one.
    email = str((credentials or {}).get("email") or (credentials or {}).get("username") or "").strip()
    user = User.objects.filter(email__iexact=email).first() if email else None
    security.record(Kind.LOGIN_FAILED, user=user, request=request)


def _mfa_failed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    security.record(Kind.LOGIN_FAILED, user=user, request=request, data={"step": "two_factor"})


def _authenticator(kind: str) -> Any:
    def handler(sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any) -> None:
        security.record(kind, user=user, actor=user, request=request,
                        data={"type": getattr(authenticator, "type", "")})

    return handler


def _password(kind: str) -> Any:
    def handler(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
        security.record(kind, user=user, actor=user, request=request)

    return handler


def _email_confirmed(sender: Any, request: Any = None, email_address: Any = None, **kwargs: Any) -> None:
    if email_address is not None and email_address.user_id is not None:
        verification.owner_email_confirmed(user=email_address.user)


def connect() -> None:
    account_signals.email_confirmed.connect(_email_confirmed, dispatch_uid="tenancy-owner-verified")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="security-login")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="security-login-failed")
    mfa_signals.authentication_failed.connect(_mfa_failed, dispatch_uid="security-mfa-failed")
    mfa_signals.authenticator_added.connect(_authenticator(Kind.MFA_ADDED), dispatch_uid="security-mfa-added",
                                            weak=False)
    mfa_signals.authenticator_removed.connect(_authenticator(Kind.MFA_REMOVED), dispatch_uid="security-mfa-removed",
                                              weak=False)
    mfa_signals.authenticator_reset.connect(_authenticator(Kind.MFA_CODES), dispatch_uid="security-mfa-reset",
                                            weak=False)
    account_signals.password_changed.connect(_password(Kind.PASSWORD_CHANGED), dispatch_uid="security-pw-changed",
                                             weak=False)
    account_signals.password_set.connect(_password(Kind.PASSWORD_CHANGED), dispatch_uid="security-pw-set",
                                         weak=False)
    account_signals.password_reset.connect(_password(Kind.PASSWORD_RESET), dispatch_uid="security-pw-reset",
                                           weak=False)
