"""Public process pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_login import current_user

from pbvote.i18n import format_money
from pbvote.markdown import render_markdown
from pbvote.processes import labels
from pbvote.processes.models import PHASE_ORDER, Phase
from pbvote.processes.policies import can_view_process
from pbvote.processes.queries import process_page_by_slug
from pbvote.processes.rules_text import rules_text

bp = Blueprint("processes", __name__, url_prefix="/processer", template_folder="templates")


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """One process: its rules in plain words, timeline, budgets, categories and, once frozen, the digest."""
    process = process_page_by_slug(slug)
    if process is None or not can_view_process(current_user, process):
        abort(404)
    locale = str(get_locale())
    rows = {row.phase: row for row in process.phases}
    current = PHASE_ORDER.index(process.phase)
    timeline = [(phase, rows.get(phase), index - current) for index, phase in enumerate(PHASE_ORDER)]
    budgets = [
        (budget, rules_text(budget, lambda amount: format_money(amount, process.currency)))
        for budget in process.budgets
    ]
    return render_template(
        "processes/detail.html",
        process=process,
        description=render_markdown(process.description(locale)),
        timeline=timeline,
        budgets=budgets,
        eligibility=labels.ELIGIBILITY_PUBLIC[process.eligibility],
    )


@bp.app_template_global("phase_label")
def phase_label_global(phase: Phase) -> str:
    """Templates name phases in the reader's language."""
    return labels.phase_label(phase)


@bp.app_template_global("phase_description")
def phase_description_global(phase: Phase) -> str:
    """What happens in a phase, for a timeline without the admin's own text."""
    return labels.phase_description(phase)


@bp.app_template_global("ballot_kind_label")
def ballot_kind_label_global(kind: str) -> str:
    """A ballot kind's name in the reader's language."""
    return str(labels.BALLOT_KIND_LABELS[kind])  # type: ignore[index]


@bp.app_template_global("rule_label")
def rule_label_global(rule: str) -> str:
    """A counting rule's name in the reader's language."""
    return str(labels.RULE_LABELS[rule])  # type: ignore[index]
