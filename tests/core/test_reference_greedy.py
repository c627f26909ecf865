"""Greedy against pabutools: reference outcomes on the real files, official results, random elections."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import (
    AbstractBallot,
    AbstractProfile,
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    OrdinalBallot,
    OrdinalProfile,
)
from pabutools.election import Project as PabuProject
from pabutools.rules import greedy_utilitarian_welfare

from pbvote.core.greedy import greedy
from pbvote.core.pabulib import read_pabulib
from pbvote.core.tally import count_election
from pbvote.core.types import Ballot, BallotKind, Election, Profile, Project, RuleName, TieBreak
from tests.core.conftest import pabulib_files, require_pabulib

FILES = [path.name for path in pabulib_files()] or ["<missing>"]


# The README's table of official results that greedy reproduces, and whether the city used a threshold.
OFFICIAL_GREEDY = {
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb": False,
    "Poland_Warszawa_2019_Ursynow.pb": False,
    "Poland_Czestochowa_2024_Polnoc.pb": False,
    "Poland_Krakow_2024.pb": False,
    "Poland_Krakow_2024_Nowa_Huta.pb": False,
    "Poland_Wroclaw_2015_150_-_500.pb": False,
    "Poland_Warszawa_2018_Pole_Mokotowskie.pb": True,
    "Poland_Warszawa_2026.pb": True,
    "Poland_Katowice_2020.pb": True,
    "Poland_Katowice_2024_Ligota_-_Panewniki.pb": True,
}


@cache
def election(name: str) -> Election:
    """Read each shared file once for the whole module."""
    return read_pabulib(require_pabulib() / name)


def reference_rule(vote_type: str) -> str:
    """The reference_outcomes.json rule our greedy must equal for this vote type."""
    return "greedy_cost_sat" if vote_type in ("approval", "choose-1") else "greedy_points"


@pytest.mark.parametrize("name", FILES)
def test_greedy_matches_pabutools_reference_on_every_shared_file(
    name: str, reference_outcomes: dict[str, Any]
) -> None:
    real = election(name)
    expected = reference_outcomes[name][reference_rule(real.vote_type)]
    outcome = count_election(real, rule=RuleName.GREEDY, tie_break=TieBreak.ID, use_threshold=False)
    assert sorted(outcome.selected) == expected
    assert outcome.spent <= real.budget


@pytest.mark.parametrize("name", FILES)
def test_greedy_with_threshold_matches_pabutools_reference_where_the_file_sets_one(
    name: str, reference_outcomes: dict[str, Any]
) -> None:
    real = election(name)
    key = reference_rule(real.vote_type) + "_threshold"
    assert (real.threshold is not None) == (key in reference_outcomes[name])
    outcome = count_election(real, rule=RuleName.GREEDY, tie_break=TieBreak.ID)
    if real.threshold is None:
        assert outcome == count_election(
            real, rule=RuleName.GREEDY, tie_break=TieBreak.ID, use_threshold=False
        )
    else:
        assert sorted(outcome.selected) == reference_outcomes[name][key]


def test_greedy_official_list_agrees_with_reference_outcomes(reference_outcomes: dict[str, Any]) -> None:
    files = reference_outcomes["_meta"]["files"]
    reproduced = {
        name: facts["greedy_vs_selected"]["greedy_rule"].endswith("_threshold")
        for name, facts in files.items()
        if facts.get("greedy_vs_selected", {}).get("equal")
    }
    assert reproduced == OFFICIAL_GREEDY


@pytest.mark.parametrize("name", sorted(OFFICIAL_GREEDY))
@pytest.mark.parametrize("tie_break", list(TieBreak))
def test_greedy_reproduces_the_official_winners(name: str, tie_break: TieBreak) -> None:
    real = election(name)
    official = {project.id for project in real.projects if project.fields.get("selected") == "1"}
    outcome = count_election(
        real, rule=RuleName.GREEDY, tie_break=tie_break, use_threshold=OFFICIAL_GREEDY[name]
    )
    assert set(outcome.selected) == official
    assert outcome.ties == ()  # the README: no official result here needed a tie-break


# --- pabutools on random small elections -------------------------------------------------------------


def _points_times_cost(
    instance: Instance,
    profile: AbstractProfile,
    ballot: AbstractBallot,
    project: PabuProject,
    precomputed: dict,
) -> int:
    """Points given (cumulative) or L − position (ordinal), times the cost: the greedy_points reference."""
    if project not in ballot:
        return 0
    if isinstance(ballot, OrdinalBallot):
        return (len(ballot) - ballot.position(project)) * project.cost
    return int(ballot[project]) * project.cost


class PointsTimesCostSat(AdditiveSatisfaction):
    """The satisfaction reference_outcomes.json's ``greedy_points`` uses (see its ``_meta.calls``)."""

    def __init__(self, instance: Instance, profile: AbstractProfile, ballot: AbstractBallot) -> None:
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_times_cost)


# Ids whose string order differs from their numeric order ("10" < "9"), so the id tie-break is exercised.
IDS = ["1", "2", "9", "10", "11", "20", "100"]


@st.composite
def elections(draw: st.DrawFn, kind: BallotKind) -> tuple[list[Project], int, list[Ballot], int | None]:
    """Draw a tiny election where equal scores and equal costs are frequent."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    projects = [Project(project_id, draw(st.sampled_from([0, 10, 20, 30, 40]))) for project_id in ids]
    budget = draw(st.integers(0, 90))
    ballots = []
    for _ in range(draw(st.integers(0, 7))):
        chosen = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
        points = tuple(draw(st.integers(0, 3)) for _ in chosen) if kind is BallotKind.CUMULATIVE else ()
        ballots.append(Ballot(tuple(chosen), points))
    threshold = draw(st.none() | st.integers(0, 6))
    return projects, budget, ballots, threshold


def pabutools_greedy(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    kind: BallotKind,
    threshold: int | None,
) -> set[str]:
    """Run pabutools' greedy on the same election, with the threshold as the reference applies it."""
    by_id = {project.id: PabuProject(project.id, project.cost) for project in projects}
    full = Instance(by_id.values(), budget_limit=budget)
    profile: AbstractProfile
    if kind is BallotKind.CUMULATIVE:
        profile = CumulativeProfile(
            [
                CumulativeBallot({by_id[i]: p for i, p in zip(b.projects, b.points, strict=True)})
                for b in ballots
            ],
            instance=full,
        )
        sat_class: type[AdditiveSatisfaction] = PointsTimesCostSat
    elif kind is BallotKind.RANKED:
        profile = OrdinalProfile(
            [OrdinalBallot([by_id[i] for i in b.projects]) for b in ballots], instance=full
        )
        sat_class = PointsTimesCostSat
    else:
        profile = ApprovalProfile(
            [ApprovalBallot([by_id[i] for i in b.projects]) for b in ballots], instance=full
        )
        sat_class = Cost_Sat
    instance = full
    if threshold is not None:
        score = _plain_scores(ballots, kind)
        instance = Instance([p for p in full if score.get(p.name, 0) >= threshold], budget_limit=budget)
    return {project.name for project in greedy_utilitarian_welfare(instance, profile, sat_class=sat_class)}


def _plain_scores(ballots: Sequence[Ballot], kind: BallotKind) -> dict[str, int]:
    """Score ballot by ballot, the slow obvious way, as the threshold reference counts it."""
    score: dict[str, int] = {}
    for ballot in ballots:
        for place, project_id in enumerate(ballot.projects):
            if kind is BallotKind.CUMULATIVE:
                given = ballot.points[place]
            elif kind is BallotKind.RANKED:
                given = len(ballot.projects) - place
            else:
                given = 1
            score[project_id] = score.get(project_id, 0) + given
    return score


def _assert_same_as_pabutools(
    kind: BallotKind, election: tuple[list[Project], int, list[Ballot], int | None]
) -> None:
    projects, budget, ballots, threshold = election
    ours = greedy(
        projects, budget, kind, Profile.from_ballots(ballots), tie_break=TieBreak.ID, threshold=threshold
    )
    assert set(ours.selected) == pabutools_greedy(projects, budget, ballots, kind, threshold)


@settings(max_examples=250, deadline=None)
@given(elections(BallotKind.APPROVAL))
def test_greedy_equals_pabutools_cost_sat_on_random_approval(
    election: tuple[list[Project], int, list[Ballot], int | None],
) -> None:
    _assert_same_as_pabutools(BallotKind.APPROVAL, election)


@settings(max_examples=150, deadline=None)
@given(elections(BallotKind.CUMULATIVE))
def test_greedy_equals_pabutools_points_on_random_cumulative(
    election: tuple[list[Project], int, list[Ballot], int | None],
) -> None:
    _assert_same_as_pabutools(BallotKind.CUMULATIVE, election)


@settings(max_examples=150, deadline=None)
@given(elections(BallotKind.RANKED))
def test_greedy_equals_pabutools_points_on_random_ordinal(
    election: tuple[list[Project], int, list[Ballot], int | None],
) -> None:
    _assert_same_as_pabutools(BallotKind.RANKED, election)
