"""Read-side queries for the audit log: a filtered, paginated page, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from pbvote.audit.models import AuditEntry
from pbvote.extensions import db


@dataclass(frozen=True)
class AuditPage:
    """One page of entries and what the pager needs."""

    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def known_actions() -> list[str]:
    """Every action that occurs in the log: the allowed values of the action filter."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def known_target_types() -> list[str]:
    """Every target type that occurs in the log: the allowed values of the target filter."""
    query = select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type)
    return list(db.session.scalars(query))


def audit_page(*, action: str | None, target_type: str | None, page: int, per_page: int) -> AuditPage:
    """Entries matching the filters, newest first; ``page`` counts from 1."""
    query: Select[tuple[AuditEntry]] = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    rows = db.session.scalars(
        query.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return AuditPage(entries=list(rows), page=page, pages=pages, total=total)
