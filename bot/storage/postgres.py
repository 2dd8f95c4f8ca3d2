"""PostgreSQL storage through asyncpg, for several bot processes (shards split over processes or machines).

PostgreSQL gives the guarantees directly (postgres.md): `pg_advisory_xact_lock` for migrations and check-then-write
steps, `SELECT … FOR UPDATE SKIP LOCKED` to claim outbox rows, a session-level `pg_try_advisory_lock` held on its
own connection for "one alert scheduler at a time" (released by the server the moment that connection dies), and
LISTEN/NOTIFY so a change in one process wakes the scheduler and the deliverers in all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.base import TOPICS, Row, SqlStorage
from bot.storage.models import StorageHealth
from bot.storage.postgres_health import postgres_health

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "near_staking_bot_"
# The scheduler's lock connection: the server notices a vanished peer (machine down, cable out) within
# idle + interval × count ≈ 11 s and releases its locks, so another process takes over within seconds.
KEEPALIVE = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3"}
LOCK_KEY = "SELECT {fn}(hashtextextended($1, 0))"


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders (the portable SQL in base.py) to PostgreSQL's `$1, $2, …`."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))


def _count(status: str) -> int:
    """Rows changed, from asyncpg's command status ("UPDATE 3", "INSERT 0 1", "DELETE 0")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PgTx:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.topics: set[str] = set()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self.conn.fetch(numbered(sql), *args))

    async def execute(self, sql: str, *args: Any) -> int:
        return _count(await self.conn.execute(numbered(sql), *args))

    async def lock(self, name: str) -> None:
        await self.conn.execute(LOCK_KEY.format(fn="pg_advisory_xact_lock"), name)

    def notify(self, topic: str) -> None:
        self.topics.add(topic)


class PostgresStorage(SqlStorage):
    dialect = "postgresql"
    for_update = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10) -> None:
        super().__init__()
        self.dsn = dsn
        self.min_size, self.max_size = min_size, max_size
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._listen_task: asyncio.Task[None] | None = None
        self._lead_conns: dict[str, asyncpg.Connection] = {}
        self._closing = False

    def describe(self) -> str:
        parts = urlsplit(self.dsn)  # never the password
        return f"PostgreSQL {parts.hostname or 'local socket'}:{parts.port or 5432}{parts.path}"

    # ------------------------------------------------------------------ lifecycle

    async def open(self, *, migrate: bool = True) -> None:
        self._closing = False
        self._pool = await asyncpg.create_pool(self.dsn, min_size=self.min_size, max_size=self.max_size)
        if migrate:
            await self.migrate()
        await self._listen()

    async def check_health(self) -> StorageHealth:
        """Connect, read the schema version and try a rolled-back write, on a connection of its own."""
        return await postgres_health(self.dsn, self.describe().removeprefix("PostgreSQL "))

    async def close(self) -> None:
        self._closing = True
        if self._listen_task is not None:
            self._listen_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listen_task
        for conn in [self._listener, *self._lead_conns.values()]:
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close(timeout=5)
        self._listener, self._lead_conns = None, {}
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("storage is not open")
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PgTx]:
        async with self.pool.acquire() as conn, conn.transaction():
            tx = _PgTx(conn)
            yield tx
            for topic in sorted(tx.topics):  # delivered to every listener when (and only if) this commits
                await conn.execute("SELECT pg_notify($1, '')", CHANNEL_PREFIX + topic)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self.pool.fetch(numbered(sql), *args))

    async def schema_version(self) -> int:
        if await self.pool.fetchval("SELECT to_regclass('schema_version')") is None:
            return 0
        return int(await self.pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    # ------------------------------------------------------------------ LISTEN/NOTIFY

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        for topic in TOPICS:
            await conn.add_listener(CHANNEL_PREFIX + topic, self._on_notification)
        conn.add_termination_listener(self._on_listener_lost)
        self._listener = conn

    def _on_notification(self, _conn: object, _pid: int, channel: str, _payload: str) -> None:
        self._fire(channel.removeprefix(CHANNEL_PREFIX))

    def _on_listener_lost(self, _conn: object) -> None:
        if not self._closing:
            self._listen_task = asyncio.get_running_loop().create_task(self._relisten())

    async def _relisten(self) -> None:
        delay = 0.5
        while not self._closing:
            try:
                await self._listen()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("LISTEN connection lost, reconnecting in %.0f s: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            for topic in TOPICS:  # something may have changed while nobody listened
                self._fire(topic)
            return

    # ------------------------------------------------------------------ one scheduler at a time

    async def try_lead(self, name: str, holder: str, ttl_ms: int) -> bool:
        """Hold the session advisory lock `name` on a connection of its own (`ttl_ms` is not needed: the lock
        lives exactly as long as that connection). True while this process holds it."""
        conn = self._lead_conns.get(name)
        try:
            if conn is None or conn.is_closed():
                conn = await asyncpg.connect(self.dsn, server_settings=KEEPALIVE)
                self._lead_conns[name] = conn
            # Re-entrant: asking again on the holding session says yes (and proves the session is alive).
            return bool(await conn.fetchval(LOCK_KEY.format(fn="pg_try_advisory_lock"), f"lead:{name}"))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("alert scheduler lock unavailable: %s", exc)
            self._lead_conns.pop(name, None)
            if conn is not None:
                conn.terminate()
            return False

    async def release_lead(self, name: str, holder: str) -> None:
        conn = self._lead_conns.pop(name, None)
        if conn is not None and not conn.is_closed():
            await conn.close(timeout=5)  # the server drops the session's advisory locks with it
