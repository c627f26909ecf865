"""The voting booth."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ballots", __name__, url_prefix="/stem", template_folder="templates")


@bp.record_once
def _guard_the_freeze(_state: object) -> None:
    """Tell the processes feature how many ballots exist, so it refuses to unfreeze once voting started."""
    from pbvote.ballots.services import process_ballot_count
    from pbvote.processes.freeze import BALLOT_COUNTERS

    if process_ballot_count not in BALLOT_COUNTERS:
        BALLOT_COUNTERS.append(process_ballot_count)
