"""A database that dies after a page was rendered must not turn the finished page into a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.extensions import db


class DyingRollback:
    """The request's closing ROLLBACK fails, as when PostgreSQL restarts after the page was rendered."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.dialect = db.engine.dialect
        self.original = self.dialect.do_rollback
        self.error = self.dialect.loaded_dbapi.OperationalError
        self.armed = False  # fail the ROLLBACK at the end of the next request
        self.failures_left = 0
        self.failed = 0

    def arm_for_teardown(self, _error: BaseException | None) -> None:
        if self.armed:
            self.failures_left, self.armed = 1, False

    def __call__(self, connection: Any) -> None:
        if self.failures_left:
            self.failures_left -= 1
            self.failed += 1
            raise self.error("server closed the connection unexpectedly")
        self.original(connection)


@pytest.fixture
def dying_rollback(app: Flask, monkeypatch: pytest.MonkeyPatch) -> DyingRollback:
    fault = DyingRollback(app)
    monkeypatch.setattr(fault.dialect, "do_rollback", fault)
    app.teardown_appcontext(fault.arm_for_teardown)  # registered last, so it runs before the session ends
    return fault


def test_the_page_is_served_when_the_closing_rollback_fails(
    client: FlaskClient, dying_rollback: DyingRollback
) -> None:
    dying_rollback.armed = True
    response = client.get("/", headers={"Accept-Language": "da"})
    assert dying_rollback.failed == 1, "the request ended without a ROLLBACK: the check did not bite"
    assert response.status_code == 200
    assert client.get("/").status_code == 200, "the next request did not get a working connection"


def test_the_failure_is_logged_for_operators(
    client: FlaskClient, dying_rollback: DyingRollback, caplog: pytest.LogCaptureFixture
) -> None:
    dying_rollback.armed = True
    client.get("/")
    assert "Database went away while a request ended" in caplog.text
