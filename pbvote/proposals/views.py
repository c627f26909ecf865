"""Proposal pages (the processes-and-proposals issue adds its routes here)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/forslag", template_folder="templates")
