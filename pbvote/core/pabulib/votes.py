"""Read the VOTES section column-wise at C speed: each distinct ballot text is parsed once and shared."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter, ne
from typing import NoReturn, cast

from pbvote.core.pabulib import schema
from pbvote.core.pabulib.fast import build_frozen
from pbvote.core.pabulib.rows import RowCursor, describe_stray_row, show
from pbvote.core.types import Ballot, BallotKind, Voter

_UNSIGNED_POINTS = re.compile(r"[0-9]+(?:,[0-9]+)*", re.ASCII)
_SIGNED_POINTS = re.compile(r"-?[0-9]+(?:,-?[0-9]+)*", re.ASCII)


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
    leading = bool(names) and set(columns[: len(required)]) == set(required)
    rows = cursor.rest(len(required) if leading else -1)
    if leading and not cursor.rest_used_csv:
        extras = _tails(cursor, rows, columns, len(required), context.header_line)
    else:
        _check_widths(cursor, rows, len(columns), context.header_line)
        extras = list(map(_tuple_getter([columns.index(name) for name in names]), rows))
    fields = {extra: _fields_dict(names, extra) for extra in dict.fromkeys(extras)}
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


def _fields_dict(names: tuple[str, ...], extra: Hashable) -> dict[str, str]:
    """A voter's extra cells by column name, from a tuple of cells or an unsplit tail of the line."""
    values = extra.split(";") if isinstance(extra, str) else cast(tuple[str, ...], extra)
    return dict(zip(names, values, strict=True))


def _tuple_getter(indices: list[int]) -> Callable[[list[str]], Hashable]:
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


