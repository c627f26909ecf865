"""Printable letters with voting codes: staff upload the file `pbvote codes issue` wrote, or paste codes.

The codes are not stored in plain text anywhere, so this page can only print from that file; it checks
every code against the stored hashes and prints one A4 letter per unused code.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from pbvote.ballots import codes
from pbvote.ballots.manage import Page, budget_or_404, manage_bp
from pbvote.ballots.manage_forms import LettersForm
from pbvote.processes.models import Budget, Phase


@manage_bp.route("/pulje/<int:budget_id>/breve", methods=["GET", "POST"])
def letters(budget_id: int) -> Page:
    """Ask for the codes, then show their letters ready to print."""
    budget = budget_or_404(budget_id)
    form = LettersForm()
    if not form.validate_on_submit():
        return form_page(budget, form, [], 422 if form.is_submitted() else 200)
    entries, problem = _entries(form)
    start = form.start.data or 1
    chosen = entries[start - 1 : start - 1 + codes.LETTERS_PER_PRINT]
    problem = problem or _slice_problem(entries, chosen, start)
    if problem is not None:
        return form_page(budget, form, [problem], 422)
    try:
        printed, used = codes.letters_for(budget, chosen)
    except codes.CodesRefused as exc:
        return form_page(budget, form, [str(exc), *exc.problems], 422)
    following = start + len(chosen)
    return render_template(
        "ballots/manage/letters.html",
        budget=budget,
        process=budget.process,
        letters=printed,
        used=used,
        first=start,
        last=following - 1,
        total=len(entries),
        following=following if following <= len(entries) else None,
        closes_on=_voting_ends(budget),
    )


def form_page(budget: Budget, form: LettersForm, problems: list[str], status: int) -> tuple[str, int]:
    """The page that asks for the codes, with any reasons they were refused."""
    return render_template(
        "ballots/manage/letters_form.html",
        budget=budget,
        process=budget.process,
        form=form,
        problems=problems,
        per_print=codes.LETTERS_PER_PRINT,
        may_issue=codes.can_issue_codes(budget.process),
    ), status


def _entries(form: LettersForm) -> tuple[list[tuple[int, str]], str | None]:
    """The codes from the file (if one was given), else from the text box; or why they cannot be read."""
    upload = form.file.data
    if isinstance(upload, FileStorage) and upload.filename:
        try:
            return codes.read_codes_file(upload.read().decode("utf-8-sig")), None
        except UnicodeDecodeError:
            return [], _("The file is not the codes file from the command: it is not UTF-8 text.")
    return codes.read_pasted_codes(form.codes.data or ""), None


def _slice_problem(entries: list[tuple[int, str]], chosen: list[tuple[int, str]], start: int) -> str | None:
    """Why there is nothing to print from ``start`` on, if so."""
    if not entries:
        return _("No voting codes were found.")
    if not chosen:
        return _(
            "There are only %(num)d codes, so there is no code number %(start)d.",
            num=len(entries),
            start=start,
        )
    return None


def _voting_ends(budget: Budget) -> object:
    """The last day of voting, when the process has dated it."""
    return next((row.ends_on for row in budget.process.phases if row.phase is Phase.VOTING), None)
