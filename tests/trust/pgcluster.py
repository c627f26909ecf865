"""A private PostgreSQL cluster for tests that must stop and restart the database (never the shared one).

initdb refuses to run as root, so every server command runs as the ``postgres`` user (through runuser or
su) in a temporary directory owned by it; the cluster listens on a free loopback port with trust auth.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port

SERVER_USER = "postgres"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (initdb, pg_ctl), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def missing_reason() -> str | None:
    """Why a private cluster cannot be started here, or None when it can."""
    if server_binaries() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        return f"no {SERVER_USER!r} system user to run PostgreSQL as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != SERVER_USER:
        return "a private cluster needs root (to switch to the postgres user) or the postgres user"
    return None


@dataclass
class Cluster:
    """A running private cluster: its data folder, port and log, and the pg_ctl verbs a test needs."""

    bin: Path
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its ``postgres`` database."""
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        """Run pg_ctl on this cluster as the postgres user; raise with the log when it fails."""
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args]
        done = _as_server_user(command, timeout)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {done.stdout}\n{self.log_tail()}")

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        self.pg_ctl("start", "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1")

    def restart(self, mode: str) -> None:
        """Restart with ``-m fast`` or ``-m immediate`` (crash-like: recovery replays the WAL)."""
        self.pg_ctl(
            "restart", "-m", mode, "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast by default: sessions are cut, work is rolled back)."""
        self.pg_ctl("stop", "-m", mode)

    def log_tail(self) -> str:
        """The end of the server log, for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def _as_server_user(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a server command as the postgres user (directly when we already are that user)."""
    if os.geteuid() == 0:
        switch = shutil.which("runuser")
        command = (
            [switch, "-u", SERVER_USER, "--", *command]
            if switch
            else ["su", SERVER_USER, "-c", " ".join(command)]
        )
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, cwd="/", env=_server_env()
    )


def _server_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """initdb a cluster in a temporary folder owned by postgres, start it on a free port, remove it after."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("no PostgreSQL server binaries")
    server = pwd.getpwnam(SERVER_USER)
    root = Path(tempfile.mkdtemp(prefix="pbvote-pg-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir(mode=0o700)
    os.chown(data, server.pw_uid, server.pw_gid)
    log = root / "server.log"
    log.touch()
    os.chown(log, server.pw_uid, server.pw_gid)
    cluster = Cluster(binaries, data, free_port(), log)
    command = [str(binaries / "initdb"), "-D", str(data), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8"]
    done = _as_server_user([*command, "--no-sync"], timeout=120)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")
    try:
        cluster.start()
        yield cluster
    finally:
        with suppress(RuntimeError, subprocess.TimeoutExpired):
            cluster.stop("immediate")
        _wait_gone(data / "postmaster.pid")
        shutil.rmtree(root, ignore_errors=True)


def _wait_gone(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
