"""Helpers shared by the process tests: admin login, a form payload, projects on a ballot."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role, User
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project
from tests.builders import login, make_user

_codes = itertools.count(1)


def login_admin(client: FlaskClient) -> User:
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    return admin


def budget_form(**overrides: Any) -> dict[str, Any]:
    """What an admin types into the budget form for a 500.000 kr. knapsack budget counted greedily."""
    data: dict[str, Any] = {
        "name_da": "Hele byen",
        "name_en": "The whole town",
        "district": "",
        "population": "42000",
        "amount": "500.000",
        "ballot_kind": "knapsack",
        "min_projects": "0",
        "max_projects": "",
        "min_spent_percent": "0",
        "points": "",
        "max_points_per_project": "",
        "rule": "greedy",
        "completion": "y",
        "tie_break": "cost",
    }
    data.update(overrides)
    return data


def make_project(budget: Budget, *, cost: int = 10_000_000, **overrides: Any) -> Project:
    """A committed project on ``budget``'s ballot."""
    number = next(_codes)
    fields: dict[str, Any] = {"code": f"P{number}", "title": f"Projekt {number}", "position": number}
    fields.update(overrides)
    project = Project(budget_id=budget.id, cost=cost, **fields)
    db.session.add(project)
    db.session.commit()
    return project


def audit_actions(action: str | None = None) -> list[AuditEntry]:
    """The audit entries, oldest first, optionally only one action."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    db.session.expire_all()
    return list(db.session.scalars(query))


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0
