"""The demo process in the voting phase: three budgets with real-looking projects, frozen rules, and ten
voting codes printed by `pbvote demo`, so a new user can vote at once.
"""

from __future__ import annotations

from datetime import datetime

from pbvote.ballots.codes import issue_codes
from pbvote.core.types import BallotKind, RuleName, TieBreak
from pbvote.extensions import db
from pbvote.processes.freeze import freeze_ballots
from pbvote.processes.models import Budget, Eligibility, Municipality, Phase, Process
from pbvote.proposals.models import Project

VOTING_SLUG = "borgerbudget-soeby-2026"
DEMO_CODES = 10
KR = 100  # øre per krone

# (code, category, title, summary, cost in kroner) per budget's Danish name
DEMO_PROJECTS: dict[str, tuple[tuple[str, str, str, str, int], ...]] = {
    "Hele Søby": (
        (
            "H-1",
            "Børn og unge",
            "Ny legeplads i Byparken",
            "Gynger, klatrestativ og en overdækket sandkasse, hvor små og store kan lege sammen.",
            450_000,
        ),
        (
            "H-2",
            "Trafik",
            "Sikker cykelsti på Skolevej",
            "En cykelsti med kantsten, så over 300 børn trygt kan cykle i skole.",
            600_000,
        ),
        (
            "H-3",
            "Kultur og fritid",
            "Udendørs fitness ved Søby Strand",
            "Otte robuste træningsredskaber med vejledning på skilte, gratis for alle.",
            180_000,
        ),
        (
            "H-4",
            "Natur og miljø",
            "Flere træer langs Hovedgaden",
            "Tyve nye lindetræer, der giver skygge, læ og et grønnere bymidte.",
            220_000,
        ),
        (
            "H-5",
            "Kultur og fritid",
            "Gratis sommerkoncerter på Torvet",
            "Seks koncerter med lokale bands hen over sommeren, med scene og lyd.",
            90_000,
        ),
        (
            "H-6",
            "Ældre",
            "Hjertestartere i alle bydele",
            "Tolv nye hjertestartere i døgnåbne skabe, så hjælpen altid er tæt på.",
            120_000,
        ),
        (
            "H-7",
            "Natur og miljø",
            "Shelterplads i Søby Skov",
            "To sheltere, bålplads og brænde, som skoler og familier kan booke gratis.",
            150_000,
        ),
        (
            "H-8",
            "Trafik",
            "Ladestandere til elcykler ved stationen",
            "Overdækkede cykelstativer med opladning til elcykler og ladcykler.",
            75_000,
        ),
    ),
    "Nordby": (
        (
            "N-1",
            "Natur og miljø",
            "Fælleshave ved Nordby Bibliotek",
            "Ti højbede, frugtbuske og en bænk, hvor naboer kan dyrke grøntsager sammen.",
            120_000,
        ),
        (
            "N-2",
            "Ældre",
            "Bænke og borde i Nordparken",
            "Seks bænke med ryglæn og to bord-bænkesæt langs stien rundt om søen.",
            60_000,
        ),
        (
            "N-3",
            "Trafik",
            "Bedre lys på stien til Nordby Skole",
            "LED-lamper på den mørke sti, så det føles trygt at gå og cykle om vinteren.",
            140_000,
        ),
        (
            "N-4",
            "Børn og unge",
            "Multibane ved Nordby Hallen",
            "En indhegnet bane til fodbold, basket og hockey med kunstgræs.",
            250_000,
        ),
        (
            "N-5",
            "Natur og miljø",
            "Insekthotel og blomstereng",
            "Græsplænen ved Engvej bliver til en blomstereng med insekthoteller.",
            35_000,
        ),
        (
            "N-6",
            "Børn og unge",
            "Legeplads for de mindste i Kirkekvarteret",
            "Vipper, en lille rutsjebane og sandkasse til børn under seks år.",
            160_000,
        ),
        (
            "N-7",
            "Kultur og fritid",
            "Byttestation for bøger og værktøj",
            "Et aflåst skab ved Brugsen, hvor naboer låner og bytter ting gratis.",
            25_000,
        ),
        (
            "N-8",
            "Trafik",
            "Vandpost og cykelpumpe ved Nordby Torv",
            "Drikkevand og en cykelpumpe med værktøj for cyklister og gående.",
            30_000,
        ),
    ),
    "Sydhavn": (
        (
            "S-1",
            "Ældre",
            "Flere bænke langs havnepromenaden",
            "Otte bænke med ryg- og armlæn, så alle kan hvile sig på turen langs vandet.",
            80_000,
        ),
        (
            "S-2",
            "Trafik",
            "Bedre belysning i stationstunnelen",
            "Nye lamper i tunnelen og på trapperne, så den er tryg at gå igennem om aftenen.",
            150_000,
        ),
        (
            "S-3",
            "Kultur og fritid",
            "Havnebad med badebro",
            "En badebro med stige og livredningsudstyr, åben for alle om sommeren.",
            300_000,
        ),
        (
            "S-4",
            "Kultur og fritid",
            "Kajakstativ og redningskranse ved kajen",
            "Stativer til tyve kajakker og nye redningskranse langs hele kajen.",
            45_000,
        ),
        (
            "S-5",
            "Kultur og fritid",
            "Gavlmalerier i Havnegade",
            "Lokale kunstnere og unge maler tre store gavle sammen.",
            70_000,
        ),
        (
            "S-6",
            "Ældre",
            "Petanquebane ved Sydhavn Plejecenter",
            "To baner med bænke, som beboere og naboer kan bruge sammen.",
            55_000,
        ),
        (
            "S-7",
            "Børn og unge",
            "Skaterbowl ved Sydhavn Station",
            "En betonbowl til skateboards og løbehjul, tegnet sammen med de unge.",
            220_000,
        ),
        (
            "S-8",
            "Natur og miljø",
            "Affaldsspande med sortering på kajen",
            "Ti spande med rum til pant, plast og restaffald, så havnen holdes ren.",
            40_000,
        ),
    ),
}


def seed_demo_voting(municipality: Municipality, *, now: datetime) -> list[str]:
    """Add the voting demo process (rules frozen) and return ten voting codes for its citywide budget.

    The codes are returned in plain text only here, for `pbvote demo` to print; the database keeps
    their hashes. Does not commit.
    """
    from pbvote.demo import _demo_categories, _demo_phases  # the demo's shared phases and categories

    process = Process(
        municipality=municipality,
        slug=VOTING_SLUG,
        phase=Phase.VOTING,
        eligibility=Eligibility.CODE,
        ask_questions=True,
        created_at=now,
        title_da="Borgerbudget Søby 2026",
        title_en="Citizens' budget Søby 2026",
        summary_da="Nu kan du stemme: vælg de projekter, du vil bruge 1,8 mio. kr. på.",
        summary_en="Voting is open: choose the projects you want to spend 1.8 million kroner on.",
        description_da=(
            "Borgerne har stillet forslag, og forvaltningen har vurderet pris og muligheder. "
            "Nu bestemmer du: vælg projekter for **hele Søby** og for **din bydel**, inden for budgettet.\n\n"
            "- Du stemmer med koden i det brev, du har fået fra kommunen.\n"
            "- Du kan også stemme på papir på biblioteket."
        ),
        description_en=(
            "Residents made proposals and the administration checked cost and feasibility. "
            "Now you decide: choose projects for **all of Søby** and for **your district**, "
            "within the budget.\n\n"
            "- You vote with the code in the letter the municipality sent you.\n"
            "- You can also vote on paper at the library."
        ),
        phases=_demo_phases(
            now.date(), current=Phase.VOTING, started_days_ago=5, lengths=(30, 45, 40, 21, 4, 14)
        ),
        budgets=[
            Budget(
                position=0,
                name_da="Hele Søby",
                name_en="All of Søby",
                population=42_300,
                amount=1_000_000 * KR,
                ballot_kind=BallotKind.KNAPSACK,
                rule=RuleName.GREEDY,
                tie_break=TieBreak.COST,
            ),
            Budget(
                position=1,
                name_da="Nordby",
                name_en="Nordby",
                district="Nordby",
                population=14_800,
                amount=400_000 * KR,
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
                amount=400_000 * KR,
                ballot_kind=BallotKind.KNAPSACK,
                rule=RuleName.GREEDY,
            ),
        ],
        categories=_demo_categories(),
    )
    db.session.add(process)
    db.session.flush()
    categories = {category.name_da: category.id for category in process.categories}
    for budget in process.budgets:
        for position, (code, category, title, summary, cost_kr) in enumerate(DEMO_PROJECTS[budget.name_da]):
            db.session.add(
                Project(
                    budget_id=budget.id,
                    code=code,
                    position=position,
                    title=title,
                    summary=summary,
                    cost=cost_kr * KR,
                    category_id=categories[category],
                    created_at=now,
                )
            )
    db.session.flush()
    freeze_ballots(None, process, now=now)
    return issue_codes(None, process.budgets[0], DEMO_CODES, batch="demo", now=now)
