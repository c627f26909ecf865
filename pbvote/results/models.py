"""Stored tally runs: every count is kept with its rule, inputs' digests, result and explanation.

Pages, exports and the API read these rows; nothing is counted on a page view. A run is a preview for
staff until it is published; the newest published run of a budget is its result.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import RuleName, TieBreak
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import str_enum

if TYPE_CHECKING:
    from pbvote.processes.models import Budget


class TallyRun(db.Model):
    """One count of one budget's ballots by a rule; ``report`` holds the JSON the pages read."""

    __tablename__ = "tally_run"
    __table_args__ = (Index("ix_tally_run_budget_id", "budget_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    rule: Mapped[RuleName] = mapped_column(str_enum(RuleName))
    completion: Mapped[bool] = mapped_column(default=True)
    tie_break: Mapped[TieBreak] = mapped_column(str_enum(TieBreak))
    threshold: Mapped[int | None] = mapped_column(default=None)  # least greedy score a winner needs
    ballots_count: Mapped[int] = mapped_column(default=0)
    ballots_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the counted ballots, canonical
    rules_digest: Mapped[str | None] = mapped_column(String(64), default=None)  # the budget's frozen rules
    report: Mapped[str] = mapped_column(Text)  # JSON: the official rule's report (pbvote/core/report.py)
    alternative: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the other rule's report
    turnout: Mapped[str] = mapped_column(Text, default="{}")  # JSON: ballots by channel and by day
    seconds: Mapped[float] = mapped_column(default=0.0)  # how long the count took
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), default=None
    )
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), default=None
    )

    budget: Mapped[Budget] = relationship()

    @property
    def is_published(self) -> bool:
        """Whether the public may see this run."""
        return self.published_at is not None

    def report_data(self) -> dict[str, Any]:
        """The official rule's report as data."""
        return json.loads(self.report or "{}")  # type: ignore[no-any-return]

    def alternative_data(self) -> dict[str, Any]:
        """The other rule's report as data (empty when it was not counted)."""
        return json.loads(self.alternative or "{}")  # type: ignore[no-any-return]

    def turnout_data(self) -> dict[str, Any]:
        """Ballots by channel and by day, as data."""
        return json.loads(self.turnout or "{}")  # type: ignore[no-any-return]
