"""Amounts typed the Danish way become whole øre."""

from __future__ import annotations

import pytest

from pbvote.forms_money import format_amount_for_input, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250000", 25_000_000),
        ("250.000", 25_000_000),
        ("1.234.567", 123_456_700),
        ("1 234 567", 123_456_700),
        ("1234,5", 123_450),
        ("1.234,50 kr.", 123_450),
        ("0", 0),
    ],
)
def test_parse_amount_reads_danish_notation(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,234", "1.23", "12,345", "1e9", "99999999999999999"])
def test_parse_amount_refuses_what_is_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


def test_format_amount_for_input_round_trips() -> None:
    for amount in (0, 100, 123_450, 25_000_000):
        assert parse_amount(format_amount_for_input(amount)) == amount
