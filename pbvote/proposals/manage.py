"""Staff pages for reviewing proposals: the queue per process, the review page, assignment, the
assessment and merging. The ballot and moderation pages add their routes to the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from pbvote.auth.models import User
from pbvote.auth.policies import can_review
from pbvote.core.errors import DomainError, NotAllowed
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.i18n import select_locale
from pbvote.processes.models import Process
from pbvote.proposals import review, review_policies
from pbvote.proposals.labels import event_label, feasibility_label, status_label
from pbvote.proposals.models import Feasibility, Proposal, ProposalStatus
from pbvote.proposals.review_forms import (
    MINE,
    ActionForm,
    AssessmentForm,
    AssignForm,
    MergeForm,
    ModerationForm,
    QueueFilterForm,
)
from pbvote.proposals.review_queries import (
    NO_REVIEWER,
    QueueFilters,
    merge_candidates,
    open_reports,
    process_for_review,
    project_of,
    proposal_for_review,
    proposals_in_process,
    queue_query,
    reviewable_processes,
    reviewers,
)
from pbvote.urls import safe_next

manage_bp = Blueprint("proposals_manage", __name__, url_prefix="/sagsbehandling", template_folder="templates")
PER_PAGE = 25

Page = str | tuple[str, int]


@manage_bp.before_request
def staff_only() -> Response | None:
    """Every page here is for staff: anonymous visitors log in, residents get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not can_review(current_user):
        abort(403)
    return None


@manage_bp.context_processor
def review_helpers() -> dict[str, object]:
    """Labels and policies the staff templates need."""
    return {
        "status_label": status_label,
        "feasibility_label": feasibility_label,
        "event_label": event_label,
        "review_policies": review_policies,
        "now": utcnow(),
    }


@manage_bp.app_template_global("can_review_proposals")
def can_review_proposals() -> bool:
    """Whether the menu shows the link to the review queues."""
    return can_review(current_user)


def me() -> User:
    """The logged-in staff member as a real row (services store their id)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def refused(exc: DomainError) -> int:
    """Undo the attempt, show why, and pick the status: 403 when not allowed now, else 422."""
    db.session.rollback()
    flash(str(exc), "error")
    return 403 if isinstance(exc, NotAllowed) else 422


def process_or_404(process_id: int) -> Process:
    process = process_for_review(process_id)
    if process is None:
        abort(404)
    return process


def proposal_or_404(proposal_id: int) -> Proposal:
    proposal = proposal_for_review(proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@manage_bp.get("/")
def index() -> str:
    """The processes, each with a link to its queue and ballot, and the open reports."""
    return render_template(
        "proposals/manage/index.html", processes=reviewable_processes(), report_count=len(open_reports())
    )


@manage_bp.get("/<int:process_id>/forslag")
def queue(process_id: int) -> str:
    """A process's proposals, filtered, sorted and paginated, with bulk assignment."""
    process = process_or_404(process_id)
    return render_template(
        "proposals/manage/queue.html", **queue_context(process, QueueFilterForm(formdata=request.args))
    )


def queue_context(process: Process, filters_form: QueueFilterForm) -> dict[str, object]:
    """What the queue page shows; an unknown filter or sort value is a bad request."""
    staff = reviewers()
    filters_form.set_choices(process.budgets, staff, select_locale())
    if not filters_form.validate():
        abort(400)
    reviewer: int | str | None = filters_form.reviewer.data or None
    if reviewer == MINE:
        reviewer = current_user.id
    elif reviewer not in (None, NO_REVIEWER):
        reviewer = int(str(reviewer))
    filters = QueueFilters(
        status=ProposalStatus(filters_form.status.data) if filters_form.status.data else None,
        budget_id=int(filters_form.budget.data) if filters_form.budget.data else None,
        reviewer=reviewer,
        sort=filters_form.sort.data,
    )
    page = db.paginate(queue_query(process.id, filters), page=filters_form.page.data or 1, per_page=PER_PAGE)
    back = request.full_path if request.method == "GET" else url_for(".queue", process_id=process.id)
    assign_form = AssignForm(formdata=None, next=back)
    assign_form.set_choices(staff)
    return {"process": process, "filters": filters_form, "page": page, "assign_form": assign_form}


@manage_bp.post("/<int:process_id>/tildel")
def assign(process_id: int) -> Response | Page:
    """Give the chosen proposals to a case officer (or to nobody)."""
    process = process_or_404(process_id)
    form = AssignForm()
    form.set_choices(reviewers())
    if not form.validate():
        context = queue_context(process, QueueFilterForm(formdata=None))
        return render_template("proposals/manage/queue.html", **{**context, "assign_form": form}), 422
    proposals = proposals_in_process(process.id, form.proposal_ids.data)
    if len(proposals) != len(set(form.proposal_ids.data)):
        abort(404)
    reviewer = db.session.get(User, int(form.reviewer.data)) if form.reviewer.data else None
    try:
        changed = review.assign_reviewer(me(), proposals, reviewer, now=utcnow())
    except DomainError as exc:
        status = refused(exc)
        context = queue_context(process, QueueFilterForm(formdata=None))
        return render_template("proposals/manage/queue.html", **context), status
    db.session.commit()
    flash(ngettext("%(num)d proposal was assigned.", "%(num)d proposals were assigned.", changed), "success")
    return redirect(safe_next(form.next.data) or url_for(".queue", process_id=process.id))


@manage_bp.get("/forslag/<int:proposal_id>")
def proposal(proposal_id: int) -> str:
    """The review page of one proposal."""
    return review_page(proposal_or_404(proposal_id))[0]


def review_page(proposal: Proposal, status: int = 200, **forms: object) -> tuple[str, int]:
    """Render the review page; forms given (with their errors) replace the fresh ones."""
    assessment = AssessmentForm(
        formdata=None,
        vetted_cost=proposal.vetted_cost,
        feasibility=proposal.feasibility.value if proposal.feasibility else None,
        public_reason=proposal.public_reason,
    )
    merge = MergeForm(formdata=None)
    merge.set_choices(merge_candidates(proposal))
    here = url_for(".proposal", proposal_id=proposal.id)
    assign = AssignForm(formdata=None, reviewer=str(proposal.reviewer_id or ""), next=here)
    assign.set_choices(reviewers())
    context = {
        "proposal": proposal,
        "project": project_of(proposal.id),
        "reports": open_reports(proposal.id),
        "assessment": assessment,
        "merge": merge,
        "assign": assign,
        "moderation": ModerationForm(formdata=None),
        "action": ActionForm(),
        **forms,
    }
    return render_template("proposals/manage/review.html", **context), status


@manage_bp.post("/forslag/<int:proposal_id>/vurdering")
def assess(proposal_id: int) -> Response | Page:
    """Save the vetted cost, the verdict and the public reason."""
    proposal = proposal_or_404(proposal_id)
    form = AssessmentForm()
    if not form.validate():
        return review_page(proposal, 422, assessment=form)
    try:
        changed = review.assess_proposal(
            me(),
            proposal,
            vetted_cost=form.vetted_cost.data,
            feasibility=Feasibility(form.feasibility.data),
            public_reason=form.public_reason.data or "",
            now=utcnow(),
        )
    except DomainError as exc:
        status = refused(exc)
        return review_page(proposal_or_404(proposal_id), status, assessment=form)
    db.session.commit()
    flash(_("The assessment has been saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".proposal", proposal_id=proposal_id))


@manage_bp.post("/forslag/<int:proposal_id>/sammenlaeg")
def merge(proposal_id: int) -> Response | Page:
    """Merge the chosen duplicates into this proposal."""
    kept = proposal_or_404(proposal_id)
    form = MergeForm()
    form.set_choices(merge_candidates(kept))
    if not form.validate():
        return review_page(kept, 422, merge=form)
    duplicates = proposals_in_process(kept.process_id, form.duplicates.data)
    try:
        merged = review.merge_proposals(me(), kept, duplicates, now=utcnow())
    except DomainError as exc:
        status = refused(exc)
        return review_page(proposal_or_404(proposal_id), status)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d proposal was merged into this one.",
            "%(num)d proposals were merged into this one.",
            merged,
        ),
        "success",
    )
    return redirect(url_for(".proposal", proposal_id=proposal_id))


from pbvote.proposals import manage_ballot, manage_moderation  # noqa: E402, F401  (they add their routes)
