"""Public process pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from pbvote.processes.queries import process_by_slug

bp = Blueprint("processes", __name__, url_prefix="/processer", template_folder="templates")


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """One process: what it is and which phase it is in."""
    process = process_by_slug(slug)
    if process is None:
        abort(404)
    return render_template("processes/detail.html", process=process)


@bp.app_template_global("phase_label")
def phase_label_global(phase: object) -> str:
    """Templates name phases in the reader's language."""
    from pbvote.processes.labels import phase_label

    return phase_label(phase)  # type: ignore[arg-type]
