"""One person, one vote under fire: 50 parallel submissions for each of 20 voters through a real gunicorn.

The server runs 4 worker processes on a fresh PostgreSQL database; each voter has a voting code and
chooses their own project, so the ballot box shows who got how many ballots without linking anyone to
a ballot. The companion test removes what the database guarantees (the unique participation and the
burning of codes) and shows that the same check then finds the duplicates: the check can fail.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import UniqueConstraint, func, select, text

from pbvote.ballots.models import Ballot, BallotLine, Participation, VotingCode
from pbvote.extensions import db
from pbvote.proposals.models import Project
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database, make_test_app
from tests.support.server import gunicorn_server
from tests.support.voting import CodeVoting, make_code_voting

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV),
    reason=f"{POSTGRES_ENV} not set: the race test needs PostgreSQL (CI sets it)",
)

VOTERS = 20
ATTEMPTS = 50  # per voter; every other one shares the voter's Idempotency-Key, the rest bring their own
CLIENT_THREADS = 100
SECRET = "race-test-secret"  # the server and the seeding app must hash codes with the same key
ALLOWED = {200, 201, 409}


@dataclass(frozen=True)
class Attempt:
    voter: int
    key: str


@dataclass(frozen=True)
class Answer:
    voter: int
    status: int  # 0: no HTTP answer at all
    receipt: str | None


@pytest.fixture
def race_app() -> Iterator[Flask]:
    """An app on a PostgreSQL database of its own, with the schema and nothing else."""
    url = create_postgres_database()
    app = make_test_app(url, SECRET_KEY=SECRET)
    try:
        with app.app_context():
            db.create_all()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


def seed_election() -> CodeVoting:
    """An approval budget with one project and one voting code per voter."""
    projects = [(f"P{voter:02d}", 1_000_00) for voter in range(VOTERS)]
    return make_code_voting(projects=projects, codes=VOTERS, max_projects=1)


def fire(base_url: str, election: CodeVoting) -> list[Answer]:
    """Send every voter's 50 submissions at once, voter after voter, from 100 client threads."""
    attempts = []
    for voter in range(VOTERS):
        shared = str(uuid.uuid4())
        attempts += [Attempt(voter, shared if n % 2 == 0 else str(uuid.uuid4())) for n in range(ATTEMPTS)]
    address = urlsplit(base_url)
    path = f"/api/v1/budgets/{election.budget_id}/ballots"

    def submit(attempt: Attempt) -> Answer:
        body = {"code": election.codes[attempt.voter], "projects": [election.project_codes[attempt.voter]]}
        headers = {"Content-Type": "application/json", "Idempotency-Key": attempt.key}
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
        try:
            connection.request("POST", path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError):
            return Answer(attempt.voter, 0, None)
        finally:
            connection.close()
        return Answer(attempt.voter, response.status, answer.get("receipt"))

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        return list(pool.map(submit, attempts))


def one_vote_each_problems(election: CodeVoting, answers: list[Answer]) -> list[str]:
    """Everything that breaks 'one person, one vote' in the answers and in the database; [] when sound."""
    problems = []
    unexpected = Counter(answer.status for answer in answers if answer.status not in ALLOWED)
    if unexpected:
        problems.append(f"answers other than 200/201/409: {dict(unexpected)}")
    receipts_given: set[str] = set()
    for voter in range(VOTERS):
        mine = [answer for answer in answers if answer.voter == voter]
        created = sum(answer.status == 201 for answer in mine)
        receipts = {answer.receipt for answer in mine if answer.status in (200, 201)}
        if created != 1:
            problems.append(f"voter {voter}: {created} answers 201 instead of 1")
        if len(receipts) != 1:
            problems.append(f"voter {voter}: {len(receipts)} different receipts")
        receipts_given |= {receipt for receipt in receipts if receipt}
    db.session.expire_all()
    budget = election.budget_id
    per_voter = db.session.execute(
        select(Participation.voter_key, func.count())
        .where(Participation.budget_id == budget)
        .group_by(Participation.voter_key)
    ).all()
    if len(per_voter) != VOTERS or any(count != 1 for _, count in per_voter):
        counts = sorted(count for _, count in per_voter)
        problems.append(f"duplicate participations: {len(per_voter)} voters with counts {counts}")
    per_project = dict(
        db.session.execute(
            select(Project.code, func.count(BallotLine.ballot_id))
            .join(BallotLine, BallotLine.project_id == Project.id, isouter=True)
            .where(Project.budget_id == budget)
            .group_by(Project.code)
        ).all()
    )
    if any(per_project.get(code) != 1 for code in election.project_codes):
        problems.append(f"duplicate ballots: ballots per voter's project {sorted(per_project.values())}")
    stored = set(db.session.scalars(select(Ballot.receipt).where(Ballot.budget_id == budget)))
    if stored != receipts_given:
        problems.append(f"{len(stored)} ballots in the box, {len(receipts_given)} receipts handed out")
    unused = db.session.scalar(
        select(func.count())
        .select_from(VotingCode)
        .where(VotingCode.budget_id == budget, VotingCode.used_on.is_(None))
    )
    if unused:
        problems.append(f"{unused} codes not burnt")
    return problems


def run_the_race(app: Flask, tmp_path: Path) -> tuple[CodeVoting, list[Answer], float]:
    election = seed_election()
    settings = {
        "PBVOTE_SECRET_KEY": SECRET,
        "PBVOTE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PBVOTE_API_CAST_RATE_LIMIT": "1000000 per minute",  # one client address fires everything
    }
    with gunicorn_server(settings, tmp_path / "gunicorn.log") as base_url:
        started = time.monotonic()
        answers = fire(base_url, election)
        seconds = time.monotonic() - started
    print(f"{len(answers)} submissions in {seconds:.1f} s: {dict(Counter(a.status for a in answers))}")
    return election, answers, seconds


def test_parallel_submissions_give_exactly_one_ballot_per_voter(race_app: Flask, tmp_path: Path) -> None:
    election, answers, _ = run_the_race(race_app, tmp_path)
    assert len(answers) == VOTERS * ATTEMPTS
    assert one_vote_each_problems(election, answers) == []


def test_without_the_database_guarantees_the_same_check_finds_duplicates(
    race_app: Flask, tmp_path: Path
) -> None:
    [unique] = [c for c in Participation.__table__.constraints if isinstance(c, UniqueConstraint)]
    db.session.execute(text(f'ALTER TABLE participation DROP CONSTRAINT "{unique.name}"'))
    db.session.execute(  # the code burn still runs, but the row stays unused, as if it had never been burnt
        text(
            "CREATE FUNCTION keep_codes_unused() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.used_on := NULL; RETURN NEW; END $$"
        )
    )
    db.session.execute(
        text(
            "CREATE TRIGGER keep_codes_unused BEFORE UPDATE ON voting_code "
            "FOR EACH ROW EXECUTE FUNCTION keep_codes_unused()"
        )
    )
    db.session.commit()
    election, answers, _ = run_the_race(race_app, tmp_path)
    problems = one_vote_each_problems(election, answers)
    assert any(problem.startswith("duplicate participations") for problem in problems), problems
    assert any(problem.startswith("duplicate ballots") for problem in problems), problems
