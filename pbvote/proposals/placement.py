"""Put accepted proposals on their budget's ballot as projects, take them off, and mark projects that
exclude each other. The ballot changes only in review and until the rules freeze. Nothing commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.auth.models import User
from pbvote.core.errors import DomainError
from pbvote.extensions import db
from pbvote.processes.models import Budget, Process
from pbvote.processes.services import ensure_ballot_editable
from pbvote.proposals import review_policies as policies
from pbvote.proposals.models import EventKind, Project, Proposal, ProposalStatus
from pbvote.proposals.notifications import notify_status_change
from pbvote.proposals.review import add_event, require_review
from pbvote.proposals.review_queries import accepted_proposals, next_position, project_code_taken

EXCLUSION_LABEL_MAX = 80


def ensure_editable(process: Process, actor: User, now: datetime, attempt: str) -> None:
    """Refuse wrong role and phase, then let the processes feature refuse (and log) a frozen ballot.

    Called before anything is written: the freeze log is written in a transaction of its own.
    """
    require_review(actor, process, now)
    ensure_ballot_editable(process, actor, now=now, attempt=attempt)


def project_code(proposal: Proposal) -> str:
    """The public id of a proposal's project on the ballot and in exports."""
    return f"P-{proposal.id}"


def place_on_ballot(actor: User, proposal: Proposal, *, now: datetime) -> Project:
    """Turn one accepted proposal into a project on its budget's ballot, at its vetted cost.

    Raises:
        NotAllowed: not staff, not in review, or the ballot is frozen.
        DomainError: the proposal is not accepted with a vetted cost, or costs more than the budget.
    """
    ensure_editable(proposal.process, actor, now, "proposal.place_on_ballot")
    project = _place(actor, proposal, now)
    db.session.flush()
    notify_status_change(proposal, EventKind.PLACED_ON_BALLOT, reason="", now=now)
    return project


def place_all_accepted(actor: User, process: Process, *, now: datetime) -> list[Project]:
    """Put every accepted proposal of the process on its ballot at once; returns the new projects."""
    ensure_editable(process, actor, now, "proposal.place_all_on_ballot")
    proposals = accepted_proposals(process.id)
    projects = [_place(actor, proposal, now) for proposal in proposals]
    db.session.flush()
    for proposal in proposals:
        notify_status_change(proposal, EventKind.PLACED_ON_BALLOT, reason="", now=now)
    return projects


def _place(actor: User, proposal: Proposal, now: datetime) -> Project:
    """Create the project row, move the proposal on, and record it (no e-mail yet)."""
    if not policies.is_ready_for_ballot(proposal) or proposal.vetted_cost is None:
        raise DomainError(
            _l("Only feasible proposals with an estimated cost that are not hidden can go on the ballot.")
        )
    budget = proposal.budget
    if proposal.vetted_cost > budget.amount:
        raise DomainError(
            _l("“%(title)s” costs more than the whole budget, so it cannot win.", title=proposal.title)
        )
    code, cost = project_code(proposal), proposal.vetted_cost
    if project_code_taken(budget.id, code):
        raise DomainError(_l("The ballot already has a project with the code %(code)s.", code=code))
    project = Project(
        budget_id=budget.id,
        proposal_id=proposal.id,
        code=code,
        position=next_position(budget.id),
        title=proposal.title,
        summary=proposal.summary,
        cost=cost,
        category_id=proposal.category_id,
        created_at=now,
    )
    db.session.add(project)
    proposal.status = ProposalStatus.ON_BALLOT
    db.session.flush()
    record_audit(
        actor,
        "proposal.placed_on_ballot",
        proposal,
        before={"status": ProposalStatus.FEASIBLE.value},
        after={"status": proposal.status.value, "project": code, "budget_id": budget.id, "cost": cost},
        now=now,
    )
    add_event(proposal, EventKind.PLACED_ON_BALLOT, actor, now, code)
    return project


def remove_from_ballot(actor: User, project: Project, *, now: datetime) -> None:
    """Take a project off the ballot; its proposal is feasible again and can be placed later.

    Raises:
        NotAllowed: not staff, not in review, or the ballot is frozen.
    """
    ensure_editable(project.budget.process, actor, now, "project.remove_from_ballot")
    proposal = project.proposal
    record_audit(
        actor,
        "project.removed_from_ballot",
        project,
        before={
            "code": project.code,
            "title": project.title,
            "cost": project.cost,
            "budget_id": project.budget_id,
            "proposal_id": project.proposal_id,
            "exclusion_group": project.exclusion_group,
        },
        after={},
        now=now,
    )
    db.session.delete(project)
    if proposal is not None and proposal.status is ProposalStatus.ON_BALLOT:
        proposal.status = ProposalStatus.FEASIBLE
        add_event(proposal, EventKind.REMOVED_FROM_BALLOT, actor, now, project.code)
        db.session.flush()
        notify_status_change(proposal, EventKind.REMOVED_FROM_BALLOT, reason="", now=now)
    db.session.flush()


def set_exclusion_group(
    actor: User, budget: Budget, projects: Sequence[Project], label: str | None, *, now: datetime
) -> None:
    """Mark projects of one budget as excluding each other (at most one of a group wins); None clears.

    Raises:
        NotAllowed: not staff, not in review, or the ballot is frozen.
        DomainError: projects of another budget, too few projects, or a label that is too long.
    """
    ensure_editable(budget.process, actor, now, "budget.exclusion_group")
    label = (label or "").strip() or None
    if not projects or any(project.budget_id != budget.id for project in projects):
        raise DomainError(_l("Choose projects from the same budget."))
    if label is not None:
        if len(label) > EXCLUSION_LABEL_MAX:
            raise DomainError(_l("At most %(max)d characters.", max=EXCLUSION_LABEL_MAX))
        in_group = {p.id for p in budget.projects if p.exclusion_group == label} | {p.id for p in projects}
        if len(in_group) < 2:
            raise DomainError(_l("A group of projects that exclude each other needs at least two projects."))
    before = {project.code: project.exclusion_group for project in projects}
    for project in projects:
        project.exclusion_group = label
    record_audit(
        actor,
        "budget.exclusion_group_set",
        budget,
        before=before,
        after={project.code: label for project in projects},
        now=now,
    )
    db.session.flush()
