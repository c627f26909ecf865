"""The workshop templates: a fictional Danish town and an English one, each a single budget of 12 projects.

Costs are whole kroner (euros), realistic for a town's citizens' budget, and add up to about three times
the budget so choices hurt. ``popularity`` (0–1) and ``groups`` (which voter groups care most) feed the
simulated ballots; they are not shown anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbvote.core.types import BallotKind, RuleName


@dataclass(frozen=True)
class TemplateProject:
    """One project on a template's ballot."""

    code: str
    category: str
    title: str
    summary: str
    cost: int  # whole currency units
    popularity: float
    groups: tuple[str, ...]


@dataclass(frozen=True)
class WorkshopTemplate:
    """A ready-made process for a workshop: texts, one budget and its projects."""

    key: str
    title_da: str
    title_en: str
    summary_da: str
    summary_en: str
    currency: str
    budget_name_da: str
    budget_name_en: str
    amount: int  # whole currency units
    ballot_kind: BallotKind
    rule: RuleName
    max_projects: int | None
    categories: tuple[tuple[str, str], ...]  # (Danish, English)
    projects: tuple[TemplateProject, ...]


GROUPS = ("families", "green", "seniors", "active")  # the voter groups simulated ballots come from

DA_PROJECTS = (
    TemplateProject("E-1", "Børn og unge", "Naturlegeplads i Egeby Skov",
        "Klatretræer, balancestammer og en bålhytte, hvor dagplejere og familier kan lege i skoven.",
        650_000, 0.62, ("families", "green")),
    TemplateProject("E-2", "Trafik", "Sikker skolevej over Ringvejen",
        "Hævet fodgængerfelt, blinkende skilte og lavere fart, så børn trygt kan gå og cykle i skole.",
        480_000, 0.70, ("families",)),
    TemplateProject("E-3", "Natur og miljø", "Blomstereng og bistader ved Engen",
        "To hektar græs bliver til blomstereng med tre bistader, som den lokale biavlerforening passer.",
        120_000, 0.45, ("green",)),
    TemplateProject("E-4", "Kultur og fritid", "Udendørs scene på Torvet",
        "En fast, overdækket scene til koncerter, fællessang og loppemarkeder hele året.",
        900_000, 0.38, ("active", "seniors")),
    TemplateProject("E-5", "Ældre", "Bænke og toiletter langs Åstien",
        "Tolv bænke med armlæn og et handicaptoilet, så flere kan gå den lange tur langs åen.",
        260_000, 0.50, ("seniors",)),
    TemplateProject("E-6", "Kultur og fritid", "Padelbaner ved Egeby Hallen",
        "To udendørs padelbaner med lys, som klubben og alle andre kan booke.",
        750_000, 0.42, ("active",)),
    TemplateProject("E-7", "Natur og miljø", "Frugtlund for alle",
        "Tredive æble-, pære- og blommetræer på den gamle boldbane, hvor alle må plukke.",
        90_000, 0.52, ("green", "families")),
    TemplateProject("E-8", "Ældre", "Hjertestartere i alle landsbyer",
        "Ti hjertestartere i opvarmede skabe, så hjælpen er tæt på, også uden for byen.",
        150_000, 0.58, ("seniors", "families")),
    TemplateProject("E-9", "Trafik", "Cykelsti til Vestby",
        "Tre kilometer dobbeltrettet cykelsti langs landevejen, hvor mange i dag ikke tør cykle.",
        1_200_000, 0.47, ("active", "green", "families")),
    TemplateProject("E-10", "Børn og unge", "Ungdomsklub i den gamle brandstation",
        "Sofaer, musikrum og gaming-hjørne, åbent tre aftener om ugen med en voksen til stede.",
        540_000, 0.40, ("families", "active")),
    TemplateProject("E-11", "Natur og miljø", "Shelterplads ved Egeby Sø",
        "Tre sheltere, bålplads og et brændeskur, som skoler og spejdere kan bruge gratis.",
        210_000, 0.49, ("green", "active")),
    TemplateProject("E-12", "Kultur og fritid", "Fællesspisning i medborgerhuset",
        "Nyt storkøkken, så foreningerne kan holde fællesspisning for 100 personer hver måned.",
        380_000, 0.36, ("seniors",)),
)  # fmt: skip

EN_PROJECTS = (
    TemplateProject("M-1", "Children and young people", "Nature playground in Millbrook Woods",
        "Climbing logs, a rope bridge and a fire shelter where families and nurseries can play.",
        650_000, 0.62, ("families", "green")),
    TemplateProject("M-2", "Transport", "Safe crossing on the ring road",
        "A raised zebra crossing, flashing signs and a 20 mph zone so children can walk to school.",
        480_000, 0.70, ("families",)),
    TemplateProject("M-3", "Nature and environment", "Wildflower meadow and beehives",
        "Two hectares of mown grass become a meadow with three hives kept by the local beekeepers.",
        120_000, 0.45, ("green",)),
    TemplateProject("M-4", "Culture and leisure", "Open-air stage in the market square",
        "A permanent covered stage for concerts, community singing and markets all year round.",
        900_000, 0.38, ("active", "seniors")),
    TemplateProject("M-5", "Older people", "Benches and toilets along the river path",
        "Twelve benches with armrests and an accessible toilet, so more people can walk the path.",
        260_000, 0.50, ("seniors",)),
    TemplateProject("M-6", "Culture and leisure", "Padel courts at the sports hall",
        "Two floodlit outdoor padel courts that the club and everyone else can book.",
        750_000, 0.42, ("active",)),
    TemplateProject("M-7", "Nature and environment", "Community orchard",
        "Thirty apple, pear and plum trees on the old football pitch, free for anyone to pick.",
        90_000, 0.52, ("green", "families")),
    TemplateProject("M-8", "Older people", "Defibrillators in every village",
        "Ten defibrillators in heated cabinets, so help is close by outside the town too.",
        150_000, 0.58, ("seniors", "families")),
    TemplateProject("M-9", "Transport", "Cycle path to Westbury",
        "Three kilometres of two-way cycle path along the main road, where few dare to cycle today.",
        1_200_000, 0.47, ("active", "green", "families")),
    TemplateProject("M-10", "Children and young people", "Youth club in the old fire station",
        "Sofas, a music room and a gaming corner, open three evenings a week with an adult present.",
        540_000, 0.40, ("families", "active")),
    TemplateProject("M-11", "Nature and environment", "Camping shelters by Millbrook Lake",
        "Three shelters, a fire pit and a wood store that schools and scouts can use for free.",
        210_000, 0.49, ("green", "active")),
    TemplateProject("M-12", "Culture and leisure", "Community meals at the village hall",
        "A new large kitchen so local clubs can cook a monthly meal for a hundred people.",
        380_000, 0.36, ("seniors",)),
)  # fmt: skip

TEMPLATES: dict[str, WorkshopTemplate] = {
    "da": WorkshopTemplate(
        key="da",
        title_da="Workshop: Borgerbudget Egeby",
        title_en="Workshop: Citizens' budget Egeby",
        summary_da="Egeby er en opdigtet by med 2 mio. kr. og 12 forslag. Vælg dem, du vil bruge pengene på.",
        summary_en="Egeby is a made-up town with 2 million kroner and 12 proposals. Choose how to spend it.",
        currency="DKK",
        budget_name_da="Hele Egeby",
        budget_name_en="All of Egeby",
        amount=2_000_000,
        ballot_kind=BallotKind.KNAPSACK,
        rule=RuleName.MES,
        max_projects=None,
        categories=(
            ("Børn og unge", "Children and young people"),
            ("Trafik", "Transport"),
            ("Natur og miljø", "Nature and environment"),
            ("Kultur og fritid", "Culture and leisure"),
            ("Ældre", "Older people"),
        ),
        projects=DA_PROJECTS,
    ),
    "en": WorkshopTemplate(
        key="en",
        title_da="Workshop: Borgerbudget Millbrook",
        title_en="Workshop: Millbrook participatory budget",
        summary_da="Millbrook er en opdigtet by med 2 mio. euro og 12 forslag. Vælg, hvad de skal bruges på.",
        summary_en="Millbrook is a made-up town with 2 million euros and 12 proposals. Choose what to fund.",
        currency="EUR",
        budget_name_da="Hele Millbrook",
        budget_name_en="All of Millbrook",
        amount=2_000_000,
        ballot_kind=BallotKind.KNAPSACK,
        rule=RuleName.MES,
        max_projects=None,
        categories=(
            ("Børn og unge", "Children and young people"),
            ("Trafik", "Transport"),
            ("Natur og miljø", "Nature and environment"),
            ("Kultur og fritid", "Culture and leisure"),
            ("Ældre", "Older people"),
        ),
        projects=EN_PROJECTS,
    ),
}
