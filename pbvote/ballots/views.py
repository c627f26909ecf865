"""The voting booth (the voting issue adds its routes here)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ballots", __name__, url_prefix="/stem", template_folder="templates")
