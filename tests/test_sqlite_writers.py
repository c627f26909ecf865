"""SQLite writers queue on a lock instead of sleeping in SQLite's busy handler, and always let it go."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pbvote.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    app = make_test_app(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE probe (n INTEGER)"))
        yield db.engine
        db.engine.dispose()


def rows(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [n for (n,) in conn.execute(text("SELECT n FROM probe ORDER BY n"))]


def write_in_thread(engine: Engine, number: int, done: list[tuple[int, float]]) -> threading.Thread:
    """A writer whose SQLite connection does not wait at all: only the writer lock can make it queue."""

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(text("PRAGMA busy_timeout=0"))
            conn.execute(text("INSERT INTO probe (n) VALUES (:n)"), {"n": number})
        done.append((number, time.monotonic()))

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_until_the_first_has_committed_and_then_succeeds(engine: Engine) -> None:
    done: list[tuple[int, float]] = []
    with engine.connect() as first:
        first.execute(text("INSERT INTO probe (n) VALUES (1)"))
        second = write_in_thread(engine, 2, done)
        time.sleep(0.3)
        assert done == []  # waiting for the first writer, not failed
        assert rows(engine) == []  # and the reader is not held up by either
        first.commit()
        committed = time.monotonic()
    second.join(timeout=10)
    assert [number for number, _ in done] == [2] and done[0][1] >= committed
    assert rows(engine) == [1, 2]


@pytest.mark.parametrize("ending", ["rollback", "return to the pool"])
def test_the_lock_is_let_go_when_a_writer_gives_up(engine: Engine, ending: str) -> None:
    done: list[tuple[int, float]] = []
    first = engine.connect()
    first.execute(text("INSERT INTO probe (n) VALUES (1)"))
    if ending == "rollback":
        first.rollback()
    else:
        first.close()
    write_in_thread(engine, 2, done).join(timeout=5)
    assert [number for number, _ in done] == [2]
    assert rows(engine) == [2]
    first.close()


def test_a_burst_of_writers_from_many_threads_all_get_through(engine: Engine) -> None:
    done: list[tuple[int, float]] = []
    threads = [write_in_thread(engine, number, done) for number in range(40)]
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(number for number, _ in done) == list(range(40))
    assert rows(engine) == list(range(40))
