"""The app with one guard removed, served by gunicorn in the companion tests that prove the checks bite.

PBVOTE_TRUST_BREAK names what to remove (comma-separated):
- ``forget``: every 4th API cast is acknowledged (201 with its receipt) but rolled back, never stored;
- ``no503``: a database failure is answered as a plain 500 instead of the retryable 503.
Never imported by the app; only tests start it (``tests.trust.broken_wsgi:app``).
"""

from __future__ import annotations

import itertools
import os
import threading
from typing import Any

from pbvote import errors
from pbvote.api import casting
from pbvote.extensions import db

BREAK = set(filter(None, os.environ.get("PBVOTE_TRUST_BREAK", "").split(",")))

if "forget" in BREAK:
    _store = casting.cast_ballot
    _calls = itertools.count(1)
    _lock = threading.Lock()

    def _cast_and_forget(*args: Any, **kwargs: Any) -> str:
        receipt = _store(*args, **kwargs)
        with _lock:
            forget = next(_calls) % 4 == 0
        if forget:
            db.session.rollback()  # the commit that follows stores nothing; the voter still gets 201
        return receipt

    casting.cast_ballot = _cast_and_forget

if "no503" in BREAK:

    def _plain_500(error: Exception) -> Any:
        db.session.rollback()
        return errors.error_response(500)

    errors.handle_unexpected_error = _plain_500

from pbvote import create_app  # noqa: E402  (after the patches: create_app registers the handlers)

app = create_app()
