"""The staff page that browses the audit log: newest first, filtered by action and target type."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, render_template, request

from pbvote.audit.queries import audit_page, known_actions, known_target_types
from pbvote.auth.decorators import role_required
from pbvote.auth.models import Role

bp = Blueprint("audit", __name__, url_prefix="/admin/log", template_folder="templates")

PER_PAGE = 50


@bp.get("/")
@role_required(Role.STAFF)
def browse() -> str:
    """One page of the log; unknown filter values or page numbers are refused."""
    actions, target_types = known_actions(), known_target_types()
    action = request.args.get("action", "")
    target_type = request.args.get("target_type", "")
    if (action and action not in actions) or (target_type and target_type not in target_types):
        abort(400)
    page_text = request.args.get("page", "1")
    if not page_text.isdigit() or int(page_text) < 1:
        abort(400)
    result = audit_page(
        action=action or None, target_type=target_type or None, page=int(page_text), per_page=PER_PAGE
    )
    if result.page > result.pages:
        abort(404)
    return render_template(
        "audit/browse.html",
        result=result,
        actions=actions,
        target_types=target_types,
        action=action,
        target_type=target_type,
        changes=changes,
    )


def changes(before: str, after: str) -> list[tuple[str, str, str]]:
    """Each key that appears before or after, with both values as readable text (— when absent)."""
    old, new = _load(before), _load(after)
    return [(key, _show(old, key), _show(new, key)) for key in sorted(old.keys() | new.keys())]


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {"": text}
    return data if isinstance(data, dict) else {"": data}


def _show(data: dict[str, Any], key: str) -> str:
    if key not in data:
        return "—"
    value = data[key]
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
