"""Creating alerts. Unbonding alerts record the exact epoch to wake at (or the 4-epoch bound when the pool's
storage cannot be read), so the scheduler never polls for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.near.pools import get_pool_facts
from bot.services.actions import utc_text
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.results import TimedUnlock
from bot.services.unbonding import get_unbonding
from bot.storage import Storage
from bot.storage.models import Subscription


@dataclass
class SubscribeOutcome:
    created: list[Subscription] = field(default_factory=list)
    already_withdrawable: list[str] = field(default_factory=list)
    already_set: list[Subscription] = field(default_factory=list)  # the same alert exists: not added twice
    # Unstaking, but no epoch to wake at (e.g. a liquid-staking unstake whose unlock epoch has no readable view).
    unknown_epoch: list[str] = field(default_factory=list)
    message: str = ""


async def subscribe_unbonding(
    storage: Storage,
    chain: Chain,
    user_id: int,
    account_id: str,
    pool_id: str | None = None,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
) -> SubscribeOutcome:
    account_id = parse_account(account_id)
    pools = [parse_account(pool_id)] if pool_id else []
    result = await get_unbonding(chain, account_id, pools)
    outcome = SubscribeOutcome()
    existing = {
        (s.account_id, s.pool_id, s.channel_id): s
        for s in await storage.user_subscriptions(user_id)
        if s.kind == "unbonding" and s.state == "active"
    }
    for entry in result.entries:
        if entry.can_withdraw:
            outcome.already_withdrawable.append(entry.pool_id)
            continue
        holder = entry.held_by or account_id  # lockup stake is the lockup account's delegation
        if (same := existing.get((holder, entry.pool_id, channel_id))) is not None:
            outcome.already_set.append(same)
            continue
        due = entry.available_epoch or entry.latest_possible_epoch
        if due is None:
            outcome.unknown_epoch.append(entry.pool_id)
            continue
        outcome.created.append(
            await storage.add_subscription(
                "unbonding", user_id, account_id=holder, pool_id=entry.pool_id, guild_id=guild_id,
                channel_id=channel_id, due_epoch=due, last_seen={"lockup": True} if entry.held_by else None,
            )
        )
    await _subscribe_unlocks(storage, result.timed_unlocks, user_id, outcome, existing, guild_id, channel_id)
    parts = [
        f"I will tell you when the veNEAR unlock in {s.account_id} is ready ({utc_text(s.due_unix or 0)})." if s.is_timed
        else f"I will tell you when {s.pool_id} is withdrawable (epoch {s.due_epoch})."
        for s in outcome.created
    ]
    parts += [
        f"You already have this alert for {s.pool_id} (#{s.id}, "
        + (f"{utc_text(s.due_unix or 0)})." if s.is_timed else f"epoch {s.due_epoch}).")
        for s in outcome.already_set
    ]
    if outcome.already_withdrawable:
        parts.append("Already withdrawable now: " + ", ".join(outcome.already_withdrawable) + ".")
    if outcome.unknown_epoch:
        parts.append(
            "Unstaking, but the epoch it unlocks cannot be read, so no alert can be timed: "
            + ", ".join(outcome.unknown_epoch) + f". `/liquid {account_id}` and `/unbonding {account_id}` show it."
        )
    if not parts:
        parts.append(f"{account_id} has nothing unbonding" + (f" in {pool_id}." if pool_id else "."))
    outcome.message = " ".join(parts)
    return outcome


async def _subscribe_unlocks(
    storage: Storage, unlocks: list[TimedUnlock], user_id: int, outcome: SubscribeOutcome,
    existing: dict[tuple[str | None, str | None, int | None], Subscription], guild_id: int | None,
    channel_id: int | None,
) -> None:
    """House of Stake veNEAR unlocks: an unbonding alert due at the unlock time (the lockup is account and pool)."""
    for unlock in unlocks:
        if unlock.unlock_ready:
            outcome.already_withdrawable.append(f"the veNEAR unlock in {unlock.lockup_id} (finish it: /venear)")
            continue
        if (same := existing.get((unlock.lockup_id, unlock.lockup_id, channel_id))) is not None:
            outcome.already_set.append(same)
            continue
        outcome.created.append(await storage.add_subscription(
            "unbonding", user_id, account_id=unlock.lockup_id, pool_id=unlock.lockup_id, guild_id=guild_id,
            channel_id=channel_id, due_unix=unlock.unlock_unix,
        ))


async def subscribe_pool(
    storage: Storage, chain: Chain, user_id: int, pool_id: str, *, guild_id: int | None = None,
    channel_id: int | None = None,
) -> Subscription:
    pool_id = parse_account(pool_id)
    await get_pool_facts(chain.rpc, pool_id)  # refuses anything that is not a pool, with the reason
    return await storage.add_subscription("pool", user_id, pool_id=pool_id, guild_id=guild_id, channel_id=channel_id)
