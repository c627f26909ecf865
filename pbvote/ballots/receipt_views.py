"""The public receipt list of a budget, and the look-up that says whether a receipt was counted.

Receipts are listed in alphabetical order, so the list says nothing about who voted when; a look-up
says "counted" or "not found" and never shows what a ballot holds. Look-ups are posted, so receipts
do not end up in addresses and server logs.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from pbvote.ballots import queries
from pbvote.ballots.forms import ReceiptLookupForm, normalised_receipt
from pbvote.ballots.pages import ballot_page
from pbvote.ballots.services import receipt_counted
from pbvote.ballots.views import bp

MAX_PAGE = 100_000


def _page_number() -> int:
    raw = request.args.get("side", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        abort(400)
    return int(raw)


@bp.get("/pulje/<int:budget_id>/kvitteringer")
def receipts(budget_id: int) -> tuple[Response | str, int]:
    """Every receipt of the budget, sorted and paged, with the look-up form."""
    budget = queries.public_budget(budget_id)
    if budget is None:
        abort(404)
    page = queries.receipts_page(budget.id, _page_number())
    if page.number > page.pages:
        abort(404)
    return ballot_page("ballots/receipts.html", budget, page=page, form=ReceiptLookupForm(), found=None)


@bp.post("/pulje/<int:budget_id>/kvitteringer")
def lookup_receipt(budget_id: int) -> tuple[Response | str, int]:
    """Say whether a receipt is among the counted ballots ("Counted" or "Not found")."""
    budget = queries.public_budget(budget_id)
    if budget is None:
        abort(404)
    form = ReceiptLookupForm()
    found: bool | None = None
    receipt = ""
    if form.validate_on_submit():
        receipt = normalised_receipt(form.receipt.data)
        found = receipt_counted(budget.id, receipt)
    page = queries.receipts_page(budget.id, 1)
    status = 422 if form.errors else 200
    return ballot_page(
        "ballots/receipts.html", budget, status=status, page=page, form=form, found=found, looked_up=receipt
    )
