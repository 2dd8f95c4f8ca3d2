"""House of Stake unlock alerts, due at a time rather than an epoch (`due_unix`): the lockup's pending veNEAR
unlock read at the final block (lockup-contract venear.rs). Ready once the block time reaches
`venear_unlock_timestamp` (what end_unlock_near checks): the message, with the step that finishes the unlock for a
DM; a new begin_unlock_near moved it: rescheduled and said; locked again: nothing."""

from __future__ import annotations

import asyncio
import logging

from bot.alerts.checks import check_each, destination, dm_step
from bot.near import errors
from bot.near.epochs import NS_PER_SECOND, EpochClock
from bot.near.units import format_near
from bot.services.actions import utc_text
from bot.services.chain import Chain
from bot.services.offers import END_UNLOCK, offer
from bot.storage import Storage
from bot.storage.models import Subscription

log = logging.getLogger(__name__)


class UnlockChecks:
    def __init__(self, storage: Storage, chain: Chain) -> None:
        self.storage = storage
        self.chain = chain

    async def check_due(self, clock: EpochClock) -> None:
        due = await self.storage.due_timed_subscriptions("unbonding", clock.head_timestamp_ns // NS_PER_SECOND)
        if not due:
            return
        block = await self.chain.rpc.block(finality="final")
        chain = self.chain.at(block)  # every read of the pass, and the DM's prepared step, at this block

        async def check(subscription: Subscription) -> None:
            try:
                await self._check_one(chain, subscription, block.header.timestamp)
            except (errors.AccountNotFound, errors.NoContractCode, errors.MethodNotFound) as exc:
                # The lockup is gone (deleted with delete_lockup) or is no House of Stake lockup: nothing to wait for.
                log.info("veNEAR unlock alert %s ended: %s", subscription.id, exc.message)
                await self.storage.finish_subscription(subscription.id)

        await check_each(due, check, "veNEAR unlock")

    async def _check_one(self, chain: Chain, sub: Subscription, now_ns: int) -> None:
        """A House of Stake lockup's pending unlock, read at the final block (lockup-contract venear.rs): ready once
        the block time reaches `venear_unlock_timestamp` (what end_unlock_near checks)."""
        assert sub.account_id and sub.due_unix is not None
        pending_raw, stamp_raw = await asyncio.gather(
            chain.rpc.view_function(sub.account_id, "get_venear_pending_balance", {}),
            chain.rpc.view_function(sub.account_id, "get_venear_unlock_timestamp", {}),
        )
        if not (isinstance(pending_raw, str) and pending_raw.isdigit() and isinstance(stamp_raw, str)
                and stamp_raw.isdigit()):
            raise errors.MalformedResponse(f"{sub.account_id} answered its veNEAR views in an unexpected shape.")
        pending, stamp_ns = int(pending_raw), int(stamp_raw)
        if pending == 0:
            await self.storage.finish_subscription(sub.id)  # finished or locked again: nothing left to tell
            return
        unlock_unix = -(-stamp_ns // NS_PER_SECOND)
        if now_ns >= stamp_ns:
            await self._tell_ready(chain, sub, pending, unlock_unix)
        elif unlock_unix > sub.due_unix:
            await self._tell_restarted(sub, pending, unlock_unix)

    async def _tell_ready(self, chain: Chain, sub: Subscription, pending: int, unlock_unix: int) -> None:
        ready = await dm_step(chain, sub, offer(
            f"venear end-unlock {sub.account_id} --lockup {sub.account_id}",
            f"Finish the unlock of {format_near(pending)}",
            f"Finish the veNEAR unlock of {format_near(pending)}: it becomes free NEAR in your lockup "
            f"{sub.account_id}.", END_UNLOCK, pending,
        ))
        await self.storage.enqueue(
            f"venear-unlock:{sub.id}:{unlock_unix}",
            destination(sub),
            {
                "kind": "unbonding_ready",
                "title": "Your veNEAR unlock is ready",
                "text": (
                    f"The unlock cooldown of {format_near(pending)} in the House of Stake lockup {sub.account_id} "
                    "is over. Finish it to make the NEAR free in the lockup: /venear action:end-unlock (you sign "
                    "in your own wallet). Then /transfer moves it to your wallet."
                ),
                "account_id": sub.account_id,
                "user_id": sub.user_id,
                "action": ready.model_dump(mode="json") if ready is not None else None,
            },
            subscription_id=sub.id,
            finish_subscription=True,
        )

    async def _tell_restarted(self, sub: Subscription, pending: int, unlock_unix: int) -> None:
        """begin_unlock_near again: the timer restarted for the whole pending amount."""
        await self.storage.enqueue(
            f"venear-unlock-restarted:{sub.id}:{unlock_unix}",
            destination(sub),
            {
                "kind": "unbonding_restarted",
                "title": "Your veNEAR unlock timer restarted",
                "text": (
                    f"A new unlock in {sub.account_id} restarted the cooldown for the whole pending amount "
                    f"({format_near(pending)}). I will tell you when it ends, {utc_text(unlock_unix)}."
                ),
                "user_id": sub.user_id,
            },
            subscription_id=sub.id,
            reschedule_to_unix=unlock_unix,
        )
