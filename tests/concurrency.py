"""Run code in real threads at the same moment, for the race tests (PostgreSQL, transaction=True).

    results = run_concurrently(book, 8, expected=(SchedulingError,))
    assert len(results.values) == 1 and len(results.errors) == 7

Every thread waits on one barrier, then runs its function with its own database connection (closed
when it ends). An exception of an ``expected`` type is collected in ``results.errors``; any other
exception fails the test with its traceback, after every thread has ended. A barrier that is not
passed, or a thread that has not ended within ``timeout`` seconds, fails the test instead of
hanging the run (the threads are daemons: a stuck one cannot keep the process alive).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

from django.db import connections

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0


@dataclass
class Outcome(Generic[T]):
    index: int
    value: T | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class Results(Generic[T]):
    outcomes: list[Outcome[T]] = field(default_factory=list)

    @property
    def values(self) -> list[T]:
        """What the threads that ended normally returned, in thread order."""
        return [o.value for o in self.outcomes if o.error is None]  # type: ignore[misc]

    @property
    def errors(self) -> list[BaseException]:
        """The expected exceptions the other threads raised, in thread order."""
        return [o.error for o in self.outcomes if o.error is not None]


class ConcurrencyFailure(AssertionError):
    pass


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def run_each(functions: Sequence[Callable[[], T]], *, timeout: float = DEFAULT_TIMEOUT,
             expected: tuple[type[BaseException], ...] = ()) -> Results[T]:
    """Start one thread per function; all pass a barrier together, then call their function."""
    if not functions:
        raise ValueError("run_each needs at least one function")
    barrier = threading.Barrier(len(functions), timeout=timeout)
    outcomes: list[Outcome[T]] = [Outcome(index=i) for i in range(len(functions))]

    def run(i: int) -> None:
        outcome = outcomes[i]
        try:
            barrier.wait()
            outcome.value = functions[i]()
        except BaseException as exc:  # noqa: BLE001 - every exception is reported to the test below
            outcome.error = exc
        finally:
            connections.close_all()
            outcome.done = True

    threads = [threading.Thread(target=run, args=(i,), name=f"concurrent-{i}", daemon=True)
               for i in range(len(functions))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        raise ConcurrencyFailure(f"{len(stuck)} of {len(threads)} thread(s) still running after {timeout:g} s: {stuck}")
    unexpected = [o for o in outcomes if o.error is not None and not isinstance(o.error, expected)]
    if unexpected:
        details = "\n".join(f"--- thread {o.index} ---\n{_describe(o.error)}" for o in unexpected if o.error)
        raise ConcurrencyFailure(
            f"{len(unexpected)} of {len(threads)} thread(s) raised an unexpected exception:\n{details}"
        ) from unexpected[0].error
    assert all(o.done for o in outcomes)
    return Results(outcomes=outcomes)


def run_concurrently(fn: Callable[[int], T], n: int, *, timeout: float = DEFAULT_TIMEOUT,
                     expected: tuple[type[BaseException], ...] = ()) -> Results[T]:
    """Call ``fn(0)`` … ``fn(n - 1)`` in ``n`` threads at once."""
    return run_each([partial(fn, i) for i in range(n)], timeout=timeout, expected=expected)
