"""Counting through the database: load a budget's ballots and count them with MES; export the .pb file.

Run: ``python bench/counting_db.py [--quick] [--ballots N]``. Needs PostgreSQL on 127.0.0.1:5432 (a fresh
database, dropped after). Goals: loading 300,000 ballots and counting them with MES under 10 s, and
``pbvote export-pb`` of that budget under 10 s (timed as the command, app start-up included, and as the
export builder alone).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    SECRET,
    header,
    make_app,
    postgres_database,
    publish_results,
    seed_budget,
    store_ballots,
    verdict,
)

LIMIT = 10.0  # seconds, for the count and for the export
PROJECTS = [(f"P-{n:02d}", (5 + n % 7) * 10_000_00) for n in range(1, 41)]  # 40 projects, 50k-110k kr.


def main() -> int:
    """Seed, then time load + MES, the full stored count, the export builder and the export command."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="30,000 ballots")
    parser.add_argument("--ballots", type=int, help="ballots in the budget (default 300,000)")
    args = parser.parse_args()
    ballots = args.ballots or (30_000 if args.quick else 300_000)
    header(f"counting through the database ({ballots:,} ballots, 40 projects, approval of 5)")
    outcomes = []
    with postgres_database() as url:
        app = make_app(url)
        with app.app_context():
            from pbvote.core.tally import count
            from pbvote.core.types import RuleName, TieBreak
            from pbvote.extensions import db
            from pbvote.processes.models import Budget
            from pbvote.results.export_data import pabulib_text
            from pbvote.results.loading import load_election
            from pbvote.results.queries import published_run
            from pbvote.results.services import SCALE

            db.create_all()
            seeded = seed_budget(projects=PROJECTS)
            print(
                f"  stored {ballots:,} ballots in {store_ballots(seeded.budget_id, ballots):.0f} s",
                flush=True,
            )
            budget = db.session.get(Budget, seeded.budget_id)
            started = time.perf_counter()
            projects, kind, profile = load_election(budget)
            loaded = time.perf_counter() - started
            count(projects, budget.amount, kind, profile, rule=RuleName.MES, completion=budget.completion,
                  tie_break=TieBreak(budget.tie_break), threshold=budget.min_score, scale=SCALE)  # fmt: skip
            counted = time.perf_counter() - started
            print(f"  load {loaded:.2f} s + MES {counted - loaded:.2f} s ({profile.num_voters:,} ballots)")
            outcomes.append(verdict("load + count with MES", counted, LIMIT, at_least=False, unit=" s"))
            db.session.rollback()
            full = publish_results(seeded.budget_id)
            print(
                f"  the stored count (tally_budget: load, MES, greedy for comparison, report): {full:.2f} s"
            )
            started = time.perf_counter()
            text = pabulib_text(budget, published_run(budget.id))
            built = time.perf_counter() - started
            print(f"  export builder (pabulib_text): {built:.2f} s, {len(text) / 1e6:.1f} MB")
            db.session.remove()
            db.engine.dispose()
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "budget.pb"
            env = {
                **os.environ,
                "PBVOTE_ENV": "production",
                "PBVOTE_DATABASE_URL": url,
                "PBVOTE_SECRET_KEY": SECRET,
            }
            command = [str(Path(sys.executable).with_name("pbvote")), "export-pb", seeded.slug,
                       str(seeded.budget_id), "--output", str(output)]  # fmt: skip
            started = time.perf_counter()
            subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
            took = time.perf_counter() - started
            lines = sum(1 for _ in output.open(encoding="utf-8"))
        print(f"  pbvote export-pb: {took:.2f} s ({lines:,} lines)")
        outcomes.append(verdict("pbvote export-pb", took, LIMIT, at_least=False, unit=" s"))
    if ballots < 300_000:
        print(f"  note: {ballots:,} ballots, not the 300,000 of the goal (--ballots to change)")
    print(f"  counting through the database: {sum(outcomes)}/{len(outcomes)} goals met", flush=True)
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
