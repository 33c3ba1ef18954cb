"""Turning validation errors into one sentence a person can read."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def validation_message(error: ValidationError) -> str:
    """``field: message; other: message`` — errors not tied to a field without a prefix."""
    if not hasattr(error, "message_dict"):
        return " ".join(error.messages)
    return "; ".join(
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )
