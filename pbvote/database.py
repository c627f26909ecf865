"""Engine settings per backend: SQLite in WAL with foreign keys, PostgreSQL through psycopg 3."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

SQLITE_BUSY_TIMEOUT_MS = 10_000


def init_app(app: Flask) -> None:
    """Give SQLite a lock wait long enough for a classroom's bursts; size PostgreSQL's pool from settings."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_options(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        options["connect_args"] = connect_args
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def release_sessions_safely(app: Flask, db: SQLAlchemy) -> None:
    """End each request's session without letting a dead connection turn a finished answer into a 500.

    Registered after Flask-SQLAlchemy's teardown, so it runs first: if the database went away after the
    page was rendered, the closing ROLLBACK fails; the connections are dropped (the pool replaces them).
    """

    @app.teardown_appcontext
    def _remove_session(_error: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            app.logger.warning("Database went away while a request ended: %s", type(error).__name__)
            with contextlib.suppress(SQLAlchemyError):
                db.session().invalidate()
            db.session.registry.clear()


def queue_sqlite_writers(engine: Engine) -> None:
    """On a SQLite file, writers queue on a lock rather than in SQLite's busy handler (sqlite_writers)."""
    from pbvote import sqlite_writers

    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        sqlite_writers.install(engine, url.database, SQLITE_BUSY_TIMEOUT_MS / 1000)


def postgresql_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Engine options from the PBVOTE_DATABASE_* settings; explicit SQLALCHEMY_ENGINE_OPTIONS win."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_size", int(config.get("DATABASE_POOL_SIZE", 5)))
    options.setdefault("max_overflow", int(config.get("DATABASE_MAX_OVERFLOW", 10)))
    options.setdefault("pool_timeout", float(config.get("DATABASE_POOL_TIMEOUT", 30)))
    options.setdefault("pool_recycle", int(config.get("DATABASE_POOL_RECYCLE", -1)))
    options["pool_pre_ping"] = bool(config.get("DATABASE_PRE_PING", options.get("pool_pre_ping", True)))
    connect_args = dict(options.get("connect_args") or {})
    threshold = config.get("DATABASE_PREPARE_THRESHOLD", 5)  # None: never prepare (PgBouncer transactions)
    connect_args.setdefault("prepare_threshold", None if threshold is None else int(threshold))
    options["connect_args"] = connect_args
    return options


def _unicode_lower(value: object) -> object:
    """SQLite's own lower() folds ASCII only; searches for 'bænke' must find 'BÆNKE' as on PostgreSQL."""
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Turn on what SQLite leaves off: foreign keys, WAL, a busy timeout and durable commits."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
