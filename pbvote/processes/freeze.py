"""Freezing a process's ballots when voting opens, the digest of the frozen rules, and unfreezing.

Once frozen, a budget's amount, ballot kind and limits, counting rule, tie-break and projects may not
change: every attempt is refused and written to the audit log. Nothing here commits, except that the
record of a refused attempt is written in its own transaction so that rolling back the attempt does not
erase it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from pbvote.audit.services import record_audit
from pbvote.core.digest import BudgetRules, digest_all
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.database import SQLITE_BUSY_TIMEOUT_MS
from pbvote.extensions import db
from pbvote.processes import policies
from pbvote.processes.models import Budget, Process

log = logging.getLogger(__name__)

# The ballots feature appends a function that counts the ballots cast in a process; unfreezing is
# refused while any of them returns more than 0.
BALLOT_COUNTERS: list[Callable[[Process], int]] = []

VIOLATION_LOCK_WAIT_MS = 2000  # how long the separate log write waits for a lock before giving up


def count_ballots(process: Process) -> int:
    """How many ballots have been cast in the process, by every registered counter."""
    return sum(counter(process) for counter in BALLOT_COUNTERS)


def load_ballots(process: Process) -> list[Budget]:
    """The process's budgets with their projects as they are in the database now."""
    query = (
        select(Budget)
        .where(Budget.process_id == process.id)
        .options(selectinload(Budget.projects))
        .order_by(Budget.position, Budget.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


def budget_rules(budget: Budget) -> BudgetRules:
    """The plain data a budget's digest is computed over."""
    return BudgetRules(
        amount=budget.amount,
        ballot_kind=str(budget.ballot_kind),
        min_projects=budget.min_projects,
        max_projects=budget.max_projects,
        min_spent_percent=budget.min_spent_percent,
        points=budget.points,
        max_points_per_project=budget.max_points_per_project,
        rule=str(budget.rule),
        completion=budget.completion,
        tie_break=str(budget.tie_break),
        projects=tuple((project.code, project.cost) for project in budget.projects),
    )


def freeze_ballots(actor: Any, process: Process, *, now: datetime) -> str:
    """Freeze every budget's rules and projects and store their digests. Does not commit.

    Returns:
        The process digest.

    Raises:
        DomainError: the process has no budget, or a budget has no projects on its ballot.
    """
    budgets = load_ballots(process)
    if not budgets:
        raise DomainError(_l("Add at least one budget before voting opens."))
    for budget in budgets:
        if not budget.projects:
            raise DomainError(
                _l("The budget %(name)s has no projects on its ballot yet.", name=budget.name_da)
            )
    digests, overall = digest_all(budget_rules(budget) for budget in budgets)
    for budget, digest in zip(budgets, digests, strict=True):
        budget.rules_digest = digest
    process.frozen_at = now
    process.rules_digest = overall
    record_audit(
        actor,
        "process.frozen",
        process,
        after={
            "rules_digest": overall,
            "budgets": {str(b.id): d for b, d in zip(budgets, digests, strict=True)},
        },
        now=now,
    )
    db.session.flush()
    return overall


def unfreeze_ballots(actor: Any, process: Process, *, now: datetime) -> None:
    """Lift the freeze during voting while no ballot exists. Does not commit.

    Raises:
        NotAllowed: not frozen, not in voting, or ballots have been cast.
    """
    ballots = count_ballots(process)
    if not policies.can_unfreeze(actor, process, ballots):
        if ballots:
            raise NotAllowed(_l("Ballots have already been cast, so the rules can no longer be unfrozen."))
        if not process.is_frozen:
            raise NotAllowed(_l("The ballots are not frozen."))
        raise NotAllowed(_l("The ballots can only be unfrozen during the voting phase."))
    before = {"rules_digest": process.rules_digest, "frozen_at": process.frozen_at}
    process.frozen_at = None
    process.rules_digest = None
    for budget in process.budgets:
        budget.rules_digest = None
    record_audit(actor, "process.unfrozen", process, before=before, after={"rules_digest": None}, now=now)
    db.session.flush()


def ensure_ballot_editable(process: Process, actor: Any, *, now: datetime, attempt: str = "") -> None:
    """Refuse any change to a frozen ballot, and log the attempt where a rollback cannot erase it.

    Call it before writing anything in the transaction (the log entry is written in a transaction of
    its own, which must not wait for this one).

    Args:
        process: the process whose budgets, rules or projects are about to change.
        actor: who is trying.
        attempt: what was tried, for the log (e.g. ``budget.update``).

    Raises:
        NotAllowed: the ballots are frozen.
    """
    if policies.can_change_ballot(process):
        return
    details = {"attempt": attempt, "phase": str(process.phase), "rules_digest": process.rules_digest}
    _record_violation(actor, process, details, now=now)
    raise NotAllowed(
        _l(
            "The ballots were frozen when voting opened: budgets, rules and projects can no longer be "
            "changed. The attempt has been logged."
        )
    )


def _record_violation(actor: Any, process: Process, details: dict[str, Any], *, now: datetime) -> None:
    """Write the violation in its own short transaction; fall back to the caller's if that fails."""
    target = ("process", str(process.id))

    def write(session: Session) -> None:
        record_audit(actor, "process.freeze_violation", target, after=details, now=now, session=session)

    try:
        write_in_own_transaction(write)
    except SQLAlchemyError:
        log.warning("freeze violation on process %s logged in the caller's transaction", process.id)
        write(db.session())


def write_in_own_transaction(write: Callable[[Session], None]) -> None:
    """Run ``write`` on a connection of its own and commit it, waiting only briefly for locks.

    The caller's transaction may hold locks of its own (it is about to be rolled back), so this must
    not wait for it: SQLite gets a short busy timeout, PostgreSQL a short lock timeout.
    """
    with db.engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {VIOLATION_LOCK_WAIT_MS}")
        try:
            if dialect == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {VIOLATION_LOCK_WAIT_MS}")
            with Session(bind=connection, join_transaction_mode="rollback_only") as session:
                write(session)
            connection.commit()
        finally:
            if connection.in_transaction():
                connection.rollback()
            if dialect == "sqlite":  # the pooled connection goes back with its usual wait
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
                connection.commit()
