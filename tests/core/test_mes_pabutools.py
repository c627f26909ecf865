"""MES against pabutools (exact gmpy2 fractions) on random small elections with frequent ties."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import (
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
)
from pabutools.election import Project as PabuProject
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares

from pbvote.core.mes import equal_shares
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: st.DrawFn, points: bool) -> tuple[list[Project], int, list[Ballot]]:
    """Draw 1-6 projects with small costs, 1-8 voters and a small budget, so ties are common."""
    count = draw(st.integers(1, 6))
    unit = draw(st.sampled_from([1, 3, 10]))
    projects = [Project(f"p{index}", unit * draw(st.integers(1, 6))) for index in range(count)]
    budget = draw(st.integers(1, 8 * unit * count))
    ballots = []
    for _ in range(draw(st.integers(1, 8))):
        chosen = draw(
            st.lists(st.sampled_from([p.id for p in projects]), min_size=1, max_size=count, unique=True)
        )
        given_points = tuple(draw(st.integers(1, 4)) for _ in chosen) if points else ()
        ballots.append(Ballot(tuple(sorted(chosen)), given_points))
    return projects, budget, ballots


def pabutools_instance(projects: list[Project], budget: int) -> tuple[Instance, dict[str, PabuProject]]:
    """Build the same instance for pabutools."""
    by_id = {p.id: PabuProject(p.id, p.cost) for p in projects}
    return Instance(by_id.values(), budget_limit=budget), by_id


def approval_profile(ballots: list[Ballot], by_id: dict[str, PabuProject], instance: Instance) -> Any:
    """Build pabutools approval ballots."""
    return ApprovalProfile([ApprovalBallot(by_id[p] for p in b.projects) for b in ballots], instance=instance)


def ours(
    projects: list[Project], budget: int, kind: BallotKind, ballots: list[Ballot], completion: bool
) -> set[str]:
    """Count with pbvote, pabutools' id tie-break."""
    profile = Profile.from_ballots(ballots)
    outcome = equal_shares(projects, budget, kind, profile, completion=completion, tie_break=TieBreak.ID)
    assert outcome.spent <= budget
    return set(outcome.selected)


@SETTINGS
@given(elections(points=False))
def test_mes_plain_approval_matches_pabutools(election: tuple[list[Project], int, list[Ballot]]) -> None:
    projects, budget, ballots = election
    instance, by_id = pabutools_instance(projects, budget)
    profile = approval_profile(ballots, by_id, instance)
    expected = {p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat)}
    assert ours(projects, budget, BallotKind.APPROVAL, ballots, completion=False) == expected


@SETTINGS
@given(elections(points=True))
def test_mes_plain_cumulative_matches_pabutools(election: tuple[list[Project], int, list[Ballot]]) -> None:
    projects, budget, ballots = election
    instance, by_id = pabutools_instance(projects, budget)
    profile = CumulativeProfile(
        [CumulativeBallot({by_id[p]: v for p, v in zip(b.projects, b.points, strict=True)}) for b in ballots],
        instance=instance,
    )
    expected = {p.name for p in method_of_equal_shares(instance, profile, sat_class=Additive_Cardinal_Sat)}
    assert ours(projects, budget, BallotKind.CUMULATIVE, ballots, completion=False) == expected


@SETTINGS
@given(elections(points=False))
def test_mes_add1u_approval_matches_pabutools(election: tuple[list[Project], int, list[Ballot]]) -> None:
    projects, budget, ballots = election
    instance, by_id = pabutools_instance(projects, budget)
    profile = approval_profile(ballots, by_id, instance)
    raised = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat},
        budget_step=profile.num_ballots(),
        exhaustive_stop=False,
    )
    filled = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, initial_budget_allocation=raised
    )
    assert ours(projects, budget, BallotKind.APPROVAL, ballots, completion=True) == {p.name for p in filled}
