from __future__ import annotations


class SchedulingError(Exception):
    """A scheduling change that cannot be made; the message is for people.

    ``code`` lets the API choose a status: ``taken`` and ``unavailable`` are 409 conflicts.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


# ``no_credits``: the session type is paid with a package credit and the client has none left.
CONFLICT_CODES = frozenset({"taken", "unavailable", "full", "limit", "held", "no_credits"})
