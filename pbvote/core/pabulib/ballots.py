"""Turn the distinct vote (and points) texts of a VOTES section into Ballots, in bulk when they are clean."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat, starmap
from operator import itemgetter, ne
from typing import NoReturn, cast

from pbvote.core.pabulib import schema
from pbvote.core.pabulib.fast import build_frozen
from pbvote.core.pabulib.rows import show
from pbvote.core.types import Ballot, BallotKind

_UNSIGNED_POINTS = re.compile(r"[0-9]{1,18}(?:,[0-9]{1,18})*", re.ASCII)
_SIGNED_POINTS = re.compile(r"-?[0-9]{1,18}(?:,-?[0-9]{1,18})*", re.ASCII)


class BadVote(Exception):
    """A vote cell that cannot be read; carries the message, the caller finds the row."""


@dataclass(frozen=True, slots=True)
class VoteContext:
    """What reading the VOTES section needs to know from the sections before it."""

    vote_type: str
    kind: BallotKind
    project_ids: frozenset[str]
    header_line: int


def bulk_ballots(keys: Sequence[Hashable], context: VoteContext) -> list[Ballot] | None:
    """Check and build the ballots of distinct, clean vote keys with C-level loops.

    Args:
        keys: distinct vote texts, or (vote, points) text pairs for cumulative ballots.
        context: vote type and known project ids.

    Returns:
        The ballots in the order of the keys, or None when some key is unusual (an unknown id, an
        empty vote, spaces, a repeated project, bad points); ``parse_ballot`` then tells which.
    """
    cumulative = context.kind is BallotKind.CUMULATIVE
    pairs = cast(Sequence[tuple[str, str]], keys)
    votes = list(map(itemgetter(0), pairs)) if cumulative else cast(list[str], keys)
    lists = list(map(str.split, votes, repeat(",")))
    if not context.project_ids.issuperset(chain.from_iterable(lists)):
        return None
    if any(map(ne, map(len, map(set, lists)), map(len, lists))):
        return None
    if context.vote_type == "choose-1" and max(map(len, lists), default=0) > 1:
        return None
    if cumulative:
        return _bulk_cumulative(lists, list(map(itemgetter(1), pairs)), context)
    if context.kind is not BallotKind.RANKED:
        deque(map(list.sort, lists), maxlen=0)
    return list(build_frozen(Ballot, len(lists), projects=map(tuple, lists), points=repeat(())))


def _bulk_cumulative(lists: list[list[str]], texts: list[str], context: VoteContext) -> list[Ballot] | None:
    pattern = _SIGNED_POINTS if schema.points_are_signed(context.vote_type) else _UNSIGNED_POINTS
    if not pattern.fullmatch(",".join(texts)):
        return None  # an empty or malformed points cell makes the joined text fail too
    points = list(map(str.split, texts, repeat(",")))
    if any(map(ne, map(len, points), map(len, lists))):
        return None
    pairs = map(sorted, map(zip, lists, map(map, repeat(int), points)))
    columns = list(map(tuple, starmap(zip, pairs)))  # each: (ids sorted, their points)
    projects, values = map(itemgetter(0), columns), map(itemgetter(1), columns)
    return list(build_frozen(Ballot, len(lists), projects=projects, points=values))


def parse_ballot(key: Hashable, context: VoteContext) -> Ballot:
    """Read one vote key carefully, naming what is wrong with it.

    Args:
        key: a vote text, or a (vote, points) pair of texts for cumulative ballots.
        context: vote type and known project ids.

    Returns:
        The ballot: approval ids sorted, ordinal best first, cumulative sorted with points alongside.

    Raises:
        BadVote: the vote or its points cannot be read.
    """
    if context.kind is BallotKind.CUMULATIVE:
        vote, points = cast(tuple[str, str], key)
        return _cumulative(vote, points, context)
    ids = _project_ids(cast(str, key), context)
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
    raise BadVote(message)
