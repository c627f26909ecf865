"""The float run gives exact MES's funded sequence whenever it answers, and the completion's hand-over
from trying raises one by one to galloping keeps add1's outcome."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.core.mes.compiled import Compiled, compile_election
from pbvote.core.mes.completion import raise_shares
from pbvote.core.mes.probe import probe_sequence
from pbvote.core.mes.rounds import run_mes
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak
from tests.core.test_mes_completion import elections, naive_add1


@settings(max_examples=300, deadline=None)
@given(elections(), st.integers(0, 40))
def test_float_run_answers_only_with_the_exact_sequence(case: tuple[Compiled, int, int], raises: int) -> None:
    compiled, budget, scale = case
    share = Fraction(budget, compiled.n) + raises * scale
    sequence = probe_sequence(compiled, share)
    if sequence is not None:
        assert sequence == tuple(r.project for r in run_mes(compiled, share).rounds)


def test_float_run_settles_an_exact_tie_by_the_tie_break_order() -> None:
    projects = [Project("a", 30), Project("b", 30), Project("c", 50)]
    ballots = [Ballot(("a", "b")), Ballot(("a", "b")), Ballot(("a", "b", "c")), Ballot(("c",))]
    compiled = compile_election(projects, BallotKind.APPROVAL, Profile.from_ballots(ballots), TieBreak.ID)
    share = Fraction(60, 4)
    expected = tuple(r.project for r in run_mes(compiled, share).rounds)
    assert probe_sequence(compiled, share) == expected
    assert compiled.ids[expected[0]] == "a"


@settings(max_examples=200, deadline=None)
@given(elections(), st.integers(0, 3))
def test_galloping_after_a_short_sweep_equals_trying_every_raise(
    case: tuple[Compiled, int, int], sweep: int
) -> None:
    compiled, budget, scale = case
    raised = raise_shares(compiled, budget, scale, sweep=sweep)
    raises, funded = naive_add1(compiled, budget, scale)
    assert frozenset(r.project for r in raised.run.rounds) == funded
    assert raised.raises == raises


@settings(max_examples=200, deadline=None)
@given(elections(), st.integers(1, 3))
def test_galloping_once_the_sequence_holds_steady_equals_trying_every_raise(
    case: tuple[Compiled, int, int], steady: int
) -> None:
    compiled, budget, scale = case
    raised = raise_shares(compiled, budget, scale, steady=steady)
    raises, funded = naive_add1(compiled, budget, scale)
    assert frozenset(r.project for r in raised.run.rounds) == funded
    assert raised.raises == raises


@settings(max_examples=300, deadline=None)
@given(elections(), st.integers(0, 40))
def test_float_run_stopping_early_agrees_with_the_exact_run_on_the_budget(
    case: tuple[Compiled, int, int], raises: int
) -> None:
    compiled, budget, scale = case
    share = Fraction(budget, compiled.n) + raises * scale
    answer = probe_sequence(compiled, share, budget)
    exact = tuple(r.project for r in run_mes(compiled, share).rounds)
    cost = sum(compiled.costs[p] for p in exact)
    if answer is True:
        assert cost <= budget
        assert len(exact) < len(compiled.ids)
    elif answer is not None and sum(compiled.costs[p] for p in answer) > budget:
        assert answer == exact[: len(answer)]
        assert cost > budget
    elif answer is not None:
        assert answer == exact
