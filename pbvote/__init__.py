"""pbvote: participatory budgeting for municipalities and classrooms."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from pbvote.config import CONFIGS

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config class, then PBVOTE_* environment variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    overrides = dict(config or {})
    env_name = overrides.get("ENV_NAME") or os.environ.get("PBVOTE_ENV", "production")
    if overrides.get("TESTING"):
        env_name = "testing"
    app.config.from_object(CONFIGS.get(env_name, CONFIGS["production"]))
    app.config["ENV_NAME"] = env_name
    app.config.from_prefixed_env("PBVOTE")
    app.config.update(overrides)
    _derive_settings(app)

    from pbvote import (
        database,
        errors,
        i18n,
        models,  # noqa: F401  (registers every model before Alembic or create_all looks)
        pagecache,
        security,
    )
    from pbvote.cli import register_commands
    from pbvote.extensions import csrf, db, limiter, login_manager, migrate

    database.init_app(app)
    db.init_app(app)
    database.release_sessions_safely(app, db)
    with app.app_context():
        database.queue_sqlite_writers(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    pagecache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    register_commands(app)
    return app


def _derive_settings(app: Flask) -> None:
    """Turn the few high-level PBVOTE_* settings into the ones Flask and its extensions read."""
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        raise RuntimeError("PBVOTE_SECRET_KEY is not set; set it to a long random string (see README).")
    url = cfg.get("DATABASE_URL") or cfg.get("SQLALCHEMY_DATABASE_URI") or "sqlite:///pbvote.sqlite3"
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(url))
    secure = bool(cfg["SECURE_COOKIES"])
    cfg["SESSION_COOKIE_SECURE"] = secure
    cfg["REMEMBER_COOKIE_SECURE"] = secure
    cfg["PREFERRED_URL_SCHEME"] = "https" if secure else "http"
    cfg.setdefault("RATELIMIT_STORAGE_URI", cfg.get("REDIS_URL") or "memory://")
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LOCALE"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _migrations_dir() -> os.PathLike[str] | str:
    """The Alembic folder at the top of the repository (beside the package)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _register_blueprints(app: Flask) -> None:
    """Attach every feature, in the order features depend on each other."""
    from pbvote.api.views import bp as api_bp
    from pbvote.audit.views import bp as audit_bp
    from pbvote.auth.admin import bp as accounts_bp
    from pbvote.auth.views import bp as auth_bp
    from pbvote.ballots.manage import manage_bp as ballots_manage_bp
    from pbvote.ballots.survey import survey_bp
    from pbvote.ballots.views import bp as ballots_bp
    from pbvote.extensions import csrf
    from pbvote.implementation.manage import manage_bp as implementation_manage_bp
    from pbvote.implementation.views import bp as implementation_bp
    from pbvote.processes.manage import manage_bp as processes_manage_bp
    from pbvote.processes.views import bp as processes_bp
    from pbvote.proposals.manage import manage_bp
    from pbvote.proposals.manage_moderation import reports_bp
    from pbvote.proposals.views import bp as proposals_bp
    from pbvote.results.manage import manage_bp as results_manage_bp
    from pbvote.results.represent_views import manage_bp as represent_manage_bp
    from pbvote.results.views import bp as results_bp
    from pbvote.site.views import bp as site_bp
    from pbvote.workshop.manage import manage_bp as workshop_manage_bp
    from pbvote.workshop.projector import projector_bp
    from pbvote.workshop.views import bp as workshop_bp

    for blueprint in (
        site_bp,
        auth_bp,
        accounts_bp,
        audit_bp,
        processes_bp,
        processes_manage_bp,
        proposals_bp,
        manage_bp,
        reports_bp,
        ballots_bp,
        ballots_manage_bp,
        survey_bp,
        results_bp,
        results_manage_bp,
        represent_manage_bp,
        implementation_bp,
        implementation_manage_bp,
        workshop_bp,
        workshop_manage_bp,
        projector_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # JSON only; no cookie proves anything here (the voting code in the body does)
