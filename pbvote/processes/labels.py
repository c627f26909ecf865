"""Translated names of phases, ballot kinds, rules and eligibility, for pages and e-mails."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.processes.models import Eligibility, Phase

PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.PROPOSALS: _l("Proposals"),
    Phase.REVIEW: _l("Review"),
    Phase.VOTING: _l("Voting"),
    Phase.COUNTING: _l("Counting"),
    Phase.RESULTS: _l("Results"),
    Phase.IMPLEMENTATION: _l("Implementation"),
}

# What happens in each phase, shown on the timeline when the admin has written no text of their own.
PHASE_DESCRIPTIONS = {
    Phase.DRAFT: _l("The municipality prepares the process and its rules."),
    Phase.PROPOSALS: _l("Residents submit their ideas for projects."),
    Phase.REVIEW: _l("Municipal staff check what each proposal costs and whether it can be done."),
    Phase.VOTING: _l("Residents vote for the projects they want."),
    Phase.COUNTING: _l("The votes are counted by the published rule."),
    Phase.RESULTS: _l("The winning projects are announced."),
    Phase.IMPLEMENTATION: _l("The winning projects are carried out, and you can follow their progress."),
}

BALLOT_KIND_LABELS = {
    BallotKind.APPROVAL: _l("Approval: pick up to a number of projects"),
    BallotKind.KNAPSACK: _l("Knapsack: pick projects within the budget"),
    BallotKind.CUMULATIVE: _l("Cumulative: spread points over projects"),
    BallotKind.RANKED: _l("Ranked: put projects in order"),
}

RULE_LABELS = {
    RuleName.GREEDY: _l("Most votes first (greedy)"),
    RuleName.MES: _l("Method of Equal Shares"),
}

TIE_BREAK_LABELS = {
    TieBreak.COST: _l("Lower cost first, then more votes, then project number"),
    TieBreak.ID: _l("Project number"),
}

ELIGIBILITY_LABELS = {
    Eligibility.ACCOUNT: _l("Log in with an account"),
    Eligibility.CODE: _l("A single-use voting code (letter or voting station)"),
    Eligibility.OPEN: _l("Open to anyone (workshops and demos only)"),
}

# Who may vote, as the public page says it.
ELIGIBILITY_PUBLIC = {
    Eligibility.ACCOUNT: _l("Everyone with an account on this site: log in to vote."),
    Eligibility.CODE: _l("Everyone who has received a voting code, by letter or at a voting station."),
    Eligibility.OPEN: _l("Anyone, without logging in (a workshop or a demonstration)."),
}


def phase_label(phase: Phase) -> str:
    """The phase's name in the reader's language."""
    return str(PHASE_LABELS[phase])


def phase_description(phase: Phase) -> str:
    """What happens in the phase, in the reader's language."""
    return str(PHASE_DESCRIPTIONS[phase])


def choices(labels: Mapping[Any, Any]) -> list[SelectChoice]:
    """Options for a select field; labels stay lazy so each request sees its own language."""
    return [SelectChoice(str(key), label) for key, label in labels.items()]
