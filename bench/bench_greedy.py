"""Time the greedy count on every shared pabulib file, parsing excluded (target: under 0.1 s each).

Run: ``.venv/bin/python bench/bench_greedy.py [folder]`` (default ``../shared/pabulib``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pbvote.core.pabulib import read_pabulib
from pbvote.core.tally import count_election
from pbvote.core.types import RuleName

REPEATS = 7


def main() -> None:
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[1].parent / "shared" / "pabulib"
    )
    for path in sorted(folder.glob("*.pb"), key=lambda path: path.stat().st_size):
        election = read_pabulib(path)
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            count_election(election, rule=RuleName.GREEDY)
            best = min(best, time.perf_counter() - started)
        voters = len(election.voters)
        print(f"{best * 1000:8.1f} ms  {voters:>7} voters  {path.name}")


if __name__ == "__main__":
    main()
