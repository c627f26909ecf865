"""Result pages (the results issue adds its routes here)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/resultater", template_folder="templates")
