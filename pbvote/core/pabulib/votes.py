"""Read the VOTES section column-wise at C speed: each distinct ballot text is parsed once and shared."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import itemgetter
from typing import NoReturn, cast

from pbvote.core.pabulib import schema
from pbvote.core.pabulib.ballots import BadVote, VoteContext, bulk_ballots, parse_ballot
from pbvote.core.pabulib.fast import build_frozen
from pbvote.core.pabulib.rows import RowCursor, describe_stray_row, show
from pbvote.core.types import Ballot, BallotKind, Voter

_TITLE_SPELLINGS = frozenset(
    spelling for title in schema.SECTIONS for spelling in (title, title.lower(), title.title())
)


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
    tail_at = len(required) if leading and not cursor.rest_used_csv else None
    extras, fields = _extras(cursor, rows, columns, names, tail_at, context.header_line)
    ids = list(map(itemgetter(columns.index(schema.VOTER_ID)), rows))
    _check_voter_ids(cursor, rows, ids, context.header_line)
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


def _extras(
    cursor: RowCursor,
    rows: list[list[str]],
    columns: tuple[str, ...],
    names: tuple[str, ...],
    tail_at: int | None,
    header_line: int,
) -> tuple[list[Hashable], dict[Hashable, dict[str, str]]]:
    """Each row's extra cells as a hashable key, and the fields dict of each distinct key.

    When ``tail_at`` is given, rows hold their extra cells as one unsplit text at that index, and
    only distinct texts get split.
    """
    if tail_at is not None:
        _check_widths(cursor, rows, tail_at + 1, header_line)
        extras: list[Hashable] = list(map(itemgetter(tail_at), rows))
    else:
        _check_widths(cursor, rows, len(columns), header_line)
        extras = list(map(_tuple_getter([columns.index(name) for name in names]), rows))
    fields: dict[Hashable, dict[str, str]] = {}
    for extra in dict.fromkeys(extras):
        values = extra.split(";") if isinstance(extra, str) else cast(tuple[str, ...], extra)
        if len(values) != len(names):
            _fail_tail(cursor, rows, extras.index(extra), len(columns), header_line)
        fields[extra] = dict(zip(names, values, strict=True))
    return extras, fields


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


def _fail_tail(
    cursor: RowCursor, rows: list[list[str]], index: int, width: int, header_line: int
) -> NoReturn:
    """Fail on a row whose unsplit tail holds the wrong number of cells."""
    cells = len(rows[index]) - 1 + rows[index][-1].count(";") + 1
    _fail_width(cursor, rows[index], cells, width, cursor.line_of_rest_row(header_line, index))


def _fail_width(cursor: RowCursor, row: list[str], got: int, width: int, line: int) -> NoReturn:
    cursor.fail(describe_stray_row(row, f"wrong number of fields in VOTES: {got}, expected {width}"), line)


def _check_voter_ids(cursor: RowCursor, rows: list[list[str]], ids: list[str], header_line: int) -> None:
    """Voter ids must be present and unique; a row that is a section title has no place here."""
    distinct = set(ids)
    if not _TITLE_SPELLINGS.isdisjoint(distinct):
        for index, voter_id in enumerate(ids):
            if voter_id in _TITLE_SPELLINGS and not "".join(rows[index][1:]).replace(";", "").strip():
                cursor.fail(describe_stray_row([voter_id], ""), cursor.line_of_rest_row(header_line, index))
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
    fast = bulk_ballots(distinct, context)
    if fast is not None:
        return dict(zip(distinct, fast, strict=True))
    ballots: dict[Hashable, Ballot] = {}
    for key in distinct:
        try:
            ballots[key] = parse_ballot(key, context)
        except BadVote as exc:
            cursor.fail(str(exc), cursor.line_of_rest_row(context.header_line, keys.index(key)))
    return ballots
