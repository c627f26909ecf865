"""`pbvote tally-process SLUG`: count every budget of a process into stored runs, optionally publish them."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from pbvote.extensions import db
from pbvote.results.models import TallyRun

EXIT_REFUSED = 1  # the process exists but cannot be counted now
EXIT_UNKNOWN = 2  # no such process (like a usage error)


@click.command("tally-process")
@click.argument("slug")
@click.option("--rule", type=click.Choice(["greedy", "mes"]), help="Count by this rule, not the budget's.")
@click.option("--tie-break", type=click.Choice(["id", "cost"]), help="Break ties this way instead.")
@click.option("--publish", is_flag=True, help="Publish the new runs as the results.")
def tally_process_command(slug: str, rule: str | None, tie_break: str | None, publish: bool) -> None:
    """Count every budget of the process SLUG (after voting has closed) and store one run per budget."""
    from pbvote.core.errors import DomainError
    from pbvote.core.types import RuleName, TieBreak
    from pbvote.db import utcnow
    from pbvote.results.policies import voting_closed
    from pbvote.results.queries import process_for_counting
    from pbvote.results.services import publish_run, tally_budget

    process = process_for_counting(slug)
    if process is None:
        _fail(f"There is no process with the slug {slug!r}.", EXIT_UNKNOWN)
    if not voting_closed(process):
        _fail(f"The voting in {slug!r} has not closed (phase: {process.phase.value}); nothing was counted.")
    if not process.budgets:
        _fail(f"The process {slug!r} has no budgets; nothing was counted.")
    now = utcnow()
    lines: list[str] = []
    try:
        for budget in process.budgets:
            run = tally_budget(
                budget,
                actor=None,
                rule=RuleName(rule) if rule else None,
                tie_break=TieBreak(tie_break) if tie_break else None,
                now=now,
            )
            if publish:
                publish_run(run, actor=None, now=now)
            lines.extend(_describe(run, process.currency, publish))
    except DomainError as exc:
        db.session.rollback()
        _fail(f"{exc} Nothing was counted.")
    db.session.commit()
    for line in lines:
        click.echo(line)


def _describe(run: TallyRun, currency: str, published: bool) -> list[str]:
    """Three lines per budget: which run, the winners, the money and the time taken."""
    report = run.report_data()
    budget = run.budget
    state = "published" if published else "not published"
    winners = ", ".join(report.get("selected", [])) or "(none)"
    return [
        f"Budget {budget.id} ({budget.name_da}): run {run.id}, {run.rule.value}, "
        f"tie-break {run.tie_break.value}, {run.ballots_count} ballots, {state}",
        f"  winners: {winners}",
        f"  spent {_money(report.get('spent', 0))} of {_money(report.get('budget', budget.amount))} "
        f"{currency} in {run.seconds:.2f} s",
    ]


def _money(amount: int) -> str:
    """Hundredths as a plain amount with two decimals ('1234567.50'), easy to compare with a .pb file."""
    return f"{amount // 100}.{amount % 100:02d}"


def _fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    """One line on stderr and the exit code; never a traceback."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)
