"""`pbvote import-pb` and `pbvote export-pb`: pabulib files in and out of the database."""

from __future__ import annotations

import time
from pathlib import Path

import click

from pbvote.extensions import db


@click.command("import-pb")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--slug", default="", help="The new process's address (default: made from the file name).")
def import_pb_command(path: str, slug: str) -> None:
    """Load FILE.pb as a process whose voting has closed; print its slug and budget id."""
    from pbvote.core.errors import DomainError
    from pbvote.core.pabulib import read_pabulib
    from pbvote.db import utcnow
    from pbvote.results.importing import default_slug, import_election

    started = time.perf_counter()
    file = Path(path)
    try:
        election = read_pabulib(file)
    except DomainError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None
    try:
        result = import_election(
            election, slug=slug or default_slug(file.stem), now=utcnow(), source=file.name
        )
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"slug: {result.process.slug}")
    click.echo(f"budget: {result.budget.id}")
    click.echo(f"ballots: {result.ballots} ({time.perf_counter() - started:.1f} s)")


@click.command("export-pb")
@click.argument("slug")
@click.argument("budget_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def export_pb_command(slug: str, budget_id: int, output: str | None) -> None:
    """Write the anonymous pabulib file of a budget (shuffled ballots, no ids or dates)."""
    from sqlalchemy import select

    from pbvote.processes.models import Budget, Process
    from pbvote.results.export_data import pabulib_text
    from pbvote.results.queries import published_run

    budget = db.session.scalar(
        select(Budget).join(Process).where(Process.slug == slug, Budget.id == budget_id)
    )
    if budget is None:
        raise click.ClickException(f"There is no budget {budget_id} in a process {slug!r}.")
    text = pabulib_text(budget, published_run(budget.id))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Could not write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}.", err=True)
