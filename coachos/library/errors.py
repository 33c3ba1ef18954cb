"""The library's one exception: a change that cannot be made as asked, with a sentence a person can read.

``code`` tells the API which status to answer; ``field`` names the request field at fault."""

from __future__ import annotations

INVALID = "invalid"  # 422
FORBIDDEN = "forbidden"  # 403
LOCKED = "locked"  # 409: a sequential collection's item whose previous item is not done
CONFLICT = "conflict"  # 409
TOO_LARGE = "too_large"  # 413
UNSUPPORTED = "unsupported_type"  # 415
QUOTA = "quota_exceeded"  # 413

STATUS = {INVALID: 422, FORBIDDEN: 403, LOCKED: 409, CONFLICT: 409, TOO_LARGE: 413, UNSUPPORTED: 415, QUOTA: 413}


class LibraryError(Exception):
    def __init__(self, message: str, *, code: str = INVALID, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 422)
