"""Reads for workshops: by code or id, the workshop's budget, its latest run, and the live status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pbvote.ballots.models import Participation
from pbvote.extensions import db
from pbvote.processes.models import Budget, Process
from pbvote.results.models import TallyRun
from pbvote.workshop.models import Workshop, WorkshopJoin, WorkshopState


def workshop_by_code(code: str) -> Workshop | None:
    """The workshop with this join code (spaces and dashes typed around the digits are ignored)."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.join_code == digits))


def workshop_for_process(process_id: int) -> Workshop | None:
    """The workshop that wraps a process, if any."""
    return db.session.scalar(select(Workshop).where(Workshop.process_id == process_id))


def workshop_list() -> list[Workshop]:
    """Every workshop, newest first, with its process loaded."""
    from sqlalchemy.orm import joinedload

    query = select(Workshop).options(joinedload(Workshop.process)).order_by(Workshop.id.desc())
    return list(db.session.scalars(query))


def copyable_processes() -> list[Process]:
    """Processes that have a budget with projects (a workshop can be copied from them), newest first."""
    from pbvote.proposals.models import Project

    with_projects = select(Budget.process_id).join(Project, Project.budget_id == Budget.id)
    workshops = select(Workshop.process_id)
    query = (
        select(Process)
        .where(Process.id.in_(with_projects), Process.id.not_in(workshops))
        .order_by(Process.id.desc())
    )
    return list(db.session.scalars(query))


def workshop_budget(workshop: Workshop) -> Budget | None:
    """The one budget a workshop votes on (the first of its process)."""
    return db.session.scalar(
        select(Budget).where(Budget.process_id == workshop.process_id).order_by(Budget.position, Budget.id)
    )


def latest_run(budget_id: int) -> TallyRun | None:
    """The newest tally run of the budget (the reveal's count)."""
    return db.session.scalar(
        select(TallyRun).where(TallyRun.budget_id == budget_id).order_by(TallyRun.id.desc()).limit(1)
    )


def join_count(workshop_id: int) -> int:
    """How many browsers have joined."""
    query = select(func.count()).select_from(WorkshopJoin).where(WorkshopJoin.workshop_id == workshop_id)
    return db.session.scalar(query) or 0


def vote_count(budget_id: int) -> int:
    """How many have voted (participations, so the ballots' content is never read)."""
    query = select(func.count()).select_from(Participation).where(Participation.budget_id == budget_id)
    return db.session.scalar(query) or 0


def steps_total(run: TallyRun | None) -> int:
    """How many reveal steps there are: the longer of the two rules' lists of funded projects.

    Step k shows, for each rule, the first k projects it funded in its own selection order (greedy: by
    votes, skipping what no longer fits; Equal Shares: its rounds, then the projects its completion
    and greedy fill added). Step 0 shows nothing funded yet; ``steps_total`` shows both outcomes whole.
    """
    if run is None:
        return 0
    official, other = run.report_data(), run.alternative_data()
    return max(len(official.get("selected", [])), len(other.get("selected", [])))


def live_status(workshop: Workshop) -> dict[str, Any]:
    """What the projector shows, from cheap indexed counts; the run is read only after the reveal.

    Returns:
        ``{"state", "joined", "votes", "step", "steps_total", "version"}``; see ``steps_total`` for what
        a step is. ``step`` is always between 0 and ``steps_total``.
    """
    budget = workshop_budget(workshop)
    total = 0
    if budget is not None and workshop.state is WorkshopState.REVEALED:
        total = steps_total(latest_run(budget.id))
    return {
        "state": str(workshop.state),
        "joined": join_count(workshop.id),
        "votes": vote_count(budget.id) if budget is not None else 0,
        "step": min(workshop.step, total),
        "steps_total": total,
        "version": workshop.version,
    }
