"""Why a project won or lost, in the reader's language, from the reason a counting rule stored.

A report row carries ``{"code": ..., "params": {...}}`` (see pbvote/core/report.py); this module is the only
place that turns those codes into sentences, so the page, the summary and the exports say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_number, gettext, ngettext

from pbvote.core.types import BallotKind

Money = Callable[[int], str]


def uses_points(kind: BallotKind | str) -> bool:
    """Cumulative and ranked ballots give points; approval and knapsack ballots give votes."""
    return BallotKind(kind) in (BallotKind.CUMULATIVE, BallotKind.RANKED)


def score_text(score: int, kind: BallotKind | str) -> str:
    """'1.204 stemmer' or '37 point', counted the way the ballot kind counts."""
    count = format_number(score)
    if uses_points(kind):
        return ngettext("%(count)s point", "%(count)s points", score, count=count)
    return ngettext("%(count)s vote", "%(count)s votes", score, count=count)


def reason_text(reason: Mapping[str, Any] | None, kind: BallotKind | str, money: Money, *, won: bool) -> str:
    """One sentence saying why a project won or was not chosen.

    Args:
        reason: the row's ``{"code", "params"}`` from the stored report.
        kind: the budget's ballot kind (votes or points).
        money: formats an amount in the smallest currency unit.
        won: whether the project was selected, for a sentence when the code is unknown.

    Returns:
        The translated sentence.
    """
    code = str((reason or {}).get("code", ""))
    params: Mapping[str, Any] = (reason or {}).get("params") or {}
    build = _SENTENCES.get(code)
    if build is None:
        return gettext("Won") if won else gettext("Not chosen")
    return build(_Params(params, kind, money))


class _Params:
    """A row's parameters, read safely and formatted for sentences."""

    def __init__(self, params: Mapping[str, Any], kind: BallotKind | str, money: Money) -> None:
        self.params = params
        self.kind = kind
        self.money = money

    def int(self, name: str) -> int:
        value = self.params.get(name, 0)
        return value if isinstance(value, int) else 0

    def number(self, name: str) -> str:
        return str(format_number(self.int(name)))

    def amount(self, name: str) -> str:
        return self.money(self.int(name))

    @property
    def points(self) -> bool:
        return uses_points(self.kind)


def _won(p: _Params) -> str:
    score, count = p.int("score"), p.number("score")
    if p.points:
        return ngettext(
            "Won: %(count)s point, fitted in the budget",
            "Won: %(count)s points, fitted in the budget",
            score,
            count=count,
        )
    return ngettext(
        "Won: %(count)s vote, fitted in the budget",
        "Won: %(count)s votes, fitted in the budget",
        score,
        count=count,
    )


def _did_not_fit(p: _Params) -> str:
    cost, left = p.amount("cost"), p.amount("money_left")
    if "score" not in p.params:
        return gettext("Not chosen: it costs %(cost)s and only %(left)s was left", cost=cost, left=left)
    score, count = p.int("score"), p.number("score")
    if p.points:
        return ngettext(
            "Not chosen: %(count)s point, but it costs %(cost)s and only %(left)s was left",
            "Not chosen: %(count)s points, but it costs %(cost)s and only %(left)s was left",
            score,
            count=count,
            cost=cost,
            left=left,
        )
    return ngettext(
        "Not chosen: %(count)s vote, but it costs %(cost)s and only %(left)s was left",
        "Not chosen: %(count)s votes, but it costs %(cost)s and only %(left)s was left",
        score,
        count=count,
        cost=cost,
        left=left,
    )


def _below_threshold(p: _Params) -> str:
    score, count, needed = p.int("score"), p.number("score"), p.number("threshold")
    if p.points:
        return ngettext(
            "Not chosen: %(count)s point, fewer than the %(needed)s a project needs to win",
            "Not chosen: %(count)s points, fewer than the %(needed)s a project needs to win",
            score,
            count=count,
            needed=needed,
        )
    return ngettext(
        "Not chosen: %(count)s vote, fewer than the %(needed)s a project needs to win",
        "Not chosen: %(count)s votes, fewer than the %(needed)s a project needs to win",
        score,
        count=count,
        needed=needed,
    )


def _won_round(p: _Params) -> str:
    return ngettext(
        "Won in round %(round)s: the %(count)s voter who supported it paid for it",
        "Won in round %(round)s: %(count)s voters who supported it shared the cost",
        p.int("payers"),
        count=p.number("payers"),
        round=p.number("round"),
    )


def _won_free(p: _Params) -> str:
    return gettext("Won: it costs nothing")


def _won_fill(p: _Params) -> str:
    score, count, left = p.int("score"), p.number("score"), p.amount("money_left")
    if p.points:
        return ngettext(
            "Won when the money left was shared out by points: %(count)s point, "
            "and it fitted in the %(left)s left",
            "Won when the money left was shared out by points: %(count)s points, "
            "and it fitted in the %(left)s left",
            score,
            count=count,
            left=left,
        )
    return ngettext(
        "Won when the money left was shared out by votes: %(count)s vote, and it fitted in the %(left)s left",
        "Won when the money left was shared out by votes: %(count)s votes, "
        "and it fitted in the %(left)s left",
        score,
        count=count,
        left=left,
    )


def _supporters_ran_out(p: _Params) -> str:
    return ngettext(
        "Not chosen: the %(count)s voter who supported it had spent their share "
        "(%(money)s left, it costs %(cost)s)",
        "Not chosen: the %(count)s voters who supported it had spent their share "
        "(%(money)s left, it costs %(cost)s)",
        p.int("supporters"),
        count=p.number("supporters"),
        money=p.amount("supporters_money"),
        cost=p.amount("cost"),
    )


def _no_supporters(p: _Params) -> str:
    return gettext("Not chosen: no one voted for it")


_SENTENCES: dict[str, Callable[[_Params], str]] = {
    "won": _won,
    "did_not_fit": _did_not_fit,
    "below_threshold": _below_threshold,
    "won_round": _won_round,
    "won_free": _won_free,
    "won_fill": _won_fill,
    "supporters_ran_out": _supporters_ran_out,
    "no_supporters": _no_supporters,
}
