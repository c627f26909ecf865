"""The greedy rule on hand-worked elections, its explanation, the ties it records, and its properties."""

from __future__ import annotations

import sys
from itertools import permutations
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.greedy import Decision, GreedyExplanation, GreedyStep, greedy, greedy_fill, greedy_ties
from pbvote.core.outcome import Outcome, Tie
from pbvote.core.scores import compute_scores
from pbvote.core.tally import count, count_election, outcome_to_json
from pbvote.core.types import Ballot, BallotKind, Election, Profile, Project, RuleName, TieBreak, Voter


def approvals(*ballots: str) -> Profile:
    """One ballot per string, each letter an approved project id."""
    return Profile.from_ballots(Ballot(tuple(letters)) for letters in ballots)


def make_projects(**costs: int) -> list[Project]:
    return [Project(project_id, cost) for project_id, cost in costs.items()]


# A=5 votes, B=4, C=3, D=1, E=0; budget 100.
FIVE = make_projects(A=60, B=50, C=30, D=10, E=20)
FIVE_BALLOTS = ("ABCD", "ABC", "ABC", "AB", "A")
FIVE_PROFILE = approvals(*FIVE_BALLOTS)


def explanation_of(outcome: Outcome) -> GreedyExplanation:
    assert isinstance(outcome.explanation, GreedyExplanation)
    return outcome.explanation


def decisions(outcome: Outcome) -> list[tuple[str, Decision]]:
    return [(step.project, step.decision) for step in explanation_of(outcome).steps]


def test_greedy_skips_what_does_not_fit_and_continues() -> None:
    outcome = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST)
    assert outcome.selected == ("A", "C", "D")
    assert outcome.spent == 100
    assert outcome.rule == "greedy"
    assert outcome.ties == ()
    assert decisions(outcome) == [
        ("A", Decision.SELECTED),
        ("B", Decision.DOES_NOT_FIT),
        ("C", Decision.SELECTED),
        ("D", Decision.SELECTED),
        ("E", Decision.DOES_NOT_FIT),
    ]


def test_greedy_explanation_records_money_left_and_the_funding_line() -> None:
    explanation = explanation_of(
        greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST)
    )
    assert [(s.score, s.votes, s.cost, s.money_left) for s in explanation.steps] == [
        (5, 5, 60, 100),
        (4, 4, 50, 40),
        (3, 3, 30, 40),
        (1, 1, 10, 10),
        (0, 0, 20, 0),
    ]
    assert explanation.funding_line_index == 1
    assert explanation.funding_line_score == 4
    assert explanation.money_left == 0
    assert explanation.threshold is None


def test_greedy_has_no_funding_line_when_everything_fits() -> None:
    outcome = greedy(FIVE, 1000, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST)
    assert outcome.selected == ("A", "B", "C", "D", "E")
    assert explanation_of(outcome).funding_line_index is None
    assert explanation_of(outcome).funding_line_score is None
    assert explanation_of(outcome).money_left == 1000 - 170


def test_greedy_threshold_keeps_low_scores_from_winning_even_when_they_fit() -> None:
    outcome = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=3)
    assert outcome.selected == ("A", "C")
    assert outcome.spent == 90
    assert decisions(outcome)[3:] == [("D", Decision.BELOW_THRESHOLD), ("E", Decision.BELOW_THRESHOLD)]
    assert explanation_of(outcome).threshold == 3


def test_greedy_threshold_lets_a_project_exactly_at_the_threshold_win() -> None:
    outcome = greedy(FIVE, 1000, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=1)
    assert outcome.selected == ("A", "B", "C", "D")


def test_greedy_funds_an_unscored_project_that_fits_as_pabutools_does() -> None:
    projects = make_projects(A=60, E=20)
    outcome = greedy(projects, 100, BallotKind.APPROVAL, approvals("A"), tie_break=TieBreak.COST)
    assert outcome.selected == ("A", "E")


def test_greedy_always_funds_a_project_that_costs_nothing() -> None:
    projects = make_projects(A=100, F=0, G=0)
    outcome = greedy(projects, 100, BallotKind.APPROVAL, approvals("A", "F"), tie_break=TieBreak.COST)
    assert set(outcome.selected) == {"A", "F", "G"}
    assert outcome.spent == 100
    assert greedy(projects, 0, BallotKind.APPROVAL, approvals("A"), tie_break=TieBreak.ID).selected == (
        "F",
        "G",
    )


def test_greedy_with_no_ballots_funds_in_tie_break_order() -> None:
    projects = make_projects(A=60, B=50, C=40)
    outcome = greedy(projects, 100, BallotKind.APPROVAL, approvals(), tie_break=TieBreak.COST)
    assert outcome.selected == ("C", "B")
    assert outcome.ties == (Tie("greedy order", ("C", "B", "A")),)


def test_greedy_knapsack_scores_like_approval() -> None:
    approval = greedy(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST)
    knapsack = greedy(FIVE, 100, BallotKind.KNAPSACK, FIVE_PROFILE, tie_break=TieBreak.COST)
    assert knapsack.selected == approval.selected
    assert compute_scores(FIVE, BallotKind.KNAPSACK, FIVE_PROFILE) == compute_scores(
        FIVE, BallotKind.APPROVAL, FIVE_PROFILE
    )


# Cumulative: P=3 points from 1 voter, Q=4 from 2, R=3 from 2; budget 100.
CUMULATIVE_PROJECTS = make_projects(P=50, Q=50, R=40)
CUMULATIVE_PROFILE = Profile.from_ballots(
    [Ballot(("P", "R"), (3, 1)), Ballot(("Q", "R"), (2, 2)), Ballot(("Q",), (2,))]
)


def test_greedy_cumulative_ranks_by_points_not_by_voters() -> None:
    scores = compute_scores(CUMULATIVE_PROJECTS, BallotKind.CUMULATIVE, CUMULATIVE_PROFILE)
    assert scores.score == {"P": 3, "Q": 4, "R": 3}
    assert scores.votes == {"P": 1, "Q": 2, "R": 2}


def test_greedy_cumulative_tie_is_recorded_and_broken_by_cost() -> None:
    outcome = greedy(
        CUMULATIVE_PROJECTS, 100, BallotKind.CUMULATIVE, CUMULATIVE_PROFILE, tie_break=TieBreak.COST
    )
    assert outcome.selected == ("Q", "R")
    assert outcome.ties == (Tie("greedy order", ("R", "P")),)


def test_greedy_cumulative_tie_is_recorded_and_broken_by_id() -> None:
    outcome = greedy(
        CUMULATIVE_PROJECTS, 100, BallotKind.CUMULATIVE, CUMULATIVE_PROFILE, tie_break=TieBreak.ID
    )
    assert outcome.selected == ("Q", "P")
    assert outcome.ties == (Tie("greedy order", ("P", "R")),)
    assert outcome.tie_break == "id"


def test_greedy_cost_tie_break_prefers_more_voters_at_equal_cost() -> None:
    projects = make_projects(S=30, T=30)
    profile = Profile.from_ballots([Ballot(("S",), (4,)), Ballot(("T",), (2,)), Ballot(("T",), (2,))])
    by_cost = greedy(projects, 30, BallotKind.CUMULATIVE, profile, tie_break=TieBreak.COST)
    by_id = greedy(projects, 30, BallotKind.CUMULATIVE, profile, tie_break=TieBreak.ID)
    assert (by_cost.selected, by_cost.ties) == (("T",), (Tie("greedy order", ("T", "S")),))
    assert (by_id.selected, by_id.ties) == (("S",), (Tie("greedy order", ("S", "T")),))


def test_greedy_id_tie_break_compares_ids_as_strings() -> None:
    projects = make_projects(**{"9": 50, "10": 60})
    outcome = greedy(projects, 100, BallotKind.APPROVAL, approvals(), tie_break=TieBreak.ID)
    assert outcome.selected == ("10",)
    assert outcome.ties == (Tie("greedy order", ("10", "9")),)


# Ranked: X=3 points, Y=2+1=3, Z=1+2+1+1=5 (one ranking cast twice); budget 100.
RANKED_PROJECTS = make_projects(X=60, Y=50, Z=40)
RANKED_PROFILE = Profile.from_ballots(
    [Ballot(("X", "Y", "Z")), Ballot(("Z", "Y")), Ballot(("Z",)), Ballot(("Z",))]
)


def test_greedy_ranked_gives_positional_points() -> None:
    scores = compute_scores(RANKED_PROJECTS, BallotKind.RANKED, RANKED_PROFILE)
    assert scores.score == {"X": 3, "Y": 3, "Z": 5}
    assert scores.votes == {"X": 1, "Y": 2, "Z": 4}


def test_greedy_ranked_counts_unknown_ids_towards_ballot_length_only() -> None:
    profile = Profile.from_ballots([Ballot(("ghost", "X")), Ballot(("ghost", "X"))])
    assert compute_scores(RANKED_PROJECTS, BallotKind.RANKED, profile).score == {"X": 2, "Y": 0, "Z": 0}


def test_greedy_ranked_ties_under_both_tie_breaks() -> None:
    by_cost = greedy(RANKED_PROJECTS, 100, BallotKind.RANKED, RANKED_PROFILE, tie_break=TieBreak.COST)
    by_id = greedy(RANKED_PROJECTS, 100, BallotKind.RANKED, RANKED_PROFILE, tie_break=TieBreak.ID)
    assert (by_cost.selected, by_cost.ties) == (("Z", "Y"), (Tie("greedy order", ("Y", "X")),))
    assert (by_id.selected, by_id.ties) == (("Z", "X"), (Tie("greedy order", ("X", "Y")),))


@pytest.mark.parametrize(
    ("costs", "budget"),
    [
        ({"A": 30, "B": 40}, 100),  # both fit in any order
        ({"A": 30, "B": 40}, 20),  # neither ever fits
        ({"A": 30, "B": 120}, 100),  # B never fits, whoever goes first
    ],
)
def test_greedy_ties_that_changed_nothing_are_not_recorded(costs: dict[str, int], budget: int) -> None:
    outcome = greedy(
        make_projects(**costs), budget, BallotKind.APPROVAL, approvals("AB"), tie_break=TieBreak.COST
    )
    assert outcome.ties == ()


def test_greedy_ties_below_the_threshold_are_not_recorded() -> None:
    projects = make_projects(A=30, B=40, C=50)
    outcome = greedy(
        projects, 60, BallotKind.APPROVAL, approvals("C", "AB"), tie_break=TieBreak.COST, threshold=2
    )
    assert outcome.selected == ()
    assert outcome.ties == ()


def test_greedy_fill_adds_to_an_initial_selection_in_greedy_order() -> None:
    added, steps = greedy_fill(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, ["B"], tie_break=TieBreak.COST)
    assert added == ["C", "D"]
    assert [(s.project, s.money_left, s.decision) for s in steps] == [
        ("A", 50, Decision.DOES_NOT_FIT),
        ("C", 50, Decision.SELECTED),
        ("D", 20, Decision.SELECTED),
        ("E", 10, Decision.DOES_NOT_FIT),
    ]
    assert greedy_ties(steps) == ()


def test_greedy_fill_records_ties_under_the_stage_it_is_given() -> None:
    projects = make_projects(A=10, B=40, C=40)
    added, steps = greedy_fill(
        projects, 50, BallotKind.APPROVAL, approvals("A"), ["A"], tie_break=TieBreak.ID
    )
    assert added == ["B"]
    assert greedy_ties(steps, "mes completion") == (Tie("mes completion", ("B", "C")),)


def test_greedy_fill_rejects_a_selection_naming_an_unknown_project() -> None:
    with pytest.raises(ValueError, match="not on the ballot: Q"):
        greedy_fill(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, ["A", "Q"], tie_break=TieBreak.COST)


def test_count_greedy_is_the_greedy_rule() -> None:
    outcome = count(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, rule=RuleName.GREEDY, threshold=3)
    assert outcome == greedy(
        FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, tie_break=TieBreak.COST, threshold=3
    )


def make_election(threshold: int | None) -> Election:
    voters = tuple(Voter(str(number), Ballot(tuple(letters))) for number, letters in enumerate(FIVE_BALLOTS))
    return Election(
        meta={},
        projects=tuple(FIVE),
        voters=voters,
        budget=100,
        kind=BallotKind.APPROVAL,
        vote_type="approval",
        threshold=threshold,
    )


def test_count_election_applies_the_file_threshold_unless_told_not_to() -> None:
    election = make_election(threshold=3)
    assert count_election(election, rule=RuleName.GREEDY).selected == ("A", "C")
    assert count_election(election, rule=RuleName.GREEDY, use_threshold=False).selected == ("A", "C", "D")
    assert count_election(make_election(threshold=None), rule=RuleName.GREEDY).selected == ("A", "C", "D")


def test_count_election_passes_the_tie_break() -> None:
    outcome = count_election(make_election(threshold=None), rule=RuleName.GREEDY, tie_break=TieBreak.ID)
    assert outcome.tie_break == "id"


def test_outcome_to_json_gives_the_cli_fields_in_smallest_units() -> None:
    outcome = greedy(
        CUMULATIVE_PROJECTS, 100, BallotKind.CUMULATIVE, CUMULATIVE_PROFILE, tie_break=TieBreak.COST
    )
    assert outcome_to_json(outcome) == {
        "rule": "greedy",
        "budget": 100,
        "spent": 90,
        "selected": ["Q", "R"],
        "ties": [{"stage": "greedy order", "projects": ["R", "P"]}],
        "tie_break": "cost",
    }


# --- properties ----------------------------------------------------------------------------------------


@st.composite
def small_elections(draw: st.DrawFn) -> tuple[list[Project], int, Profile, int | None, TieBreak]:
    """Draw an approval election with few distinct costs and scores, so ties are frequent."""
    ids = [str(number) for number in range(draw(st.integers(1, 7)))]
    projects = [Project(project_id, draw(st.sampled_from([0, 10, 20, 30, 50]))) for project_id in ids]
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True).map(tuple), max_size=6))
    profile = Profile.from_ballots(Ballot(ballot) for ballot in ballots)
    return (
        projects,
        draw(st.integers(0, 120)),
        profile,
        draw(st.none() | st.integers(0, 3)),
        draw(st.sampled_from(TieBreak)),
    )


def _funded(order: tuple[GreedyStep, ...], money: int) -> frozenset[str]:
    """Which projects greedy funds when they come in this order with this much money."""
    funded = set()
    for step in order:
        if step.cost <= money:
            funded.add(step.project)
            money -= step.cost
    return frozenset(funded)


@settings(max_examples=200, deadline=None)
@given(small_elections())
def test_greedy_never_overspends_and_leaves_nothing_that_still_fits(
    election: tuple[list[Project], int, Profile, int | None, TieBreak],
) -> None:
    projects, budget, profile, threshold, tie_break = election
    outcome = greedy(projects, budget, BallotKind.APPROVAL, profile, tie_break=tie_break, threshold=threshold)
    costs = {project.id: project.cost for project in projects}
    scores = compute_scores(projects, BallotKind.APPROVAL, profile).score
    assert outcome.spent == sum(costs[project_id] for project_id in outcome.selected) <= budget
    assert len(set(outcome.selected)) == len(outcome.selected)
    left = budget - outcome.spent
    eligible = [p for p in projects if threshold is None or scores[p.id] >= threshold]
    assert all(p.cost > left for p in eligible if p.id not in outcome.selected)
    assert all(scores[project_id] >= (threshold or 0) for project_id in outcome.selected)
    steps = explanation_of(outcome).steps
    assert sorted(step.project for step in steps) == sorted(costs)
    assert [step.score for step in steps] == sorted((step.score for step in steps), reverse=True)


@settings(max_examples=200, deadline=None)
@given(small_elections())
def test_greedy_records_a_tie_exactly_when_another_order_would_fund_other_projects(
    election: tuple[list[Project], int, Profile, int | None, TieBreak],
) -> None:
    projects, budget, profile, threshold, tie_break = election
    outcome = greedy(projects, budget, BallotKind.APPROVAL, profile, tie_break=tie_break, threshold=threshold)
    steps = explanation_of(outcome).steps
    recorded = {tie.projects for tie in outcome.ties}
    start = 0
    while start < len(steps):
        end = start
        while end < len(steps) and steps[end].score == steps[start].score:
            end += 1
        group = steps[start:end]
        eligible = group[0].decision is not Decision.BELOW_THRESHOLD
        subsets = (
            {_funded(order, group[0].money_left) for order in permutations(group)} if eligible else set()
        )
        mattered = len(subsets) > 1
        assert (tuple(step.project for step in group) in recorded) == mattered
        start = end


def test_count_mes_hands_the_election_to_equal_shares_without_projects_below_the_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, ...]] = []
    sentinel = Outcome(rule="mes", budget=100, selected=(), spent=0, ties=(), explanation=None)

    def fake_equal_shares(*args: object, **kwargs: object) -> Outcome:
        calls.append((*args, kwargs))
        return sentinel

    monkeypatch.setitem(sys.modules, "pbvote.core.mes", SimpleNamespace(equal_shares=fake_equal_shares))
    options = {"completion": False, "tie_break": TieBreak.ID, "scale": 100}
    outcome = count(FIVE, 100, BallotKind.APPROVAL, FIVE_PROFILE, rule=RuleName.MES, threshold=3, **options)
    assert outcome is sentinel
    [(projects, budget, kind, profile, passed)] = calls
    assert [project.id for project in projects] == ["A", "B", "C"]  # type: ignore[attr-defined]
    assert (budget, kind, profile) == (100, BallotKind.APPROVAL, FIVE_PROFILE)
    assert passed == options
