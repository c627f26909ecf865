"""The fixed vocabulary of the pabulib format: section titles, vote types and required columns."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final

from pbvote.core.types import BallotKind

SECTIONS: Final = ("META", "PROJECTS", "VOTES")

VOTE_TYPES: Final[dict[str, BallotKind]] = {
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.CUMULATIVE,
    "ordinal": BallotKind.RANKED,
}
"""Every pabulib ``vote_type`` this package reads, with the ballot kind it becomes."""

DEFAULT_VOTE_TYPES: Final[dict[BallotKind, str]] = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKED: "ordinal",
}
"""The ``vote_type`` written for an election built by hand without one."""

PROJECT_ID, COST, NAME, CATEGORY, DISTRICT = "project_id", "cost", "name", "category", "district"
LATITUDE, LONGITUDE = "latitude", "longitude"
VOTER_ID, VOTE, POINTS = "voter_id", "vote", "points"
BUDGET, VOTE_TYPE, THRESHOLD = "budget", "vote_type", "min_project_score_threshold"
NUM_PROJECTS, NUM_VOTES = "num_projects", "num_votes"

MISSING_VALUES: Final = frozenset({"", "none"})
"""Cell texts that mean "no value" (pabutools treats ``None`` the same way)."""

UNKNOWN_SECTION = re.compile(r"[A-Z][A-Z_ ]*")
"""A lone upper-case word where a row was expected reads as a section title we do not know."""


def is_title(row: list[str]) -> bool:
    """Tell whether a CSV row is one of the three section titles (spare empty cells allowed)."""
    return bool(row) and row[0].strip().upper() in SECTIONS and not any(row[1:])


def points_are_signed(vote_type: str) -> bool:
    """Scoring ballots may give negative points; cumulative ones may not."""
    return vote_type == "scoring"


def parse_category(text: str) -> tuple[str, ...]:
    """Split a PROJECTS category cell, a comma list, into its trimmed non-empty names."""
    return tuple(name for name in (part.strip() for part in text.split(",")) if name)


def _coordinate(text: str) -> float | None:
    if text.strip().lower() in MISSING_VALUES:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def coordinates_of(fields: Mapping[str, str]) -> tuple[float, float] | None:
    """Read a project's latitude and longitude cells; None unless both are finite numbers."""
    latitude = _coordinate(fields.get(LATITUDE, ""))
    longitude = _coordinate(fields.get(LONGITUDE, ""))
    return None if latitude is None or longitude is None else (latitude, longitude)
