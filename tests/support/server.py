"""A real multi-worker server for tests that need one: gunicorn on a free loopback port, stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_SECONDS = 60


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn_server(
    settings: dict[str, str], log_path: Path, *, workers: int = 4, threads: int = 8
) -> Iterator[str]:
    """Serve ``wsgi:app`` with gunicorn (gthread workers) and yield its base URL.

    Args:
        settings: PBVOTE_* environment variables for the app (database URL, secret key, limits).
        log_path: where gunicorn's output goes (read it when a test fails).
        workers: worker processes.
        threads: threads per worker.
    """
    port = free_port()
    env = {**os.environ, "PBVOTE_ENV": "production", **settings}
    command = [
        str(GUNICORN),
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}",
        "--backlog", "2048",
        "--timeout", "60",
        "--preload",  # import the app once, then fork: the factory opens no connection
        "--no-control-socket",  # one shared socket path would clash between parallel test runs
        "--chdir", str(REPO),
        "wsgi:app",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_serving(server, base_url + "/api/v1/processes", log_path)
            yield base_url
        finally:
            _stop(server)


def _wait_until_serving(server: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not answer in {STARTUP_SECONDS} s: {log_path.read_text(errors='replace')[-3000:]}"
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the arbiter we started (it stops its workers), by its own pid; the test is over, so quickly."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
