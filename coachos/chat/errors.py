"""Chat's one exception: a change that cannot be made as asked, with a message a person can read."""

from __future__ import annotations

INVALID = "invalid"  # 422
FORBIDDEN = "forbidden"  # 403
CONFLICT = "conflict"  # 409
RATE_LIMITED = "rate_limited"  # 429
TOO_LARGE = "too_large"  # 413
UNSUPPORTED = "unsupported_type"  # 415

STATUS = {INVALID: 422, FORBIDDEN: 403, CONFLICT: 409, RATE_LIMITED: 429, TOO_LARGE: 413, UNSUPPORTED: 415}


class ChatError(Exception):
    def __init__(self, message: str, *, code: str = INVALID, field: str = "", retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 422)
