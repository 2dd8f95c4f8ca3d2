"""Everything the bot stores, written once in portable SQL (`?` placeholders) over a small connection interface;
`SqliteStorage` and `PostgresStorage` supply the connection, the locks and the migrations.

Linking an account is a convenience, never proof of ownership: nothing here treats it as an identity.

Concurrency rules (what makes several processes safe on PostgreSQL, and one process on SQLite):
- a write that checks then changes (limits, "is this alert still active?") takes a lock first: `tx.lock(name)`
  (SQLite: the BEGIN IMMEDIATE write lock already serialises; PostgreSQL: a transaction advisory lock) or
  `SELECT … FOR UPDATE` on the row (`self.for_update`);
- outbox rows are claimed with a lease (`claimed_by`, `claim_until_ms`), and on PostgreSQL selected with
  `FOR UPDATE SKIP LOCKED`, so two deliverers never hold the same row and a crashed one's rows come back;
- writes that concern the scheduler or the deliverers call `tx.notify(topic)`: listeners in every process are
  called after the commit ("alerts": subscriptions or announcement channels changed; "outbox": rows to send).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, for_dialect
from bot.storage.models import GuildSettings, LinkedAccount, OutboxItem, StorageError, Subscription
from bot.storage.verified import VerificationStore

log = logging.getLogger(__name__)
MAX_LINKED_ACCOUNTS = 10
ANNOUNCED_EPOCH = "announced_epoch"
Row = Sequence[Any]
TOPICS = ("alerts", "outbox")


class Tx(Protocol):
    """One open transaction (or, outside `transaction()`, one autocommit statement at a time)."""

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...
    async def execute(self, sql: str, *args: Any) -> int: ...  # rows changed
    async def lock(self, name: str) -> None: ...  # held until the transaction ends
    def notify(self, topic: str) -> None: ...  # listeners everywhere hear it after the commit


def now_ms() -> int:
    return int(time.time() * 1000)


async def fetchone(tx: Tx, sql: str, *args: Any) -> Row | None:
    rows = await tx.fetch(sql, *args)
    return rows[0] if rows else None


SUBSCRIPTION_COLUMNS = ("id, kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, state, "
                        "disabled_reason, last_seen, due_unix")
OUTBOX_COLUMNS = "dedupe_key, subscription_id, destination, payload, attempts, first_try_ms, guild_id"


def _subscription(r: Row) -> Subscription:
    return Subscription(
        id=r[0], kind=r[1], user_id=r[2], guild_id=r[3], channel_id=r[4], account_id=r[5], pool_id=r[6],
        due_epoch=r[7], state=r[8], disabled_reason=r[9], last_seen=json.loads(r[10]) if r[10] else None,
        due_unix=r[11],
    )


def _outbox_item(r: Row) -> OutboxItem:
    return OutboxItem(dedupe_key=r[0], subscription_id=r[1], destination=r[2], payload=json.loads(r[3]),
                      attempts=r[4], first_try_ms=r[5], guild_id=r[6])


class SqlStorage(VerificationStore):
    """The storage behaviour shared by both backends. Subclasses implement the connection methods below."""

    dialect = ""
    for_update = ""  # PostgreSQL: " FOR UPDATE" (SQLite's write transaction already excludes other writers)
    skip_locked = ""  # PostgreSQL: " FOR UPDATE SKIP LOCKED"

    def __init__(self) -> None:
        self._listeners: list[Callable[[str], None]] = []

    # ------------------------------------------------------------------ backend interface

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
        raise NotImplementedError

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """A read outside any transaction."""
        raise NotImplementedError

    async def migrate(self) -> list[int]:
        """Apply every migration newer than the database; returns the versions this call applied. Each runs in
        its own transaction under a lock held for the migration, with the version read inside it, so processes
        that start at once apply each migration exactly once (the others see it done and skip it)."""
        applied = []
        (create_version_table,) = for_dialect("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                                              self.dialect)
        for version, _name, sql in MIGRATIONS:
            async with self.transaction() as tx:
                await tx.lock("schema-migrations")
                await tx.execute(create_version_table)
                current = int((await tx.fetch("SELECT MAX(version) FROM schema_version"))[0][0] or 0)
                if current > LATEST_VERSION:
                    raise StorageError(f"The database is at schema {current}, newer than this bot ({LATEST_VERSION}).")
                if version <= current:
                    continue
                for statement in for_dialect(sql, self.dialect):
                    await tx.execute(statement)
                await tx.execute("INSERT INTO schema_version (version) VALUES (?)", version)
            applied.append(version)
        return applied

    # ------------------------------------------------------------------ change notifications

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call `listener(topic)` after every committed change of that topic, from any process."""
        self._listeners.append(listener)

    def _fire(self, topic: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(topic)
            except Exception:  # a listener's bug must not fail the write that already committed
                log.exception("storage change listener failed")

    # ------------------------------------------------------------------ linked accounts

    async def link_account(self, user_id: int, account_id: str, label: str | None = None) -> LinkedAccount:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            existing = await self._linked(tx, user_id)
            if account_id not in {a.account_id for a in existing} and len(existing) >= MAX_LINKED_ACCOUNTS:
                raise StorageError(f"You can link at most {MAX_LINKED_ACCOUNTS} accounts. Unlink one first.")
            await tx.execute(
                "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, account_id) DO UPDATE SET label = excluded.label",
                user_id, account_id, label, 0 if existing else 1, int(time.time()),
            )
            linked = await self._linked(tx, user_id)
        return next(a for a in linked if a.account_id == account_id)

    async def unlink_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            row = await fetchone(
                tx, "DELETE FROM linked_accounts WHERE user_id = ? AND account_id = ? RETURNING is_default",
                user_id, account_id,
            )
            if row is None:
                return False
            if row[0]:  # promote the oldest remaining account so there is always a default
                await tx.execute(
                    "UPDATE linked_accounts SET is_default = 1 WHERE user_id = ? AND account_id = (SELECT account_id "
                    "FROM linked_accounts WHERE user_id = ? ORDER BY created_at, account_id LIMIT 1)",
                    user_id, user_id,
                )
        return True

    async def set_default_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            if account_id not in {a.account_id for a in await self._linked(tx, user_id)}:
                return False
            await tx.execute("UPDATE linked_accounts SET is_default = 0 WHERE user_id = ?", user_id)
            await tx.execute(
                "UPDATE linked_accounts SET is_default = 1 WHERE user_id = ? AND account_id = ?", user_id, account_id
            )
        return True

    async def linked_accounts(self, user_id: int) -> list[LinkedAccount]:
        return await self._linked(self, user_id)

    async def default_account(self, user_id: int) -> str | None:
        return next((a.account_id for a in await self.linked_accounts(user_id) if a.is_default), None)

    async def _linked(self, tx: Tx | SqlStorage, user_id: int) -> list[LinkedAccount]:
        rows = await tx.fetch(
            "SELECT account_id, label, is_default FROM linked_accounts WHERE user_id = ? "
            "ORDER BY is_default DESC, created_at, account_id",
            user_id,
        )
        return [LinkedAccount(account_id=r[0], label=r[1], is_default=bool(r[2])) for r in rows]

    # ------------------------------------------------------------------ guild settings

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._one(
            "SELECT announcement_channel_id, guard_enabled, guard_log_channel_id FROM guild_settings WHERE guild_id = ?",
            guild_id,
        )
        if row is None:
            return GuildSettings(guild_id=guild_id)
        channels = [r[0] for r in await self.fetch(
            "SELECT channel_id FROM support_channels WHERE guild_id = ? ORDER BY channel_id", guild_id
        )]
        return GuildSettings(
            guild_id=guild_id, announcement_channel_id=row[0], guard_enabled=bool(row[1]), support_channel_ids=channels,
            guard_log_channel_id=row[2],
        )

    async def update_guild(self, guild_id: int, **changes: Any) -> GuildSettings:
        allowed = {"announcement_channel_id", "guard_enabled", "guard_log_channel_id"}
        unknown = set(changes) - allowed - {"support_channel_ids"}
        if unknown:
            raise ValueError(f"unknown guild settings: {sorted(unknown)}")
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
                guild_id, int(time.time()),
            )
            await fetchone(tx, f"SELECT guild_id FROM guild_settings WHERE guild_id = ?{self.for_update}", guild_id)
            for column in sorted(allowed & set(changes)):
                value = changes[column]
                value = int(value) if isinstance(value, bool) else value
                await tx.execute(
                    f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",  # noqa: S608 - whitelisted
                    value, int(time.time()), guild_id,
                )
            if "announcement_channel_id" in changes:
                # Announcements queued for the old channel are not sent anywhere (the admin changed their mind).
                await tx.execute(
                    "DELETE FROM outbox WHERE guild_id = ? AND state = 'pending' AND destination != ?",
                    guild_id, f"channel:{changes['announcement_channel_id']}",
                )
                tx.notify("alerts")
            if "support_channel_ids" in changes:
                await tx.execute("DELETE FROM support_channels WHERE guild_id = ?", guild_id)
                for channel_id in changes["support_channel_ids"]:
                    await tx.execute(
                        "INSERT INTO support_channels (guild_id, channel_id) VALUES (?, ?)", guild_id, channel_id
                    )
        return await self.guild_settings(guild_id)

    async def announcement_channels(self) -> list[GuildSettings]:
        rows = await self.fetch(
            "SELECT guild_id FROM guild_settings WHERE announcement_channel_id IS NOT NULL ORDER BY guild_id"
        )
        return [await self.guild_settings(r[0]) for r in rows]

    async def _one(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

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
        due_unix: int | None = None,
        last_seen: dict[str, Any] | None = None,
        max_per_user: int = 25,
        max_per_guild: int = 200,
    ) -> Subscription:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            if await self._count(tx, "user_id", user_id) >= max_per_user:
                raise StorageError(f"You already have {max_per_user} alerts. Remove one with /alert remove first.")
            if guild_id is not None:
                await tx.lock(f"guild:{guild_id}")
                if await self._count(tx, "guild_id", guild_id) >= max_per_guild:
                    raise StorageError(f"This server already has {max_per_guild} alerts, the most it may have.")
            row = await fetchone(
                tx,
                "INSERT INTO subscriptions (kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, "
                "due_unix, last_seen, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, due_unix,
                json.dumps(last_seen) if last_seen is not None else None, int(time.time()),
            )
            tx.notify("alerts")
        assert row is not None
        subscription = await self.subscription(int(row[0]))
        assert subscription is not None
        return subscription

    async def _count(self, tx: Tx, column: str, value: int) -> int:
        row = await fetchone(
            tx, f"SELECT COUNT(*) FROM subscriptions WHERE {column} = ? AND state = 'active'", value  # noqa: S608
        )
        return int(row[0]) if row else 0

    async def subscription(self, subscription_id: int) -> Subscription | None:
        rows = await self._subscriptions("WHERE id = ?", subscription_id)
        return rows[0] if rows else None

    async def user_subscriptions(self, user_id: int) -> list[Subscription]:
        return await self._subscriptions("WHERE user_id = ? AND state != 'done' ORDER BY id", user_id)

    async def active_subscriptions(self, kind: str) -> list[Subscription]:
        return await self._subscriptions("WHERE kind = ? AND state = 'active' ORDER BY id", kind)

    async def due_subscriptions(self, kind: str, epoch: int) -> list[Subscription]:
        return await self._subscriptions(
            "WHERE kind = ? AND state = 'active' AND due_epoch <= ? ORDER BY due_epoch, id", kind, epoch
        )

    async def next_due_epoch(self, kind: str) -> int | None:
        row = await self._one("SELECT MIN(due_epoch) FROM subscriptions WHERE kind = ? AND state = 'active'", kind)
        return int(row[0]) if row and row[0] is not None else None

    async def due_timed_subscriptions(self, kind: str, unix: int) -> list[Subscription]:
        """Alerts due at a time (`due_unix`) that has come."""
        return await self._subscriptions(
            "WHERE kind = ? AND state = 'active' AND due_unix <= ? ORDER BY due_unix, id", kind, unix
        )

    async def next_due_unix(self, kind: str) -> int | None:
        row = await self._one("SELECT MIN(due_unix) FROM subscriptions WHERE kind = ? AND state = 'active'", kind)
        return int(row[0]) if row and row[0] is not None else None

    async def remove_subscription(self, user_id: int, subscription_id: int) -> bool:
        """Remove an alert and whatever it had queued but not sent. A check that is running at the same moment
        finds it gone when it queues (see `enqueue`), so nothing is sent for it afterwards."""
        async with self.transaction() as tx:
            row = await fetchone(
                tx, f"SELECT id FROM subscriptions WHERE id = ? AND user_id = ?{self.for_update}",
                subscription_id, user_id,
            )
            if row is None:
                return False
            await tx.execute("DELETE FROM outbox WHERE subscription_id = ? AND state = 'pending'", subscription_id)
            await tx.execute("DELETE FROM subscriptions WHERE id = ?", subscription_id)
            tx.notify("alerts")
        return True

    async def reschedule(self, subscription_id: int, due_epoch: int) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE subscriptions SET due_epoch = ? WHERE id = ?", due_epoch, subscription_id)

    async def remember(self, subscription_id: int, last_seen: dict[str, Any]) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "UPDATE subscriptions SET last_seen = ? WHERE id = ?", json.dumps(last_seen), subscription_id
            )

    async def finish_subscription(self, subscription_id: int) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE subscriptions SET state = 'done' WHERE id = ?", subscription_id)

    async def disable_subscription(self, subscription_id: int, reason: str) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "UPDATE subscriptions SET state = 'disabled', disabled_reason = ? WHERE id = ?", reason, subscription_id
            )
            await tx.execute("DELETE FROM outbox WHERE subscription_id = ? AND state = 'pending'", subscription_id)

    async def _subscriptions(self, where: str, *args: Any) -> list[Subscription]:
        rows = await self.fetch(f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions {where}", *args)  # noqa: S608
        return [_subscription(r) for r in rows]

    # ------------------------------------------------------------------ queueing notifications

    async def enqueue(
        self,
        dedupe_key: str,
        destination: str,
        payload: dict[str, Any],
        *,
        subscription_id: int | None = None,
        guild_id: int | None = None,
        finish_subscription: bool = False,
        reschedule_to: int | None = None,
        reschedule_to_unix: int | None = None,
    ) -> bool:
        """Queue one notification; False if that key was queued before, or if what asked for it is gone (the
        alert was removed or switched off, the server changed its announcement channel). Subscription
        bookkeeping happens in the same transaction, so a crash cannot lose the notification nor queue it twice."""
        async with self.transaction() as tx:
            if not await self._still_wanted(tx, subscription_id, guild_id, destination):
                return False
            inserted = await self._insert_outbox(tx, dedupe_key, destination, payload, subscription_id, guild_id)
            if subscription_id is not None and finish_subscription:
                await tx.execute("UPDATE subscriptions SET state = 'done' WHERE id = ?", subscription_id)
            if subscription_id is not None and reschedule_to is not None:
                await tx.execute("UPDATE subscriptions SET due_epoch = ? WHERE id = ?", reschedule_to, subscription_id)
            if subscription_id is not None and reschedule_to_unix is not None:
                await tx.execute("UPDATE subscriptions SET due_unix = ? WHERE id = ?", reschedule_to_unix,
                                 subscription_id)
        return inserted

    async def _still_wanted(self, tx: Tx, subscription_id: int | None, guild_id: int | None, destination: str) -> bool:
        if subscription_id is not None:
            row = await fetchone(tx, f"SELECT state FROM subscriptions WHERE id = ?{self.for_update}", subscription_id)
            return row is not None and row[0] == "active"
        if guild_id is not None:
            row = await fetchone(
                tx, f"SELECT announcement_channel_id FROM guild_settings WHERE guild_id = ?{self.for_update}", guild_id
            )
            return row is not None and row[0] is not None and destination == f"channel:{row[0]}"
        return True

    async def _insert_outbox(self, tx: Tx, dedupe_key: str, destination: str, payload: dict[str, Any],
                             subscription_id: int | None, guild_id: int | None) -> bool:
        inserted = await tx.execute(
            "INSERT INTO outbox (dedupe_key, subscription_id, guild_id, destination, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            dedupe_key, subscription_id, guild_id, destination, json.dumps(payload), int(time.time()),
        )
        if inserted:
            tx.notify("outbox")
        return inserted > 0

    async def announced_epoch(self) -> int | None:
        row = await self._one("SELECT value FROM scheduler_state WHERE name = ?", ANNOUNCED_EPOCH)
        return int(row[0]) if row else None

    async def announce_epoch(self, epoch: int, messages: dict[int, tuple[str, str, dict[str, Any]]]) -> bool:
        """Queue the announcements of `epoch` ({guild_id: (dedupe_key, destination, payload)}; empty = stay quiet)
        and record the epoch as announced, in one transaction. False if it was announced already."""
        async with self.transaction() as tx:
            await tx.lock("announce-epoch")
            row = await fetchone(tx, "SELECT value FROM scheduler_state WHERE name = ?", ANNOUNCED_EPOCH)
            if row is not None and int(row[0]) >= epoch:
                return False
            for guild_id, (key, destination, payload) in sorted(messages.items()):
                if await self._still_wanted(tx, None, guild_id, destination):
                    await self._insert_outbox(tx, key, destination, payload, None, guild_id)
            await tx.execute(
                "INSERT INTO scheduler_state (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                ANNOUNCED_EPOCH, epoch,
            )
        return True

    # ------------------------------------------------------------------ delivering notifications

    async def pending_outbox(self, limit: int = 50) -> list[OutboxItem]:
        rows = await self.fetch(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending' "  # noqa: S608
            "ORDER BY created_at, dedupe_key LIMIT ?",
            limit,
        )
        return [_outbox_item(r) for r in rows]

    async def outbox_state(self, dedupe_key: str) -> str | None:
        row = await self._one("SELECT state FROM outbox WHERE dedupe_key = ?", dedupe_key)
        return row[0] if row else None

    async def claim_outbox(self, holder: str, limit: int, lease_ms: int) -> list[OutboxItem]:
        """Claim up to `limit` rows that are due and not held by anyone, for `lease_ms`. A row whose holder died
        comes back when its lease ends; the first claim records when a send was first tried."""
        now = now_ms()
        async with self.transaction() as tx:
            keys = [r[0] for r in await tx.fetch(
                "SELECT dedupe_key FROM outbox WHERE state = 'pending' AND next_attempt_ms <= ? "
                "AND (claim_until_ms IS NULL OR claim_until_ms <= ?) "
                f"ORDER BY next_attempt_ms, created_at, dedupe_key LIMIT ?{self.skip_locked}",
                now, now, limit,
            )]
            if not keys:
                return []
            marks = ", ".join("?" * len(keys))
            rows = await tx.fetch(
                "UPDATE outbox SET claimed_by = ?, claim_until_ms = ?, first_try_ms = COALESCE(first_try_ms, ?) "
                f"WHERE dedupe_key IN ({marks}) RETURNING {OUTBOX_COLUMNS}",  # noqa: S608
                holder, now + lease_ms, now, *keys,
            )
        return sorted((_outbox_item(r) for r in rows), key=lambda item: keys.index(item.dedupe_key))

    async def renew_claims(self, holder: str, keys: Sequence[str], lease_ms: int) -> int:
        """Extend `holder`'s leases on rows it is still working on (a slow send must not be taken over)."""
        if not keys:
            return 0
        marks = ", ".join("?" * len(keys))
        async with self.transaction() as tx:
            return await tx.execute(
                f"UPDATE outbox SET claim_until_ms = ? WHERE claimed_by = ? AND state = 'pending' "  # noqa: S608
                f"AND dedupe_key IN ({marks})",
                now_ms() + lease_ms, holder, *keys,
            )

    async def restart_try_window(self, dedupe_key: str, holder: str) -> bool:
        """Before sending again after the nonce window: from now on a new send may have been posted."""
        async with self.transaction() as tx:
            return await tx.execute(
                "UPDATE outbox SET first_try_ms = ? WHERE dedupe_key = ? AND claimed_by = ? AND state = 'pending'",
                now_ms(), dedupe_key, holder,
            ) > 0

    async def mark_sent(self, dedupe_key: str, message_id: int | None = None) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, message_id = ?, "
                "claimed_by = NULL, claim_until_ms = NULL WHERE dedupe_key = ? AND state = 'pending'",
                int(time.time()), message_id, dedupe_key,
            )

    async def retry_later(self, dedupe_key: str, holder: str, error: str, delay_ms: int) -> None:
        """A temporary failure: release the claim and try again after `delay_ms`."""
        async with self.transaction() as tx:
            changed = await tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ?, claimed_by = NULL, "
                "claim_until_ms = NULL WHERE dedupe_key = ? AND claimed_by = ? AND state = 'pending'",
                error[:500], now_ms() + delay_ms, dedupe_key, holder,
            )
            if changed:
                tx.notify("outbox")

    async def mark_failed(self, dedupe_key: str, error: str) -> None:
        """Given up for good (a permanent refusal, or too many attempts)."""
        async with self.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, sent_at = ?, "
                "claimed_by = NULL, claim_until_ms = NULL WHERE dedupe_key = ? AND state = 'pending'",
                error[:500], int(time.time()), dedupe_key,
            )

    async def next_outbox_due_ms(self) -> int | None:
        """When the next pending row may be claimed (its retry time, or the end of someone's lease)."""
        row = await self._one(
            "SELECT MIN(CASE WHEN claim_until_ms > next_attempt_ms THEN claim_until_ms ELSE next_attempt_ms END) "
            "FROM outbox WHERE state = 'pending'"
        )
        return int(row[0]) if row and row[0] is not None else None

    async def purge_outbox(self, older_than_seconds: int) -> int:
        """Remove delivered and given-up rows finished more than `older_than_seconds` ago; returns how many."""
        cutoff = int(time.time()) - older_than_seconds
        async with self.transaction() as tx:
            return await tx.execute(
                "DELETE FROM outbox WHERE state IN ('sent', 'failed') AND COALESCE(sent_at, created_at) < ?", cutoff
            )

    # ------------------------------------------------------------------ one scheduler at a time (lease rows)

    async def try_lead(self, name: str, holder: str, ttl_ms: int) -> bool:
        """Take or renew the lease `name` for `holder`; False while another live holder has it."""
        now = now_ms()
        async with self.transaction() as tx:
            return await tx.execute(
                "INSERT INTO leases (name, holder, expires_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "holder = excluded.holder, expires_ms = excluded.expires_ms "
                "WHERE leases.holder = excluded.holder OR leases.expires_ms <= ?",
                name, holder, now + ttl_ms, now,
            ) > 0

    async def release_lead(self, name: str, holder: str) -> None:
        async with self.transaction() as tx:
            await tx.execute("DELETE FROM leases WHERE name = ? AND holder = ?", name, holder)

    # ------------------------------------------------------------------ notices shown next time a user comes back

    async def add_notice(self, user_id: int, notice: str) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO user_notices (user_id, notice, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                user_id, notice, int(time.time()),
            )

    async def pop_notices(self, user_id: int) -> list[str]:
        async with self.transaction() as tx:
            rows = await tx.fetch("DELETE FROM user_notices WHERE user_id = ? RETURNING notice, created_at", user_id)
        return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[0]))]

