"""CSRF on every form and rate-limited login, with the real settings switched on."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.auth.models import User
from pbvote.extensions import db
from tests.builders import PASSWORD, make_user
from tests.conftest import empty_all_tables, make_test_app


@pytest.fixture
def guarded_app(database_url: str) -> Iterator[Flask]:
    """The app with CSRF and rate limits on, as in production."""
    app = make_test_app(
        database_url,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI="memory://",
    )
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def test_form_without_csrf_token_is_refused_and_writes_nothing(guarded_app: Flask) -> None:
    client = guarded_app.test_client()
    response = client.post(
        "/konto/registrer", data={"email": "a@example.dk", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 400
    assert "Din formular er udløbet" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_logout_by_link_is_impossible(guarded_app: Flask) -> None:
    assert guarded_app.test_client().get("/konto/log-ud").status_code == 405


def csrf_token(client: FlaskClient, url: str) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)
    )
    assert match
    return match.group(1)


def test_login_is_rate_limited_per_email_with_retry_after(guarded_app: Flask) -> None:
    user = make_user()
    client = guarded_app.test_client()
    token = csrf_token(client, "/konto/log-ind")
    wrong = {"email": user.email, "password": "wrong", "csrf_token": token}
    statuses = [client.post("/konto/log-ind", data=wrong).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    limited = client.post("/konto/log-ind", data={**wrong, "password": PASSWORD})
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert "For mange forsøg" in limited.get_data(as_text=True)
    other = client.post("/konto/log-ind", data={**wrong, "email": "someone@else.dk"})
    assert other.status_code == 422


@pytest.mark.skipif(
    not os.environ.get("PBVOTE_TEST_REDIS_URL"), reason="PBVOTE_TEST_REDIS_URL not set (CI sets it)"
)
def test_login_limit_is_shared_through_redis_across_app_processes(database_url: str) -> None:
    import redis

    url = os.environ["PBVOTE_TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    settings = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute", "REDIS_URL": url}
    first, second = make_test_app(database_url, **settings), make_test_app(database_url, **settings)
    form = {"email": "shared@example.dk", "password": "wrong"}
    assert first.test_client().post("/konto/log-ind", data=form).status_code == 422
    assert second.test_client().post("/konto/log-ind", data=form).status_code == 422
    assert first.test_client().post("/konto/log-ind", data=form).status_code == 429
    assert second.test_client().post("/konto/log-ind", data=form).status_code == 429
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()
