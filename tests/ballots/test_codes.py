"""Voting codes: `pbvote codes issue` and the printable letters, through the CLI and HTTP."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pbvote.auth.models import Role
from pbvote.ballots import keys
from pbvote.ballots.eligibility import NotEligible, voter_for_code
from pbvote.ballots.models import VotingCode
from pbvote.ballots.services import cast_ballot
from pbvote.core.validation import BallotInput
from pbvote.db import utcnow
from pbvote.extensions import db
from pbvote.processes.models import Eligibility, Phase
from tests.ballots.staff_support import audit_entries, code_budget, count, database_text, issue, login_as
from tests.builders import make_voting_budget


def run_issue(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["codes", "issue", *args])
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_codes_have_at_least_fifty_bits_of_entropy(app: Flask) -> None:
    assert len(set(keys.CODE_ALPHABET)) == len(keys.CODE_ALPHABET) == 32
    bits = keys.CODE_LENGTH * math.log2(len(keys.CODE_ALPHABET))
    assert bits >= 50
    code = keys.new_voting_code()
    symbols = code.replace("-", "")
    assert len(symbols) == keys.CODE_LENGTH and set(symbols) <= set(keys.CODE_ALPHABET)


def test_codes_issue_writes_the_csv_once_and_stores_only_hashes(app: Flask, tmp_path: Path) -> None:
    budget = code_budget()
    target = tmp_path / "codes.csv"
    status, output = run_issue(
        app, str(budget.id), "--count", "40", "-o", str(target), "--batch", "breve marts"
    )
    assert status == 0, output
    rows = read_csv(target)
    assert len(rows) == 40
    plain = [row["code"] for row in rows]
    assert len(set(plain)) == 40
    assert {row["budget_id"] for row in rows} == {str(budget.id)}
    assert {row["batch"] for row in rows} == {"breve marts"}
    assert rows[0]["url"].startswith("http://127.0.0.1:5000/stem/") and "?kode=" in rows[0]["url"]
    assert target.stat().st_mode & 0o077 == 0  # readable by its owner only
    stored = set(db.session.scalars(select(VotingCode.code_hash).where(VotingCode.budget_id == budget.id)))
    assert stored == {keys.code_hash(code) for code in plain}
    everything = database_text()
    for code in plain:
        assert code not in everything and code.replace("-", "") not in everything
    [entry] = audit_entries("codes.issued")
    assert '"count":40' in entry.after and plain[0] not in entry.after


def test_codes_issue_refuses_bad_counts_and_writes_nothing(app: Flask, tmp_path: Path) -> None:
    budget = code_budget()
    for bad in ("0", "-3", "200001"):
        target = tmp_path / f"codes{bad}.csv"
        status, output = run_issue(app, str(budget.id), "--count", bad, "-o", str(target))
        assert status != 0
        assert "200000" in output
        assert not target.exists()
    assert count(VotingCode) == 0


def test_codes_issue_refuses_unknown_budget_wrong_process_and_existing_file(
    app: Flask, tmp_path: Path
) -> None:
    status, output = run_issue(app, "999999", "--count", "5", "-o", str(tmp_path / "a.csv"))
    assert status != 0 and "999999" in output
    account_budget = make_voting_budget(eligibility=Eligibility.ACCOUNT)
    status, output = run_issue(app, str(account_budget.id), "--count", "5", "-o", str(tmp_path / "b.csv"))
    assert status != 0 and "stemmekoder" in output
    over = code_budget()
    over.process.phase = Phase.RESULTS
    db.session.commit()
    status, output = run_issue(app, str(over.id), "--count", "5", "-o", str(tmp_path / "c.csv"))
    assert status != 0
    budget = code_budget()
    existing = tmp_path / "old.csv"
    existing.write_text("precious codes\n", encoding="utf-8")
    status, output = run_issue(app, str(budget.id), "--count", "5", "-o", str(existing))
    assert status != 0 and existing.read_text(encoding="utf-8") == "precious codes\n"
    assert count(VotingCode) == 0
    assert not any((tmp_path / name).exists() for name in ("a.csv", "b.csv", "c.csv"))


def test_codes_each_vote_once(app: Flask) -> None:
    budget = code_budget()
    [code] = issue(budget, 1)
    voter = voter_for_code(budget, code)
    cast_ballot(voter, budget, BallotInput(projects=["P-1"]), retry_key="k" * 32, now=utcnow())
    db.session.commit()
    with pytest.raises(NotEligible):
        voter_for_code(budget, code)


def test_letters_print_one_letter_per_unused_code_from_the_csv(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    budget = code_budget()
    target = tmp_path / "codes.csv"
    assert run_issue(app, str(budget.id), "--count", "3", "-o", str(target))[0] == 0
    plain = [row["code"] for row in read_csv(target)]
    voter = voter_for_code(budget, plain[0])
    cast_ballot(voter, budget, BallotInput(projects=["P-1"]), retry_key="r" * 32, now=utcnow())
    db.session.commit()
    login_as(client, Role.STAFF)
    response = client.post(
        f"/sagsbehandling/afstemning/pulje/{budget.id}/breve",
        data={"file": (target.open("rb"), "codes.csv"), "codes": "", "start": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert page.count('class="letter"') == 2
    assert plain[0] not in page and plain[1] in page and plain[2] in page
    assert page.count('src="data:image/svg+xml') == 2
    assert "Din stemmekode" in page and "Testby Kommune" in page
    assert "1 kode er allerede brugt" in page


def test_letters_refuse_codes_of_another_budget_by_line_number(app: Flask, client: FlaskClient) -> None:
    budget, other = code_budget(), code_budget()
    mine, foreign = issue(budget, 2), issue(other, 1)
    login_as(client, Role.STAFF)
    pasted = f"{mine[0]}\nnot a code\n{foreign[0]}\n{mine[0].lower()}"
    response = client.post(f"/sagsbehandling/afstemning/pulje/{budget.id}/breve", data={"codes": pasted})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Linje 2: dette er ikke en stemmekode." in page
    assert "Linje 3: koden hører ikke til denne pulje." in page
    assert "Linje 4: koden står også på linje 1." in page
    assert 'class="letter"' not in page


def test_letters_from_pasted_codes_start_where_asked(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    plain = issue(budget, 3)
    login_as(client, Role.STAFF)
    url = f"/sagsbehandling/afstemning/pulje/{budget.id}/breve"
    response = client.post(url, data={"codes": ", ".join(plain), "start": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="letter"') == 2 and plain[0] not in page
    too_far = client.post(url, data={"codes": plain[0], "start": "5"})
    assert too_far.status_code == 422
    empty = client.post(url, data={"codes": "  "})
    assert empty.status_code == 422 and "Upload filen med koder eller indsæt koderne." in empty.get_data(
        as_text=True
    )


def test_letters_are_for_staff_only(app: Flask, client: FlaskClient) -> None:
    budget = code_budget()
    url = f"/sagsbehandling/afstemning/pulje/{budget.id}/breve"
    assert client.get(url).status_code == 302
    login_as(client, Role.RESIDENT)
    assert client.get(url).status_code == 403
    assert client.get("/sagsbehandling/afstemning/").status_code == 403


def test_letters_unknown_budget_is_404(app: Flask, client: FlaskClient) -> None:
    login_as(client, Role.STAFF)
    assert client.get("/sagsbehandling/afstemning/pulje/987654/breve").status_code == 404


def test_landing_page_fills_in_the_code_from_the_letters_qr_link(client: FlaskClient) -> None:
    budget = make_voting_budget(eligibility=Eligibility.CODE, projects=[("P-1", 100_00)])
    page = client.get(f"/stem/{budget.process.slug}/?kode=7KQ2-M9XD-4HTR").get_data(as_text=True)
    assert 'value="7KQ2-M9XD-4HTR"' in page
