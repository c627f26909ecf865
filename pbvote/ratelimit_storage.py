"""The in-process rate-limit store (``memory://``), safe for threaded workers.

limits' MemoryStorage (5.8.0) restarts its expiry timer without a lock: two threads that count a hit at the
same moment can both replace the timer and start the same one twice, and the request gets a 500 ("threads
can only be started once"). It surfaced as one 500 among 1,000 racing casts under gunicorn's gthread workers.
This subclass takes the ``memory`` scheme over and starts the timer under a lock; Redis is unaffected.
"""

from __future__ import annotations

import threading
from typing import Any

from limits.storage import MemoryStorage


class ThreadSafeMemoryStorage(MemoryStorage):
    """MemoryStorage whose expiry timer is replaced and started by one thread at a time."""

    STORAGE_SCHEME = ["memory"]  # registered over the library's own class (limits' scheme registry)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the base's private method
        with self._timer_lock:
            if not self.timer.is_alive():
                self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
                self.timer.daemon = True
                self.timer.start()
