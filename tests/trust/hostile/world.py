"""A hostile world: the demo municipality with a payload in every user-controlled text column.

The demo seeds every kind of row the pages show (processes in each phase, proposals, reports, ballots, a
counted and published result, implementation news, a workshop); then every text a resident, staff member or
admin can write is overwritten with payloads, published results are recounted so their stored reports carry
the poisoned titles too, and the audit log gets entries whose changes are payloads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from pbvote.audit.services import record_audit
from pbvote.auth.models import User
from pbvote.db import Base, utcnow
from pbvote.demo import DEMO_PASSWORD, seed_demo
from pbvote.extensions import db
from pbvote.outbox.services import queue_email
from pbvote.results.models import TallyRun
from pbvote.results.services import publish_run, tally_budget
from pbvote.workshop.services import create_workshop
from tests.trust.hostile.payloads import XSS_PAYLOADS

# Text columns people write (table -> columns); slugs, e-mails, codes, hashes and tokens are not free text.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "municipality": ("name",),
    "user": ("display_name",),
    "process": ("title_da", "title_en", "summary_da", "summary_en", "description_da", "description_en"),
    "process_phase": ("text_da", "text_en"),
    "budget": ("name_da", "name_en"),
    "category": ("name_da", "name_en"),
    "proposal": ("title", "summary", "description", "address", "public_reason", "hidden_reason"),
    "proposal_image": ("alt_text",),
    "proposal_event": ("public_text",),
    "proposal_report": ("reason",),
    "project": ("title", "summary"),
    "project_progress": ("cancel_reason",),
    "progress_update": ("text",),
    "progress_photo": ("alt_text",),
    "population_share": ("group",),
    "voting_code": ("batch",),
    "ballot": ("station",),
    "outbox_message": ("subject", "body", "last_error"),
}
# Columns whose equal values must stay equal (they match rows up): one payload per distinct value.
SHARED_TEXT: dict[str, tuple[str, ...]] = {
    "budget": ("district",),
    "census_entry": ("district",),
    "survey_response": ("district",),
    "project": ("exclusion_group",),
}
VOTING_SLUG = "borgerbudget-soeby-2026"  # the demo process voting by code
ROLE_EMAILS = {"resident": "borger@demo.dk", "staff": "sagsbehandler@demo.dk", "admin": "admin@demo.dk"}
PASSWORD = DEMO_PASSWORD


def models_by_table() -> dict[str, type]:
    return {mapper.local_table.name: mapper.class_ for mapper in Base.registry.mappers}


def poisoned(index: int, limit: int | None) -> str:
    """The payload at ``index``, cut to the column's length."""
    payload = XSS_PAYLOADS[index % len(XSS_PAYLOADS)]
    return payload[:limit] if limit else payload


def rows(model: type) -> Iterator[Any]:
    yield from db.session.scalars(select(model).order_by(*model.__table__.primary_key.columns))


def poison_all(offset: int = 0) -> int:
    """Overwrite every free-text column of every row with payloads (rotating); returns the cells changed."""
    models, changed, counter = models_by_table(), 0, offset
    for table, columns in FREE_TEXT.items():
        model = models[table]
        for row in rows(model):
            for column in columns:
                limit = model.__table__.c[column].type.length
                if column in ("name_da", "name_en") and table == "category":
                    limit = min(limit or 80, 80)
                setattr(row, column, poisoned(counter, limit))
                counter += 7  # a different payload in the next cell
                changed += 1
    shared: dict[str | None, str] = {}
    for table, columns in SHARED_TEXT.items():
        model = models[table]
        for row in rows(model):
            for column in columns:
                value = getattr(row, column)
                if value:
                    limit = model.__table__.c[column].type.length
                    shared.setdefault(value, poisoned(offset + 3 + 5 * len(shared), limit))
                    setattr(row, column, shared[value])
                    changed += 1
    db.session.flush()
    return changed


def recount_published() -> None:
    """Count the published budgets again, so stored reports carry the poisoned titles, and publish them."""
    for run in list(db.session.scalars(select(TallyRun).where(TallyRun.published_at.is_not(None)))):
        fresh = tally_budget(run.budget, actor=None, now=utcnow())
        publish_run(fresh, actor=None, now=utcnow())
    db.session.flush()


def hostile_audit_and_mail(offset: int = 0) -> None:
    """Audit entries and e-mails whose contents are payloads (the audit page shows before → after)."""
    admin = db.session.scalar(select(User).where(User.email == ROLE_EMAILS["admin"]))
    for index in range(0, len(XSS_PAYLOADS), 6):
        payload = poisoned(offset + index, None)
        record_audit(
            admin,
            "proposal.assessed",
            ("proposal", str(index)),
            before={"public_reason": payload, payload[:40]: "x"},
            after={"public_reason": poisoned(offset + index + 1, None), "title": payload},
            now=utcnow(),
        )
        queue_email("borger@demo.dk", poisoned(offset + index, 200), payload, now=utcnow())


def build_hostile_world(offset: int = 0) -> list[str]:
    """Seed the demo, add a workshop, poison every text and commit; returns the demo's voting codes."""
    codes = seed_demo() or []
    db.session.flush()
    create_workshop(None, "da", now=utcnow())
    db.session.flush()
    poison_all(offset)
    recount_published()
    hostile_audit_and_mail(offset)
    db.session.commit()
    return codes


def editable_by_the_resident() -> list[int]:
    """The resident's own editable proposals: the index lists them in an order the crawl may not reach."""
    from pbvote.proposals.models import Proposal
    from pbvote.proposals.policies import can_edit

    resident = db.session.scalar(select(User).where(User.email == ROLE_EMAILS["resident"]))
    proposals = db.session.scalars(select(Proposal).order_by(Proposal.id))
    return [proposal.id for proposal in proposals if can_edit(resident, proposal, utcnow())]


def start_urls(app: Any) -> list[str]:
    """Every page without arguments, plus the pages links do not lead to (booths, workshops, pictures)."""
    from pbvote.implementation.models import ProgressPhoto
    from pbvote.processes.models import Budget, Process
    from pbvote.proposals.models import ProposalImage
    from pbvote.workshop.models import Workshop

    urls = [rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments]
    for process in db.session.scalars(select(Process)):
        urls += [f"/stem/{process.slug}/", f"/processer/{process.slug}", f"/resultater/{process.slug}"]
        urls += [f"/api/v1/processes/{process.slug}"]
    for budget in db.session.scalars(select(Budget)):
        urls += [f"/stem/pulje/{budget.id}", f"/stem/pulje/{budget.id}/kvitteringer"]
        urls += [f"/api/v1/budgets/{budget.id}/projects", f"/api/v1/budgets/{budget.id}/results"]
    for workshop in db.session.scalars(select(Workshop)):
        code = workshop.join_code
        urls += [f"/j/{code}", f"/w/{code}/projektor", f"/w/{code}/projektor/scene", f"/w/{code}/status.json"]
        urls += [f"/w/{code}/qr.svg", f"/sagsbehandling/workshops/{workshop.id}"]
    urls += [f"/forslag/billede/{image.token}" for image in db.session.scalars(select(ProposalImage))]
    urls += [f"/forslag/{proposal_id}/rediger" for proposal_id in editable_by_the_resident()]
    urls += [f"/udfoerelse/foto/{photo.token}" for photo in db.session.scalars(select(ProgressPhoto))]
    return [url for url in urls if not url.startswith("/static")]
