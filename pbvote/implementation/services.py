"""What staff and residents do here: set status and progress, post updates with photos, follow a process.

Every staff change is audited and, when residents should hear of it, e-mailed to the confirmed followers
through the outbox. These functions never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.auth.services import normalise_email
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.extensions import db
from pbvote.implementation import notifications, policies, queries
from pbvote.implementation.models import (
    ImplementationFollower,
    ProgressPhoto,
    ProgressStatus,
    ProgressUpdate,
    ProjectProgress,
)
from pbvote.implementation.queries import Winner
from pbvote.processes.models import Process
from pbvote.proposals.images import PreparedImage

MAX_PHOTOS = 3
STAFF_ONLY = _l("Only staff can report on the implementation of projects.")
NO_FOLLOWING = _l("This process cannot be followed yet.")


class InvalidProgress(DomainError):
    """A status, percentage, reason or update that does not make sense."""

    code = "invalid_progress"


@dataclass(frozen=True)
class NewPhoto:
    """A re-encoded photo and the words that describe it."""

    image: PreparedImage
    alt_text: str


def set_progress(
    actor: Any,
    process: Process,
    winner: Winner,
    *,
    status: ProgressStatus,
    percent: int,
    cancel_reason: str = "",
    now: datetime,
) -> bool:
    """Store a winner's status and progress; a new status is e-mailed to followers. Does not commit.

    Returns:
        Whether anything changed.
    Raises:
        NotAllowed: not staff.
        InvalidProgress: percentage outside 0–100, or cancelled without a reason.
    """
    if not policies.can_manage_implementation(actor):
        raise NotAllowed(STAFF_ONLY)
    if not policies.percent_ok(percent):
        raise InvalidProgress(_l("Progress must be a whole number from 0 to 100."))
    reason = cancel_reason.strip() if policies.needs_reason(status) else ""
    if policies.needs_reason(status) and not reason:
        raise InvalidProgress(_l("Give the reason the project was cancelled. Residents will see it."))
    progress = winner.progress or queries.progress_of(winner.project.id)
    before = _snapshot(progress)
    after = {"status": status.value, "percent": percent, "cancel_reason": reason}
    if before == after:
        return False
    if progress is None:
        progress = ProjectProgress(project_id=winner.project.id)
        db.session.add(progress)
    progress.status, progress.percent, progress.cancel_reason, progress.updated_at = (
        status,
        percent,
        reason,
        now,
    )
    db.session.flush()
    record_audit(actor, "implementation.progress_changed", progress, before=before, after=after, now=now)
    if status.value != (before["status"] if before else ProgressStatus.PLANNED.value):
        notifications.notify_status(process, winner, progress, now=now)
    return True


def _snapshot(progress: ProjectProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "status": progress.status.value,
        "percent": progress.percent,
        "cancel_reason": progress.cancel_reason,
    }


def add_update(
    actor: Any,
    process: Process,
    winner: Winner,
    *,
    happened_on: date,
    text: str,
    photos: Sequence[NewPhoto] = (),
    now: datetime,
) -> ProgressUpdate:
    """Post a dated update with photos and e-mail it to the followers. Does not commit.

    Raises:
        NotAllowed: not staff.
        InvalidProgress: no text, a date in the future, too many photos or a photo without a description.
    """
    if not policies.can_manage_implementation(actor):
        raise NotAllowed(STAFF_ONLY)
    if not text.strip():
        raise InvalidProgress(_l("Write what has happened."))
    if happened_on > now.date() + timedelta(days=1):  # a day's grace: staff may be east of UTC
        raise InvalidProgress(_l("The date cannot be in the future."))
    if len(photos) > MAX_PHOTOS:
        raise InvalidProgress(_l("An update can have at most %(n)d photos.", n=MAX_PHOTOS))
    if any(not photo.alt_text.strip() for photo in photos):
        raise InvalidProgress(_l("Describe each photo for people who cannot see it."))
    update = ProgressUpdate(
        project_id=winner.project.id,
        happened_on=happened_on,
        text=text.strip(),
        created_at=now,
        author_id=getattr(actor, "id", None),
    )
    for position, photo in enumerate(photos):
        update.photos.append(
            ProgressPhoto(
                position=position,
                token=secrets.token_hex(16),
                mime_type=photo.image.mime_type,
                width=photo.image.width,
                height=photo.image.height,
                alt_text=photo.alt_text.strip(),
                data=photo.image.data,
            )
        )
    db.session.add(update)
    db.session.flush()
    after = {"project": winner.project.code, "happened_on": happened_on.isoformat(), "photos": len(photos)}
    record_audit(actor, "implementation.update_added", update, after=after, now=now)
    notifications.notify_update(process, winner, update, now=now)
    return update


def follow_process(process: Process, email: str, *, locale: str, now: datetime) -> ImplementationFollower:
    """Ask for news of the process's winners; a confirmation link is e-mailed first. Does not commit.

    Following again re-sends the link while unconfirmed and changes nothing once confirmed, so the answer
    never tells a stranger whether an address already follows.

    Raises:
        NotAllowed: the process is not public.
    """
    if not policies.can_follow(process):
        raise NotAllowed(NO_FOLLOWING)
    address = normalise_email(email)
    follower = queries.follower_in(process.id, address)
    if follower is None:
        follower = ImplementationFollower(
            process_id=process.id,
            email=address,
            locale=locale,
            token=secrets.token_urlsafe(32),
            created_on=now.date(),
        )
        db.session.add(follower)
        db.session.flush()
    if not follower.confirmed:
        follower.locale = locale
        notifications.send_confirmation(process, follower, now=now)
    return follower


def confirm_follower(token: str) -> ImplementationFollower | None:
    """Confirm the address behind a link; None when the link is unknown (or unsubscribed). Does not commit."""
    follower = queries.follower_by_token(token)
    if follower is not None:
        follower.confirmed = True
        db.session.flush()
    return follower


def unfollow(token: str) -> Process | None:
    """Delete the address behind an unsubscribe link; its process, or None if unknown. Does not commit."""
    follower = queries.follower_by_token(token)
    if follower is None:
        return None
    process = db.session.get(Process, follower.process_id)
    db.session.delete(follower)
    db.session.flush()
    return process
