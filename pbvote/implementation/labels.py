"""Translated words for an implementation status, for pages and e-mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pbvote.implementation.models import ProgressStatus

STATUS_LABELS = {
    ProgressStatus.PLANNED: _l("Planned"),
    ProgressStatus.IN_PROGRESS: _l("In progress"),
    ProgressStatus.DONE: _l("Done"),
    ProgressStatus.CANCELLED: _l("Cancelled"),
}

STATUS_ICONS = {  # shown beside the word, so the status never rests on colour alone
    ProgressStatus.PLANNED: "○",
    ProgressStatus.IN_PROGRESS: "◐",
    ProgressStatus.DONE: "✓",
    ProgressStatus.CANCELLED: "✗",
}


def status_label(status: ProgressStatus | None) -> str:
    """The status in the reader's language; a winner nobody has touched yet is planned."""
    return str(STATUS_LABELS[status or ProgressStatus.PLANNED])


def status_icon(status: ProgressStatus | None) -> str:
    return STATUS_ICONS[status or ProgressStatus.PLANNED]
