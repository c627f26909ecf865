"""Admin writes on a process's categories (topics that proposals and projects are filed under)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.extensions import db
from pbvote.processes.common import changes, delete_unless_used, require_admin, snapshot
from pbvote.processes.models import Category, Process
from pbvote.processes.validation import InvalidData


@dataclass
class CategoryData:
    """A category's names."""

    name_da: str
    name_en: str = ""


def add_category(actor: Any, process: Process, data: CategoryData, *, now: datetime) -> Category:
    """Add a topic that proposals are filed under. Does not commit.

    Raises:
        NotAllowed: not an admin.
        InvalidData: no Danish name, or the name is already used in this process.
    """
    require_admin(actor)
    name_da, name_en = _checked_category(process, data, except_id=None)
    position = max((category.position for category in process.categories), default=-1) + 1
    category = Category(process=process, position=position, name_da=name_da, name_en=name_en)
    db.session.add(category)
    db.session.flush()
    record_audit(actor, "category.created", category, after={"name_da": name_da, "name_en": name_en}, now=now)
    return category


def update_category(actor: Any, category: Category, data: CategoryData, *, now: datetime) -> Category:
    """Rename a category. Does not commit.

    Raises:
        NotAllowed: not an admin.
        InvalidData: no Danish name, or the name is already used in this process.
    """
    require_admin(actor)
    name_da, name_en = _checked_category(category.process, data, except_id=category.id)
    before = snapshot(category, ("name_da", "name_en"))
    category.name_da, category.name_en = name_da, name_en
    old, new = changes(before, {"name_da": name_da, "name_en": name_en})
    if new:
        record_audit(actor, "category.updated", category, before=old, after=new, now=now)
    db.session.flush()
    return category


def delete_category(actor: Any, category: Category, *, now: datetime) -> None:
    """Delete a category no proposal or project uses. Does not commit.

    Raises:
        NotAllowed: not an admin.
        DomainError: proposals or projects are filed under it.
    """
    require_admin(actor)
    before = snapshot(category, ("name_da", "name_en"))
    target = ("category", str(category.id))
    delete_unless_used(
        category, _l("Proposals or projects are filed under this category, so it cannot be deleted.")
    )
    record_audit(actor, "category.deleted", target, before=before, now=now)


def _checked_category(process: Process, data: CategoryData, *, except_id: int | None) -> tuple[str, str]:
    name_da, name_en = data.name_da.strip(), data.name_en.strip()
    if not name_da:
        raise InvalidData({"name_da": _l("Give the category a Danish name.")})
    if any(c.name_da.lower() == name_da.lower() and c.id != except_id for c in process.categories):
        raise InvalidData({"name_da": _l("This process already has a category with that name.")})
    return name_da, name_en
