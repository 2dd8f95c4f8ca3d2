"""Delivery of queued notifications: at-least-once from the outbox, deduplicated by key.

The outbox row is written in the same transaction as the decision to notify, so a crash never loses one; it is
marked sent only after the send succeeded, so a crash between send and mark resends. The resend carries the same
nonce (Discord's `enforce_nonce` drops a duplicate message with a nonce it has just seen), so the user still
sees it once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from typing import Any, Protocol

from bot.storage import Storage
from bot.storage.models import OutboxItem

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE_MS = 2_000  # a dead process's rows come back soon (renewed leases follow with the delivery rework)
RETRY_MS = 0  # the next pass may try again


class DeliveryRefused(Exception):
    """Permanent: the DM is closed (403 50007), the channel is gone, or permissions are missing."""

    def __init__(self, reason: str, *, dm_closed: bool = False, channel_unusable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.dm_closed = dm_closed
        self.channel_unusable = channel_unusable


class Notifier(Protocol):
    async def send(self, destination: str, payload: dict[str, Any], nonce: str) -> None:
        """Deliver one notification. Raise DeliveryRefused when it can never work; anything else is retried."""


def nonce_for(dedupe_key: str) -> str:
    # Discord nonces are at most 25 characters.
    return hashlib.sha256(dedupe_key.encode()).hexdigest()[:25]


async def deliver_pending(storage: Storage, notifier: Notifier, *, batch: int = 200, concurrency: int = 8) -> int:
    """Send everything pending, a batch at a time, a few sends at once; returns how many were sent.

    An item that fails transiently stays pending for the next pass (not retried within this one), so the loop ends.
    """
    sent = 0
    holder = f"deliver-{os.getpid()}-{id(storage)}"
    limit = asyncio.Semaphore(concurrency)

    async def deliver(item: OutboxItem) -> bool:
        async with limit:
            return await _deliver_one(storage, notifier, item, holder)

    while True:
        items = await storage.claim_outbox(holder, batch, LEASE_MS)
        if not items:
            return sent
        results = await asyncio.gather(*(deliver(item) for item in items))
        sent += sum(results)


async def _deliver_one(storage: Storage, notifier: Notifier, item: OutboxItem, holder: str) -> bool:
    try:
        await notifier.send(item.destination, item.payload, nonce_for(item.dedupe_key))
    except DeliveryRefused as refused:
        await storage.mark_failed(item.dedupe_key, refused.reason)
        await _handle_refusal(storage, item.subscription_id, item.destination, refused)
        return False
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # transient: try again on the next pass
        final = item.attempts + 1 >= MAX_ATTEMPTS
        log.warning("delivery of %s failed (%s)%s", item.dedupe_key, type(exc).__name__, ", giving up" if final else "")
        if final:
            await storage.mark_failed(item.dedupe_key, f"{type(exc).__name__}: {exc}")
        else:
            await storage.retry_later(item.dedupe_key, holder, f"{type(exc).__name__}: {exc}", RETRY_MS)
        return False
    await storage.mark_sent(item.dedupe_key)
    return True


async def _handle_refusal(storage: Storage, subscription_id: int | None, destination: str, refused: DeliveryRefused) -> None:
    subscription = await storage.subscription(subscription_id) if subscription_id is not None else None
    if refused.dm_closed and subscription is not None:
        await storage.disable_subscription(subscription.id, "dm_closed")
        await storage.add_notice(
            subscription.user_id,
            "I could not DM you an alert because your DMs are closed to me. Open them (Privacy Settings → "
            "Direct Messages) and set the alert again, or choose a channel for it.",
        )
    elif refused.channel_unusable and destination.startswith("channel:"):
        channel_id = int(destination.split(":", 1)[1])
        for guild in await storage.announcement_channels():
            if guild.announcement_channel_id == channel_id:
                await storage.update_guild(guild.guild_id, announcement_channel_id=None)
        if subscription is not None:
            await storage.disable_subscription(subscription.id, "channel_unusable")
            await storage.add_notice(
                subscription.user_id,
                f"An alert could not be posted in <#{channel_id}> (deleted channel or missing permission), so it "
                "was switched off. A server admin can fix the permissions and set it again.",
            )
