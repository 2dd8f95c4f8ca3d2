"""The `lockup` answer: a lockup's balances, schedule, contract views, owner's actions and veNEAR side."""

from __future__ import annotations

from typing import Literal

from bot.services.results.actions import PreparedAction
from bot.services.results.base import Result, Yocto


class VenearView(Result):
    """A House of Stake lockup's veNEAR side (house-of-stake-contracts lockup-contract/src/venear.rs)."""

    locked_yocto: Yocto  # locked for veNEAR (voting power)
    pending_yocto: Yocto  # in the unlock cooldown
    unlock_unix: int | None  # the first second end_unlock_near accepts; None when nothing is pending
    unlock_ready: bool  # the cooldown is over: end_unlock_near would work now
    free_to_lock_yocto: Yocto  # get_venear_liquid_balance: neither locked nor pending
    unlock_duration_seconds: int  # the cooldown a new begin_unlock_near starts (the lockup's stored setting)
    venear_contract_id: str


class LockupMilestone(Result):
    """A moment where the lockup's locked amount changes course (from `unix` on, locked is `locked_after_yocto`)."""

    name: Literal["lockup_start", "vesting_cliff", "release_end", "vesting_end"]
    unix: int
    locked_after_yocto: Yocto
    assumes_transfers_vote: bool = False  # only true once the owner calls check_transfers_vote


class LockupAction(Result):
    """Something the lockup owner can or must do, and why (a plain sentence)."""

    action: str  # e.g. check_transfers_vote, refresh_staking_pool_balance, withdraw_from_staking_pool, transfer
    text: str
    method: str | None = None  # the lockup (or pool) method to call, signed by the owner in their own wallet
    gas_tgas: int | None = None
    advice: str | None = None  # `text` in a holder's words: no method names, gas or yocto (None: `text` is)
    # The step ready to sign (`action` is taken here by the advice's name, so it is called `prepared`).
    prepared: PreparedAction | None = None


class LockupBalancesView(Result):
    """locked / owner's / transferable balances, from the contract's own views or from a what-if."""

    locked_yocto: Yocto
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto


class LockupPoolBalance(Result):
    """The lockup's delegation as the pool reports it live (`get_account`)."""

    pool_id: str
    staked_yocto: Yocto
    unstaked_yocto: Yocto
    total_yocto: Yocto  # = get_account_total_balance
    # A staking pool: its `get_account` flag. A liquid-staking contract: its own readiness rule (the contract would
    # pay the unstaked NEAR now; bot/near/liquid_readiness.py), not the view's flag.
    can_withdraw: bool
    # Only for a liquid-staking contract (null for a staking pool: `unbonding` reads its epoch): the epoch its own
    # account view names for the pending unstake, what the withdrawal still waits for, and how long a new unstake
    # sent now waits by its rule, with why.
    available_epoch: int | None = None
    waiting_for: Literal["epoch", "settlement", "retrieval", "contract_balance", "check"] | None = None
    waiting_note: str | None = None
    unstake_wait_epochs: int | None = None
    unstake_wait_note: str | None = None


class LockupSchedulePoint(Result):
    """Balances at one moment, assuming no new transactions (for the release chart)."""

    unix: int
    locked_yocto: Yocto
    liquid_owners_balance_yocto: Yocto


class LockupResult(Result):
    kind: Literal["lockup"] = "lockup"
    owner_id: str
    lockup_id: str
    code_hash: str
    version: str  # v2.0.0 … v3.1.0, or "unknown"
    version_known: bool
    at_unix: int
    projected: bool  # at_unix is a chosen time (assumes no new transactions), not the chain's head
    block_height: int
    lockup_amount_yocto: Yocto
    locked_yocto: Yocto
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto
    account_balance_yocto: Yocto
    staking_pool_id: str | None
    known_deposited_yocto: Yocto
    transfers_enabled: bool
    fully_unlocked_unix: int | None
    unlock_assumes_transfers_vote: bool = False
    unreleased_yocto: Yocto
    unvested_yocto: Yocto
    termination_withdrawn_yocto: Yocto = 0
    termination_status: str | None = None
    terminated_unvested_yocto: Yocto = 0
    vesting: Literal["none", "schedule", "hash", "terminated"]
    min_balance_for_storage_yocto: Yocto
    release_start_bug: bool = False
    lockup_start_unix: int | None = None
    release_end_unix: int | None = None
    pool: LockupPoolBalance | None = None
    after_transfers_vote: LockupBalancesView | None = None
    milestones: list[LockupMilestone] = []
    actions: list[LockupAction] = []
    contract_views: LockupBalancesView | None = None
    disagreement: str | None = None
    notes: list[str] = []
    schedule: list[LockupSchedulePoint] = []
    schedule_assumes_transfers_vote: bool = False
    lockup_kind: Literal["foundation", "venear"] = "foundation"
    deployment: str = "local"  # "local", "global_hash" or "global_account" (mainnet-2026.md §1)
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None
    venear: VenearView | None = None
    other_lockups: list[str] = []  # the owner's other lockups (ask `lockup <id>` for each)
