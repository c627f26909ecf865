"""live.py: a change reaches a waiting projector stream, through the database alone and through Redis."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from pbvote.extensions import db
from pbvote.workshop import live
from pbvote.workshop.models import Workshop
from tests.conftest import make_test_app
from tests.workshop.live_support import make_workshop

REDIS_ENV = "PBVOTE_TEST_REDIS_URL"
needs_redis = pytest.mark.skipif(not os.environ.get(REDIS_ENV), reason=f"{REDIS_ENV} not set (CI sets it)")


def bump_later(app: Flask, workshop_id: int, *, delay: float, publish: bool) -> threading.Thread:
    """Another app process's change: bump the version after ``delay`` seconds, commit, maybe publish."""

    def run() -> None:
        time.sleep(delay)
        with app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            assert workshop is not None
            workshop.version += 1
            db.session.commit()
            if publish:
                live.publish_change(workshop_id)
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_without_redis_nothing_is_published_and_a_waiter_sees_a_new_version_at_once(app: Flask) -> None:
    workshop = make_workshop()
    assert live.redis_client() is None
    live.publish_change(workshop.id)  # nothing to publish to, and no error
    assert live.current_version(workshop.id) == workshop.version
    assert live.wait_for_change(workshop.id, workshop.version - 1, timeout=5) == workshop.version


def test_without_redis_an_unchanged_workshop_gives_back_the_same_version_after_the_wait(app: Flask) -> None:
    workshop = make_workshop()
    assert live.wait_for_change(workshop.id, workshop.version, timeout=0.3) == workshop.version


def test_without_redis_a_change_committed_elsewhere_ends_the_wait(app: Flask) -> None:
    workshop = make_workshop()
    before = workshop.version
    thread = bump_later(app, workshop.id, delay=0.3, publish=False)
    assert live.wait_for_change(workshop.id, before, timeout=30) == before + 1
    thread.join()


def test_a_deleted_workshop_ends_the_wait_with_none(app: Flask) -> None:
    workshop = make_workshop()
    version = workshop.version
    db.session.delete(workshop)
    db.session.commit()
    assert live.wait_for_change(workshop.id, version, timeout=5) is None


@pytest.fixture
def redis_app(database_url: str) -> Iterator[Flask]:
    """The app with live updates through the test Redis (db 15, emptied first)."""
    import redis

    url = os.environ[REDIS_ENV]
    redis.Redis.from_url(url).flushdb()
    app = make_test_app(database_url, REDIS_URL=url)
    with app.app_context():
        yield app
        from tests.conftest import empty_all_tables

        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@needs_redis
def test_with_redis_a_change_is_published_on_the_workshops_channel(redis_app: Flask) -> None:
    import redis

    workshop = make_workshop()
    listener = redis.Redis.from_url(os.environ[REDIS_ENV]).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(live.channel(workshop.id))
    listener.get_message(timeout=1)  # the subscription's confirmation
    live.publish_change(workshop.id)
    message = listener.get_message(timeout=5)
    listener.close()
    assert message is not None
    assert message["channel"] == f"pbvote:workshop:{workshop.id}".encode()


@needs_redis
def test_with_redis_a_published_change_wakes_the_waiter_without_waiting_for_the_database_recheck(
    redis_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "RECHECK_SECONDS", 60.0)  # only the message can end this wait early
    workshop = make_workshop()
    before = workshop.version
    with live.ChangeListener(workshop.id) as listener:
        thread = bump_later(redis_app, workshop.id, delay=0.3, publish=True)
        assert listener.wait(before, timeout=60) == before + 1
        thread.join()


@needs_redis
def test_with_redis_an_unpublished_change_is_still_found_in_the_database(redis_app: Flask) -> None:
    workshop = make_workshop()
    before = workshop.version
    thread = bump_later(redis_app, workshop.id, delay=0.3, publish=False)  # e.g. the message got lost
    assert live.wait_for_change(workshop.id, before, timeout=30) == before + 1
    thread.join()


def test_when_redis_is_unreachable_publishing_is_harmless_and_waiters_poll_the_database(
    database_url: str,
) -> None:
    app = make_test_app(database_url, REDIS_URL="redis://127.0.0.1:1/15")  # nothing listens on port 1
    with app.app_context():
        try:
            workshop = make_workshop()
            live.publish_change(workshop.id)
            before = workshop.version
            thread = bump_later(app, workshop.id, delay=0.3, publish=True)
            assert live.wait_for_change(workshop.id, before, timeout=30) == before + 1
            thread.join()
        finally:
            from tests.conftest import empty_all_tables

            db.session.rollback()
            empty_all_tables()
            db.session.remove()
            db.engine.dispose()
