"""Migrations on real data: thousands of rows go up and down through every revision and come back intact.

At each revision the tables it creates are filled in bulk (SQLAlchemy Core against the tables reflected at
that revision, so it works at any old revision), then the database walks down and up through every
revision and back to head. After every step, each table that exists on both sides of the step has the same
row count and the same SHA-256 over its sorted rows (in the columns both sides share); a revision reached
again looks exactly as it did the first time. At head the integrity constraints exist and bite. Revisions
are read from Alembic's script directory, never named here, so a regenerated migration is covered too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Enum, MetaData, Table, column, insert, inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from pbvote import create_app
from pbvote.audit.services import GENESIS_HASH, entry_digest, verify_chain
from pbvote.extensions import db
from tests.conftest import backends, create_postgres_database, drop_postgres_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
DEFAULT_ROWS = 50
ROWS = {  # thousands where it matters: accounts, proposals, the ballot box and the audit log
    "municipality": 3,
    "process": 20,
    "budget": 20,
    "project": 60,
    "user": 2000,
    "proposal": 1000,
    "ballot": 3000,
    "ballot_line": 6000,
    "participation": 3000,
    "voting_code": 3000,
    "audit_entry": 2000,
    "census_entry": 1000,
    "survey_response": 1000,
}
START = datetime(2026, 1, 1, tzinfo=UTC)
Snapshot = dict[str, tuple[list[str], list[list[Any]]]]  # table -> (columns, rows sorted by primary key)


def revisions() -> list[str]:
    """Every revision id from the first to head (one straight line of history)."""
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, "migrations have more than one head"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@pytest.fixture(params=backends())
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database with no tables at all."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations-data.sqlite3'}"
    else:
        url = create_postgres_database()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


# --- filling tables generically, at whatever revision the database is -------------------------------------


def head_types() -> dict[tuple[str, str], Any]:
    """The models' column types (UTC datetimes, enums), used to write and read the reflected columns."""
    return {(t.name, c.name): c.type for t in db.metadata.tables.values() for c in t.columns}


def reflected(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    if "alembic_version" in metadata.tables:
        metadata.remove(metadata.tables["alembic_version"])
    return metadata


def typed(source: Table) -> Any:
    """A lightweight table with the reflected columns and, where the models know them, the models' types."""
    types = head_types()
    return table(
        source.name, *(column(c.name, types.get((source.name, c.name), c.type)) for c in source.columns)
    )


def fill(connection: Connection, names: set[str], scale: float = 1.0) -> None:
    """Insert deterministic rows into the tables ``names`` (parents first), as the revision defines them."""
    metadata = reflected(connection)
    for source in metadata.sorted_tables:
        if source.name in names:
            rows = make_rows(connection, source, max(2, int(ROWS.get(source.name, DEFAULT_ROWS) * scale)))
            for start in range(0, len(rows), 2000):
                connection.execute(insert(typed(source)), rows[start : start + 2000])
    connection.commit()


def make_rows(connection: Connection, source: Table, wanted: int) -> list[dict[str, Any]]:
    """``wanted`` rows (fewer if unique foreign key combinations run out), the same every time."""
    types = head_types()
    parents: dict[str, list[Any]] = {}
    radix: dict[str, int] = {}
    step = 1
    for col in source.columns:
        [fk] = list(col.foreign_keys) or [None]
        if fk is None or fk.column.table.name == source.name:
            continue
        target = fk.column
        parents[col.name] = list(connection.scalars(select(target).order_by(target)))
        assert parents[col.name] or col.nullable, f"{source.name}.{col.name}: no {target.table.name} rows"
        if not col.nullable:  # non-null foreign keys vary like digits, so their combinations are unique
            radix[col.name] = step
            step *= max(1, len(parents[col.name]))
    rows = []
    for index in range(min(wanted, unique_combinations(source, parents, step))):
        row = {}
        for col in source.columns:
            kind = types.get((source.name, col.name), col.type)
            if col.name in radix:
                options = parents[col.name]
                row[col.name] = options[(index // radix[col.name]) % len(options)]
            elif col.name in parents or col.foreign_keys:
                options = parents.get(col.name) or [None]
                row[col.name] = options[index % len(options)] if index % 2 == 0 else None
            else:
                row[col.name] = value_for(source.name, col, kind, index, step)
        rows.append(row)
    if source.name == "audit_entry":
        chain(rows)
    return rows


def unique_combinations(source: Table, parents: dict[str, list[Any]], step: int) -> int:
    """How many rows fit under the unique constraints made only of foreign keys (and enums)."""
    types = head_types()
    limit = 10**9
    keys = [
        c.columns
        for c in source.constraints
        if c.__class__.__name__ in ("UniqueConstraint", "PrimaryKeyConstraint")
    ]
    keys += [index.columns for index in source.indexes if index.unique]
    for columns in keys:
        sizes = []
        for col in columns:
            kind = types.get((source.name, col.name), col.type)
            if col.name in parents and not col.nullable:
                sizes.append(len(parents[col.name]))
            elif isinstance(kind, Enum):
                sizes.append(len(kind.enums))
            else:
                break
        else:
            product = 1
            for size in sizes:
                product *= size
            limit = min(limit, product)
    return limit


def value_for(table_name: str, col: Any, kind: Any, index: int, step: int) -> Any:
    """A value of the column's type; strings and keys unique per row, enums varying after the keys."""
    if col.primary_key and len(col.table.primary_key.columns) == 1:
        if python_type(kind) is int:
            return index + 1
        return hashlib.sha256(f"{table_name}:{index}".encode()).hexdigest()[
            : getattr(kind, "length", 32) or 32
        ]
    if isinstance(kind, Enum):
        return kind.enums[(index // step) % len(kind.enums)]
    python = python_type(kind)
    if python is bool:
        return index % 3 == 0
    if python is int:
        return (index * 7919) % 100_000
    if python is float:
        return index / 4
    if python is Decimal:
        return Decimal(index) / 100
    if python is datetime:
        return START + timedelta(seconds=index * 61, microseconds=index % 997)
    if python is date:
        return date(2026, 1, 1) + timedelta(days=index % 400)
    if python is bytes:
        return f"billede {index}".encode() * (1 + index % 3)
    if python is dict:
        return {"n": index, "tekst": "æøå"}
    length = getattr(kind, "length", None)
    if length is None:
        return f"Tekst {index} om {col.name} – æøå ✓ " * (1 + index % 3)
    return f"{index}-{col.name}-æøå"[:length]


def python_type(kind: Any) -> type:
    """The Python type a column holds (a TypeDecorator answers through its implementation)."""
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return kind.impl.python_type  # type: ignore[no-any-return]


def chain(rows: list[dict[str, Any]]) -> None:
    """Link generated audit entries into a valid hash chain (the app's own digest)."""
    previous = GENESIS_HASH
    for row in rows:
        row.update(actor_email="", request_id=f"req-{row['id']}", prev_hash=previous)
        row["entry_hash"] = previous = entry_digest(SimpleNamespace(**row))  # type: ignore[arg-type]


# --- snapshots and the walk ---------------------------------------------------------------------------------


def normal(value: Any) -> Any:
    """A value as JSON that means the same on both backends."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def snapshot(connection: Connection) -> Snapshot:
    """Every table's columns and rows, sorted by primary key."""
    shot: Snapshot = {}
    for source in reflected(connection).sorted_tables:
        light = typed(source)
        order = [light.c[c.name] for c in source.primary_key.columns] or list(light.c)
        names = [c.name for c in source.columns]
        rows = [[normal(v) for v in row] for row in connection.execute(select(light).order_by(*order))]
        shot[source.name] = (names, rows)
    connection.rollback()
    return shot


def digest(shot: Snapshot, name: str, columns: list[str]) -> tuple[int, str]:
    """(row count, SHA-256 of the rows in ``columns``)."""
    names, rows = shot[name]
    positions = [names.index(c) for c in columns]
    payload = json.dumps([[row[p] for p in positions] for row in rows], ensure_ascii=False, default=str)
    return len(rows), hashlib.sha256(payload.encode("utf-8")).hexdigest()


def differences(before: Snapshot, after: Snapshot, label: str) -> list[str]:
    """Tables on both sides whose count or checksum (over the shared columns) changed."""
    found = []
    for name in sorted(set(before) & set(after)):
        shared = sorted(set(before[name][0]) & set(after[name][0]))
        was, now = digest(before, name, shared), digest(after, name, shared)
        if was != now:
            found.append(f"{label}: {name} had {was[0]} rows ({was[1][:12]}), now {now[0]} ({now[1][:12]})")
    return found


def current(connection: Connection) -> str:
    revision = MigrationContext.configure(connection).get_current_revision() or "base"
    connection.rollback()
    return revision


def walk(
    targets: list[str], *, scale: float = 1.0, damage: Callable[[Connection, str], None] | None = None
) -> tuple[list[str], dict[str, Snapshot]]:
    """Migrate to each target in turn, filling the tables each step creates; return what changed."""
    order = ["base", *revisions()]
    problems: list[str] = []
    seen: dict[str, Snapshot] = {}
    with db.engine.connect() as connection:
        before = snapshot(connection)
    for target in targets:
        with db.engine.connect() as connection:
            source_revision = current(connection)
        migrate = upgrade if order.index(target) > order.index(source_revision) else downgrade
        migrate(revision=target)
        db.engine.dispose()  # drop pooled connections that saw the old schema
        with db.engine.connect() as step:
            if damage is not None:
                damage(step, target)
            fill(step, set(inspect(step).get_table_names()) - set(before) - {"alembic_version"}, scale)
            after = snapshot(step)
        label = f"{source_revision} -> {target}"
        problems += differences(before, after, label)
        if target in seen and seen[target] != after:
            problems.append(f"{label}: {target} differs from the first time it was reached")
        seen.setdefault(target, after)
        before = after
    return problems, seen


def round_trip_targets() -> list[str]:
    """Up one revision at a time with a down-and-up round trip at each, then down to base and up to head."""
    chain_of = revisions()
    targets = [chain_of[0]]
    for previous, revision in itertools.pairwise(chain_of):
        targets += [revision, previous, revision]
    return targets + list(reversed(chain_of[:-1])) + ["base", *chain_of]


# --- integrity constraints at head -----------------------------------------------------------------------


def constraint_problems(connection: Connection) -> list[str]:
    """The constraints that keep one vote per voter and whole ballots, as the database reports them."""
    inspector = inspect(connection)
    problems = []

    def unique(table_name: str, columns: list[str]) -> None:
        sets = [c["column_names"] for c in inspector.get_unique_constraints(table_name)]
        sets += [i["column_names"] for i in inspector.get_indexes(table_name) if i["unique"]]
        if sorted(columns) not in [sorted(s) for s in sets]:
            problems.append(f"{table_name}: no unique constraint on {columns}")

    unique("participation", ["budget_id", "voter_key"])
    unique("voting_code", ["code_hash"])
    unique("ballot", ["receipt"])
    if sorted(inspector.get_pk_constraint("ballot_line")["constrained_columns"]) != [
        "ballot_id",
        "project_id",
    ]:
        problems.append("ballot_line: the primary key is not (ballot_id, project_id)")
    keys = {
        (tuple(fk["constrained_columns"]), fk["referred_table"])
        for fk in inspector.get_foreign_keys("ballot_line")
    }
    for wanted in ((("ballot_id",), "ballot"), (("project_id",), "project")):
        if wanted not in keys:
            problems.append(f"ballot_line: no foreign key {wanted[0][0]} -> {wanted[1]}")
    connection.rollback()
    return problems


def duplicate_refused(connection: Connection) -> bool:
    """Whether the database refuses a second participation of the same voter in the same budget."""
    row = connection.execute(
        text("SELECT budget_id, voter_key, channel, voted_on FROM participation")
    ).first()
    assert row is not None
    try:
        connection.execute(
            text(
                "INSERT INTO participation (id, budget_id, voter_key, channel, voted_on)"
                " VALUES (:i, :b, :k, :c, :d)"
            ),
            {"i": 10_000_000, "b": row.budget_id, "k": row.voter_key, "c": row.channel, "d": row.voted_on},
        )
    except IntegrityError:
        return True
    finally:
        connection.rollback()
    return False


@pytest.mark.slow
def test_populated_database_survives_every_revision_down_and_up(empty_app: Flask) -> None:
    problems, seen = walk(round_trip_targets())
    assert problems == []
    head = seen[revisions()[-1]]
    assert len(head["ballot"][1]) >= 1000 and len(head["audit_entry"][1]) >= 1000
    with db.engine.connect() as connection:
        assert constraint_problems(connection) == []
        assert duplicate_refused(connection)
    assert verify_chain() == (len(head["audit_entry"][1]), None)  # the chain survived every trip
    db.session.remove()


def test_the_walk_notices_a_row_lost_on_the_way_down(empty_app: Flask) -> None:
    """Companion: a migration that loses one row is reported."""
    first, second = revisions()[:2]

    def lose_a_user(connection: Connection, target: str) -> None:
        if target == first:
            connection.execute(text('DELETE FROM "user" WHERE id = 2'))
            connection.commit()

    problems, _seen = walk([first, second, first, second], scale=0.05, damage=lose_a_user)
    assert any("user had" in problem for problem in problems), problems


def test_the_constraint_check_notices_a_dropped_uniqueness(empty_app: Flask) -> None:
    """Companion: without the participation's unique constraint, the check and the duplicate test fail."""
    upgrade()
    with db.engine.connect() as connection:
        fill(connection, set(inspect(connection).get_table_names()) - {"alembic_version"}, scale=0.02)
        assert constraint_problems(connection) == [] and duplicate_refused(connection)
        with Operations(MigrationContext.configure(connection)).batch_alter_table("participation") as batch:
            batch.drop_constraint("uq_participation_budget_id_voter_key", type_="unique")
        connection.commit()
        assert constraint_problems(connection) == [
            "participation: no unique constraint on ['budget_id', 'voter_key']"
        ]
        assert not duplicate_refused(connection)
