"""The cut ceiling only skips raises at which MES really fits the budget and leaves something unfunded."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings

from pbvote.core.mes.ceiling import fitting_raises
from pbvote.core.mes.compiled import Compiled, compile_election
from pbvote.core.mes.rounds import run_mes
from pbvote.core.types import Ballot, BallotKind, Profile, Project, TieBreak
from tests.core.test_mes_completion import elections


@settings(max_examples=300, deadline=None)
@given(elections())
def test_every_skipped_raise_fits_and_leaves_a_project_unfunded(case: tuple[Compiled, int, int]) -> None:
    compiled, budget, scale = case
    for raises in range(fitting_raises(compiled, budget, scale) + 1):
        funded = [r.project for r in run_mes(compiled, Fraction(budget, compiled.n) + raises * scale).rounds]
        assert sum(compiled.costs[p] for p in funded) <= budget
        assert len(funded) < len(compiled.ids)


def test_separate_districts_are_skipped_until_their_voters_could_overspend() -> None:
    # Two districts of 10 voters, 60 each; each district's projects cost 70 together: nothing can
    # overspend 120 until every share reaches 7, nor fund everything (140) before then.
    projects = [Project("a1", 40), Project("a2", 30), Project("b1", 40), Project("b2", 30)]
    ballots = [Ballot(("a1", "a2"))] * 10 + [Ballot(("b1", "b2"))] * 10
    compiled = compile_election(projects, BallotKind.APPROVAL, Profile.from_ballots(ballots), TieBreak.ID)
    assert fitting_raises(compiled, 120, 1) == 0  # share 6 + 1 = 7: 70 per district could be spent


def test_nothing_is_skipped_when_every_project_fits_from_the_start() -> None:
    projects = [Project("a", 10), Project("b", 10)]
    compiled = compile_election(
        projects, BallotKind.APPROVAL, Profile.from_ballots([Ballot(("a", "b"))] * 4), TieBreak.ID
    )
    assert fitting_raises(compiled, 100, 1) == -1
