"""SQLite storage: migrations from empty and from every earlier version, linked accounts, limits, outbox."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import SqliteStorage, StorageError
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "bot.sqlite3")
    await store.open()
    yield store
    await store.close()


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(storage: SqliteStorage) -> None:
    assert await storage.schema_version() == LATEST_VERSION
    async with storage.db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"
    async with storage.db.execute("PRAGMA foreign_keys") as cursor:
        assert (await cursor.fetchone())[0] == 1


@pytest.mark.parametrize("start_version", [v for v, _, _ in MIGRATIONS[:-1]])
async def test_upgrade_from_every_earlier_schema_keeps_data(tmp_path: Path, start_version: int) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path) as db:  # build the database as an older release left it
        await db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version, _name, sql in MIGRATIONS:
            if version > start_version:
                break
            await db.executescript(sql)
            await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        await db.execute(
            "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (1, 'alice.near', NULL, 1, 0)"
        )
        await db.commit()
    store = SqliteStorage(path)
    await store.open()
    try:
        assert await store.schema_version() == LATEST_VERSION
        assert [a.account_id for a in await store.linked_accounts(1)] == ["alice.near"]
        assert await store.migrate() == []  # idempotent
    finally:
        await store.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    async with aiosqlite.connect(path) as db:
        await db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await db.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST_VERSION + 1,))
        await db.commit()
    store = SqliteStorage(path)
    with pytest.raises(StorageError, match="newer"):
        await store.open()
    await store.close()


async def test_linked_accounts_default_and_unlink(storage: SqliteStorage) -> None:
    first = await storage.link_account(7, "alice.near", "main")
    assert first.is_default
    await storage.link_account(7, "bob.near")
    assert await storage.default_account(7) == "alice.near"
    assert await storage.set_default_account(7, "bob.near")
    assert await storage.default_account(7) == "bob.near"
    assert not await storage.set_default_account(7, "carol.near")
    assert await storage.unlink_account(7, "bob.near")
    assert await storage.default_account(7) == "alice.near"  # the default moves to a remaining account
    assert not await storage.unlink_account(7, "bob.near")
    assert await storage.linked_accounts(8) == []


async def test_link_limit(storage: SqliteStorage) -> None:
    for i in range(10):
        await storage.link_account(1, f"user{i}.near")
    with pytest.raises(StorageError, match="at most 10"):
        await storage.link_account(1, "one-more.near")
    await storage.link_account(1, "user3.near", "relabel is fine")


async def test_subscription_limits_and_due_order(storage: SqliteStorage) -> None:
    for epoch in (3305, 3302, 3309):
        await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=epoch)
    assert await storage.next_due_epoch("unbonding") == 3302
    assert [s.due_epoch for s in await storage.due_subscriptions("unbonding", 3305)] == [3302, 3305]
    with pytest.raises(StorageError, match="already have 3 alerts"):
        await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=1, max_per_user=3)


async def test_outbox_deduplicates_and_finishes_atomically(storage: SqliteStorage) -> None:
    sub = await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=10)
    key = f"unbonding:{sub.id}:10"
    assert await storage.enqueue(key, "dm:1", {"text": "ready"}, subscription_id=sub.id, finish_subscription=True)
    assert not await storage.enqueue(key, "dm:1", {"text": "ready"}, subscription_id=sub.id, finish_subscription=True)
    assert [item.dedupe_key for item in await storage.pending_outbox()] == [key]
    assert (await storage.subscription(sub.id)).state == "done"  # type: ignore[union-attr]
    await storage.mark_failed(key, "HTTP 503", final=False)
    assert (await storage.pending_outbox())[0].attempts == 1
    await storage.mark_sent(key)
    assert await storage.pending_outbox() == []
    assert await storage.outbox_state(key) == "sent"


async def test_guild_settings_and_notices(storage: SqliteStorage) -> None:
    settings = await storage.update_guild(5, announcement_channel_id=99, support_channel_ids=[11, 12])
    assert (settings.announcement_channel_id, settings.support_channel_ids) == (99, [11, 12])
    assert [g.guild_id for g in await storage.announcement_channels()] == [5]
    await storage.add_notice(1, "dm_closed")
    await storage.add_notice(1, "dm_closed")
    assert await storage.pop_notices(1) == ["dm_closed"]
    assert await storage.pop_notices(1) == []


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
