"""Status e-mails to authors and followers, each in their own language, through staff actions over HTTP."""

from __future__ import annotations

from flask.testing import FlaskClient

from pbvote.proposals.models import Feasibility, ProposalAuthor, ProposalStatus
from tests.builders import login, make_proposal, make_user
from tests.proposals.review_helpers import follow, mail_to, outbox, review_setup

REASON = "Stien ligger på privat grund, så kommunen kan ikke anlægge den."


def reject(client: FlaskClient, proposal_id: int, reason: str = REASON) -> None:
    response = client.post(
        f"/sagsbehandling/forslag/{proposal_id}/vurdering",
        data={"feasibility": "not_feasible", "public_reason": reason},
    )
    assert response.status_code == 302


def test_assessment_mails_authors_and_followers_in_danish_by_default(client: FlaskClient) -> None:
    setup = review_setup()
    fan = make_user()
    follow(setup.proposal, fan)
    login(client, setup.staff)

    reject(client, setup.proposal.id)

    for person in (setup.author, fan):
        [mail] = mail_to(person.email)
        assert mail.subject == "Nyt om forslaget »Ny legeplads i Søparken«"
        assert f"Hej {person.display_name}" in mail.body
        assert "Status: Kan ikke gennemføres" in mail.body
        assert f"Begrundelse: {REASON}" in mail.body
        assert f"http://localhost/forslag/{setup.proposal.id}" in mail.body
    assert len(outbox()) == 2


def test_assessment_mails_an_english_user_in_english(client: FlaskClient) -> None:
    setup = review_setup()
    reader = make_user(locale="en", display_name="Jane Reader")
    follow(setup.proposal, reader)
    login(client, setup.staff)

    reject(client, setup.proposal.id)

    [mail] = mail_to(reader.email)
    assert mail.subject == "News about the proposal “Ny legeplads i Søparken”"
    assert "Hello Jane Reader," in mail.body
    assert "Status: Not feasible" in mail.body
    assert f"Reason: {REASON}" in mail.body
    [danish] = mail_to(setup.author.email)
    assert "Status: Kan ikke gennemføres" in danish.body


def test_each_person_gets_one_mail_even_as_author_and_follower(client: FlaskClient) -> None:
    setup = review_setup()
    co_writer = make_user()
    from pbvote.extensions import db

    db.session.add(ProposalAuthor(proposal_id=setup.proposal.id, user_id=co_writer.id))
    db.session.commit()
    follow(setup.proposal, setup.author)
    follow(setup.proposal, co_writer)
    follow(setup.proposal, make_user(active=False))
    login(client, setup.staff)

    reject(client, setup.proposal.id)

    assert sorted(mail.recipient for mail in outbox()) == sorted([setup.author.email, co_writer.email])


def test_cost_change_alone_sends_no_mail_but_a_new_verdict_does(client: FlaskClient) -> None:
    setup = review_setup(
        status=ProposalStatus.FEASIBLE, vetted_cost=10_000_000, feasibility=Feasibility.FEASIBLE
    )
    login(client, setup.staff)
    url = f"/sagsbehandling/forslag/{setup.proposal.id}/vurdering"
    client.post(url, data={"feasibility": "feasible", "vetted_cost": "120.000"})
    assert outbox() == []
    client.post(
        url, data={"feasibility": "needs_changes", "vetted_cost": "120.000", "public_reason": "Flyt den."}
    )
    [mail] = outbox()
    assert "Status: Skal ændres" in mail.body or "Status: Kræver ændringer" in mail.body


def test_placing_on_the_ballot_mails_with_the_new_status(client: FlaskClient) -> None:
    setup = review_setup(status=ProposalStatus.FEASIBLE, vetted_cost=10_000_000)
    make_proposal(setup.process)
    login(client, setup.staff)
    assert client.post(f"/sagsbehandling/forslag/{setup.proposal.id}/stemmeseddel").status_code == 302
    [mail] = mail_to(setup.author.email)
    assert "stemmesedlen" in mail.body
