"""Builder functions for test data: explicit defaults, any field overridable."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from flask.testing import FlaskClient

from pbvote.auth.models import Role, User
from pbvote.auth.passwords import hash_password
from pbvote.core.types import BallotKind
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Eligibility, Municipality, Phase, Process
from pbvote.proposals.models import EventKind, Project, Proposal, ProposalEvent

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_user(*, role: Role = Role.RESIDENT, password: str = PASSWORD, **overrides: Any) -> User:
    """A committed account; e-mail unique unless given."""
    fields: dict[str, Any] = {"email": f"user{next(_numbers)}@example.dk", "display_name": "Test Person"}
    fields.update(overrides)
    user = User(role=role, password_hash=hash_password(password), **fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_process(*, phase: Phase = Phase.PROPOSALS, **overrides: Any) -> Process:
    """A committed process in a committed municipality."""
    number = next(_numbers)
    municipality = overrides.pop("municipality", None) or Municipality(
        slug=f"kommune-{number}", name="Testby Kommune"
    )
    fields: dict[str, Any] = {
        "slug": f"proces-{number}",
        "title_da": f"Borgerbudget {number}",
        "title_en": f"PB {number}",
    }
    fields.update(overrides)
    process = Process(municipality=municipality, phase=phase, **fields)
    db.session.add(process)
    db.session.commit()
    return process


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log ``user`` in through the real form."""
    response = client.post("/konto/log-ind", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]


def make_budget(process: Process, **overrides: Any) -> Budget:
    """A committed budget (citywide unless ``district`` is given) in ``process``."""
    fields: dict[str, Any] = {"name_da": f"Pulje {next(_numbers)}", "amount": 100_000_000}
    fields.update(overrides)
    budget = Budget(process=process, **fields)
    db.session.add(budget)
    db.session.commit()
    return budget


def make_category(process: Process, **overrides: Any) -> Category:
    """A committed category in ``process``."""
    fields: dict[str, Any] = {"name_da": f"Kategori {next(_numbers)}"}
    fields.update(overrides)
    category = Category(process=process, **fields)
    db.session.add(category)
    db.session.commit()
    return category


def make_proposal(process: Process, *, budget: Budget | None = None, **overrides: Any) -> Proposal:
    """A committed, submitted proposal (with its 'submitted' event) in ``process``."""
    budget = budget or (process.budgets[0] if process.budgets else make_budget(process))
    number = next(_numbers)
    fields: dict[str, Any] = {"title": f"Forslag {number}", "summary": f"Resume af forslag {number}"}
    fields.update(overrides)
    proposal = Proposal(process=process, budget_id=budget.id, **fields)
    author = fields.get("author")
    proposal.events.append(ProposalEvent(kind=EventKind.SUBMITTED, actor_id=author.id if author else None))
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_voting_budget(
    *,
    kind: BallotKind = BallotKind.APPROVAL,
    projects: Sequence[tuple[Any, ...]] = (("P-1", 100_000_00), ("P-2", 200_000_00), ("P-3", 300_000_00)),
    process: Process | None = None,
    eligibility: Eligibility = Eligibility.ACCOUNT,
    **limits: Any,
) -> Budget:
    """A committed budget in a process that is voting with frozen rules, with one Project per entry.

    ``projects`` holds ``(code, cost)`` or ``(code, cost, {field: value})`` (e.g. title, category_id,
    exclusion_group, proposal_id); ``limits`` are Budget fields (amount, min_projects, max_projects, points…).
    A given ``process`` is put into voting and frozen too.
    """
    if process is None:
        process = make_process(phase=Phase.VOTING, eligibility=eligibility)
    process.phase = Phase.VOTING
    process.frozen_at = process.frozen_at or utcnow()
    process.rules_digest = process.rules_digest or "0" * 64
    fields: dict[str, Any] = {"name_da": f"Pulje {next(_numbers)}", "amount": 500_000_00, "ballot_kind": kind}
    fields.update(limits)
    budget = Budget(process=process, **fields)
    db.session.add(budget)
    db.session.flush()
    for position, entry in enumerate(projects):
        code, cost = entry[0], entry[1]
        extra: dict[str, Any] = {"title": f"Projekt {code}", "summary": f"Om projekt {code}."}
        extra.update(entry[2] if len(entry) > 2 else {})
        db.session.add(Project(budget_id=budget.id, code=code, cost=cost, position=position, **extra))
    db.session.commit()
    return budget
