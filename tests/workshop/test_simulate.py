"""Simulated ballots: valid under the budget's rules, reproducible by seed, realistic in shape."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import select

from pbvote.ballots.loaders import rules_for
from pbvote.ballots.models import Ballot, BallotLine
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput, validate_ballot
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.proposals.models import Project
from pbvote.workshop.services import WorkshopError, close_voting, create_workshop
from pbvote.workshop.simulate import add_simulated_ballots, simulated_choices, tastes_for
from tests.builders import make_voting_budget
from tests.workshop.support import counts, fresh, new_workshop


def stored_ballots(budget_id: int) -> list[tuple[str, ...]]:
    """Each stored ballot as its sorted project codes (ballot ids are random, so order by content)."""
    db.session.expire_all()
    rows = db.session.execute(
        select(BallotLine.ballot_id, Project.code)
        .join(Project, Project.id == BallotLine.project_id)
        .join(Ballot, Ballot.id == BallotLine.ballot_id)
        .where(Ballot.budget_id == budget_id)
    )
    by_ballot: dict[str, list[str]] = {}
    for ballot_id, code in rows:
        by_ballot.setdefault(ballot_id, []).append(code)
    return sorted(tuple(sorted(codes)) for codes in by_ballot.values())


def test_simulate_adds_n_valid_ballots_deterministically(app: Flask) -> None:
    first, second = new_workshop(), new_workshop()
    assert add_simulated_ballots(None, first, voters=200, seed=11, now=utcnow()) == 200
    assert add_simulated_ballots(None, second, voters=200, seed=11, now=utcnow()) == 200
    db.session.commit()
    budget = first.process.budgets[0]
    assert counts(first)["ballots"] == 200 and counts(first)["participations"] == 200
    ballots = stored_ballots(budget.id)
    assert ballots == stored_ballots(second.process.budgets[0].id)  # same seed, same ballots
    spec = rules_for(budget).spec
    assert all(validate_ballot(spec, BallotInput(projects=list(b))) == [] for b in ballots)
    cost = {p.code: p.cost for p in budget.projects}
    assert all(sum(cost[c] for c in b) <= budget.amount for b in ballots)
    support = Counter(code for ballot in ballots for code in ballot)
    assert support["E-2"] > support["E-12"]  # the popular safe school road beats the community kitchen
    assert len(set(ballots)) > 50  # voters differ
    assert fresh(first.id).version > 0


def test_different_seeds_give_different_rooms_and_adding_again_adds_more(app: Flask) -> None:
    workshop, other = new_workshop(), new_workshop()
    add_simulated_ballots(None, workshop, voters=30, seed=1, now=utcnow())
    add_simulated_ballots(None, other, voters=30, seed=2, now=utcnow())
    assert stored_ballots(workshop.process.budgets[0].id) != stored_ballots(other.process.budgets[0].id)
    add_simulated_ballots(None, workshop, voters=30, seed=1, now=utcnow())  # same seed again: new voters
    db.session.commit()
    assert counts(workshop)["ballots"] == 60


@pytest.mark.parametrize(
    ("kind", "limits"),
    [
        (BallotKind.APPROVAL, {"max_projects": 2, "min_projects": 1}),
        (BallotKind.RANKED, {"max_projects": 3}),
        (BallotKind.CUMULATIVE, {"points": 10, "max_points_per_project": 5}),
        (BallotKind.KNAPSACK, {"min_spent_percent": 50}),
    ],
)
def test_simulated_ballots_follow_every_kind_of_rule(app: Flask, kind: BallotKind, limits: dict) -> None:
    source = make_voting_budget(
        kind=kind,
        projects=(
            ("A", 100_000_00),
            ("B", 200_000_00, {"exclusion_group": "g"}),
            ("C", 300_000_00, {"exclusion_group": "g"}),
            ("D", 150_000_00),
        ),
        **limits,
    )
    workshop = create_workshop(None, "da", source=source.process, now=utcnow())
    spec = rules_for(workshop.process.budgets[0]).spec
    choices = simulated_choices(spec, tastes_for(workshop, spec, {}), 50, seed=3)
    assert len(choices) == 50 and all(validate_ballot(spec, c) == [] for c in choices)
    assert add_simulated_ballots(None, workshop, voters=50, seed=3, now=utcnow()) == 50


def test_simulate_is_refused_after_the_voting_closes(app: Flask) -> None:
    workshop = new_workshop(voting=True)
    close_voting(None, workshop, now=utcnow())
    with pytest.raises(WorkshopError):
        add_simulated_ballots(None, workshop, voters=10, now=utcnow())
    db.session.rollback()
    assert counts(workshop)["ballots"] == 0
