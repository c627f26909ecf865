"""The voting demo: a process in voting with frozen rules, three knapsack budgets and ten working codes."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from pbvote.ballots.demo import VOTING_SLUG, seed_demo_voting
from pbvote.ballots.eligibility import voter_for_code
from pbvote.ballots.services import cast_ballot
from pbvote.core.digest import digest_all
from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.freeze import budget_rules
from pbvote.processes.models import Eligibility, Municipality, Phase, Process
from tests.ballots.staff_support import database_text


def seeded() -> tuple[Process, list[str]]:
    municipality = Municipality(slug="soeby-test", name="Søby Kommune")
    db.session.add(municipality)
    codes = seed_demo_voting(municipality, now=utcnow())
    db.session.commit()
    process = db.session.scalar(select(Process).where(Process.slug == VOTING_SLUG))
    assert process is not None
    return process, codes


def test_demo_voting_process_is_open_with_frozen_rules(app: Flask) -> None:
    process, _codes = seeded()
    assert process.title_da == "Borgerbudget Søby 2026"
    assert process.phase is Phase.VOTING and process.eligibility is Eligibility.CODE and process.is_frozen
    assert [budget.district for budget in process.budgets] == [None, "Nordby", "Sydhavn"]
    for budget in process.budgets:
        assert budget.ballot_kind is BallotKind.KNAPSACK
        assert len(budget.projects) == 8
        assert sum(project.cost for project in budget.projects) > budget.amount  # a real choice
    digests, overall = digest_all(budget_rules(budget) for budget in process.budgets)
    assert process.rules_digest == overall
    assert [budget.rules_digest for budget in process.budgets] == digests


def test_demo_voting_codes_are_ten_unique_working_codes_stored_hashed(app: Flask) -> None:
    process, codes = seeded()
    assert len(codes) == len(set(codes)) == 10
    citywide = process.budgets[0]
    everything = database_text()
    assert not any(code in everything for code in codes)
    voter = voter_for_code(citywide, codes[0])
    receipt = cast_ballot(
        voter, citywide, BallotInput(projects=["H-1", "H-3"]), retry_key="d" * 32, now=utcnow()
    )
    db.session.commit()
    assert receipt


def test_demo_command_prints_the_voting_codes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Borgerbudget Søby 2026" in result.output
    printed = [
        line.strip()
        for line in result.output.splitlines()
        if line.strip().count("-") == 2 and len(line.strip()) == 14
    ]
    assert len(printed) == 10
    process = db.session.scalar(select(Process).where(Process.slug == VOTING_SLUG))
    assert process is not None
    voter_for_code(process.budgets[0], printed[0])
