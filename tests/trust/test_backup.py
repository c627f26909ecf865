"""`pbvote backup` and `pbvote restore` under load: the restored box is the source's box at the dump moment.

A thread casts ballots with voting codes (and appends to the audit log) while the backup is taken; it
keeps a ledger of every acknowledged receipt in commit order. The restored database must hold exactly a
prefix of that ledger (no torn snapshot), at least what was acknowledged before the backup began and at
most what was acknowledged when it ended; its recount digest equals the digest of that prefix, the box is
sound (participations = ballots = used codes) and the audit chain verifies and is a prefix of the source's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from pbvote import create_app
from pbvote.audit.models import AuditEntry
from pbvote.audit.services import record_audit, verify_chain
from pbvote.ballots.eligibility import voter_for_code
from pbvote.ballots.models import Ballot
from pbvote.ballots.services import cast_ballot
from pbvote.core.types import Ballot as CoreBallot
from pbvote.core.types import BallotKind, Profile
from pbvote.core.validation import BallotInput
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results.loading import ballots_digest, load_election
from pbvote.results.services import tally_budget
from tests.conftest import backends, create_postgres_database, drop_postgres_database
from tests.support.voting import make_code_voting
from tests.trust.boxcheck import box_problems, save_figures

CHOICES = (("P-1",), ("P-2",), ("P-3",), ("P-1", "P-2"), ("P-1", "P-3"), ("P-2", "P-3"))
CODES = 400


@dataclass
class Caster:
    """Casts one ballot per code in a loop, in its own app context, until told to stop."""

    app: Flask
    budget_id: int
    codes: list[str]
    ledger: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            with self.app.app_context():
                budget = db.session.get(Budget, self.budget_id)
                assert budget is not None
                for number, code in enumerate(self.codes):
                    if self.stop.is_set():
                        break
                    choice = CHOICES[number % len(CHOICES)]
                    receipt = cast_ballot(
                        voter_for_code(budget, code),
                        budget,
                        BallotInput(projects=choice),
                        retry_key=f"backup-load-{number:06d}-" + "k" * 16,
                        now=utcnow(),
                    )
                    if number % 5 == 0:  # staff keep working too: the audit chain grows during the dump
                        record_audit(None, "trust.backup_load", budget, after={"n": number}, now=utcnow())
                    db.session.commit()
                    self.ledger.append((receipt, choice))
                db.session.remove()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)


@pytest.fixture(params=backends())
def database_pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source and an empty target database on one backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    source, target = create_postgres_database(), create_postgres_database()
    yield source, target
    drop_postgres_database(source)
    drop_postgres_database(target)


def make_app(url: str) -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})


def prefix_digest(entries: list[tuple[str, tuple[str, ...]]]) -> str:
    """The recount digest of the ledger's ballots, computed without any database."""
    ballots = tuple(CoreBallot(projects=tuple(sorted(choice))) for _receipt, choice in entries)
    return ballots_digest(BallotKind.APPROVAL, Profile(ballots, (1,) * len(ballots)))


def audit_chain() -> list[tuple[int, str]]:
    """(id, hash) of every audit entry, in order."""
    query = select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id)
    return [(entry_id, entry_hash) for entry_id, entry_hash in db.session.execute(query)]


def restored_problems(
    budget_id: int, ledger: list[tuple[str, tuple[str, ...]]], source_chain: list[tuple[int, str]]
) -> list[str]:
    """What is wrong with the restored database compared with the source's ledger and audit chain."""
    db.session.expire_all()
    problems = box_problems([budget_id])
    receipts = set(db.session.scalars(select(Ballot.receipt).where(Ballot.budget_id == budget_id)))
    prefix = ledger[: len(receipts)]
    if receipts != {receipt for receipt, _choice in prefix}:
        problems.append(f"the {len(receipts)} restored ballots are not the first ones acknowledged")
    budget = db.session.get(Budget, budget_id)
    assert budget is not None
    _projects, kind, profile = load_election(budget)
    if ballots_digest(kind, profile) != prefix_digest(prefix):
        problems.append("the restored recount digest differs from the source's at the dump")
    checked, broken = verify_chain()
    if broken is not None:
        problems.append(f"audit chain broken at entry {broken.entry_id}: {broken.reason}")
    restored_chain = audit_chain()
    if restored_chain != source_chain[: len(restored_chain)]:
        problems.append("the restored audit log is not a prefix of the source's")
    if checked != len(restored_chain):
        problems.append(f"only {checked} of {len(restored_chain)} audit entries verified")
    return problems


def test_backup_under_load_restores_the_box_as_it_was_at_the_dump(
    database_pair: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = database_pair
    source = make_app(source_url)
    backup = tmp_path / "pbvote.backup"
    with source.app_context():
        db.create_all()
        voting = make_code_voting(codes=CODES)
        caster = Caster(source, voting.budget_id, voting.codes)
        thread = threading.Thread(target=caster.run, daemon=True)
        thread.start()
        while len(caster.ledger) < 30 and thread.is_alive():
            time.sleep(0.01)
        before = len(caster.ledger)
        started = time.perf_counter()
        result = source.test_cli_runner().invoke(args=["backup", str(backup)])
        seconds = time.perf_counter() - started
        after = len(caster.ledger)
        while len(caster.ledger) < after + 20 and thread.is_alive():
            time.sleep(0.01)
        caster.stop.set()
        thread.join(timeout=60)
        assert not caster.errors, caster.errors
        assert result.exit_code == 0, result.output
        assert "Backed up the database" in result.output
        db.session.expire_all()
        source_chain = audit_chain()
        source_ballots = db.session.scalar(select(db.func.count()).select_from(Ballot))
        db.session.remove()
        db.engine.dispose()

    target = make_app(target_url)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
        assert result.exit_code == 0, result.output
        assert restored_problems(voting.budget_id, caster.ledger, source_chain) == []
        restored = db.session.scalar(select(db.func.count()).select_from(Ballot)) or 0
        assert before <= restored <= after < source_ballots
        budget = db.session.get(Budget, voting.budget_id)
        assert budget is not None
        budget.process.phase = Phase.COUNTING
        run = tally_budget(budget, actor=None, now=utcnow())
        assert (run.ballots_count, run.ballots_digest) == (restored, prefix_digest(caster.ledger[:restored]))
        db.session.rollback()
        save_figures(
            f"backup_{target.extensions['sqlalchemy'].engine.dialect.name}",
            {
                "acknowledged_before_dump": before,
                "acknowledged_after_dump": after,
                "restored_ballots": restored,
                "source_ballots_at_end": source_ballots,
                "backup_seconds": round(seconds, 3),
            },
        )

        # Companion: a torn copy (a ballot missing, or an audit entry changed) must be caught.
        db.session.execute(delete(Ballot).where(Ballot.receipt == caster.ledger[restored - 1][0]))
        torn = restored_problems(voting.budget_id, caster.ledger, source_chain)
        assert any("participations" in problem for problem in torn), torn
        db.session.rollback()
        db.session.execute(update(AuditEntry).where(AuditEntry.id == 2).values(after='{"forged":true}'))
        forged = restored_problems(voting.budget_id, caster.ledger, source_chain)
        assert any("audit chain broken" in problem for problem in forged), forged
        db.session.rollback()
        assert restored_problems(voting.budget_id, caster.ledger, source_chain) == []
        db.session.remove()
        db.engine.dispose()


def test_backup_and_restore_refuse_with_one_line_and_a_failing_exit(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    runner = app.test_cli_runner()
    with app.app_context():
        db.create_all()
        existing = tmp_path / "old.backup"
        existing.write_bytes(b"precious")
        refused = runner.invoke(args=["backup", str(existing)])
        assert refused.exit_code == 1 and existing.read_bytes() == b"precious"
        assert refused.output.strip().count("\n") == 0 and "exists already" in refused.output
        garbage = tmp_path / "garbage.backup"
        garbage.write_bytes(b"not a database at all")
        refused = runner.invoke(args=["restore", str(garbage), "--yes"])
        assert refused.exit_code == 1 and "is not an SQLite backup" in refused.output
        assert refused.output.strip().count("\n") == 0
        missing = runner.invoke(args=["restore", str(tmp_path / "missing.backup"), "--yes"])
        assert missing.exit_code == 1 and "does not exist" in missing.output
        good = tmp_path / "good.backup"
        assert runner.invoke(args=["backup", str(good)]).exit_code == 0
        unconfirmed = runner.invoke(args=["restore", str(good)], input="")
        assert unconfirmed.exit_code != 0
        db.engine.dispose()


@pytest.mark.skipif("postgresql" not in backends(), reason="needs PBVOTE_TEST_DATABASE_URL")
def test_postgres_backup_without_pg_dump_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = create_postgres_database()
    try:
        app = make_app(url)
        monkeypatch.setattr("pbvote.backup.glob.glob", lambda _pattern: [])
        monkeypatch.setenv("PATH", str(tmp_path))
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.backup")])
            db.engine.dispose()
        assert result.exit_code == 1 and "pg_dump was not found" in result.output
        assert not (tmp_path / "x.backup").exists()
    finally:
        drop_postgres_database(url)
