"""Casting: ballots/s through pbvote's API cast path against the bare POST /vote, in the same run.

Run: ``python bench/casting.py [--quick] [--stored N] [--seconds S] [--rounds R]``. Needs PostgreSQL on
127.0.0.1:5432 (user postgres; PBVOTE_BENCH_ADMIN_URL to change): a fresh database per run, dropped after.

Every request casts a ballot of 5 projects with a voting code of its own (pre-issued, hashed, in bulk)
and a fresh Idempotency-Key: code check, validation by core, participation, ballot, lines, receipt.
Runs are interleaved (pbvote, bare, pbvote, bare, ...) and the medians compared:

- PostgreSQL, empty box, at 8 and 32 connections: >= 50 % of the bare rate, p99 <= 2x the bare p99;
- SQLite (WAL, synchronous=FULL) at 8 connections: >= 50 % of the PostgreSQL rate, p99 <= 100 ms;
- PostgreSQL with N ballots already stored in the budget (default 1,000,000): >= 90 % of the empty rate.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    Seeded,
    header,
    issue_codes,
    line,
    make_app,
    median_result,
    postgres_database,
    seed_budget,
    serve,
    sqlite_database,
    store_ballots,
    verdict,
)
from bench.load import Result, run_load

WARMUP = 1.0
MAX_RATE = 1500  # codes issued per run: more than the machine casts per second, so none runs out


class Box:
    """A seeded budget on one database, with the codes not handed out yet."""

    def __init__(self, url: str, seeded: Seeded, codes: list[str]) -> None:
        self.url, self.seeded, self.codes = url, seeded, codes

    def spec(self, seconds: float) -> dict[str, object]:
        """A cast spec with enough unused codes for one run."""
        needed = int(MAX_RATE * (seconds + WARMUP))
        taken, self.codes = self.codes[:needed], self.codes[needed:]
        if len(taken) < needed:
            print(f"  (warning: only {len(taken)} codes left for a run)", flush=True)
        return {
            "kind": "cast",
            "codes": taken,
            "budget_id": self.seeded.budget_id,
            "projects": self.seeded.project_codes,
        }


def prepare(url: str, codes: int) -> Box:
    """Schema, an approval budget open for voting with codes, and ``codes`` fresh codes."""
    from pbvote.extensions import db

    app = make_app(url)
    with app.app_context():
        db.create_all()
        seeded = seed_budget()
        plain = issue_codes(seeded.budget_id, codes)
        db.session.remove()
        db.engine.dispose()
    return Box(url, seeded, plain)


def store(url: str, budget_id: int, number: int) -> None:
    """Put ``number`` ballots in the budget's box, as if that many had voted."""
    from pbvote.extensions import db

    app = make_app(url)
    with app.app_context():
        took = store_ballots(budget_id, number)
        db.session.remove()
        db.engine.dispose()
    print(f"  stored {number:,} ballots (5 lines each) with COPY in {took:.0f} s", flush=True)


def interleaved(
    runs: dict[str, tuple[str, object]], rounds: int, connections: int, seconds: float
) -> dict[str, Result]:
    """Run each named load once per round, in turn (A B A B ...); the medians per name."""
    results: dict[str, list[Result]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (url, make_spec) in runs.items():
            spec = make_spec(seconds) if callable(make_spec) else make_spec
            result = run_load(url, spec, connections=connections, seconds=seconds, warmup=WARMUP)
            if result.errors:
                print(f"    {name}: {result.errors} failed answers {result.statuses}", flush=True)
            results[name].append(result)
    return {name: median_result(found) for name, found in results.items()}


def compare_to_bare(label: str, ours: Result, bare: Result) -> list[bool]:
    """The two casting goals against the bare app."""
    return [
        verdict(f"{label} rate / bare rate", ours.rate / bare.rate * 100, 50, unit=" %"),
        verdict(f"{label} p99 / bare p99", ours.p99 / bare.p99, 2.0, at_least=False, unit="x"),
    ]


def main() -> int:
    """Seed, serve, measure, print; exit 1 when a goal is missed (the figures are printed either way)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short runs and 50,000 stored ballots")
    parser.add_argument("--seconds", type=float, help="length of one measured run (default 8; quick 3)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians of these)")
    parser.add_argument("--stored", type=int, help="ballots stored for the full-box runs (default 1,000,000)")
    parser.add_argument("--connections", default="8,32", help="comma-separated connection counts")
    args = parser.parse_args()
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    stored = args.stored if args.stored is not None else (50_000 if args.quick else 1_000_000)
    levels = [int(n) for n in args.connections.split(",")]
    per_run = int(MAX_RATE * (seconds + WARMUP))
    outcomes: list[bool] = []
    header(f"casting ({seconds:g} s runs, {args.rounds} interleaved rounds, medians)")
    with ExitStack() as stack:
        pg_url = stack.enter_context(postgres_database())
        lite_url = stack.enter_context(sqlite_database())
        started = time.perf_counter()
        pg = prepare(pg_url, per_run * args.rounds * (2 * len(levels) + 1))
        lite = prepare(lite_url, per_run * args.rounds)
        print(f"  seeded both databases in {time.perf_counter() - started:.0f} s", flush=True)
        pg_app = stack.enter_context(serve("pbvote", pg_url, log_name="cast-pbvote-pg"))
        pg_bare = stack.enter_context(serve("bare", pg_url, log_name="cast-bare-pg"))
        lite_app = stack.enter_context(serve("pbvote", lite_url, log_name="cast-pbvote-sqlite"))
        lite_bare = stack.enter_context(serve("bare", lite_url, log_name="cast-bare-sqlite"))

        empty: dict[int, Result] = {}
        for connections in levels:
            print(f" PostgreSQL, empty box, {connections} connections", flush=True)
            got = interleaved(
                {"pbvote": (pg_app.url, pg.spec), "bare": (pg_bare.url, {"kind": "vote"})},
                args.rounds, connections, seconds,
            )  # fmt: skip
            print(line("pbvote POST /api/v1/budgets/<id>/ballots", got["pbvote"]))
            print(line("bare POST /vote", got["bare"]))
            outcomes += compare_to_bare(f"PostgreSQL @{connections}", got["pbvote"], got["bare"])
            empty[connections] = got["pbvote"]

        print(" SQLite (WAL, synchronous=FULL) against PostgreSQL, 8 connections", flush=True)
        got = interleaved(
            {
                "pg": (pg_app.url, pg.spec),
                "sqlite": (lite_app.url, lite.spec),
                "sqlite bare": (lite_bare.url, {"kind": "vote"}),
            },
            args.rounds, 8, seconds,
        )  # fmt: skip
        print(line("pbvote on PostgreSQL", got["pg"]))
        print(line("pbvote on SQLite", got["sqlite"]))
        print(line("bare POST /vote on SQLite", got["sqlite bare"]))
        outcomes.append(
            verdict("SQLite rate / PostgreSQL rate", got["sqlite"].rate / got["pg"].rate * 100, 50, unit=" %")
        )
        outcomes.append(verdict("SQLite p99", got["sqlite"].p99 * 1000, 100, at_least=False, unit=" ms"))

        print(f" PostgreSQL with {stored:,} ballots stored", flush=True)
        store(pg_url, pg.seeded.budget_id, stored)
        for connections in levels:
            got = interleaved(
                {"pbvote": (pg_app.url, pg.spec), "bare": (pg_bare.url, {"kind": "vote"})},
                args.rounds, connections, seconds,
            )  # fmt: skip
            print(line(f"pbvote, {stored:,} stored, {connections} connections", got["pbvote"]))
            print(line(f"bare POST /vote, {connections} connections", got["bare"]))
            outcomes += compare_to_bare(f"PostgreSQL full @{connections}", got["pbvote"], got["bare"])
            ratio = got["pbvote"].rate / empty[connections].rate * 100
            outcomes.append(verdict(f"full / empty rate @{connections}", ratio, 90, unit=" %"))
    if stored < 1_000_000:
        print(f"  note: {stored:,} ballots stored, not the 1,000,000 of the goal (--stored to change)")
    print(f"  casting: {sum(outcomes)}/{len(outcomes)} goals met", flush=True)
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
