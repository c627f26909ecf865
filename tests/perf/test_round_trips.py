"""Database round trips of one cast, counted, and shown not to grow with the ballots already stored.

What is counted: every statement SQLAlchemy sends (``before_cursor_execute``; an executemany counts once)
plus the commit. Not counted, and the same for every request: psycopg's implicit BEGIN on PostgreSQL and
the pool's pre-ping on checkout (``PBVOTE_DATABASE_PRE_PING``). The frozen rules are read once per app
process, so each test casts one ballot first and counts the next one, as in a running server.

PostgreSQL: the budget, one statement that burns the code and stores participation, ballot and lines,
and the commit — 3. SQLite runs in-process (a statement is a function call, not a round trip), so its
writes run one by one: the bound there is 6.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select
from werkzeug.test import TestResponse

from pbvote.ballots import keys
from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.proposals.models import Project
from tests.api.support import new_key, post_ballot
from tests.support.voting import CodeVoting, make_code_voting

ROUND_TRIPS = {"postgresql": 3, "sqlite": 6}
STORED = 20_000
FORBIDDEN = re.compile(r"\bcount\s*\(|\bFROM\s+(ballot|ballot_line|participation)\b", re.IGNORECASE)


@dataclass
class Trips:
    """What one block sent to the database."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0

    @property
    def total(self) -> int:
        return len(self.statements) + self.commits

    def report(self) -> str:
        return "\n".join([f"{self.total} round trips:", *self.statements, f"COMMIT x {self.commits}"])


@contextmanager
def counting() -> Iterator[Trips]:
    """Record every statement and commit on the app's engine while the block runs."""
    trips = Trips()

    def statement(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        trips.statements.append(" ".join(sql.split()))

    def commit(_conn: object) -> None:
        trips.commits += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield trips
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def backend() -> str:
    return db.engine.dialect.name


def api_cast(client: FlaskClient, election: CodeVoting, code: str) -> TestResponse:
    return post_ballot(client, election.budget_id, {"code": code, "projects": ["P-1", "P-2"]}, key=new_key())


def booth_cast(client: FlaskClient, election: CodeVoting, code: str) -> TestResponse:
    """Confirm a ballot in the booth as a code holder whose code is in the session."""
    with client.session_transaction() as session:
        session["voting_codes"] = {str(election.budget_id): keys.normalise_code(code)}
    data = {"project": ["P-1", "P-2"], "retry_key": secrets.token_urlsafe(24)}
    return client.post(f"/stem/pulje/{election.budget_id}/afgiv", data=data)


CASTS: dict[str, tuple[Callable[[FlaskClient, CodeVoting, str], TestResponse], int]] = {
    "api": (api_cast, 201),
    "booth": (booth_cast, 302),
}


@pytest.mark.parametrize("path", sorted(CASTS))
def test_cast_takes_at_most_three_round_trips_on_postgresql(
    app: Flask, client: FlaskClient, path: str
) -> None:
    cast, created = CASTS[path]
    election = make_code_voting(codes=2)
    assert cast(client, election, election.codes[0]).status_code == created  # reads the rules once
    with counting() as trips:
        response = cast(client, election, election.codes[1])
    assert response.status_code == created
    print(f"{backend()} {path}: {trips.report()}")
    assert trips.commits == 1
    assert trips.total <= ROUND_TRIPS[backend()], trips.report()


@pytest.mark.parametrize("path", sorted(CASTS))
def test_cast_reads_no_ballot_and_counts_nothing(app: Flask, client: FlaskClient, path: str) -> None:
    cast, created = CASTS[path]
    election = make_code_voting(codes=2)
    cast(client, election, election.codes[0])
    with counting() as trips:
        assert cast(client, election, election.codes[1]).status_code == created
    assert [sql for sql in trips.statements if FORBIDDEN.search(sql)] == []


def test_a_refused_code_still_writes_nothing_and_answers_why(app: Flask, client: FlaskClient) -> None:
    election = make_code_voting(codes=1)
    assert api_cast(client, election, election.codes[0]).status_code == 201
    again = api_cast(client, election, election.codes[0])
    unknown = api_cast(client, election, keys.new_voting_code())
    assert (again.status_code, unknown.status_code) == (409, 403)
    db.session.expire_all()
    assert db.session.query(Ballot).count() == 1


def store_ballots(election: CodeVoting, count: int) -> None:
    """Put ``count`` ballots (with participations and two lines each) straight into the box."""
    query = select(Project.code, Project.id).where(Project.budget_id == election.budget_id)
    projects = {row.code: row.id for row in db.session.execute(query)}
    today = utcnow().date()
    for start in range(0, count, 5_000):
        ids = [secrets.token_hex(16) for _ in range(start, min(count, start + 5_000))]
        db.session.execute(
            insert(Participation),
            [
                {"budget_id": election.budget_id, "voter_key": f"seed:{ballot}", "channel": Channel.ONLINE,
                 "voted_on": today, "retry_hash": None}
                for ballot in ids
            ],
        )  # fmt: skip
        db.session.execute(
            insert(Ballot),
            [
                {"id": ballot, "budget_id": election.budget_id, "channel": Channel.ONLINE, "station": None,
                 "cast_on": today, "receipt": ballot[:14].upper()}
                for ballot in ids
            ],
        )  # fmt: skip
        db.session.execute(
            insert(BallotLine),
            [{"ballot_id": ballot, "project_id": projects[code], "value": 1}
             for ballot in ids for code in ("P-1", "P-2")],
        )  # fmt: skip
    db.session.commit()


def visit(
    client: FlaskClient, election: CodeVoting, code: str, cast: Callable[..., TestResponse]
) -> list[str]:
    """The statements of the booth page, a cast and the receipt page, with the values taken out."""
    with client.session_transaction() as session:
        session["voting_codes"] = {str(election.budget_id): keys.normalise_code(code)}
    with counting() as trips:
        assert client.get(f"/stem/pulje/{election.budget_id}").status_code == 200
        cast(client, election, code)
        assert client.get(f"/stem/pulje/{election.budget_id}/kvittering").status_code == 200
    return [*trips.statements, f"COMMIT x {trips.commits}"]


def test_casting_with_20000_ballots_stored_sends_the_same_statements_as_with_none(
    app: Flask, client: FlaskClient
) -> None:
    election = make_code_voting(codes=3)
    booth_cast(client, election, election.codes[0])  # reads the rules once
    empty = visit(client, election, election.codes[1], booth_cast)
    store_ballots(election, STORED)
    full = visit(client, election, election.codes[2], booth_cast)
    assert full == empty
    assert [sql for sql in full if re.search(r"\bcount\s*\(", sql, re.IGNORECASE)] == []
