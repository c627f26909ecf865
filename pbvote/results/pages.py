"""What the public results pages show, read from stored tally runs: rows, summary, comparison and charts.

Nothing here counts: every figure comes from the run's stored report, alternative report and turnout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import format_number, format_percent, get_locale
from sqlalchemy import select

from pbvote.core.report import compare_reports
from pbvote.extensions import db
from pbvote.i18n import MINOR_UNITS, format_day, format_money
from pbvote.processes.models import Budget, Process
from pbvote.processes.queries import process_by_slug
from pbvote.results import charts
from pbvote.results.models import TallyRun
from pbvote.results.policies import results_public
from pbvote.results.queries import published_run
from pbvote.results.reasons import reason_text, score_text, uses_points


@dataclass(frozen=True)
class Row:
    """One project in the results table, in the report's order."""

    number: int
    code: str
    name: str
    score: int
    score_number: str
    score_text: str
    cost: int
    cost_text: str
    money_left_text: str
    selected: bool
    position: int | None
    why: str


@dataclass(frozen=True)
class RuleSide:
    """One rule's outcome for the side-by-side comparison."""

    rule: str
    winners: list[str]
    spent_text: str
    with_winner_text: str
    avg_money_text: str


@dataclass
class BudgetResult:
    """Everything the budget results page shows."""

    budget: Budget
    run: TallyRun
    report: dict[str, Any]
    rows: list[Row]
    funding_line: int | None
    winners: int
    spent_text: str
    amount_text: str
    left_text: str
    voters_text: str
    ballots_text: str
    online_text: str
    paper_text: str
    population_share_text: str | None
    points: bool
    sides: list[RuleSide] = field(default_factory=list)
    only_official: list[str] = field(default_factory=list)
    only_alternative: list[str] = field(default_factory=list)
    charts: dict[str, Any] = field(default_factory=dict)
    by_day: list[dict[str, Any]] = field(default_factory=list)


def public_process_results(slug: str) -> tuple[Process, list[tuple[Budget, TallyRun]]] | None:
    """A process and its budgets whose results the public may see, or None when there are none."""
    process = process_by_slug(slug)
    if process is None:
        return None
    shown = [(budget, run) for budget in process.budgets if (run := public_run(process, budget)) is not None]
    return (process, shown) if shown else None


def public_run(process: Process, budget: Budget) -> TallyRun | None:
    """The budget's published run when results are public, else None."""
    run = published_run(budget.id)
    return run if run is not None and results_public(process, run) else None


def processes_with_results() -> list[Process]:
    """Processes with at least one published run whose results are public, newest first."""
    published = select(Budget.process_id).join(TallyRun, TallyRun.budget_id == Budget.id)
    published = published.where(TallyRun.published_at.is_not(None))
    processes = db.session.scalars(
        select(Process)
        .where(Process.id.in_(published))
        .order_by(Process.created_at.desc(), Process.id.desc())
    ).all()
    return [process for process in processes if public_process_results(process.slug) is not None]


def budget_result(process: Process, budget: Budget, run: TallyRun) -> BudgetResult:
    """Read the stored run into what the page shows."""
    currency = process.currency
    minor = MINOR_UNITS.get(currency, 100)

    def money(amount: int) -> str:
        return format_money(amount, currency)

    report = run.report_data()
    kind = budget.ballot_kind
    points = uses_points(kind)
    rows = [
        Row(
            number=index + 1,
            code=str(row.get("code", "")),
            name=str(row.get("name") or row.get("code", "")),
            score=int(row.get("score", 0)),
            score_number=format_number(int(row.get("score", 0))),
            score_text=score_text(int(row.get("score", 0)), kind),
            cost=int(row.get("cost", 0)),
            cost_text=money(int(row.get("cost", 0))),
            money_left_text="" if row.get("money_left") is None else money(int(row["money_left"])),
            selected=bool(row.get("selected")),
            position=row.get("position"),
            why=reason_text(row.get("reason"), kind, money, won=bool(row.get("selected"))),
        )
        for index, row in enumerate(report.get("rows", []))
    ]
    amount = int(report.get("budget", budget.amount))
    spent = int(report.get("spent", 0))
    turnout = run.turnout_data()
    ballots = int(turnout.get("ballots", report.get("voters", run.ballots_count)))
    population = budget.population or turnout.get("population")
    result = BudgetResult(
        budget=budget,
        run=run,
        report=report,
        rows=rows,
        funding_line=report.get("funding_line"),
        winners=sum(1 for row in rows if row.selected),
        spent_text=money(spent),
        amount_text=money(amount),
        left_text=money(int(report.get("money_left", amount - spent))),
        voters_text=format_number(int(report.get("voters", run.ballots_count))),
        ballots_text=format_number(ballots),
        online_text=format_number(int(turnout.get("online", 0))),
        paper_text=format_number(int(turnout.get("paper", 0))),
        population_share_text=(percent(ballots / population) if population else None),
        points=points,
        by_day=[
            {
                **day,
                "day_text": day_text(str(day.get("date", ""))),
                "online_text": format_number(int(day.get("online", 0))),
                "paper_text": format_number(int(day.get("paper", 0))),
            }
            for day in turnout.get("by_day", [])
        ],
    )
    add_comparison(result, run.alternative_data(), money)
    separators = charts.separators_for(str(get_locale()))
    result.charts = {
        "votes": charts.votes_chart(
            rows, result.funding_line, points=points, minor=minor, separators=separators
        ),
        "budget": charts.budget_chart(spent, amount, money, minor=minor, separators=separators),
    }
    day_format = "%d.%m." if str(get_locale()).startswith("da") else "%d %b"
    turnout_figure = charts.turnout_chart(
        turnout.get("by_day", []), separators=separators, day_format=day_format
    )
    if turnout_figure is not None:
        result.charts["turnout"] = turnout_figure
    return result


def add_comparison(result: BudgetResult, alternative: dict[str, Any], money: Any) -> None:
    """Fill in the official rule and the other rule side by side, and which projects would change."""
    names = {row.code: row.name for row in result.rows}
    sides = [rule_side(result.report, names, money)]
    if alternative.get("rows") is not None or alternative.get("selected") is not None:
        sides.append(rule_side(alternative, names, money))
        change = compare_reports(result.report, alternative)
        result.only_official = [names.get(code, code) for code in change.get("only_official", [])]
        result.only_alternative = [names.get(code, code) for code in change.get("only_alternative", [])]
    result.sides = sides


def rule_side(report: dict[str, Any], names: dict[str, str], money: Any) -> RuleSide:
    """Winners, spending and satisfaction of one rule's report."""
    satisfaction = report.get("satisfaction") or {}
    permille = int(satisfaction.get("share_with_winner_permille", 0))
    return RuleSide(
        rule=str(report.get("rule", "")),
        winners=[names.get(code, code) for code in report.get("selected", [])],
        spent_text=money(int(report.get("spent", 0))),
        with_winner_text=percent(permille / 1000),
        avg_money_text=money(int(satisfaction.get("avg_money_supported", 0))),
    )


def rule_name(rule: str) -> str:
    """A report's rule in the reader's language ('mes-plain' is Equal Shares without completion)."""
    from flask_babel import gettext as _

    if rule == "greedy":
        return _("Most votes first (greedy)")
    if rule == "mes-plain":
        return _("Method of Equal Shares, without completion")
    return _("Method of Equal Shares")


def percent(share: float) -> str:
    """A share with one decimal, the locale's way: '10,0 %' in Danish, '10.0%' in English."""
    pattern = Locale.parse(str(get_locale())).percent_formats[None].pattern
    return str(format_percent(share, pattern.replace("#,##0", "#,##0.0", 1)))


def day_text(iso: str) -> str:
    """A voting day from the stored ISO date, in the reader's format."""
    try:
        return format_day(date.fromisoformat(iso))
    except ValueError:
        return iso
