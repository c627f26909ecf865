"""Configuration classes; the factory overlays PBVOTE_* environment variables on top of them."""

from __future__ import annotations

from datetime import timedelta


class Config:
    """Defaults shared by every environment; safe for production unless said otherwise."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # PostgreSQL connection pool of each worker process (SQLAlchemy's defaults); see README "Scaling out"
    DATABASE_POOL_SIZE = 5  # connections kept open
    DATABASE_MAX_OVERFLOW = 10  # extra connections opened under load, closed when returned
    DATABASE_POOL_TIMEOUT = 30  # seconds a request waits for a free connection before failing
    DATABASE_POOL_RECYCLE = -1  # seconds after which a connection is replaced (-1: never)
    DATABASE_PRE_PING = True  # test each connection on checkout (one round trip; survives a restart)
    DATABASE_PREPARE_THRESHOLD: int | None = 5  # psycopg's; null behind PgBouncer in transaction mode

    MUNICIPALITY_NAME = "Demo Kommune"
    PUBLIC_URL = "http://127.0.0.1:5000"
    DEFAULT_LOCALE = "da"
    LOCALES = ("da", "en")
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    CURRENCY = "DKK"

    SECURE_COOKIES = True  # False for a plain-http classroom network
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    REDIS_URL: str | None = None
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    VOTING_PROOF_RATE_LIMIT = "20 per minute"  # voting codes and person numbers typed in the booth, per IP
    API_CAST_RATE_LIMIT = "60 per minute"  # ballots cast through the JSON API, per IP
    API_CODE_GUESS_RATE_LIMIT = "20 per hour"  # wrong voting codes through the API, per IP and budget
    API_MAX_BODY_BYTES = 64 * 1024
    PROPOSAL_REPORT_RATE_LIMIT = "5 per hour"  # reports of proposals, per IP
    SURVEY_RATE_LIMIT = "60 per hour"  # optional questions after voting, per IP
    BOOTH_RATE_LIMIT = "120 per minute"  # booth posts, per IP; per browser in open (workshop) voting
    VOTER_KEY_SECRET: str | None = None  # key for voter and code hashes; defaults to SECRET_KEY
    PASSWORD_MIN_LENGTH = 10

    MAIL_PRINT = False  # print queued e-mails to the log (development)
    MAIL_SENDER = "pbvote@localhost"
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True

    PAGE_CACHE_SECONDS = 5  # anonymous readers of results pages and the read API share a rendering this long
    PROXY_FIX = 0  # number of trusted reverse proxies in front of the app


class DevelopmentConfig(Config):
    """`make run`: plain http on localhost, e-mails printed, a fixed development secret."""

    SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105 - development default, production refuses it  # nosec B105
    SECURE_COOKIES = False
    MAIL_PRINT = True


class TestingConfig(Config):
    """pytest: no CSRF in unit tests unless a test turns it on, fast password hashing."""

    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105 - tests only  # nosec B105
    SECURE_COOKIES = False
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_FAST = True
    PAGE_CACHE_SECONDS = 0  # tests change data and look again at once; tests/test_pagecache.py turns it on


class ProductionConfig(Config):
    """gunicorn behind a reverse proxy: secure cookies, a secret from the environment."""


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
