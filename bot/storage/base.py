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

import logging
from collections.abc import Callable

from bot.storage.accounts import MAX_LINKED_ACCOUNTS, AccountStore
from bot.storage.connection import Row, SqlConnection, Tx, fetchone, now_ms
from bot.storage.guilds import GuildStore
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, for_dialect
from bot.storage.models import StorageError
from bot.storage.outbox import ANNOUNCED_EPOCH, OutboxStore
from bot.storage.subscriptions import SubscriptionStore
from bot.storage.verified import VerificationStore

__all__ = [
    "ANNOUNCED_EPOCH", "MAX_LINKED_ACCOUNTS", "TOPICS", "Row", "SqlConnection", "SqlStorage", "StorageError", "Tx",
    "fetchone", "now_ms",
]

log = logging.getLogger(__name__)
TOPICS = ("alerts", "outbox")


class SqlStorage(AccountStore, GuildStore, SubscriptionStore, OutboxStore, VerificationStore):
    """The storage behaviour shared by both backends: the stores by job (linked accounts, server settings,
    subscriptions, the outbox, verified accounts), migrations, change notifications and the scheduler's lease.
    Subclasses implement the connection methods (`SqlConnection`) and the ones below."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[str], None]] = []

    # ------------------------------------------------------------------ backend interface

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
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
