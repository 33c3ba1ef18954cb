"""The race-test helper itself: a stuck thread or an unexpected exception fails the test."""

from __future__ import annotations

import threading

import pytest

from .concurrency import ConcurrencyFailure, run_concurrently, run_each


class Refused(Exception):
    pass


def test_values_and_expected_errors_are_collected_in_thread_order():
    def work(i: int) -> int:
        if i % 2:
            raise Refused(f"odd {i}")
        return i * 10

    results = run_concurrently(work, 4, timeout=30, expected=(Refused,))
    assert results.values == [0, 20]
    assert [str(e) for e in results.errors] == ["odd 1", "odd 3"]


def test_all_threads_pass_the_barrier_together():
    arrived = threading.Barrier(5, timeout=30)  # would break if the helper ran them one by one

    results = run_concurrently(lambda i: arrived.wait(), 5, timeout=30)
    assert sorted(results.values) == [0, 1, 2, 3, 4]


def test_an_unexpected_exception_fails_with_its_traceback():
    def work(i: int) -> None:
        if i == 2:
            raise KeyError("boom")

    with pytest.raises(ConcurrencyFailure, match=r"1 of 3 thread\(s\) raised an unexpected exception") as info:
        run_concurrently(work, 3, timeout=30, expected=(Refused,))
    assert "KeyError: 'boom'" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)


def test_a_stuck_thread_fails_the_run_instead_of_hanging_it():
    release = threading.Event()
    try:
        with pytest.raises(ConcurrencyFailure, match=r"1 of 2 thread\(s\) still running"):
            run_each([lambda: None, lambda: release.wait(30)], timeout=0.5)
    finally:
        release.set()


def test_a_thread_that_never_reaches_the_barrier_breaks_it():
    # A barrier of the test's own for three parties, reached by only two threads: it breaks after
    # its timeout, and the helper reports the threads' BrokenBarrierError instead of waiting.
    shared = threading.Barrier(3, timeout=0.5)

    with pytest.raises(ConcurrencyFailure, match="BrokenBarrierError"):
        run_concurrently(lambda i: shared.wait(), 2, timeout=30)
