"""SQLite storage through aiosqlite: WAL mode, foreign keys on, every write in one BEGIN IMMEDIATE transaction.

The zero-set-up default for one bot process (all its shards included). Several processes may share the file
(`python -m bot migrate` next to a running bot): the write lock is waited for, and migrations read the schema
version inside their write transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.base import MAX_LINKED_ACCOUNTS, Row, SqlStorage, StorageError
from bot.storage.models import StorageHealth
from bot.storage.sqlite_health import sqlite_health

__all__ = ["MAX_LINKED_ACCOUNTS", "SqliteStorage", "StorageError"]


class _SqliteTx:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self.topics: set[str] = set()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self.db.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, *args: Any) -> int:
        async with self.db.execute(sql, args) as cursor:
            return max(cursor.rowcount, 0)

    async def lock(self, name: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already holds the database's only write lock."""

    def notify(self, topic: str) -> None:
        self.topics.add(topic)


class SqliteStorage(SqlStorage):
    dialect = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        super().__init__()
        self.path = str(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._db: aiosqlite.Connection | None = None
        # One connection: concurrent tasks must take turns to hold a write transaction.
        self._write_lock = asyncio.Lock()

    def describe(self) -> str:
        return f"SQLite {self.path}"

    # ------------------------------------------------------------------ lifecycle

    async def open(self, *, migrate: bool = True) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        # Another process (`python -m bot migrate`, a second bot) may hold the write lock: wait for it.
        await self._db.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        if migrate:
            await self.migrate()

    async def check_health(self) -> StorageHealth:
        """Open, schema version and a rolled-back write, on a separate connection that creates nothing."""
        return await sqlite_health(self.path, self.busy_timeout_ms)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("storage is not open")
        return self._db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTx]:
        tx = _SqliteTx(self.db)
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            else:
                await self.db.execute("COMMIT")
        for topic in sorted(tx.topics):
            self._fire(topic)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self.db.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    # ------------------------------------------------------------------ migrations

    async def schema_version(self) -> int:
        rows = await self.fetch("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        if not rows:
            return 0
        row = (await self.fetch("SELECT MAX(version) FROM schema_version"))[0]
        return int(row[0] or 0)
