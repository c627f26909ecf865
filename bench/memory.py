"""Memory: each gunicorn worker's RSS under mixed load (casts and reads) for some minutes.

Run: ``python bench/memory.py [--quick] [--minutes M]``. Needs PostgreSQL on 127.0.0.1:5432 (a fresh
database, dropped after). The RSS of each worker is read from /proc after a warm-up (a tenth of the
time, at least 20 s) and again at the end. Goals: the largest worker grows less than 20 % from its
warmed-up size and stays under 200 MB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    header,
    issue_codes,
    line,
    make_app,
    median_result,
    postgres_database,
    publish_results,
    seed_budget,
    serve,
    store_ballots,
    verdict,
)
from bench.load import Result, run_load

CHUNK = 30.0  # seconds of load between two RSS readings
CAST_EVERY = 4  # one request in four casts a ballot, the others read
MAX_RATE = 1500


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc."""
    for text in Path(f"/proc/{pid}/status").read_text().splitlines():
        if text.startswith("VmRSS:"):
            return int(text.split()[1]) / 1024
    return 0.0


def main() -> int:
    """Seed, serve pbvote, load it in chunks and watch its workers' memory."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="about one minute")
    parser.add_argument("--minutes", type=float, help="minutes of load (default 10; quick 1)")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    minutes = args.minutes or (1.0 if args.quick else 10.0)
    total = minutes * 60
    warmup = max(20.0, total / 10)
    header(f"memory ({minutes:g} min of mixed load, {args.connections} connections, 1 cast in {CAST_EVERY})")
    with postgres_database() as url:
        app = make_app(url)
        with app.app_context():
            from pbvote.extensions import db

            db.create_all()
            booth = seed_budget(eligibility="open")
            voting = seed_budget()
            codes = issue_codes(voting.budget_id, int(MAX_RATE * (total + warmup) / CAST_EVERY))
            results = seed_budget()
            store_ballots(results.budget_id, 1000)
            publish_results(results.budget_id)
            db.session.remove()
            db.engine.dispose()
        paths = [
            f"/stem/pulje/{booth.budget_id}",
            f"/resultater/{results.slug}/{results.budget_id}",
            f"/api/v1/budgets/{results.budget_id}/results",
            "/api/v1/processes",
        ]
        with serve("pbvote", url, log_name="memory-pbvote") as server:
            pids = server.worker_pids()
            print(
                f"  workers {pids}: {', '.join(f'{rss_mb(pid):.0f}' for pid in pids)} MB at start", flush=True
            )
            started = time.monotonic()
            warmed: dict[int, float] | None = None
            chunks: list[Result] = []
            while (elapsed := time.monotonic() - started) < warmup + total:
                seconds = min(CHUNK, warmup + total - elapsed)
                if seconds < 2:
                    break
                needed = int(MAX_RATE * (seconds + 1) / CAST_EVERY)
                spec = {"kind": "mixed", "cast_every": CAST_EVERY, "paths": paths, "codes": codes[:needed],
                        "budget_id": voting.budget_id, "projects": voting.project_codes}  # fmt: skip
                codes = codes[needed:]
                result = run_load(server.url, spec, connections=args.connections, seconds=seconds, warmup=1.0)
                chunks.append(result)
                sizes = {pid: rss_mb(pid) for pid in pids}
                print(
                    f"  {time.monotonic() - started:5.0f} s: {result.rate:.0f} req/s, "
                    f"errors {result.errors}; "
                    f"RSS {', '.join(f'{size:.0f}' for size in sizes.values())} MB",
                    flush=True,
                )
                if warmed is None and time.monotonic() - started >= warmup:
                    warmed = sizes
            final = {pid: rss_mb(pid) for pid in pids}
    print(line("mixed load (median of chunks)", median_result(chunks)))
    assert warmed is not None
    growth = max((final[pid] / warmed[pid] - 1) * 100 for pid in pids)
    outcomes = [
        verdict("largest growth of a worker after warm-up", growth, 20, at_least=False, unit=" %"),
        verdict("largest worker RSS", max(final.values()), 200, at_least=False, unit=" MB"),
    ]
    if minutes < 10:
        print(f"  note: {minutes:g} minutes of load, not the 10 of the goal (--minutes to change)")
    print(f"  memory: {sum(outcomes)}/{len(outcomes)} goals met", flush=True)
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
