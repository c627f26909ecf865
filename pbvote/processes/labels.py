"""Translated names of phases, for pages and e-mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pbvote.processes.models import Phase

PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.PROPOSALS: _l("Proposals"),
    Phase.REVIEW: _l("Review"),
    Phase.VOTING: _l("Voting"),
    Phase.COUNTING: _l("Counting"),
    Phase.RESULTS: _l("Results"),
    Phase.IMPLEMENTATION: _l("Implementation"),
}


def phase_label(phase: Phase) -> str:
    """The phase's name in the reader's language."""
    return str(PHASE_LABELS[phase])
