"""Merging duplicate proposals through HTTP: people and followers move to the kept proposal."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.processes.models import Phase
from pbvote.proposals.models import (
    EventKind,
    Proposal,
    ProposalAuthor,
    ProposalFollower,
    ProposalStatus,
)
from tests.builders import login, make_proposal, make_user
from tests.proposals.review_helpers import (
    audit_entries,
    event_kinds,
    events_of,
    follow,
    fresh,
    mail_to,
    page_text,
    review_setup,
    state,
)


def merge_url(proposal: Proposal) -> str:
    return f"/sagsbehandling/forslag/{proposal.id}/sammenlaeg"


def coauthor_ids(proposal_id: int) -> set[int]:
    db.session.expire_all()
    query = select(ProposalAuthor.user_id).where(ProposalAuthor.proposal_id == proposal_id)
    return set(db.session.scalars(query))


def follower_ids(proposal_id: int) -> set[int]:
    query = select(ProposalFollower.user_id).where(ProposalFollower.proposal_id == proposal_id)
    return set(db.session.scalars(query))


def test_merge_keeps_every_author_and_follower_on_the_kept_proposal(client: FlaskClient) -> None:
    setup = review_setup()
    kept = setup.proposal
    second_author, co_writer, fan, shared_fan = make_user(), make_user(), make_user(), make_user()
    duplicate = make_proposal(setup.process, author=second_author, title="Legeplads i parken ved søen")
    db.session.add(ProposalAuthor(proposal_id=duplicate.id, user_id=co_writer.id))
    db.session.commit()
    follow(duplicate, fan)
    follow(duplicate, shared_fan)
    follow(kept, shared_fan)
    login(client, setup.staff)

    response = client.post(merge_url(kept), data={"duplicates": [duplicate.id]})

    assert response.status_code == 302
    merged = fresh(Proposal, duplicate.id)
    assert merged.status is ProposalStatus.MERGED
    assert merged.merged_into_id == kept.id
    assert coauthor_ids(kept.id) == {second_author.id, co_writer.id}
    assert follower_ids(kept.id) == {fan.id, shared_fan.id}
    assert fresh(Proposal, kept.id).author_id == setup.author.id
    assert EventKind.MERGED in event_kinds(kept.id)
    [event] = events_of(duplicate.id, EventKind.MERGED)
    assert f"#{kept.id}" in event.public_text
    [entry] = audit_entries("proposal.merged")
    assert entry.target_id == str(duplicate.id) and f'"merged_into_id":{kept.id}' in entry.after
    assert len(mail_to(second_author.email)) == 1
    assert "lagt sammen" in mail_to(fan.email)[0].body.lower()


def test_merge_does_not_duplicate_people_who_are_on_both(client: FlaskClient) -> None:
    setup = review_setup()
    duplicate = make_proposal(setup.process, author=setup.author, title="Samme legeplads igen")
    login(client, setup.staff)
    assert client.post(merge_url(setup.proposal), data={"duplicates": [duplicate.id]}).status_code == 302
    assert coauthor_ids(setup.proposal.id) == set()


def test_merge_moves_earlier_merges_onto_the_kept_proposal(client: FlaskClient) -> None:
    setup = review_setup()
    middle = make_proposal(setup.process, title="Mellemste forslag")
    oldest = make_proposal(setup.process, title="Ældste forslag", author=make_user())
    login(client, setup.staff)
    assert client.post(merge_url(middle), data={"duplicates": [oldest.id]}).status_code == 302
    assert client.post(merge_url(setup.proposal), data={"duplicates": [middle.id]}).status_code == 302
    assert fresh(Proposal, oldest.id).merged_into_id == setup.proposal.id
    assert fresh(Proposal, oldest.id).status is ProposalStatus.MERGED
    assert oldest.author_id in coauthor_ids(setup.proposal.id)


def test_merge_refuses_itself_a_closed_proposal_or_another_process(client: FlaskClient) -> None:
    setup = review_setup()
    withdrawn = make_proposal(setup.process, status=ProposalStatus.WITHDRAWN)
    stranger = make_proposal(review_setup().process)
    login(client, setup.staff)
    before = state()
    for duplicate in (setup.proposal, withdrawn, stranger):
        response = client.post(merge_url(setup.proposal), data={"duplicates": [duplicate.id]})
        assert response.status_code == 422
    assert client.post(merge_url(setup.proposal), data={}).status_code == 422
    assert state() == before
    assert fresh(Proposal, withdrawn.id).status is ProposalStatus.WITHDRAWN


def test_merge_outside_the_review_phase_is_refused(client: FlaskClient) -> None:
    setup = review_setup(phase=Phase.PROPOSALS)
    duplicate = make_proposal(setup.process)
    login(client, setup.staff)
    before = state()
    response = client.post(merge_url(setup.proposal), data={"duplicates": [duplicate.id]})
    assert response.status_code == 403
    assert state() == before
    assert fresh(Proposal, duplicate.id).status is ProposalStatus.SUBMITTED


def test_merge_is_refused_to_residents(client: FlaskClient) -> None:
    setup = review_setup()
    duplicate = make_proposal(setup.process)
    login(client, setup.author)
    assert client.post(merge_url(setup.proposal), data={"duplicates": [duplicate.id]}).status_code == 403
    assert fresh(Proposal, duplicate.id).status is ProposalStatus.SUBMITTED


def test_merged_proposal_shows_where_it_went_on_the_review_page(client: FlaskClient) -> None:
    setup = review_setup()
    duplicate = make_proposal(setup.process, title="Dobbelt forslag")
    login(client, setup.staff)
    client.post(merge_url(setup.proposal), data={"duplicates": [duplicate.id]})
    page = page_text(client.get(f"/sagsbehandling/forslag/{duplicate.id}"))
    assert f"#{setup.proposal.id} Ny legeplads i Søparken" in page
