"""Open data downloads and the printable summary of a budget's published result.

Every address answers 404 unless the budget's newest published run is public (voting closed and the run
published), for every role: staff preview counts only under /sagsbehandling.
"""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_babel import format_number, format_percent

from pbvote.processes.models import Budget, Process
from pbvote.processes.queries import process_by_slug
from pbvote.results.export_data import csv_bytes, pabulib_text, table_rows, xlsx_bytes
from pbvote.results.models import TallyRun
from pbvote.results.pages import rule_name
from pbvote.results.policies import results_public
from pbvote.results.queries import published_run
from pbvote.results.views import bp

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def public_result_or_404(slug: str, budget_id: int) -> tuple[Process, Budget, TallyRun]:
    """The process, budget and published run when the result is public; 404 otherwise."""
    process = process_by_slug(slug)
    budget = next((b for b in process.budgets if b.id == budget_id), None) if process else None
    run = published_run(budget.id) if budget is not None else None
    if process is None or budget is None or run is None or not results_public(process, run):
        abort(404)
    return process, budget, run


def _download(data: bytes | str, mimetype: str, process: Process, budget: Budget, suffix: str) -> Response:
    response = Response(data, mimetype=mimetype)
    name = f"{process.slug}-{budget.id}-{suffix}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<slug>/<int:budget_id>/data.csv")
def data_csv(slug: str, budget_id: int) -> Response:
    """The results table as CSV for Danish spreadsheets."""
    process, budget, run = public_result_or_404(slug, budget_id)
    data = csv_bytes(table_rows(budget, run))
    return _download(data, "text/csv; charset=utf-8", process, budget, "resultat.csv")


@bp.get("/<slug>/<int:budget_id>/data.xlsx")
def data_xlsx(slug: str, budget_id: int) -> Response:
    """The results table as an Excel workbook."""
    process, budget, run = public_result_or_404(slug, budget_id)
    data = xlsx_bytes(table_rows(budget, run), budget.name_da)
    return _download(data, XLSX_TYPE, process, budget, "resultat.xlsx")


@bp.get("/<slug>/<int:budget_id>/stemmer.pb")
def ballots_pb(slug: str, budget_id: int) -> Response:
    """The anonymous ballots as a pabulib file anyone can recount."""
    process, budget, run = public_result_or_404(slug, budget_id)
    text = pabulib_text(budget, run)
    return _download(text, "text/plain; charset=utf-8", process, budget, "stemmer.pb")


@bp.get("/<slug>/<int:budget_id>/resume")
def summary(slug: str, budget_id: int) -> str:
    """A one-page summary to print or save as PDF: winners, money spent, turnout, rule and digests."""
    process, budget, run = public_result_or_404(slug, budget_id)
    report = run.report_data()
    rows = {row["code"]: row for row in report.get("rows", [])}
    winners = [rows[code] for code in report.get("selected", []) if code in rows]
    turnout = run.turnout_data()
    population = turnout.get("population")
    numbers = {
        "ballots": format_number(run.ballots_count),
        "online": format_number(turnout.get("online", 0)),
        "paper": format_number(turnout.get("paper", 0)),
        "turnout": format_percent(run.ballots_count / population, "#,##0.0 %") if population else None,
        "scores": {row["code"]: format_number(row.get("score", 0)) for row in winners},
    }
    return render_template(
        "results/summary.html",
        process=process,
        budget=budget,
        run=run,
        report=report,
        winners=winners,
        turnout=turnout,
        numbers=numbers,
        rule_label=rule_name(str(report.get("rule", run.rule))),
    )
