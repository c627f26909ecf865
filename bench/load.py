"""A small closed-loop HTTP load generator (no wrk on these machines): keep-alive connections, rate, p50, p99.

``run_load`` starts a few client processes (``python bench/load.py`` reading a JSON spec on stdin), each
holding its share of the connections as threads with one ``http.client`` keep-alive connection per
thread. Every process starts at the same wall-clock moment, runs a warm-up whose answers are not
counted, then measures for the given seconds. Only 2xx answers count as done; anything else is an error.

Request kinds: ``get`` (cycle through paths), ``vote`` (the bare app's POST /vote), ``cast`` (pbvote's
API with a fresh voting code per request and an Idempotency-Key) and ``mixed`` (casts and reads).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CLIENT_PROCESSES = 2  # the machine has 2 cores: more client processes only steal from the server


@dataclass
class Result:
    """What one load run measured (seconds for the latencies)."""

    rate: float
    p50: float
    p99: float
    requests: int
    errors: int
    statuses: dict[str, int] = field(default_factory=dict)
    codes_ran_out: bool = False


def run_load(
    base_url: str,
    spec: dict[str, Any],
    *,
    connections: int,
    seconds: float,
    warmup: float = 1.0,
    processes: int = CLIENT_PROCESSES,
) -> Result:
    """Drive ``base_url`` with ``connections`` concurrent keep-alive connections; the measured result.

    ``spec["codes"]`` (for ``cast`` and ``mixed``) is split between the processes: each code is used once.
    """
    processes = max(1, min(processes, connections))
    start_at = time.time() + 1.5  # every client process imports and connects before this
    codes = list(spec.get("codes", []))
    children = []
    for index in range(processes):
        share = connections // processes + (1 if index < connections % processes else 0)
        child_spec = {
            **spec,
            "codes": codes[index::processes],
            "base_url": base_url,
            "connections": share,
            "seconds": seconds,
            "warmup": warmup,
            "start_at": start_at,
        }
        child = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(child_spec))
        child.stdin.close()
        children.append(child)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0
    ran_out = False
    for child in children:
        assert child.stdout is not None
        part = json.loads(child.stdout.read())
        child.wait()
        latencies += part["latencies"]
        statuses.update(part["statuses"])
        errors += part["errors"]
        ran_out = ran_out or part["ran_out"]
    latencies.sort()
    return Result(
        rate=len(latencies) / seconds,
        p50=_percentile(latencies, 0.50),
        p99=_percentile(latencies, 0.99),
        requests=len(latencies),
        errors=errors,
        statuses=dict(statuses),
        codes_ran_out=ran_out,
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Requests:
    """The next request of a spec, shared by the threads of one client process."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind = spec["kind"]
        self.paths = spec.get("paths", ["/hello"])
        self.codes = spec.get("codes", [])
        self.projects = spec.get("projects", [])
        self.cast_path = f"/api/v1/budgets/{spec.get('budget_id')}/ballots"
        self.cast_every = int(spec.get("cast_every", 2))  # mixed: every n-th request casts, the rest read
        self.lock = threading.Lock()
        self.number = 0
        self.next_code = 0

    def next(self) -> tuple[str, str, bytes | None, dict[str, str]] | None:
        """(method, path, body, headers), or None when there is no unused code left."""
        with self.lock:
            number = self.number
            self.number += 1
        kind = self.kind
        if kind == "mixed":
            kind = "cast" if number % self.cast_every == 0 else "get"
        if kind == "get":
            return "GET", self.paths[number % len(self.paths)], None, {}
        if kind == "vote":
            return "POST", "/vote", b"", {"Content-Length": "0"}
        with self.lock:
            if self.next_code >= len(self.codes):
                return None
            code = self.codes[self.next_code]
            self.next_code += 1
        chosen = [self.projects[(number + step) % len(self.projects)] for step in range(5)]
        body = json.dumps({"code": code, "projects": chosen}).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        return "POST", self.cast_path, body, headers


def _client(spec: dict[str, Any]) -> dict[str, Any]:
    """One client process: threads with a keep-alive connection each; latencies in the measured window."""
    address = urlsplit(spec["base_url"])
    requests = _Requests(spec)
    begin = spec["start_at"] + spec["warmup"]
    end = begin + spec["seconds"]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = [0]
    ran_out = [False]
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
        mine: list[float] = []
        seen: Counter[str] = Counter()
        failed = 0
        while time.time() < spec["start_at"]:
            time.sleep(0.005)
        while True:
            request = requests.next()
            if request is None:
                ran_out[0] = True
                break
            method, path, body, headers = request
            sent = time.time()
            if sent >= end:
                break
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
                status = "no answer"
            done = time.time()
            if begin <= done < end:
                seen[status] += 1
                if status.startswith("2"):
                    mine.append(done - sent)
                else:
                    failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(spec["connections"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses, "errors": errors[0], "ran_out": ran_out[0]}


if __name__ == "__main__":
    print(json.dumps(_client(json.loads(sys.stdin.read()))))
