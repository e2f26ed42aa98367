"""A throwaway PostgreSQL server for the tests and the benchmark (docs/data.md "Two engines").

Debian's packages (`apt-get install postgresql`, which `make test` runs as root) put the server
in /usr/lib/postgresql/<version>/bin. A cluster is made in a temporary folder (UTF-8, C.UTF-8
collation, so accents fold and ids sort alike on both engines), started on a free port of
127.0.0.1 with its socket in that folder, and stopped and removed at the end. As root, the server
runs as the `postgres` user, which the package creates (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOW_TO = (
    "PostgreSQL is not installed: `sudo apt-get install postgresql` (make test does it when it "
    "runs as root) runs these tests on PostgreSQL too"
)


def binaries() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def missing() -> str | None:
    """Why no throwaway server can be started here, or None."""
    if binaries() is None:
        return HOW_TO
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Server:
    """A running cluster: `url(name)` for a database, `create(name)` makes one."""

    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(sql)

    def create(self, prefix: str = "t", template: str | None = None) -> str:
        """A new, empty database (a copy of `template` when given); returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        copy = f" TEMPLATE {template}" if template else ""
        self.admin(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def throwaway_server(durable: bool = False) -> Iterator[Server]:
    """Start a cluster in a temporary folder; stop it and remove the folder at the end.

    The tests' server skips the disk flushes a crash would need (`durable=False`); the
    benchmark's keeps PostgreSQL's defaults, with the memory a small server would be given.
    """
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    bin_dir = binaries()
    assert bin_dir is not None
    folder = Path(tempfile.mkdtemp(prefix="coinvest-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "env": env, "check": True}
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                ]
            ),
            **quiet,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if durable:
            options += " -c shared_buffers=1GB -c work_mem=64MB -c effective_cache_size=4GB"
        else:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            **quiet,
        )
        try:
            yield Server(port)
        finally:
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
