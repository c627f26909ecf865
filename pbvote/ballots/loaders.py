"""The bridge from a budget's rows to the core's BudgetSpec (the frozen rules a ballot is checked against)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from pbvote.core.types import BudgetSpec
from pbvote.core.types import Project as CoreProject
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.proposals.models import Project


@dataclass(frozen=True)
class BallotRules:
    """A budget's spec plus the map from public project codes to database ids."""

    spec: BudgetSpec
    project_ids: dict[str, int]  # code → project.id
    exclusion_groups: dict[str, str]  # code → group label


def rules_for(budget: Budget) -> BallotRules:
    """Build the spec from the budget and its projects (one query)."""
    projects = list(
        db.session.scalars(
            select(Project).where(Project.budget_id == budget.id).order_by(Project.position, Project.id)
        )
    )
    groups: dict[str, set[str]] = {}
    for project in projects:
        if project.exclusion_group:
            groups.setdefault(project.exclusion_group, set()).add(project.code)
    spec = BudgetSpec(
        amount=budget.amount,
        kind=budget.ballot_kind,
        projects=tuple(CoreProject(id=p.code, cost=p.cost, name=p.title) for p in projects),
        min_projects=budget.min_projects,
        max_projects=budget.max_projects,
        min_spent_share=Fraction(budget.min_spent_percent, 100),
        points=budget.points,
        max_points_per_project=budget.max_points_per_project,
        exclusive_groups=tuple(frozenset(codes) for _, codes in sorted(groups.items()) if len(codes) > 1),
    )
    return BallotRules(
        spec=spec,
        project_ids={p.code: p.id for p in projects},
        exclusion_groups={p.code: p.exclusion_group for p in projects if p.exclusion_group},
    )
