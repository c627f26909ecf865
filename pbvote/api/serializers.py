"""Rows as the API's JSON objects; amounts in the currency's smallest unit (øre), as stored."""

from __future__ import annotations

from typing import Any

from pbvote.processes.models import Budget, Process
from pbvote.proposals.models import Project
from pbvote.results.models import TallyRun


def process_summary(process: Process, locale: str) -> dict[str, Any]:
    """A process in the list: how to address it, its title and where it stands."""
    return {"slug": process.slug, "title": process.title(locale), "phase": process.phase.value}


def process_detail(process: Process, locale: str) -> dict[str, Any]:
    """A process with its budgets and the digest of its frozen rules (null until voting opens)."""
    return {
        **process_summary(process, locale),
        "summary": process.summary(locale),
        "currency": process.currency,
        "eligibility": process.eligibility.value,
        "frozen": process.is_frozen,
        "rules_digest": process.rules_digest,
        "budgets": [budget_json(budget, locale) for budget in process.budgets],
    }


def budget_json(budget: Budget, locale: str) -> dict[str, Any]:
    """A budget: its amount, ballot kind and the limits a ballot must keep."""
    return {
        "id": budget.id,
        "name": budget.name(locale),
        "district": budget.district,
        "amount": budget.amount,
        "ballot_kind": budget.ballot_kind.value,
        "min_projects": budget.min_projects,
        "max_projects": budget.max_projects,
        "min_spent": _min_spent(budget),
        "points": budget.points,
        "max_points_per_project": budget.max_points_per_project,
        "rule": budget.rule.value,
        "rules_digest": budget.rules_digest,
    }


def _min_spent(budget: Budget) -> int:
    """The least a knapsack ballot must spend, rounded up to a whole øre (as the core checks it)."""
    return -(-budget.amount * budget.min_spent_percent // 100)


def project_json(project: Project, budget: Budget, locale: str) -> dict[str, Any]:
    """A project on the ballot, known by its public code."""
    return {
        "id": project.code,
        "title": project.title,
        "summary": project.summary,
        "cost": project.cost,
        "category": project.category.name(locale) if project.category else None,
        "district": budget.district,
        "exclusion_group": project.exclusion_group,
    }


def results_json(budget: Budget, run: TallyRun) -> dict[str, Any]:
    """A budget's published result as its stored run recorded it: winners in selection order, money in øre."""
    report = run.report_data()
    rows = {row["code"]: row for row in report.get("rows", [])}
    winners = [
        {"id": code, "title": rows[code]["name"], "cost": rows[code]["cost"], "votes": rows[code]["score"]}
        for code in report.get("selected", [])
    ]
    return {
        "budget_id": budget.id,
        "rule": str(run.rule),
        "tie_break": str(run.tie_break),
        "spent": report.get("spent", sum(winner["cost"] for winner in winners)),
        "budget": report.get("budget", budget.amount),
        "ballots": run.ballots_count,
        "ballots_digest": run.ballots_digest,
        "rules_digest": run.rules_digest,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "winners": winners,
    }
