"""What every web benchmark shares: throwaway databases, gunicorn with pbvote's settings, seeding, verdicts.

The benchmarks compare pbvote against a bare Flask app in the same run, because the machines are noisy:
ratios hold where absolute figures do not.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import Result  # noqa: E402
from tests.support.server import free_port  # noqa: E402

GUNICORN = Path(sys.executable).with_name("gunicorn")
ADMIN_URL = os.environ.get("PBVOTE_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-not-for-production"  # noqa: S105 - a throwaway database  # nosec B105  # the server and the seeding app must hash codes alike
WORKERS = int(os.environ.get("PBVOTE_BENCH_WORKERS", "4"))  # as tests/support/server.py serves pbvote
THREADS = int(os.environ.get("PBVOTE_BENCH_THREADS", "8"))
PROJECTS = [(f"P-{n:02d}", 10_000_00) for n in range(1, 11)]  # a ballot picks 5 of these 10
_databases = count(1)


# --- databases -------------------------------------------------------------------------------------------


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database pbvote_bench_<pid>_<n> on the local server, dropped afterwards; yields its URL."""
    import psycopg

    name = f"pbvote_bench_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite file in a temporary folder (WAL, synchronous=FULL: set by pbvote and the bare app)."""
    with tempfile.TemporaryDirectory(prefix="pbvote-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def make_app(url: str) -> Any:
    """pbvote in production settings on ``url``, for seeding from this process."""
    from pbvote import create_app

    return create_app({"ENV_NAME": "production", "DATABASE_URL": url, "SECRET_KEY": SECRET})


# --- servers ---------------------------------------------------------------------------------------------


def gunicorn_command(target: str, port: int) -> list[str]:
    """pbvote's gunicorn settings (tests/support/server.py), for pbvote and the bare app alike."""
    return [
        str(GUNICORN),
        "--workers", str(WORKERS),
        "--worker-class", "gthread",
        "--threads", str(THREADS),
        "--bind", f"127.0.0.1:{port}",
        "--backlog", "2048",
        "--timeout", "60",
        "--preload",
        "--no-control-socket",
        "--chdir", str(ROOT),
        target,
    ]  # fmt: skip


@dataclass
class Server:
    """A running gunicorn: its base URL and arbiter, so a benchmark can find the workers' pids."""

    url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """The arbiter's children (the workers) from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)


@contextmanager
def serve(kind: str, url: str, *, log_name: str = "") -> Iterator[Server]:
    """Serve pbvote (``kind`` "pbvote") or the bare app ("bare") on database ``url``; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PBVOTE_ENV": "production", "BENCH_DATABASE_URL": url}
    if kind == "pbvote":
        env.update(
            PBVOTE_DATABASE_URL=url,
            PBVOTE_SECRET_KEY=SECRET,
            PBVOTE_RATELIMIT_ENABLED="false",  # the benchmark is one client address sending thousands
            PBVOTE_SECURE_COOKIES="false",
        )
        target, probe = "wsgi:app", "/api/v1/processes"
    else:
        target, probe = "bench.baseline_app:app", "/hello"
    log_dir = Path(tempfile.gettempdir()) / "pbvote-bench-logs"
    log_dir.mkdir(exist_ok=True)
    log_path = log_dir / f"{log_name or kind}-{os.getpid()}-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            gunicorn_command(target, port), env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(process, base + probe, log_path)
            yield Server(base, process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _wait(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer: {log_path.read_text(errors='replace')[-3000:]}")


# --- seeding ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """A budget made for a benchmark."""

    slug: str
    budget_id: int
    project_codes: list[str]


def seed_budget(
    *, eligibility: str = "code", phase: str = "voting", projects: list[tuple[str, int]] = PROJECTS
) -> Seeded:
    """An approval budget with 10 projects of which any 5 fit, rules frozen; call inside an app context."""
    from pbvote.processes.models import Eligibility, Phase
    from tests.support.voting import make_code_voting

    voting = make_code_voting(
        projects=projects, codes=0, eligibility=Eligibility(eligibility), phase=Phase(phase)
    )
    return Seeded(voting.process_slug, voting.budget_id, voting.project_codes)


def issue_codes(budget_id: int, number: int) -> list[str]:
    """``number`` plain voting codes, stored hashed in bulk (COPY on PostgreSQL) as issuing does."""
    from pbvote.ballots import keys
    from pbvote.ballots.models import VotingCode
    from pbvote.db import utcnow
    from pbvote.extensions import db
    from pbvote.results.importing import _insert

    plain = [keys.new_voting_code() for _ in range(number)]
    now = utcnow()
    rows = [
        {"budget_id": budget_id, "code_hash": keys.code_hash(code), "batch": "bench", "created_at": now}
        for code in plain
    ]
    _insert(VotingCode, rows)
    db.session.commit()
    return plain


def store_ballots(budget_id: int, number: int, *, chunk: int = 100_000) -> float:
    """Store ``number`` ballots of 5 random projects (participation, ballot, lines) in bulk; the seconds.

    The same path as the pabulib import (importing._insert: COPY on PostgreSQL), in chunks so memory
    stays flat.
    """
    from sqlalchemy import select

    from pbvote.ballots.models import Ballot, BallotLine, Participation
    from pbvote.db import utcnow
    from pbvote.extensions import db
    from pbvote.proposals.models import Project
    from pbvote.results.importing import _insert, _random_ids, _receipts

    started = time.perf_counter()
    project_ids = list(db.session.scalars(select(Project.id).where(Project.budget_id == budget_id)))
    today = utcnow().date()
    rng = random.Random(budget_id)
    done = 0
    while done < number:
        size = min(chunk, number - done)
        ids, receipts, keys = _random_ids(size), _receipts(size), _random_ids(size)
        participations = sorted(
            ({"budget_id": budget_id, "voter_key": f"bench:{key}", "channel": "online", "voted_on": today}
             for key in keys),
            key=lambda row: row["voter_key"],
        )  # fmt: skip
        ballots = [
            {
                "id": ids[n],
                "budget_id": budget_id,
                "channel": "online",
                "cast_on": today,
                "receipt": receipts[n],
            }
            for n in range(size)
        ]
        lines = [
            {"ballot_id": ids[n], "project_id": project, "value": 1}
            for n in range(size)
            for project in sorted(rng.sample(project_ids, 5))
        ]
        ballots.sort(key=lambda row: row["id"])
        lines.sort(key=lambda row: (row["ballot_id"], row["project_id"]))
        for model, rows in ((Participation, participations), (Ballot, ballots), (BallotLine, lines)):
            _insert(model, rows)
        db.session.commit()
        done += size
    _analyse()
    return time.perf_counter() - started


def _analyse() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give them a little later."""
    from sqlalchemy import text

    from pbvote.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def publish_results(budget_id: int) -> float:
    """Close the voting, count with the budget's rule (MES), publish the run; the seconds the count took."""
    from pbvote.db import utcnow
    from pbvote.extensions import db
    from pbvote.processes.models import Budget, Phase
    from pbvote.results.services import publish_run, tally_budget

    budget = db.session.get(Budget, budget_id)
    budget.process.phase = Phase.COUNTING
    db.session.flush()
    started = time.perf_counter()
    run = tally_budget(budget, actor=None, now=utcnow())
    took = time.perf_counter() - started
    publish_run(run, actor=None, now=utcnow() + timedelta(seconds=1))
    budget.process.phase = Phase.RESULTS
    db.session.commit()
    return took


# --- reporting -------------------------------------------------------------------------------------------


def median_result(results: list[Result]) -> Result:
    """The medians of several runs of the same thing (rate, p50, p99 each on its own)."""
    return Result(
        rate=statistics.median(r.rate for r in results),
        p50=statistics.median(r.p50 for r in results),
        p99=statistics.median(r.p99 for r in results),
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        statuses={},
    )


def line(label: str, result: Result) -> str:
    """One measured figure as printed."""
    errors = f"  ERRORS {result.errors}" if result.errors else ""
    timing = f"p50 {result.p50 * 1000:7.1f} ms  p99 {result.p99 * 1000:7.1f} ms"
    return f"  {label:44s} {result.rate:8.0f}/s  {timing}{errors}"


def verdict(label: str, value: float, goal: float, *, at_least: bool = True, unit: str = "") -> bool:
    """Print a goal, the figure and PASS/MISS; return whether it holds."""
    held = value >= goal if at_least else value <= goal
    sign = ">=" if at_least else "<="
    print(
        f"  {'PASS' if held else 'MISS'}  {label}: {value:.2f}{unit} (goal {sign} {goal:g}{unit})", flush=True
    )
    return held


def header(title: str) -> None:
    """A section title in the output."""
    print(f"\n== {title} ==", flush=True)
