"""The writes of one cast: burn the code, record the participation, store the ballot and its lines.

PostgreSQL gets them as one statement (data-modifying CTEs, each step fed by the one before), so a ballot
costs one round trip plus the commit whatever the box holds; SQLite, in-process, runs them one by one.
Open voting (workshops, demos) goes through the ORM so that listeners on a new participation see it (the
workshop's projector counts votes that way). Each function returns False when the code was unknown or
used, having written nothing; a participation that exists already raises IntegrityError. None commits.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, insert, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import func

from pbvote.ballots.models import Ballot, BallotLine, Participation, VotingCode
from pbvote.extensions import db

Row = dict[str, Any]
_PARTICIPATION = ("budget_id", "voter_key", "channel", "voted_on", "retry_hash")
_BALLOT = ("id", "budget_id", "channel", "station", "cast_on", "receipt")


def store_in_one_statement(code_hash: str | None, participation: Row, ballot: Row, lines: list[Row]) -> bool:
    """PostgreSQL: burn the code, insert participation, ballot and lines in a single statement."""
    params = {f"p_{column}": participation[column] for column in _PARTICIPATION}
    params |= {f"b_{column}": ballot[column] for column in _BALLOT}
    params["line_projects"] = [line["project_id"] for line in lines]
    params["line_values"] = [line["value"] for line in lines]
    if code_hash is not None:
        params["gate_code_hash"] = code_hash
    statement = _one_statement(with_code=code_hash is not None)
    return db.session.execute(statement, params).first() is not None


@cache
def _one_statement(*, with_code: bool) -> Any:
    """The cast's statement, built once with parameters for every value: building it and its cache key
    per ballot cost more than running it. (No parameter may share a name with a column of
    ``voting_code``: the UPDATE would take it as a value to set.)"""
    gate = None
    if with_code:
        gate = (
            update(VotingCode)
            .where(
                VotingCode.budget_id == bindparam("p_budget_id"),
                VotingCode.code_hash == bindparam("gate_code_hash"),
                VotingCode.used_on.is_(None),
            )
            .values(used_on=bindparam("p_voted_on"))
            .returning(VotingCode.id)
            .cte("burnt")
        )
    voted = _insert_from(Participation, _PARTICIPATION, "p", gate, "voted")
    stored = _insert_from(Ballot, _BALLOT, "b", voted, "stored", returning=Ballot.id)
    pairs = func.unnest(
        bindparam("line_projects", type_=ARRAY(Integer)),
        bindparam("line_values", type_=ARRAY(Integer)),
    ).table_valued("project_id", "value").render_derived(name="pairs")
    lined = (
        insert(BallotLine)
        .from_select(
            ["ballot_id", "project_id", "value"],
            select(stored.c.id, pairs.c.project_id, pairs.c.value).select_from(stored.join(pairs, true())),
        )
        .cte("lined")
    )
    return select(stored.c.id).add_cte(lined)


def _insert_from(
    model: Any, columns: tuple[str, ...], prefix: str, after: Any, name: str, returning: Any = None
) -> Any:
    """INSERT … SELECT the row's values (parameters ``<prefix>_<column>``), once per row of ``after``
    (the previous step), as a CTE."""
    table = model.__table__
    values = select(*(bindparam(f"{prefix}_{column}", type_=table.c[column].type) for column in columns))
    if after is not None:
        values = values.select_from(after)
    statement = insert(model).from_select(list(columns), values)
    return statement.returning(returning if returning is not None else table.c.id).cte(name)


def store_step_by_step(code_hash: str | None, participation: Row, ballot: Row, lines: list[Row]) -> bool:
    """SQLite (no round trips to save): the same writes as separate statements in the transaction."""
    if code_hash is not None and not _burn(code_hash, participation):
        return False
    db.session.execute(insert(Participation).values(participation))
    _insert_ballot(ballot, lines)
    return True


def store_through_orm(code_hash: str | None, participation: Row, ballot: Row, lines: list[Row]) -> bool:
    """Open voting: the participation as an ORM row, so the unit of work's listeners see the vote."""
    if code_hash is not None and not _burn(code_hash, participation):
        return False
    db.session.add(Participation(**participation))
    db.session.flush()
    _insert_ballot(ballot, lines)
    return True


def _burn(code_hash: str, participation: Row) -> bool:
    """Mark the budget's code used; False when it is not the budget's or has been used."""
    burnt = db.session.execute(
        update(VotingCode)
        .where(
            VotingCode.budget_id == participation["budget_id"],
            VotingCode.code_hash == code_hash,
            VotingCode.used_on.is_(None),
        )
        .values(used_on=participation["voted_on"])
    )
    return bool(burnt.rowcount == 1)  # type: ignore[attr-defined]


def _insert_ballot(ballot: Row, lines: list[Row]) -> None:
    db.session.execute(insert(Ballot).values(ballot))
    if lines:  # an empty ballot (allowed when the minimum is 0) has no lines; an empty insert would fail
        db.session.execute(insert(BallotLine), lines)
