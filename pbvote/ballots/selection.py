"""The voter's choice as it travels in the booth's form: read it, change it by one action, hand it to core.

Without JavaScript every Add, Remove, Up and Down is a plain form post that carries the whole selection
in hidden fields; the server applies the one action and shows the booth again. Nothing read here is
trusted: what the form says is checked by ``core`` before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from werkzeug.datastructures import MultiDict

from pbvote.core.types import BallotKind
from pbvote.core.validation import BallotInput

POINTS_PREFIX = "points-"
MAX_NUMBER_LENGTH = 30  # longer "numbers" are passed on as text and refused as not whole
_WHOLE = re.compile(r"^[+-]?\d+$")
MOVES = ("add", "remove", "up", "down")


@dataclass
class Selection:
    """What the voter has chosen so far: ids (best first when ranked) or, for cumulative, points per id."""

    kind: BallotKind
    projects: list[str] = field(default_factory=list)
    points: dict[str, object] = field(default_factory=dict)  # cumulative: id -> int, or the text as sent

    def as_input(self) -> BallotInput:
        """The untrusted input for the core's validation."""
        if self.kind is BallotKind.CUMULATIVE:
            return BallotInput(points=cast("dict[object, object]", dict(self.points)))
        return BallotInput(projects=tuple(self.projects))

    def cleaned(self, known: Sequence[str]) -> Selection:
        """Only known ids, each once (for showing the booth again; casting checks the raw selection)."""
        allowed = set(known)
        if self.kind is BallotKind.CUMULATIVE:
            points = {code: value for code, value in self.points.items() if code in allowed}
            return Selection(self.kind, points=points)
        return Selection(
            self.kind, projects=[code for code in dict.fromkeys(self.projects) if code in allowed]
        )

    def point_text(self, code: str) -> str:
        """What the points box for a project shows."""
        value = self.points.get(code)
        if value is None or value == 0:
            return ""
        return str(value)[:MAX_NUMBER_LENGTH]

    def points_used(self) -> int:
        """Whole, non-negative points given so far (odd entries count as 0 until corrected)."""
        return sum(value for value in self.points.values() if isinstance(value, int) and value > 0)


def read_selection(kind: BallotKind, form: MultiDict[str, str]) -> Selection:
    """The selection carried by a booth, review or confirm form."""
    if kind is BallotKind.CUMULATIVE:
        points: dict[str, object] = {}
        for key in form:
            if key.startswith(POINTS_PREFIX):
                values = form.getlist(key)
                parsed = read_points(values[0]) if len(values) == 1 else values
                if parsed is not None:
                    points[key[len(POINTS_PREFIX) :]] = parsed
        return Selection(kind, points=points)
    return Selection(kind, projects=form.getlist("project"))


def read_points(text: str) -> object | None:
    """A points box: None when empty, an int when whole, else the text itself (core refuses it)."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if len(cleaned) <= MAX_NUMBER_LENGTH and _WHOLE.match(cleaned):
        return int(cleaned)
    return cleaned


@dataclass(frozen=True)
class Move:
    """One Add, Remove, Up or Down pressed in the booth."""

    verb: str
    code: str


def read_move(form: Mapping[str, str]) -> Move | None:
    """The move button that sent the form, if any."""
    for verb in MOVES:
        if verb in form:
            return Move(verb, form[verb])
    return None


def apply_move(selection: Selection, move: Move, known: Sequence[str]) -> Selection:
    """The selection after one move; moves naming unknown projects change nothing."""
    if selection.kind is BallotKind.CUMULATIVE or move.code not in known:
        return selection
    projects = list(selection.projects)
    if move.verb == "add" and move.code not in projects:
        projects.append(move.code)
    elif move.verb == "remove":
        projects = [code for code in projects if code != move.code]
    elif move.verb in ("up", "down") and move.code in projects:
        index = projects.index(move.code)
        other = index - 1 if move.verb == "up" else index + 1
        if 0 <= other < len(projects):
            projects[index], projects[other] = projects[other], projects[index]
    return Selection(selection.kind, projects=projects)
