"""Notes' one exception: a change that cannot be made as asked, with a message a person can read."""

from __future__ import annotations

INVALID = "invalid"  # 422
FORBIDDEN = "forbidden"  # 403
CONFLICT = "conflict"  # 409: someone else saved first (``current_version`` says which version is current)
ALREADY = "already_rated"  # 409
NOT_COMPLETED = "not_completed"  # 409
TOO_LATE = "too_late"  # 409
TOO_LARGE = "too_large"  # 413: a file over the limit
UNSUPPORTED = "unsupported_type"  # 415: a kind of file not allowed

STATUS = {INVALID: 422, FORBIDDEN: 403, CONFLICT: 409, ALREADY: 409, NOT_COMPLETED: 409, TOO_LATE: 409,
          TOO_LARGE: 413, UNSUPPORTED: 415}


class NotesError(Exception):
    def __init__(self, message: str, *, code: str = INVALID, field: str = "",
                 current_version: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.current_version = current_version

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 422)


class NoteConflict(NotesError):
    """The note (or entry) changed since the version the writer started from: shown, never overwritten."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message, code=CONFLICT, field="base_version", current_version=current_version)
