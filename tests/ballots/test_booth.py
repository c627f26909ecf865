"""The voting booth through HTTP, without JavaScript: every ballot kind, review, casting, receipts."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from pbvote.ballots.models import Ballot, BallotLine, Participation
from pbvote.core.types import BallotKind
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase
from pbvote.proposals.models import ProposalImage
from tests.ballots.booth_helpers import (
    booth_url,
    box,
    card_order,
    chosen_in_form,
    confirm,
    count,
    review,
    stored_lines,
    text,
    vote,
)
from tests.builders import make_category, make_proposal, make_voting_budget
from tests.proposals.helpers import picture

OPEN = Eligibility.OPEN
KNAPSACK = (("P-1", 100_000_00), ("P-2", 300_000_00), ("P-3", 450_000_00))


def test_booth_approval_vote_is_stored_once_and_its_receipt_counted(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN, max_projects=2)
    receipt = vote(client, budget, {"project": ["P-3", "P-1"]})
    assert (count(Participation), count(Ballot), count(BallotLine)) == (1, 1, 2)
    assert stored_lines(budget) == [("P-1", 1), ("P-3", 1)]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    page = text(client.get(booth_url(budget) + "/kvittering"))
    assert "Din stemme i" in page and "er modtaget og talt med." in page
    looked_up = text(client.post(booth_url(budget) + "/kvitteringer", data={"receipt": receipt}))
    assert "Talt med" in looked_up


def test_booth_knapsack_bar_shows_spent_left_and_total_and_why_a_project_no_longer_fits(
    client: FlaskClient,
) -> None:
    budget = make_voting_budget(kind=BallotKind.KNAPSACK, eligibility=OPEN, projects=KNAPSACK)
    page = text(client.post(booth_url(budget), data={"add": "P-2"}))
    assert chosen_in_form(page) == ["P-2"]
    assert re.search(r"Valgt for</dt><dd[^>]*>300.000\xa0kr.</dd>", page)
    assert re.search(r"Tilbage</dt><dd[^>]*>200.000\xa0kr.</dd>", page)
    assert re.search(r"Budget i alt</dt><dd>500.000\xa0kr.</dd>", page)
    assert 'aria-live="polite"' in page
    blocked = re.search(
        r'<button[^>]*value="P-3"[^>]*disabled>\s*<span class="button-text">([^<]+)</span>', page
    )
    assert blocked is not None and blocked.group(1) == "Passer ikke – der er 200.000\xa0kr. tilbage"
    page = text(client.post(booth_url(budget), data={"project": ["P-2"], "remove": "P-2"}))
    assert chosen_in_form(page) == []


def test_booth_knapsack_vote_within_budget_and_minimum_share(client: FlaskClient) -> None:
    budget = make_voting_budget(
        kind=BallotKind.KNAPSACK, eligibility=OPEN, projects=KNAPSACK, min_spent_percent=50
    )
    response = client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1"]})
    assert response.status_code == 422
    assert (
        "Dine projekter skal tilsammen koste mindst 250.000\xa0kr.; dine valg koster 100.000\xa0kr."
        in text(response)
    )
    vote(client, budget, {"project": ["P-1", "P-2"]})
    assert stored_lines(budget) == [("P-1", 1), ("P-2", 1)]


def test_booth_cumulative_vote_stores_the_points(client: FlaskClient) -> None:
    budget = make_voting_budget(
        kind=BallotKind.CUMULATIVE, eligibility=OPEN, points=10, max_points_per_project=6
    )
    page = text(
        client.post(booth_url(budget), data={"points-P-1": "4", "points-P-3": "3", "action": "update"})
    )
    assert re.search(r'Point givet</dt><dd><span data-bar="points-used">7</span> af 10', page)
    assert re.search(r'Point tilbage</dt><dd data-bar="points-left">3</dd>', page)
    assert 'name="points-P-1" value="4"' in page
    vote(client, budget, {"points-P-1": "4", "points-P-2": "", "points-P-3": "6"})
    assert stored_lines(budget) == [("P-1", 4), ("P-3", 6)]


def test_booth_ranked_vote_keeps_the_order_chosen_with_up_and_down(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.RANKED, eligibility=OPEN, max_projects=3)
    chosen: list[str] = []
    for code in ("P-2", "P-3", "P-1"):
        chosen = chosen_in_form(text(client.post(booth_url(budget), data={"project": chosen, "add": code})))
    assert chosen == ["P-2", "P-3", "P-1"]
    page = text(client.post(booth_url(budget), data={"project": chosen, "up": "P-1"}))
    assert chosen_in_form(page) == ["P-2", "P-1", "P-3"]
    page = text(client.post(booth_url(budget), data={"project": ["P-2", "P-1", "P-3"], "down": "P-2"}))
    assert chosen_in_form(page) == ["P-1", "P-2", "P-3"]
    vote(client, budget, {"project": ["P-1", "P-2", "P-3"]})
    assert stored_lines(budget) == [("P-1", 1), ("P-2", 2), ("P-3", 3)]


def test_booth_full_ranking_says_so_on_the_add_buttons(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.RANKED, eligibility=OPEN, max_projects=2)
    page = text(client.post(booth_url(budget), data={"project": ["P-1"]}))
    assert '<span class="button-text">Din rangering er fuld (2 projekter)</span>' not in page
    page = text(client.post(booth_url(budget), data={"project": ["P-1"], "add": "P-3"}))
    blocked = re.search(r'value="P-2"[^>]*disabled>\s*<span class="button-text">([^<]+)</span>', page)
    assert blocked is not None and blocked.group(1) == "Din rangering er fuld (2 projekter)"


def test_booth_review_lists_the_choices_and_warns_that_the_vote_is_final(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.KNAPSACK, eligibility=OPEN, projects=KNAPSACK)
    response = client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1", "P-2"]})
    page = text(response)
    assert response.status_code == 200
    assert "Projekt P-1" in page and "Projekt P-2" in page and "Projekt P-3" not in page
    assert "I alt: 400.000\xa0kr. af 500.000\xa0kr." in page
    assert "Du kan ikke ændre din stemme bagefter." in page
    assert count(Participation) == 0
    back = text(client.post(booth_url(budget), data={"project": ["P-1", "P-2"]}))
    assert chosen_in_form(back) == ["P-1", "P-2"]


def test_booth_refuses_an_invalid_ballot_at_review_with_every_reason(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN, min_projects=2, max_projects=2)
    response = client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1"]})
    assert response.status_code == 422
    assert "Vælg mindst 2 projekter. Du har valgt 1." in text(response)


def test_booth_shows_a_random_order_of_its_own_per_voter_that_survives_a_reload(
    client: FlaskClient, app: object
) -> None:
    projects = [(f"P-{n}", 10_000_00) for n in range(1, 11)]
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN, projects=projects)
    first = text(client.get(booth_url(budget)))
    assert "Projekterne vises i tilfældig rækkefølge" in first
    assert card_order(first) == card_order(text(client.get(booth_url(budget))))
    others = [text(app.test_client().get(booth_url(budget))) for _ in range(12)]  # type: ignore[attr-defined]
    assert all(sorted(card_order(page)) == sorted(card_order(first)) for page in others)
    orders = {tuple(card_order(page)) for page in [first, *others]}
    assert len(orders) > 1  # 13 visitors each drawing one of 64 orders: all alike 1 in 64^12


def test_booth_sorts_by_cost_on_request(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.KNAPSACK, eligibility=OPEN, projects=KNAPSACK[::-1])
    page = text(client.get(booth_url(budget) + "?order=cost"))
    assert card_order(page) == ["P-1", "P-2", "P-3"]


def test_booth_filters_by_category_and_refuses_unknown_filters(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    nature = make_category(budget.process, name_da="Natur")
    budget.projects[0].category_id = nature.id
    db.session.commit()
    page = text(client.post(booth_url(budget), data={"category": str(nature.id), "action": "filter"}))
    assert re.search(r'id="card-P-1"\s+data-code', page)  # shown
    assert re.search(r'id="card-P-2"[^>]*hidden>', page, re.S)  # hidden, but still on the page
    assert client.get(booth_url(budget) + "?category=999").status_code == 400
    assert client.get(booth_url(budget) + "?order=popular").status_code == 400


def test_booth_card_shows_the_proposal_picture_and_links_to_read_more(client: FlaskClient) -> None:
    budget = make_voting_budget(
        kind=BallotKind.APPROVAL, eligibility=OPEN, projects=[("P-1", 100), ("P-2", 200)]
    )
    proposal = make_proposal(budget.process, budget=budget)
    proposal.images.append(
        ProposalImage(
            token="t" * 32, mime_type="image/png", width=40, height=30, alt_text="En bænk", data=picture()
        )
    )
    budget.projects[0].proposal_id = proposal.id
    budget.projects[1].summary = "Lang tekst. " * 40
    db.session.commit()
    page = text(client.get(booth_url(budget)))
    assert f'src="/forslag/billede/{"t" * 32}" alt="En bænk"' in page
    assert f'href="/forslag/{proposal.id}"' in page
    assert '<details class="card-more">' in page


def test_booth_double_submit_of_one_confirmation_gives_one_ballot_and_the_same_receipt(
    client: FlaskClient, app: object
) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    data = {"project": ["P-1"]}
    key = review(client, budget, data)
    first = confirm(client, budget, data, key)
    again = confirm(client, budget, data, key)
    assert first.status_code == again.status_code == 302
    assert box()[:2] == (1, 1)
    receipt_page = text(client.get(first.location))
    other_tab = app.test_client()  # type: ignore[attr-defined]
    other_tab.set_cookie(  # the same browser, before the first answer arrived: no receipt in its session
        "pbvote_voter",
        client.get_cookie("pbvote_voter").value,  # type: ignore[union-attr]
    )
    third = confirm(other_tab, budget, data, key)
    assert third.status_code == 302
    assert text(other_tab.get(third.location)).count("<code>") == receipt_page.count("<code>")
    assert re.findall(r"<code>([^<]+)</code>", text(other_tab.get(third.location))) == re.findall(
        r"<code>([^<]+)</code>", receipt_page
    )
    assert box()[:2] == (1, 1)


def test_booth_refuses_a_second_vote_by_the_same_voter(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    vote(client, budget, {"project": ["P-1"]})
    response = confirm(client, budget, {"project": ["P-2"]}, "k" * 32)
    assert response.status_code == 409
    assert "Du har allerede stemt i denne pulje. Hver person kan stemme én gang." in text(response)
    assert box()[:3] == (1, 1, 1)
    assert "Du har allerede stemt" in text(client.get(booth_url(budget)))


def test_booth_refuses_voting_before_and_after_the_voting_phase(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    for phase, words in ((Phase.REVIEW, "er ikke åbnet endnu"), (Phase.COUNTING, "er slut")):
        budget.process.phase = phase
        db.session.commit()
        for response in (
            client.get(booth_url(budget)),
            client.get(f"/stem/{budget.process.slug}/"),
            client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1"]}),
            confirm(client, budget, {"project": ["P-1"]}, "k" * 32),
        ):
            assert response.status_code == 403
            assert words in text(response)
    assert box() == (0, 0, 0, 0)


def test_booth_refuses_a_voting_process_whose_rules_are_not_frozen(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    budget.process.frozen_at = None
    db.session.commit()
    assert confirm(client, budget, {"project": ["P-1"]}, "k" * 32).status_code == 403
    assert box() == (0, 0, 0, 0)


def test_booth_pages_are_never_cached(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    assert client.get(booth_url(budget)).headers["Cache-Control"] == "no-store"
    response = client.post(booth_url(budget) + "/gennemse", data={"project": ["P-1"]})
    assert response.headers["Cache-Control"] == "no-store"
    vote(client, budget, {"project": ["P-1"]})
    assert client.get(booth_url(budget) + "/kvittering").headers["Cache-Control"] == "no-store"


def test_booth_unknown_budget_and_draft_process_are_not_found(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    assert client.get(booth_url(budget.id + 1000)).status_code == 404
    budget.process.phase = Phase.DRAFT
    db.session.commit()
    assert client.get(booth_url(budget)).status_code == 404
    assert client.get(f"/stem/{budget.process.slug}/").status_code == 404


def test_booth_process_page_links_to_the_vote_while_voting(client: FlaskClient) -> None:
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN)
    page = text(client.get(f"/processer/{budget.process.slug}"))
    assert f'href="/stem/{budget.process.slug}/">Stem nu</a>' in page
    assert f'href="/stem/pulje/{budget.id}/kvitteringer"' in page
    budget.process.phase = Phase.RESULTS
    db.session.commit()
    assert "Stem nu" not in text(client.get(f"/processer/{budget.process.slug}"))


def test_booth_lets_a_voter_vote_citywide_and_in_one_district_only(client: FlaskClient) -> None:
    city = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN, name_da="Hele byen")
    north = make_voting_budget(
        process=city.process, kind=BallotKind.APPROVAL, name_da="Nordby", district="Nordby"
    )
    south = make_voting_budget(
        process=city.process, kind=BallotKind.APPROVAL, name_da="Sydhavn", district="Sydhavn"
    )
    landing = text(client.get(f"/stem/{city.process.slug}/"))
    assert (
        landing.index("Stem i Hele byen") < landing.index("Stem i Nordby") < landing.index("Stem i Sydhavn")
    )
    assert "Du kan stemme i puljen for hele kommunen og i én bydel." in landing
    vote(client, city, {"project": ["P-1"]})
    vote(client, north, {"project": ["P-2"]})
    response = client.get(booth_url(south))
    assert response.status_code == 403
    assert "Du har allerede stemt i Nordby." in text(response)
    assert confirm(client, south, {"project": ["P-1"]}, "k" * 32).status_code == 403
    assert "Du har stemt i en anden bydel." in text(client.get(f"/stem/{city.process.slug}/"))
    assert box()[:2] == (2, 2)


def test_booth_hints_that_projects_of_one_group_exclude_each_other(client: FlaskClient) -> None:
    projects = [
        ("P-1", 100, {"exclusion_group": "torvet"}),
        ("P-2", 100, {"exclusion_group": "torvet"}),
        ("P-3", 100),
    ]
    budget = make_voting_budget(kind=BallotKind.APPROVAL, eligibility=OPEN, projects=projects)
    page = text(client.post(booth_url(budget), data={"add": "P-1"}))
    blocked = re.search(r'value="P-2"[^>]*disabled>\s*<span class="button-text">([^<]+)</span>', page)
    assert (
        blocked is not None and blocked.group(1) == "Kan ikke kombineres med “Projekt P-1”, som du har valgt"
    )
    assert re.search(r'value="P-3"[^>]*>\s*<span class="button-text">Tilføj</span>', page)
