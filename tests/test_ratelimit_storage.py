"""The in-process rate-limit store counts hits from many threads at once without a server error."""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage, storage_from_string

import pbvote.extensions  # noqa: F401  (registers pbvote's memory:// store)
from pbvote.ratelimit_storage import ThreadSafeMemoryStorage


class PausedAfterReplacingTheTimer:
    """Pauses right after the expiry timer is replaced: where another thread can slip in."""

    @property
    def timer(self) -> threading.Timer:
        return self.__dict__["_paused_timer"]  # type: ignore[no-any-return]

    @timer.setter
    def timer(self, value: threading.Timer) -> None:
        self.__dict__["_paused_timer"] = value
        time.sleep(0.05)


class PausedLibraryStore(PausedAfterReplacingTheTimer, MemoryStorage):
    STORAGE_SCHEME = ["paused-library-memory"]


class PausedPbvoteStore(PausedAfterReplacingTheTimer, ThreadSafeMemoryStorage):
    STORAGE_SCHEME = ["paused-pbvote-memory"]


def hits_at_once(storage: MemoryStorage, threads: int = 2) -> list[BaseException]:
    """Let the expiry timer die, then count a hit from ``threads`` threads, 10 ms apart."""
    storage.timer.join()
    start, errors = threading.Barrier(threads), list[BaseException]()
    turns = iter(range(threads))

    def hit() -> None:
        turn = next(turns)
        start.wait()
        time.sleep(0.01 * turn)  # the next thread arrives while the first one is between replace and start
        try:
            storage.incr("login/127.0.0.1", 60)
        except RuntimeError as error:
            errors.append(error)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    storage.timer.join()
    return errors


def test_memory_scheme_is_the_thread_safe_store() -> None:
    assert isinstance(storage_from_string("memory://"), ThreadSafeMemoryStorage)


def test_simultaneous_hits_never_fail_and_all_count() -> None:
    storage = PausedPbvoteStore()
    assert hits_at_once(storage) == []
    assert storage.get("login/127.0.0.1") == 2


def test_the_library_store_fails_the_way_it_did_in_ci() -> None:
    errors = hits_at_once(PausedLibraryStore())
    assert errors and all("threads can only be started once" in str(error) for error in errors)
