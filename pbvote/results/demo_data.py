"""The finished demo process: its projects and a seeded, realistic crowd of voters (no database here)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

FINISHED_SLUG = "borgerbudget-soeby-2025"
FINISHED_AMOUNT_KR = 800_000
VOTERS = 640
PAPER_SHARE = 0.18  # ballots cast at the library on paper
VOTING_DAYS = 14
SURVEY_SHARE = 0.7  # voters who answered the optional questions


@dataclass(frozen=True)
class DemoProject:
    """A project on the 2025 ballot, with how popular it is in each part of town."""

    code: str
    title: str
    summary: str
    cost_kr: int
    category: str
    appeal: tuple[float, float, float]  # chance of approval in Nordby, Sydhavn, Centrum


FINISHED_PROJECTS: tuple[DemoProject, ...] = (
    DemoProject(
        "S25-1",
        "Nyt tag på Nordby Hallen",
        "Hallen lækker; et nyt tag redder foreningslivet for de næste 30 år.",
        420_000,
        "Kultur og fritid",
        (0.78, 0.12, 0.30),
    ),
    DemoProject(
        "S25-2",
        "Badebro i Sydhavnen",
        "En badebro med stige og bænke, så alle kan komme i vandet.",
        260_000,
        "Natur og miljø",
        (0.18, 0.80, 0.35),
    ),
    DemoProject(
        "S25-3",
        "Lys på stien langs åen",
        "LED-lamper med lavt forbrug langs den mørke sti mellem stationen og skolen.",
        140_000,
        "Trafik",
        (0.55, 0.40, 0.62),
    ),
    DemoProject(
        "S25-4",
        "Multibane ved Sydhavn Skole",
        "En kunstgræsbane til fodbold, basket og hockey, åben for alle efter skoletid.",
        310_000,
        "Børn og unge",
        (0.10, 0.66, 0.22),
    ),
    DemoProject(
        "S25-5",
        "Bænke og skygge i Byparken",
        "Tolv bænke og fire parasoltræer, så ældre kan hvile på vej gennem parken.",
        60_000,
        "Ældre",
        (0.35, 0.30, 0.58),
    ),
    DemoProject(
        "S25-6",
        "Vilde blomster på rundkørslerne",
        "Blomsterenge i stedet for græs på seks rundkørsler: mere liv for bier og sommerfugle.",
        45_000,
        "Natur og miljø",
        (0.42, 0.36, 0.48),
    ),
    DemoProject(
        "S25-7",
        "Cykelværksted for unge",
        "Et gratis værksted i fritidsklubben, hvor unge lærer at reparere deres cykler.",
        90_000,
        "Børn og unge",
        (0.25, 0.28, 0.33),
    ),
    DemoProject(
        "S25-8",
        "Fællesspisning i Medborgerhuset",
        "Et år med fællesspisning hver anden torsdag, for alle aldre.",
        75_000,
        "Ældre",
        (0.20, 0.38, 0.30),
    ),
    DemoProject(
        "S25-9",
        "Bogbytteskabe i alle bydele",
        "Ti vejrfaste skabe, hvor man frit kan tage og give bøger.",
        30_000,
        "Kultur og fritid",
        (0.30, 0.26, 0.40),
    ),
    DemoProject(
        "S25-10",
        "Hundeskov ved Nordby Mose",
        "Et indhegnet område på to hektar, hvor hunde må løbe frit.",
        120_000,
        "Natur og miljø",
        (0.48, 0.08, 0.15),
    ),
    DemoProject(
        "S25-11",
        "Scene på Torvet",
        "En fast, overdækket scene til koncerter, markeder og foreningsdage.",
        350_000,
        "Kultur og fritid",
        (0.22, 0.20, 0.52),
    ),
)

DISTRICTS = ("Nordby", "Sydhavn", "Centrum")
DISTRICT_WEIGHTS = (0.46, 0.30, 0.24)
AGE_BANDS = ("18_29", "30_44", "45_64", "65_79", "80_plus")  # the survey's keys
AGE_WEIGHTS = (0.10, 0.26, 0.36, 0.22, 0.06)
GENDERS = ("woman", "man", "other")
GENDER_WEIGHTS = (0.55, 0.43, 0.02)
# People living in Søby, by group, for the representativeness view.
POPULATION: tuple[tuple[str, str, int], ...] = (
    ("district", "Nordby", 14_800),
    ("district", "Sydhavn", 11_600),
    ("district", "Centrum", 15_900),
    ("age_band", "18_29", 7_400),
    ("age_band", "30_44", 8_900),
    ("age_band", "45_64", 11_200),
    ("age_band", "65_79", 6_900),
    ("age_band", "80_plus", 2_100),
    ("gender", "woman", 21_300),
    ("gender", "man", 20_700),
    ("gender", "other", 300),
)


@dataclass(frozen=True)
class DemoVoter:
    """One seeded voter: the projects approved, how and when they voted, and their optional answers."""

    approved: tuple[str, ...]
    paper: bool
    cast_on: date
    district: str
    age_band: str | None
    gender: str | None


def demo_voters(voting_ended: date, seed: int = 2025) -> list[DemoVoter]:
    """Draw the same crowd every time: approvals follow each project's appeal in the voter's district."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets  # nosec B311
    voters = []
    first_day = voting_ended - timedelta(days=VOTING_DAYS - 1)
    for _ in range(VOTERS):
        district = rng.choices(DISTRICTS, DISTRICT_WEIGHTS)[0]
        place = DISTRICTS.index(district)
        approved = tuple(p.code for p in FINISHED_PROJECTS if rng.random() < p.appeal[place])
        if not approved:
            approved = (max(FINISHED_PROJECTS, key=lambda p: p.appeal[place]).code,)
        answered = rng.random() < SURVEY_SHARE
        day = min(int(rng.triangular(0, VOTING_DAYS, VOTING_DAYS - 1)), VOTING_DAYS - 1)
        voters.append(
            DemoVoter(
                approved=approved,
                paper=rng.random() < PAPER_SHARE,
                cast_on=first_day + timedelta(days=day),
                district=district,
                age_band=rng.choices(AGE_BANDS, AGE_WEIGHTS)[0] if answered else None,
                gender=rng.choices(GENDERS, GENDER_WEIGHTS)[0] if answered else None,
            )
        )
    return voters
