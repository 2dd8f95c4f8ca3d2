"""The lockup contract's getters (core-contracts `lockup/src/getters.rs`), computed exactly: locked, unvested and
unreleased amounts, and every balance at once (`compute_lockup`). Integer yocto and nanoseconds, floor division
like the contract's U256 arithmetic; `LockupMathError` where the contract itself would panic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.near.lockup_state import (
    U64_MAX,
    U128_MAX,
    LockupState,
    Terminating,
    TerminationStatus,
    TransactionStatus,
    TransfersEnabled,
    VestingHash,
    VestingNone,
    VestingSchedule,
)
from bot.near.lockup_versions import LockupVersion, as_lockup_version


class LockupMathError(ValueError):
    """The contract itself would panic computing this view for this state (see module docstring)."""


def _require_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int (yoctoNEAR / nanoseconds), got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def _sat_add_u64(a: int, b: int) -> int:
    return min(a + b, U64_MAX)


def _sat_sub(a: int, b: int) -> int:
    return a - b if a > b else 0


def lockup_start(state: LockupState) -> int | None:
    """max(transfers_timestamp + lockup_duration (saturating), lockup_timestamp or 0); None while transfers are
    disabled (near-staking.md §4.5, getters.rs `get_locked_amount`)."""
    info = state.lockup_information
    transfers = info.transfers_information
    if not isinstance(transfers, TransfersEnabled):
        return None
    return max(_sat_add_u64(transfers.transfers_timestamp, info.lockup_duration), info.lockup_timestamp or 0)


def release_end(state: LockupState, version: LockupVersion | str | None = None) -> int | None:
    """End of the linear release as the contract computes it, or None (transfers disabled / no release_duration).

    v3.0.0+: lockup_start + release_duration. v2.0.0 bug: transfers_timestamp + release_duration (near-staking.md
    §4.2, diff 2691bd6..39e0296 of getters.rs). Both saturating. The buggy end can precede the lockup start; then
    everything is released at the start.
    """
    info = state.lockup_information
    start = lockup_start(state)
    if start is None or info.release_duration is None:
        return None
    transfers = info.transfers_information
    assert isinstance(transfers, TransfersEnabled)
    base = transfers.transfers_timestamp if as_lockup_version(version).has_release_start_bug else start
    return _sat_add_u64(base, info.release_duration)


def get_unvested_amount(vesting_schedule: VestingSchedule, lockup_amount: int, now_ns: int) -> int:
    """The schedule formula of `get_unvested_amount` (near-staking.md §4.5): lockup_amount before the cliff, 0 from
    the end, else lockup_amount × (end − now) / (end − start), floored. No separate cliff jump."""
    _require_int(lockup_amount, "lockup_amount")
    _require_int(now_ns, "now_ns")
    vs = vesting_schedule
    if now_ns < vs.cliff_timestamp:
        return lockup_amount
    if now_ns >= vs.end_timestamp:
        return 0
    time_left = vs.end_timestamp - now_ns
    total_time = vs.end_timestamp - vs.start_timestamp
    if total_time <= 0:  # u64 underflow or division by zero: the contract panics
        raise LockupMathError("invalid vesting schedule (end <= start): the contract would panic")
    unvested = lockup_amount * time_left // total_time
    if unvested > U128_MAX:  # U256::as_u128 panics
        raise LockupMathError("invalid vesting schedule (now before start): the contract would panic")
    return unvested


def get_unvested_amount_view(state: LockupState, vesting_schedule: VestingSchedule, now_ns: int) -> int:
    """The `get_unvested_amount({vesting_schedule})` view: Terminating → unvested_amount, None → 0, otherwise
    (VestingHash or VestingSchedule) the formula on the *given* schedule (getters.rs)."""
    vesting = state.vesting_information
    if isinstance(vesting, Terminating):
        return vesting.unvested_amount
    if isinstance(vesting, VestingNone):
        return 0
    return get_unvested_amount(vesting_schedule, state.lockup_information.lockup_amount, now_ns)


def _unvested_for_locked(state: LockupState, now_ns: int) -> int:
    # getters.rs `get_locked_amount`: schedule → formula, Terminating → unvested_amount, None/VestingHash → 0.
    vesting = state.vesting_information
    if isinstance(vesting, VestingSchedule):
        return get_unvested_amount(vesting, state.lockup_information.lockup_amount, now_ns)
    if isinstance(vesting, Terminating):
        return vesting.unvested_amount
    return 0  # a VestingHash is ignored ("vesting is private", seed-errata C5)


def _unreleased(state: LockupState, version: LockupVersion, now_ns: int) -> int:
    info = state.lockup_information
    if info.release_duration is None:
        return 0
    end = release_end(state, version)
    assert end is not None
    if now_ns >= end:
        return 0
    # end − now <= release_duration here, so this never exceeds lockup_amount (no as_u128 panic).
    return info.lockup_amount * (end - now_ns) // info.release_duration


def get_locked_amount(state: LockupState, version: LockupVersion | str | None, now_ns: int) -> int:
    """`get_locked_amount` at block time `now_ns` (near-staking.md §4.5)."""
    _require_int(now_ns, "now_ns")
    version = as_lockup_version(version)
    info = state.lockup_information
    start = lockup_start(state)
    if start is not None and start <= now_ns:  # the contract tests `lockup_timestamp <= block_timestamp`
        unreleased = _unreleased(state, version, now_ns)
        unvested = _unvested_for_locked(state, now_ns)
        return max(_sat_sub(unreleased, info.termination_withdrawn_tokens), unvested)
    # Transfers disabled or before the lockup start: everything still locked (near-staking.md §4.5, §4.6).
    if info.termination_withdrawn_tokens > info.lockup_amount:
        raise LockupMathError("termination_withdrawn_tokens > lockup_amount: the contract would panic")
    return info.lockup_amount - info.termination_withdrawn_tokens


def get_locked_vested_amount(
    state: LockupState, version: LockupVersion | str | None, vesting_schedule: VestingSchedule, now_ns: int
) -> int | None:
    """`get_locked_vested_amount({vesting_schedule})` = locked − unvested_view; None where the contract's plain
    u128 subtraction would underflow (the view panics)."""
    locked = get_locked_amount(state, version, now_ns)
    unvested = get_unvested_amount_view(state, vesting_schedule, now_ns)
    return locked - unvested if locked >= unvested else None


@dataclass(frozen=True, slots=True)
class LockupBalances:
    """Every number the lockup views would return at `now_ns`, plus how they were reached.

    - `locked`, `owners_balance`, `liquid_owners_balance`, `known_deposited`, `total_balance` equal
      `get_locked_amount`, `get_owners_balance`, `get_liquid_owners_balance`, `get_known_deposited_balance`,
      `get_balance`.
    - `lockup_start_ns` is the start the contract uses (None while transfers are disabled); `lockup_started` is
      whether `lockup_start_ns <= now_ns`; `release_end_ns` is the contract's release end (v2.0.0 bug included).
    - `unreleased` is what the release schedule still holds (lockup_amount before the start); `unvested` what the
      vesting term of `get_locked_amount` gives (0 for None/VestingHash). Once started,
      locked = max(unreleased − termination_withdrawn_tokens, unvested).
    - `vesting_hidden`: a VestingHash is stored, which `get_locked_amount` ignores.
    """

    version: LockupVersion
    now_ns: int
    account_balance: int
    lockup_amount: int
    termination_withdrawn_tokens: int
    known_deposited: int
    total_balance: int
    transfers_enabled: bool
    lockup_start_ns: int | None
    lockup_started: bool
    release_end_ns: int | None
    unreleased: int
    unvested: int
    locked: int
    owners_balance: int
    liquid_owners_balance: int
    min_balance_for_storage: int
    termination_status: TerminationStatus | None
    terminated_unvested_balance: int
    terminated_unvested_balance_deficit: int
    vesting_hidden: bool
    staking_pool_account_id: str | None
    staking_busy: bool


def compute_lockup(
    state: LockupState, version: LockupVersion | str | None, account_balance: int, now_ns: int
) -> LockupBalances:
    """All lockup balances at `now_ns`, given the lockup account's `amount` from `view_account` (yocto).

    owners_balance = (account_balance + known_deposited) − locked, saturating; liquid_owners_balance =
    min(owners_balance, account_balance − MIN_BALANCE_FOR_STORAGE saturating) (near-staking.md §4.5, seed-errata C4).
    """
    _require_int(account_balance, "account_balance")
    _require_int(now_ns, "now_ns")
    version = as_lockup_version(version)
    info = state.lockup_information
    start = lockup_start(state)
    started = start is not None and start <= now_ns
    locked = get_locked_amount(state, version, now_ns)
    if started:
        unreleased = _unreleased(state, version, now_ns)
        unvested = _unvested_for_locked(state, now_ns)
    else:
        unreleased = info.lockup_amount
        try:  # informational only: the contract does not evaluate vesting before the start
            unvested = _unvested_for_locked(state, now_ns)
        except LockupMathError:
            unvested = info.lockup_amount
    known = state.known_deposited_balance
    owners = _sat_sub(account_balance + known, locked)
    # internal.rs `get_account_balance`: the balance above the storage minimum.
    spendable = _sat_sub(account_balance, version.min_balance_for_storage)
    terminated_unvested = state.terminated_unvested_balance
    staking = state.staking_information
    return LockupBalances(
        version=version,
        now_ns=now_ns,
        account_balance=account_balance,
        lockup_amount=info.lockup_amount,
        termination_withdrawn_tokens=info.termination_withdrawn_tokens,
        known_deposited=known,
        total_balance=account_balance + known,
        transfers_enabled=state.transfers_enabled,
        lockup_start_ns=start,
        lockup_started=started,
        release_end_ns=release_end(state, version),
        unreleased=unreleased,
        unvested=unvested,
        locked=locked,
        owners_balance=owners,
        liquid_owners_balance=min(owners, spendable),
        min_balance_for_storage=version.min_balance_for_storage,
        termination_status=state.termination_status,
        terminated_unvested_balance=terminated_unvested,
        terminated_unvested_balance_deficit=_sat_sub(terminated_unvested, spendable),
        vesting_hidden=isinstance(state.vesting_information, VestingHash),
        staking_pool_account_id=state.staking_pool_account_id,
        staking_busy=staking is not None and staking.status == TransactionStatus.Busy,
    )
