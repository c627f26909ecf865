"""Admin writes on processes: texts, settings and phase dates, and budgets with their ballot rules.

Every function takes the acting user and ``now``, checks the policy, records an audit entry, flushes,
and never commits. Categories, duplicates, phase changes and freezing live in their own modules and are
re-exported here, so other features import from one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.core.errors import DomainError
from pbvote.extensions import db
from pbvote.processes import queries
from pbvote.processes.categories import CategoryData, add_category, delete_category, update_category
from pbvote.processes.common import (
    BUDGET_FIELDS,
    PHASE_FIELDS,
    PROCESS_RULE_FIELDS,
    PROCESS_TEXT_FIELDS,
    changes,
    delete_unless_used,
    require_admin,
    snapshot,
    unique_slug,
)
from pbvote.processes.duplicate import duplicate_process
from pbvote.processes.freeze import (
    BALLOT_COUNTERS,
    count_ballots,
    ensure_ballot_editable,
    freeze_ballots,
    unfreeze_ballots,
)
from pbvote.processes.models import PHASE_ORDER, Budget, Municipality, Phase, Process, ProcessPhase
from pbvote.processes.phases import PhaseMove, advance_due_phases, advance_phase, move_phase_back
from pbvote.processes.validation import (
    BudgetData,
    InvalidData,
    PhaseData,
    ProcessData,
    budget_problems,
    phase_problems,
    slug_problem,
    slugify,
)

__all__ = [
    "BALLOT_COUNTERS",
    "BudgetData",
    "CategoryData",
    "PhaseData",
    "PhaseMove",
    "ProcessData",
    "add_budget",
    "add_category",
    "advance_due_phases",
    "advance_phase",
    "count_ballots",
    "create_process",
    "delete_budget",
    "delete_category",
    "duplicate_process",
    "ensure_ballot_editable",
    "freeze_ballots",
    "move_phase_back",
    "unfreeze_ballots",
    "update_budget",
    "update_category",
    "update_process",
]


def site_municipality_or_new(name: str, currency: str = "DKK") -> Municipality:
    """The site's municipality, created on first use so a fresh installation can start a process."""
    municipality = queries.site_municipality()
    if municipality is None:
        municipality = Municipality(slug=slugify(name), name=name, currency=currency)
        db.session.add(municipality)
    return municipality


def create_process(actor: Any, municipality: Municipality, data: ProcessData, *, now: datetime) -> Process:
    """Start a process in the draft phase with all seven phases. Does not commit.

    Raises:
        NotAllowed: the actor is not an admin.
        InvalidData: the web address is taken or malformed, or the phase dates do not follow each other.
    """
    require_admin(actor)
    slug = _checked_slug(data.slug, data.title_da, except_id=None)
    _check_phases(data)
    process = Process(municipality=municipality, slug=slug, phase=Phase.DRAFT, created_at=now)
    _apply_texts(process, data)
    process.currency = data.currency
    process.eligibility = data.eligibility
    _apply_phases(process, data)
    db.session.add(process)
    db.session.flush()
    record_audit(actor, "process.created", process, after=_process_state(process), now=now)
    return process


def update_process(actor: Any, process: Process, data: ProcessData, *, now: datetime) -> Process:
    """Change a process's texts, settings and phase dates; currency and eligibility not once frozen.

    Raises:
        NotAllowed: not an admin, or the currency or eligibility changes on frozen ballots (logged).
        InvalidData: as for :func:`create_process`.
    """
    require_admin(actor)
    if (data.currency, data.eligibility) != (process.currency, process.eligibility):
        ensure_ballot_editable(process, actor, now=now, attempt="process.rules")
    slug = _checked_slug(data.slug or process.slug, data.title_da, except_id=process.id)
    _check_phases(data)
    before = _process_state(process)
    process.slug = slug
    _apply_texts(process, data)
    process.currency = data.currency
    process.eligibility = data.eligibility
    _apply_phases(process, data)
    old, new = changes(before, _process_state(process))
    if new:
        record_audit(actor, "process.updated", process, before=old, after=new, now=now)
    db.session.flush()
    return process


def _checked_slug(wanted: str, title: str, *, except_id: int | None) -> str:
    """The given web address if valid and free; without one, a free one made from the title."""
    if wanted:
        problem = slug_problem(wanted)
        if problem is None and queries.slug_taken(wanted, except_id=except_id):
            problem = _l("Another process already uses this web address.")
        if problem is not None:
            raise InvalidData({"slug": problem})
        return wanted
    return unique_slug(slugify(title))


def _check_phases(data: ProcessData) -> None:
    problems = phase_problems(list(data.phases))
    if problems:
        raise InvalidData(problems)


def _apply_texts(process: Process, data: ProcessData) -> None:
    for name in PROCESS_TEXT_FIELDS:
        setattr(process, name, getattr(data, name).strip())
    process.advance_by_date = data.advance_by_date


def _apply_phases(process: Process, data: ProcessData) -> None:
    rows = {row.phase: row for row in process.phases}
    for position, phase in enumerate(PHASE_ORDER):
        if phase not in rows:  # a new process, or one made without phase rows (e.g. imported)
            rows[phase] = ProcessPhase(phase=phase, position=position)
            process.phases.append(rows[phase])
    for entry in data.phases:
        row = rows[entry.phase]
        row.starts_on, row.ends_on = entry.starts_on, entry.ends_on
        row.text_da, row.text_en = entry.text_da.strip(), entry.text_en.strip()


def _process_state(process: Process) -> dict[str, Any]:
    state = snapshot(process, ("slug", *PROCESS_TEXT_FIELDS, *PROCESS_RULE_FIELDS, "advance_by_date"))
    for row in process.phases:
        for name in PHASE_FIELDS:
            state[f"{row.phase}.{name}"] = getattr(row, name)
    return state


def add_budget(actor: Any, process: Process, data: BudgetData, *, now: datetime) -> Budget:
    """Add a budget (citywide or a district) with its ballot rules. Does not commit.

    Raises:
        NotAllowed: not an admin, or the ballots are frozen (logged).
        InvalidData: the rules are incoherent.
    """
    require_admin(actor)
    ensure_ballot_editable(process, actor, now=now, attempt="budget.add")
    data = _checked_budget(data)
    position = max((budget.position for budget in process.budgets), default=-1) + 1
    budget = Budget(process=process, position=position, **snapshot(data, BUDGET_FIELDS))
    db.session.add(budget)
    db.session.flush()
    record_audit(actor, "budget.created", budget, after=snapshot(budget, BUDGET_FIELDS), now=now)
    return budget


def update_budget(actor: Any, budget: Budget, data: BudgetData, *, now: datetime) -> Budget:
    """Change a budget's name, amount or ballot rules. Does not commit.

    Raises:
        NotAllowed: not an admin, or the ballots are frozen (logged).
        InvalidData: the rules are incoherent.
    """
    require_admin(actor)
    ensure_ballot_editable(budget.process, actor, now=now, attempt="budget.update")
    data = _checked_budget(data)
    before = snapshot(budget, BUDGET_FIELDS)
    for name in BUDGET_FIELDS:
        setattr(budget, name, getattr(data, name))
    old, new = changes(before, snapshot(budget, BUDGET_FIELDS))
    if new:
        record_audit(actor, "budget.updated", budget, before=old, after=new, now=now)
    db.session.flush()
    return budget


def _checked_budget(data: BudgetData) -> BudgetData:
    normalised = data.normalised()
    problems = budget_problems(normalised)
    if problems:
        raise InvalidData(problems)
    return normalised


def delete_budget(actor: Any, budget: Budget, *, now: datetime) -> None:
    """Delete a budget that has no projects and no proposals. Does not commit.

    Raises:
        NotAllowed: not an admin, or the ballots are frozen (logged).
        DomainError: the budget has projects or proposals.
    """
    require_admin(actor)
    ensure_ballot_editable(budget.process, actor, now=now, attempt="budget.delete")
    if budget.projects:
        raise DomainError(_l("This budget has projects on its ballot; take them off the ballot first."))
    before = snapshot(budget, BUDGET_FIELDS)
    target = ("budget", str(budget.id))
    delete_unless_used(budget, _l("This budget has proposals, so it cannot be deleted."))
    record_audit(actor, "budget.deleted", target, before=before, now=now)
