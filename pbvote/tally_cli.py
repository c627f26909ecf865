"""`pbvote tally FILE.pb`: count a pabulib election with no database and no configuration."""

from __future__ import annotations

import json
import time

import click


@click.command("tally")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--rule", type=click.Choice(["greedy", "mes"]), default="mes", show_default=True)
@click.option("--no-completion", is_flag=True, help="Plain Equal Shares, without the add1 completion.")
@click.option("--tie-break", type=click.Choice(["cost", "id"]), default="cost", show_default=True)
@click.option("--no-threshold", is_flag=True, help="Ignore the file's min_project_score_threshold.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def tally_command(
    path: str, rule: str, no_completion: bool, tie_break: str, no_threshold: bool, as_json: bool
) -> None:
    """Count FILE.pb and print the winners in selection order."""
    from pbvote.core.errors import DomainError
    from pbvote.core.pabulib import read_pabulib
    from pbvote.core.tally import count_election, outcome_to_json
    from pbvote.core.types import RuleName, TieBreak

    started = time.perf_counter()
    try:
        election = read_pabulib(path)
        outcome = count_election(
            election,
            rule=RuleName(rule),
            completion=not no_completion,
            tie_break=TieBreak(tie_break),
            use_threshold=not no_threshold,
        )
    except (DomainError, OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(outcome_to_json(outcome), ensure_ascii=False))
        return
    scale = election.scale
    click.echo(f"rule: {outcome.rule} (tie-break {outcome.tie_break})")
    click.echo(f"selected ({len(outcome.selected)}): {' '.join(outcome.selected)}")
    click.echo(f"spent: {_units(outcome.spent, scale)} of {_units(outcome.budget, scale)}")
    click.echo(f"ties: {len(outcome.ties)}")
    click.echo(f"time: {elapsed:.3f} s")


def _units(amount: int, scale: int) -> str:
    """An amount in the file's own currency units (two decimals when the file had them)."""
    if scale == 1:
        return str(amount)
    whole, fraction = divmod(amount, scale)
    return f"{whole}.{fraction:0{len(str(scale)) - 1}d}"
