"""Read-side queries for tally runs and the processes whose votes can be counted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from pbvote.extensions import db
from pbvote.processes.models import PHASE_ORDER, Phase, Process
from pbvote.results.models import TallyRun

CLOSED_PHASES = PHASE_ORDER[PHASE_ORDER.index(Phase.COUNTING) :]


def published_run(budget_id: int) -> TallyRun | None:
    """The budget's result: its newest published run."""
    query = (
        select(TallyRun)
        .where(TallyRun.budget_id == budget_id, TallyRun.published_at.is_not(None))
        .order_by(TallyRun.published_at.desc(), TallyRun.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def latest_run(budget_id: int) -> TallyRun | None:
    """The budget's newest run, published or not (staff preview)."""
    query = select(TallyRun).where(TallyRun.budget_id == budget_id).order_by(TallyRun.id.desc()).limit(1)
    return db.session.scalar(query)


def runs_for(budget_id: int) -> list[TallyRun]:
    """Every run of a budget, newest first."""
    query = select(TallyRun).where(TallyRun.budget_id == budget_id).order_by(TallyRun.id.desc())
    return list(db.session.scalars(query))


def runs_by_budget(budget_ids: Sequence[int]) -> dict[int, list[TallyRun]]:
    """Every run of several budgets, newest first, in one query (the staff page)."""
    runs: dict[int, list[TallyRun]] = {budget_id: [] for budget_id in budget_ids}
    if budget_ids:
        query = (
            select(TallyRun)
            .where(TallyRun.budget_id.in_(budget_ids))
            .options(defer(TallyRun.report), defer(TallyRun.alternative))  # loaded only for the preview
            .order_by(TallyRun.id.desc())
        )
        for run in db.session.scalars(query):
            runs[run.budget_id].append(run)
    return runs


def closed_processes() -> list[Process]:
    """Processes whose voting has closed, newest first, with their budgets."""
    query = (
        select(Process)
        .where(Process.phase.in_(CLOSED_PHASES))
        .options(selectinload(Process.budgets))
        .order_by(Process.id.desc())
    )
    return list(db.session.scalars(query))


def process_for_counting(slug: str) -> Process | None:
    """A process by slug (any phase) with its budgets."""
    query = select(Process).where(Process.slug == slug).options(selectinload(Process.budgets))
    return db.session.scalar(query)
