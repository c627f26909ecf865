"""Back up and restore the whole database: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API.

Both take a consistent snapshot while the app keeps serving: pg_dump reads one transaction snapshot, and
SQLite's backup API copies every page in one step under a read lock (WAL lets writers go on). A backup is
written beside its final name and renamed when complete, so a file with that name is always whole. The
programs are started with argument lists (no shell) and the password travels in the environment only.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess  # pg_dump/pg_restore, started with argument lists and no shell  # nosec B404
import sys
from pathlib import Path

import click
from sqlalchemy.engine import URL

PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of pg_dump's custom format (-Fc)
SQLITE_MAGIC = b"SQLite format 3\x00"
# Drop what the backup holds before recreating it, all or nothing, stopping at the first error.
PG_RESTORE_OPTIONS = (
    "--clean",
    "--if-exists",
    "--no-owner",
    "--single-transaction",
    "--exit-on-error",
    "--no-password",
)
# URL query options passed to libpq through its environment variables, never on the command line.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "host": "PGHOST",
}


class BackupError(Exception):
    """A backup or restore that could not be done; the message is one line for the operator."""


def backup_database(url: URL, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target`` (which must not exist yet).

    Raises:
        BackupError: the target exists, the database is in memory, or the dump failed.
    """
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name (backups are never overwritten).")
    partial = target.with_name(f".{target.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        elif url.get_backend_name() == "postgresql":
            options = ["--format=custom", "--no-password", f"--file={partial}"]
            _run([_pg_program("pg_dump"), *options, *_pg_connection_args(url)], url, "pg_dump")
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(url: URL, source: Path) -> None:
    """Replace the database at ``url`` with the backup in ``source``.

    Raises:
        BackupError: the file is missing or not a backup of this kind of database, or the restore failed.
    """
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    with source.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup (made by `pbvote backup` on SQLite).")
        _sqlite_restore(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup (made by `pbvote backup` on PostgreSQL).")
        command = [_pg_program("pg_restore"), *PG_RESTORE_OPTIONS, *_pg_connection_args(url), str(source)]
        _run(command, url, "pg_restore")
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")


def _sqlite_path(url: URL) -> Path:
    """The database file of an SQLite URL; in-memory databases cannot be backed up."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _sqlite_backup(database: Path, partial: Path) -> None:
    """Copy every page of the live database in one step (a consistent snapshot) to ``partial``."""
    if not database.is_file():
        raise BackupError(f"The SQLite database {database} does not exist.")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not back up {database}: {exc}.") from exc
    finally:
        destination.close()
        source.close()


def _sqlite_restore(backup: Path, database: Path) -> None:
    """Copy the backup's pages over the database (created if missing) in one step."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    destination = sqlite3.connect(database)
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails early on a damaged file
        source.backup(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore {backup}: {exc}.") from exc
    finally:
        destination.close()
        source.close()


def _pg_program(name: str) -> str:
    """The newest ``name`` (pg_dump or pg_restore) in PostgreSQL's folders, else the one on PATH.

    The newest is preferred because pg_dump refuses a server newer than itself.
    """
    installed = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if installed:
        return max(installed, key=lambda path: [int(part) for part in re.findall(r"\d+", path)])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client programs.")
    return found


def _pg_connection_args(url: URL) -> list[str]:
    """Host, port, user and database as separate arguments (the password goes in the environment)."""
    args = []
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    if not url.database:
        raise BackupError("The database URL names no database.")
    args.append(f"--dbname={url.database}")
    return args


def _pg_environment(url: URL) -> dict[str, str]:
    """The process environment plus the password and TLS options of the URL, for libpq."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for option, variable in LIBPQ_OPTIONS.items():
        value = url.query.get(option)
        if isinstance(value, str):
            env[variable] = value
    return env


def _run(command: list[str], url: URL, name: str) -> None:
    """Run a PostgreSQL program; on failure raise its last error line, without the password."""
    try:
        result = subprocess.run(  # noqa: S603 - an argument list built above, no shell  # nosec B603
            command, env=_pg_environment(url), capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{name} could not be started: {exc.strerror}.") from exc
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        detail = errors[0] if errors else f"exit status {result.returncode}"
        if url.password:
            detail = detail.replace(str(url.password), "***")
        raise BackupError(f"{name} failed: {detail}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent backup of the database to FILE (a new file), even while voting goes on."""
    from pbvote.extensions import db

    try:
        backup_database(db.engine.url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up the database to {file} ({file.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE (stop the app first)."""
    from pbvote.extensions import db

    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException("Restoring replaces the whole database: add --yes to confirm.")
        click.confirm("Restoring replaces every row in the database. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock or a stale page cache
    try:
        restore_database(db.engine.url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.engine.dispose()
    click.echo(f"Restored the database from {file}. Run `pbvote audit verify` to check the audit chain.")
