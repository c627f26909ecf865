"""Atomic casting: a database failure at any statement of a cast (or at its commit) leaves nothing behind.

For the booth and for the JSON API, the cast request is sent again and again; each time the database
driver fails the Nth statement (N = 1, 2, … until a request runs without meeting a failure), either once
("a blip") or from there on ("the database went away"). After each failure: no participation, no ballot,
no lines, the code unused, and the voter got the translated, retryable 503 (never a 500 or a traceback).
The last, unfailed request is the voter's retry with the same key, and it is stored. The companion runs
the same requests on connections in autocommit (the transaction removed) and finds the leftovers.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from pbvote.ballots.models import Ballot, BallotLine, Participation, VotingCode
from pbvote.errors import ERROR_TEXTS
from pbvote.extensions import db
from pbvote.processes.models import Eligibility
from tests.conftest import empty_all_tables, make_test_app
from tests.support.voting import CodeVoting, make_code_voting

CODE = Eligibility.CODE
RULES_CACHE = "pbvote_frozen_rules"  # app.extensions key of the frozen rules the cast path keeps per process
MAX_STATEMENTS = 200  # a cast that needs more has gone wrong in another way


class Fault:
    """Counts the statements the driver executes while armed and fails the chosen one (or the commit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.error = engine.dialect.loaded_dbapi.OperationalError
        self.armed = False
        self.fail_at: int | None = None  # the Nth statement fails ...
        self.persist = False  # ... and every one after it too (the database went away)
        self.fail_commit = False
        self.seen = 0
        self.failed = 0
        self.statements: list[str] = []  # what ran (or was tried) while armed this time
        self.ever_failed: set[str] = set()  # every statement text that was made to fail since entering
        self._hooks: list[tuple[str, Callable[..., Any]]] = [
            ("do_execute", self._statement),
            ("do_executemany", self._statement),
            ("do_execute_no_params", self._statement),
        ]

    def __enter__(self) -> Fault:
        for name, hook in self._hooks:
            event.listen(self.engine, name, hook)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc: object) -> None:
        for name, hook in self._hooks:
            event.remove(self.engine, name, hook)
        event.remove(self.engine, "commit", self._commit)

    def arm(self, *, fail_at: int | None = None, persist: bool = False, fail_commit: bool = False) -> None:
        self.armed, self.fail_at, self.persist, self.fail_commit = True, fail_at, persist, fail_commit
        self.seen = self.failed = 0
        self.statements = []

    def disarm(self) -> None:
        self.armed = False

    def _statement(self, _cursor: object, statement: str, *_args: object) -> bool:
        """Fail like the driver does (a DB-API OperationalError, which SQLAlchemy wraps); else let it run."""
        if not self.armed:
            return False
        self.seen += 1
        text = " ".join(statement.split())[:120]
        self.statements.append(text)
        if self.fail_at is not None and (
            self.seen == self.fail_at or (self.persist and self.seen > self.fail_at)
        ):
            self.failed += 1
            self.ever_failed.add(text)
            raise self.error(f"injected failure at statement {self.seen}")
        return False

    def _commit(self, _connection: object) -> None:
        if self.armed and self.fail_commit:
            self.failed += 1
            raise OperationalError("COMMIT", None, self.error("injected failure at commit"))


@pytest.fixture(params=["transaction", "autocommit"])
def cast_app(request: pytest.FixtureRequest, database_url: str) -> Iterator[Flask]:
    """The app on the session's database; 'autocommit' removes the cast's transaction (the companion)."""
    settings: dict[str, Any] = {}
    if request.param == "autocommit":
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"isolation_level": "AUTOCOMMIT"}
    app = make_test_app(database_url, **settings)
    app.config["GUARDED"] = request.param == "transaction"
    with app.app_context():
        yield app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class CastPath:
    """One way to cast: how to get ready with a code (outside the faults) and the cast request itself."""

    name: str
    eligibility: Eligibility
    prepare: Callable[[FlaskClient, CodeVoting, str], None]
    cast: Callable[[FlaskClient, CodeVoting, str, str], TestResponse]
    stored: Callable[[TestResponse], bool]


def _api_cast(client: FlaskClient, election: CodeVoting, code: str, key: str) -> TestResponse:
    body = {"code": code, "projects": ["P-1", "P-2"]}
    headers = {"Idempotency-Key": key, "Accept-Language": "da"}
    return client.post(f"/api/v1/budgets/{election.budget_id}/ballots", json=body, headers=headers)


def _booth_prepare(client: FlaskClient, election: CodeVoting, code: str) -> None:
    response = client.post(f"/stem/{election.process_slug}/kode", data={"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _open_prepare(client: FlaskClient, election: CodeVoting, _code: str) -> None:
    response = client.get(f"/stem/pulje/{election.budget_id}")  # a workshop booth: the browser is the voter
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def _booth_cast(client: FlaskClient, election: CodeVoting, _code: str, key: str) -> TestResponse:
    data = {"project": ["P-1", "P-2"], "retry_key": key}
    return client.post(f"/stem/pulje/{election.budget_id}/afgiv", data=data)


def _booth_stored(response: TestResponse) -> bool:
    return response.status_code == 302 and response.location.endswith("/kvittering")


PATHS = {
    "api": CastPath(
        "api", CODE, lambda _client, _election, _code: None, _api_cast, lambda r: r.status_code == 201
    ),
    "booth": CastPath("booth", CODE, _booth_prepare, _booth_cast, _booth_stored),
    "open booth": CastPath("open booth", Eligibility.OPEN, _open_prepare, _booth_cast, _booth_stored),
}


def box(budget_id: int) -> dict[str, int]:
    """The rows a cast writes in the budget, counted from what is committed."""
    db.session.expire_all()

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    ballots = select(Ballot.id).where(Ballot.budget_id == budget_id)
    return {
        "participations": count(Participation, Participation.budget_id == budget_id),
        "ballots": count(Ballot, Ballot.budget_id == budget_id),
        "lines": count(BallotLine, BallotLine.ballot_id.in_(ballots)),
        "used codes": count(VotingCode, VotingCode.budget_id == budget_id, VotingCode.used_on.is_not(None)),
    }


def leftovers(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """What a failed cast left behind: [] when nothing at all."""
    return [f"{after[what] - number} {what}" for what, number in before.items() if after[what] != number]


def answer_problems(app: Flask, path: CastPath, response: TestResponse) -> list[str]:
    """The voter must get the translated 'try again' answer with status 503, and no traceback."""
    with app.test_request_context(), force_locale("da"):
        retry = str(ERROR_TEXTS[503][1])
    assert retry != "The service is busy or under maintenance. Please try again soon.", (
        "503 text untranslated"
    )
    body = html.unescape(response.get_data(as_text=True))
    if path.name == "api":
        body = str((response.get_json(silent=True) or {}).get("error"))
    problems = []
    if response.status_code != 503:
        problems.append(f"status {response.status_code} instead of 503")
    if retry not in body:
        problems.append("the translated 'try again' message is missing")
    if "Traceback" in body or "OperationalError" in body:
        problems.append("the answer shows the error's internals")
    if path.name == "api" and (response.get_json(silent=True) or {}).get("error", {}).get("status") != 503:
        problems.append("the API answer is not a JSON 503 error")
    return problems


def fail_every_step(app: Flask, path: CastPath, *, persist: bool) -> tuple[int, list[str]]:
    """Fail statement 1, 2, … of a cast until one runs through (the voter's retry); then fail a commit.

    Returns the number of statements a cast runs, and every problem met after each failure (without the
    transaction: up to the first leftovers).
    """
    election = make_code_voting(codes=2, eligibility=path.eligibility)
    problems: list[str] = []
    statements = 0
    with Fault(db.engine) as fault:
        for code, steps in (
            (election.codes[0], range(1, MAX_STATEMENTS + 1)),
            (election.codes[1], ["commit"]),
        ):
            client = app.test_client()  # a new voter: a new session (and browser, for open voting)
            path.prepare(client, election, code)
            key = uuid.uuid4().hex  # fits both the booth's retry key and the API's Idempotency-Key
            before = box(election.budget_id)
            for step in steps:
                app.extensions.pop(RULES_CACHE, None)  # every attempt takes the same (cold) path
                fault.arm(
                    fail_at=step if isinstance(step, int) else None,
                    persist=persist,
                    fail_commit=step == "commit",
                )
                response = path.cast(client, election, code, key)
                fault.disarm()
                if not fault.failed:  # the cast ran to its end without meeting statement N: it was the retry
                    statements = fault.seen
                    problems += [
                        f"never failed: {text}" for text in fault.statements if text not in fault.ever_failed
                    ]
                    break
                problems += [f"step {step}: {p}" for p in answer_problems(app, path, response)]
                left = leftovers(before, box(election.budget_id))
                problems += [f"step {step}: left {p}" for p in left]
                if left and not app.config["GUARDED"]:
                    return statements, problems
            else:
                if step != "commit":
                    problems.append(f"a cast still met a failure after {MAX_STATEMENTS} statements")
                response = path.cast(client, election, code, key)  # the voter's retry after the failed commit
            if not path.stored(response):
                problems.append(f"the retry after the failures was not stored: {response.status_code}")
    return statements, problems


@pytest.mark.parametrize("persist", [False, True], ids=["blip", "gone"])
@pytest.mark.parametrize("path_name", list(PATHS))
def test_a_failure_at_any_step_of_a_cast_leaves_nothing_and_asks_to_try_again(
    cast_app: Flask, path_name: str, persist: bool
) -> None:
    path = PATHS[path_name]
    statements, problems = fail_every_step(cast_app, path, persist=persist)
    if cast_app.config["GUARDED"]:
        assert statements >= 2, "a cast reads the budget and writes the ballot"
        assert problems == []
    else:
        assert any(" left " in problem for problem in problems), problems
