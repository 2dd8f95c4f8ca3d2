"""A throwaway PostgreSQL server for tests and benchmarks, started from the installed binaries.

`initdb`/`pg_ctl` come from the Debian `postgresql` package (/usr/lib/postgresql/<major>/bin, not on PATH).
initdb refuses to run as root, so as root the cluster runs as the package's `postgres` user (or `nobody`), in a
temporary directory that user owns, on a free loopback port with its socket in that directory, `-A trust` and
fsync off (postgres.md). `TEST_DATABASE_URL` (a server the run is given, whose user may CREATE DATABASE) is used
instead when set. Each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries and no TEST_DATABASE_URL."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql, "
            "or set TEST_DATABASE_URL"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresUnavailable("running as root, and there is no postgres or nobody user to run the server as")


class PostgresCluster:
    """`start()` → `admin_url`; `create_database()` → a fresh database URL; `stop()` removes everything."""

    def __init__(self) -> None:
        self.admin_url = ""
        self._dir: Path | None = None
        self._bin: Path | None = None
        self._user: str | None = None

    def start(self) -> PostgresCluster:
        given = os.environ.get("TEST_DATABASE_URL")
        if given:
            self.admin_url = given
            return self
        self._bin, self._user = _bin_dir(), _run_as()
        self._dir = Path(tempfile.mkdtemp(prefix="near-bot-pg-"))
        if self._user:
            shutil.chown(self._dir, self._user)
        data, port = self._dir / "data", _free_port()
        self._pg("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (f"-p {port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=300")
        self._pg("pg_ctl", "start", "-D", str(data), "-w", "-t", "60", "-l", str(self._dir / "server.log"),
                 "-o", options)
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self

    def _pg(self, program: str, *args: str) -> None:
        assert self._bin is not None
        command = [str(self._bin / program), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self._dir, timeout=120)  # noqa: S603
        if result.returncode != 0:
            log = self._dir / "server.log" if self._dir else None
            tail = log.read_text()[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}{tail}")

    def stop(self) -> None:
        if self._dir is None:
            return
        with contextlib.suppress(Exception):
            self._pg("pg_ctl", "stop", "-D", str(self._dir / "data"), "-m", "immediate", "-w")
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def url_for(self, database: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    async def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url_for(name)

    async def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
