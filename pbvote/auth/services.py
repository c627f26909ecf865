"""Account operations: register, authenticate, change and reset passwords. They never commit."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from pbvote.auth.models import Role, User, new_session_token
from pbvote.auth.passwords import hash_password, verify_password
from pbvote.core.errors import DomainError
from pbvote.extensions import db
from pbvote.outbox.services import queue_email

RESET_SALT = "pbvote.password-reset"


class EmailTaken(DomainError):
    """Someone already has an account with this e-mail."""

    code = "email_taken"


class InvalidResetLink(DomainError):
    """The reset link is wrong, used or too old."""

    code = "invalid_reset_link"


class WrongPassword(DomainError):
    """The current password given does not match."""

    code = "wrong_password"


def normalise_email(email: str) -> str:
    """E-mails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The account with this e-mail, if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_user(
    email: str,
    password: str,
    *,
    display_name: str = "",
    role: Role = Role.RESIDENT,
    locale: str | None = None,
    now: datetime,
) -> User:
    """Create an account. Raises EmailTaken. Does not commit."""
    if user_by_email(email) is not None:
        raise EmailTaken(_l("An account with this e-mail already exists."))
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account these credentials open, or None (same work either way)."""
    user = user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    return user if user is not None and user.active else None


def end_sessions(user: User) -> None:
    """Invalidate every session of this user, on every device. Does not commit."""
    user.session_token = new_session_token()


def disable_user(actor: User, user: User, *, now: datetime) -> None:
    """Switch an account off: it can no longer log in and its sessions end at once. Does not commit."""
    from pbvote.audit.services import record_audit

    if user.id == actor.id:
        raise DomainError(_l("You cannot disable your own account."))
    if not user.active:
        raise DomainError(_l("This account is already disabled."))
    user.active = False
    end_sessions(user)
    record_audit(actor, "user.disabled", user, before={"active": True}, after={"active": False}, now=now)


def enable_user(actor: User, user: User, *, now: datetime) -> None:
    """Switch an account on again; old sessions stay dead, so the person logs in afresh. Does not commit."""
    from pbvote.audit.services import record_audit

    if user.active:
        raise DomainError(_l("This account is already enabled."))
    user.active = True
    record_audit(actor, "user.enabled", user, before={"active": False}, after={"active": True}, now=now)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one; ends other sessions. Does not commit."""
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword(_l("Your current password is not correct."))
    user.password_hash = hash_password(new_password)
    end_sessions(user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    """A signed token bound to the user's current password hash, so it works once."""
    return _serializer().dumps({"user": user.id, "hash": user.password_hash[-16:]})


def request_password_reset(email: str, reset_url: str, *, now: datetime) -> None:
    """E-mail a reset link if the account exists; say nothing either way. Does not commit."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    link = reset_url.replace("__token__", make_reset_token(user))
    hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    body = render_template("auth/email/reset.txt", user=user, link=link, hours=hours)
    queue_email(user.email, str(_l("Reset your password")), body, now=now)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a valid reset token; ends all sessions. Does not commit."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidResetLink(
            _l("This reset link is invalid or has expired. Please ask for a new one.")
        ) from exc
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-16:] != data.get("hash") or not user.active:
        raise InvalidResetLink(_l("This reset link is invalid or has expired. Please ask for a new one."))
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    return user


def load_session_user(identity: str) -> User | None:
    """The user a session identity ('id:token') still belongs to, if the token is current."""
    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user
