"""Lockup contract balances, computed exactly as the contract's view methods compute them.

Sources: near-staking.md §4 (core-contracts `lockup/src/getters.rs` at HEAD `1c58c1f` and v2.0.0 `2691bd6`).
All amounts are int yoctoNEAR and all times int nanoseconds; divisions are floor divisions like the contract's
U256 arithmetic (Python ints never overflow, so the U256 intermediates are exact here too).

Where the contract itself would panic (overflow-checks are on in its release profile) the functions here raise
`LockupMathError` instead of returning a made-up number. That only happens for states no honest contract reaches
(for example an invalid vesting schedule inside its pro-rata window, or termination_withdrawn > lockup_amount).

This module is the one import path for all of it: the state model and borsh codec (`bot.near.lockup_state`),
the versions by code hash (`lockup_versions`), the getters (`lockup_math`) and the what-ifs (`lockup_forecast`).
"""

from __future__ import annotations

from bot.near.lockup_forecast import (
    Milestone,
    MilestoneKind,
    UnlockForecast,
    fully_unlocked_at,
    milestones,
    unlock_forecast,
    with_transfers_enabled,
)
from bot.near.lockup_math import (
    LockupBalances,
    LockupMathError,
    compute_lockup,
    get_locked_amount,
    get_locked_vested_amount,
    get_unvested_amount,
    get_unvested_amount_view,
    lockup_start,
    release_end,
)
from bot.near.lockup_state import (
    STATE_KEY,
    STATE_KEY_BASE64,
    U64_MAX,
    U128_MAX,
    LockupInformation,
    LockupState,
    LockupStateError,
    StakingInformation,
    Terminating,
    TerminationStatus,
    TransactionStatus,
    TransfersDisabled,
    TransfersEnabled,
    TransfersInformation,
    VestingHash,
    VestingInformation,
    VestingNone,
    VestingSchedule,
    decode_lockup_state,
    decode_lockup_state_base64,
    encode_lockup_state,
)
from bot.near.lockup_versions import (
    CURRENT_LOCKUP_VERSION,
    GLOBAL_LOCKUP_CODE_HASH,
    LOCKUP_VERSIONS,
    MIN_BALANCE_FOR_STORAGE_OLD,
    MIN_BALANCE_FOR_STORAGE_V3_1,
    TRANSFERS_STARTED,
    LockupVersion,
    lockup_version,
)

__all__ = [
    "STATE_KEY",
    "STATE_KEY_BASE64",
    "U64_MAX",
    "U128_MAX",
    "TRANSFERS_STARTED",
    "MIN_BALANCE_FOR_STORAGE_OLD",
    "MIN_BALANCE_FOR_STORAGE_V3_1",
    "LOCKUP_VERSIONS",
    "CURRENT_LOCKUP_VERSION",
    "GLOBAL_LOCKUP_CODE_HASH",
    "LockupVersion",
    "LockupBalances",
    "LockupMathError",
    "LockupStateError",
    "LockupState",
    "LockupInformation",
    "StakingInformation",
    "Terminating",
    "TerminationStatus",
    "TransactionStatus",
    "TransfersDisabled",
    "TransfersEnabled",
    "TransfersInformation",
    "VestingHash",
    "VestingInformation",
    "VestingNone",
    "VestingSchedule",
    "Milestone",
    "MilestoneKind",
    "UnlockForecast",
    "compute_lockup",
    "decode_lockup_state",
    "decode_lockup_state_base64",
    "encode_lockup_state",
    "fully_unlocked_at",
    "get_locked_amount",
    "get_locked_vested_amount",
    "get_unvested_amount",
    "get_unvested_amount_view",
    "lockup_start",
    "lockup_version",
    "milestones",
    "release_end",
    "unlock_forecast",
    "with_transfers_enabled",
]
