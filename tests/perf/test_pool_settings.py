"""The PostgreSQL pool is sized by PBVOTE_DATABASE_* settings; preparing can be switched off for PgBouncer."""

from __future__ import annotations

import pytest

from pbvote import create_app


def test_pool_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBVOTE_DATABASE_POOL_SIZE", "8")
    monkeypatch.setenv("PBVOTE_DATABASE_MAX_OVERFLOW", "2")
    monkeypatch.setenv("PBVOTE_DATABASE_POOL_RECYCLE", "1800")
    monkeypatch.setenv("PBVOTE_DATABASE_PREPARE_THRESHOLD", "null")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql://u@db/pbvote"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"], options["pool_recycle"]) == (8, 2, 1800)
    assert options["pool_pre_ping"] is True
    assert options["connect_args"] == {"prepare_threshold": None}


def test_psycopg_keeps_its_own_preparing_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PBVOTE_DATABASE_PREPARE_THRESHOLD", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql://u@db/pbvote"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": 5}


def test_sqlite_gets_no_pool_settings() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "pool_size" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
