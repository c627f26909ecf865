"""One audit entry; each carries the hash of the previous one, so a changed or removed entry shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.db import utcnow
from pbvote.extensions import db


class AuditEntry(db.Model):
    """Who did what to which object, before → after, when, in which request."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), default=None)
    actor_email: Mapped[str] = mapped_column(String(254), default="")  # kept even if the account goes
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    after: Mapped[str] = mapped_column(Text, default="{}")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(
        String(64), unique=True
    )  # unique: two writers cannot fork the chain
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
