"""Copy a process as a template for next year."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pbvote.audit.services import record_audit
from pbvote.extensions import db
from pbvote.processes.common import BUDGET_FIELDS, PROCESS_TEXT_FIELDS, require_admin, snapshot, unique_slug
from pbvote.processes.models import Budget, Category, Phase, Process, ProcessPhase
from pbvote.processes.validation import slugify


def duplicate_process(actor: Any, source: Process, *, now: datetime) -> Process:
    """Copy a process as next year's draft: texts, phases a year later, budgets and categories.

    The proposals, projects, digests and the freeze are not copied; moving on by date starts off,
    so the copy cannot open before an admin has checked it. Does not commit.
    """
    require_admin(actor)
    texts = {name: getattr(source, name) for name in PROCESS_TEXT_FIELDS}
    texts["title_da"] = next_year_title(source.title_da, " (kopi)")
    texts["title_en"] = next_year_title(source.title_en, " (copy)") if source.title_en else ""
    slug = unique_slug(slugify(texts["title_da"]))  # before the copy exists: a query would flush it
    copy = Process(
        municipality=source.municipality,
        slug=slug,
        phase=Phase.DRAFT,
        created_at=now,
        currency=source.currency,
        eligibility=source.eligibility,
        advance_by_date=False,
        **texts,
    )
    copy.phases = [_next_year_phase(row) for row in source.phases]
    copy.budgets = [Budget(**snapshot(b, ("position", *BUDGET_FIELDS))) for b in source.budgets]
    copy.categories = [
        Category(position=c.position, name_da=c.name_da, name_en=c.name_en) for c in source.categories
    ]
    db.session.add(copy)
    db.session.flush()
    record_audit(
        actor, "process.duplicated", copy, before={"source_id": source.id}, after={"slug": copy.slug}, now=now
    )
    return copy


def next_year_title(title: str, suffix: str) -> str:
    """'Borgerbudget 2027' → 'Borgerbudget 2028'; a title without a year gets ``suffix``."""
    bumped, count = re.subn(r"\b(19|20)(\d\d)\b", lambda m: str(int(m.group(0)) + 1), title)
    return bumped if count else f"{title}{suffix}"


def _next_year_phase(row: ProcessPhase) -> ProcessPhase:
    return ProcessPhase(
        phase=row.phase,
        position=row.position,
        starts_on=_plus_one_year(row.starts_on),
        ends_on=_plus_one_year(row.ends_on),
        text_da=row.text_da,
        text_en=row.text_en,
    )


def _plus_one_year(day: date | None) -> date | None:
    """The same date a year later; 29 February becomes 28 February."""
    if day is None:
        return None
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year + 1, day=28)
    return day.replace(year=day.year + 1)
