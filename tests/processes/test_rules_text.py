"""The rules in plain words, per ballot kind and counting rule, in Danish and English."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.processes.rules_text import rules_text


def budget(**overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "amount": 50_000_000,
        "ballot_kind": BallotKind.KNAPSACK,
        "min_projects": 0,
        "max_projects": None,
        "min_spent_percent": 0,
        "points": None,
        "max_points_per_project": None,
        "rule": RuleName.GREEDY,
        "completion": True,
        "tie_break": TieBreak.COST,
    }
    fields.update(overrides)
    return SimpleNamespace(**fields)


def kroner(amount: int) -> str:
    return f"{amount // 100} kr."


@pytest.fixture
def danish(app: Flask) -> Iterator[None]:
    with app.test_request_context(), force_locale("da"):
        yield


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.usefixtures("danish")
@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["Du kan vælge projekter for op til 500000 kr."]),
        (
            {"min_projects": 1, "max_projects": 4, "min_spent_percent": 50},
            [
                "Du kan vælge projekter for op til 500000 kr.",
                "Du kan højst vælge 4 projekter.",
                "Vælg mindst 1 projekt.",
                "De projekter, du vælger, skal tilsammen koste mindst 250000 kr. (50 % af puljen).",
            ],
        ),
        ({"ballot_kind": BallotKind.APPROVAL, "max_projects": 5}, ["Du kan vælge op til 5 projekter."]),
        ({"ballot_kind": BallotKind.APPROVAL, "max_projects": 1}, ["Du kan vælge op til 1 projekt."]),
        ({"ballot_kind": BallotKind.APPROVAL}, ["Du kan vælge så mange projekter, du vil."]),
        (
            {"ballot_kind": BallotKind.CUMULATIVE, "points": 10, "max_points_per_project": 3},
            ["Du har 10 point at fordele mellem projekterne.", "Du kan højst give 3 point til ét projekt."],
        ),
        (
            {"ballot_kind": BallotKind.RANKED, "max_projects": 5},
            ["Du kan rangere op til 5 projekter.", "Sæt din favorit først."],
        ),
    ],
)
def test_rules_text_describes_each_ballot_kind_in_danish(
    overrides: dict[str, Any], expected: list[str]
) -> None:
    assert rules_text(budget(**overrides), kroner).ballot == expected


@pytest.mark.usefixtures("danish")
def test_rules_text_explains_greedy_and_equal_shares_in_danish() -> None:
    greedy = rules_text(budget(), kroner).counting
    assert greedy[0] == "De projekter med flest stemmer vinder, så længe der er penge."
    assert greedy[-1].startswith("Står projekter lige, vinder det billigste")
    mes = rules_text(budget(rule=RuleName.MES, completion=True, tie_break=TieBreak.ID), kroner).counting
    assert mes[0].startswith("Puljen deles ligeligt mellem alle, der stemmer")
    assert any("penge tilovers" in sentence for sentence in mes)
    assert mes[-1] == "Står projekter lige, vinder det laveste projektnummer."
    without = rules_text(budget(rule=RuleName.MES, completion=False), kroner).counting
    assert not any("penge tilovers" in sentence for sentence in without)
    ranked = rules_text(budget(ballot_kind=BallotKind.RANKED), kroner).counting
    assert "flest point" in ranked[1]


@pytest.mark.usefixtures("english")
def test_rules_text_speaks_english_too() -> None:
    text = rules_text(budget(ballot_kind=BallotKind.APPROVAL, max_projects=3, min_projects=2), kroner)
    assert text.ballot == ["You can choose up to 3 projects.", "Choose at least 2 projects."]
    assert text.counting[0] == "The projects with the most votes win, as long as there is money."
