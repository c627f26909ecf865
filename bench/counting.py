"""Benchmark the counting core on every shared pabulib file: parse, greedy, MES plain and with completion.

Run by hand: ``python bench/counting.py [--no-pabutools] [--only SUBSTRING]``. Each file is measured in
its own subprocess, so the peak memory (ru_maxrss) is that file's. pabutools' parse and fixed-budget
MES are timed on the big files the targets name, and its add1u on Wieliczka (about a minute); it is
skipped where it takes many minutes (Wrocław, Kraków) and the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # BLAS threads spin on a loaded machine: steadier timings
ROOT = Path(__file__).resolve().parents[1]
PABULIB = Path(os.environ.get("PBVOTE_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))
PABUTOOLS_MES = {"Poland_Warszawa_2026.pb", "Hungary_Budapest_2024.pb"}
PABUTOOLS_ADD1U = {"Poland_Wieliczka_2023_Green_Budget.pb"}
PABUTOOLS_TOO_SLOW = {"Poland_Wroclaw_2015_150_-_500.pb", "Poland_Krakow_2024.pb"}
COMPLETION_TIMEOUT = 90  # seconds per file for our MES with completion before the bench gives up
COMPLETION_LIMIT = 2.0  # seconds, on every file
SPEEDUP_TARGET = 100.0


def measure(name: str, pabutools: bool, part: str) -> dict[str, Any]:
    """Time one file in this process (called in a subprocess by ``main``).

    ``part`` is "basic" (parse, greedy, plain MES, pabutools) or "completion" (MES with add1u).
    """
    sys.path.insert(0, str(ROOT))
    from pbvote.core.mes import equal_shares
    from pbvote.core.pabulib import read_pabulib
    from pbvote.core.types import RuleName, TieBreak

    row: dict[str, Any] = {"file": name}
    start = time.perf_counter()
    election = read_pabulib(PABULIB / name)
    profile = election.profile()
    row["parse"] = time.perf_counter() - start
    try:
        if part != "basic":
            raise ImportError
        from pbvote.core.tally import count

        start = time.perf_counter()
        count(election.projects, election.budget, election.kind, profile, rule=RuleName.GREEDY)
        row["greedy"] = time.perf_counter() - start
    except ImportError:
        row["greedy"] = None
    for label, completion in (("mes", False), ("mes_add1u", True)):
        if (part == "completion") != completion:
            continue
        start = time.perf_counter()
        outcome = equal_shares(
            election.projects,
            election.budget,
            election.kind,
            profile,
            completion=completion,
            tie_break=TieBreak.ID,
            scale=election.scale,
        )
        row[label] = time.perf_counter() - start
        if completion:
            row["raises"] = outcome.explanation.share.raises
            row["runs"] = outcome.explanation.share.runs
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ours, before pabutools
    if part == "basic" and pabutools and name not in PABUTOOLS_TOO_SLOW:
        row.update(measure_pabutools(name))
    return row


def measure_pabutools(name: str) -> dict[str, Any]:
    """Time pabutools' parse, and its MES where the targets compare against it."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    row: dict[str, Any] = {}
    start = time.perf_counter()
    instance, profile = parse_pabulib(str(PABULIB / name))
    row["pabutools_parse"] = time.perf_counter() - start
    if name in PABUTOOLS_MES:
        start = time.perf_counter()
        method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        row["pabutools_mes"] = time.perf_counter() - start
    if name in PABUTOOLS_ADD1U:
        start = time.perf_counter()
        multi = profile.as_multiprofile()
        raised = exhaustion_by_budget_increase(
            instance,
            multi,
            method_of_equal_shares,
            {"sat_class": Cost_Sat},
            budget_step=profile.num_ballots(),
            exhaustive_stop=False,
        )
        greedy_utilitarian_welfare(instance, multi, sat_class=Cost_Sat, initial_budget_allocation=raised)
        row["pabutools_add1u"] = time.perf_counter() - start
    return row


def seconds(value: float | None) -> str:
    """Format a duration for the table (``-`` when not measured or given up on)."""
    return "      -" if value is None else f"{value:7.3f}"


def count_text(value: int | None, width: int) -> str:
    """Format a count for the table."""
    return "-".rjust(width) if value is None else str(value).rjust(width)


def run_part(name: str, part: str, no_pabutools: bool, timeout: float | None) -> dict[str, Any]:
    """Measure one part of one file in a fresh interpreter; an empty row when it runs out of time."""
    command = [sys.executable, __file__, "--one", name, "--part", part]
    if no_pabutools:
        command.append("--no-pabutools")
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timed_out": True}
    row: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return row


def main() -> None:
    """Measure every file in a subprocess and print the table and the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-pabutools", action="store_true", help="skip pabutools entirely")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--part", default="basic", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, not args.no_pabutools, args.part)))
        return
    files = sorted(p.name for p in PABULIB.glob("*.pb") if args.only in p.name)
    print(
        f"{'file':44s} {'parse':>7s} {'greedy':>7s} {'mes':>7s} {'add1u':>7s} {'raises':>6s} {'runs':>5s} "
        f"{'MB':>6s} {'pt parse':>8s} {'pt mes':>7s} {'pt add1u':>8s}"
    )
    rows = []
    for name in files:
        row = run_part(name, "basic", args.no_pabutools, None)
        completed = run_part(name, "completion", True, COMPLETION_TIMEOUT)
        row["peak_mb"] = max(row["peak_mb"], completed.get("peak_mb", 0.0))
        row.update({key: completed.get(key) for key in ("mes_add1u", "raises", "runs")})
        rows.append(row)
        note = (
            "  (pabutools skipped: takes minutes)"
            if name in PABUTOOLS_TOO_SLOW and not args.no_pabutools
            else ""
        )
        print(
            f"{name[:44]:44s} {seconds(row['parse'])} {seconds(row['greedy'])} {seconds(row['mes'])} "
            f"{seconds(row['mes_add1u'])} {count_text(row['raises'], 6)} {count_text(row['runs'], 5)} "
            f"{row['peak_mb']:6.0f} "
            f"{seconds(row.get('pabutools_parse')):>8s} {seconds(row.get('pabutools_mes'))} "
            f"{seconds(row.get('pabutools_add1u')):>8s}{note}",
            flush=True,
        )
    report_targets(rows)


def report_targets(rows: list[dict[str, Any]]) -> None:
    """Print each target with the measured figure and whether it holds."""
    print("\ntargets")
    for row in rows:
        for ours, theirs, label in (
            ("mes", "pabutools_mes", "fixed-budget MES"),
            ("mes_add1u", "pabutools_add1u", "MES add1u"),
        ):
            if row.get(theirs) and row.get(ours):
                ratio = row[theirs] / row[ours]
                verdict = "ok" if ratio >= SPEEDUP_TARGET else "MISSED"
                target = f"target {SPEEDUP_TARGET:.0f}x"
                print(f"  {label} {row['file']}: {ratio:.0f}x faster than pabutools ({target}) {verdict}")
    slow = [row for row in rows if row["mes_add1u"] is None or row["mes_add1u"] >= COMPLETION_LIMIT]
    worst = max(rows, key=lambda row: float("inf") if row["mes_add1u"] is None else row["mes_add1u"])
    print(
        f"  MES add1u under {COMPLETION_LIMIT:.0f} s on every file: {'ok' if not slow else 'MISSED'} "
        f"(slowest {worst['file']}: {seconds(worst['mes_add1u']).strip()} s)"
    )
    for row in slow:
        took = (
            f"over {COMPLETION_TIMEOUT} s (gave up)"
            if row["mes_add1u"] is None
            else f"{row['mes_add1u']:.2f} s"
        )
        print(f"    over: {row['file']} {took}")
    peak = max(rows, key=lambda row: row["peak_mb"])
    print(
        f"  peak memory under 500 MB: {'ok' if peak['peak_mb'] < 500 else 'MISSED'} "
        f"(largest {peak['file']}: {peak['peak_mb']:.0f} MB: read, count and explain, without pabutools)"
    )


if __name__ == "__main__":
    main()
