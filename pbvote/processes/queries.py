"""Read-side queries for processes."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Municipality, Phase, Process


def public_processes() -> list[Process]:
    """Processes visitors can see (everything but drafts), newest first."""
    query = select(Process).where(Process.phase != Phase.DRAFT).order_by(Process.id.desc())
    return list(db.session.scalars(query))


def process_by_slug(slug: str) -> Process | None:
    """A public process by its slug."""
    return db.session.scalar(select(Process).where(Process.slug == slug, Process.phase != Phase.DRAFT))


def process_page_by_slug(slug: str) -> Process | None:
    """A process in any phase with what its public page shows (phases, budgets, categories)."""
    query = (
        select(Process)
        .where(Process.slug == slug)
        .options(
            selectinload(Process.phases),
            selectinload(Process.budgets),
            selectinload(Process.categories),
        )
    )
    return db.session.scalar(query)


def all_processes() -> list[Process]:
    """Every process, drafts included, newest first, with budgets for the admin list."""
    query = select(Process).options(selectinload(Process.budgets)).order_by(Process.id.desc())
    return list(db.session.scalars(query))


def process_or_404(process_id: int) -> Process:
    """A process with its phases, budgets (and their projects) and categories, or 404."""
    query = (
        select(Process)
        .where(Process.id == process_id)
        .options(
            selectinload(Process.phases),
            selectinload(Process.budgets).selectinload(Budget.projects),
            selectinload(Process.categories),
        )
    )
    process = db.session.scalar(query)
    if process is None:
        abort(404)
    return process


def budget_or_404(process: Process, budget_id: int) -> Budget:
    """One of the process's budgets, or 404 (a budget of another process is unknown here)."""
    budget = next((b for b in process.budgets if b.id == budget_id), None)
    if budget is None:
        abort(404)
    return budget


def category_or_404(process: Process, category_id: int) -> Category:
    """One of the process's categories, or 404."""
    category = next((c for c in process.categories if c.id == category_id), None)
    if category is None:
        abort(404)
    return category


def processes_advancing_by_date() -> list[Process]:
    """Processes that move on by date and are not in their last phase, with their phases and budgets."""
    query = (
        select(Process)
        .where(Process.advance_by_date.is_(True), Process.phase != Phase.IMPLEMENTATION)
        .options(selectinload(Process.phases), selectinload(Process.budgets).selectinload(Budget.projects))
        .order_by(Process.id)
    )
    return list(db.session.scalars(query))


def slug_taken(slug: str, *, except_id: int | None = None) -> bool:
    """Whether another process already uses ``slug``."""
    query = select(func.count()).select_from(Process).where(Process.slug == slug)
    if except_id is not None:
        query = query.where(Process.id != except_id)
    return bool(db.session.scalar(query))


def site_municipality() -> Municipality | None:
    """The municipality this site belongs to (the first one configured)."""
    return db.session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
