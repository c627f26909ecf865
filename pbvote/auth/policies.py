"""Who may do what with accounts: pure predicates for services, views and templates."""

from __future__ import annotations

from typing import Any

from pbvote.auth.models import Role


def has_role(user: Any, role: Role) -> bool:
    """Whether the (possibly anonymous) user is logged in with at least ``role``."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(role)


def can_manage_processes(user: Any) -> bool:
    """Admins create processes, budgets and rules."""
    return has_role(user, Role.ADMIN)


def can_review(user: Any) -> bool:
    """Staff (and admins) review proposals and enter paper ballots."""
    return has_role(user, Role.STAFF)


def can_switch_account(actor: Any, user: Any) -> bool:
    """Admins switch other people's accounts off and on; never their own (they would lock themselves out)."""
    return has_role(actor, Role.ADMIN) and actor.id != user.id
