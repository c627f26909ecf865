"""Reading: the booth page, the results page and the results API against the bare GET /hello.

Run: ``python bench/reading.py [--quick] [--sizes 1000,300000] [--seconds S] [--rounds R]``. Needs
PostgreSQL on 127.0.0.1:5432 (a fresh database per size, dropped after).

For each size a database gets a budget open for voting (open eligibility, so the booth page shows the
cards to anyone) and a budget with a published MES run, each with that many ballots stored. The four
loads run interleaved (hello, booth, results page, results API, ...) and the medians are compared:
>= 50 % of the bare rate for the API, >= 30 % for the pages, and each pbvote rate at the largest size
within 20 % of its rate at the smallest (as a share of the bare rate of the same run, since the machine
is noisy; the raw rates are printed too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.casting import interleaved
from bench.common import (
    header,
    line,
    make_app,
    postgres_database,
    publish_results,
    seed_budget,
    serve,
    store_ballots,
    verdict,
)
from bench.load import Result

GOALS = {"booth page": 30.0, "results page": 30.0, "results API": 50.0}


def prepare(url: str, ballots: int) -> dict[str, str]:
    """A voting budget and a published budget with ``ballots`` each; the paths to read."""
    from pbvote.extensions import db

    app = make_app(url)
    with app.app_context():
        db.create_all()
        booth = seed_budget(eligibility="open")
        store_ballots(booth.budget_id, ballots)
        results = seed_budget(phase="voting")
        store_ballots(results.budget_id, ballots)
        took = publish_results(results.budget_id)
        db.session.remove()
        db.engine.dispose()
    print(f"  {ballots:,} ballots per budget; the count (MES and greedy) took {took:.1f} s", flush=True)
    return {
        "booth page": f"/stem/pulje/{booth.budget_id}",
        "results page": f"/resultater/{results.slug}/{results.budget_id}",
        "results API": f"/api/v1/budgets/{results.budget_id}/results",
    }


def measure(ballots: int, seconds: float, rounds: int, connections: int) -> dict[str, Result]:
    """Seed a database with ``ballots`` per budget, serve pbvote and the bare app, read interleaved."""
    with postgres_database() as url:
        paths = prepare(url, ballots)
        with (
            serve("pbvote", url, log_name="read-pbvote") as app,
            serve("bare", url, log_name="read-bare") as bare,
        ):
            loads: dict[str, tuple[str, object]] = {
                "bare hello": (bare.url, {"kind": "get", "paths": ["/hello"]})
            }
            loads.update({name: (app.url, {"kind": "get", "paths": [path]}) for name, path in paths.items()})
            interleaved(loads, 1, connections, 2.0)  # untimed: every worker compiles its templates first
            got = interleaved(loads, rounds, connections, seconds)
    print(f" {ballots:,} ballots stored, {connections} connections")
    for name, result in got.items():
        print(line(f"{name} {paths.get(name, '/hello')}", result))
    for name, goal in GOALS.items():
        verdict(
            f"{name} / bare hello @{ballots:,}",
            got[name].rate / got["bare hello"].rate * 100,
            goal,
            unit=" %",
        )
    return got


def main() -> int:
    """Measure every size, then compare the largest with the smallest."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short runs; 1,000 and 30,000 ballots")
    parser.add_argument("--sizes", help="comma-separated ballot counts (default 1000,300000)")
    parser.add_argument("--seconds", type=float, help="length of one measured run (default 5; quick 2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    sizes = [int(n) for n in (args.sizes or ("1000,30000" if args.quick else "1000,300000")).split(",")]
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    header(f"reading ({seconds:g} s runs, {args.rounds} interleaved rounds, medians)")
    by_size = {size: measure(size, seconds, args.rounds, args.connections) for size in sizes}
    outcomes = []
    small, large = by_size[min(sizes)], by_size[max(sizes)]
    for name, goal in GOALS.items():
        share_small = small[name].rate / small["bare hello"].rate
        share_large = large[name].rate / large["bare hello"].rate
        outcomes.append(share_large * 100 >= goal and share_small * 100 >= goal)
        print(
            f"  {name}: raw rate {large[name].rate:.0f}/s at {max(sizes):,} "
            f"vs {small[name].rate:.0f}/s at {min(sizes):,}"
        )
        change = (share_large / share_small - 1) * 100
        held = abs(change) <= 20
        outcomes.append(held)
        print(
            f"  {'PASS' if held else 'MISS'}  {name} at {max(sizes):,} vs {min(sizes):,} "
            f"(share of bare): {change:+.0f} % (goal within ±20 %)"
        )
    if max(sizes) < 300_000:
        print(f"  note: largest size {max(sizes):,} ballots, not the 300,000 of the goal (--sizes to change)")
    print(f"  reading: {sum(outcomes)}/{len(outcomes)} goals met", flush=True)
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
