"""The `unbonding` answer: unstaked NEAR per pool with its unlock epoch and estimate, and timed unlocks."""

from __future__ import annotations

from typing import Literal

from bot.services.results.actions import PreparedAction
from bot.services.results.base import FoundBy, PoolProblem, Result, Yocto


class TimedUnlock(Result):
    """NEAR that becomes usable at a time rather than an epoch: a House of Stake lockup's veNEAR unlock."""

    lockup_id: str
    pending_yocto: Yocto
    unlock_unix: int
    unlock_ready: bool
    owner_id: str | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class UnbondingEntry(Result):
    pool_id: str
    unstaked_yocto: Yocto
    staked_yocto: Yocto
    can_withdraw: bool
    available_epoch: int | None
    # "state": read from the pool's storage; "contract": a view method of the contract itself (liquid staking);
    # "unknown": could not be read (see `source_note`).
    available_epoch_source: Literal["state", "contract", "unknown"]
    estimated_available_unix: int | None
    estimate_earliest_unix: int | None = None
    estimate_latest_unix: int | None = None
    # When the exact epoch is unknown: the latest epoch it can be, from the 4-epoch rule.
    latest_possible_epoch: int | None = None
    epochs_left: int | None = None
    source_note: str | None = None
    # Set when the stake belongs to the account's lockup: the lockup account id (withdraw goes through it).
    held_by: str | None = None
    # Liquid staking: what a withdrawal still waits for ("epoch", "settlement" (Rhea), "retrieval" (Meta Pool),
    # "contract_balance" (LiNEAR/Rhea reserve), "check": the contract's own check could not be read), and why.
    waiting_for: Literal["epoch", "settlement", "retrieval", "contract_balance", "check"] | None = None
    waiting_note: str | None = None
    # For the account's own pool delegations: how the pool was found (see DelegationEntry); None otherwise.
    found_by: FoundBy | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class UnbondingResult(Result):
    kind: Literal["unbonding"] = "unbonding"
    account_id: str
    current_epoch: int
    epoch_length: int
    avg_block_seconds: float
    head_unix: int
    entries: list[UnbondingEntry]
    pools_complete: bool
    pool_problems: list[PoolProblem] = []
    notes: list[str] = []
    timed_unlocks: list[TimedUnlock] = []
    # The block every figure describes (the latest final block when the command started).
    block_height: int | None = None
    pools_checked: str = "every pool the staking index lists"
    scanned_pools: int | None = None
