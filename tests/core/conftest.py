"""Fixtures for the pure core: the real pabulib elections, when the shared folder is beside the clone."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def pabulib_dir() -> Path:
    """Where the shared pabulib files live: PBVOTE_PABULIB_DIR, or ../shared/pabulib beside the clone."""
    configured = os.environ.get("PBVOTE_PABULIB_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "pabulib"


def pabulib_files() -> list[Path]:
    """Every .pb file of the shared collection, smallest first (empty when the folder is absent)."""
    folder = pabulib_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.pb"), key=lambda path: path.stat().st_size)


def require_pabulib() -> Path:
    """Skip with a reason when the real elections are absent; fail instead when CI requires them."""
    folder = pabulib_dir()
    if folder.is_dir() and any(folder.glob("*.pb")):
        return folder
    message = f"real pabulib elections not found at {folder} (set PBVOTE_PABULIB_DIR)"
    if os.environ.get("PBVOTE_REQUIRE_PABULIB") == "1":
        pytest.fail(message + " but PBVOTE_REQUIRE_PABULIB=1")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pabulib() -> Path:
    """The folder of real pabulib elections; skips (or fails in CI) when it is absent."""
    return require_pabulib()


@pytest.fixture(scope="session")
def reference_outcomes(pabulib: Path) -> dict[str, Any]:
    """pabutools' outcomes on every shared file (see its README for the rule names)."""
    data: dict[str, Any] = json.loads((pabulib / "reference_outcomes.json").read_text("utf-8"))
    return data
