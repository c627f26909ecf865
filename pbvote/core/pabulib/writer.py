"""Write an Election as pabulib text that reads back to an equal Election, keeping the file's own texts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import chain

from pbvote.core.pabulib import schema
from pbvote.core.pabulib.amounts import format_amount, parse_amount, split_decimal
from pbvote.core.types import BallotKind, Election, Project, Voter


def write_pabulib(election: Election) -> str:
    """Write an election as pabulib text: META, PROJECTS and VOTES, ``;``-separated, LF line endings.

    Cells read from a file are written back as they were whenever they still mean the same value
    (a budget of ``3009585.74``, a cost of ``100000.0``, coordinates); changed values are written
    afresh. META's budget, vote_type, threshold and, when present, num_projects and num_votes are
    brought in line with the election.

    Args:
        election: the election, e.g. as ``read_pabulib`` returned it or as built from a budget.

    Returns:
        The file's text; ``parse_pabulib_text`` of it gives back an equal Election.

    Raises:
        ValueError: a project id is empty or holds a comma, or the scale is not a power of ten.
    """
    vote_type = election.vote_type or schema.DEFAULT_VOTE_TYPES[election.kind]
    kind = schema.VOTE_TYPES.get(vote_type)
    if kind is None or (kind is not election.kind and election.kind is not BallotKind.KNAPSACK):
        raise ValueError(f"vote_type {vote_type!r} cannot carry {election.kind.value} ballots")
    columns = _project_columns(election)
    project_rows = [_project_row(project, columns, election.scale) for project in election.projects]
    costs = [row[columns.index(schema.COST)] for row in project_rows]
    vote_columns = _vote_columns(election)
    cumulative = election.kind is BallotKind.CUMULATIVE
    rows = chain(
        [["META"], ["key", "value"]],
        map(list, _meta(election, vote_type, costs).items()),
        [["PROJECTS"], columns],
        project_rows,
        [["VOTES"], vote_columns],
        (_voter_row(voter, vote_columns, cumulative) for voter in election.voters),
    )
    return "".join(map(_line, rows))


_NEEDS_QUOTES = re.compile(r'[;"\r\n]')


def _line(cells: list[str]) -> str:
    """One CSV line; cells holding ``;``, a quote or a line break are quoted (csv.writer leaves a lone CR)."""
    return ";".join(_quoted(cell) if _NEEDS_QUOTES.search(cell) else cell for cell in cells) + "\n"


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _meta(election: Election, vote_type: str, costs: list[str]) -> dict[str, str]:
    meta = {key: str(value) for key, value in election.meta.items()}
    meta[schema.VOTE_TYPE] = _keep(meta.get(schema.VOTE_TYPE), vote_type, lambda text: text.strip())
    meta[schema.BUDGET] = _budget(election, meta.get(schema.BUDGET), costs)
    if election.threshold is None:
        meta.pop(schema.THRESHOLD, None)
    else:
        meta[schema.THRESHOLD] = _keep(meta.get(schema.THRESHOLD), str(election.threshold), _whole)
    for key, count in (
        (schema.NUM_PROJECTS, len(election.projects)),
        (schema.NUM_VOTES, len(election.voters)),
    ):
        if key in meta:
            meta[key] = _keep(meta[key], str(count), _whole)
    return meta


def _budget(election: Election, raw: str | None, costs: list[str]) -> str:
    """The budget text: the file's own unless it changed or the scale would not survive a reread.

    The reader takes the scale from the most decimals written, so some amount must show them all.
    """
    fresh = format_amount(election.budget, election.scale)
    kept = _keep(raw, fresh, lambda text: parse_amount(text, election.scale))
    written = [kept, *costs]
    if max(len((split_decimal(text) or ("", ""))[1]) for text in written) < len(fresh.partition(".")[2]):
        return fresh
    return kept


def _whole(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.lstrip("-").isdigit() else None


def _keep(raw: str | None, fresh: str, meaning: Callable[[str], object]) -> str:
    """Keep the file's own text when it still means what the fresh text means."""
    return raw if raw is not None and meaning(raw) == meaning(fresh) else fresh


def _merge(columns: Iterable[str], more: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*columns, *more]))


def _project_columns(election: Election) -> list[str]:
    projects = election.projects
    needed = [schema.PROJECT_ID, schema.COST]
    needed += [schema.NAME] if any(project.name for project in projects) else []
    needed += [schema.CATEGORY] if any(project.category for project in projects) else []
    needed += [schema.DISTRICT] if any(project.district for project in projects) else []
    if any(project.coordinates for project in projects):
        needed += [schema.LATITUDE, schema.LONGITUDE]
    extra = (key for project in projects for key in project.fields)
    return _merge(election.project_columns, _merge(needed, extra))


def _project_row(project: Project, columns: list[str], scale: int) -> list[str]:
    if not project.id or "," in project.id:
        raise ValueError(f"project id {project.id!r} cannot be written: it is empty or holds a comma")
    raw = project.fields
    cost = format_amount(project.cost, scale)
    own: dict[str, str] = {
        schema.PROJECT_ID: project.id,
        schema.COST: _keep(raw.get(schema.COST), cost, lambda text: parse_amount(text, scale)),
        schema.NAME: project.name,
        schema.CATEGORY: _keep(raw.get(schema.CATEGORY), ",".join(project.category), schema.parse_category),
        schema.DISTRICT: project.district,
    }
    own.update(_coordinate_cells(project))
    return [own[column] if column in own else str(raw.get(column, "")) for column in columns]


def _coordinate_cells(project: Project) -> dict[str, str]:
    raw = project.fields
    if schema.coordinates_of(raw) == project.coordinates:
        return {
            schema.LATITUDE: raw.get(schema.LATITUDE, ""),
            schema.LONGITUDE: raw.get(schema.LONGITUDE, ""),
        }
    if project.coordinates is None:
        return {schema.LATITUDE: "", schema.LONGITUDE: ""}
    return {schema.LATITUDE: repr(project.coordinates[0]), schema.LONGITUDE: repr(project.coordinates[1])}


def _vote_columns(election: Election) -> list[str]:
    needed = [schema.VOTER_ID, schema.VOTE]
    needed += [schema.POINTS] if election.kind is BallotKind.CUMULATIVE else []
    extra = (key for voter in election.voters for key in voter.fields)
    return _merge(election.vote_columns, _merge(needed, extra))


def _voter_row(voter: Voter, columns: list[str], cumulative: bool) -> list[str]:
    own: Mapping[str, str] = {
        schema.VOTER_ID: voter.id,
        schema.VOTE: ",".join(voter.ballot.projects),
    }
    if cumulative:
        own = {**own, schema.POINTS: ",".join(map(str, voter.ballot.points))}
    return [own[column] if column in own else str(voter.fields.get(column, "")) for column in columns]
