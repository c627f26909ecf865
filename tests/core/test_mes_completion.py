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
    compiled, budget, scale = case
    raised = raise_shares(compiled, budget, scale, sweep=0, precision=precision)
    raises, funded = naive_add1(compiled, budget, scale)
    assert frozenset(r.project for r in raised.run.rounds) == funded
    assert raised.raises == raises


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
