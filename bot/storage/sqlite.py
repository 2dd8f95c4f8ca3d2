"""SQLite storage through aiosqlite: WAL mode, foreign keys on, every write in one transaction.

Linking an account is a convenience, never proof of ownership: nothing here treats it as an identity.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import LATEST_VERSION, MIGRATIONS
from bot.storage.models import GuildSettings, LinkedAccount, OutboxItem, StorageHealth, Subscription
from bot.storage.sqlite_health import sqlite_health

MAX_LINKED_ACCOUNTS = 10


class StorageError(Exception):
    """A storage rule was broken (limits, unknown rows); the message is safe to show a user."""


class SqliteStorage:
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._db: aiosqlite.Connection | None = None
        # One connection: concurrent tasks must take turns to hold a write transaction.
        self._write_lock = asyncio.Lock()

    # ------------------------------------------------------------------ lifecycle

    async def open(self, *, migrate: bool = True) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        # Another process (a second shard, `python -m bot migrate`) may hold the write lock: wait for it.
        await self._db.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
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
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            else:
                await self.db.execute("COMMIT")

    async def schema_version(self) -> int:
        await self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        async with self.db.execute("SELECT MAX(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0] or 0) if row else 0

    async def migrate(self) -> list[int]:
        """Apply every migration newer than the database; returns the versions applied."""
        applied = []
        current = await self.schema_version()
        if current > LATEST_VERSION:
            raise StorageError(f"The database is at schema {current}, newer than this bot ({LATEST_VERSION}).")
        for version, _name, sql in MIGRATIONS:
            if version <= current:
                continue
            async with self.transaction() as db:
                for statement in (s.strip() for s in sql.split(";")):
                    if statement:
                        await db.execute(statement)
                await db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            applied.append(version)
        return applied

    # ------------------------------------------------------------------ linked accounts

    async def link_account(self, user_id: int, account_id: str, label: str | None = None) -> LinkedAccount:
        async with self.transaction() as db:
            existing = await self._linked(db, user_id)
            if account_id not in {a.account_id for a in existing} and len(existing) >= MAX_LINKED_ACCOUNTS:
                raise StorageError(f"You can link at most {MAX_LINKED_ACCOUNTS} accounts. Unlink one first.")
            first = not existing
            await db.execute(
                "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, account_id) DO UPDATE SET label = excluded.label",
                (user_id, account_id, label, 1 if first else 0, int(time.time())),
            )
            linked = await self._linked(db, user_id)
        return next(a for a in linked if a.account_id == account_id)

    async def unlink_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM linked_accounts WHERE user_id = ? AND account_id = ? RETURNING is_default",
                (user_id, account_id),
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is None:
                return False
            if row[0]:  # promote the oldest remaining account so there is always a default
                await db.execute(
                    "UPDATE linked_accounts SET is_default = 1 WHERE rowid = (SELECT rowid FROM linked_accounts "
                    "WHERE user_id = ? ORDER BY created_at, account_id LIMIT 1)",
                    (user_id,),
                )
        return True

    async def set_default_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as db:
            linked = {a.account_id for a in await self._linked(db, user_id)}
            if account_id not in linked:
                return False
            await db.execute("UPDATE linked_accounts SET is_default = 0 WHERE user_id = ?", (user_id,))
            await db.execute(
                "UPDATE linked_accounts SET is_default = 1 WHERE user_id = ? AND account_id = ?", (user_id, account_id)
            )
        return True

    async def linked_accounts(self, user_id: int) -> list[LinkedAccount]:
        return await self._linked(self.db, user_id)

    async def default_account(self, user_id: int) -> str | None:
        return next((a.account_id for a in await self.linked_accounts(user_id) if a.is_default), None)

    async def _linked(self, db: aiosqlite.Connection, user_id: int) -> list[LinkedAccount]:
        async with db.execute(
            "SELECT account_id, label, is_default FROM linked_accounts WHERE user_id = ? "
            "ORDER BY is_default DESC, created_at, account_id",
            (user_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [LinkedAccount(account_id=r[0], label=r[1], is_default=bool(r[2])) for r in rows]

    # ------------------------------------------------------------------ guild settings

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        async with self.db.execute(
            "SELECT announcement_channel_id, guard_enabled, guard_log_channel_id FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        ) as cursor:
            row = await cursor.fetchone()
        async with self.db.execute(
            "SELECT channel_id FROM support_channels WHERE guild_id = ? ORDER BY channel_id", (guild_id,)
        ) as cursor:
            channels = [r[0] for r in await cursor.fetchall()]
        if row is None:
            return GuildSettings(guild_id=guild_id)
        return GuildSettings(
            guild_id=guild_id, announcement_channel_id=row[0], guard_enabled=bool(row[1]), support_channel_ids=channels,
            guard_log_channel_id=row[2],
        )

    async def update_guild(self, guild_id: int, **changes: Any) -> GuildSettings:
        allowed = {"announcement_channel_id", "guard_enabled", "guard_log_channel_id"}
        unknown = set(changes) - allowed - {"support_channel_ids"}
        if unknown:
            raise ValueError(f"unknown guild settings: {sorted(unknown)}")
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, int(time.time())),
            )
            for column in allowed & set(changes):
                value = changes[column]
                value = int(value) if isinstance(value, bool) else value
                await db.execute(
                    f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",  # noqa: S608 - whitelisted
                    (value, int(time.time()), guild_id),
                )
            if "support_channel_ids" in changes:
                await db.execute("DELETE FROM support_channels WHERE guild_id = ?", (guild_id,))
                for channel_id in changes["support_channel_ids"]:
                    await db.execute(
                        "INSERT INTO support_channels (guild_id, channel_id) VALUES (?, ?)", (guild_id, channel_id)
                    )
        return await self.guild_settings(guild_id)

    async def announcement_channels(self) -> list[GuildSettings]:
        async with self.db.execute(
            "SELECT guild_id FROM guild_settings WHERE announcement_channel_id IS NOT NULL ORDER BY guild_id"
        ) as cursor:
            ids = [r[0] for r in await cursor.fetchall()]
        return [await self.guild_settings(guild_id) for guild_id in ids]

    # ------------------------------------------------------------------ subscriptions

    async def add_subscription(
        self,
        kind: str,
        user_id: int,
        *,
        account_id: str | None = None,
        pool_id: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        due_epoch: int | None = None,
        last_seen: dict[str, Any] | None = None,
        max_per_user: int = 25,
        max_per_guild: int = 200,
    ) -> Subscription:
        async with self.transaction() as db:
            if await self._count(db, "user_id", user_id) >= max_per_user:
                raise StorageError(f"You already have {max_per_user} alerts. Remove one with /alert remove first.")
            if guild_id is not None and await self._count(db, "guild_id", guild_id) >= max_per_guild:
                raise StorageError(f"This server already has {max_per_guild} alerts, the most it may have.")
            cursor = await db.execute(
                "INSERT INTO subscriptions (kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, "
                "last_seen, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch,
                    json.dumps(last_seen) if last_seen is not None else None, int(time.time()),
                ),
            )
            row = await cursor.fetchone()
            await cursor.close()
        assert row is not None
        subscription = await self.subscription(int(row[0]))
        assert subscription is not None
        return subscription

    async def _count(self, db: aiosqlite.Connection, column: str, value: int) -> int:
        async with db.execute(
            f"SELECT COUNT(*) FROM subscriptions WHERE {column} = ? AND state = 'active'", (value,)  # noqa: S608
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def subscription(self, subscription_id: int) -> Subscription | None:
        rows = await self._subscriptions("WHERE id = ?", (subscription_id,))
        return rows[0] if rows else None

    async def user_subscriptions(self, user_id: int) -> list[Subscription]:
        return await self._subscriptions("WHERE user_id = ? AND state != 'done' ORDER BY id", (user_id,))

    async def active_subscriptions(self, kind: str) -> list[Subscription]:
        return await self._subscriptions("WHERE kind = ? AND state = 'active' ORDER BY id", (kind,))

    async def due_subscriptions(self, kind: str, epoch: int) -> list[Subscription]:
        return await self._subscriptions(
            "WHERE kind = ? AND state = 'active' AND due_epoch <= ? ORDER BY due_epoch, id", (kind, epoch)
        )

    async def next_due_epoch(self, kind: str) -> int | None:
        async with self.db.execute(
            "SELECT MIN(due_epoch) FROM subscriptions WHERE kind = ? AND state = 'active'", (kind,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else None

    async def remove_subscription(self, user_id: int, subscription_id: int) -> bool:
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM subscriptions WHERE id = ? AND user_id = ?", (subscription_id, user_id)
            )
            removed = cursor.rowcount > 0
            await cursor.close()
        return removed

    async def reschedule(self, subscription_id: int, due_epoch: int) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE subscriptions SET due_epoch = ? WHERE id = ?", (due_epoch, subscription_id))

    async def remember(self, subscription_id: int, last_seen: dict[str, Any]) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET last_seen = ? WHERE id = ?", (json.dumps(last_seen), subscription_id)
            )

    async def finish_subscription(self, subscription_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE subscriptions SET state = 'done' WHERE id = ?", (subscription_id,))

    async def disable_subscription(self, subscription_id: int, reason: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE subscriptions SET state = 'disabled', disabled_reason = ? WHERE id = ?", (reason, subscription_id)
            )

    async def _subscriptions(self, where: str, params: tuple[Any, ...]) -> list[Subscription]:
        async with self.db.execute(
            "SELECT id, kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, state, "
            f"disabled_reason, last_seen FROM subscriptions {where}",  # noqa: S608 - fixed fragments
            params,
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Subscription(
                id=r[0], kind=r[1], user_id=r[2], guild_id=r[3], channel_id=r[4], account_id=r[5], pool_id=r[6],
                due_epoch=r[7], state=r[8], disabled_reason=r[9], last_seen=json.loads(r[10]) if r[10] else None,
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ outbox (at-least-once, deduplicated)

    async def enqueue(
        self,
        dedupe_key: str,
        destination: str,
        payload: dict[str, Any],
        *,
        subscription_id: int | None = None,
        finish_subscription: bool = False,
        reschedule_to: int | None = None,
    ) -> bool:
        """Queue one notification; False if that key was queued before. Subscription bookkeeping happens in the
        same transaction, so a crash cannot lose the notification nor queue it twice."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO outbox (dedupe_key, subscription_id, destination, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
                (dedupe_key, subscription_id, destination, json.dumps(payload), int(time.time())),
            )
            inserted = cursor.rowcount > 0
            await cursor.close()
            if subscription_id is not None and finish_subscription:
                await db.execute("UPDATE subscriptions SET state = 'done' WHERE id = ?", (subscription_id,))
            if subscription_id is not None and reschedule_to is not None:
                await db.execute("UPDATE subscriptions SET due_epoch = ? WHERE id = ?", (reschedule_to, subscription_id))
        return inserted

    async def pending_outbox(self, limit: int = 50) -> list[OutboxItem]:
        async with self.db.execute(
            "SELECT dedupe_key, subscription_id, destination, payload, attempts FROM outbox "
            "WHERE state = 'pending' ORDER BY created_at, dedupe_key LIMIT ?",
            (limit,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            OutboxItem(dedupe_key=r[0], subscription_id=r[1], destination=r[2], payload=json.loads(r[3]), attempts=r[4])
            for r in rows
        ]

    async def mark_sent(self, dedupe_key: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE dedupe_key = ?",
                (int(time.time()), dedupe_key),
            )

    async def mark_failed(self, dedupe_key: str, error: str, *, final: bool) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = ? WHERE dedupe_key = ?",
                (error[:500], "failed" if final else "pending", dedupe_key),
            )

    async def outbox_state(self, dedupe_key: str) -> str | None:
        async with self.db.execute("SELECT state FROM outbox WHERE dedupe_key = ?", (dedupe_key,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ notices shown next time a user comes back

    async def add_notice(self, user_id: int, notice: str) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO user_notices (user_id, notice, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, notice, int(time.time())),
            )

    async def pop_notices(self, user_id: int) -> list[str]:
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM user_notices WHERE user_id = ? RETURNING notice, created_at", (user_id,)
            )
            rows = await cursor.fetchall()
            await cursor.close()
        return [r[0] for r in sorted(rows, key=lambda r: r[1])]
