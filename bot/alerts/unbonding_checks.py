"""Unbonding alerts due at an epoch: one read of the pool's `get_account` (or a liquid-staking contract's own
view) per due alert. Withdrawable: the message, with the withdrawal ready to sign for a DM. A new unstake that
restarted the wait: the alert is rescheduled and says so. A liquid-staking contract that still settles: looked at
again after `settling_recheck` seconds, silently."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.alerts.checks import check_each, destination, dm_step
from bot.near import errors
from bot.near.account_id import is_lockup_account_id
from bot.near.epochs import EpochClock
from bot.near.liquid import providers_for, read_position
from bot.near.pools import get_delegation
from bot.near.units import format_near
from bot.near.wallet_links import mynearwallet_liquid_staking_url, mynearwallet_staking_url
from bot.services.chain import Chain
from bot.services.offers import WITHDRAW, offer
from bot.services.unbonding import get_unbonding
from bot.storage import Storage
from bot.storage.models import Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    unstaked: int
    can_withdraw: bool
    settling: bool = False  # unlock epoch reached, contract not paying yet (liquid staking)


class UnbondingChecks:
    def __init__(self, storage: Storage, chain: Chain, settling_recheck: float) -> None:
        self.storage = storage
        self.chain = chain
        self.settling_recheck = settling_recheck
        # Subscription id -> loop time before which a settling liquid-staking unstake is not read again.
        self.recheck_at: dict[int, float] = {}

    async def check_due(self, clock: EpochClock) -> None:
        now = asyncio.get_running_loop().time()
        due = [
            s for s in await self.storage.due_subscriptions("unbonding", clock.epoch_height)
            if self.recheck_at.get(s.id, 0.0) <= now
        ]
        # Pool by pool, so the alerts of one pool run together and share the pool's reads (its code, read again
        # when the withdrawal is prepared for a DM) through the RPC client's coalescing and cache.
        due.sort(key=lambda s: s.pool_id or "")
        if not due:
            return
        # The pass reads at one final block (the first answer's, BlockPin: no read of its own), and so does the planner
        # preparing a DM's withdrawal: its reads of the pool's code and of the delegation are the pass's own, kept.
        chain = self.chain.at_final()
        await check_each(due, lambda subscription: self._check_one(chain, subscription, clock), "unbonding")

    async def _check_one(self, chain: Chain, sub: Subscription, clock: EpochClock) -> None:
        assert sub.account_id and sub.pool_id and sub.due_epoch is not None
        delegation = await self._pending_unstake(chain, sub.account_id, sub.pool_id)
        self.recheck_at.pop(sub.id, None)
        if delegation.settling:
            # Unlocked, but the contract would refuse a withdrawal for now: no message, look again later.
            self.recheck_at[sub.id] = asyncio.get_running_loop().time() + self.settling_recheck
            return
        if delegation.can_withdraw and delegation.unstaked > 0:
            await self._tell_ready(chain, sub, delegation, clock)
            return
        if delegation.unstaked == 0:
            await self.storage.finish_subscription(sub.id)  # already withdrawn: nothing left to tell
            return
        await self._tell_restarted(chain, sub, delegation, clock)

    async def _tell_ready(self, chain: Chain, sub: Subscription, delegation: Pending, clock: EpochClock) -> None:
        assert sub.account_id and sub.pool_id
        ready = await dm_step(chain, sub, offer(
            # A lockup account (at any id) as the signer: the planner goes through its owner (services/actions.py).
            f"withdraw {sub.account_id} {sub.pool_id}", f"Withdraw {format_near(delegation.unstaked)}",
            f"Withdraw {format_near(delegation.unstaked)} from {sub.pool_id} to {sub.account_id} — it is ready.",
            WITHDRAW, delegation.unstaked,
        ))
        await self.storage.enqueue(
            f"unbonding:{sub.id}:{sub.due_epoch}",
            destination(sub),
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

    async def _tell_restarted(
        self, chain: Chain, sub: Subscription, delegation: Pending, clock: EpochClock
    ) -> None:
        """Not withdrawable at the due epoch: a new unstake restarted the wait. Find the new epoch."""
        assert sub.account_id and sub.pool_id
        result = await get_unbonding(chain, sub.account_id, [sub.pool_id])
        entry = next((e for e in result.entries if e.pool_id == sub.pool_id), None)
        if entry is not None and entry.available_epoch == sub.due_epoch:
            # Same unlock epoch, just not reached at the final block yet (the epoch number comes from the newest
            # block, the pool read from the final one, a few blocks behind): look again shortly, say nothing.
            return
        new_epoch = (entry.available_epoch or entry.latest_possible_epoch) if entry else None
        new_epoch = new_epoch if new_epoch and new_epoch > clock.epoch_height else clock.epoch_height + 1
        await self.storage.enqueue(
            f"unbonding-restarted:{sub.id}:{new_epoch}",
            destination(sub),
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

    def _wallet_page(self, pool_id: str) -> str:
        if any(p.contract_id == pool_id for p in providers_for(self.chain.network)):
            return mynearwallet_liquid_staking_url(pool_id, self.chain.network)
        return mynearwallet_staking_url(pool_id, self.chain.network)

    async def _pending_unstake(self, chain: Chain, account_id: str, pool_id: str) -> Pending:
        """Unstaked amount and withdrawability: a pool's `get_account`, or a liquid-staking contract's own view."""
        provider = next((p for p in providers_for(chain.network) if p.contract_id == pool_id), None)
        if provider is None:
            delegation = await get_delegation(chain.rpc, pool_id, account_id)
            return Pending(delegation.unstaked, delegation.can_withdraw)
        position = await read_position(chain.rpc, provider, account_id)
        if position.pending is None:
            raise errors.ContractExecutionError(pool_id, "pending unstake", "the contract has no view for it")
        # The provider's readiness rule, the same one `liquid`, `unbonding`, `diagnose` and `withdraw` use.
        readiness = position.readiness
        settling = readiness.waiting_for not in (None, "epoch")
        return Pending(position.pending.amount, readiness.withdrawable, settling=settling)
