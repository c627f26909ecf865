"""The finished demo process: Søby's 2025 citizens' budget, counted by Equal Shares, published, built."""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import insert, select

from pbvote.auth.models import User
from pbvote.ballots.keys import new_ballot_id, receipt_for
from pbvote.ballots.models import Ballot, BallotLine, Channel, Participation, SurveyResponse
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.extensions import db
from pbvote.implementation.models import ProgressStatus
from pbvote.implementation.queries import winners
from pbvote.implementation.services import NewPhoto, add_update, set_progress
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import Budget, Category, Municipality, Phase, Process
from pbvote.proposals.images import prepare_image
from pbvote.proposals.models import Project
from pbvote.results.demo_data import (
    FINISHED_AMOUNT_KR,
    FINISHED_PROJECTS,
    FINISHED_SLUG,
    POPULATION,
    DemoVoter,
    demo_voters,
)
from pbvote.results.population import Dimension, PopulationShare
from pbvote.results.services import publish_run, tally_budget

KR = 100  # øre per krone
# Where each winner stands a few months after the result: (status, percent, the latest update)
PROGRESS = {
    "S25-3": (
        ProgressStatus.DONE,
        100,
        "Alle 24 lamper lyser nu langs stien ved åen. Tak til alle, der stemte!",
    ),
    "S25-6": (
        ProgressStatus.DONE,
        100,
        "Blomsterengene er sået på alle seks rundkørsler og blomstrer fra juni.",
    ),
    "S25-2": (
        ProgressStatus.IN_PROGRESS,
        60,
        "Pælene er rammet ned; broen samles på land og sejles ud i maj.",
    ),
    "S25-5": (
        ProgressStatus.IN_PROGRESS,
        40,
        "De første seks bænke står i Byparken; træerne plantes til efteråret.",
    ),
    "S25-10": (ProgressStatus.PLANNED, 0, "Hegnet er bestilt, og arbejdet begynder efter fuglenes yngletid."),
}
PHOTO_OF = "S25-3"


def seed_finished_process(municipality: Municipality, now: datetime) -> Process:
    """Add last year's process with ballots, a published Equal Shares result and implementation news."""
    from pbvote.demo import _demo_categories, _demo_phases

    process = Process(
        municipality=municipality,
        slug=FINISHED_SLUG,
        phase=Phase.IMPLEMENTATION,
        created_at=now - timedelta(days=400),
        title_da="Borgerbudget Søby 2025",
        title_en="Citizens' budget Søby 2025",
        summary_da="Søbyerne stemte om 800.000 kr. Her er resultatet, og hvordan det går med projekterne.",
        summary_en="Søby voted on 800,000 kroner. Here is the result and how the projects are going.",
        description_da="Stemmerne blev talt med **lige andele** (Method of Equal Shares).",
        description_en="The votes were counted with **Equal Shares** (the Method of Equal Shares).",
        phases=_demo_phases(
            now.date(), current=Phase.IMPLEMENTATION, started_days_ago=150, lengths=(30, 40, 30, 14, 3, 14)
        ),
        budgets=[
            Budget(
                position=0,
                name_da="Hele Søby",
                name_en="All of Søby",
                population=42_300,
                amount=FINISHED_AMOUNT_KR * KR,
                ballot_kind=BallotKind.APPROVAL,
                rule=RuleName.MES,
                completion=True,
                tie_break=TieBreak.COST,
            )
        ],
        categories=_demo_categories(),
    )
    db.session.add(process)
    db.session.flush()
    budget = process.budgets[0]
    _add_projects(process, budget)
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.dk"))
    freeze_ballots(admin, process, now=now - timedelta(days=200))
    voting = next(phase for phase in process.phases if phase.phase is Phase.VOTING)
    voters = demo_voters(voting.ends_on or now.date())
    _add_ballots(process, budget, voters)
    _add_population(process)
    run = tally_budget(budget, actor=admin, now=now - timedelta(days=140))
    publish_run(run, actor=admin, now=now - timedelta(days=139))
    db.session.flush()
    _add_progress(admin, process, now)
    return process


def _add_projects(process: Process, budget: Budget) -> None:
    """The eleven projects on the 2025 ballot, filed under the demo categories."""
    categories = {category.name_da: category for category in process.categories}
    for position, project in enumerate(FINISHED_PROJECTS):
        category: Category | None = categories.get(project.category)
        db.session.add(
            Project(
                budget_id=budget.id,
                code=project.code,
                position=position,
                title=project.title,
                summary=project.summary,
                cost=project.cost_kr * KR,
                category_id=category.id if category else None,
            )
        )
    db.session.flush()


def _add_ballots(process: Process, budget: Budget, voters: list[DemoVoter]) -> None:
    """Store each voter's participation, anonymous ballot and optional answers, as the booth would."""
    ids = dict(
        db.session.execute(select(Project.code, Project.id).where(Project.budget_id == budget.id)).all()
    )
    participations, ballots, lines, answers = [], [], [], []
    for voter in voters:
        channel = Channel.PAPER if voter.paper else Channel.ONLINE
        ballot_id = new_ballot_id()
        participations.append(
            {
                "budget_id": budget.id,
                "voter_key": f"demo:{secrets.token_hex(16)}",
                "channel": channel,
                "voted_on": voter.cast_on,
            }
        )
        ballots.append(
            {
                "id": ballot_id,
                "budget_id": budget.id,
                "channel": channel,
                "station": "Søby Bibliotek" if voter.paper else None,
                "cast_on": voter.cast_on,
                "receipt": receipt_for(budget.id, secrets.token_hex(16)),
            }
        )
        lines.extend({"ballot_id": ballot_id, "project_id": ids[code], "value": 1} for code in voter.approved)
        if voter.age_band or voter.gender:
            answers.append(
                {
                    "id": new_ballot_id(),
                    "process_id": process.id,
                    "answered_on": voter.cast_on,
                    "age_band": voter.age_band,
                    "gender": voter.gender,
                    "district": voter.district,
                }
            )
    for model, rows in (
        (Participation, participations),
        (Ballot, ballots),
        (BallotLine, lines),
        (SurveyResponse, answers),
    ):
        db.session.execute(insert(model), rows)


def _add_population(process: Process) -> None:
    """Søby's population by district, age and gender, for the representativeness page."""
    for dimension, group, people in POPULATION:
        db.session.add(
            PopulationShare(process_id=process.id, dimension=Dimension(dimension), group=group, people=people)
        )


def _add_progress(admin: User | None, process: Process, now: datetime) -> None:
    """Give the winners a status and a dated update, and the finished path its photo."""
    for index, winner in enumerate(winners(process)):
        if winner.project.code not in PROGRESS:
            continue
        status, percent, text = PROGRESS[winner.project.code]
        set_progress(admin, process, winner, status=status, percent=percent, now=now - timedelta(days=30))
        photos = []
        if winner.project.code == PHOTO_OF:
            photos = [
                NewPhoto(image=prepare_image(_photo()), alt_text="Den nye belysning langs stien ved åen")
            ]
        add_update(
            admin,
            process,
            winner,
            happened_on=(now - timedelta(days=10 + 5 * index)).date(),
            text=text,
            photos=photos,
            now=now - timedelta(days=10 + 5 * index),
        )


def _photo() -> bytes:
    """A simple drawing of the lit path by the stream at dusk (the demo ships no photographs)."""
    image = Image.new("RGB", (640, 400), (40, 52, 92))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 640, 400), fill=(46, 88, 52))
    draw.polygon([(250, 400), (390, 400), (330, 250), (310, 250)], fill=(150, 140, 120))
    draw.polygon([(430, 400), (640, 330), (640, 400)], fill=(60, 110, 160))
    for x, top in ((200, 150), (250, 190), (280, 215), (420, 150), (375, 190), (350, 215)):
        draw.line((x, top, x, 262 + (top - 150) // 2), fill=(30, 30, 30), width=4)
        draw.ellipse((x - 9, top - 9, x + 9, top + 9), fill=(255, 226, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
