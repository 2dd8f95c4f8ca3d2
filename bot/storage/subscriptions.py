"""Alert subscriptions: adding them within the per-user and per-server limits, what is due, and their
bookkeeping (rescheduled, remembered state, finished, switched off)."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.connection import Row, SqlConnection, Tx, fetchone
from bot.storage.models import StorageError, Subscription

SUBSCRIPTION_COLUMNS = ("id, kind, user_id, guild_id, channel_id, account_id, pool_id, due_epoch, state, "
                        "disabled_reason, last_seen, due_unix")



def _subscription(r: Row) -> Subscription:
    return Subscription(
        id=r[0], kind=r[1], user_id=r[2], guild_id=r[3], channel_id=r[4], account_id=r[5], pool_id=r[6],
        due_epoch=r[7], state=r[8], disabled_reason=r[9], last_seen=json.loads(r[10]) if r[10] else None,
        due_unix=r[11],
    )



class SubscriptionStore(SqlConnection):
    """Alerts by kind (`unbonding`, `pool`), due at an epoch (`due_epoch`) or at a time (`due_unix`)."""

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
