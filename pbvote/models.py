"""Every feature's models, imported in one place so Alembic and create_all see the whole schema."""

from pbvote.audit.models import AuditEntry
from pbvote.auth.models import Role, User
from pbvote.ballots.models import Ballot, BallotLine, CensusEntry, Participation, SurveyResponse, VotingCode
from pbvote.implementation.models import (
    ImplementationFollower,
    ProgressPhoto,
    ProgressUpdate,
    ProjectProgress,
)
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
from pbvote.results.models import TallyRun
from pbvote.results.population import PopulationShare
from pbvote.workshop.models import Workshop, WorkshopJoin

__all__ = [
    "AuditEntry",
    "Ballot",
    "BallotLine",
    "Budget",
    "Category",
    "CensusEntry",
    "ImplementationFollower",
    "Municipality",
    "OutboxMessage",
    "Participation",
    "Phase",
    "PopulationShare",
    "Process",
    "ProcessPhase",
    "ProgressPhoto",
    "ProgressUpdate",
    "Project",
    "ProjectProgress",
    "Proposal",
    "ProposalAuthor",
    "ProposalEvent",
    "ProposalFollower",
    "ProposalImage",
    "ProposalReport",
    "Role",
    "SurveyResponse",
    "TallyRun",
    "User",
    "VotingCode",
    "Workshop",
    "WorkshopJoin",
]
