"""Configuration: classes first, then PBVOTE_* variables; production is strict by default."""

from __future__ import annotations

import pytest

from pbvote import create_app


def test_production_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PBVOTE_SECRET_KEY", raising=False)
    monkeypatch.setenv("PBVOTE_ENV", "production")
    with pytest.raises(RuntimeError, match="PBVOTE_SECRET_KEY"):
        create_app()


def test_production_uses_secure_cookies_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBVOTE_ENV", "production")
    monkeypatch.setenv("PBVOTE_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PBVOTE_DATABASE_URL", "postgresql://u@db/pbvote")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/pbvote"
    monkeypatch.setenv("PBVOTE_SECURE_COOKIES", "false")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_environment_is_read_in_the_factory_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBVOTE_MUNICIPALITY_NAME", "Aarhus Kommune")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["MUNICIPALITY_NAME"] == "Aarhus Kommune"


def test_explicit_config_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PBVOTE_MAX_CONTENT_LENGTH", "5")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAX_CONTENT_LENGTH": 7})
    assert app.config["MAX_CONTENT_LENGTH"] == 7
