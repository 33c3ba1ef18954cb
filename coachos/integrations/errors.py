"""The integrations app's one error class: a message a person can read, and an HTTP status."""

from __future__ import annotations


class IntegrationError(Exception):
    def __init__(self, message: str, *, status: int = 422, code: str = "invalid", field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


class WriteFailed(Exception):
    """A calendar refused or could not take a write; the job retries it later."""
