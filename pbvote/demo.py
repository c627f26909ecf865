"""The Danish demo municipality that `make run` shows on first start."""

from __future__ import annotations

from sqlalchemy import delete, select

from pbvote.auth.models import Role, User
from pbvote.auth.passwords import hash_password
from pbvote.db import Base, utcnow
from pbvote.extensions import db
from pbvote.processes.models import Municipality, Phase, Process

DEMO_SLUG = "soeby"
DEMO_PASSWORD = "demo-adgangskode"  # noqa: S105 - printed on purpose for the demo logins
DEMO_USERS = (
    ("admin@demo.dk", "Anne Admin", Role.ADMIN),
    ("sagsbehandler@demo.dk", "Søren Sagsbehandler", Role.STAFF),
    ("borger@demo.dk", "Birgitte Borger", Role.RESIDENT),
)


def seed_demo(*, reset: bool = False) -> bool:
    """Create Søby Kommune with its processes and logins; returns False if it was already there."""
    if reset:
        wipe_all()
    elif db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG)) is not None:
        return False
    now = utcnow()
    municipality = Municipality(slug=DEMO_SLUG, name="Søby Kommune", currency="DKK")
    db.session.add(municipality)
    for email, name, role in DEMO_USERS:
        db.session.add(
            User(email=email, display_name=name, role=role, password_hash=hash_password(DEMO_PASSWORD))
        )
    db.session.add_all(
        [
            Process(
                municipality=municipality,
                slug="borgerbudget-soeby-2027",
                phase=Phase.PROPOSALS,
                created_at=now,
                title_da="Borgerbudget Søby 2027",
                title_en="Citizens' budget Søby 2027",
                summary_da="Kom med dit forslag til, hvordan 2 mio. kr. kan gøre Søby til et bedre sted.",
                summary_en="Propose how 2 million kroner can make Søby a better place to live.",
            ),
            Process(
                municipality=municipality,
                slug="groen-pulje-nordby-2026",
                phase=Phase.REVIEW,
                created_at=now,
                title_da="Grøn pulje Nordby 2026",
                title_en="Green fund Nordby 2026",
                summary_da="Forslagene er modtaget, og kommunen vurderer nu pris og muligheder.",
                summary_en="The proposals are in; the municipality is now checking cost and feasibility.",
            ),
        ]
    )
    db.session.flush()
    return True


def wipe_all() -> None:
    """Delete every row of every table, children first. Does not commit."""
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(delete(table))
