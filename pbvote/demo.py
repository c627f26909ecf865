"""The Danish demo municipality that `make run` shows on first start."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from pbvote.auth.models import Role, User
from pbvote.auth.passwords import hash_password
from pbvote.ballots.demo import seed_demo_voting
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.db import Base, utcnow
from pbvote.extensions import db
from pbvote.processes.models import (
    PHASE_ORDER,
    Budget,
    Category,
    Municipality,
    Phase,
    Process,
    ProcessPhase,
)
from pbvote.proposals.demo import seed_demo_proposals
from pbvote.results.demo import seed_finished_process

DEMO_SLUG = "soeby"
DEMO_PASSWORD = "demo-adgangskode"  # noqa: S105 - printed on purpose for the demo logins  # nosec B105
DEMO_USERS = (
    ("admin@demo.dk", "Anne Admin", Role.ADMIN),
    ("sagsbehandler@demo.dk", "Søren Sagsbehandler", Role.STAFF),
    ("borger@demo.dk", "Birgitte Borger", Role.RESIDENT),
)


def seed_demo(*, reset: bool = False) -> list[str] | None:
    """Create Søby Kommune with its processes and logins; returns the demo's voting codes, or None if it
    was already there (the codes are stored hashed, so they can only be shown when they are made)."""
    if reset:
        wipe_all()
    elif db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG)) is not None:
        return None
    now = utcnow()
    municipality = Municipality(slug=DEMO_SLUG, name="Søby Kommune", currency="DKK")
    db.session.add(municipality)
    for email, name, role in DEMO_USERS:
        db.session.add(
            User(email=email, display_name=name, role=role, password_hash=hash_password(DEMO_PASSWORD))
        )
    seed_demo_processes(municipality, now)
    db.session.flush()
    seed_demo_proposals(municipality, now=now)
    codes = seed_demo_voting(municipality, now=now)
    db.session.flush()
    seed_finished_process(municipality, now)
    db.session.flush()
    return codes


def seed_demo_processes(municipality: Municipality, now: datetime) -> dict[str, Process]:
    """The two demo processes with phases, budgets and categories; returned by slug for other seeders."""
    today = now.date()
    citywide = Process(
        municipality=municipality,
        slug="borgerbudget-soeby-2027",
        phase=Phase.PROPOSALS,
        created_at=now,
        title_da="Borgerbudget Søby 2027",
        title_en="Citizens' budget Søby 2027",
        summary_da="Kom med dit forslag til, hvordan 2 mio. kr. kan gøre Søby til et bedre sted.",
        summary_en="Propose how 2 million kroner can make Søby a better place to live.",
        description_da=(
            "Søby Kommune sætter **2 mio. kr.** af, som borgerne bestemmer over. "
            "1 mio. kr. går til projekter for hele kommunen, og 500.000 kr. til hver af bydelene "
            "Nordby og Sydhavn.\n\n"
            "- Alle over 15 år, der bor i kommunen, kan stille forslag og stemme.\n"
            "- Forvaltningen vurderer pris og muligheder, før der stemmes."
        ),
        description_en=(
            "Søby Municipality sets aside **2 million kroner** for residents to decide on. "
            "1 million goes to projects for the whole municipality and 500,000 to each of the districts "
            "Nordby and Sydhavn.\n\n"
            "- Everyone over 15 who lives in the municipality can propose and vote.\n"
            "- The administration checks cost and feasibility before the vote."
        ),
        phases=_demo_phases(
            today, current=Phase.PROPOSALS, started_days_ago=20, lengths=(30, 45, 40, 21, 4, 14)
        ),
        budgets=[
            Budget(
                position=0,
                name_da="Hele Søby",
                name_en="All of Søby",
                population=42_300,
                amount=1_000_000_00,
                ballot_kind=BallotKind.KNAPSACK,
                max_projects=None,
                rule=RuleName.GREEDY,
                tie_break=TieBreak.COST,
            ),
            Budget(
                position=1,
                name_da="Nordby",
                name_en="Nordby",
                district="Nordby",
                population=14_800,
                amount=500_000_00,
                ballot_kind=BallotKind.KNAPSACK,
                rule=RuleName.MES,
                completion=True,
            ),
            Budget(
                position=2,
                name_da="Sydhavn",
                name_en="Sydhavn",
                district="Sydhavn",
                population=11_600,
                amount=500_000_00,
                ballot_kind=BallotKind.KNAPSACK,
                rule=RuleName.GREEDY,
            ),
        ],
        categories=_demo_categories(),
    )
    green = Process(
        municipality=municipality,
        slug="groen-pulje-nordby-2026",
        phase=Phase.REVIEW,
        created_at=now,
        title_da="Grøn pulje Nordby 2026",
        title_en="Green fund Nordby 2026",
        summary_da="Forslagene er modtaget, og kommunen vurderer nu pris og muligheder.",
        summary_en="The proposals are in; the municipality is now checking cost and feasibility.",
        description_da="Puljen støtter grønne projekter i Nordby: natur, klima og fællesskab.",
        description_en="The fund supports green projects in Nordby: nature, climate and community.",
        phases=_demo_phases(
            today, current=Phase.REVIEW, started_days_ago=10, lengths=(30, 42, 30, 14, 3, 14)
        ),
        budgets=[
            Budget(
                position=0,
                name_da="Grøn pulje Nordby",
                name_en="Green fund Nordby",
                district="Nordby",
                population=14_800,
                amount=300_000_00,
                ballot_kind=BallotKind.APPROVAL,
                max_projects=3,
                rule=RuleName.MES,
                completion=True,
            ),
        ],
        categories=_demo_categories(),
    )
    db.session.add_all([citywide, green])
    return {process.slug: process for process in (citywide, green)}


DEMO_PHASE_TEXTS = {
    Phase.DRAFT: ("Kommunen forbereder borgerbudgettet.", "The municipality prepares the citizens' budget."),
    Phase.PROPOSALS: (
        "Send dit forslag ind her på siden eller på biblioteket. Beskriv ideen og hvor den skal ligge.",
        "Send your proposal here on the site or at the library. Describe the idea and where it belongs.",
    ),
    Phase.REVIEW: (
        "Forvaltningen vurderer hvert forslag: hvad koster det, og kan det lade sig gøre?",
        "The administration checks each proposal: what does it cost, and can it be done?",
    ),
    Phase.VOTING: (
        "Stem online eller på biblioteket. Du kan ændre mening, indtil du har afgivet din stemme.",
        "Vote online or at the library. You can change your mind until you have cast your vote.",
    ),
    Phase.COUNTING: (
        "Stemmerne tælles efter de offentliggjorte regler.",
        "The votes are counted by the published rules.",
    ),
    Phase.RESULTS: (
        "Resultatet offentliggøres her og på borgermødet på rådhuset.",
        "The result is published here and at the public meeting in the town hall.",
    ),
    Phase.IMPLEMENTATION: (
        "Kommunen gennemfører de vindende projekter. Følg dem her.",
        "The municipality carries out the winning projects. Follow them here.",
    ),
}


def _demo_phases(
    today: date, *, current: Phase, started_days_ago: int, lengths: tuple[int, ...]
) -> list[ProcessPhase]:
    """Seven phases back to back, dated so that ``current`` is the one running today."""
    order = list(PHASE_ORDER)
    starts = {current: today - timedelta(days=started_days_ago)}
    for index in range(order.index(current) + 1, len(order)):
        starts[order[index]] = starts[order[index - 1]] + timedelta(days=lengths[index - 1])
    for index in range(order.index(current) - 1, -1, -1):
        starts[order[index]] = starts[order[index + 1]] - timedelta(days=lengths[index])
    rows = []
    for index, phase in enumerate(order):
        following = order[index + 1] if index + 1 < len(order) else None
        ends = starts[following] - timedelta(days=1) if following else starts[phase] + timedelta(days=365)
        text_da, text_en = DEMO_PHASE_TEXTS[phase]
        rows.append(
            ProcessPhase(
                phase=phase,
                position=index,
                starts_on=starts[phase],
                ends_on=ends,
                text_da=text_da,
                text_en=text_en,
            )
        )
    return rows


DEMO_CATEGORIES = (
    ("Natur og miljø", "Nature and environment"),
    ("Trafik", "Traffic"),
    ("Kultur og fritid", "Culture and leisure"),
    ("Børn og unge", "Children and young people"),
    ("Ældre", "Older people"),
)


def _demo_categories() -> list[Category]:
    return [
        Category(position=index, name_da=name_da, name_en=name_en)
        for index, (name_da, name_en) in enumerate(DEMO_CATEGORIES)
    ]


def wipe_all() -> None:
    """Delete every row of every table, children first. Does not commit."""
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(delete(table))
