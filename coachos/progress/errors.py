"""Progress's one exception: a change that cannot be made as asked, with a sentence a person can read.

``code`` tells the API which status to answer; ``field`` names the request field at fault (422)."""

from __future__ import annotations

INVALID = "invalid"  # 422
FORBIDDEN = "forbidden"  # 403
CONFLICT = "conflict"  # 409
TOO_LARGE = "too_large"  # 413
UNSUPPORTED = "unsupported_type"  # 415
IMPLAUSIBLE = "implausible"  # 422: a value no body has (700 kg, a negative waist)

STATUS = {INVALID: 422, FORBIDDEN: 403, CONFLICT: 409, TOO_LARGE: 413, UNSUPPORTED: 415, IMPLAUSIBLE: 422}


class ProgressError(Exception):
    def __init__(self, message: str, *, code: str = INVALID, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 422)
