"""Read the VOTES section column-wise at C speed: each distinct ballot text is parsed once and shared."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter, ne
from typing import NoReturn

from pbvote.core.pabulib import schema
from pbvote.core.pabulib.fast import build_frozen
from pbvote.core.pabulib.rows import RowCursor, describe_stray_row, show
from pbvote.core.types import Ballot, BallotKind, Voter

_UNSIGNED_POINTS = re.compile(r"[0-9]+(?:,[0-9]+)*", re.ASCII)
_SIGNED_POINTS = re.compile(r"-?[0-9]+(?:,-?[0-9]+)*", re.ASCII)


class _BadVote(Exception):
    """A vote cell that cannot be read; carries the message, the row is found afterwards."""


@dataclass(frozen=True, slots=True)
class VoteContext:
    """What reading the VOTES section needs to know from the sections before it."""

    vote_type: str
    kind: BallotKind
    project_ids: frozenset[str]
    header_line: int


def read_voters(cursor: RowCursor, columns: tuple[str, ...], context: VoteContext) -> tuple[Voter, ...]:
    """Read every VOTES row after the header into voters, failing with the line of the first bad row.

    Voters whose extra columns hold the same values share one fields dict (read-only by its type),
    as voters with the same vote share one Ballot.

    Args:
        cursor: positioned just after the VOTES header.
        columns: the VOTES header.
        context: vote type and known project ids.

    Returns:
        The voters in file order.

    Raises:
        PabulibError: a row has the wrong number of fields, repeats a voter id, or holds a bad vote.
    """
    cumulative = context.kind is BallotKind.CUMULATIVE
    required = (schema.VOTER_ID, schema.VOTE, schema.POINTS) if cumulative else (schema.VOTER_ID, schema.VOTE)
    for name in required:
        if name not in columns:
            cursor.fail(f"the VOTES header has no {name} column", context.header_line)
    names = tuple(name for name in columns if name not in required)
    leading = names and set(columns[: len(required)]) == set(required)
    rows = cursor.rest(len(required) if leading else -1)
    if leading and not cursor.rest_is_split:
        extras = _tails(cursor, rows, columns, len(required), context.header_line)
        fields = {tail: dict(zip(names, tail.split(";"), strict=True)) for tail in dict.fromkeys(extras)}
    else:
        _check_widths(cursor, rows, len(columns), context.header_line)
        extras = list(map(_tuple_getter([columns.index(name) for name in names]), rows))
        fields = {values: dict(zip(names, values, strict=True)) for values in dict.fromkeys(extras)}
    ids = list(map(itemgetter(columns.index(schema.VOTER_ID)), rows))
    _check_voter_ids(cursor, ids, context.header_line)
    keys: list[Hashable] = list(map(itemgetter(columns.index(schema.VOTE)), rows))
    if cumulative:
        keys = list(zip(keys, map(itemgetter(columns.index(schema.POINTS)), rows), strict=True))
    ballots = _ballots(cursor, keys, context)
    return build_frozen(
        Voter,
        len(rows),
        id=ids,
        ballot=map(ballots.__getitem__, keys),
        fields=map(fields.__getitem__, extras),
    )


def _tuple_getter(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """An itemgetter that returns a tuple even for one index or none."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        single = indices[0]
        return lambda row: (row[single],)
    return lambda row: ()


def _check_widths(cursor: RowCursor, rows: list[list[str]], width: int, header_line: int) -> None:
    if set(map(len, rows)) <= {width}:
        return
    index = next(index for index, row in enumerate(rows) if len(row) != width)
    _fail_width(cursor, rows[index], len(rows[index]), width, cursor.line_of_rest_row(header_line, index))


def _tails(
    cursor: RowCursor, rows: list[list[str]], columns: tuple[str, ...], split: int, header_line: int
) -> list[str]:
    """The unsplit extra cells of rows split into ``split`` leading cells and a tail, checked for width."""
    _check_widths(cursor, rows, split + 1, header_line)
    tails = list(map(itemgetter(split), rows))
    semicolons = len(columns) - split - 1
    for tail in dict.fromkeys(tails):
        if tail.count(";") != semicolons:
            index = tails.index(tail)
            got = split + tail.count(";") + 1
            _fail_width(cursor, rows[index], got, len(columns), cursor.line_of_rest_row(header_line, index))
    return tails


def _fail_width(cursor: RowCursor, row: list[str], got: int, width: int, line: int) -> NoReturn:
    cursor.fail(describe_stray_row(row, f"wrong number of fields in VOTES: {got}, expected {width}"), line)


def _check_voter_ids(cursor: RowCursor, ids: list[str], header_line: int) -> None:
    distinct = set(ids)
    if len(distinct) == len(ids) and "" not in distinct:
        return
    seen: set[str] = set()
    for index, voter_id in enumerate(ids):
        if voter_id in seen or not voter_id:
            problem = "is empty" if not voter_id else "appears twice"
            cursor.fail(f"voter_id {show(voter_id)} {problem}", cursor.line_of_rest_row(header_line, index))
        seen.add(voter_id)


def _ballots(cursor: RowCursor, keys: list[Hashable], context: VoteContext) -> dict[Hashable, Ballot]:
    """Map each distinct vote (and points) text to its Ballot, checking it once."""
    distinct = list(dict.fromkeys(keys))
    if context.kind is not BallotKind.CUMULATIVE:
        fast = _plain_ballots(distinct, context)  # type: ignore[arg-type]
        if fast is not None:
            return fast
    ballots: dict[Hashable, Ballot] = {}
    for key in distinct:
        try:
            ballots[key] = _parse_ballot(key, context)
        except _BadVote as exc:
            cursor.fail(str(exc), cursor.line_of_rest_row(context.header_line, keys.index(key)))
    return ballots


def _plain_ballots(votes: list[str], context: VoteContext) -> dict[Hashable, Ballot] | None:
    """Check and build approval or ranked ballots in bulk; None sends unusual votes the slow way."""
    lists = list(map(str.split, votes, repeat(",")))
    if not context.project_ids.issuperset(chain.from_iterable(lists)):
        return None  # an unknown id, an empty vote or stray spaces: let _parse_ballot tell which
    if any(map(ne, map(len, map(set, lists)), map(len, lists))):
        return None  # a project named twice
    if context.vote_type == "choose-1" and max(map(len, lists), default=0) > 1:
        return None
    if context.kind is not BallotKind.RANKED:
        deque(map(list.sort, lists), maxlen=0)
    ballots = build_frozen(Ballot, len(votes), projects=map(tuple, lists), points=repeat(()))
    return dict(zip(votes, ballots, strict=True))


def _parse_ballot(key: Hashable, context: VoteContext) -> Ballot:
    if context.kind is BallotKind.CUMULATIVE:
        vote, points = key  # type: ignore[misc]
        return _cumulative(vote, points, context)
    ids = _project_ids(key, context)  # type: ignore[arg-type]
    if context.kind is BallotKind.RANKED:
        return Ballot(tuple(ids))
    if context.vote_type == "choose-1" and len(ids) > 1:
        _bad(f"a choose-1 vote names {len(ids)} projects")
    return Ballot(tuple(sorted(ids)))


def _project_ids(vote: str, context: VoteContext) -> list[str]:
    if not vote.strip():
        return []
    ids = [project_id.strip() for project_id in vote.split(",")]
    if not context.project_ids.issuperset(ids):
        unknown = next(project_id for project_id in ids if project_id not in context.project_ids)
        _bad(f"the vote names project {show(unknown)}, which is not in PROJECTS")
    if len(set(ids)) != len(ids):
        twice = next(project_id for index, project_id in enumerate(ids) if project_id in ids[:index])
        _bad(f"the vote names project {show(twice)} twice")
    return ids


def _cumulative(vote: str, points_text: str, context: VoteContext) -> Ballot:
    ids = _project_ids(vote, context)
    signed = schema.points_are_signed(context.vote_type)
    stripped = points_text.replace(" ", "")
    if not stripped and not ids:
        return Ballot(())
    if not (_SIGNED_POINTS if signed else _UNSIGNED_POINTS).fullmatch(stripped):
        kind = "whole numbers" if signed else "non-negative whole numbers"
        _bad(f"points {show(points_text)} are not a comma list of {kind}")
    points = [int(value) for value in stripped.split(",")]
    if len(points) != len(ids):
        _bad(f"the vote names {len(ids)} projects but points has {len(points)} values")
    pairs = sorted(zip(ids, points, strict=True))
    return Ballot(tuple(project_id for project_id, _ in pairs), tuple(value for _, value in pairs))


def _bad(message: str) -> NoReturn:
    raise _BadVote(message)
