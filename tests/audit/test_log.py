"""Staff browse the audit log; `pbvote audit verify` finds a changed or removed entry."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from pbvote.audit.services import record_audit
from pbvote.auth.models import Role, User
from pbvote.extensions import db
from tests.builders import login, make_user

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def write_entries(
    actor: User | None, count: int, action: str = "process.updated", target_type: str = "process"
) -> None:
    for number in range(count):
        record_audit(
            actor,
            action,
            (target_type, str(number + 1)),
            before={"title_da": f"Gammel {number}"},
            after={"title_da": f"Ny {number}", "amount": number * 100},
            now=START + timedelta(minutes=number),
        )
    db.session.commit()


def test_audit_log_is_for_staff_only(client: FlaskClient) -> None:
    anonymous = client.get("/admin/log/")
    assert anonymous.status_code == 302 and "/konto/log-ind" in anonymous.location
    login(client, make_user(role=Role.RESIDENT))
    assert client.get("/admin/log/").status_code == 403
    login(client, make_user(role=Role.STAFF))
    assert client.get("/admin/log/").status_code == 200


def test_audit_log_shows_newest_first_with_before_and_after(client: FlaskClient) -> None:
    staff = make_user(role=Role.STAFF, email="sagsbehandler@example.dk")
    write_entries(staff, 2)
    write_entries(None, 1, action="budget.created", target_type="budget")
    login(client, staff)
    page = client.get("/admin/log/").get_data(as_text=True)
    assert page.index("budget.created") < page.index("process.updated")
    assert "sagsbehandler@example.dk" in page and "Systemet" in page
    assert "Gammel 1" in page and "Ny 1" in page
    assert "3 hændelser" in page


def test_audit_log_filters_by_action_and_target_type(client: FlaskClient) -> None:
    staff = make_user(role=Role.STAFF)
    write_entries(staff, 2)
    write_entries(staff, 1, action="budget.created", target_type="budget")
    login(client, staff)
    by_action = client.get("/admin/log/?action=budget.created").get_data(as_text=True)
    assert "1 hændelse" in by_action and "process.updated</code>" not in by_action
    by_type = client.get("/admin/log/?target_type=process").get_data(as_text=True)
    assert "2 hændelser" in by_type and "budget.created</code>" not in by_type


@pytest.mark.parametrize("query", ["action=drop.table", "target_type=user", "page=0", "page=abc"])
def test_audit_log_refuses_unknown_filters(client: FlaskClient, query: str) -> None:
    staff = make_user(role=Role.STAFF)
    write_entries(staff, 1)
    login(client, staff)
    assert client.get(f"/admin/log/?{query}").status_code == 400


def test_audit_log_pages_through_older_entries(client: FlaskClient) -> None:
    staff = make_user(role=Role.STAFF)
    write_entries(staff, 55)
    login(client, staff)
    first = client.get("/admin/log/").get_data(as_text=True)
    assert "Side 1 af 2" in first and "Gammel 54" in first and not re.search(r"Gammel 4\b", first)
    second = client.get("/admin/log/?page=2").get_data(as_text=True)
    assert re.search(r"Gammel 4\b", second) and "Gammel 54" not in second
    assert client.get("/admin/log/?page=3").status_code == 404


def test_audit_verify_reports_an_intact_chain(app: Flask) -> None:
    write_entries(None, 3)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "Verified 3 entries" in result.output


def test_audit_verify_names_an_entry_changed_with_raw_sql(app: Flask) -> None:
    write_entries(None, 4)
    third = db.session.execute(text("SELECT id FROM audit_entry ORDER BY id LIMIT 1 OFFSET 2")).scalar_one()
    db.session.execute(
        text("UPDATE audit_entry SET after = :after WHERE id = :id"), {"after": '{"amount":0}', "id": third}
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Entry {third} is broken" in result.output and "changed" in result.output
    assert "Verified 2 entries" in result.output


def test_audit_verify_names_the_entry_after_a_row_deleted_with_raw_sql(app: Flask) -> None:
    write_entries(None, 4)
    ids = list(db.session.execute(text("SELECT id FROM audit_entry ORDER BY id")).scalars())
    db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Entry {ids[2]} is broken" in result.output and "removed" in result.output
