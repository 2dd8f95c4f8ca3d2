"""The alert scheduler: sleeps until the next epoch that matters, then checks only what is due.

Unbonding alerts store the exact epoch at which the unstaked balance becomes withdrawable, so nothing is polled:
the loop sleeps until that epoch's estimated start (re-estimated from live block times each wake, capped), checks
each due alert once with the pool's `get_account`, and queues the notification in the outbox in the same
transaction that closes the alert. RPC cost per wake = the epoch clock + due alerts + pools watched.

One scheduler runs at a time across all processes (`bot/alerts/service.py` holds the lock); its work is safe to
repeat anyway (outbox keys are unique, the announced epoch is stored with its announcements), so a takeover never
duplicates a notification. One alert's failure (a bad read, an alert removed mid-check) never stops the pass.
The checks live by job: `unbonding_checks` (due at an epoch), `unlock_checks` (due at a time), `pool_watch`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.alerts.delivery import Deliverer
from bot.alerts.pool_watch import PoolWatch
from bot.alerts.unbonding_checks import UnbondingChecks
from bot.alerts.unlock_checks import UnlockChecks
from bot.near import errors
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.roles.keeper import RoleKeeper
from bot.services.chain import Chain
from bot.storage import Storage

log = logging.getLogger(__name__)
# Announce a new epoch only if we notice it within this long of its start (after a long outage, stay quiet).
ANNOUNCE_WINDOW_SECONDS = 3600
# A liquid-staking unstake whose unlock epoch has come but that the contract does not pay yet (Rhea's settlement,
# Meta Pool's retrieval, LiNEAR's reserve) is looked at again after this long, not polled (a policy of this bot).
SETTLING_RECHECK_SECONDS = 600.0


@dataclass
class WakePlan:
    sleep_seconds: float
    target_epoch: int | None


class AlertScheduler:
    """One pass: announce a new epoch, check the due unbonding and unlock alerts and the watched pools, keep the
    verified roles, then deliver; then sleep until the next epoch or time that matters (or a poke)."""

    def __init__(
        self,
        storage: Storage,
        chain: Chain,
        deliverer: Deliverer,
        *,
        min_sleep: float = 5.0,
        max_sleep: float = 3600.0,
        settling_recheck: float = SETTLING_RECHECK_SECONDS,
        retention_seconds: int = 7 * 86400,
        roles: RoleKeeper | None = None,
    ) -> None:
        self.storage = storage
        self.roles = roles  # verified roles, kept true once per epoch
        self.chain = chain
        self.deliverer = deliverer
        self.min_sleep = min_sleep
        self.max_sleep = max_sleep
        self.unbonding = UnbondingChecks(storage, chain, settling_recheck)
        self.unlocks = UnlockChecks(storage, chain)
        self.pools = PoolWatch(storage, chain)
        self.retention_seconds = retention_seconds
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one pass at a time (the loop, and anyone calling run_once directly)

    def poke(self) -> None:
        """A subscription changed: re-plan now instead of at the end of the current sleep."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            self._wake.clear()  # before the pass: a poke that arrives during it wakes the next sleep at once
            try:
                plan = await self.run_once()
            except asyncio.CancelledError:
                raise
            except errors.NearError as exc:
                log.warning("alert check postponed: %s", exc.message)
                plan = WakePlan(self.min_sleep * 6, None)
            except Exception:
                log.exception("alert check failed; retrying later")
                plan = WakePlan(self.min_sleep * 12, None)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=plan.sleep_seconds)
            except TimeoutError:
                pass

    async def run_once(self) -> WakePlan:
        async with self._pass:
            clock = await read_epoch_clock(self.chain.rpc)
            await self._announce_epoch(clock)
            await self.unbonding.check_due(clock)
            await self.unlocks.check_due(clock)
            await self.pools.check(clock)
            await self._keep_roles(clock)
            if removed := await self.storage.purge_outbox(self.retention_seconds):
                log.info("removed %d delivered notifications older than the retention time", removed)
            await self.deliverer.deliver_due()
            return await self._plan(clock)

    # ------------------------------------------------------------------ epoch announcements

    async def _announce_epoch(self, clock: EpochClock) -> None:
        announced = await self.storage.announced_epoch()
        if announced is not None and announced >= clock.epoch_height:
            return
        since_start = clock.blocks_into_epoch * clock.avg_block_ns // NS_PER_SECOND
        guilds = await self.storage.announcement_channels()
        messages = {}
        if guilds and since_start <= ANNOUNCE_WINDOW_SECONDS:  # started long ago (a first start, an outage): not news
            last_duration = await self._last_epoch_seconds(clock)
            text = f"Epoch {clock.epoch_height} has started."
            if last_duration:
                text += f" Epoch {clock.epoch_height - 1} lasted about {last_duration / 3600:.1f} hours."
            payload = {"kind": "epoch", "title": f"New epoch {clock.epoch_height}", "text": text}
            messages = {
                guild.guild_id: (f"epoch:{guild.guild_id}:{clock.epoch_height}",
                                 f"channel:{guild.announcement_channel_id}", payload)
                for guild in guilds
            }
        # The announcements and the "announced" mark in one transaction: an error in between loses neither.
        await self.storage.announce_epoch(clock.epoch_height, messages)

    async def _last_epoch_seconds(self, clock: EpochClock) -> int | None:
        try:
            start = await self.chain.rpc.block(block_id=clock.epoch_start_height)
            previous = await self.chain.rpc.block(block_id=clock.epoch_start_height - clock.epoch_length)
        except errors.NearError:
            return None  # an old block may be skipped or garbage collected: leave the duration out
        return (start.header.timestamp - previous.header.timestamp) // NS_PER_SECOND

    # ------------------------------------------------------------------ verified roles

    async def _keep_roles(self, clock: EpochClock) -> None:
        """Once per epoch: every member who asked for roles, each verified account read once (bot/roles)."""
        if self.roles is None or (await self.storage.roles_kept_epoch() or -1) >= clock.epoch_height:
            return
        if await self.storage.role_rules():
            report = await self.roles.keep()
            log.info("roles kept at epoch %d: %d given, %d taken back, %d accounts read, %d members not read",
                     clock.epoch_height, report.granted, report.removed, report.accounts_read, report.unread_members)
        await self.storage.purge_verify_sessions()
        await self.storage.mark_roles_kept(clock.epoch_height)

    # ------------------------------------------------------------------ planning the next wake

    async def _plan(self, clock: EpochClock) -> WakePlan:
        plan = await self._plan_epochs(clock)
        next_unix = await self.storage.next_due_unix("unbonding")
        if next_unix is None:
            return plan
        # An unlock due at a time: wake when the chain's clock reaches it (plus a little, so the final block has).
        seconds = next_unix - clock.head_timestamp_ns / NS_PER_SECOND + self.min_sleep
        seconds = min(self.max_sleep, max(self.min_sleep * 2, seconds))
        return plan if plan.sleep_seconds <= seconds else WakePlan(seconds, plan.target_epoch)

    async def _plan_epochs(self, clock: EpochClock) -> WakePlan:
        targets = []
        next_due = await self.storage.next_due_epoch("unbonding")
        if next_due is not None and next_due <= clock.epoch_height:
            # Still due now (a boundary race, or a read that failed): check again soon, not next epoch; alerts
            # waiting for a liquid-staking contract to settle are looked at when their recheck time comes.
            due = await self.storage.due_subscriptions("unbonding", clock.epoch_height)
            now = asyncio.get_running_loop().time()
            later = [self.unbonding.recheck_at.get(s.id, 0.0) - now for s in due]
            if later and min(later) > 0:
                return WakePlan(min(self.max_sleep, max(self.min_sleep, min(later))), next_due)
            return WakePlan(self.min_sleep * 2, next_due)
        if next_due is not None:
            targets.append(next_due)
        if (await self.storage.announcement_channels() or await self.storage.active_subscriptions("pool")
                or (self.roles is not None and await self.storage.role_rules())):
            targets.append(clock.epoch_height + 1)
        if not targets:
            return WakePlan(self.max_sleep, None)
        target = min(targets)
        seconds = (clock.estimated_epoch_start_ns(target) - clock.head_timestamp_ns) / NS_PER_SECOND
        return WakePlan(min(self.max_sleep, max(self.min_sleep, seconds + self.min_sleep)), target)

