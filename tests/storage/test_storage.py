"""The storage behaviour, one suite for both backends: migrations (from empty, from every earlier schema, several
processes at once), linked accounts, limits under concurrency, alerts, the outbox (deduplication, removal,
claims with leases, retries, retention), one leader at a time, and change notifications."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiosqlite
import asyncpg
import pytest

from bot.storage import Storage, StorageError, open_storage
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, for_dialect


async def raw_execute(url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """Run SQL straight through the driver (no bot code): how an older release left the database."""
    if url.startswith("sqlite:///"):
        async with aiosqlite.connect(url.removeprefix("sqlite:///")) as db:
            for sql, args in statements:
                await db.execute(sql, args)
            await db.commit()
        return
    conn = await asyncpg.connect(url)
    try:
        for sql, args in statements:
            numbered = sql
            for i in range(1, len(args) + 1):
                numbered = numbered.replace("?", f"${i}", 1)
            await conn.execute(numbered, *args)
    finally:
        await conn.close()


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


async def test_fresh_database_is_migrated(storage: Storage) -> None:
    assert await storage.schema_version() == LATEST_VERSION
    assert await storage.migrate() == []  # idempotent


@pytest.mark.parametrize("start_version", [v for v, _, _ in MIGRATIONS[:-1]])
async def test_upgrade_from_every_earlier_schema_keeps_data(database_url: str, start_version: int) -> None:
    dialect = dialect_of(database_url)
    statements = [(s, ()) for s in for_dialect("CREATE TABLE schema_version (version INTEGER NOT NULL)", dialect)]
    for version, _name, sql in MIGRATIONS[:start_version]:
        statements += [(s, ()) for s in for_dialect(sql, dialect)]
        statements.append(("INSERT INTO schema_version (version) VALUES (?)", (version,)))
    statements.append((
        "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (?, ?, NULL, 1, 0)",
        (1_500_000_000_000_000_005, "alice.near"),
    ))
    await raw_execute(database_url, statements)
    store = open_storage(database_url)
    await store.open()
    try:
        assert await store.schema_version() == LATEST_VERSION
        assert [a.account_id for a in await store.linked_accounts(1_500_000_000_000_000_005)] == ["alice.near"]
        assert await store.migrate() == []
    finally:
        await store.close()


async def test_a_newer_database_is_refused(database_url: str) -> None:
    dialect = dialect_of(database_url)
    await raw_execute(database_url, [
        *((s, ()) for s in for_dialect("CREATE TABLE schema_version (version INTEGER NOT NULL)", dialect)),
        ("INSERT INTO schema_version (version) VALUES (?)", (LATEST_VERSION + 1,)),
    ])
    store = open_storage(database_url)
    with pytest.raises(StorageError, match="newer"):
        await store.open()
    await store.close()


async def test_processes_starting_at_once_migrate_each_version_exactly_once(database_url: str) -> None:
    stores = [open_storage(database_url) for _ in range(4)]
    try:
        # Each open() migrates on its own connection; before the fix two of them failed with "table already exists".
        await asyncio.gather(*(store.open() for store in stores))
        assert {await store.schema_version() for store in stores} == {LATEST_VERSION}
        rows = await stores[0].fetch("SELECT version FROM schema_version ORDER BY version")  # type: ignore[attr-defined]
        assert [r[0] for r in rows] == [v for v, _, _ in MIGRATIONS]  # no version twice
    finally:
        for store in stores:
            await store.close()


async def test_linked_accounts_default_and_unlink(storage: Storage) -> None:
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


async def test_link_limit_holds_under_concurrent_links(storage: Storage) -> None:
    results = await asyncio.gather(
        *(storage.link_account(1, f"user{i}.near") for i in range(14)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, StorageError)]
    assert len(refused) == 4 and all("at most 10" in str(r) for r in refused)
    linked = await storage.linked_accounts(1)
    assert len(linked) == 10 and sum(a.is_default for a in linked) == 1
    await storage.link_account(1, linked[3].account_id, "relabel is fine")


async def test_subscription_limits_and_due_order(storage: Storage) -> None:
    for epoch in (3305, 3302, 3309):
        await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=epoch)
    assert await storage.next_due_epoch("unbonding") == 3302
    assert [s.due_epoch for s in await storage.due_subscriptions("unbonding", 3305)] == [3302, 3305]
    with pytest.raises(StorageError, match="already have 3 alerts"):
        await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=1, max_per_user=3)
    big = 1_200_000_000_000_000_002  # Discord ids are 64-bit
    sub = await storage.add_subscription("pool", big, pool_id="p.near", guild_id=big, channel_id=big + 1)
    assert (sub.user_id, sub.guild_id, sub.channel_id) == (big, big, big + 1)


async def test_outbox_deduplicates_and_finishes_atomically(storage: Storage) -> None:
    sub = await storage.add_subscription("unbonding", 1, account_id="a.near", pool_id="p.near", due_epoch=10)
    key = f"unbonding:{sub.id}:10"
    assert await storage.enqueue(key, "dm:1", {"text": "ready"}, subscription_id=sub.id, finish_subscription=True)
    assert not await storage.enqueue(key, "dm:1", {"text": "ready"}, subscription_id=sub.id, finish_subscription=True)
    assert [item.dedupe_key for item in await storage.pending_outbox()] == [key]
    assert (await storage.subscription(sub.id)).state == "done"  # type: ignore[union-attr]
    await storage.mark_sent(key, 123)
    assert await storage.pending_outbox() == []
    assert await storage.outbox_state(key) == "sent"


async def test_a_removed_alert_queues_nothing_and_loses_what_it_queued(storage: Storage) -> None:
    sub = await storage.add_subscription("pool", 1, pool_id="p.near")
    assert await storage.enqueue("pool:a", "dm:1", {"text": "fee"}, subscription_id=sub.id)
    assert await storage.remove_subscription(1, sub.id)
    assert await storage.pending_outbox() == []  # queued but not sent: not sent any more
    # A check that read the alert before it was removed queues after: no error, nothing queued, nothing changed.
    assert not await storage.enqueue("pool:b", "dm:1", {"text": "paused"}, subscription_id=sub.id)
    assert not await storage.enqueue("unbonding:x", "dm:1", {}, subscription_id=sub.id, finish_subscription=True)
    await storage.remember(sub.id, {"fee": [1, 100]})
    await storage.finish_subscription(sub.id)
    assert await storage.pending_outbox() == [] and await storage.subscription(sub.id) is None
    other = await storage.add_subscription("pool", 2, pool_id="p.near")
    await storage.disable_subscription(other.id, "dm_closed")
    assert not await storage.enqueue("pool:c", "dm:2", {}, subscription_id=other.id)


async def test_a_changed_announcement_channel_drops_announcements_not_sent_yet(storage: Storage) -> None:
    await storage.update_guild(5, announcement_channel_id=99)
    assert await storage.enqueue("epoch:5:10", "channel:99", {"text": "Epoch 10"}, guild_id=5)
    await storage.update_guild(5, announcement_channel_id=None)
    assert await storage.pending_outbox() == []
    assert not await storage.enqueue("epoch:5:11", "channel:99", {"text": "Epoch 11"}, guild_id=5)
    await storage.update_guild(5, announcement_channel_id=98)
    assert await storage.announce_epoch(12, {5: ("epoch:5:12", "channel:99", {"text": "old channel"})})
    assert await storage.pending_outbox() == []  # the channel it was built for is no longer the one


async def test_announcement_and_its_mark_are_one_step(storage: Storage) -> None:
    await storage.update_guild(5, announcement_channel_id=99)
    message = {5: ("epoch:5:10", "channel:99", {"text": "Epoch 10"})}
    assert await storage.announced_epoch() is None
    assert await storage.announce_epoch(10, message)
    assert not await storage.announce_epoch(10, message)  # once per epoch
    assert not await storage.announce_epoch(9, {})
    assert await storage.announced_epoch() == 10
    assert [i.dedupe_key for i in await storage.pending_outbox()] == ["epoch:5:10"]
    assert await storage.announce_epoch(11, {})  # quiet: marked, nothing queued
    assert len(await storage.pending_outbox()) == 1


async def test_claims_are_exclusive_and_come_back_after_the_lease(storage: Storage) -> None:
    for i in range(30):
        await storage.enqueue(f"k{i:02}", "dm:1", {"i": i})
    first, second = await asyncio.gather(storage.claim_outbox("a", 20, 60_000), storage.claim_outbox("b", 20, 60_000))
    keys_a, keys_b = {i.dedupe_key for i in first}, {i.dedupe_key for i in second}
    assert not keys_a & keys_b and len(keys_a | keys_b) == 30  # every row once, never twice
    assert await storage.claim_outbox("c", 50, 60_000) == []
    assert all(i.first_try_ms is not None for i in first)
    await storage.mark_sent(first[0].dedupe_key, 1)
    assert await storage.outbox_state(first[0].dedupe_key) == "sent"

    await storage.enqueue("a-slow", "dm:1", {})
    await storage.enqueue("b-short", "dm:1", {})
    (slow,) = await storage.claim_outbox("alive", 1, 200)
    (claimed,) = await storage.claim_outbox("dies", 1, 200)  # its holder dies: nobody marks it
    assert await storage.renew_claims("alive", [slow.dedupe_key, claimed.dedupe_key], 60_000) == 1  # only its own
    await asyncio.sleep(0.3)
    (again,) = await storage.claim_outbox("survivor", 5, 60_000)
    assert again.dedupe_key == "b-short" and again.first_try_ms == claimed.first_try_ms  # the first try is kept
    assert not await storage.restart_try_window("b-short", "dies")  # the dead holder has lost it
    assert await storage.restart_try_window("b-short", "survivor")


async def test_retries_wait_and_permanent_failures_stop(storage: Storage) -> None:
    await storage.enqueue("k", "dm:1", {})
    (item,) = await storage.claim_outbox("a", 1, 60_000)
    await storage.retry_later("k", "someone-else", "not theirs", 0)  # only the holder may release it
    assert await storage.claim_outbox("b", 1, 60_000) == []
    before = int(time.time() * 1000)
    await storage.retry_later("k", "a", "HTTP 503", 5_000)
    assert await storage.claim_outbox("b", 1, 60_000) == []  # not before its retry time
    due = await storage.next_outbox_due_ms()
    assert due is not None and before + 5_000 <= due <= before + 6_000
    assert (await storage.pending_outbox())[0].attempts == 1
    assert await storage.restart_try_window("k", "a") is False  # no longer claimed by a
    await storage.mark_failed("k", "400 Invalid Form Body")
    assert await storage.outbox_state("k") == "failed"
    assert await storage.next_outbox_due_ms() is None


async def test_finished_rows_are_kept_for_the_retention_time_then_removed(storage: Storage, database_url: str) -> None:
    for key in ("old-sent", "old-failed", "new-sent", "pending"):
        await storage.enqueue(key, "dm:1", {})
    await storage.mark_sent("old-sent")
    await storage.mark_failed("old-failed", "gone")
    await storage.mark_sent("new-sent")
    long_ago = int(time.time()) - 10 * 3600
    await raw_execute(database_url, [
        ("UPDATE outbox SET sent_at = ? WHERE dedupe_key IN ('old-sent', 'old-failed')", (long_ago,)),
        ("UPDATE outbox SET created_at = ? WHERE dedupe_key = 'pending'", (long_ago,)),
    ])
    assert await storage.purge_outbox(3600) == 2
    assert await storage.outbox_state("new-sent") == "sent" and await storage.outbox_state("pending") == "pending"
    assert await storage.outbox_state("old-sent") is None


async def test_one_leader_at_a_time_and_a_takeover_when_it_dies(database_url: str) -> None:
    one, two = open_storage(database_url), open_storage(database_url)
    await one.open()
    await two.open()
    try:
        assert await one.try_lead("scheduler", "one", 500)
        assert not await two.try_lead("scheduler", "two", 500)
        assert await one.try_lead("scheduler", "one", 500)  # renewing
        await one.release_lead("scheduler", "one")
        assert await two.try_lead("scheduler", "two", 500)
        assert not await one.try_lead("scheduler", "one", 500)
        await two.close()  # the leader's process dies (its connection closes; SQLite: its lease runs out)
        deadline = time.monotonic() + 5
        while not await one.try_lead("scheduler", "one", 500):
            assert time.monotonic() < deadline, "nobody took over"
            await asyncio.sleep(0.1)
    finally:
        await one.close()
        await two.close()


async def test_changes_are_heard_by_every_process(database_url: str) -> None:
    writer, listener = open_storage(database_url), open_storage(database_url)
    await writer.open()
    await listener.open()
    heard: list[str] = []
    got_outbox = asyncio.Event()

    def hear(topic: str) -> None:
        heard.append(topic)
        if topic == "outbox":
            got_outbox.set()

    # SQLite is one process: its listeners hear its own writes. PostgreSQL: any process's (LISTEN/NOTIFY).
    (writer if writer.dialect == "sqlite" else listener).on_change(hear)
    try:
        await writer.add_subscription("pool", 1, pool_id="p.near")
        await writer.enqueue("k", "dm:1", {})
        await asyncio.wait_for(got_outbox.wait(), 5)
        assert heard[:2] == ["alerts", "outbox"]
    finally:
        await writer.close()
        await listener.close()


async def test_guild_settings_and_notices(storage: Storage) -> None:
    settings = await storage.update_guild(5, announcement_channel_id=99, support_channel_ids=[11, 12],
                                          guard_log_channel_id=1_300_000_000_000_000_013)
    assert (settings.announcement_channel_id, settings.support_channel_ids) == (99, [11, 12])
    assert settings.guard_log_channel_id == 1_300_000_000_000_000_013
    assert [g.guild_id for g in await storage.announcement_channels()] == [5]
    await storage.add_notice(1, "dm_closed")
    await storage.add_notice(1, "dm_closed")
    assert await storage.pop_notices(1) == ["dm_closed"]
    assert await storage.pop_notices(1) == []


async def test_the_doctor_health_check_changes_nothing(storage: Storage) -> None:
    health = await storage.check_health()
    assert (health.backend, health.readable, health.writable) == (storage.dialect, True, True)
    assert health.schema_version == LATEST_VERSION and health.problem is None
    assert "@" not in health.location  # never the credentials


async def test_the_doctor_names_a_missing_postgresql_database(postgres_url: str) -> None:
    health = await open_storage(postgres_url + "_missing").check_health()
    assert not health.readable and not health.writable and "does not exist" in (health.problem or "")
