"""The booth's first view for a new browser in open voting, served from the page cache.

At a voting peak most booth requests are first views: a new browser, nothing chosen, no filter. In open
voting such a visitor cannot have voted yet (their voter cookie is being made now), so the page depends
only on the budget, the language and where their project order starts (``booth.voter_order``: one of as
many orders as there are projects). Each worker renders it once per ``PAGE_CACHE_SECONDS``
(``pagecache``); whether the budget is open for voting, and its number of projects, are remembered as
long. Everyone else, and every later step, gets the booth rendered for them. Casting
always checks the database, so a booth shown in the seconds after voting closed still cannot be used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_babel import get_locale

from pbvote import pagecache
from pbvote.ballots import access, queries
from pbvote.ballots.booth import order_number
from pbvote.ballots.policies import can_vote
from pbvote.db import utcnow
from pbvote.processes.models import Eligibility

_open_budgets: pagecache.Kept[int] = pagecache.Kept(maxsize=1024)  # budget id -> projects, 0 if not open


def first_view(budget_id: int, render: Callable[[], Any]) -> Any | None:
    """The cached first view of this open-voting booth for a new browser, or None: render it in full."""
    if not pagecache.cacheable() or request.args or access.cookie_token() is not None:
        return None
    seconds = float(current_app.config["PAGE_CACHE_SECONDS"])
    projects = _open_for_anyone(budget_id, seconds)
    if not projects:
        return None
    access.browser_token()  # this browser's voter cookie, sent with the answer
    turn = order_number(access.booth_seed()) % projects
    key = ("ballots.booth", str(budget_id), str(get_locale()), str(turn))
    return pagecache.serve(key, render)


def forget() -> None:
    """Drop what is remembered about budgets (tests; a worker forgets by itself within seconds)."""
    _open_budgets.clear()


def _open_for_anyone(budget_id: int, seconds: float) -> int:
    """The budget's number of projects if it takes ballots from anyone now (open eligibility), else 0;
    remembered for ``seconds``."""
    known = _open_budgets.get(budget_id, seconds)
    if known is None:
        budget = queries.public_budget(budget_id)
        if budget is None or budget.process.eligibility is not Eligibility.OPEN:
            known = 0
        else:
            known = len(budget.projects) if can_vote(budget.process, utcnow()) else 0
        _open_budgets.put(budget_id, known, seconds)
    return known
