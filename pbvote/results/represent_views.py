"""Representativeness: participants by age band, gender and district against the population.

Staff see it at any time (during voting it shows where to recruit) and upload the population figures;
the public sees it once voting has closed. Both hide groups with fewer than ten participants.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from pbvote.auth.policies import can_review
from pbvote.ballots.survey import AGE_BANDS, GENDERS
from pbvote.core.errors import DomainError
from pbvote.db import utcnow
from pbvote.extensions import db, login_manager
from pbvote.processes.models import Process
from pbvote.processes.queries import process_by_slug, process_page_by_slug
from pbvote.results import population
from pbvote.results.policies import voting_closed
from pbvote.results.population import Dimension
from pbvote.results.representation import MIN_GROUP, UNDER_DENOMINATOR, UNDER_NUMERATOR, Comparison, compare
from pbvote.results.views import bp

manage_bp = Blueprint(
    "results_represent", __name__, url_prefix="/sagsbehandling/repraesentation", template_folder="templates"
)

Page = Response | str | tuple[str, int]

DIMENSION_LABELS = {
    Dimension.AGE_BAND: _l("Age"),
    Dimension.GENDER: _l("Gender"),
    Dimension.DISTRICT: _l("District"),
}
GROUP_LABELS: dict[Dimension, dict[str, Any]] = {Dimension.AGE_BAND: AGE_BANDS, Dimension.GENDER: GENDERS}


class PopulationUploadForm(FlaskForm):
    """The population figures as a CSV file."""

    file = FileField(_l("Population figures (CSV file)"))

    def validate_file(self, field: FileField) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose the file to upload."))


def comparisons(process: Process) -> list[Comparison]:
    """One comparison per dimension, from the stored answers and population figures."""
    answers = population.participants_by_dimension(process)
    people = population.population_by_dimension(process)
    return [
        compare(dimension.value, answers[dimension], people[dimension], list(GROUP_LABELS.get(dimension, ())))
        for dimension in Dimension
    ]


def group_label(dimension: str, group: str) -> str:
    """A group's name in the reader's language (districts are names already)."""
    labels = GROUP_LABELS.get(Dimension(dimension), {})
    return str(labels[group]) if group in labels else group


def percent(permille: int | None, *, decimals: bool = True) -> str:
    """Tenths of a percent the local way: '12,3 %' in Danish, '12.3%' in English."""
    if permille is None:
        return "–"
    locale = str(get_locale())
    pattern = Locale.parse(locale).percent_formats[None].pattern
    pattern = pattern.replace("#,##0", "#,##0.0") if decimals else pattern
    return format_decimal(Decimal(permille) / 1000, format=pattern, locale=locale)


def points(tenths: int | None) -> str:
    """A signed difference in percentage points with one decimal: '+2,3', '−4,1', '0,0'."""
    if tenths is None:
        return "–"
    text = format_decimal(Decimal(abs(tenths)) / 10, format="#,##0.0", locale=str(get_locale()))
    return text if tenths == 0 else ("+" if tenths > 0 else "\u2212") + text


def _context(process: Process) -> dict[str, Any]:
    return {
        "process": process,
        "comparisons": comparisons(process),
        "answered": population.survey_count(process),
        "dimension_label": lambda value: DIMENSION_LABELS[Dimension(value)],
        "group_label": group_label,
        "percent": percent,
        "points": points,
        "number": lambda value: format_decimal(value, locale=str(get_locale())),
        "min_group": MIN_GROUP,
        "under_line": percent(1000 * UNDER_NUMERATOR // UNDER_DENOMINATOR, decimals=False),
    }


@bp.get("/<slug>/repraesentation")
def represent(slug: str) -> str:
    """Who took part, by age, gender and district, once the voting has closed."""
    process = process_by_slug(slug)
    if process is None or not voting_closed(process):
        abort(404)
    return render_template("results/represent/public.html", **_context(process))


@manage_bp.before_request
def staff_only() -> Response | None:
    """Every page here is for staff: anonymous visitors log in, residents get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not can_review(current_user):
        abort(403)
    return None


def _process_or_404(slug: str) -> Process:
    process = process_page_by_slug(slug)
    if process is None:
        abort(404)
    return process


def _staff_page(process: Process, form: PopulationUploadForm | None = None, status: int = 200) -> Page:
    form = form or PopulationUploadForm(formdata=None)
    shares = population.population_shares(process)
    context = _context(process) | {
        "form": form,
        "has_population": bool(shares),
        "closed": voting_closed(process),
    }
    return render_template("results/represent/manage.html", **context), status


@manage_bp.get("/<slug>")
def manage(slug: str) -> Page:
    """The live comparison for staff, with the population upload."""
    return _staff_page(_process_or_404(slug))


@manage_bp.post("/<slug>")
def upload(slug: str) -> Page:
    """Replace the population figures with an uploaded CSV file; a bad line refuses the whole file."""
    process = _process_or_404(slug)
    form = PopulationUploadForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "error")
        return _staff_page(process, form, 422)
    try:
        rows = population.read_population_file(form.file.data.read())
        count = population.replace_population(current_user._get_current_object(), process, rows, now=utcnow())
    except population.PopulationFileInvalid as exc:
        db.session.rollback()
        context = {"process": process, "problems": exc.problems, "more": exc.more}
        return render_template("results/represent/refused.html", **context), 422
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _staff_page(process, form, 403)
    db.session.commit()
    message = ngettext(
        "The population figures now hold %(num)d group.",
        "The population figures now hold %(num)d groups.",
        count,
    )
    flash(message, "success")
    return redirect(url_for(".manage", slug=process.slug))
