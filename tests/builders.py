"""Builder functions for test data: explicit defaults, any field overridable."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient

from pbvote.auth.models import Role, User
from pbvote.auth.passwords import hash_password
from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Municipality, Phase, Process
from pbvote.proposals.models import EventKind, Proposal, ProposalEvent

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
