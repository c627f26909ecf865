"""What the process services share: the admin check, audit snapshots, free web addresses, safe deletes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from pbvote.auth.policies import can_manage_processes
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.processes import queries
from pbvote.processes.validation import BudgetData

PROCESS_TEXT_FIELDS = ("title_da", "title_en", "summary_da", "summary_en", "description_da", "description_en")
PROCESS_RULE_FIELDS = ("currency", "eligibility")
BUDGET_FIELDS = tuple(BudgetData.__dataclass_fields__)
PHASE_FIELDS = ("starts_on", "ends_on", "text_da", "text_en")


def require_admin(actor: Any) -> None:
    """Services refuse non-admins even if a view forgot to."""
    if not can_manage_processes(actor):
        raise NotAllowed(_l("Only administrators can manage processes."))


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a row, as plain values for the audit log."""
    return {name: getattr(obj, name) for name in fields}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value changed, before and after."""
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def unique_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever is free."""
    candidate, number = base, 1
    while queries.slug_taken(candidate):
        number += 1
        candidate = f"{base[:75]}-{number}"
    return candidate


def delete_unless_used(row: object, message: object) -> None:
    """Delete a row inside a savepoint; a row other rows still point at is kept and refused."""
    try:
        with db.session.begin_nested():
            db.session.delete(row)
    except IntegrityError as exc:
        raise DomainError(str(message)) from exc
