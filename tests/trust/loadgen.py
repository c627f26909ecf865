"""A small load generator: voters cast through the JSON API, and every acknowledged receipt goes to a ledger.

Each voter has a voting code, a fixed Idempotency-Key and a valid choice, so sending a voter again is a
retry that must give the same receipt. The ledger is a JSON-lines file written (and flushed) the moment
an answer 200/201 arrives: it is what the voter holds, and what the ballot box is audited against. Also
here: a gunicorn we can kill with SIGKILL (master and workers), which tests/support/server.py hides.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pbvote.core.types import BallotKind
from tests.support.server import GUNICORN, REPO, free_port

ACKNOWLEDGED = (200, 201)
NO_ANSWER = 0


@dataclass(frozen=True)
class Voter:
    """One voter of the load: budget, plain code, idempotency key and the JSON body to send."""

    number: int
    budget_id: int
    code: str
    key: str
    body: str


def make_voters(
    budget_id: int, kind: BallotKind, codes: list[str], projects: list[str], seed: int
) -> list[Voter]:
    """A voter per code with a random valid choice (approval: up to 3 projects; cumulative: 10 points)."""
    chance = random.Random(seed)
    voters = []
    for number, code in enumerate(codes):
        if kind is BallotKind.CUMULATIVE:
            spread = Counter(chance.choice(projects) for _ in range(10))
            choice: dict[str, object] = {"points": dict(spread)}
        elif kind is BallotKind.RANKED:
            choice = {"ranking": chance.sample(projects, chance.randint(1, 3))}
        else:
            choice = {"projects": chance.sample(projects, chance.randint(1, 3))}
        body = json.dumps({"code": code, **choice})
        voters.append(
            Voter(number + seed * 100_000, budget_id, code, str(uuid.UUID(int=chance.getrandbits(128))), body)
        )
    return voters


@dataclass(frozen=True)
class Answer:
    """What one submission got back: the HTTP status (0: none) and the receipt when acknowledged."""

    voter: Voter
    status: int
    receipt: str | None
    body: bytes = b""
    failed_before: tuple[int, ...] = ()  # statuses of earlier attempts of this submission (5xx, no answer)


class Ledger:
    """The acknowledged receipts, appended to a JSON-lines file as they arrive (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._receipts: dict[int, str] = {}
        self._changed = 0
        self._file = path.open("a", encoding="utf-8")

    def record(self, answer: Answer, phase: str) -> None:
        """Write an acknowledged answer down; count a retry that got another receipt than before."""
        if answer.status not in ACKNOWLEDGED or answer.receipt is None:
            return
        entry = {"voter": answer.voter.number, "budget": answer.voter.budget_id, "key": answer.voter.key,
                 "status": answer.status, "receipt": answer.receipt, "phase": phase}  # fmt: skip
        with self._lock:
            self._file.write(json.dumps(entry) + "\n")
            self._file.flush()
            before = self._receipts.setdefault(answer.voter.number, answer.receipt)
            if before != answer.receipt:
                self._changed += 1

    def acknowledged(self, voter: Voter) -> bool:
        with self._lock:
            return voter.number in self._receipts

    def receipts(self) -> set[str]:
        with self._lock:
            return set(self._receipts.values())

    def count(self) -> int:
        with self._lock:
            return len(self._receipts)

    def changed_receipts(self) -> int:
        with self._lock:
            return self._changed

    def close(self) -> None:
        self._file.close()


def submit(base_url: str, voter: Voter, timeout: float = 30) -> Answer:
    """POST one voter's ballot with its Idempotency-Key; status 0 when no HTTP answer came back."""
    address = urlsplit(base_url)
    headers = {"Content-Type": "application/json", "Idempotency-Key": voter.key, "Accept-Language": "da"}
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=timeout)
    try:
        connection.request(
            "POST", f"/api/v1/budgets/{voter.budget_id}/ballots", body=voter.body, headers=headers
        )
        response = connection.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException):
        return Answer(voter, NO_ANSWER, None)
    finally:
        connection.close()
    try:
        receipt = json.loads(raw).get("receipt")
    except (ValueError, AttributeError):
        receipt = None
    return Answer(voter, response.status, receipt, raw)


def run_load(
    base_url: Callable[[], str],
    voters: Iterable[Voter],
    ledger: Ledger,
    *,
    phase: str,
    threads: int = 16,
    on_answer: Callable[[Answer], None] | None = None,
    retries: int = 0,
) -> list[Answer]:
    """Send every voter from ``threads`` client threads; ledger the acknowledged answers.

    With ``retries``, a voter whose submission got a server error or no answer sends it again with the
    same key after a pause, as a real client would; the earlier statuses stay on the answer.
    """

    def one(voter: Voter) -> Answer:
        answer, failed = submit(base_url(), voter), list[int]()
        while (answer.status == NO_ANSWER or answer.status >= 500) and len(failed) < retries:
            failed.append(answer.status)
            time.sleep(0.25 * len(failed))
            answer = submit(base_url(), voter)
        if failed:
            answer = Answer(answer.voter, answer.status, answer.receipt, answer.body, tuple(failed))
        ledger.record(answer, phase)
        if on_answer is not None:
            on_answer(answer)
        return answer

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, voters))


@dataclass
class Gunicorn:
    """A gunicorn arbiter we started, with what a test needs to kill it like a power cut."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    killed: list[int] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        """The arbiter's children right now (its workers)."""
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> int:
        """SIGKILL the arbiter and every worker at once (no graceful anything); return how many died."""
        victims = [self.process.pid, *self.worker_pids()]
        for pid in victims:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        for pid in victims[1:]:
            _wait_dead(pid)
        self.killed = victims
        return len(victims)

    def stop(self) -> None:
        """Stop it kindly when the test is over (if it is still running)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _wait_dead(pid: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.05)


def start_gunicorn(
    settings: dict[str, str], log_path: Path, *, app: str = "wsgi:app", workers: int = 4, threads: int = 4,
    port: int | None = None,
) -> Gunicorn:  # fmt: skip
    """Start gunicorn (gthread workers) on a free port and wait until /healthz answers."""
    port = port or free_port()
    env = {**os.environ, "PBVOTE_ENV": "production", "PBVOTE_SECURE_COOKIES": "false", **settings}
    command = [
        str(GUNICORN), "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5",
        "--preload", "--no-control-socket", "--chdir", str(REPO), app,
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text(errors='replace')[-3000:]}")
        if get(server.base_url + "/healthz")[0] == 200:
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer: {log_path.read_text(errors='replace')[-3000:]}")


@contextmanager
def running_gunicorn(settings: dict[str, str], log_path: Path, **options: object) -> Iterator[Gunicorn]:
    """start_gunicorn, stopped after the block whatever happens."""
    server = start_gunicorn(settings, log_path, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def get(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET a URL on the loopback: the status (0 when no answer) and the body."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=timeout)
    try:
        connection.request("GET", address.path or "/", headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return NO_ANSWER, b""
    finally:
        connection.close()


def run_until(
    stop: threading.Event, base_url: str, voters: list[Voter], ledger: Ledger, *, phase: str,
    threads: int = 6, pause: float = 0.02, backoff: float = 0.25,
) -> list[tuple[float, Answer]]:  # fmt: skip
    """Send voters one after another from ``threads`` threads until ``stop`` is set or all are sent.

    Returns each answer with the monotonic time it arrived.
    """
    lock = threading.Lock()
    queue = iter(voters)
    answers: list[tuple[float, Answer]] = []

    def work() -> None:
        while not stop.is_set():
            with lock:
                voter = next(queue, None)
            if voter is None:
                return
            answer = submit(base_url, voter)
            ledger.record(answer, phase)
            with lock:
                answers.append((time.monotonic(), answer))
            time.sleep(pause if answer.status in ACKNOWLEDGED else backoff)  # a client waits after a 503

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers
