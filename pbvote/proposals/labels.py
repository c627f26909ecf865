"""Translated words for a proposal's status, feasibility and history, for pages and e-mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pbvote.proposals.models import EventKind, Feasibility, ProposalStatus

STATUS_LABELS = {
    ProposalStatus.SUBMITTED: _l("Submitted"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
    ProposalStatus.NEEDS_CHANGES: _l("Needs changes"),
    ProposalStatus.FEASIBLE: _l("Feasible"),
    ProposalStatus.NOT_FEASIBLE: _l("Not feasible"),
    ProposalStatus.MERGED: _l("Merged with another proposal"),
    ProposalStatus.ON_BALLOT: _l("On the ballot"),
}

FEASIBILITY_LABELS = {
    Feasibility.FEASIBLE: _l("Can be carried out"),
    Feasibility.NOT_FEASIBLE: _l("Cannot be carried out"),
    Feasibility.NEEDS_CHANGES: _l("Can be carried out with changes"),
}

EVENT_LABELS = {
    EventKind.SUBMITTED: _l("Submitted by the proposer"),
    EventKind.EDITED: _l("Edited by the proposer"),
    EventKind.WITHDRAWN: _l("Withdrawn by the proposer"),
    EventKind.ASSIGNED: _l("The municipality started reviewing the proposal"),
    EventKind.COST_ESTIMATED: _l("The municipality estimated the cost"),
    EventKind.PRICE_PUBLISHED: _l("The municipality published the cost"),
    EventKind.ASSESSED: _l("The municipality assessed the proposal"),
    EventKind.MERGED: _l("The municipality merged the proposal with another"),
    EventKind.PLACED_ON_BALLOT: _l("The municipality placed the proposal on the ballot"),
    EventKind.REMOVED_FROM_BALLOT: _l("The municipality took the proposal off the ballot"),
    EventKind.HIDDEN: _l("The municipality hid the proposal"),
    EventKind.RESTORED: _l("The municipality showed the proposal again"),
}


def status_label(status: ProposalStatus) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS[ProposalStatus(status)])


def feasibility_label(feasibility: Feasibility) -> str:
    """Staff's verdict in the reader's language."""
    return str(FEASIBILITY_LABELS[Feasibility(feasibility)])


def event_label(kind: EventKind) -> str:
    """What happened, in the reader's language; staff are 'the municipality', never a name."""
    return str(EVENT_LABELS[EventKind(kind)])
