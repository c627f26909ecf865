"""E-mails to followers of a process: the confirmation link, and news of each update or new status.

Each follower gets their own e-mail in the language they followed in, with a link that unsubscribes
them. Queueing only adds outbox rows: the caller's transaction decides whether they are sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from pbvote.implementation import queries
from pbvote.implementation.labels import status_label
from pbvote.implementation.models import ImplementationFollower, ProgressUpdate, ProjectProgress
from pbvote.implementation.queries import Winner
from pbvote.outbox.services import queue_email
from pbvote.processes.models import Process


def external_url(endpoint: str, **values: Any) -> str:
    """A full address for an e-mail (outside a request: from PUBLIC_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def _locale_of(follower: ImplementationFollower) -> str:
    """The language the follower signed up in, if this site still offers it."""
    if follower.locale in current_app.config["LOCALES"]:
        return follower.locale
    return str(current_app.config["DEFAULT_LOCALE"])


def _send(
    follower: ImplementationFollower,
    process: Process,
    template: str,
    subject: Callable[[str], str],
    *,
    now: datetime,
    **context: Any,
) -> None:
    """Render one e-mail in the follower's language, with their own unsubscribe link, and queue it."""
    loc = _locale_of(follower)
    with force_locale(loc):
        title = subject(loc)
        body = render_template(
            f"implementation/email/{template}",
            process_title=process.title(loc),
            unsubscribe=external_url("implementation.unfollow", token=follower.token),
            **context,
        )
    queue_email(follower.email, title[:200], body, now=now)


def send_confirmation(process: Process, follower: ImplementationFollower, *, now: datetime) -> None:
    """Ask the address's owner to confirm, so nobody can sign up someone else."""
    _send(
        follower,
        process,
        "confirm.txt",
        lambda loc: _("Confirm that you want news of %(process)s", process=process.title(loc)),
        confirm=external_url("implementation.confirm", token=follower.token),
        now=now,
    )


def notify_update(process: Process, winner: Winner, update: ProgressUpdate, *, now: datetime) -> int:
    """Queue one e-mail per confirmed follower with the update's text and a link; returns how many."""
    return _to_followers(process, winner, "update.txt", now=now, update=update, progress=None)


def notify_status(process: Process, winner: Winner, progress: ProjectProgress, *, now: datetime) -> int:
    """Queue one e-mail per confirmed follower saying the project's new status; returns how many."""
    return _to_followers(process, winner, "status.txt", now=now, update=None, progress=progress)


def _to_followers(
    process: Process,
    winner: Winner,
    template: str,
    *,
    now: datetime,
    update: ProgressUpdate | None,
    progress: ProjectProgress | None,
) -> int:
    followers = queries.confirmed_followers(process.id)
    link = external_url("implementation.project", slug=process.slug, key=winner.key)
    title = winner.project.title
    for follower in followers:
        _send(
            follower,
            process,
            template,
            lambda _loc: _("News about the project “%(project)s”", project=title),
            now=now,
            project_title=title,
            status_label=status_label,
            progress=progress,
            update=update,
            link=link,
        )
    return len(followers)
