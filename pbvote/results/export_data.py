"""Open data of a budget's result: the table as CSV and Excel, and the anonymous ballots as pabulib.

The table comes from the published run's stored report, never from a new count. The pabulib file holds
the ballots as counted (the same loader the count used), shuffled, with voter ids 1..n and no ballot ids
or dates, so anyone can recount it with pabutools and get the published winners.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.core.pabulib import write_pabulib
from pbvote.core.pabulib.amounts import format_amount
from pbvote.core.scores import compute_scores
from pbvote.core.types import BallotKind, Election, Project, RuleName, Voter
from pbvote.extensions import db
from pbvote.i18n import MINOR_UNITS, format_money
from pbvote.processes.models import Budget, Category, Phase
from pbvote.proposals.models import Project as ProjectRow
from pbvote.results.loading import load_election
from pbvote.results.models import TallyRun
from pbvote.results.reasons import reason_text, uses_points

Cell = str | int | Decimal | None
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheets read these as formulas
COUNTRIES = {"DKK": "Denmark", "PLN": "Poland", "HUF": "Hungary", "CHF": "Switzerland", "USD": "US"}
VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKED: "ordinal",
}
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an XLSX file cannot hold


def table_rows(budget: Budget, run: TallyRun) -> list[list[Cell]]:
    """The results table: a header row, then one row per project in the report's table order.

    Money is a Decimal in whole currency units (exact), counts are ints, everything else text.
    """
    report = run.report_data()
    minor = MINOR_UNITS.get(budget.process.currency, 100)
    currency = budget.process.currency

    def units(amount: Any) -> Decimal | None:
        return None if amount is None else Decimal(int(amount)) / minor

    header: list[Cell] = [
        _("Rank"),
        _("Project id"),
        _("Title"),
        _("Cost (%(currency)s)", currency=currency),
        _("Points") if uses_points(budget.ballot_kind) else _("Votes"),
        _("Voters who chose it"),
        _("Selected"),
        _("Selection order"),
        _("Money left (%(currency)s)", currency=currency),
        _("Reason code"),
        _("Reason"),
    ]
    rows: list[list[Cell]] = [header]
    for place, row in enumerate(report.get("rows", []), start=1):
        won = bool(row.get("selected"))
        reason = row.get("reason") or {}
        rows.append(
            [
                place,
                str(row.get("code", "")),
                str(row.get("name", "")),
                units(row.get("cost")),
                int(row.get("score") or 0),
                int(row.get("supporters") or 0),
                _("Yes") if won else _("No"),
                row.get("position"),
                units(row.get("money_left")),
                str(reason.get("code", "")),
                reason_text(
                    reason, budget.ballot_kind, lambda amount: format_money(amount, currency), won=won
                ),
            ]
        )
    return rows


def safe_text(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula: prefix risky first characters with '."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


def csv_bytes(rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV as Danish Excel opens it: UTF-8 with BOM, ';' between cells, decimal comma, no formulas."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:.2f}".replace(".", ",")
    if isinstance(cell, int):
        return str(cell)
    return safe_text(cell)


def xlsx_bytes(rows: Sequence[Sequence[Cell]], title: str) -> bytes:
    """An Excel workbook of the table; text cells are stored as text, so nothing is run as a formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _ILLEGAL_XML.sub("", re.sub(r"[\\/*?:\[\]]", " ", title))[:31] or "Result"
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column)
            if isinstance(value, str):
                cell.value = _ILLEGAL_XML.sub("", value)
                cell.data_type = "s"  # openpyxl would store a text starting with '=' as a formula
            else:
                cell.value = value
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pabulib_election(budget: Budget, run: TallyRun | None) -> Election:
    """The budget as an anonymous pabulib election: ballots shuffled, voter ids 1..n, no dates or ids.

    ``selected`` comes from the run when one is given. Amounts are in whole units when all are whole.
    """
    counted, kind, profile = load_election(budget)
    rows = db.session.execute(
        select(ProjectRow.code, Category.name_da)
        .outerjoin(Category, Category.id == ProjectRow.category_id)
        .where(ProjectRow.budget_id == budget.id)
    ).all()
    categories = {code: name for code, name in rows if name}
    whole = budget.amount % 100 == 0 and all(project.cost % 100 == 0 for project in counted)
    divisor, scale = (100, 1) if whole else (1, 100)
    scores = compute_scores(counted, kind, profile)
    selected = set(run.report_data().get("selected", [])) if run is not None else None
    projects = tuple(
        Project(
            id=project.id,
            cost=project.cost // divisor,
            name=project.name,
            category=(categories[project.id].replace(",", " "),) if project.id in categories else (),
            fields=_project_fields(project.id, kind, scores, selected),
        )
        for project in counted
    )
    ballots = [
        ballot for ballot, count in zip(profile.ballots, profile.counts, strict=True) for _ in range(count)
    ]
    random.SystemRandom().shuffle(ballots)
    voters = tuple(Voter(id=str(number), ballot=ballot) for number, ballot in enumerate(ballots, start=1))
    columns = ["project_id", "cost", "votes", *(["score"] if uses_points(kind) else []), "name", "category"]
    return Election(
        meta=_meta(budget, run, len(projects), len(voters), scale),
        projects=projects,
        voters=voters,
        budget=budget.amount // divisor,
        kind=kind,
        vote_type=VOTE_TYPES[kind],
        scale=scale,
        threshold=budget.min_score,
        project_columns=tuple(columns + (["selected"] if selected is not None else [])),
    )


def pabulib_text(budget: Budget, run: TallyRun | None) -> str:
    """The anonymous pabulib file's text."""
    return write_pabulib(pabulib_election(budget, run))


def _project_fields(code: str, kind: BallotKind, scores: Any, selected: set[str] | None) -> dict[str, str]:
    fields = {"votes": str(scores.votes[code])}
    if uses_points(kind):
        fields["score"] = str(scores.score[code])
    if selected is not None:
        fields["selected"] = "1" if code in selected else "0"
    return fields


def _meta(budget: Budget, run: TallyRun | None, projects: int, voters: int, scale: int) -> dict[str, str]:
    """META in pabulib's order: what the election was and the rules it was counted by."""
    process = budget.process
    voting = next((phase for phase in process.phases if phase.phase is Phase.VOTING), None)
    begin, end = (voting.starts_on, voting.ends_on) if voting is not None else (None, None)
    meta = {
        "description": f"{process.title_da} – {budget.name_da}",
        "country": COUNTRIES.get(process.currency, "unknown"),
        "unit": process.municipality.name,
        "subunit": budget.name_da,
        "instance": str((end or process.created_at).year),
        "num_projects": str(projects),
        "num_votes": str(voters),
        "budget": "",  # the writer fills in the amount
        "vote_type": VOTE_TYPES[budget.ballot_kind],
        "rule": _rule(budget, run),
        "date_begin": begin.strftime("%d.%m.%Y") if begin else "",
        "date_end": end.strftime("%d.%m.%Y") if end else "",
        "currency": process.currency,
    }
    if budget.district:
        meta["district"] = budget.district
    meta.update(_limits(budget, scale))
    return {key: value for key, value in meta.items() if value or key == "budget"}


def _rule(budget: Budget, run: TallyRun | None) -> str:
    rule = RuleName(run.rule if run is not None else budget.rule)
    if rule is RuleName.MES:
        completion = run.completion if run is not None else budget.completion
        return "equalshares/add1" if completion else "equalshares"
    return "greedy-threshold" if budget.min_score is not None else "greedy"


def _limits(budget: Budget, scale: int) -> dict[str, str]:
    """The ballot's limits under pabulib's names."""
    limits: dict[str, str] = {}
    if budget.min_projects:
        limits["min_length"] = str(budget.min_projects)
    if budget.max_projects is not None:
        limits["max_length"] = str(budget.max_projects)
    if budget.ballot_kind is BallotKind.KNAPSACK:
        limits["max_sum_cost"] = format_amount(budget.amount // (100 // scale), scale)
    if budget.ballot_kind is BallotKind.CUMULATIVE:
        if budget.points is not None:
            limits["max_sum_points"] = str(budget.points)
        if budget.max_points_per_project is not None:
            limits["max_points"] = str(budget.max_points_per_project)
    return limits
