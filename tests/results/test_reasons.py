"""Why a project won or lost: every reason code as a sentence in Danish and English, numbers per locale."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from pbvote.core.types import BallotKind
from pbvote.i18n import format_money
from pbvote.results.reasons import reason_text

CASES: list[tuple[str, dict[str, Any], bool, str, str]] = [
    (
        "won",
        {"score": 1204, "supporters": 1204},
        True,
        "Vandt: 1.204 stemmer, plads i budgettet",
        "Won: 1,204 votes, fitted in the budget",
    ),
    (
        "won",
        {"score": 1, "supporters": 1},
        True,
        "Vandt: 1 stemme, plads i budgettet",
        "Won: 1 vote, fitted in the budget",
    ),
    (
        "did_not_fit",
        {"score": 800, "money_left": 50_000_00, "cost": 100_000_00},
        False,
        "Ikke valgt: 800 stemmer, men det koster 100.000\xa0kr., og der var kun 50.000\xa0kr. tilbage",
        "Not chosen: 800 votes, but it costs DKK\xa0100,000 and only DKK\xa050,000 was left",
    ),
    (
        "below_threshold",
        {"score": 35, "threshold": 40},
        False,
        "Ikke valgt: 35 stemmer, færre end de 40 et projekt skal have for at vinde",
        "Not chosen: 35 votes, fewer than the 40 a project needs to win",
    ),
    (
        "won_round",
        {"round": 2, "payers": 1500, "supporters": 1612},
        True,
        "Vandt i runde 2: 1.500 vælgere der støttede det, delte prisen",
        "Won in round 2: 1,500 voters who supported it shared the cost",
    ),
    ("won_free", {}, True, "Vandt: det koster ingenting", "Won: it costs nothing"),
    (
        "won_fill",
        {"score": 97, "money_left": 120_000_00},
        True,
        "Vandt, da de resterende penge blev fordelt efter stemmer: 97 stemmer, og der var plads i de "
        "120.000\xa0kr. der var tilbage",
        "Won when the money left was shared out by votes: 97 votes, and it fitted in the DKK\xa0120,000 left",
    ),
    (
        "supporters_ran_out",
        {"supporters": 312, "supporters_money": 41_250_50, "cost": 90_000_00},
        False,
        "Ikke valgt: de 312 vælgere der støttede det havde brugt deres andel (41.250,50\xa0kr. tilbage, "
        "det koster 90.000\xa0kr.)",
        "Not chosen: the 312 voters who supported it had spent their share (DKK\xa041,250.50 left, "
        "it costs DKK\xa090,000)",
    ),
    (
        "did_not_fit",
        {"money_left": 10_000_00, "cost": 90_000_00},
        False,
        "Ikke valgt: det koster 90.000\xa0kr., og der var kun 10.000\xa0kr. tilbage",
        "Not chosen: it costs DKK\xa090,000 and only DKK\xa010,000 was left",
    ),
    ("no_supporters", {}, False, "Ikke valgt: ingen stemte på det", "Not chosen: no one voted for it"),
]


def sentence(
    app: Flask, locale: str, reason: Any, kind: BallotKind = BallotKind.APPROVAL, won: bool = False
) -> str:
    with app.test_request_context(), force_locale(locale):
        return reason_text(reason, kind, lambda amount: format_money(amount, "DKK"), won=won)


@pytest.mark.parametrize(("code", "params", "won", "danish", "english"), CASES)
def test_every_reason_code_reads_as_a_sentence_in_danish_and_english(
    app: Flask, code: str, params: dict[str, Any], won: bool, danish: str, english: str
) -> None:
    reason = {"code": code, "params": params}
    assert sentence(app, "da", reason, won=won) == danish
    assert sentence(app, "en", reason, won=won) == english


def test_the_contract_examples_read_word_for_word(app: Flask) -> None:
    won = {"code": "won", "params": {"score": 1204, "supporters": 1204}}
    ran_out = {"code": "supporters_ran_out", "params": {"supporters": 312, "supporters_money": 0, "cost": 1}}
    assert sentence(app, "da", won) == "Vandt: 1.204 stemmer, plads i budgettet"
    assert sentence(app, "da", ran_out).startswith(
        "Ikke valgt: de 312 vælgere der støttede det havde brugt deres andel"
    )
    assert sentence(app, "en", ran_out).startswith(
        "Not chosen: the 312 voters who supported it had spent their share"
    )


@pytest.mark.parametrize("kind", [BallotKind.CUMULATIVE, BallotKind.RANKED])
def test_points_ballots_speak_of_points(app: Flask, kind: BallotKind) -> None:
    won = {"code": "won", "params": {"score": 2310, "supporters": 400}}
    assert sentence(app, "da", won, kind) == "Vandt: 2.310 point, plads i budgettet"
    assert sentence(app, "en", won, kind) == "Won: 2,310 points, fitted in the budget"
    short = {"code": "below_threshold", "params": {"score": 1, "threshold": 5}}
    assert sentence(app, "en", short, kind) == "Not chosen: 1 point, fewer than the 5 a project needs to win"


def test_an_unknown_or_missing_reason_still_says_won_or_not(app: Flask) -> None:
    assert sentence(app, "da", {"code": "something_new", "params": {}}, won=True) == "Vandt"
    assert sentence(app, "en", None, won=False) == "Not chosen"
    assert (
        sentence(app, "en", {"code": "won", "params": {"score": "x"}}) == "Won: 0 votes, fitted in the budget"
    )
