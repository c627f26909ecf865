"""The ballot box audited after a fault: acknowledged receipts stored, no duplicates, per-budget invariants.

Every check returns a list of problems in words ([] when sound), so a companion test with a guard
removed can assert that the same check reports the damage. The figures (acknowledged, lost, duplicated,
recovery seconds) are merged into test-artifacts/trust-figures.json, which other trust tests also write.
"""

from __future__ import annotations

import fcntl
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pbvote.ballots.loaders import rules_for
from pbvote.ballots.models import Ballot, BallotLine, Participation, VotingCode
from pbvote.core.digest import budget_digest
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput, validate_ballot
from pbvote.extensions import db
from pbvote.processes.freeze import budget_rules
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project
from tests.trust.loadgen import Ledger

FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "trust-figures.json"


def box_problems(budget_ids: Iterable[int]) -> list[str]:
    """Per budget: participations = ballots = used codes, rules as frozen, every ballot valid, no orphans."""
    db.session.expire_all()
    problems: list[str] = []
    for budget_id in budget_ids:
        budget = db.session.get(Budget, budget_id)
        assert budget is not None
        problems += [f"budget {budget_id}: {problem}" for problem in _budget_problems(budget)]
    orphans = db.session.scalar(
        select(func.count())
        .select_from(BallotLine)
        .outerjoin(Ballot, Ballot.id == BallotLine.ballot_id)
        .where(Ballot.id.is_(None))
    )
    if orphans:
        problems.append(f"{orphans} ballot lines without a ballot")
    return problems


def _budget_problems(budget: Budget) -> list[str]:
    problems = []
    participations = _count(Participation, Participation.budget_id == budget.id)
    ballots = _count(Ballot, Ballot.budget_id == budget.id)
    used = _count(VotingCode, VotingCode.budget_id == budget.id, VotingCode.used_on.is_not(None))
    if not participations == ballots == used:
        problems.append(f"{participations} participations, {ballots} ballots, {used} used codes")
    twice = db.session.scalar(
        select(func.count()).select_from(
            select(Participation.voter_key)
            .where(Participation.budget_id == budget.id)
            .group_by(Participation.voter_key)
            .having(func.count() > 1)
            .subquery()
        )
    )
    if twice:
        problems.append(f"{twice} voters with more than one participation")
    if budget.rules_digest != budget_digest(budget_rules(budget)):
        problems.append("the rules differ from the frozen digest")
    rules = rules_for(budget)
    code_of = {project_id: code for code, project_id in rules.project_ids.items()}
    lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for ballot_id, project_id, value in db.session.execute(
        select(BallotLine.ballot_id, BallotLine.project_id, BallotLine.value)
        .join(Ballot, Ballot.id == BallotLine.ballot_id)
        .where(Ballot.budget_id == budget.id)
    ):
        lines[ballot_id].append((project_id, value))
    foreign = sum(1 for chosen in lines.values() for project_id, _ in chosen if project_id not in code_of)
    if foreign:
        problems.append(f"{foreign} ballot lines name a project of another budget")
    invalid = 0
    for ballot_id in db.session.scalars(select(Ballot.id).where(Ballot.budget_id == budget.id)):
        chosen = [(code_of.get(project_id, "?"), value) for project_id, value in lines.get(ballot_id, [])]
        if validate_ballot(rules.spec, as_input(budget.ballot_kind, chosen)):
            invalid += 1
    if invalid:
        problems.append(f"{invalid} ballots break the frozen rules")
    return problems


def as_input(kind: BallotKind, chosen: list[tuple[str, int]]) -> BallotInput:
    """A stored ballot's lines as the input the booth would have sent (ranked: in rank order)."""
    if kind is BallotKind.CUMULATIVE:
        return BallotInput(points=dict(chosen))
    if kind is BallotKind.RANKED:
        return BallotInput(projects=tuple(code for code, _rank in sorted(chosen, key=lambda item: item[1])))
    return BallotInput(projects=tuple(sorted(code for code, _ in chosen)))


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def ledger_figures(ledger: Ledger, budget_ids: Iterable[int]) -> dict[str, int]:
    """Acknowledged, lost and duplicated ballots: the ledger's receipts against the stored ones."""
    db.session.expire_all()
    stored = Counter(db.session.scalars(select(Ballot.receipt).where(Ballot.budget_id.in_(list(budget_ids)))))
    acknowledged = ledger.receipts()
    lost = sum(1 for receipt in acknowledged if receipt not in stored)
    duplicated = sum(count - 1 for count in stored.values()) + sum(
        1 for receipt in stored if receipt not in acknowledged
    )
    return {
        "acknowledged": len(acknowledged),
        "lost": lost,
        "duplicated": duplicated,
        "stored": sum(stored.values()),
        "receipt_changed_on_retry": ledger.changed_receipts(),
    }


def ledger_problems(figures: dict[str, int]) -> list[str]:
    """What the figures say went wrong (nothing lost, nothing twice, every retry got its receipt back)."""
    problems = []
    if figures["lost"]:
        problems.append(f"lost: {figures['lost']} acknowledged receipts are not in the ballot box")
    if figures["duplicated"]:
        problems.append(f"duplicated: {figures['duplicated']} ballots beyond one per acknowledged receipt")
    if figures["receipt_changed_on_retry"]:
        problems.append(f"{figures['receipt_changed_on_retry']} retries got another receipt")
    return problems


def save_figures(section: str, figures: dict[str, Any]) -> None:
    """Print the figures and merge them under ``section`` into the shared figures file (under a lock)."""
    print(f"trust figures [{section}]: {json.dumps(figures, sort_keys=True)}")
    FIGURES.parent.mkdir(exist_ok=True)
    with FIGURES.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        except ValueError:
            current = {}
        current[section] = figures
        FIGURES.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


def project_codes(budget_id: int) -> list[str]:
    """A budget's project codes in ballot order."""
    return list(
        db.session.scalars(
            select(Project.code).where(Project.budget_id == budget_id).order_by(Project.position)
        )
    )
