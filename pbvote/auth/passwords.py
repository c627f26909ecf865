"""Argon2 password hashing (fast parameters only under test)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_DUMMY_PASSWORD = "not-a-real-password"  # noqa: S105 - hashed to equalise timing for unknown e-mails  # nosec B105


@cache
def _hasher(fast: bool) -> PasswordHasher:
    """The hasher: argon2id defaults in production, cheap parameters in tests."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()


def _current_hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("PASSWORD_HASH_FAST")))


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _current_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, spend the same time and say no."""
    hasher = _current_hasher()
    try:
        if password_hash is None:
            hasher.verify(hasher.hash(_DUMMY_PASSWORD), password + "x")
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
