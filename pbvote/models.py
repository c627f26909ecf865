"""Every feature's models, imported in one place so Alembic and create_all see the whole schema."""

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role, User
from pbvote.ballots.models import Ballot, BallotLine, CensusEntry, Participation, SurveyResponse, VotingCode
from pbvote.outbox.models import OutboxMessage
from pbvote.processes.models import Budget, Category, Municipality, Phase, Process, ProcessPhase
from pbvote.proposals.models import (
    Project,
    Proposal,
    ProposalAuthor,
    ProposalEvent,
    ProposalFollower,
    ProposalImage,
    ProposalReport,
)

__all__ = [
    "AuditEntry",
    "Ballot",
    "BallotLine",
    "Budget",
    "Category",
    "CensusEntry",
    "Municipality",
    "OutboxMessage",
    "Participation",
    "Phase",
    "Process",
    "ProcessPhase",
    "Project",
    "Proposal",
    "ProposalAuthor",
    "ProposalEvent",
    "ProposalFollower",
    "ProposalImage",
    "ProposalReport",
    "Role",
    "SurveyResponse",
    "User",
    "VotingCode",
]
