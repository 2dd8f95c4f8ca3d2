"""The outbox: notifications queued in the transaction that decides them, claimed with a lease by one
deliverer at a time, marked sent only after Discord accepted them; and the epoch announcements."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from bot.storage.connection import Row, SqlConnection, Tx, fetchone, now_ms
from bot.storage.models import OutboxItem

ANNOUNCED_EPOCH = "announced_epoch"

OUTBOX_COLUMNS = "dedupe_key, subscription_id, destination, payload, attempts, first_try_ms, guild_id"



def _outbox_item(r: Row) -> OutboxItem:
    return OutboxItem(dedupe_key=r[0], subscription_id=r[1], destination=r[2], payload=json.loads(r[3]),
                      attempts=r[4], first_try_ms=r[5], guild_id=r[6])



class OutboxStore(SqlConnection):
    """Queueing (`enqueue`, `announce_epoch`) and delivering (`claim_outbox` … `mark_failed`, `purge_outbox`)."""

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
