"""Tell projectors about changes: a vote in a workshop's budget bumps its version; publish after commit.

The ballots feature knows nothing of workshops (features depend one way), so a vote is noticed here: the
insert of a participation row bumps the version of the workshop wrapping that budget, in the same
transaction. The ids of changed workshops ride on the session and are published to other app processes
(``live.publish_change``) only once the transaction has committed; a rollback forgets them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, object_session

from pbvote.ballots.models import Participation
from pbvote.processes.models import Budget
from pbvote.workshop.models import Workshop

log = logging.getLogger(__name__)
CHANGED = "pbvote_workshops_changed"


def mark_changed(session: Session, workshop_id: int) -> None:
    """Remember to publish this workshop's change when the session commits."""
    session.info.setdefault(CHANGED, set()).add(workshop_id)


@event.listens_for(Participation, "after_insert")
def _vote_bumps_version(_mapper: Any, connection: Any, target: Participation) -> None:
    """A vote in a workshop's budget is a change the projector must see."""
    process_id = select(Budget.process_id).where(Budget.id == target.budget_id).scalar_subquery()
    bumped = connection.execute(
        update(Workshop)
        .where(Workshop.process_id == process_id)
        .values(version=Workshop.version + 1)
        .returning(Workshop.id)
    ).scalars()
    session = object_session(target)
    for workshop_id in bumped:
        if session is not None:
            mark_changed(session, workshop_id)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    """Wake the projectors in every app process; a failure only delays them (they re-read the database)."""
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    try:
        from pbvote.workshop import live
    except ImportError:  # the live feature is optional
        return
    publish = getattr(live, "publish_change", None)
    if publish is None:
        return
    for workshop_id in sorted(changed):
        try:
            publish(workshop_id)
        except Exception:  # the commit has happened: never turn it into an error page
            log.warning("could not publish workshop %s change", workshop_id, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    """Nothing changed after all."""
    session.info.pop(CHANGED, None)
