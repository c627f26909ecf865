"""Ballot violations as sentences people read, in their own language (booth, paper station and API).

The core reports a stable code and parameters (see ``pbvote.core.validation.violations``); this module is
the one place that turns them into words. Ids and numbers in the parameters come from untrusted input,
so they are shown as given (cut short and clamped by the core) and never trusted as project names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from pbvote.core.validation import Violation, ViolationCode
from pbvote.i18n import format_money

Params = Mapping[str, Any]


def violation_message(
    violation: Violation, projects_by_code: Mapping[str, Any], *, currency: str | None = None
) -> str:
    """One violation as a full sentence in the reader's language.

    Args:
        violation: what the core reported.
        projects_by_code: the ballot's projects (anything with a ``title``) by their public code, so a
            known project is named by its title; unknown codes are shown as sent.
        currency: the process's currency for amounts (the site's currency when None).

    Returns:
        The translated sentence.
    """
    writer = _WRITERS.get(violation.code)
    if writer is None:
        return _("The ballot could not be accepted. Please check your choices and try again.")
    return writer(_Reader(violation.params, projects_by_code, currency))


def violation_messages(
    violations: Iterable[Violation], projects_by_code: Mapping[str, Any], *, currency: str | None = None
) -> list[str]:
    """Every violation as a sentence, each distinct sentence once, in the order reported."""
    sentences = (violation_message(v, projects_by_code, currency=currency) for v in violations)
    return list(dict.fromkeys(sentences))


class _Reader:
    """Reads one violation's parameters defensively: a missing or odd value never breaks a message."""

    def __init__(self, params: Params, projects: Mapping[str, Any], currency: str | None) -> None:
        self.params = params
        self.projects = projects
        self.currency = currency

    def number(self, name: str) -> int:
        value = self.params.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def money(self, name: str) -> str:
        return format_money(self.number(name), self.currency)

    def project(self, name: str = "project") -> str:
        """A known project's title in quotes, else the code as sent."""
        code = self.params.get(name)
        if not isinstance(code, str):
            return _("a project")
        project = self.projects.get(code)
        title = getattr(project, "title", None) if project is not None else None
        return f"“{title}”" if title else f"“{code}”"

    def project_list(self) -> str:
        codes = str(self.params.get("projects") or "").split(", ")
        return ", ".join(self.project_of(code) for code in codes if code)

    def project_of(self, code: str) -> str:
        title = getattr(self.projects.get(code), "title", None)
        return f"“{title or code}”"


def _wrong_shape(r: _Reader) -> str:
    return _("The ballot was not filled in the way this vote needs. Please start again from the voting page.")


def _not_a_project_id(r: _Reader) -> str:
    return _("Choice number %(position)d is not a project on this ballot.", position=r.number("position"))


def _unknown_project(r: _Reader) -> str:
    return _("The project %(project)s is not on this ballot.", project=r.project())


def _duplicate_project(r: _Reader) -> str:
    return _("You have chosen %(project)s more than once.", project=r.project())


def _too_few(r: _Reader) -> str:
    return ngettext(
        "Choose at least %(num)d project. You have chosen %(actual)d.",
        "Choose at least %(num)d projects. You have chosen %(actual)d.",
        r.number("minimum"),
        actual=r.number("actual"),
    )


def _too_many(r: _Reader) -> str:
    return ngettext(
        "You can choose at most %(num)d project. You have chosen %(actual)d.",
        "You can choose at most %(num)d projects. You have chosen %(actual)d.",
        r.number("limit"),
        actual=r.number("actual"),
    )


def _ranking_too_long(r: _Reader) -> str:
    return ngettext(
        "You can rank at most %(num)d project. You have ranked %(actual)d.",
        "You can rank at most %(num)d projects. You have ranked %(actual)d.",
        r.number("limit"),
        actual=r.number("actual"),
    )


def _over_budget(r: _Reader) -> str:
    excess = max(0, r.number("total") - r.number("limit"))
    return _(
        "You have chosen projects for %(excess)s more than the budget of %(limit)s",
        excess=format_money(excess, r.currency),
        limit=r.money("limit"),
    )


def _under_min_spent(r: _Reader) -> str:
    return _(
        "Your projects must together cost at least %(minimum)s; your choices cost %(total)s",
        minimum=r.money("minimum"),
        total=r.money("total"),
    )


def _not_an_integer(r: _Reader) -> str:
    if not isinstance(r.params.get("project"), str):
        return _("Write whole numbers only, e.g. 3.")
    return _("Write a whole number for %(project)s, e.g. 3.", project=r.project())


def _negative_points(r: _Reader) -> str:
    return _("The points for %(project)s cannot be less than 0.", project=r.project())


def _too_many_points_for_project(r: _Reader) -> str:
    return ngettext(
        "You can give at most %(num)d point to %(project)s.",
        "You can give at most %(num)d points to %(project)s.",
        r.number("limit"),
        project=r.project(),
    )


def _points_exceeded(r: _Reader) -> str:
    return _(
        "You have given %(total)d points, but you have only %(limit)d. Take some points away.",
        total=r.number("total"),
        limit=r.number("limit"),
    )


def _points_not_all_used(r: _Reader) -> str:
    return _(
        "Give all %(required)d points. You have given %(total)d.",
        required=r.number("required"),
        total=r.number("total"),
    )


def _invalid_rank(r: _Reader) -> str:
    return _("The place given to %(project)s must be 1 or higher.", project=r.project())


def _duplicate_rank(r: _Reader) -> str:
    return _(
        "More than one project has place %(rank)d. Give each project its own place.",
        rank=r.number("rank"),
    )


def _ranks_not_contiguous(r: _Reader) -> str:
    return _(
        "The places must run 1, 2, 3 … without gaps; place %(missing)d is missing.",
        missing=r.number("missing"),
    )


def _mutually_exclusive(r: _Reader) -> str:
    return _(
        "These projects exclude each other, so you can choose only one of them: %(projects)s.",
        projects=r.project_list(),
    )


_WRITERS: dict[str, Callable[[_Reader], str]] = {
    ViolationCode.WRONG_BALLOT_SHAPE.value: _wrong_shape,
    ViolationCode.NOT_A_PROJECT_ID.value: _not_a_project_id,
    ViolationCode.UNKNOWN_PROJECT.value: _unknown_project,
    ViolationCode.DUPLICATE_PROJECT.value: _duplicate_project,
    ViolationCode.TOO_FEW_PROJECTS.value: _too_few,
    ViolationCode.TOO_MANY_PROJECTS.value: _too_many,
    ViolationCode.RANKING_TOO_LONG.value: _ranking_too_long,
    ViolationCode.OVER_BUDGET.value: _over_budget,
    ViolationCode.UNDER_MIN_SPENT.value: _under_min_spent,
    ViolationCode.NOT_AN_INTEGER.value: _not_an_integer,
    ViolationCode.NEGATIVE_POINTS.value: _negative_points,
    ViolationCode.TOO_MANY_POINTS_FOR_PROJECT.value: _too_many_points_for_project,
    ViolationCode.POINTS_EXCEEDED.value: _points_exceeded,
    ViolationCode.POINTS_NOT_ALL_USED.value: _points_not_all_used,
    ViolationCode.INVALID_RANK.value: _invalid_rank,
    ViolationCode.DUPLICATE_RANK.value: _duplicate_rank,
    ViolationCode.RANKS_NOT_CONTIGUOUS.value: _ranks_not_contiguous,
    ViolationCode.MUTUALLY_EXCLUSIVE.value: _mutually_exclusive,
}
