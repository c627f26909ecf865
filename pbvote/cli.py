"""The `pbvote` command: the app's Flask command group plus commands that need no database."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from pbvote.extensions import db


def register_commands(app: Flask) -> None:
    """Attach the commands that work on the app's database."""
    app.cli.add_command(user_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(phases_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(codes_group)
    from pbvote.results.import_cli import export_pb_command, import_pb_command

    app.cli.add_command(import_pb_command)
    app.cli.add_command(export_pb_command)
    from pbvote.results.cli import tally_process_command

    app.cli.add_command(tally_process_command)
    from pbvote.workshop.cli import workshop_group

    app.cli.add_command(workshop_group)
    from pbvote.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(["resident", "staff", "admin"]), default="resident", show_default=True
)
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account with EMAIL (the password from stdin or a prompt)."""
    from pbvote.auth.models import Role
    from pbvote.auth.services import register_user
    from pbvote.core.errors import DomainError
    from pbvote.db import utcnow

    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.ClickException(f"The password needs at least {minimum} characters.")
    try:
        user = register_user(email, password, display_name=name, role=Role(role), now=utcnow())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete all data and seed the demo again.")
def demo_command(reset: bool) -> None:
    """Seed the Danish demo municipality (idempotent) and print the address and logins."""
    from pbvote.ballots.demo import VOTING_SLUG
    from pbvote.demo import DEMO_PASSWORD, seed_demo

    codes = seed_demo(reset=reset)
    db.session.commit()
    click.echo(
        "Demo municipality "
        + ("created." if codes is not None else "already present (use --reset to start over).")
    )
    click.echo(f"Open {current_app.config['PUBLIC_URL']}")
    click.echo(f"Logins (password: {DEMO_PASSWORD}):")
    for email, role in (
        ("admin@demo.dk", "admin"),
        ("sagsbehandler@demo.dk", "staff"),
        ("borger@demo.dk", "resident"),
    ):
        click.echo(f"  {role:9} {email}")
    if codes:
        click.echo(
            "Voting codes for 'Hele Søby' in Borgerbudget Søby 2026 (each votes once; shown only now):"
        )
        click.echo(f"  vote at {current_app.config['PUBLIC_URL'].rstrip('/')}/stem/{VOTING_SLUG}/")
        for code in codes:
            click.echo(f"  {code}")


@click.group("outbox")
def outbox_group() -> None:
    """The e-mail outbox."""


@outbox_group.command("deliver")
def deliver_command() -> None:
    """Send pending e-mails by SMTP (run it from cron or a timer)."""
    from pbvote.db import utcnow
    from pbvote.outbox.services import deliver_pending

    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException("PBVOTE_SMTP_HOST is not set; e-mails stay in the outbox.")
    sent, failed = deliver_pending(current_app.config, now=utcnow())
    db.session.commit()
    click.echo(f"Sent {sent}, failed {failed}.")


@click.group("phases")
def phases_group() -> None:
    """Process phases."""


@phases_group.command("advance")
def advance_phases_command() -> None:
    """Move processes that advance by date on to the phase their dates call for (run it daily or hourly)."""
    from flask_babel import force_locale

    from pbvote.db import utcnow
    from pbvote.processes.services import advance_due_phases

    with force_locale(current_app.config["DEFAULT_LOCALE"]):  # no request to choose a language from
        result = advance_due_phases(utcnow(), time_zone=current_app.config["BABEL_DEFAULT_TIMEZONE"])
        refused = [(process.slug, process.phase.value, str(reason)) for process, reason in result.refused]
    db.session.commit()
    for move in result.moved:
        click.echo(f"{move.process.slug}: {move.before.value} -> {move.after.value}")
    for slug, phase, reason in refused:
        click.echo(f"{slug}: stays in {phase}: {reason}", err=True)
    click.echo(f"Moved {len(result.moved)}, refused {len(result.refused)}.")
    if result.refused:
        sys.exit(1)


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def verify_audit_command() -> None:
    """Check the hash chain of the audit log; exit 1 and name the first broken entry if it is broken."""
    from pbvote.audit.services import verify_chain

    checked, broken = verify_chain()
    if broken is None:
        click.echo(f"Verified {checked} entries: the chain is intact.")
        return
    click.echo(f"Verified {checked} entries before a break.")
    click.echo(f"Entry {broken.entry_id} is broken: {broken.reason}.", err=True)
    sys.exit(1)


@click.group("codes")
def codes_group() -> None:
    """Single-use voting codes."""


@codes_group.command("issue")
@click.argument("budget_id", type=int)
@click.option("--count", "-n", type=int, required=True, help="How many codes to issue (1 to 200,000).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    required=True,
    help="The CSV file to write the codes to; it must not exist yet.",
)
@click.option("--batch", default="", help="A name for this batch, e.g. 'letters-march'.")
def issue_codes_command(budget_id: int, count: int, output: str, batch: str) -> None:
    """Issue single-use voting codes for BUDGET_ID and write them, once, to a CSV file.

    Only a keyed fingerprint of each code is stored, so the file is the only copy of the codes: the
    letter page (Case handling > Voting) prints the letters from it. Keep it safe and delete it when
    the letters are sent. Columns: code;budget_id;budget;process;batch;url (UTF-8, ';'). The letter page
    takes files up to 16 MB, about 120,000 codes: issue larger numbers in several batches.
    """
    import os
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from pbvote.ballots.codes import issue_codes, write_codes_csv
    from pbvote.core.errors import DomainError
    from pbvote.db import utcnow
    from pbvote.processes.models import Budget

    budget = db.session.get(Budget, budget_id)
    if budget is None:
        raise click.ClickException(f"There is no budget with the id {budget_id}.")
    path = Path(output)
    if path.exists():
        raise click.ClickException(
            f"{path} exists already; choose a new file name (codes are never overwritten)."
        )
    try:
        codes = issue_codes(None, budget, count, batch=batch.strip(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by the owner only
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as stream:
            write_codes_csv(stream, budget, codes, batch=batch.strip())
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"Could not write {path}: {exc.strerror}. No codes were issued.") from exc
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        path.unlink(missing_ok=True)
        raise click.ClickException("The codes could not be stored; no codes were issued.") from exc
    click.echo(
        f"Issued {len(codes)} codes for budget {budget.id} ({budget.name_da}) and wrote them to {path}."
    )
    click.echo(
        "The file is the only copy of the codes: keep it safe and delete it once the letters are sent."
    )


def make_cli() -> click.Group:
    """The command group: app commands load the app; `tally` does not."""
    from pbvote import create_app
    from pbvote.tally_cli import tally_command

    group = FlaskGroup(create_app=lambda: create_app(), help="pbvote: participatory budgeting.")
    group.add_command(tally_command)
    return group


def main() -> None:
    """Entry point of the `pbvote` console script."""
    make_cli().main(prog_name="pbvote")
