"""Every feature's models, imported in one place so Alembic and create_all see the whole schema."""

from pbvote.auth.models import Role, User
from pbvote.outbox.models import OutboxMessage
from pbvote.processes.models import Municipality, Phase, Process

__all__ = ["Municipality", "OutboxMessage", "Phase", "Process", "Role", "User"]
