"""Workshop writes: create from a template or a copy, join, the instructor's controls. Never commits.

Every control checks the workshop's state, moves the process's phase with it, writes an audit entry and
calls ``notify`` so the projector sees the change. The process phase follows the state: LOBBY is the
review phase with the rules already frozen (the booth says voting has not opened yet), VOTING is the
voting phase, CLOSED and REVEALED are the counting phase (the booth says voting has closed, and the
votes may be counted).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from pbvote.audit.services import record_audit
from pbvote.ballots import keys
from pbvote.ballots.models import Ballot, BallotLine, Participation
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes.common import BUDGET_FIELDS, unique_slug
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import Budget, Category, Eligibility, Phase, Process
from pbvote.processes.services import site_municipality_or_new
from pbvote.proposals.models import Project
from pbvote.results.models import TallyRun
from pbvote.results.services import tally_budget
from pbvote.workshop import events, policies, queries
from pbvote.workshop.models import Workshop, WorkshopJoin, WorkshopState
from pbvote.workshop.templates_data import TEMPLATES, WorkshopTemplate

PHASE_OF_STATE = {
    WorkshopState.LOBBY: Phase.REVIEW,
    WorkshopState.VOTING: Phase.VOTING,
    WorkshopState.CLOSED: Phase.COUNTING,
    WorkshopState.REVEALED: Phase.COUNTING,
}
CODE_ATTEMPTS = 50

# Equal Shares is counted without completion in a workshop: each step the room sees is then a real MES
# round at the share everyone started with, which is what the reveal explains; published processes keep it.
WORKSHOP_COMPLETION = False


class WorkshopError(DomainError):
    """A control that does not fit the workshop's state, or a workshop that cannot be made."""

    code = "workshop"


def notify(workshop: Workshop, *, now: datetime) -> None:
    """Bump the version the projector watches; it is published to other app processes after commit."""
    workshop.version = (workshop.version or 0) + 1
    workshop.updated_at = now
    if workshop.id is not None:
        events.mark_changed(db.session(), workshop.id)


def create_workshop(actor: Any, template: str, *, now: datetime, source: Process | None = None) -> Workshop:
    """Make a frozen, open-eligibility process with one budget, and its workshop in the lobby.

    Args:
        actor: the instructor (None for the operator's command).
        template: "da" or "en" for a ready-made town; ignored when ``source`` is given.
        source: a process to copy the first budget (with projects) of.

    Raises:
        NotAllowed: the actor is not staff.
        WorkshopError: unknown template, or the source has no budget with projects.
    """
    if actor is not None and not policies.can_run_workshops(actor):
        raise NotAllowed(_l("Only staff can run workshops."))
    if source is not None:
        process, kind = _copy_process(source, now), "copy"
    elif template in TEMPLATES:
        process, kind = _template_process(TEMPLATES[template], now), template
    else:
        raise WorkshopError(_l("Choose the Danish or the English template, or a process to copy."))
    freeze_ballots(actor, process, now=now)
    workshop = Workshop(
        process=process,
        join_code=_free_code(),
        state=WorkshopState.LOBBY,
        template=kind,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        updated_at=now,
    )
    db.session.add(workshop)
    db.session.flush()
    after = {"process_id": process.id, "template": kind, "source_id": source.id if source else None}
    record_audit(actor, "workshop.created", workshop, after=after, now=now)
    return workshop


def _new_process(now: datetime, currency: str, **texts: str) -> Process:
    municipality = site_municipality_or_new(str(current_app.config.get("MUNICIPALITY_NAME") or "pbvote"))
    process = Process(
        municipality=municipality,
        slug=unique_slug("workshop-" + secrets.token_hex(3)),
        phase=Phase.REVIEW,
        eligibility=Eligibility.OPEN,
        advance_by_date=False,
        currency=currency,
        created_at=now,
        **texts,
    )
    db.session.add(process)
    return process


def _template_process(template: WorkshopTemplate, now: datetime) -> Process:
    """A process, budget, categories and projects from a template (amounts in the smallest unit)."""
    process = _new_process(
        now,
        template.currency,
        title_da=template.title_da,
        title_en=template.title_en,
        summary_da=template.summary_da,
        summary_en=template.summary_en,
    )
    process.categories = [
        Category(position=i, name_da=da, name_en=en) for i, (da, en) in enumerate(template.categories)
    ]
    process.budgets = [
        Budget(
            position=0,
            name_da=template.budget_name_da,
            name_en=template.budget_name_en,
            amount=template.amount * 100,
            ballot_kind=template.ballot_kind,
            rule=template.rule,
            max_projects=template.max_projects,
            min_score=1,  # a project nobody voted for never wins, not even with money left over
            completion=WORKSHOP_COMPLETION,
        )
    ]
    db.session.add(process)
    db.session.flush()
    by_name = {c.name_da: c.id for c in process.categories} | {c.name_en: c.id for c in process.categories}
    for position, item in enumerate(template.projects):
        db.session.add(
            Project(
                budget_id=process.budgets[0].id,
                code=item.code,
                position=position,
                title=item.title,
                summary=item.summary,
                cost=item.cost * 100,
                category_id=by_name.get(item.category),
                created_at=now,
            )
        )
    db.session.flush()
    return process


def _copy_process(source: Process, now: datetime) -> Process:
    """A workshop copy of a process: its texts, categories and first budget that has projects."""
    budget = next((b for b in source.budgets if b.projects), None)
    if budget is None:
        raise WorkshopError(_l("This process has no budget with projects on its ballot to copy."))
    process = _new_process(
        now,
        source.currency,
        title_da=f"Workshop: {source.title_da}"[:200],
        title_en=f"Workshop: {source.title_en}"[:200] if source.title_en else "",
        summary_da=source.summary_da,
        summary_en=source.summary_en,
    )
    process.categories = [
        Category(position=c.position, name_da=c.name_da, name_en=c.name_en) for c in source.categories
    ]
    fields = {name: getattr(budget, name) for name in BUDGET_FIELDS} | {"completion": WORKSHOP_COMPLETION}
    process.budgets = [Budget(position=0, min_score=budget.min_score, **fields)]
    db.session.add(process)
    db.session.flush()
    old_names = {c.id: c.name_da for c in source.categories}
    new_ids = {c.name_da: c.id for c in process.categories}
    for project in budget.projects:
        category = old_names.get(project.category_id) if project.category_id else None
        db.session.add(
            Project(
                budget_id=process.budgets[0].id,
                code=project.code,
                position=project.position,
                title=project.title,
                summary=project.summary,
                cost=project.cost,
                category_id=new_ids.get(category) if category else None,
                exclusion_group=project.exclusion_group,
                created_at=now,
            )
        )
    db.session.flush()
    return process


def _free_code() -> str:
    """Six random digits that no other workshop uses (random, so the next code cannot be guessed)."""
    for _attempt in range(CODE_ATTEMPTS):
        code = f"{secrets.randbelow(1_000_000):06d}"
        if db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code
    raise WorkshopError(_l("No free join code was found. Delete old workshops and try again."))


def join(workshop: Workshop, browser_token: str, *, now: datetime) -> WorkshopJoin:
    """Record that this browser joined (once; joining again returns the first join).

    Raises:
        WorkshopError: the voting has closed.
    """
    browser_hash = keys.keyed_hash("browser", browser_token)  # the booth's browser voter key, hashed alike
    found = _join_of(workshop, browser_hash)
    if found is not None:
        return found
    if not policies.can_join(workshop.state):
        raise WorkshopError(_l("The voting in this workshop has closed."))
    entry = WorkshopJoin(workshop_id=workshop.id, browser_hash=browser_hash, joined_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # the same browser joined twice at once
        existing = _join_of(workshop, browser_hash)
        if existing is None:
            raise
        return existing
    notify(workshop, now=now)
    return entry


def _join_of(workshop: Workshop, browser_hash: str) -> WorkshopJoin | None:
    return db.session.scalar(
        select(WorkshopJoin).where(
            WorkshopJoin.workshop_id == workshop.id, WorkshopJoin.browser_hash == browser_hash
        )
    )


def _require(actor: Any, workshop: Workshop, action: str) -> None:
    if actor is not None and not policies.can_run_workshops(actor):
        raise NotAllowed(_l("Only staff can run workshops."))
    if not policies.can_control(action, workshop.state):
        raise WorkshopError(STATE_REFUSALS.get(action, _l("That cannot be done right now.")))


STATE_REFUSALS = {
    "open": _l("The voting can only be opened from the lobby. Reset the workshop to start again."),
    "close": _l("The voting is not open, so it cannot be closed."),
    "reveal": _l("Close the voting before revealing the result."),
    "step": _l("Reveal the result before stepping through it."),
    "simulate": _l("Simulated ballots can only be added before the voting closes."),
}


def _move(actor: Any, workshop: Workshop, state: WorkshopState, action: str, *, now: datetime) -> None:
    """Set the state and the process phase that goes with it, audit it, and tell the projector."""
    before = {"state": str(workshop.state), "step": workshop.step}
    workshop.state = state
    workshop.process.phase = PHASE_OF_STATE[state]
    notify(workshop, now=now)
    db.session.flush()
    after = {"state": str(state), "step": workshop.step}
    record_audit(actor, f"workshop.{action}", workshop, before=before, after=after, now=now)


def open_voting(actor: Any, workshop: Workshop, *, now: datetime) -> None:
    """Let the room vote."""
    _require(actor, workshop, "open")
    _move(actor, workshop, WorkshopState.VOTING, "opened", now=now)


def close_voting(actor: Any, workshop: Workshop, *, now: datetime) -> None:
    """Stop the voting; the booth refuses from now on."""
    _require(actor, workshop, "close")
    _move(actor, workshop, WorkshopState.CLOSED, "closed", now=now)


def reveal(actor: Any, workshop: Workshop, *, now: datetime) -> TallyRun:
    """Count by the budget's rule (the run's alternative holds the other rule) and show step 0."""
    _require(actor, workshop, "reveal")
    budget = _budget(workshop)
    run = tally_budget(budget, actor=actor, now=now)
    workshop.step = 0
    _move(actor, workshop, WorkshopState.REVEALED, "revealed", now=now)
    return run


def step(actor: Any, workshop: Workshop, delta: int, *, now: datetime) -> int:
    """Show one more (or one fewer) funded project of each rule; returns the new step."""
    _require(actor, workshop, "step")
    total = queries.steps_total(queries.latest_run(_budget(workshop).id))
    new = policies.step_within(workshop.step, delta, total)
    if new != workshop.step:
        before = {"step": workshop.step}
        workshop.step = new
        notify(workshop, now=now)
        db.session.flush()
        record_audit(actor, "workshop.stepped", workshop, before=before, after={"step": new}, now=now)
    return new


def reset(actor: Any, workshop: Workshop, *, now: datetime) -> dict[str, int]:
    """Delete the ballots, participations, joins and counts; back to the lobby. Returns what was deleted."""
    _require(actor, workshop, "reset")
    budget = _budget(workshop)
    ballot_ids = select(Ballot.id).where(Ballot.budget_id == budget.id)
    db.session.execute(delete(BallotLine).where(BallotLine.ballot_id.in_(ballot_ids)))
    deleted = {
        "ballots": _delete(delete(Ballot).where(Ballot.budget_id == budget.id)),
        "participations": _delete(delete(Participation).where(Participation.budget_id == budget.id)),
        "joins": _delete(delete(WorkshopJoin).where(WorkshopJoin.workshop_id == workshop.id)),
        "runs": _delete(delete(TallyRun).where(TallyRun.budget_id == budget.id)),
    }
    db.session.expire_all()
    workshop.step = 0
    _move(actor, workshop, WorkshopState.LOBBY, "reset", now=now)
    record_audit(actor, "workshop.emptied", workshop, after=deleted, now=now)
    return deleted


def _delete(statement: Any) -> int:
    return int(db.session.execute(statement.execution_options(synchronize_session=False)).rowcount)


def _budget(workshop: Workshop) -> Budget:
    budget = queries.workshop_budget(workshop)
    if budget is None:
        raise WorkshopError(_l("This workshop has no budget."))
    return budget
