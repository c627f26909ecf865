"""Count a budget's ballots into a stored tally run, and publish a run. Never commits.

A run keeps everything needed to check it later: the rule and its parameters, the digests of the
ballots and of the frozen rules, the official rule's report, the other rule's report for comparison,
and the turnout.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from pbvote.audit.services import record_audit
from pbvote.core.errors import NotAllowed
from pbvote.core.report import build_report
from pbvote.core.tally import count
from pbvote.core.types import RuleName, TieBreak
from pbvote.extensions import db
from pbvote.processes.models import Budget
from pbvote.results import policies
from pbvote.results.loading import Election, ballots_digest, load_election, turnout
from pbvote.results.models import TallyRun

SCALE = 100  # money in the database is in hundredths: MES completion raises shares by one whole unit

# Re-exported for callers that import the service module only.
__all__ = ["ballots_digest", "load_election", "publish_run", "tally_budget"]


def tally_budget(
    budget: Budget,
    *,
    actor: Any,
    rule: RuleName | None = None,
    tie_break: TieBreak | None = None,
    now: datetime,
) -> TallyRun:
    """Count the budget by its rule (or ``rule``) and by the other rule, and store the run. Does not commit.

    Args:
        budget: the budget whose ballots are counted.
        actor: the staff member counting, or None for a command run by the operator.
        rule: overrides the budget's rule (e.g. to preview the other rule as the official one).
        tie_break: overrides the budget's tie-break.

    Returns:
        The new, unpublished run (flushed, so it has an id).

    Raises:
        NotAllowed: voting has not closed, or the actor may not count.
    """
    _check_may_count(actor, budget)
    rule = RuleName(rule or budget.rule)
    tie_break = TieBreak(tie_break or budget.tie_break)
    started = time.perf_counter()
    election = load_election(budget)
    official = _report(election, budget, rule, tie_break)
    other = RuleName.MES if rule is RuleName.GREEDY else RuleName.GREEDY
    alternative = _report(election, budget, other, tie_break)
    _projects, kind, profile = election
    run = TallyRun(
        budget_id=budget.id,
        rule=rule,
        completion=_completion(budget, rule) if rule is RuleName.MES else False,
        tie_break=tie_break,
        threshold=budget.min_score,
        ballots_count=profile.num_voters,
        ballots_digest=ballots_digest(kind, profile),
        rules_digest=budget.rules_digest,
        report=json.dumps(official, ensure_ascii=False, separators=(",", ":")),
        alternative=json.dumps(alternative, ensure_ascii=False, separators=(",", ":")),
        turnout=json.dumps(turnout(budget), separators=(",", ":")),
        seconds=round(time.perf_counter() - started, 3),
        created_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(run)
    db.session.flush()
    record_audit(actor, "results.counted", run, after=_summary(run, official), now=now)
    return run


def _check_may_count(actor: Any, budget: Budget) -> None:
    """Refuse before voting has closed, and refuse anyone but staff (the operator's command may count)."""
    if not policies.voting_closed(budget.process):
        raise NotAllowed(_l("The votes can be counted only after the voting has closed."))
    if actor is not None and not policies.can_count(actor, budget.process):
        raise NotAllowed(_l("Only staff can count the votes."))


def _report(election: Election, budget: Budget, rule: RuleName, tie_break: TieBreak) -> dict[str, Any]:
    """Count by one rule (MES: with completion for the alternative) and describe the outcome."""
    projects, kind, profile = election
    outcome = count(
        projects,
        budget.amount,
        kind,
        profile,
        rule=rule,
        completion=_completion(budget, rule),
        tie_break=tie_break,
        threshold=budget.min_score,
        scale=SCALE,
    )
    return build_report(outcome, projects, kind, profile, threshold=budget.min_score)


def _completion(budget: Budget, rule: RuleName) -> bool:
    """The budget's completion setting for its own rule; MES counted as the alternative is completed."""
    return budget.completion if rule == budget.rule else True


def _summary(run: TallyRun, report: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a run: enough to recognise it, not the whole report."""
    return {
        "budget_id": run.budget_id,
        "rule": str(run.rule),
        "tie_break": str(run.tie_break),
        "ballots": run.ballots_count,
        "ballots_digest": run.ballots_digest,
        "rules_digest": run.rules_digest,
        "selected": report.get("selected", []),
        "spent": report.get("spent"),
    }


def publish_run(run: TallyRun, *, actor: Any, now: datetime) -> None:
    """Make a run the budget's public result, and log who did it. Does not commit.

    Raises:
        NotAllowed: voting has not closed, the run is published already, or the actor may not publish.
    """
    process = run.budget.process
    if not policies.voting_closed(process):
        raise NotAllowed(_l("Results can be published only after the voting has closed."))
    if run.is_published:
        raise NotAllowed(_l("This count has already been published."))
    if actor is not None and not policies.can_publish(actor, process, run):
        raise NotAllowed(_l("Only staff can publish results."))
    run.published_at = now
    run.published_by_id = getattr(actor, "id", None)
    record_audit(
        actor,
        "results.published",
        run,
        after={"budget_id": run.budget_id, "rule": str(run.rule), "ballots_digest": run.ballots_digest},
        now=now,
    )
    db.session.flush()
