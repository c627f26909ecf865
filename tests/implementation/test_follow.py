"""Following a process's winners: double opt-in, a mail per follower on news, unsubscribe, no ballot link."""

from __future__ import annotations

import io
import re
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import Date, inspect, select

from pbvote.extensions import db
from pbvote.implementation.models import ImplementationFollower
from pbvote.processes.models import Phase
from tests.ballots.booth_helpers import booth_url, vote
from tests.builders import login, make_process, make_user, make_voting_budget
from tests.implementation.helpers import (
    add_follower,
    counted_process,
    counts,
    english,
    mail_to,
    mails,
    staff_url,
    text,
)
from tests.proposals.helpers import picture


def followers() -> list[ImplementationFollower]:
    db.session.expire_all()
    return list(db.session.scalars(select(ImplementationFollower).order_by(ImplementationFollower.id)))


def link_in(body: str, path: str) -> str:
    [url] = re.findall(rf"http://localhost(/udfoerelse/{path}/[\w-]+)", body)
    return url


def test_follow_sends_a_confirmation_link_and_only_confirmed_addresses_get_news(client: FlaskClient) -> None:
    setup = counted_process()
    response = english(client).post(
        f"/udfoerelse/{setup.process.slug}/foelg", data={"email": " Fan@Example.dk "}
    )
    assert response.status_code == 200 and "Check your e-mail" in text(response)
    [follower] = followers()
    assert follower.email == "fan@example.dk" and not follower.confirmed and follower.locale == "en"
    [mail] = mail_to("fan@example.dk")
    assert mail.subject == f"Confirm that you want news of {setup.process.title_en}"

    confirm = link_in(mail.body, "bekraeft")
    assert "Yes, send me news" in text(client.get(confirm))
    assert not followers()[0].confirmed  # opening the link (as a mail scanner would) confirms nothing
    assert client.post(confirm).status_code == 302
    assert followers()[0].confirmed


def test_following_twice_keeps_one_row_and_says_the_same(client: FlaskClient) -> None:
    setup = counted_process()
    url = f"/udfoerelse/{setup.process.slug}/foelg"
    add_follower(setup.process, "fan@example.dk")
    first = text(english(client).post(url, data={"email": "fan@example.dk"}))
    assert "Check your e-mail" in first
    assert len(followers()) == 1 and mails() == []  # already confirmed: nothing is sent


def test_a_bad_address_is_refused_and_nothing_written(client: FlaskClient) -> None:
    setup = counted_process()
    before = counts()
    response = english(client).post(
        f"/udfoerelse/{setup.process.slug}/foelg", data={"email": "ikke-en-adresse"}
    )
    assert response.status_code == 422 and "Enter a valid e-mail address." in text(response)
    assert counts() == before


def test_the_follow_form_is_open_from_voting_and_prefilled_for_a_logged_in_user(client: FlaskClient) -> None:
    budget = make_voting_budget()
    resident = make_user(email="borger@example.dk")
    login(client, resident)
    page = text(client.get(f"/udfoerelse/{budget.process.slug}/foelg"))
    assert 'value="borger@example.dk"' in page
    draft = make_process(phase=Phase.DRAFT)
    assert client.get(f"/udfoerelse/{draft.slug}/foelg").status_code == 404


def test_the_receipt_page_links_to_the_follow_form(client: FlaskClient) -> None:
    from pbvote.processes.models import Eligibility

    budget = make_voting_budget(eligibility=Eligibility.OPEN)
    vote(client, budget, {"project": ["P-1"]})
    page = text(client.get(booth_url(budget) + "/kvittering"))
    assert f'href="/udfoerelse/{budget.process.slug}/foelg"' in page


def test_each_confirmed_follower_gets_one_mail_per_update_with_their_own_unsubscribe_link(
    client: FlaskClient,
) -> None:
    setup = counted_process()
    tokens = {email: add_follower(setup.process, email) for email in ("a@example.dk", "b@example.dk")}
    add_follower(setup.process, "ubekraeftet@example.dk", confirmed=False)
    add_follower(make_process(phase=Phase.RESULTS), "anden@example.dk")
    login(client, setup.staff)
    response = client.post(
        staff_url(setup, "P-1", "opdatering"),
        data={
            "happened_on": date.today().isoformat(),
            "text": "Bænkene er sat op.",
            "photo_1": (io.BytesIO(picture()), "foto.png"),
            "alt_1": "Tre nye bænke",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert sorted(mail.recipient for mail in mails()) == ["a@example.dk", "b@example.dk"]
    for email, token in tokens.items():
        [mail] = mail_to(email)
        assert mail.subject == "News about the project “Bænke i Byparken”"
        assert "Bænkene er sat op." in mail.body and "The update has 1 photo." in mail.body
        assert f"http://localhost/udfoerelse/{setup.process.slug}/P-1" in mail.body
        assert f"http://localhost/udfoerelse/afmeld/{token}" in mail.body


def test_a_new_status_is_mailed_but_a_new_percentage_alone_is_not(client: FlaskClient) -> None:
    setup = counted_process()
    add_follower(setup.process, "fan@example.dk")
    login(client, setup.staff)
    url = staff_url(setup, "P-2", "status")
    client.post(url, data={"status": "planned", "percent": "5"})
    assert mails() == []  # still planned: no news
    client.post(url, data={"status": "cancelled", "percent": "5", "cancel_reason": "Ingen byggetilladelse."})
    [mail] = mail_to("fan@example.dk")
    assert "Status: Cancelled" in mail.body and "Reason: Ingen byggetilladelse." in mail.body
    assert "Ny legeplads" in mail.subject


def test_each_follower_gets_the_mail_in_the_language_they_followed_in(client: FlaskClient) -> None:
    setup = counted_process()
    add_follower(setup.process, "dansk@example.dk", locale="da")
    add_follower(setup.process, "english@example.dk", locale="en")
    login(client, setup.staff)
    client.post(staff_url(setup, "P-1", "status"), data={"status": "done", "percent": "100"})
    [english_mail] = mail_to("english@example.dk")
    [danish_mail] = mail_to("dansk@example.dk")
    assert "Status: Done" in english_mail.body
    assert setup.process.title_da in danish_mail.body and setup.process.title_en in english_mail.body


def test_unsubscribe_deletes_the_address_and_stops_the_mails(client: FlaskClient) -> None:
    setup = counted_process()
    token = add_follower(setup.process, "fan@example.dk")
    english(client)
    assert "Stop the e-mails" in text(client.get(f"/udfoerelse/afmeld/{token}"))
    assert len(followers()) == 1  # opening the link removes nothing by itself
    response = client.post(f"/udfoerelse/afmeld/{token}")
    assert response.status_code == 200 and "Your e-mail address has been deleted." in text(response)
    assert followers() == []
    assert client.post(f"/udfoerelse/afmeld/{token}").status_code == 404

    login(client, setup.staff)
    client.post(staff_url(setup, "P-1", "status"), data={"status": "in_progress", "percent": "20"})
    assert mails() == []


def test_a_follower_row_holds_no_link_to_ballots_budgets_or_the_time_of_voting() -> None:
    table = inspect(ImplementationFollower).local_table
    assert {column.name for column in table.columns} == {
        "id",
        "process_id",
        "email",
        "locale",
        "token",
        "confirmed",
        "created_on",
    }
    assert {fk.column.table.name for fk in table.foreign_keys} == {"process"}
    assert isinstance(table.c.created_on.type, Date)  # a day, not a moment that could match a vote
