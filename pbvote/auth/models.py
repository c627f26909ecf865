"""The user account: an e-mail, an argon2 hash, a role, and a session token that logout rotates."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.db import utcnow
from pbvote.extensions import db


class Role(enum.StrEnum):
    """What an account may do; each role includes the ones before it."""

    RESIDENT = "resident"
    STAFF = "staff"
    ADMIN = "admin"


ROLE_RANK = {Role.RESIDENT: 0, Role.STAFF: 1, Role.ADMIN: 2}


def new_session_token() -> str:
    """A fresh random token; sessions carrying an older one are no longer valid."""
    return secrets.token_urlsafe(24)


class User(db.Model):
    """A person with an account (residents, staff and admins alike)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.RESIDENT,
    )
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session identity: id and token, so rotating the token ends every session."""
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role) -> bool:
        """Whether this account has at least ``role``."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def name(self) -> str:
        """How the person is shown: their display name, else the part of the e-mail before @."""
        return self.display_name or self.email.split("@", 1)[0]
