"""`pbvote tally-process`: counts every budget, prints the winners, commits once, fails in one line."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from pbvote.audit.models import AuditEntry
from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Budget, Phase
from pbvote.results import queries
from pbvote.results.models import TallyRun
from tests.builders import make_voting_budget
from tests.results.builders import close_voting, make_ballots

PROJECTS = (("P-1", 300_000_00), ("P-2", 250_000_00), ("P-3", 100_000_00))


def voted_budget(**limits: object) -> Budget:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, projects=PROJECTS, amount=500_000_00, **limits)
    make_ballots(budget, [["P-1"], ["P-1", "P-2"], ["P-2", "P-3"], ["P-1", "P-3"], ["P-2"]])
    return budget


def rows(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_tally_process_counts_every_budget_and_prints_the_winners(app: Flask) -> None:
    city = voted_budget()
    district = voted_budget(process=city.process, district="Nordby")
    close_voting(city.process)
    result = app.test_cli_runner().invoke(args=["tally-process", city.process.slug])
    assert result.exit_code == 0, result.output
    runs = list(db.session.scalars(select(TallyRun).order_by(TallyRun.id)))
    assert [run.budget_id for run in runs] == [city.id, district.id]
    assert (
        f"Budget {city.id} ({city.name_da}): run {runs[0].id}, greedy, tie-break cost, 5 ballots"
        in result.output
    )
    assert "winners: P-2, P-3" in result.output
    assert "spent 350000.00 of 500000.00 DKK in " in result.output
    assert "not published" in result.output and queries.published_run(city.id) is None


def test_tally_process_with_rule_tie_break_and_publish(app: Flask) -> None:
    budget = voted_budget()
    close_voting(budget.process, Phase.RESULTS)
    result = app.test_cli_runner().invoke(
        args=["tally-process", budget.process.slug, "--rule", "mes", "--tie-break", "id", "--publish"]
    )
    assert result.exit_code == 0, result.output
    run = queries.published_run(budget.id)
    assert run is not None and (run.rule.value, run.tie_break.value) == ("mes", "id")
    assert ", published" in result.output
    assert rows(AuditEntry) == 2  # counted, then published


def test_unknown_slug_is_one_line_with_exit_code_2(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["tally-process", "findes-ikke"])
    assert result.exit_code == 2
    assert result.output.strip() == "Error: There is no process with the slug 'findes-ikke'."
    assert "Traceback" not in result.output


def test_open_voting_is_refused_with_exit_code_1_and_nothing_is_written(app: Flask) -> None:
    budget = voted_budget()  # still voting
    result = app.test_cli_runner().invoke(args=["tally-process", budget.process.slug, "--publish"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: The voting in {budget.process.slug!r} has not closed (phase: voting); nothing was counted."
    )
    assert rows(TallyRun) == 0 and rows(AuditEntry) == 0


def test_a_bad_rule_is_a_usage_error(app: Flask) -> None:
    budget = voted_budget()
    close_voting(budget.process)
    result = app.test_cli_runner().invoke(args=["tally-process", budget.process.slug, "--rule", "borda"])
    assert result.exit_code == 2 and "borda" in result.output and rows(TallyRun) == 0
