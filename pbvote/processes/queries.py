"""Read-side queries for processes."""

from __future__ import annotations

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.processes.models import Municipality, Phase, Process


def public_processes() -> list[Process]:
    """Processes visitors can see (everything but drafts), newest first."""
    query = select(Process).where(Process.phase != Phase.DRAFT).order_by(Process.id.desc())
    return list(db.session.scalars(query))


def process_by_slug(slug: str) -> Process | None:
    """A public process by its slug."""
    return db.session.scalar(select(Process).where(Process.slug == slug, Process.phase != Phase.DRAFT))


def site_municipality() -> Municipality | None:
    """The municipality this site belongs to (the first one configured)."""
    return db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
