"""Pool alerts: once per pass, every watched pool's facts and its validator's state, compared with what the
alert saw last; a change (fee, paused or resumed, kicked out, not in the next set, low uptime) is one message per
alert and epoch."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from bot.alerts.checks import destination
from bot.near import errors
from bot.near.epochs import EpochClock
from bot.near.models import ValidatorsResponse
from bot.near.pools import PoolFacts, get_pool_facts
from bot.services.chain import Chain
from bot.services.pool import uptime_summary, validator_info
from bot.storage import Storage
from bot.storage.models import Subscription

log = logging.getLogger(__name__)


class PoolWatch:
    def __init__(self, storage: Storage, chain: Chain) -> None:
        self.storage = storage
        self.chain = chain

    async def check(self, clock: EpochClock) -> None:
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

    async def _pool_events(self, sub: Subscription, now: dict[str, Any], kickout: str | None, uptime: str,
                           clock: EpochClock) -> None:
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
                destination(sub),
                {"kind": "pool", "title": f"Pool alert: {pool}", "text": text, "user_id": sub.user_id},
                subscription_id=sub.id,
            )
        if before != now:
            await self.storage.remember(sub.id, now)
