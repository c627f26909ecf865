"""add1 with proven leaps gives exactly what trying every whole-unit raise gives, for every ballot kind."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.mes.compiled import Compiled, compile_election
from pbvote.core.mes.completion import raise_shares
from pbvote.core.mes.rounds import run_mes
from pbvote.core.pabulib import read_pabulib
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak
from tests.core.conftest import require_pabulib


def naive_add1(compiled: Compiled, budget: int, scale: int) -> tuple[int, frozenset[int]]:
    """Raise the share one whole unit at a time, as the definition says; return the kept raise and set."""
    base = Fraction(budget, compiled.n)
    kept = frozenset(r.project for r in run_mes(compiled, base).rounds)
    raises = 0
    while len(kept) < len(compiled.ids):
        funded = frozenset(r.project for r in run_mes(compiled, base + (raises + 1) * scale).rounds)
        if sum(compiled.costs[p] for p in funded) > budget:
            break
        kept, raises = funded, raises + 1
    return raises, kept


@st.composite
def elections(draw: st.DrawFn) -> tuple[Compiled, int, int]:
    """Draw a small election of any kind with a budget and a currency scale."""
    kind = draw(st.sampled_from(list(BallotKind)))
    scale = draw(st.sampled_from([1, 1, 10]))
    projects = [Project(f"p{i}", scale * draw(st.integers(1, 30))) for i in range(draw(st.integers(1, 6)))]
    ids = [p.id for p in projects]
    ballots = []
    for _ in range(draw(st.integers(1, 10))):
        chosen = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)))
        points = tuple(draw(st.integers(1, 4)) for _ in chosen) if kind is BallotKind.CUMULATIVE else ()
        ballots.append(Ballot(chosen, points))
    budget = scale * draw(st.integers(1, 60))
    tie_break = draw(st.sampled_from(list(TieBreak)))
    return compile_election(projects, kind, Profile.from_ballots(ballots), tie_break), budget, scale


@settings(max_examples=200, deadline=None)
@given(elections())
def test_raise_shares_equals_trying_every_raise(case: tuple[Compiled, int, int]) -> None:
    compiled, budget, scale = case
    raised = raise_shares(compiled, budget, scale)
    raises, funded = naive_add1(compiled, budget, scale)
    assert frozenset(r.project for r in raised.run.rounds) == funded
    assert raised.raises == raises
    assert raised.run.share == Fraction(budget, compiled.n) + raised.raises * scale


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from([1, 8]))
def test_galloping_with_range_proofs_equals_trying_every_raise(
    case: tuple[Compiled, int, int], precision: int
) -> None:
    assert_galloping_keeps_add1s_answer(*case, precision=precision)


def assert_galloping_keeps_add1s_answer(
    compiled: Compiled, budget: int, scale: int, precision: int = 2
) -> None:
    """The search by range proofs alone (no sweep) keeps the raise and the set trying every raise keeps."""
    raised = raise_shares(compiled, budget, scale, sweep=0, precision=precision)
    kept = (raised.raises, frozenset(r.project for r in raised.run.rounds))
    assert kept == naive_add1(compiled, budget, scale)


NO_REFERENCE = ["France_Toulouse_2024.pb", "Poland_Warszawa_2026.pb"]  # pabutools timed out on these


@pytest.mark.slow
@pytest.mark.parametrize("name", NO_REFERENCE)
def test_raise_shares_equals_trying_every_raise_on_real_files(name: str) -> None:
    # Minutes: each real file is counted once per raise. Budapest (23,000 raises) is left out.
    folder = require_pabulib()
    election = read_pabulib(folder / name)
    compiled = compile_election(election.projects, election.kind, election.profile(), TieBreak.ID)
    raised = raise_shares(compiled, election.budget, election.scale)
    assert (raised.raises, frozenset(r.project for r in raised.run.rounds)) == naive_add1(
        compiled, election.budget, election.scale
    )


def tied_room(voters: int, unit: int) -> tuple[Compiled, int]:
    """A workshop room: 12 projects, knapsack ballots of three neighbours in cost, so equal groups of
    supporters fund projects that tie exactly at their floors (cost over the supporters' utility)."""
    costs = [90, 120, 150, 210, 260, 380, 480, 540, 650, 750, 900, 1200]
    projects = [Project(f"E-{i}", cost * unit) for i, cost in enumerate(costs, start=1)]
    ballots = [Ballot(tuple(p.id for p in projects[n % 6 : n % 6 + 3])) for n in range(voters)]
    profile = Profile.from_ballots(ballots)
    return compile_election(projects, BallotKind.KNAPSACK, profile, TieBreak.COST), 2000 * unit


def test_a_room_of_exact_ties_is_galloped_over_not_crawled() -> None:
    compiled, budget = tied_room(voters=6, unit=1)
    raised = raise_shares(compiled, budget, 1, sweep=0)
    raises, funded = naive_add1(compiled, budget, 1)
    assert (raised.raises, frozenset(r.project for r in raised.run.rounds)) == (raises, funded)
    assert raises > 500 and raised.runs < 60, raised.runs  # one run per raise before ties had a proof


def test_a_room_counted_in_oere_needs_few_runs_for_hundreds_of_thousands_of_raises() -> None:
    compiled, budget = tied_room(voters=12, unit=100_000)  # the workshop's kroner budget, in øre
    raised = raise_shares(compiled, budget, 100)
    assert raised.raises == 286_666
    assert raised.runs < 100, raised.runs


@st.composite
def tied_elections(draw: st.DrawFn) -> tuple[Compiled, int, int]:
    """Draw elections full of exact ties: few distinct costs, few distinct ballots, many voters each."""
    kind = draw(st.sampled_from([BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.CUMULATIVE]))
    cost = st.sampled_from([6, 6, 12, 18])
    projects = [Project(f"p{i}", draw(cost)) for i in range(draw(st.integers(2, 7)))]
    ids = [p.id for p in projects]
    shapes = draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True), min_size=1))
    ballots = []
    for shape in shapes:
        points = tuple(2 for _ in shape) if kind is BallotKind.CUMULATIVE else ()
        ballots.extend([Ballot(tuple(shape), points)] * draw(st.integers(1, 4)))
    budget = draw(st.integers(6, 200))
    tie_break = draw(st.sampled_from(list(TieBreak)))
    return compile_election(projects, kind, Profile.from_ballots(ballots), tie_break), budget, 1


@settings(max_examples=200, deadline=None)
@given(tied_elections())
def test_range_proofs_settle_exact_ties_as_trying_every_raise_does(case: tuple[Compiled, int, int]) -> None:
    assert_galloping_keeps_add1s_answer(*case)


@st.composite
def bloc_elections(draw: st.DrawFn) -> tuple[Compiled, int, int]:
    """Draw elections of two voter blocs with projects of their own: the blocs' projects commute, so
    their order may swap as shares rise while the funded set stays the same."""
    kind = draw(st.sampled_from([BallotKind.APPROVAL, BallotKind.KNAPSACK]))
    projects: list[Project] = []
    ballots: list[Ballot] = []
    for bloc in "ab":
        ids = [f"{bloc}{i}" for i in range(draw(st.integers(1, 3)))]
        projects.extend(Project(project, draw(st.integers(1, 40))) for project in ids)
        for _ in range(draw(st.integers(1, 4))):
            shape = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)))
            ballots.extend([Ballot(shape)] * draw(st.integers(1, 4)))
    budget = draw(st.integers(10, 150))
    tie_break = draw(st.sampled_from(list(TieBreak)))
    return compile_election(projects, kind, Profile.from_ballots(ballots), tie_break), budget, 1


@settings(max_examples=300, deadline=None)
@given(bloc_elections(), st.sampled_from([1, 8]))
def test_range_proofs_let_commuting_projects_swap_as_trying_every_raise_does(
    case: tuple[Compiled, int, int], precision: int
) -> None:
    assert_galloping_keeps_add1s_answer(*case, precision=precision)


SWAPPING_BLOCS = [  # found by a random search: elections whose range proofs lean on commuting projects
    (
        BallotKind.APPROVAL,
        172,
        {"a0": 25, "a1": 9, "a2": 22, "b0": 41, "b1": 21, "b2": 46},
        {("a1",): 3, ("b1", "b2", "b0"): 3, ("b2", "b0"): 3, ("a1", "a2", "a0"): 2, ("b1",): 1},
    ),
    (
        BallotKind.KNAPSACK,
        155,
        {"a0": 29, "a1": 33, "b0": 45, "b1": 43},
        {("a1", "a0"): 6, ("b1", "b0"): 5, ("b1",): 4, ("b0",): 3},
    ),
    (
        BallotKind.APPROVAL,
        236,
        {"a0": 34, "a1": 59, "b0": 41, "b1": 55, "b2": 6},
        {("a1",): 6, ("a0",): 6, ("b1", "b2"): 6, ("b0",): 3, ("a1", "a0"): 2, ("b0", "b1"): 1, ("b1",): 1},
    ),
]


@pytest.mark.parametrize(("kind", "budget", "costs", "ballots"), SWAPPING_BLOCS)
@pytest.mark.parametrize("tie_break", list(TieBreak))
def test_commuting_projects_swapping_order_keep_add1s_answer(
    kind: BallotKind,
    budget: int,
    costs: dict[str, int],
    ballots: dict[tuple[str, ...], int],
    tie_break: TieBreak,
) -> None:
    projects = [Project(project, cost) for project, cost in costs.items()]
    profile = Profile(tuple(Ballot(shape) for shape in ballots), tuple(ballots.values()))
    assert_galloping_keeps_add1s_answer(compile_election(projects, kind, profile, tie_break), budget, 1)
