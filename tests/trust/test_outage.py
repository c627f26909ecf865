"""Database outage: PostgreSQL restarts (fast, immediate) under load, on a private cluster the test starts.

gunicorn (4 workers) serves the app on a cluster of our own (initdb in a temporary folder, never the
shared server on 5432), migrated like production. While voters cast through the API, the cluster is
restarted with ``pg_ctl restart -m fast`` and ``-m immediate``, then stopped for a moment and started
again (so that probes surely land inside an outage). During an outage every answer is either served or
the translated 503 (JSON under /api/), /healthz stays 200 and /readyz says 503; afterwards the app
serves again within 10 s without being restarted. Every voter who got no receipt sends again with the
same key; then no acknowledged ballot is lost, none is doubled, and each budget's invariants hold. The
companion serves an app whose database errors become plain 500s and shows that the check reports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from pbvote import create_app
from pbvote.core.types import BallotKind
from pbvote.extensions import db
from tests.conftest import POSTGRES_ENV
from tests.support.voting import make_code_voting
from tests.trust import pgcluster
from tests.trust.boxcheck import box_problems, ledger_figures, ledger_problems, project_codes, save_figures
from tests.trust.loadgen import (
    ACKNOWLEDGED,
    Answer,
    Gunicorn,
    Ledger,
    Voter,
    get,
    make_voters,
    run_load,
    run_until,
    running_gunicorn,
    submit,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV),
        reason=f"{POSTGRES_ENV} not set: the outage test runs with PostgreSQL",
    ),
    pytest.mark.skipif(pgcluster.missing_reason() is not None, reason=str(pgcluster.missing_reason())),
]

SECRET = "outage-test-secret"
RECOVERY_LIMIT = 10.0  # seconds from the database being back to the app serving again
HOLD = 2.0  # seconds the database stays down in the stop-and-start outage
VOTERS = 1500  # more than the load reaches: it sends until the last outage is over
RETRY_TEXT = "Tjenesten er optaget eller under vedligeholdelse. Prøv igen om lidt."
RECEIPT_PROBE = "/api/v1/receipts/ABCD-EFGH-JKMN"  # read from the database on every request
PROBES = ("/", "/api/v1/processes", RECEIPT_PROBE, "/healthz", "/readyz")


@pytest.fixture
def cluster_app() -> Iterator[tuple[Flask, pgcluster.Cluster]]:
    """A private cluster, migrated to head, with the app (for seeding and checking) on it."""
    with pgcluster.private_cluster() as cluster:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": cluster.url, "SECRET_KEY": SECRET})
        with app.app_context():
            upgrade()
            db.create_all()  # tables whose migration the lead has not generated yet
            yield app, cluster
            db.session.remove()
            db.engine.dispose()


@dataclass
class Probe:
    """One probe answer: when, which page, status and whether the body was the translated 503."""

    at: float
    path: str
    status: int
    translated_503: bool


@dataclass
class Outage:
    """One outage: its kind, when the database went down and came back, and the app's recovery."""

    kind: str
    down: float
    up: float
    served: float = 0.0
    probes: list[Probe] = field(default_factory=list)

    @property
    def recovery_seconds(self) -> float:
        return round(self.served - self.up, 2)


def probe_once(base_url: str, path: str) -> Probe:
    status, body = get(base_url + path, headers={"Accept-Language": "da"})
    text = body.decode("utf-8", errors="replace")
    if path.startswith("/api/"):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return Probe(time.monotonic(), path, status, status == 503 and RETRY_TEXT in text)


def probing(server: Gunicorn, stop: threading.Event, found: list[Probe]) -> threading.Thread:
    """A thread that asks every probe page in turn until stopped."""

    def loop() -> None:
        while not stop.is_set():
            for path in PROBES:
                found.append(probe_once(server.base_url, path))
            time.sleep(0.02)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def wait_until_serving(server: Gunicorn, probe_voter: Voter, ledger: Ledger) -> float:
    """Poll until /readyz, the front page and a cast all succeed; the monotonic time they did."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (
            probe_once(server.base_url, "/readyz").status == 200
            and probe_once(server.base_url, "/").status == 200
            and (answer := submit(server.base_url, probe_voter, timeout=5)).status in ACKNOWLEDGED
        ):
            ledger.record(answer, "probe")
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError("the app did not serve again within 60 s")


def cause_outage(cluster: pgcluster.Cluster, kind: str) -> tuple[float, float]:
    """Restart (or stop, hold and start) the cluster; when it went down and when it took connections."""
    down = time.monotonic()
    if kind == "stop-start":
        cluster.stop("immediate")
        time.sleep(HOLD)
        cluster.start()
    else:
        cluster.restart(kind.split("-")[-1])
    return down, time.monotonic()


def outage_problems(outages: list[Outage]) -> list[str]:
    """Answers that break the outage contract: anything but served or the translated 503, a red /healthz."""
    problems = []
    for outage in outages:
        for probe in outage.probes:
            if not outage.down <= probe.at <= outage.served:
                continue
            if probe.path == "/healthz" and probe.status != 200:
                problems.append(f"{outage.kind}: /healthz answered {probe.status}")
            elif probe.path == "/readyz" and probe.status not in (200, 503):
                problems.append(f"{outage.kind}: /readyz answered {probe.status}")
            elif probe.path == "/readyz":
                continue
            elif probe.status != 200 and not probe.translated_503:
                problems.append(
                    f"{outage.kind}: {probe.path} answered {probe.status}, not the translated 503"
                )
        if outage.recovery_seconds > RECOVERY_LIMIT:
            problems.append(f"{outage.kind}: served again only after {outage.recovery_seconds} s")
    return sorted(set(problems))


def seen_outage(outage: Outage) -> Counter[tuple[str, int]]:
    return Counter((p.path, p.status) for p in outage.probes if outage.down <= p.at <= outage.served)


@dataclass
class OutageRun:
    """What a run of outages left: the budget, the ledger, the outages and the casts' answers."""

    budget_id: int
    ledger: Ledger
    outages: list[Outage]
    load_statuses: Counter[int]
    resumed: list[Answer]


def run_outages(
    cluster: pgcluster.Cluster, tmp_path: Path, kinds: tuple[str, ...], **extra: str
) -> OutageRun:
    """Seed, serve, load, cause each outage and wait for recovery, then resume the unanswered voters."""
    election = make_code_voting(kind=BallotKind.APPROVAL, codes=VOTERS + len(kinds), max_projects=3)
    codes = project_codes(election.budget_id)
    voters = make_voters(election.budget_id, BallotKind.APPROVAL, election.codes, codes, seed=7)
    probe_voters, voters = voters[: len(kinds)], voters[len(kinds) :]
    db.session.close()  # hold no connection across the outages (the pool pings it when it is next used)
    settings = {
        "PBVOTE_SECRET_KEY": SECRET,
        "PBVOTE_DATABASE_URL": cluster.url,
        "PBVOTE_API_CAST_RATE_LIMIT": "1000000 per minute",
        **extra,
    }
    ledger = Ledger(tmp_path / "ledger.jsonl")
    outages: list[Outage] = []
    wsgi = "tests.trust.broken_wsgi:app" if extra else "wsgi:app"
    with running_gunicorn(settings, tmp_path / "gunicorn.log", app=wsgi) as server:
        stop, probes = threading.Event(), list[Probe]()
        prober = probing(server, stop, probes)
        loaded: list[tuple[float, Answer]] = []
        load = threading.Thread(
            target=lambda: loaded.extend(run_until(stop, server.base_url, voters, ledger, phase="load")),
            daemon=True,
        )
        load.start()
        time.sleep(1.0)
        for kind, probe_voter in zip(kinds, probe_voters, strict=True):
            down, up = cause_outage(cluster, kind)
            outage = Outage(kind, down, up)
            outage.served = wait_until_serving(server, probe_voter, ledger)
            outages.append(outage)
            time.sleep(0.5)
        stop.set()
        load.join()
        prober.join()
        for outage in outages:
            outage.probes = [p for p in probes if outage.down <= p.at <= outage.served]
        answered = {answer.voter.number for _, answer in loaded}
        waiting = [v for v in voters if v.number in answered and not ledger.acknowledged(v)]
        resumed = run_load(lambda: server.base_url, waiting, ledger, phase="resumed", threads=8)
    ledger.close()
    load_statuses = Counter(answer.status for _, answer in loaded)
    return OutageRun(election.budget_id, ledger, outages, load_statuses, resumed)


def test_database_restarts_under_load_give_503_then_recover_without_losing_a_ballot(
    cluster_app: tuple[Flask, pgcluster.Cluster], tmp_path: Path
) -> None:
    _app, cluster = cluster_app
    run = run_outages(cluster, tmp_path, ("restart-fast", "restart-immediate", "stop-start"))
    outages, load_statuses = run.outages, run.load_statuses
    figures: dict[str, object] = dict(ledger_figures(run.ledger, [run.budget_id]))
    figures |= {
        "load_answers": dict(sorted((str(k), v) for k, v in load_statuses.items())),
        "resumed_after_503": len(run.resumed),
        "recovery_seconds": {outage.kind: outage.recovery_seconds for outage in outages},
        "database_down_seconds": {outage.kind: round(outage.up - outage.down, 2) for outage in outages},
        "outage_answers": {o.kind: {f"{p} {s}": n for (p, s), n in seen_outage(o).items()} for o in outages},
    }
    save_figures("outage", figures)
    assert outage_problems(outages) == []
    held = seen_outage(outages[-1])
    # /api/v1/processes may go on answering 200 from the page cache (PBVOTE_PAGE_CACHE_SECONDS) while the
    # database is away; the receipt lookup reads the database each time, so it must meet the outage.
    assert held[("/readyz", 503)] and held[("/", 503)] and held[(RECEIPT_PROBE, 503)], held
    assert set(load_statuses) <= {*ACKNOWLEDGED, 503}, load_statuses
    assert load_statuses[503], "no cast met an outage"
    assert all(answer.status in ACKNOWLEDGED for answer in run.resumed)
    assert ledger_problems(ledger_figures(run.ledger, [run.budget_id])) == []
    assert box_problems([run.budget_id]) == []


def test_without_the_503_handler_the_outage_check_reports_the_500s(
    cluster_app: tuple[Flask, pgcluster.Cluster], tmp_path: Path
) -> None:
    _app, cluster = cluster_app
    run = run_outages(cluster, tmp_path, ("stop-start",), PBVOTE_TRUST_BREAK="no503")
    problems = outage_problems(run.outages)
    assert any("answered 500, not the translated 503" in problem for problem in problems), problems
