"""`pbvote workshop start`: a workshop from a template, with the join address, code and a terminal QR."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import click
import segno
from flask import current_app
from flask_babel import force_locale

from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db

NOT_READY = "the database is not ready (run `pbvote db upgrade`)"


@click.group("workshop")
def workshop_group() -> None:
    """Live workshops."""


@workshop_group.command("start")
@click.option("--template", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="The fictional town: Danish (Egeby) or English (Millbrook).")  # fmt: skip
@click.option("--no-qr", is_flag=True, help="Do not print the QR code.")
def start_command(template: str, no_qr: bool) -> None:
    """Create a workshop and print where phones join."""
    from sqlalchemy.exc import SQLAlchemyError

    from pbvote.workshop.services import create_workshop

    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise click.ClickException("PBVOTE_PUBLIC_URL must start with http:// or https://.")
    try:
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            workshop = create_workshop(None, template, now=utcnow())
            db.session.commit()
    except (DomainError, SQLAlchemyError) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, DomainError) else NOT_READY
        raise click.ClickException(f"Could not create the workshop: {message.splitlines()[0]}") from None
    address = f"{base}/j/{workshop.join_code}"
    click.echo(f"Workshop ready: {workshop.process.title_en or workshop.process.title_da}")
    click.echo(f"Join at:  {address}")
    click.echo(f"Code:     {workshop.join_code}")
    click.echo(f"Controls: {base}/sagsbehandling/workshops/{workshop.id}  (log in as staff)")
    if (urlsplit(base).hostname or "") in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "Note: phones cannot reach 127.0.0.1. Set PBVOTE_PUBLIC_URL to this computer's network address, "
            "e.g. http://192.168.1.20:5000",
            err=True,
        )
    if not no_qr:
        out = io.StringIO()
        segno.make(address, error="m").terminal(out=out, compact=True, border=2)
        click.echo(out.getvalue().rstrip("\n"))
