"""Read side: the winners of a process's published counts, their progress, updates, photos and followers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from pbvote.extensions import db
from pbvote.implementation.models import (
    ImplementationFollower,
    ProgressPhoto,
    ProgressUpdate,
    ProjectProgress,
)
from pbvote.processes.models import Budget, Process
from pbvote.proposals.models import Project
from pbvote.results import policies as results_policies
from pbvote.results import queries as results_queries
from pbvote.results.models import TallyRun


@dataclass(frozen=True)
class Winner:
    """A project that won a published count, with where its implementation stands."""

    key: str  # the project's code, or "<budget id>-<code>" when two budgets share a code
    project: Project
    budget: Budget
    place: int  # 1-based place in the selection order of its budget
    progress: ProjectProgress | None
    last_update: ProgressUpdate | None


def published_runs(process: Process) -> list[tuple[Budget, TallyRun]]:
    """Each budget of the process whose result the public may see, with that result's run."""
    found = []
    for budget in process.budgets:
        run = results_queries.published_run(budget.id)
        if run is not None and results_policies.results_public(process, run):
            found.append((budget, run))
    return found


def winners(process: Process) -> list[Winner]:
    """The winning projects of every published budget, budget by budget in selection order."""
    chosen: list[tuple[Budget, int, str]] = []
    for budget, run in published_runs(process):
        codes = [str(code) for code in run.report_data().get("selected", [])]
        chosen += [(budget, place, code) for place, code in enumerate(codes, 1)]
    if not chosen:
        return []
    budget_ids = {budget.id for budget, _, _ in chosen}
    rows = db.session.scalars(select(Project).where(Project.budget_id.in_(budget_ids)))
    projects = {(p.budget_id, p.code): p for p in rows}
    present = [(b, place, projects[(b.id, code)]) for b, place, code in chosen if (b.id, code) in projects]
    ids = [project.id for _, _, project in present]
    progress = {p.project_id: p for p in db.session.scalars(progress_query(ids))}
    latest = latest_updates(ids)
    shared = Counter(project.code for _, _, project in present)
    return [
        Winner(
            key=project.code if shared[project.code] == 1 else f"{budget.id}-{project.code}",
            project=project,
            budget=budget,
            place=place,
            progress=progress.get(project.id),
            last_update=latest.get(project.id),
        )
        for budget, place, project in present
    ]


def winner_by_key(process: Process, key: str) -> Winner | None:
    """One winner of the process by the key in its address."""
    return next((w for w in winners(process) if w.key == key), None)


def progress_query(project_ids: Sequence[int]) -> Select[tuple[ProjectProgress]]:
    return select(ProjectProgress).where(ProjectProgress.project_id.in_(project_ids))


def progress_of(project_id: int) -> ProjectProgress | None:
    """The project's progress row, if staff have set one."""
    return db.session.scalar(select(ProjectProgress).where(ProjectProgress.project_id == project_id))


def latest_updates(project_ids: Sequence[int]) -> dict[int, ProgressUpdate]:
    """The newest update of each project (by its date, then by when it was written)."""
    if not project_ids:
        return {}
    query = (
        select(ProgressUpdate)
        .where(ProgressUpdate.project_id.in_(project_ids))
        .order_by(ProgressUpdate.happened_on.desc(), ProgressUpdate.id.desc())
    )
    latest: dict[int, ProgressUpdate] = {}
    for update in db.session.scalars(query):
        latest.setdefault(update.project_id, update)
    return latest


def updates_of(project_id: int) -> list[ProgressUpdate]:
    """A project's updates, newest first, with their photos."""
    query = (
        select(ProgressUpdate)
        .where(ProgressUpdate.project_id == project_id)
        .options(selectinload(ProgressUpdate.photos))
        .order_by(ProgressUpdate.happened_on.desc(), ProgressUpdate.id.desc())
    )
    return list(db.session.scalars(query))


def photo_by_token(token: str) -> ProgressPhoto | None:
    """A photo by the random token in its address, with its update and project."""
    query = (
        select(ProgressPhoto)
        .where(ProgressPhoto.token == token)
        .options(selectinload(ProgressPhoto.update).selectinload(ProgressUpdate.project))
    )
    return db.session.scalar(query)


def follower_in(process_id: int, email: str) -> ImplementationFollower | None:
    return db.session.scalar(
        select(ImplementationFollower).where(
            ImplementationFollower.process_id == process_id, ImplementationFollower.email == email
        )
    )


def follower_by_token(token: str) -> ImplementationFollower | None:
    return db.session.scalar(select(ImplementationFollower).where(ImplementationFollower.token == token))


def confirmed_followers(process_id: int) -> list[ImplementationFollower]:
    """Who gets news of this process: confirmed addresses only."""
    query = (
        select(ImplementationFollower)
        .where(ImplementationFollower.process_id == process_id, ImplementationFollower.confirmed.is_(True))
        .order_by(ImplementationFollower.id)
    )
    return list(db.session.scalars(query))
