"""MES on every shared pabulib file against pabutools' reference outcomes and the official results."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from pbvote.core.mes import equal_shares
from pbvote.core.outcome import Outcome
from pbvote.core.pabulib import read_pabulib
from pbvote.core.types import Election, TieBreak
from tests.core.conftest import pabulib_files, require_pabulib

FILES = [path.name for path in pabulib_files()] or ["<missing>"]
PLAIN_KEY = {"cumulative": "mes_additive_cardinal_sat", "ordinal": "mes_position_points"}
COMPLETED_KEY = {
    "approval": "mes_cost_sat_add1u",
    "choose-1": "mes_cost_sat_add1u",
    "cumulative": "mes_points_add1u",
}


@cache
def election(name: str) -> Election:
    """Read a shared file once per test session."""
    return read_pabulib(require_pabulib() / name)


def count(name: str, completion: bool) -> Outcome:
    """Count a shared file by MES with pabutools' id tie-break."""
    e = election(name)
    return equal_shares(
        e.projects, e.budget, e.kind, e.profile(), completion=completion, tie_break=TieBreak.ID, scale=e.scale
    )


def reference(reference_outcomes: dict[str, Any], name: str, key: str | None) -> list[str]:
    """Give the reference outcome, or skip with the reason pabutools has none."""
    if key is None:
        pytest.skip(f"no MES-with-completion reference for vote type of {name}")
    outcome = reference_outcomes[name].get(key)
    if outcome is None:
        timeouts = reference_outcomes["_meta"]["files"][name].get("timeouts", [])
        pytest.skip(f"pabutools has no {key} for {name} (timed out: {', '.join(timeouts) or 'none'})")
    return list(outcome)


@pytest.mark.parametrize("name", FILES)
def test_mes_plain_matches_pabutools_reference(name: str, reference_outcomes: dict[str, Any]) -> None:
    require_pabulib()
    key = PLAIN_KEY.get(election(name).vote_type, "mes_cost_sat")
    expected = reference(reference_outcomes, name, key)
    assert sorted(count(name, completion=False).selected) == expected


@pytest.mark.parametrize("name", FILES)
def test_mes_add1u_matches_pabutools_reference(name: str, reference_outcomes: dict[str, Any]) -> None:
    require_pabulib()
    expected = reference(reference_outcomes, name, COMPLETED_KEY.get(election(name).vote_type))
    outcome = count(name, completion=True)
    assert sorted(outcome.selected) == expected
    assert outcome.spent <= outcome.budget


def test_mes_add1u_reproduces_wieliczka_official_result() -> None:
    require_pabulib()
    name = "Poland_Wieliczka_2023_Green_Budget.pb"
    assert sorted(count(name, completion=True).selected) == official(name)


def test_mes_add1_stage_reproduces_assen_official_result() -> None:
    # Assen published the add1 stage alone: the greedy fill of Add1U would add project 7 as well.
    require_pabulib()
    name = "Netherlands_Assen_2024.pb"
    outcome = count(name, completion=True)
    added = outcome.explanation.added_by_completion
    assert sorted(p for p in outcome.selected if p not in added) == official(name)
    assert added == ("7",)


def official(name: str) -> list[str]:
    """Give the ids the file marks as funded by the official count (selected == 1)."""
    ids = sorted(p.id for p in election(name).projects if p.fields.get("selected") == "1")
    assert ids
    return ids
