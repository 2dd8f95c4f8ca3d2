"""Delivering the outbox: every bot process runs a `Deliverer`; rows are claimed with a lease, so a row is sent by
one process at a time and a crashed process's rows are picked up by another when their lease ends.

Exactly once, as the reader sees it:
- the row is written in the same transaction as the decision to notify, and marked sent only after Discord
  accepted the message, so nothing is lost;
- a send whose outcome is unknown (timeout, 5xx, a process killed mid-send) is sent again with the same nonce
  and `enforce_nonce` only inside Discord's de-duplication window ("the past few minutes", DAD
  resources/message.mdx), counted from the first try; Discord then answers with the message it already has;
- after that window the deliverer first reads the channel's recent messages for the notification's marker (a
  short reference in its footer) and marks the row sent if it is there, instead of posting it again;
- temporary failures (network, 5xx, 429) are retried after a backoff of seconds growing to minutes; permanent
  ones (4xx other than 429) are given up at once and the alert's owner is told once;
- removing an alert deletes its rows that are not sent yet; a row is claimed only when a send slot is free, and
  one that waited for a history check is sent only if this deliverer still holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from bot.alerts.notify import (
    DeliveryRefused,
    Notifier,
    PermanentFailure,
    TemporaryFailure,
    marker_for,
    nonce_for,
)
from bot.storage import Storage
from bot.storage.base import now_ms
from bot.storage.models import OutboxItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    concurrency: int = 8  # sends in flight per process
    lease_ms: int = 10_000  # a claim lasts this long unless renewed (every lease/3 while the send runs)
    send_timeout: float = 20.0  # a send that takes longer counts as "outcome unknown"
    # Re-send with the same nonce only this long after the first try. Discord de-duplicates "in the past few
    # minutes" without saying how many: two minutes stays well inside it.
    nonce_window_ms: int = 120_000
    backoff_first: float = 2.0  # seconds before the first retry; doubles per attempt …
    backoff_max: float = 300.0  # … up to five minutes
    max_attempts: int = 12  # about half an hour of retries, then the owner is told
    poll_max: float = 30.0  # longest sleep without a wake-up (a lost notification or a lease ending elsewhere)


class Deliverer:
    def __init__(self, storage: Storage, notifier: Notifier, *, holder: str, policy: DeliveryPolicy | None = None,
                 rng: random.Random | None = None) -> None:
        self.storage = storage
        self.notifier = notifier
        self.holder = holder
        self.policy = policy or DeliveryPolicy()
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._held: set[str] = set()

    def poke(self) -> None:
        """New rows (or retries) may be due: deliver now rather than at the end of the current sleep."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.deliver_due()
                due = await self.storage.next_outbox_due_ms()
                sleep = self.policy.poll_max if due is None else (due - now_ms()) / 1000
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; trying again shortly")
                sleep = 5.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(self.policy.poll_max, max(0.05, sleep)))

    async def deliver_due(self) -> int:
        """Claim and send what is due, a few at a time, until nothing is due now; returns how many were sent."""
        async with self._pass:
            renewing = asyncio.create_task(self._renew_leases())
            running: set[asyncio.Task[bool]] = set()
            sent = 0
            try:
                while True:
                    free = self.policy.concurrency - len(running)
                    # Claim in batches (half the slots free, or nothing running): one claim per row would cost
                    # a write transaction each.
                    batch = free if free * 2 >= self.policy.concurrency or not running else 0
                    items = await self.storage.claim_outbox(self.holder, batch, self.policy.lease_ms) if batch else []
                    for item in items:
                        self._held.add(item.dedupe_key)
                        running.add(asyncio.create_task(self._deliver(item)))
                    if not running:
                        return sent
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    sent += sum(task.result() for task in done)
            finally:
                for task in running:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.policy.lease_ms / 3000)
            try:
                await self.storage.renew_claims(self.holder, sorted(self._held), self.policy.lease_ms)
            except Exception as exc:  # the database is away: the leases may lapse, the rows are then resent safely
                log.warning("could not renew outbox leases: %s", exc)

    async def _deliver(self, item: OutboxItem) -> bool:
        try:
            return await self._deliver_claimed(item)
        finally:
            self._held.discard(item.dedupe_key)

    async def _deliver_claimed(self, item: OutboxItem) -> bool:
        key, nonce, marker = item.dedupe_key, nonce_for(item.dedupe_key), marker_for(item.dedupe_key)
        try:
            posted = await self._already_posted(item, marker)
            if posted is not None:
                return posted  # found in the channel (True), or no longer this deliverer's to send (False)
            message_id = await asyncio.wait_for(
                self.notifier.send(item.destination, item.payload, nonce, marker), self.policy.send_timeout
            )
        except DeliveryRefused as refused:
            await self.storage.mark_failed(key, refused.reason)
            await handle_refusal(self.storage, item.subscription_id, item.destination, refused)
            return False
        except PermanentFailure as failure:
            await self._give_up(item, f"Discord refused it: {failure}")
            return False
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # temporary: network, 5xx, 429, a timeout, an unreadable history
            await self._retry(item, exc)
            return False
        await self.storage.mark_sent(key, message_id)
        return True

    async def _already_posted(self, item: OutboxItem, marker: str) -> bool | None:
        """Past the nonce window, a send that may have been posted is looked for before sending again. None: send
        now; True: it was posted (marked sent); False: removed or taken over meanwhile, nothing to do."""
        first = item.first_try_ms  # set by the first claim: for a new row, just now
        if first is None or now_ms() - first < self.policy.nonce_window_ms:
            return None  # a first send, or a re-send with the same nonce that Discord shows once
        # A minute of slack before the first try: the clocks of two machines may disagree a little.
        found = await self.notifier.find_marker(item.destination, marker, first - 60_000)
        if found is not None:
            log.info("outbox row %s was already posted (message %s): marked sent, not sent again", item.dedupe_key, found)
            await self.storage.mark_sent(item.dedupe_key, found)
            return True
        if not await self.storage.restart_try_window(item.dedupe_key, self.holder):
            log.info("outbox row %s was removed or taken over during the history check: not sent", item.dedupe_key)
            return False
        return None

    async def _retry(self, item: OutboxItem, exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, TemporaryFailure) else f"{type(exc).__name__}: {exc}"
        attempts = item.attempts + 1
        if attempts >= self.policy.max_attempts:
            await self._give_up(item, f"it still failed after {attempts} attempts ({reason})")
            return
        delay = min(self.policy.backoff_max, self.policy.backoff_first * 2 ** item.attempts)
        delay *= 0.8 + 0.4 * self._rng.random()  # jitter: processes and rows do not retry in lockstep
        log.warning("delivery of %s failed (%s); retrying in %.0f s", item.dedupe_key, reason, delay)
        await self.storage.retry_later(item.dedupe_key, self.holder, reason, int(delay * 1000))

    async def _give_up(self, item: OutboxItem, reason: str) -> None:
        log.error("gave up delivering %s to %s: %s", item.dedupe_key, item.destination, reason)
        await self.storage.mark_failed(item.dedupe_key, reason)
        subscription = await self.storage.subscription(item.subscription_id) if item.subscription_id else None
        if subscription is not None:
            title = str(item.payload.get("title") or "an alert")
            await self.storage.add_notice(
                subscription.user_id,
                f"I could not deliver an alert to you (“{title[:100]}”): {reason[:300]}. See your alerts with "
                "/alert list.",
            )


async def handle_refusal(storage: Storage, subscription_id: int | None, destination: str,
                         refused: DeliveryRefused) -> None:
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
