"""Projects that exclude each other (two plans for the same square) cannot both be on one ballot."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from pbvote.ballots.eligibility import voter_for_account
from pbvote.ballots.models import Ballot, Participation
from pbvote.ballots.services import cast_ballot
from pbvote.core.validation import BallotInput, BallotInvalid
from pbvote.db import utcnow
from pbvote.extensions import db
from tests.builders import make_voting_budget


def test_cast_refuses_two_projects_of_one_exclusion_group_and_writes_nothing(app: Flask) -> None:
    budget = make_voting_budget(
        projects=[
            ("P-1", 100_00, {"exclusion_group": "torvet"}),
            ("P-2", 100_00, {"exclusion_group": "torvet"}),
            ("P-3", 100_00),
        ],
    )
    with pytest.raises(BallotInvalid) as refused:
        cast_ballot(
            voter_for_account(1), budget, BallotInput(projects=["P-1", "P-2"]), retry_key="k1", now=utcnow()
        )
    db.session.rollback()
    assert [violation.code for violation in refused.value.violations] == ["mutually_exclusive"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
    receipt = cast_ballot(
        voter_for_account(1), budget, BallotInput(projects=["P-1", "P-3"]), retry_key="k2", now=utcnow()
    )
    db.session.commit()
    assert receipt
