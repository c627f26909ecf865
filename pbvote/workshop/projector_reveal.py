"""The reveal on the projector: greedy and Equal Shares side by side, step by step, from the stored run.

Step k shows, for each rule, the first k projects it funded in its own selection order (the same steps as
``queries.steps_total``): greedy with the projects it passed over because they no longer fitted, Equal Shares
with its round's rho, how many voters paid, the most one voter paid and how many spent their whole share.
Nothing is counted here: every number comes from the run's report and alternative report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from pbvote.i18n import format_money
from pbvote.results.models import TallyRun
from pbvote.results.pages import percent, rule_name

BAR_WIDTH = 1000  # the SVG budget bar's viewBox width


@dataclass
class Funded:
    """One project a rule funded, as its step on the projector."""

    number: int
    name: str
    cost_text: str
    votes: int
    left_after: int
    left_text: str
    how: str  # "greedy", "round", "fill" or "free"
    skipped: list[str] = field(default_factory=list)  # greedy: passed over just before, did not fit
    round: int | None = None
    rho_text: str = ""
    payers: int = 0
    paid_all: int = 0
    max_payment_text: str = ""


@dataclass
class Side:
    """One rule's column: what it funded up to the current step, and its satisfaction figures."""

    key: str  # "greedy" or "mes"
    title: str
    budget: int
    funded: list[Funded]
    shown: list[Funded]
    share_text: str = ""
    with_winner_text: str = ""
    avg_money_text: str = ""
    spent_text: str = ""
    step: int = 0

    @property
    def current(self) -> Funded | None:
        """The project this step added (None at step 0, or when this rule funded fewer projects)."""
        return self.funded[self.step - 1] if 0 < self.step <= len(self.funded) else None

    @property
    def spent_shown(self) -> int:
        """Money taken by the projects shown so far."""
        return self.budget - self.shown[-1].left_after if self.shown else 0

    @property
    def bar(self) -> int:
        """The spent part of the budget bar, in viewBox units."""
        return round(BAR_WIDTH * self.spent_shown / self.budget) if self.budget > 0 else 0

    @property
    def left_text(self) -> str:
        """Money still left at this step."""
        return format_money(self.budget - self.spent_shown)


@dataclass
class Reveal:
    """Both columns at one step; ``done`` when every funded project is shown (satisfaction follows)."""

    step: int
    total: int
    voters: int
    sides: list[Side]

    @property
    def done(self) -> bool:
        return self.step >= self.total


def build_reveal(run: TallyRun, step: int) -> Reveal:
    """Lay out the reveal of ``run`` at ``step`` (clamped to 0..the number of steps)."""
    reports = [run.report_data(), run.alternative_data()]
    reports.sort(key=lambda report: 0 if report.get("rule") == "greedy" else 1)
    sides = [_side(report) for report in reports]
    total = max((len(side.funded) for side in sides), default=0)
    step = max(0, min(step, total))
    for side in sides:
        side.step = step
        side.shown = side.funded[:step]
    voters = int(reports[0].get("voters", 0)) if reports else 0
    return Reveal(step=step, total=total, voters=voters, sides=sides)


def _side(report: dict[str, Any]) -> Side:
    """One rule's column from its report."""
    rule = str(report.get("rule", ""))
    budget = int(report.get("budget", 0))
    rows = {str(row["code"]): row for row in report.get("rows", [])}
    if rule == "greedy":
        funded = _greedy_steps(report, rows, budget)
        key = "greedy"
    else:
        funded = _mes_steps(report, rows, budget)
        key = "mes"
    side = Side(key=key, title=rule_name(rule), budget=budget, funded=funded, shown=[])
    satisfaction = report.get("satisfaction") or {}
    side.with_winner_text = percent(int(satisfaction.get("share_with_winner_permille", 0)) / 1000)
    side.avg_money_text = format_money(_whole(int(satisfaction.get("avg_money_supported", 0))))
    side.spent_text = format_money(int(report.get("spent", 0)))
    if key == "mes":
        share = (report.get("explanation") or {}).get("share") or {}
        side.share_text = format_money(_whole(float((share.get("initial") or {}).get("approx", 0))))
    return side


def _greedy_steps(report: dict[str, Any], rows: dict[str, Any], budget: int) -> list[Funded]:
    """Greedy's funded projects in its order, each with the projects it skipped just before."""
    funded: list[Funded] = []
    skipped: list[str] = []
    for step in (report.get("explanation") or {}).get("steps", []):
        code = str(step.get("project"))
        name = str(rows.get(code, {}).get("name", code))
        if step.get("decision") == "selected":
            left = int(step.get("money_left", budget)) - int(step.get("cost", 0))
            funded.append(
                Funded(
                    number=len(funded) + 1,
                    name=name,
                    cost_text=format_money(int(step.get("cost", 0))),
                    votes=int(step.get("score", 0)),
                    left_after=left,
                    left_text=format_money(left),
                    how="greedy",
                    skipped=skipped,
                )
            )
            skipped = []
        elif step.get("decision") == "does_not_fit":
            skipped.append(name)
    return funded


def _mes_steps(report: dict[str, Any], rows: dict[str, Any], budget: int) -> list[Funded]:
    """Equal Shares' funded projects in its order: rounds with who paid, then the completion's additions."""
    explanation = report.get("explanation") or {}
    rounds = {str(item.get("project")): item for item in explanation.get("rounds", [])}
    free = {str(code) for code in explanation.get("free", [])}
    funded: list[Funded] = []
    left = budget
    for code in report.get("selected", []):
        row = rows.get(str(code), {})
        cost = int(row.get("cost", 0))
        left -= cost
        item = Funded(
            number=len(funded) + 1,
            name=str(row.get("name", code)),
            cost_text=format_money(cost),
            votes=int(row.get("score", 0)),
            left_after=left,
            left_text=format_money(left),
            how="free" if code in free else "fill",
        )
        paid = rounds.get(str(code))
        if paid is not None:
            item.how = "round"
            item.round = int(paid.get("number", 0))
            item.rho_text = str(format_decimal(float((paid.get("rho") or {}).get("approx", 0)), "0.####"))
            item.payers = int(paid.get("payers", 0))
            item.paid_all = int(paid.get("paid_all", 0))
            most = float((paid.get("max_payment") or {}).get("approx", 0))
            item.max_payment_text = format_money(_whole(most))
        funded.append(item)
    return funded


def _whole(amount: float) -> int:
    """An amount in hundredths rounded to whole currency units, for figures read from across a room."""
    return round(amount / 100) * 100


def how_text(item: Funded) -> str:
    """Why Equal Shares funded a project that was not paid in a round."""
    if item.how == "free":
        return _("It costs nothing")
    return _("Added with the money left over, by votes")
