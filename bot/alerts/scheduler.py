"""The alert scheduler: sleeps until the next epoch that matters, then checks only what is due.

Unbonding alerts store the exact epoch at which the unstaked balance becomes withdrawable, so nothing is polled:
the loop sleeps until that epoch's estimated start (re-estimated from live block times each wake, capped), checks
each due alert once with the pool's `get_account`, and queues the notification in the outbox in the same
transaction that closes the alert. RPC cost per wake = the epoch clock + due alerts + pools watched.

One scheduler runs at a time across all processes (`bot/alerts/service.py` holds the lock); its work is safe to
repeat anyway (outbox keys are unique, the announced epoch is stored with its announcements), so a takeover never
duplicates a notification. One alert's failure (a bad read, an alert removed mid-check) never stops the pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from bot.alerts.delivery import Deliverer
from bot.near import errors
from bot.near.account_id import is_lockup_account_id
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.liquid import providers_for, read_position
from bot.near.models import ValidatorsResponse
from bot.near.pools import PoolFacts, get_delegation, get_pool_facts
from bot.near.units import format_near
from bot.near.wallet_links import mynearwallet_liquid_staking_url, mynearwallet_staking_url
from bot.roles.keeper import RoleKeeper
from bot.services.actions import utc_text
from bot.services.chain import Chain
from bot.services.offers import END_UNLOCK, WITHDRAW, offer
from bot.services.pool import uptime_summary, validator_info
from bot.services.ready import plan_offer
from bot.services.results import PreparedAction
from bot.services.unbonding import get_unbonding
from bot.storage import Storage
from bot.storage.models import Subscription

log = logging.getLogger(__name__)
# Announce a new epoch only if we notice it within this long of its start (after a long outage, stay quiet).
ANNOUNCE_WINDOW_SECONDS = 3600
# Due alerts are checked concurrently (each is one RPC read); identical reads coalesce in the RPC client.
CHECK_CONCURRENCY = 32
# A liquid-staking unstake whose unlock epoch has come but that the contract does not pay yet (Rhea's settlement,
# Meta Pool's retrieval, LiNEAR's reserve) is looked at again after this long, not polled (a policy of this bot).
SETTLING_RECHECK_SECONDS = 600.0


@dataclass(frozen=True)
class Pending:
    unstaked: int
    can_withdraw: bool
    settling: bool = False  # unlock epoch reached, contract not paying yet (liquid staking)


@dataclass
class WakePlan:
    sleep_seconds: float
    target_epoch: int | None


class AlertScheduler:
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
        self.settling_recheck = settling_recheck
        # Subscription id -> loop time before which a settling liquid-staking unstake is not read again.
        self._recheck_at: dict[int, float] = {}
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
            await self._check_unbonding(clock)
            await self._check_timed(clock)
            await self._check_pools(clock)
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

    # ------------------------------------------------------------------ unbonding ready

    async def _check_unbonding(self, clock: EpochClock) -> None:
        now = asyncio.get_running_loop().time()
        due = [
            s for s in await self.storage.due_subscriptions("unbonding", clock.epoch_height)
            if self._recheck_at.get(s.id, 0.0) <= now
        ]
        # Pool by pool, so the alerts of one pool run together and share the pool's reads (its code, read again
        # when the withdrawal is prepared for a DM) through the RPC client's coalescing and cache.
        due.sort(key=lambda s: s.pool_id or "")
        limit = asyncio.Semaphore(CHECK_CONCURRENCY)

        async def check(subscription: Subscription) -> None:
            async with limit:
                try:
                    await self._check_one_unbonding(subscription, clock)
                except errors.NearError as exc:
                    log.info("unbonding alert %s not checked yet: %s", subscription.id, exc.message)
                except Exception:  # one alert's problem never stops the others (it is looked at again next pass)
                    log.exception("unbonding alert %s could not be checked", subscription.id)

        await asyncio.gather(*(check(s) for s in due))

    async def _check_one_unbonding(self, sub: Subscription, clock: EpochClock) -> None:
        assert sub.account_id and sub.pool_id and sub.due_epoch is not None
        delegation = await self._pending_unstake(sub.account_id, sub.pool_id)
        destination = _destination(sub)
        self._recheck_at.pop(sub.id, None)
        if delegation.settling:
            # Unlocked, but the contract would refuse a withdrawal for now: no message, look again later.
            self._recheck_at[sub.id] = asyncio.get_running_loop().time() + self.settling_recheck
            return
        if delegation.can_withdraw and delegation.unstaked > 0:
            ready = await self._dm_step(sub, offer(
                # A lockup account (at any id) as the signer: the planner goes through its owner (services/actions.py).
                f"withdraw {sub.account_id} {sub.pool_id}", f"Withdraw {format_near(delegation.unstaked)}",
                f"Withdraw {format_near(delegation.unstaked)} from {sub.pool_id} to {sub.account_id} — it is ready.",
                WITHDRAW, delegation.unstaked,
            ))
            await self.storage.enqueue(
                f"unbonding:{sub.id}:{sub.due_epoch}",
                destination,
                {
                    "kind": "unbonding_ready",
                    "title": "Your unstaked NEAR is withdrawable",
                    "text": (
                        f"{format_near(delegation.unstaked)} unstaked by {sub.account_id} in {sub.pool_id} can be "
                        f"withdrawn now (epoch {clock.epoch_height}). Withdraw is a separate step: "
                        + (
                            "the lockup owner withdraws it through the lockup (/withdraw with "
                            f"lockup:{sub.account_id})."
                            if (sub.last_seen or {}).get("lockup") or is_lockup_account_id(sub.account_id, self.chain.network)
                            else f"use /withdraw account:{sub.account_id} pool:{sub.pool_id}."
                        )
                    ),
                    "link": self._wallet_page(sub.pool_id),
                    "account_id": sub.account_id,
                    "pool_id": sub.pool_id,
                    "user_id": sub.user_id,
                    # The withdrawal ready to sign (bot/services/ready.py), for a DM only: a channel is public.
                    "action": ready.model_dump(mode="json") if ready is not None else None,
                },
                subscription_id=sub.id,
                finish_subscription=True,
            )
            return
        if delegation.unstaked == 0:
            await self.storage.finish_subscription(sub.id)  # already withdrawn: nothing left to tell
            return
        # Not withdrawable at the due epoch: a new unstake restarted the wait. Find the new epoch.
        result = await get_unbonding(self.chain, sub.account_id, [sub.pool_id])
        entry = next((e for e in result.entries if e.pool_id == sub.pool_id), None)
        if entry is not None and entry.available_epoch == sub.due_epoch:
            # Same unlock epoch, just not reached at the final block yet (the epoch number comes from the newest
            # block, the pool read from the final one, a few blocks behind): look again shortly, say nothing.
            return
        new_epoch = (entry.available_epoch or entry.latest_possible_epoch) if entry else None
        new_epoch = new_epoch if new_epoch and new_epoch > clock.epoch_height else clock.epoch_height + 1
        await self.storage.enqueue(
            f"unbonding-restarted:{sub.id}:{new_epoch}",
            destination,
            {
                "kind": "unbonding_restarted",
                "title": "Your unbonding wait restarted",
                "text": (
                    f"{sub.account_id} unstaked again in {sub.pool_id}, which restarted the wait for the whole "
                    f"unstaked balance ({format_near(delegation.unstaked)}). I will tell you at epoch {new_epoch}."
                ),
                "user_id": sub.user_id,
            },
            subscription_id=sub.id,
            reschedule_to=new_epoch,
        )

    async def _dm_step(self, sub: Subscription, step: PreparedAction) -> PreparedAction | None:
        """The alert's step prepared by its action command's own planner, for an alert sent by DM only (buttons that
        act on the user's money never go to a channel)."""
        if sub.channel_id:
            return None
        return await plan_offer(self.chain, step.model_copy(update={"rank": 1}))

    def _wallet_page(self, pool_id: str) -> str:
        if any(p.contract_id == pool_id for p in providers_for(self.chain.network)):
            return mynearwallet_liquid_staking_url(pool_id, self.chain.network)
        return mynearwallet_staking_url(pool_id, self.chain.network)

    async def _pending_unstake(self, account_id: str, pool_id: str) -> Pending:
        """Unstaked amount and withdrawability: a pool's `get_account`, or a liquid-staking contract's own view."""
        provider = next((p for p in providers_for(self.chain.network) if p.contract_id == pool_id), None)
        if provider is None:
            delegation = await get_delegation(self.chain.rpc, pool_id, account_id)
            return Pending(delegation.unstaked, delegation.can_withdraw)
        position = await read_position(self.chain.rpc, provider, account_id)
        if position.pending is None:
            raise errors.ContractExecutionError(pool_id, "pending unstake", "the contract has no view for it")
        # The provider's readiness rule, the same one `liquid`, `unbonding`, `diagnose` and `withdraw` use.
        readiness = position.readiness
        settling = readiness.waiting_for not in (None, "epoch")
        return Pending(position.pending.amount, readiness.withdrawable, settling=settling)

    # ------------------------------------------------------------------ unlocks due at a time (House of Stake)

    async def _check_timed(self, clock: EpochClock) -> None:
        due = await self.storage.due_timed_subscriptions("unbonding", clock.head_timestamp_ns // NS_PER_SECOND)
        if not due:
            return
        block = await self.chain.rpc.block(finality="final")
        limit = asyncio.Semaphore(CHECK_CONCURRENCY)

        async def check(subscription: Subscription) -> None:
            async with limit:
                try:
                    await self._check_one_unlock(subscription, block.header.height, block.header.timestamp)
                except (errors.AccountNotFound, errors.NoContractCode, errors.MethodNotFound) as exc:
                    # The lockup is gone (deleted with delete_lockup) or is no House of Stake lockup: nothing to wait for.
                    log.info("veNEAR unlock alert %s ended: %s", subscription.id, exc.message)
                    await self.storage.finish_subscription(subscription.id)
                except errors.NearError as exc:
                    log.info("veNEAR unlock alert %s not checked yet: %s", subscription.id, exc.message)
                except Exception:  # one alert's problem never stops the others (it is looked at again next pass)
                    log.exception("veNEAR unlock alert %s could not be checked", subscription.id)

        await asyncio.gather(*(check(s) for s in due))

    async def _check_one_unlock(self, sub: Subscription, height: int, now_ns: int) -> None:
        """A House of Stake lockup's pending unlock, read at the final block (lockup-contract venear.rs): ready once
        the block time reaches `venear_unlock_timestamp` (what end_unlock_near checks)."""
        assert sub.account_id and sub.due_unix is not None
        pending_raw, stamp_raw = await asyncio.gather(
            self.chain.rpc.view_function(sub.account_id, "get_venear_pending_balance", {}, block_id=height),
            self.chain.rpc.view_function(sub.account_id, "get_venear_unlock_timestamp", {}, block_id=height),
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
            ready = await self._dm_step(sub, offer(
                f"venear end-unlock {sub.account_id} --lockup {sub.account_id}",
                f"Finish the unlock of {format_near(pending)}",
                f"Finish the veNEAR unlock of {format_near(pending)}: it becomes free NEAR in your lockup "
                f"{sub.account_id}.", END_UNLOCK, pending,
            ))
            await self.storage.enqueue(
                f"venear-unlock:{sub.id}:{unlock_unix}",
                _destination(sub),
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
            return
        if unlock_unix > sub.due_unix:
            # begin_unlock_near again: the timer restarted for the whole pending amount.
            await self.storage.enqueue(
                f"venear-unlock-restarted:{sub.id}:{unlock_unix}",
                _destination(sub),
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

    # ------------------------------------------------------------------ pool watch

    async def _check_pools(self, clock: EpochClock) -> None:
        subscriptions = await self.storage.active_subscriptions("pool")
        by_pool: dict[str, list[Subscription]] = defaultdict(list)
        for sub in subscriptions:
            if sub.pool_id:
                by_pool[sub.pool_id].append(sub)
        if not by_pool:
            return
        validators = await self.chain.rpc.validators()
        for pool_id, subs in by_pool.items():
            try:
                facts = await get_pool_facts(self.chain.rpc, pool_id)
            except errors.NearError as exc:
                log.info("pool watch %s skipped: %s", pool_id, exc.message)
                continue
            try:
                await self._pool_changes(pool_id, subs, facts, validators, clock)
            except Exception:
                log.exception("pool watch %s could not be checked", pool_id)

    async def _pool_changes(self, pool_id: str, subs: list[Subscription], facts: PoolFacts,
                            validators: ValidatorsResponse, clock: EpochClock) -> None:
        info = validator_info(pool_id, validators)
        now = {
            "fee": [facts.fee_numerator, facts.fee_denominator],
            "paused": facts.paused,
            "status": info.status,
            "in_next": info.in_next_epoch,
            # Per role: each duty against what was expected, below its kickout threshold + the bot's margin.
            "low_uptime": info.low_uptime,
        }
        for sub in subs:
            await self._pool_events(sub, now, info.kickout_reason, uptime_summary(info), clock)

    async def _pool_events(self, sub: Subscription, now: dict, kickout: str | None, uptime: str, clock: EpochClock) -> None:
        before = sub.last_seen or {}
        pool = sub.pool_id
        events: list[tuple[str, str]] = []
        if before:
            if before.get("fee") != now["fee"]:
                old = before.get("fee") or ["?", "?"]
                events.append((f"fee:{now['fee'][0]}/{now['fee'][1]}", f"{pool} changed its fee from {old[0]}/{old[1]} to {now['fee'][0]}/{now['fee'][1]}."))
            if before.get("paused") != now["paused"]:
                events.append(("paused" if now["paused"] else "resumed", f"{pool} {'paused' if now['paused'] else 'resumed'} staking."))
            if now["status"] == "kicked_out" and before.get("status") != "kicked_out":
                events.append(("kicked", f"{pool} was kicked out of the validator set: {kickout}."))
            if before.get("in_next") and not now["in_next"]:
                events.append(("not-next", f"{pool} is not in the next epoch's validator set."))
            if now["low_uptime"] and not before.get("low_uptime"):
                events.append(("low-uptime", f"{pool} has low uptime: {uptime}."))
        for name, text in events:
            await self.storage.enqueue(
                f"pool:{sub.id}:{name}:{clock.epoch_height}",
                _destination(sub),
                {"kind": "pool", "title": f"Pool alert: {pool}", "text": text, "user_id": sub.user_id},
                subscription_id=sub.id,
            )
        if before != now:
            await self.storage.remember(sub.id, now)

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
            later = [self._recheck_at.get(s.id, 0.0) - now for s in due]
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


def _destination(sub: Subscription) -> str:
    return f"channel:{sub.channel_id}" if sub.channel_id else f"dm:{sub.user_id}"
