"""Admins create and edit processes, budgets and categories through the admin pages; others may not."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.auth.models import Role
from pbvote.core.types import BallotKind, RuleName
from pbvote.extensions import db
from pbvote.processes.models import Budget, Category, Eligibility, Phase, Process, ProcessPhase
from tests.builders import login, make_budget, make_category, make_process, make_proposal, make_user
from tests.processes.support import audit_actions, budget_form, count, login_admin

PHASE_DATES = [
    ("2027-01-01", "2027-01-31"),
    ("2027-02-01", "2027-03-31"),
    ("2027-04-01", "2027-05-15"),
    ("2027-05-16", "2027-06-05"),
    ("2027-06-06", "2027-06-10"),
    ("2027-06-11", "2027-06-30"),
    ("2027-07-01", "2028-06-30"),
]


def process_form(**overrides: str) -> dict[str, str]:
    data = {
        "title_da": "Borgerbudget Testby 2027",
        "title_en": "PB Testby 2027",
        "slug": "",
        "summary_da": "Bestem over 1 mio. kr.",
        "summary_en": "Decide on 1 million kroner.",
        "description_da": "Læs **reglerne**.",
        "description_en": "Read the **rules**.",
        "currency": "DKK",
        "eligibility": "code",
    }
    for index, (start, end) in enumerate(PHASE_DATES):
        data[f"phases-{index}-starts_on"] = start
        data[f"phases-{index}-ends_on"] = end
        data[f"phases-{index}-text_da"] = f"Tekst {index}"
        data[f"phases-{index}-text_en"] = f"Text {index}"
    data.update(overrides)
    return data


def test_create_process_with_budgets_and_categories(client: FlaskClient) -> None:
    login_admin(client)
    response = client.post("/admin/processer/ny", data=process_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    process = db.session.scalar(select(Process))
    assert process is not None
    assert (process.slug, process.phase, process.eligibility) == (
        "borgerbudget-testby-2027",
        Phase.DRAFT,
        Eligibility.CODE,
    )
    assert [row.phase for row in process.phases] == list(Phase)
    assert process.phases[1].starts_on == date(2027, 2, 1) and process.phases[1].text_en == "Text 1"

    budget = client.post(f"/admin/processer/{process.id}/budgetter/ny", data=budget_form())
    assert budget.status_code == 302
    district = client.post(
        f"/admin/processer/{process.id}/budgetter/ny",
        data=budget_form(
            name_da="Nordby",
            district="Nordby",
            amount="250.000,50",
            ballot_kind="approval",
            max_projects="3",
            rule="mes",
        ),
    )
    assert district.status_code == 302
    for name in ("Natur og miljø", "Trafik"):
        assert (
            client.post(f"/admin/processer/{process.id}/kategorier", data={"name_da": name}).status_code
            == 302
        )

    db.session.expire_all()
    citywide, nordby = db.session.scalars(select(Budget).order_by(Budget.position)).all()
    assert (citywide.amount, citywide.district, citywide.ballot_kind) == (
        50_000_000,
        None,
        BallotKind.KNAPSACK,
    )
    assert (nordby.amount, nordby.district, nordby.max_projects, nordby.rule) == (
        25_000_050,
        "Nordby",
        3,
        RuleName.MES,
    )
    assert [c.name_da for c in db.session.scalars(select(Category).order_by(Category.position))] == [
        "Natur og miljø",
        "Trafik",
    ]
    page = client.get(f"/admin/processer/{process.id}").get_data(as_text=True)
    assert "Nordby" in page and "Trafik" in page and "500.000\xa0kr." in page
    listing = client.get("/admin/processer/").get_data(as_text=True)
    assert "Borgerbudget Testby 2027" in listing and "Kladde" in listing
    actions = [entry.action for entry in audit_actions()]
    assert actions == [
        "process.created",
        "budget.created",
        "budget.created",
        "category.created",
        "category.created",
    ]


def test_create_process_refuses_bad_input_in_danish_and_writes_nothing(client: FlaskClient) -> None:
    login_admin(client)
    bad = process_form(title_da="", slug="Ugyldig adresse!", **{"phases-2-ends_on": "2027-03-01"})
    bad["phases-3-starts_on"] = "2027-13-45"
    response = client.post("/admin/processer/ny", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Feltet skal udfyldes." in page
    assert "Brug kun små bogstaver a–z, tal og bindestreger" in page
    assert "En fase kan ikke slutte, før den begynder." in page
    assert "Skriv en dato som ÅÅÅÅ-MM-DD" in page
    assert count(Process) == 0 and count(ProcessPhase) == 0
    assert audit_actions() == []


def test_create_process_refuses_a_taken_web_address(client: FlaskClient) -> None:
    make_process(slug="taget")
    login_admin(client)
    response = client.post("/admin/processer/ny", data=process_form(slug="taget"))
    assert response.status_code == 422
    assert "En anden proces bruger allerede denne webadresse." in response.get_data(as_text=True)
    assert count(Process) == 1


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"amount": "abc"}, "Skriv et beløb i kroner"),
        ({"amount": "0"}, "Beløbet skal være mere end 0."),
        (
            {"min_projects": "4", "max_projects": "2"},
            "Det højeste antal projekter kan ikke være mindre end det laveste.",
        ),
        ({"ballot_kind": "cumulative", "points": ""}, "En kumulativ stemmeseddel kræver et antal point"),
        (
            {"ballot_kind": "cumulative", "points": "5", "max_points_per_project": "6"},
            "Et projekt kan ikke få flere point, end en vælger har.",
        ),
        ({"min_spent_percent": "120"}, "Skal være mellem 0 og 100."),
        ({"ballot_kind": "quadratic"}, "Vælg en af mulighederne på listen."),
        ({"population": "mange"}, "Skriv et helt tal, fx 5."),
    ],
)
def test_budget_refuses_incoherent_rules_and_writes_nothing(
    client: FlaskClient, overrides: dict[str, str], field_message: str
) -> None:
    process = make_process(phase=Phase.DRAFT)
    login_admin(client)
    response = client.post(f"/admin/processer/{process.id}/budgetter/ny", data=budget_form(**overrides))
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert count(Budget) == 0
    assert audit_actions() == []


def test_budget_edit_changes_rules_and_audits_only_the_changes(client: FlaskClient) -> None:
    process = make_process(phase=Phase.REVIEW)
    budget = make_budget(process, amount=10_000_000)
    login_admin(client)
    form_page = client.get(f"/admin/processer/{process.id}/budgetter/{budget.id}")
    assert form_page.status_code == 200 and 'value="100000"' in form_page.get_data(as_text=True)
    response = client.post(
        f"/admin/processer/{process.id}/budgetter/{budget.id}",
        data=budget_form(name_da=budget.name_da, name_en="", population="", amount="1.234.567"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount == 123_456_700
    (entry,) = audit_actions("budget.updated")
    assert '"amount":10000000' in entry.before and '"amount":123456700' in entry.after
    assert "name_da" not in entry.after


def test_budget_of_another_process_is_not_found(client: FlaskClient) -> None:
    process, other = make_process(), make_process()
    budget = make_budget(other)
    login_admin(client)
    assert client.get(f"/admin/processer/{process.id}/budgetter/{budget.id}").status_code == 404
    assert client.get("/admin/processer/999999").status_code == 404


def test_budget_delete_refuses_a_budget_with_proposals(client: FlaskClient) -> None:
    process = make_process(phase=Phase.PROPOSALS)
    used, unused = make_budget(process), make_budget(process)
    used_id, unused_id = used.id, unused.id
    make_proposal(process, budget=used)
    login_admin(client)
    refused = client.post(f"/admin/processer/{process.id}/budgetter/{used_id}/slet", follow_redirects=True)
    assert "Puljen har forslag og kan derfor ikke slettes." in refused.get_data(as_text=True)
    assert client.post(f"/admin/processer/{process.id}/budgetter/{unused_id}/slet").status_code == 302
    db.session.expire_all()
    assert [b.id for b in db.session.scalars(select(Budget))] == [used_id]
    assert [e.target_id for e in audit_actions("budget.deleted")] == [str(unused_id)]


def test_category_names_must_be_unique_and_can_be_renamed(client: FlaskClient) -> None:
    process = make_process()
    category = make_category(process, name_da="Trafik")
    login_admin(client)
    duplicate = client.post(f"/admin/processer/{process.id}/kategorier", data={"name_da": "trafik"})
    assert duplicate.status_code == 422
    assert "Processen har allerede en kategori med det navn." in duplicate.get_data(as_text=True)
    renamed = client.post(
        f"/admin/processer/{process.id}/kategorier/{category.id}",
        data={"name_da": "Trafik og veje", "name_en": "Traffic and roads"},
    )
    assert renamed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, category.id).name_en == "Traffic and roads"
    assert client.post(f"/admin/processer/{process.id}/kategorier/{category.id}/slet").status_code == 302
    assert count(Category) == 0
    assert [e.action for e in audit_actions()] == ["category.updated", "category.deleted"]


def test_edit_process_saves_texts_and_dates(client: FlaskClient) -> None:
    login_admin(client)
    client.post("/admin/processer/ny", data=process_form())
    process = db.session.scalar(select(Process))
    assert process is not None
    page = client.get(f"/admin/processer/{process.id}/rediger").get_data(as_text=True)
    assert 'value="2027-02-01"' in page and "Borgerbudget Testby 2027" in page
    response = client.post(
        f"/admin/processer/{process.id}/rediger",
        data=process_form(title_da="Nyt navn", slug="nyt-navn", **{"phases-1-ends_on": "2027-03-30"}),
    )
    assert response.status_code == 302
    db.session.expire_all()
    process = db.session.get(Process, process.id)
    assert (process.title_da, process.slug, process.phases[1].ends_on) == (
        "Nyt navn",
        "nyt-navn",
        date(2027, 3, 30),
    )
    (entry,) = audit_actions("process.updated")
    assert "proposals.ends_on" in entry.after and "title_da" in entry.after


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/processer/"),
        ("get", "/admin/processer/ny"),
        ("post", "/admin/processer/ny"),
        ("get", "/admin/processer/{id}"),
        ("post", "/admin/processer/{id}/fase/frem"),
        ("post", "/admin/processer/{id}/budgetter/ny"),
        ("post", "/admin/processer/{id}/kopier"),
    ],
)
def test_admin_pages_refuse_staff_and_residents_and_send_visitors_to_login(
    client: FlaskClient, method: str, path: str
) -> None:
    process = make_process(phase=Phase.DRAFT)
    url = path.format(id=process.id)
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/konto/log-ind" in anonymous.location
    for role in (Role.RESIDENT, Role.STAFF):
        user = make_user(role=role)
        login(client, user)
        assert getattr(client, method)(url).status_code == 403
    db.session.expire_all()
    assert db.session.get(Process, process.id).phase is Phase.DRAFT
    assert count(Budget) == 0 and count(Process) == 1


def test_navigation_shows_administration_to_admins_and_log_to_staff(client: FlaskClient) -> None:
    staff = make_user(role=Role.STAFF)
    login(client, staff)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/log/"' in page and 'href="/admin/processer/"' not in page
    login_admin(client)
    page = client.get("/").get_data(as_text=True)
    assert ">Administration<" in page and 'href="/admin/processer/"' in page


def test_edit_gives_a_process_without_phase_rows_its_seven_phases(client: FlaskClient) -> None:
    process = make_process(phase=Phase.PROPOSALS)
    login_admin(client)
    response = client.post(f"/admin/processer/{process.id}/rediger", data=process_form(slug=process.slug))
    assert response.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(ProcessPhase).where(ProcessPhase.process_id == process.id)).all()
    assert sorted((row.position, row.phase) for row in rows) == list(enumerate(Phase))
