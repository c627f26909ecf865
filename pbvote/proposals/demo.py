"""Danish demo proposals for Søby Kommune: open ideas in the proposals phase, and a review in progress
in the green fund (costs estimated, one not feasible, one merged), ready to be priced and put on the ballot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from pbvote.auth.models import User
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Municipality, Process
from pbvote.proposals.models import (
    EventKind,
    Feasibility,
    Proposal,
    ProposalEvent,
    ProposalFollower,
    ProposalStatus,
)

RESIDENT_EMAIL = "borger@demo.dk"
STAFF_EMAIL = "sagsbehandler@demo.dk"
CITYWIDE_SLUG = "borgerbudget-soeby-2027"
GREEN_SLUG = "groen-pulje-nordby-2026"
KR = 100  # øre per krone


@dataclass(frozen=True)
class DemoIdea:
    """One demo proposal; the review fields are left empty for ideas not yet reviewed."""

    key: str
    budget: str  # the budget's Danish name
    category: str
    title: str
    summary: str
    description: str
    cost_guess_kr: int | None
    address: str = ""
    days_ago: int = 10
    vetted_cost_kr: int | None = None
    feasibility: Feasibility | None = None
    public_reason: str = ""
    merged_into: str | None = None


CITYWIDE_IDEAS = (
    DemoIdea(
        "legeplads",
        "Hele Søby",
        "Børn og unge",
        "Ny legeplads i Byparken",
        "En legeplads med gynger, klatrestativ og sandkasse, hvor de små og de store kan lege sammen.",
        "Byparken mangler et sted for børn. Vi foreslår:\n\n- gynger og en svævebane\n- et klatrestativ"
        "\n- en overdækket sandkasse\n\nForældre fra Søby Skole har samlet **212 underskrifter**.",
        450_000,
        "Byparken ved Torvegade",
        days_ago=18,
    ),
    DemoIdea(
        "cykelsti",
        "Hele Søby",
        "Trafik",
        "Sikker cykelsti til Søby Skole",
        "En adskilt cykelsti på Skolevej, så børnene trygt kan cykle i skole.",
        "Hver morgen cykler over 300 børn ad Skolevej, hvor bilerne kører tæt forbi. En cykelsti med "
        "kantsten på begge sider af vejen vil gøre skolevejen meget mere sikker.",
        900_000,
        "Skolevej 1-45",
        days_ago=15,
    ),
    DemoIdea(
        "faelleshave",
        "Nordby",
        "Natur og miljø",
        "Fælleshave ved Nordby Bibliotek",
        "Højbede, frugtbuske og en bænk, hvor naboer kan dyrke grøntsager sammen.",
        "Græsplænen bag biblioteket bliver næsten ikke brugt. Med **ti højbede**, frugtbuske og et "
        "redskabsskur kan den blive et mødested for hele kvarteret. "
        "Biblioteket vil gerne låne vand og strøm ud.",
        120_000,
        "Nordby Bibliotek, Kirkevej 4",
        days_ago=12,
    ),
    DemoIdea(
        "baenke",
        "Sydhavn",
        "Ældre",
        "Flere bænke langs havnepromenaden",
        "Otte nye bænke, så ældre og gangbesværede kan hvile sig på turen langs vandet.",
        "Der er 1,2 km promenade, men kun to bænke. Vi ønsker otte bænke med ryg- og armlæn, så alle kan "
        "nyde havnen.",
        80_000,
        "Havnepromenaden, Sydhavn",
        days_ago=9,
    ),
    DemoIdea(
        "belysning",
        "Sydhavn",
        "Trafik",
        "Bedre belysning i stationstunnelen",
        "Lys i tunnelen under banen, så den føles tryg at gå igennem om aftenen.",
        "Tunnelen ved Sydhavn Station er mørk, og mange går en lang omvej om aftenen. Nye LED-armaturer og "
        "lys på trapperne vil hjælpe.",
        150_000,
        "Stationstunnelen, Sydhavn Station",
        days_ago=4,
    ),
)

GREEN_IDEAS = (
    DemoIdea(
        "hundeskov",
        "Grøn pulje Nordby",
        "Natur og miljø",
        "Hundeskov i Nordskoven",
        "Et indhegnet område i skoven, hvor hunde kan løbe frit.",
        "Et hegn om ca. to hektar skov ved parkeringspladsen, med låge, affaldsspande og en bænk.",
        200_000,
        "Nordskoven, P-pladsen ved Skovvej",
        days_ago=50,
        vetted_cost_kr=185_000,
        feasibility=Feasibility.FEASIBLE,
    ),
    DemoIdea(
        "hundeloebegaard",
        "Grøn pulje Nordby",
        "Natur og miljø",
        "Hundeløbegård i Nordskoven",
        "En indhegnet løbegård til hunde i Nordskoven.",
        "Vi hundeejere savner et sted, hvor hundene kan løbe uden snor. Nordskoven er oplagt.",
        150_000,
        "Nordskoven",
        days_ago=47,
        merged_into="hundeskov",
    ),
    DemoIdea(
        "petanque",
        "Grøn pulje Nordby",
        "Ældre",
        "Petanquebane ved Nordby Plejecenter",
        "To petanquebaner med bænke, som både beboere og naboer kan bruge.",
        "Beboerne på plejecentret spiller gerne petanque, men banen er groet til. To nye baner med grus, "
        "kant og bænke vil samle både unge og ældre.",
        60_000,
        "Nordby Plejecenter, Lindevej 12",
        days_ago=44,
        vetted_cost_kr=72_500,
        feasibility=Feasibility.FEASIBLE,
    ),
    DemoIdea(
        "shelter",
        "Grøn pulje Nordby",
        "Kultur og fritid",
        "Shelter og bålplads ved Mølledammen",
        "To sheltere og en bålplads, så skoler, spejdere og familier kan overnatte i naturen.",
        "Ved Mølledammen er der plads til to sheltere, en bålplads med bænke og et brændeskur.",
        110_000,
        "Mølledammen",
        days_ago=41,
        vetted_cost_kr=98_000,
        feasibility=Feasibility.NEEDS_CHANGES,
        public_reason="Bredden af Mølledammen er beskyttet natur, så sheltrene kan ikke ligge ved vandet. "
        "De kan placeres ca. 50 meter længere mod nord ved stien. "
        "Vi har anslået prisen ud fra den placering.",
    ),
    DemoIdea(
        "solceller",
        "Grøn pulje Nordby",
        "Natur og miljø",
        "Solceller på taget af Nordby Hallen",
        "Solceller på hallens tag, så idrætsforeningerne får billigere og grønnere strøm.",
        "Hallens store sydvendte tag er ideelt til solceller. Overskudsstrømmen kan sælges.",
        250_000,
        "Nordby Hallen, Idrætsvej 2",
        days_ago=38,
        vetted_cost_kr=1_400_000,
        feasibility=Feasibility.NOT_FEASIBLE,
        public_reason="Hallens tag kan ikke bære solceller uden en forstærkning af tagkonstruktionen. Den "
        "samlede pris er anslået til 1,4 mio. kr., hvilket er langt mere end hele puljen.",
    ),
    DemoIdea(
        "blomstereng",
        "Grøn pulje Nordby",
        "Natur og miljø",
        "Blomsterenge i rabatterne på Ringvejen",
        "Vilde blomster i stedet for græs i rabatterne, til gavn for bier og sommerfugle.",
        "Rabatterne langs Ringvejen slås hver anden uge. Med frøblandinger af hjemmehørende arter og to slæt "
        "om året kan de blive blomsterenge.",
        40_000,
        "Ringvejen, Nordby",
        days_ago=35,
    ),
)


def seed_demo_proposals(municipality: Municipality, *, now: datetime | None = None) -> list[Proposal]:
    """Add the demo proposals to the municipality's two demo processes. Does not commit.

    Processes, budgets or users that are missing are skipped, so the seeder never breaks the demo.
    """
    now = now or utcnow()
    resident = _user(RESIDENT_EMAIL)
    staff = _user(STAFF_EMAIL)
    if resident is None:
        return []
    processes = {p.slug: p for p in municipality.processes}
    added: list[Proposal] = []
    for slug, ideas in ((CITYWIDE_SLUG, CITYWIDE_IDEAS), (GREEN_SLUG, GREEN_IDEAS)):
        process = processes.get(slug)
        if process is not None and process.budgets:
            added += _seed_process(process, ideas, resident, staff, now)
    db.session.flush()
    return added


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _seed_process(
    process: Process, ideas: tuple[DemoIdea, ...], resident: User, staff: User | None, now: datetime
) -> list[Proposal]:
    """Create the ideas of one process; review steps are dated a few days after each submission."""
    budgets = {budget.name_da: budget for budget in process.budgets}
    categories = {category.name_da: category for category in process.categories}
    by_key: dict[str, Proposal] = {}
    for idea in ideas:
        submitted = now - timedelta(days=idea.days_ago)
        proposal = Proposal(
            process=process,
            budget=budgets.get(idea.budget, process.budgets[0]),
            category=categories.get(idea.category),
            author=resident,
            title=idea.title,
            summary=idea.summary,
            description=idea.description,
            cost_guess=idea.cost_guess_kr * KR if idea.cost_guess_kr is not None else None,
            address=idea.address,
            created_at=submitted,
            updated_at=submitted,
        )
        db.session.add(proposal)
        db.session.flush()
        db.session.add(ProposalFollower(proposal_id=proposal.id, user_id=resident.id))
        _event(proposal, EventKind.SUBMITTED, resident, submitted)
        if staff is not None and (idea.feasibility or idea.merged_into):
            _review(proposal, idea, staff, submitted, by_key)
        by_key[idea.key] = proposal
    return list(by_key.values())


def _review(
    proposal: Proposal, idea: DemoIdea, staff: User, submitted: datetime, by_key: dict[str, Proposal]
) -> None:
    """Replay the staff review of one idea: assignment, cost, verdict, or merge into an earlier idea."""
    proposal.reviewer = staff
    _event(proposal, EventKind.ASSIGNED, staff, submitted + timedelta(days=14))
    if idea.merged_into is not None:
        kept = by_key[idea.merged_into]
        proposal.status = ProposalStatus.MERGED
        proposal.merged_into_id = kept.id
        when = submitted + timedelta(days=19)
        _event(proposal, EventKind.MERGED, staff, when, f"#{kept.id} {kept.title}")
        _event(kept, EventKind.MERGED, staff, when, f"#{proposal.id} {proposal.title}")
        return
    if idea.feasibility is None or idea.vetted_cost_kr is None:
        return
    proposal.vetted_cost = idea.vetted_cost_kr * KR
    proposal.feasibility = idea.feasibility
    proposal.status = ProposalStatus(idea.feasibility.value)
    proposal.public_reason = idea.public_reason
    _event(proposal, EventKind.COST_ESTIMATED, staff, submitted + timedelta(days=18))
    _event(proposal, EventKind.ASSESSED, staff, submitted + timedelta(days=20), idea.public_reason)


def _event(proposal: Proposal, kind: EventKind, actor: User, at: datetime, text: str = "") -> None:
    db.session.add(
        ProposalEvent(proposal_id=proposal.id, kind=kind, actor_id=actor.id, at=at, public_text=text)
    )
