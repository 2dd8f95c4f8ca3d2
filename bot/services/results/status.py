"""The `status` answer: wallet, delegations, lockup summaries and liquid-staking holdings."""

from __future__ import annotations

from typing import Literal

from bot.services.results.actions import PreparedAction
from bot.services.results.base import FoundBy, PoolProblem, Result, Yocto
from bot.services.results.chain import EpochResult, PoolResult
from bot.services.results.lockup import VenearView


class DelegationEntry(Result):
    pool_id: str
    staked_yocto: Yocto
    unstaked_yocto: Yocto
    can_withdraw: bool
    # How the pool was found: listed by the staking index, named by the user, or by scanning the validator set.
    found_by: FoundBy = "index"
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class LockupSummary(Result):
    """The lockup part of `status` (full detail: the `lockup` command)."""

    lockup_id: str
    locked_yocto: Yocto  # foundation: get_locked_amount; venear: locked + pending for veNEAR
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto  # what `transfer` accepts now (venear: the smaller of its two limits)
    transfers_enabled: bool
    staking_pool_id: str | None
    lockup_kind: Literal["foundation", "venear"] = "foundation"
    owner_id: str | None = None
    venear: VenearView | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class LiquidHolding(Result):
    """A liquid-staking token position in `status`."""

    contract_id: str
    provider: str
    symbol: str
    token_balance: Yocto  # the token's own smallest unit (24 decimals for stNEAR, LiNEAR, rNEAR)
    near_value_yocto: Yocto
    pending_unstake_yocto: Yocto = 0
    can_withdraw: bool | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class StatusResult(Result):
    kind: Literal["status"] = "status"
    account_id: str
    amount_yocto: Yocto
    locked_yocto: Yocto
    storage_usage_bytes: int
    storage_cost_yocto: Yocto
    available_yocto: Yocto
    has_contract: bool
    delegations: list[DelegationEntry]
    total_staked_yocto: Yocto
    total_unstaked_yocto: Yocto
    delegations_complete: bool
    pool_problems: list[PoolProblem] = []
    notes: list[str] = []
    block_height: int
    # What `delegations_complete` is about, in words ("every pool the staking index lists", ...): never more.
    delegations_checked: str = "every pool the staking index lists"
    # Pools the validator-set scan checked beyond the index and the named ones; None when no scan was asked for.
    scanned_pools: int | None = None
    lockup: LockupSummary | None = None
    liquid: list[LiquidHolding] = []
    lockups: list[LockupSummary] = []  # every lockup found (`lockup` is the first of them)
    lockup_of: str | None = None  # the owner, when the account asked about is itself a lockup contract
    # How the account's own code is deployed (mainnet-2026.md §1): "none", "local", "global_hash", "global_account".
    deployment: str = "none"
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None


AnyResult = EpochResult | PoolResult | StatusResult
