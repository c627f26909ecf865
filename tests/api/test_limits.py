"""Rate limits on casting: wrong codes per address and budget, shared by every worker through Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.extensions import db
from tests.api.support import error_code, post_ballot
from tests.conftest import empty_all_tables, make_test_app
from tests.support.voting import CodeVoting, box_state, make_code_voting

WRONG = {"code": "0000-0000-0000", "projects": ["P-1"]}


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    """The app with rate limits on (in memory): 3 wrong codes, 5 submissions a minute."""
    app = make_test_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        API_CODE_GUESS_RATE_LIMIT="3 per minute",
        API_CAST_RATE_LIMIT="5 per minute",
    )
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def client_at(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_codes_are_limited_per_address_and_budget_with_retry_after(limited_app: Flask) -> None:
    voting, other = make_code_voting(), make_code_voting()
    client = limited_app.test_client()
    assert [post_ballot(client, voting.budget_id, WRONG).status_code for _ in range(3)] == [403, 403, 403]
    limited = post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]})
    assert limited.status_code == 429
    assert error_code(limited) == "rate_limited"
    assert "Retry-After" in limited.headers
    assert "For mange forsøg" in limited.get_json()["error"]["message"]
    assert box_state().ballots == 0
    assert post_ballot(client, other.budget_id, WRONG).status_code == 403
    elsewhere = client_at(limited_app, "10.0.0.9")
    assert post_ballot(elsewhere, voting.budget_id, WRONG).status_code == 403


def test_right_codes_do_not_count_as_guesses(limited_app: Flask) -> None:
    voting = make_code_voting(codes=4)
    client = limited_app.test_client()
    statuses = [
        post_ballot(client, voting.budget_id, {"code": c, "projects": ["P-1"]}).status_code
        for c in voting.codes
    ]
    assert statuses == [201, 201, 201, 201]
    assert (
        post_ballot(client, voting.budget_id, {"code": voting.codes[0], "projects": ["P-1"]}).status_code
        == 409
    )


def test_every_submission_counts_against_the_cast_limit(limited_app: Flask) -> None:
    voting = make_code_voting(codes=6)
    client = limited_app.test_client()
    statuses = [
        post_ballot(client, voting.budget_id, {"code": c, "projects": ["P-1"]}).status_code
        for c in voting.codes
    ]
    assert statuses == [201, 201, 201, 201, 201, 429]
    assert box_state().ballots == 5


@pytest.mark.skipif(
    not os.environ.get("PBVOTE_TEST_REDIS_URL"), reason="PBVOTE_TEST_REDIS_URL not set (CI sets it)"
)
def test_wrong_code_limit_is_shared_through_redis_across_app_processes(database_url: str) -> None:
    import redis

    url = os.environ["PBVOTE_TEST_REDIS_URL"]
    store = redis.Redis.from_url(url)
    store.flushdb()
    settings = {"RATELIMIT_ENABLED": True, "API_CODE_GUESS_RATE_LIMIT": "2 per minute", "REDIS_URL": url}
    first, second = make_test_app(database_url, **settings), make_test_app(database_url, **settings)
    try:
        with first.app_context():
            voting: CodeVoting = make_code_voting()
        statuses = [
            post_ballot(app.test_client(), voting.budget_id, WRONG).status_code for app in (first, second)
        ]
        statuses += [
            post_ballot(app.test_client(), voting.budget_id, WRONG).status_code for app in (first, second)
        ]
        assert statuses == [403, 403, 429, 429]
        assert any(b"api-code" in key for key in store.scan_iter())  # the counts live in Redis …
        store.flushdb()
        assert (
            post_ballot(second.test_client(), voting.budget_id, WRONG).status_code == 403
        )  # … and only there
    finally:
        store.flushdb()
        with first.app_context():
            db.session.rollback()
            empty_all_tables()
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()
