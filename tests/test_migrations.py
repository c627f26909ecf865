"""Alembic builds the same schema as the models, on SQLite and PostgreSQL, and can go back down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from pbvote import create_app
from pbvote.extensions import db
from tests.conftest import backends, create_postgres_database, drop_postgres_database


@pytest.fixture(params=backends())
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def test_upgrade_builds_a_schema_without_drift(empty_database: str) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations differ; run `pbvote db migrate`: {differences}"


def test_downgrade_to_base_and_up_again(empty_database: str) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "user" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrations_folder_is_beside_the_package() -> None:
    assert (Path(__file__).resolve().parents[1] / "migrations" / "env.py").exists()
    assert os.path.isdir(Path(__file__).resolve().parents[1] / "migrations" / "versions")
