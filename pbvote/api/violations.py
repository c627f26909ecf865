"""Ballot violations as JSON: the stable code and parameters for programs, a sentence for people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pbvote.api.queries import ballot_projects
from pbvote.ballots.messages import violation_message
from pbvote.core.validation import Violation
from pbvote.processes.models import Budget


def violations_json(violations: Iterable[Violation], budget: Budget) -> list[dict[str, Any]]:
    """Each violation with its code, its parameters and a translated message naming projects by title."""
    projects = {project.code: project for project in ballot_projects(budget)}
    currency = budget.process.currency
    return [
        {
            "code": violation.code,
            "params": dict(violation.params),
            "message": violation_message(violation, projects, currency=currency),
        }
        for violation in violations
    ]
