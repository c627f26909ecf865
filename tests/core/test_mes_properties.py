"""Properties every MES count keeps, checked on the explanation's exact payments."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.mes import equal_shares
from pbvote.core.mes.compiled import ballot_utility_map
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak


@st.composite
def counts(draw: st.DrawFn) -> tuple[list[Project], int, BallotKind, Profile, bool, TieBreak]:
    """Draw a small election of any ballot kind, with or without completion."""
    kind = draw(st.sampled_from(list(BallotKind)))
    projects = [Project(f"p{i}", draw(st.integers(1, 40))) for i in range(draw(st.integers(1, 6)))]
    ids = [p.id for p in projects]
    ballots = []
    for _ in range(draw(st.integers(1, 9))):
        chosen = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)))
        points = tuple(draw(st.integers(1, 5)) for _ in chosen) if kind is BallotKind.CUMULATIVE else ()
        ballots.append(Ballot(chosen, points))
    budget = draw(st.integers(1, 150))
    return (
        projects,
        budget,
        kind,
        Profile.from_ballots(ballots),
        draw(st.booleans()),
        draw(st.sampled_from(list(TieBreak))),
    )


@settings(max_examples=150, deadline=None)
@given(counts())
def test_mes_payments_respect_shares_supporters_and_costs(
    case: tuple[list[Project], int, BallotKind, Profile, bool, TieBreak],
) -> None:
    projects, budget, kind, profile, completion, tie_break = case
    outcome = equal_shares(projects, budget, kind, profile, completion=completion, tie_break=tie_break)
    explanation = outcome.explanation
    costs = {p.id: p.cost for p in projects}
    assert outcome.spent == sum(costs[p] for p in outcome.selected) <= budget
    assert len(set(outcome.selected)) == len(outcome.selected)
    paid: dict[int, Fraction] = defaultdict(Fraction)
    for number, round_ in enumerate(explanation.rounds, start=1):
        payments = explanation.payments(number)
        assert sum(p.per_voter * p.voters for p in payments) == round_.cost == costs[round_.project]
        assert sum(p.voters for p in payments) == round_.payers
        for payment in payments:
            utilities = ballot_utility_map(profile.ballots[payment.group], kind, costs)
            assert utilities.get(round_.project, 0) > 0  # only supporters pay
            assert 0 < payment.per_voter <= round_.rho * utilities[round_.project]
            paid[payment.group] += payment.per_voter
    assert all(total <= explanation.share.final for total in paid.values())
    if not completion:
        assert explanation.share.final == explanation.share.initial
