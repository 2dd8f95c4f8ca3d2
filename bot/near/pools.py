"""Staking-pool reads through the pool's own view methods (near-staking.md §2.3)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.near import errors
from bot.near.models import AccountView
from bot.near.rpc import NearRpcClient


class NotAStakingPool(errors.NearError):
    kind = "not_a_pool"
    bad_input = True

    def __init__(self, account_id: str, why: str) -> None:
        super().__init__(f"{account_id} is not a staking pool: {why}")
        self.account_id = account_id


@dataclass(frozen=True)
class Delegation:
    """One delegator's balances in one pool, as the pool's `get_account` reports them."""

    pool_id: str
    account_id: str
    staked: int
    unstaked: int
    can_withdraw: bool
    block_height: int

    @property
    def is_empty(self) -> bool:
        return self.staked == 0 and self.unstaked == 0


@dataclass(frozen=True)
class PoolFacts:
    pool_id: str
    account: AccountView
    owner_id: str
    fee_numerator: int
    fee_denominator: int
    total_staked: int
    paused: bool
    delegator_count: int | None


def _u128_text(value: Any, what: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise errors.MalformedResponse(f"The pool returned {what} in an unexpected form.")


async def get_delegation(rpc: NearRpcClient, pool_id: str, account_id: str) -> Delegation:
    """`get_account` → {"account_id","unstaked_balance","staked_balance","can_withdraw"} (near-staking.md §2.3)."""
    try:
        result = await rpc.call_function(pool_id, "get_account", {"account_id": account_id})
    except errors.MethodNotFound as exc:
        raise NotAStakingPool(pool_id, "it has no get_account method.") from exc
    except errors.NoContractCode as exc:
        raise NotAStakingPool(pool_id, "it has no contract deployed.") from exc
    try:
        data = result.decoded()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{pool_id}.get_account returned something that is not JSON.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("can_withdraw"), bool):
        raise errors.MalformedResponse(f"{pool_id}.get_account returned an unexpected shape.")
    return Delegation(
        pool_id=pool_id,
        account_id=account_id,
        staked=_u128_text(data.get("staked_balance"), "a staked balance"),
        unstaked=_u128_text(data.get("unstaked_balance"), "an unstaked balance"),
        can_withdraw=data["can_withdraw"],
        block_height=result.block_height,
    )


async def get_pool_facts(rpc: NearRpcClient, pool_id: str) -> PoolFacts:
    """Owner, fee, total stake, paused flag and delegator count, read concurrently with the account (one round
    trip)."""

    async def view(method: str) -> Any:
        return await rpc.view_function(pool_id, method, {})

    account: AccountView | BaseException
    results: list[Any]
    account, *results = await asyncio.gather(
        rpc.view_account(pool_id),
        view("get_owner_id"),
        view("get_reward_fee_fraction"),
        view("get_total_staked_balance"),
        view("is_staking_paused"),
        view("get_number_of_accounts"),
        return_exceptions=True,
    )
    if isinstance(account, BaseException):
        raise account
    if not account.has_contract:
        raise NotAStakingPool(pool_id, "it is a plain account with no contract.")
    owner, fee, total, paused, count = results
    for outcome in (owner, fee, total, paused):
        if isinstance(outcome, errors.MethodNotFound):
            raise NotAStakingPool(pool_id, f"its contract has no {outcome.method} method.")
        if isinstance(outcome, BaseException):
            raise outcome
    if not isinstance(owner, str) or not isinstance(fee, dict) or not isinstance(paused, bool):
        raise errors.MalformedResponse(f"{pool_id} answered the staking-pool views in an unexpected shape.")
    numerator, denominator = fee.get("numerator"), fee.get("denominator")
    if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator <= 0:
        raise errors.MalformedResponse(f"{pool_id} returned an unreadable reward fee.")
    delegator_count = count if isinstance(count, int) and not isinstance(count, bool) else None
    return PoolFacts(
        pool_id=pool_id,
        account=account,
        owner_id=owner,
        fee_numerator=numerator,
        fee_denominator=denominator,
        total_staked=_u128_text(total, "the total stake"),
        paused=paused,
        delegator_count=delegator_count,
    )
