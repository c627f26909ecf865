"""Booth rate limits: per participant in a workshop (a class shares one address), per address elsewhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Eligibility
from tests.builders import make_voting_budget
from tests.conftest import empty_all_tables, make_test_app
from tests.workshop.support import new_workshop

CLASSROOM = "10.1.2.3"  # everyone in the room, behind one router


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    """The app with rate limits on (in memory): 3 booth posts a minute."""
    app = make_test_app(
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        BOOTH_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def in_class(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = CLASSROOM
    return client


def test_two_participants_behind_one_address_are_limited_separately(limited_app: Flask) -> None:
    workshop = new_workshop(voting=True)
    booth = f"/stem/pulje/{workshop.process.budgets[0].id}"
    first, second = in_class(limited_app), in_class(limited_app)
    for client in (first, second):
        assert client.get(f"/j/{workshop.join_code}").status_code == 302
    add = {"add": "E-2"}
    assert [first.post(booth, data=add).status_code for _ in range(3)] == [200, 200, 200]
    assert first.post(booth, data=add).status_code == 429  # this participant is throttled …
    assert [second.post(booth, data=add).status_code for _ in range(3)] == [200, 200, 200]  # … not the room
    assert first.get(booth).status_code == 200  # reading the ballot is never limited


def test_without_the_cookie_and_outside_workshops_the_limit_is_per_address(limited_app: Flask) -> None:
    workshop = new_workshop(voting=True)
    open_booth = f"/stem/pulje/{workshop.process.budgets[0].id}"
    cookieless = [in_class(limited_app) for _ in range(4)]  # a fresh token per request proves nothing
    assert [client.post(open_booth, data={"add": "E-2"}).status_code for client in cookieless] == [
        200, 200, 200, 429,
    ]  # fmt: skip
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=Eligibility.CODE)
    coded = f"/stem/pulje/{budget.id}"
    others = [in_class(limited_app) for _ in range(4)]
    for client in others:
        client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
        client.get(f"/j/{workshop.join_code}")  # a workshop cookie does not lift other processes' limits
    statuses = [client.post(coded, data={"add": "P-1"}).status_code for client in others]
    assert statuses[-1] == 429 and 429 not in statuses[:3]
