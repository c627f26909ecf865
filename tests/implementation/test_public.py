"""Public implementation pages: absent before results are published, then each winner with its status."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from pbvote.extensions import db
from pbvote.implementation.models import ProgressPhoto, ProgressUpdate
from pbvote.processes.models import Phase
from tests.builders import make_voting_budget
from tests.implementation.helpers import counted_process, english, store_run, text
from tests.proposals.helpers import picture


def test_public_pages_answer_404_before_the_result_is_published(client: FlaskClient) -> None:
    setup = counted_process(published=False, phase=Phase.COUNTING)
    slug = setup.process.slug
    assert client.get(f"/udfoerelse/{slug}").status_code == 404
    assert client.get(f"/udfoerelse/{slug}/P-1").status_code == 404

    store_run(setup.budget, ["P-1", "P-2"], published=True)
    assert client.get(f"/udfoerelse/{slug}").status_code == 200
    assert client.get(f"/udfoerelse/{slug}/P-1").status_code == 200


def test_a_published_run_is_not_shown_while_voting_is_still_open(client: FlaskClient) -> None:
    setup = counted_process(published=True, phase=Phase.VOTING)
    assert client.get(f"/udfoerelse/{setup.process.slug}").status_code == 404


def test_unknown_process_or_losing_project_answers_404(client: FlaskClient) -> None:
    setup = counted_process()
    assert client.get("/udfoerelse/findes-ikke").status_code == 404
    assert client.get(f"/udfoerelse/{setup.process.slug}/P-3").status_code == 404  # did not win
    assert client.get(f"/udfoerelse/{setup.process.slug}/P-9").status_code == 404


def test_overview_lists_the_winners_with_a_status_in_words_and_a_progress_bar(client: FlaskClient) -> None:
    setup = counted_process()
    page = text(english(client).get(f"/udfoerelse/{setup.process.slug}"))
    assert "Bænke i Byparken" in page and "Ny legeplads" in page
    assert "Cykelsti langs åen" not in page  # lost the vote
    assert page.count("Planned</span>") == 2  # the word, not only a colour
    assert page.count('<progress id="progress-') == 2 and "0% done" in page
    assert "Follow the implementation" in page
    assert "No updates yet." in page


def test_winners_with_the_same_code_in_two_budgets_get_their_own_pages(client: FlaskClient) -> None:
    setup = counted_process()
    district = make_voting_budget(
        process=setup.process, projects=(("P-1", 50_000_00, {"title": "Hundeskov i Vest"}),)
    )
    setup.process.phase = Phase.RESULTS
    store_run(district, ["P-1"], published=True)
    slug = setup.process.slug
    page = text(client.get(f"/udfoerelse/{slug}"))
    assert f'href="/udfoerelse/{slug}/{setup.budget.id}-P-1"' in page
    assert f'href="/udfoerelse/{slug}/{district.id}-P-1"' in page
    assert "Hundeskov i Vest" in text(client.get(f"/udfoerelse/{slug}/{district.id}-P-1"))
    assert client.get(f"/udfoerelse/{slug}/P-1").status_code == 404


def test_photos_are_not_served_before_the_result_is_published(client: FlaskClient) -> None:
    setup = counted_process(published=False, phase=Phase.COUNTING)
    project = next(p for p in setup.budget.projects if p.code == "P-1")
    update = ProgressUpdate(project_id=project.id, happened_on=date(2026, 5, 1), text="Forberedelser.")
    update.photos.append(
        ProgressPhoto(
            token="a" * 32, mime_type="image/png", width=40, height=30, alt_text="Foto", data=picture()
        )
    )
    db.session.add(update)
    db.session.commit()
    assert client.get(f"/udfoerelse/foto/{'a' * 32}").status_code == 404
    store_run(setup.budget, ["P-1"], published=True)
    assert client.get(f"/udfoerelse/foto/{'a' * 32}").status_code == 200
    assert client.get(f"/udfoerelse/foto/{'b' * 32}").status_code == 404
