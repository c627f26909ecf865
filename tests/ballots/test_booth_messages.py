"""Every violation the core can report reads as a Danish sentence, with names and amounts filled in."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from pbvote.ballots.messages import violation_message, violation_messages
from pbvote.core.validation import Violation, ViolationCode
from pbvote.proposals.models import Project

PARAMS = {
    ViolationCode.WRONG_BALLOT_SHAPE: {"kind": "approval"},
    ViolationCode.NOT_A_PROJECT_ID: {"position": 3},
    ViolationCode.UNKNOWN_PROJECT: {"project": "X-1"},
    ViolationCode.DUPLICATE_PROJECT: {"project": "P-1"},
    ViolationCode.TOO_FEW_PROJECTS: {"minimum": 2, "actual": 1},
    ViolationCode.TOO_MANY_PROJECTS: {"limit": 1, "actual": 3},
    ViolationCode.RANKING_TOO_LONG: {"limit": 3, "actual": 4},
    ViolationCode.OVER_BUDGET: {"limit": 500_000_00, "total": 512_000_00},
    ViolationCode.UNDER_MIN_SPENT: {"minimum": 250_000_00, "total": 100_000_00},
    ViolationCode.NOT_AN_INTEGER: {"project": "P-1"},
    ViolationCode.NEGATIVE_POINTS: {"project": "P-1", "value": -2},
    ViolationCode.TOO_MANY_POINTS_FOR_PROJECT: {"project": "P-1", "limit": 5, "value": 7},
    ViolationCode.POINTS_EXCEEDED: {"limit": 10, "total": 12},
    ViolationCode.POINTS_NOT_ALL_USED: {"required": 10, "total": 8},
    ViolationCode.INVALID_RANK: {"project": "P-1", "rank": 0},
    ViolationCode.DUPLICATE_RANK: {"rank": 2},
    ViolationCode.RANKS_NOT_CONTIGUOUS: {"missing": 2},
    ViolationCode.MUTUALLY_EXCLUSIVE: {"projects": "P-1, P-2"},
}
PROJECTS = {
    "P-1": Project(code="P-1", title="Bænke ved søen", cost=1),
    "P-2": Project(code="P-2", title="Ny sti", cost=1),
}


def test_booth_messages_cover_every_violation_code() -> None:
    assert set(PARAMS) == set(ViolationCode)


@pytest.mark.parametrize("code", list(ViolationCode))
def test_booth_messages_read_as_danish_sentences(app: Flask, code: ViolationCode) -> None:
    with app.test_request_context():
        message = violation_message(Violation(code.value, PARAMS[code]), PROJECTS)
    assert message and not re.search(r"%\(|\{|None", message), message
    assert "ballot" not in message.lower() and " the " not in message, message  # translated, not English


def test_booth_messages_name_projects_and_amounts(app: Flask) -> None:
    with app.test_request_context():
        over = violation_message(Violation("over_budget", PARAMS[ViolationCode.OVER_BUDGET]), PROJECTS)
        unknown = violation_message(Violation("unknown_project", {"project": "X-1"}), PROJECTS)
        known = violation_message(Violation("duplicate_project", {"project": "P-1"}), PROJECTS)
        group = violation_message(Violation("mutually_exclusive", {"projects": "P-1, P-2"}), PROJECTS)
    assert over == "Du har valgt for 12.000\xa0kr. mere end budgettet på 500.000\xa0kr."
    assert unknown == "Projektet “X-1” findes ikke på stemmesedlen."
    assert known == "Du har valgt “Bænke ved søen” mere end én gang."
    assert "“Bænke ved søen”, “Ny sti”" in group


def test_booth_messages_survive_odd_parameters_and_unknown_codes(app: Flask) -> None:
    with app.test_request_context():
        odd = violation_message(Violation("too_few_projects", {"minimum": "two", "actual": None}), PROJECTS)
        unknown = violation_message(Violation("from_the_future", {}), PROJECTS)
        twice = violation_messages([Violation("unknown_project", {"project": "X"})] * 2, PROJECTS)
    assert odd == "Vælg mindst 0 projekter. Du har valgt 0."
    assert unknown == "Stemmesedlen kunne ikke modtages. Tjek dine valg, og prøv igen."
    assert len(twice) == 1
