"""The bare baseline: what Flask and the database do with no application around them.

``GET /hello`` answers a constant; ``POST /vote`` inserts one row (a random ballot id and 5 project ids)
in one transaction. Served by gunicorn with pbvote's settings (bench/common.py) on BENCH_DATABASE_URL:
PostgreSQL through psycopg 3 with pbvote's pool sizes, or SQLite in WAL with synchronous=FULL as pbvote
sets it.
"""

from __future__ import annotations

import os
import random
import secrets
import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, insert

URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:///bench-bare.sqlite3").replace(
    "postgresql://", "postgresql+psycopg://", 1
)

metadata = MetaData()
bare_vote = Table(
    "bare_vote",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ballot_id", String(32), nullable=False),
    *(Column(f"project_{n}", Integer, nullable=False) for n in range(1, 6)),
)

if URL.startswith("sqlite"):
    engine = create_engine(URL, connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        """pbvote's SQLite settings: WAL, durable commits, the same busy timeout."""
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
else:
    engine = create_engine(URL, pool_size=5, max_overflow=10)

metadata.create_all(engine)
engine.dispose()  # gunicorn --preload forks after this: every worker opens its own connections

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    """The cheapest answer Flask gives."""
    return "hello"


@app.post("/vote")
def vote() -> tuple[str, int]:
    """One row in one transaction: a ballot id and five project ids."""
    projects = random.sample(range(1, 11), 5)
    row = {"ballot_id": secrets.token_hex(16), **{f"project_{n + 1}": p for n, p in enumerate(projects)}}
    with engine.begin() as connection:
        connection.execute(insert(bare_vote), row)
    return "stored", 201
