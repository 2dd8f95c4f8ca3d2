"""What only the SQLite file does: WAL and foreign keys on, another process's write lock waited for, and a write
that times out on it losing nothing (the shared behaviour is tested for both backends in test_storage.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import SqliteStorage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(storage: SqliteStorage) -> None:
    async with storage.db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"
    async with storage.db.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone())[0] == 1


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    with sqlite3.connect(path, isolation_level=None) as other:  # another process's connection
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        other.execute("ROLLBACK")


async def test_a_briefly_locked_database_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    store = SqliteStorage(path, busy_timeout_ms=3000)
    await store.open()
    try:
        locked = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, 0.5, locked))
        holder.start()
        locked.wait(5)
        linked = await store.link_account(1, "alice.near")  # waits for the other writer, then succeeds
        holder.join()
        assert linked.is_default
    finally:
        await store.close()


async def test_a_write_that_times_out_loses_nothing_and_succeeds_later(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    store = SqliteStorage(path, busy_timeout_ms=100)
    await store.open()
    try:
        locked = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, 1.0, locked))
        holder.start()
        locked.wait(5)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await store.enqueue("epoch:1:10", "channel:5", {"text": "Epoch 10"})
        holder.join()
        assert await store.pending_outbox() == []  # the failed write left nothing half-done
        assert await store.enqueue("epoch:1:10", "channel:5", {"text": "Epoch 10"})  # the retry goes through
        assert not await store.enqueue("epoch:1:10", "channel:5", {"text": "Epoch 10"})  # and only once
        assert [item.dedupe_key for item in await store.pending_outbox()] == ["epoch:1:10"]
    finally:
        await store.close()
