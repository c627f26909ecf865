"""Append to the audit chain and verify it; appending never commits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pbvote.audit.models import AuditEntry
from pbvote.extensions import db

GENESIS_HASH = "0" * 64


def canonical_json(data: Mapping[str, Any] | None) -> str:
    """JSON with sorted keys and no spaces, so the same data always hashes the same."""
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_digest(entry: AuditEntry) -> str:
    """The SHA-256 over an entry's content and the previous entry's hash."""
    parts = [
        entry.prev_hash,
        entry.at.isoformat(),
        str(entry.actor_id or ""),
        entry.actor_email,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.before,
        entry.after,
        entry.request_id,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def current_request_id() -> str:
    """The id of the request being served, or 'cli' for commands."""
    return str(g.get("request_id", "")) if has_request_context() else "cli"


def target_of(target: Any) -> tuple[str, str]:
    """(type, id) of a model instance, or a given pair."""
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    return type(target).__tablename__, str(target.id)


def record_audit(
    actor: Any,
    action: str,
    target: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    now: datetime,
    session: Session | None = None,
) -> AuditEntry:
    """Append one entry to the chain (who, what, target, before → after, when, request). Does not commit.

    Args:
        actor: the user acting (None for the system or a command without a user).
        action: a dotted verb such as ``process.phase_changed``.
        target: the model instance acted on, or a ``(type, id)`` pair.
        session: where to write; the app's session unless an entry must outlive its transaction.
    """
    session = db.session if session is None else session
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    target_type, target_id = target_of(target)
    entry = AuditEntry(
        at=now,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=canonical_json(before),
        after=canonical_json(after),
        request_id=current_request_id(),
        prev_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = entry_digest(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    """The first entry whose hash or link does not match."""

    entry_id: int
    reason: str


def iter_entries(batch: int = 1000) -> Iterator[AuditEntry]:
    """All entries in order, a batch at a time."""
    last_id = 0
    while True:
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the chain; return how many entries were checked and the first break, if any."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in iter_entries():
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.id, "does not link to the entry before it (one was removed)")
        if entry_digest(entry) != entry.entry_hash:
            return checked, ChainBreak(entry.id, "content does not match its hash (it was changed)")
        expected_prev = entry.entry_hash
        checked += 1
    return checked, None


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    """The log is append-only: the ORM refuses to change an entry."""
    raise PermissionError(f"audit entry {target.id} is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    """The log is append-only: the ORM refuses to delete an entry."""
    raise PermissionError(f"audit entry {target.id} is append-only")
