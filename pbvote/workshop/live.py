"""Tell every app process that a workshop changed, and let a projector stream wait for that change.

The workshop's ``version`` column in the database is the truth: a change bumps it, and a waiter compares it.
With ``PBVOTE_REDIS_URL`` set, a change is also published on ``pbvote:workshop:<id>`` so waiters in other
gunicorn workers wake at once; each waiter still re-reads the database at least once a second, so a lost
message (or a Redis outage) only slows the update down. Without Redis, waiters poll the database every
half second. Works with threaded workers: ``gunicorn -k gthread -w 4 --threads 8 wsgi:app``.
"""

from __future__ import annotations

import logging
import time
from types import TracebackType
from typing import Any

from flask import current_app
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.workshop.models import Workshop

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # without Redis: how often a waiter reads the version
RECHECK_SECONDS = 1.0  # with Redis: how long a waiter trusts pub/sub before reading the database again
_CLIENT_KEY = "pbvote_live_redis"


def channel(workshop_id: int) -> str:
    """The pub/sub channel of one workshop."""
    return f"pbvote:workshop:{workshop_id}"


def redis_client() -> Any | None:
    """The app's Redis client for live updates, or None when Redis is not configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get(_CLIENT_KEY)
    if client is None:
        import redis

        client = redis.Redis.from_url(str(url), socket_connect_timeout=2, health_check_interval=30)
        current_app.extensions[_CLIENT_KEY] = client
    return client


def publish_change(workshop_id: int) -> None:
    """Wake the projector streams of a workshop in every app process (call after the version bump commits).

    A Redis failure is logged and swallowed: waiters find the new version in the database within a second.
    """
    client = redis_client()
    if client is None:
        return
    import redis

    try:
        client.publish(channel(workshop_id), "changed")
    except redis.RedisError:
        log.warning("could not publish a workshop change to Redis; projectors fall back to the database")


def current_version(workshop_id: int) -> int | None:
    """The workshop's version as committed now (None: deleted); ends the read so the next one is fresh."""
    try:
        return db.session.scalar(select(Workshop.version).where(Workshop.id == workshop_id))
    finally:
        db.session.rollback()  # no snapshot kept (SQLite WAL), and the connection goes back to the pool


class ChangeListener:
    """Waits for a workshop's version to move on; one per stream, subscribed to Redis for its lifetime."""

    def __init__(self, workshop_id: int) -> None:
        self.workshop_id = workshop_id
        self._pubsub: Any | None = None
        client = redis_client()
        if client is not None:
            import redis

            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel(workshop_id))
                self._pubsub = pubsub
            except redis.RedisError:
                log.warning("could not subscribe to Redis; this projector stream polls the database")

    def __enter__(self) -> ChangeListener:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Unsubscribe and give the Redis connection back."""
        if self._pubsub is not None:
            try:
                self._pubsub.close()
            except Exception:  # closing a broken connection must not break the end of the stream
                log.debug("closing the pub/sub connection failed", exc_info=True)
            self._pubsub = None

    def wait(self, version: int | None, timeout: float) -> int | None:
        """Return the workshop's version as soon as it differs from ``version``, or when ``timeout`` runs out.

        Returns:
            The current version (equal to ``version`` after a timeout without change; None if deleted).
        """
        deadline = time.monotonic() + max(timeout, 0.0)
        current = current_version(self.workshop_id)
        while current == version:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self._pubsub is not None:
                self._listen(min(remaining, RECHECK_SECONDS))
            else:
                time.sleep(min(remaining, POLL_SECONDS))
            current = current_version(self.workshop_id)
        return current

    def _listen(self, seconds: float) -> None:
        """Block until a message arrives or ``seconds`` pass; a Redis error switches to polling."""
        import redis

        pubsub = self._pubsub
        if pubsub is None:
            time.sleep(min(seconds, POLL_SECONDS))
            return
        try:
            message = pubsub.get_message(timeout=seconds)
            while message is not None:  # drain what queued up: one database read answers them all
                message = pubsub.get_message(timeout=0)
        except redis.RedisError:
            log.warning("lost the Redis subscription; this projector stream polls the database")
            self.close()
            time.sleep(min(seconds, POLL_SECONDS))


def wait_for_change(workshop_id: int, version: int | None, timeout: float) -> int | None:
    """One-off wait: the workshop's version once it differs from ``version``, or after ``timeout`` seconds."""
    with ChangeListener(workshop_id) as listener:
        return listener.wait(version, timeout)
