"""Crash with load: gunicorn is killed with SIGKILL mid-load, restarted, and voters resume with their keys.

Voters with codes cast through the JSON API of a 4-worker gunicorn on PostgreSQL; every acknowledged
receipt goes to a ledger. Partway through, the arbiter and all workers get SIGKILL at once. A new server
starts on the same database; every voter without an answer sends again with the same Idempotency-Key,
and some acknowledged voters send again too. Then: every acknowledged receipt is in the box, no retry
made a second ballot or got another receipt, and each budget's invariants hold. The companion serves an
app that acknowledges some ballots without storing them, on a database without the uniqueness guards,
and shows that the same checks report the lost and the duplicated ballots.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from pbvote.core.types import BallotKind
from pbvote.extensions import db
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database, make_test_app
from tests.support.voting import make_code_voting
from tests.trust.boxcheck import box_problems, ledger_figures, ledger_problems, project_codes, save_figures
from tests.trust.loadgen import (
    ACKNOWLEDGED,
    NO_ANSWER,
    Answer,
    Ledger,
    Voter,
    make_voters,
    run_load,
    start_gunicorn,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV),
        reason=f"{POSTGRES_ENV} not set: the crash test needs PostgreSQL and gunicorn (CI sets it)",
    ),
]

SECRET = "crash-test-secret"  # the server and the seeding app must hash codes with the same key
PROJECTS = [(f"C{n}", 40_000_00 + n * 10_000_00) for n in range(6)]
KINDS: tuple[tuple[BallotKind, dict[str, Any]], ...] = (
    (BallotKind.APPROVAL, {"max_projects": 3}),
    (BallotKind.CUMULATIVE, {"points": 10}),
    (BallotKind.RANKED, {"max_projects": 3}),
)
RESENT_SHARE = 0.25  # of the acknowledged voters, this share sends the same ballot again after the restart
RETRIES = 3  # a resumed voter who gets a server error or no answer tries again, as a client would


@pytest.fixture
def crash_app() -> Iterator[Flask]:
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


def seed(voters_per_budget: int) -> tuple[list[int], list[Voter]]:
    """An approval, a cumulative and a ranked budget voting with codes, and a voter per code."""
    budget_ids, voters = [], []
    for seed_number, (kind, limits) in enumerate(KINDS, 1):
        election = make_code_voting(kind=kind, projects=PROJECTS, codes=voters_per_budget, **limits)
        budget_ids.append(election.budget_id)
        codes = project_codes(election.budget_id)
        voters += make_voters(election.budget_id, kind, election.codes, codes, seed=seed_number)
    random.Random(0).shuffle(voters)
    return budget_ids, voters


@dataclass
class CrashRun:
    ledger: Ledger
    before: list[Answer]
    resumed: list[Answer]
    resent: list[Answer]
    killed: int
    log: Path


def crash_and_resume(
    app: Flask, tmp_path: Path, voters: list[Voter], *, kill_after: int, wsgi: str = "wsgi:app",
    extra: dict[str, str] | None = None,
) -> CrashRun:  # fmt: skip
    """Load, SIGKILL everything after ``kill_after`` acknowledgements, restart, resume with the same keys."""
    settings = {
        "PBVOTE_SECRET_KEY": SECRET,
        "PBVOTE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PBVOTE_API_CAST_RATE_LIMIT": "1000000 per minute",  # one client address sends everything
        **(extra or {}),
    }
    log = tmp_path / "gunicorn.log"
    ledger = Ledger(tmp_path / "ledger.jsonl")
    server = start_gunicorn(settings, log, app=wsgi)
    lock, killed = threading.Lock(), list[int]()

    def kill_midway(_answer: Answer) -> None:
        with lock:
            if not killed and ledger.count() >= kill_after:
                killed.append(server.kill_all())

    try:
        before = run_load(lambda: server.base_url, voters, ledger, phase="before", on_answer=kill_midway)
    finally:
        server.stop()
    assert killed, (
        f"the load finished before {kill_after} acknowledgements: {Counter(a.status for a in before)}"
    )
    server = start_gunicorn(settings, log, app=wsgi)
    try:
        waiting = [voter for voter in voters if not ledger.acknowledged(voter)]
        done = [voter for voter in voters if ledger.acknowledged(voter)]
        resumed = run_load(lambda: server.base_url, waiting, ledger, phase="resumed", retries=RETRIES)
        again = random.Random(1).sample(done, int(len(done) * RESENT_SHARE))
        resent = run_load(lambda: server.base_url, again, ledger, phase="resent")
    finally:
        server.stop()
        ledger.close()
    return CrashRun(ledger, before, resumed, resent, killed[0], log)


def answer_problems(run: CrashRun) -> list[str]:
    """Answers that should not happen: errors before the kill, refusals after it, new ballots on resending."""
    problems = []
    odd = Counter(a.status for a in run.before if a.status not in (*ACKNOWLEDGED, NO_ANSWER))
    if odd:
        problems.append(f"answers before the kill other than 200/201 or none: {dict(odd)}")
    refused = Counter(a.status for a in run.resumed if a.status not in ACKNOWLEDGED)
    if refused:
        problems.append(f"resumed voters not acknowledged: {dict(refused)}")
    not_retries = Counter(a.status for a in run.resent if a.status != 200)
    if not_retries:
        problems.append(f"acknowledged voters sending again got {dict(not_retries)} instead of 200")
    return problems


def server_errors(log: Path) -> list[str]:
    """The first lines of every error the servers logged (Flask's 'Unhandled error', gunicorn's own)."""
    lines = log.read_text(errors="replace").splitlines()
    marks = ("Unhandled error", "Error handling request")
    starts = [n for n, line in enumerate(lines) if any(mark in line for mark in marks)]
    return ["\n".join(lines[n : n + 40]) for n in starts]


def test_sigkill_mid_load_loses_no_acknowledged_ballot_and_retries_make_no_duplicates(
    crash_app: Flask, tmp_path: Path
) -> None:
    budget_ids, voters = seed(voters_per_budget=300)
    run = crash_and_resume(crash_app, tmp_path, voters, kill_after=len(voters) // 3)
    figures = ledger_figures(run.ledger, budget_ids)
    acknowledged_before = sum(a.status in ACKNOWLEDGED for a in run.before)
    figures |= {
        "voters": len(voters),
        "processes_killed": run.killed,
        "acknowledged_before_kill": acknowledged_before,
        "unanswered_at_kill": len(run.resumed),
        "committed_but_unanswered": sum(a.status == 200 for a in run.resumed),
        "resent_acknowledged": len(run.resent),
        "resumed_server_errors_then_retried": sum(len(a.failed_before) for a in run.resumed),
        "server_error_logs": server_errors(run.log)[:3],
    }
    save_figures("crash", figures)
    assert answer_problems(run) == [], figures["server_error_logs"]
    assert ledger_problems(figures) == []
    assert figures["acknowledged"] == figures["stored"] == len(voters)
    assert box_problems(budget_ids) == []


def test_without_durable_acknowledgement_and_uniqueness_the_checks_find_lost_and_duplicated_ballots(
    crash_app: Flask, tmp_path: Path
) -> None:
    remove_uniqueness_guards()
    budget_ids, voters = seed(voters_per_budget=60)
    run = crash_and_resume(
        crash_app, tmp_path, voters, kill_after=len(voters) // 3,
        wsgi="tests.trust.broken_wsgi:app", extra={"PBVOTE_TRUST_BREAK": "forget"},
    )  # fmt: skip
    figures = ledger_figures(run.ledger, budget_ids)
    save_figures("crash_guards_removed", figures)
    problems = ledger_problems(figures)
    assert any(problem.startswith("lost:") for problem in problems), problems
    assert any(problem.startswith("duplicated:") for problem in problems), problems
    box = box_problems(budget_ids)
    assert any("more than one participation" in problem for problem in box), box


def remove_uniqueness_guards() -> None:
    """Drop the unique participation and receipt, and keep burnt codes looking unused (a trigger)."""
    for table in ("participation", "ballot"):
        names = db.session.scalars(
            text(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = CAST(:table AS regclass) AND contype = 'u'"
            ),
            {"table": table},
        ).all()
        assert names, f"no unique constraint on {table}"
        for name in names:
            db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    db.session.execute(
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
