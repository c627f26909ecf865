"""Fixtures in the style of Flask's tutorial: an app per test on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import delete, event
from werkzeug.test import TestResponse

from pbvote import create_app, normalise_database_url
from pbvote.db import Base
from pbvote.extensions import db

POSTGRES_ENV = "PBVOTE_TEST_DATABASE_URL"

# Shared CI machines are noisy: no per-example deadline, so a slow moment is never a failure.
settings.register_profile("pbvote", deadline=None, print_blob=True)
settings.load_profile("pbvote")


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when PBVOTE_TEST_DATABASE_URL points at a server."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _admin_url() -> str:
    return normalise_database_url(os.environ[POSTGRES_ENV]).replace("postgresql+psycopg://", "postgresql://")


def create_postgres_database() -> str:
    """Create a uniquely named database on the configured server and return its SQLAlchemy URL."""
    import psycopg

    name = f"pbvote_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = normalise_database_url(os.environ[POSTGRES_ENV])
    return base.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    """Drop a database made by create_postgres_database, closing any connection left behind."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for the whole run, with the schema created once."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'pbvote-test.sqlite3'}"
    else:
        url = create_postgres_database()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if request.param == "postgresql":
        drop_postgres_database(url)


def empty_all_tables() -> None:
    """Delete every row, children first, so the next test starts from nothing."""
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


class RequestIsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(database_url: str, **settings: Any) -> Flask:
    """The app in testing mode on ``database_url``; the test client isolates requests."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app.test_client_class = RequestIsolatedClient
    return app


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A fresh app on the session's database, emptied after the test."""
    app = make_test_app(database_url)
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends while the test runs (clear it to start counting)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests leave screenshots and reports (kept by CI)."""
    path = Path(__file__).resolve().parents[1] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

# One definition of the Chromium fixtures for the whole run: a second session-scoped copy would start
# Playwright twice in one process, which it refuses.
from tests.browser.fixtures import browser, chromium_executable, phone  # noqa: E402, F401
