"""Public result pages: every page answers 404 until the run is published and voting has closed."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from pbvote.pagecache import cached_public_page
from pbvote.processes.queries import budget_or_404
from pbvote.results import charts, pages

bp = Blueprint("results", __name__, url_prefix="/resultater", template_folder="templates")


@bp.get("/")
@cached_public_page
def index() -> str:
    """Processes whose results are out."""
    return render_template("results/index.html", processes=pages.processes_with_results())


@bp.get("/<slug>")
@cached_public_page
def process(slug: str) -> str:
    """A process's results: one tab per budget with a public result."""
    found = pages.public_process_results(slug)
    if found is None:
        abort(404)
    process, shown = found
    summaries = [(budget, pages.budget_result(process, budget, run)) for budget, run in shown]
    return render_template("results/process.html", process=process, tabs=shown, summaries=summaries)


@bp.get("/<slug>/<int:budget_id>")
@cached_public_page
def budget(slug: str, budget_id: int) -> str:
    """One budget's results: table with the funding line, why, charts and the two rules side by side."""
    found = pages.public_process_results(slug)
    if found is None:
        abort(404)
    process, shown = found
    runs = {budget.id: run for budget, run in shown}
    if budget_id not in runs:
        abort(404)
    chosen = budget_or_404(process, budget_id)
    result = pages.budget_result(process, chosen, runs[budget_id])
    return render_template(
        "results/budget.html",
        process=process,
        tabs=shown,
        current=chosen,
        result=result,
        rule_name=pages.rule_name,
        toolbar_words=charts.toolbar_words(),
    )


import pbvote.results.represent_views  # noqa: E402, F401  (adds /<slug>/repraesentation)
from pbvote.results import exports  # noqa: E402, F401  (adds data.csv, data.xlsx, stemmer.pb, resume)
