"""Lockup contract balances, computed exactly as the contract's view methods compute them.

Sources: near-staking.md §4 (core-contracts `lockup/src/getters.rs` at HEAD `1c58c1f` and v2.0.0 `2691bd6`).
All amounts are int yoctoNEAR and all times int nanoseconds; divisions are floor divisions like the contract's
U256 arithmetic (Python ints never overflow, so the U256 intermediates are exact here too).

Where the contract itself would panic (overflow-checks are on in its release profile) the functions here raise
`LockupMathError` instead of returning a made-up number. That only happens for states no honest contract reaches
(for example an invalid vesting schedule inside its pro-rata window, or termination_withdrawn > lockup_amount).

The state model and borsh codec live in `bot.near.lockup_state` and are re-exported here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

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
from bot.near.units import YOCTO_PER_NEAR

__all__ = [
    "STATE_KEY",
    "STATE_KEY_BASE64",
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

# near-staking.md §4.6: CC `lockup-factory/src/lib.rs` `const TRANSFERS_STARTED` (13 October 2020 18:38:58.293 UTC).
TRANSFERS_STARTED = 1602614338293769340

# near-staking.md §4.2 / seed-errata C8: `MIN_BALANCE_FOR_STORAGE` in CC `lockup/src/lib.rs` history.
MIN_BALANCE_FOR_STORAGE_OLD = 35 * YOCTO_PER_NEAR  # v2.0.0 .. v3.0.1
MIN_BALANCE_FOR_STORAGE_V3_1 = 35 * YOCTO_PER_NEAR // 10  # v3.1.0 (commit 4f7b250 "35 -> 3.5 NEAR")
# mainnet-2026.md §2: `near contract deploy <id> use-global-hash CAvU5M…` (docs.near.org, primitives/lockup).
GLOBAL_LOCKUP_CODE_HASH = "CAvU5MYQ4xk1SjFvbnQDQUj6qehuW5YhU3FXA6GMddCx"


class LockupMathError(ValueError):
    """The contract itself would panic computing this view for this state (see module docstring)."""


# --- versions by code hash (near-staking.md §4.2) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockupVersion:
    """What a lockup `code_hash` means for the math.

    `known` is False for a hash not in the table; such a version uses the current (v3.1.0) rules and callers should
    warn that the balances are computed on an assumption.
    """

    code_hash: str | None
    label: str
    min_balance_for_storage: int
    has_release_start_bug: bool
    known: bool = True
    note: str = ""


LOCKUP_VERSIONS: dict[str, LockupVersion] = {
    str(version.code_hash): version
    for version in (
        # Hashes are base58(sha256(wasm)) of CC `lockup/res/lockup_contract.wasm` at each commit (re-checked).
        LockupVersion(
            "3kVY9qcVRoW3B5498SMX6R3rtSLiCdmBzKs7zcnzDJ7Q",
            "v2.0.0",
            MIN_BALANCE_FOR_STORAGE_OLD,
            True,
            note="core-contracts 2691bd6 (2020-09-17)",
        ),
        LockupVersion(
            "DiC9bKCqUHqoYqUXovAnqugiuntHWnM3cAc7KrgaHTu",
            "v2.0.0-april-2021",
            MIN_BALANCE_FOR_STORAGE_OLD,
            True,
            note="not in core-contracts history; treated as buggy per explorer indexer `is_bug_inside_contract`; "
            "35 NEAR storage minimum unverified",
        ),
        LockupVersion(
            "Cw7bnyp4B6ypwvgZuMmJtY6rHsxP2D4PC8deqeJ3HP7D",
            "v3.0.0",
            MIN_BALANCE_FOR_STORAGE_OLD,
            False,
            note="core-contracts 39e0296 (2021-04-07)",
        ),
        LockupVersion(
            "3kSoLAJpMjyHtG1s45YBbAM4vXwgGj5vFAJ4AQWcwCN9",
            "v3.0.1",
            MIN_BALANCE_FOR_STORAGE_OLD,
            False,
            note="core-contracts c330436 (2021-06-22)",
        ),
        LockupVersion(
            "4Pfw2RU6e35dUsHQQoFYfwX8KFFvSRNwMSNLXuSFHXrC",
            "v3.1.0",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="core-contracts 43f9166 (2021-07-14)",
        ),
        LockupVersion(
            "6C5zC3XXFR7L6uguiZtwomaGhznadEXMsxB4oSJJPzMz",
            "v3.1.0-rebuild",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="core-contracts 60fc493 (2021-12-09) rebuild, same as HEAD; deployment unverified",
        ),
        # The global lockup contract new lockups are deployed from (docs.near.org "Lockup Contracts":
        # `use-global-hash CAvU5M…`, source link core-contracts master). Its wasm is not among core-contracts'
        # committed blobs, so v3.1.0 rules are an assumption the answers cross-check with the contract's views
        # (mainnet-2026.md §2).
        LockupVersion(
            GLOBAL_LOCKUP_CODE_HASH,
            "global-v3.1.0",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="global lockup contract from docs.near.org; source assumed core-contracts v3.1.0 (unverified by "
            "hash), cross-checked with the contract's own views",
        ),
    )
}

# The rules of the contract at core-contracts HEAD (v3.1.0): 3.5 NEAR, release starts at the lockup start.
CURRENT_LOCKUP_VERSION = LockupVersion(
    None, "current", MIN_BALANCE_FOR_STORAGE_V3_1, False, known=True, note="core-contracts HEAD rules"
)


def lockup_version(code_hash: str | None) -> LockupVersion:
    """The version for a lockup account's `code_hash`; unknown hashes get current rules with `known=False`."""
    if code_hash in LOCKUP_VERSIONS:
        return LOCKUP_VERSIONS[code_hash]
    return LockupVersion(
        code_hash,
        "unknown",
        MIN_BALANCE_FOR_STORAGE_V3_1,
        False,
        known=False,
        note="unrecognised lockup code hash: computed with the current contract's rules (3.5 NEAR, no release bug)",
    )


def _as_version(version: LockupVersion | str | None) -> LockupVersion:
    if isinstance(version, LockupVersion):
        return version
    if version is None or isinstance(version, str):
        return lockup_version(version)
    raise TypeError(f"version must be a LockupVersion or a code hash, got {type(version).__name__}")


# --- integer helpers -------------------------------------------------------------------------------------------


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


# --- the contract's getters (getters.rs) -----------------------------------------------------------------------


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
    base = transfers.transfers_timestamp if _as_version(version).has_release_start_bug else start
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
    version = _as_version(version)
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


# --- all balances at once --------------------------------------------------------------------------------------


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
    version = _as_version(version)
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


# --- what-if helpers -------------------------------------------------------------------------------------------


def with_transfers_enabled(state: LockupState, transfers_timestamp: int = TRANSFERS_STARTED) -> LockupState:
    """The state after a successful `check_transfers_vote`: TransfersEnabled{the poll's timestamp}.

    `on_get_result_from_transfer_poll` stores the poll result as transfers_timestamp (CC `lockup/src/
    owner_callbacks.rs`); on mainnet that is TRANSFERS_STARTED (near-staking.md §4.6). States whose transfers are
    already enabled are returned unchanged.
    """
    if state.transfers_enabled:
        return state
    info = dataclasses.replace(
        state.lockup_information, transfers_information=TransfersEnabled(transfers_timestamp)
    )
    return dataclasses.replace(state, lockup_information=info)


@dataclass(frozen=True, slots=True)
class UnlockForecast:
    """When `get_locked_amount` reaches 0 for good, assuming no further transactions.

    `unlocked_at_ns` is None when it cannot be known (`reason` says why). `assumes_transfers_vote` is True when the
    stored state still has transfers disabled, so the time is for `with_transfers_enabled(state)`: the contract
    keeps everything locked until the owner calls `check_transfers_vote` (near-staking.md §4.6).
    `vesting_hidden` is True for a VestingHash: the contract ignores it, but a foundation termination could still
    change the outcome.
    """

    unlocked_at_ns: int | None
    assumes_transfers_vote: bool
    vesting_hidden: bool
    reason: str = ""


def _earliest_release_zero(state: LockupState, version: LockupVersion, start: int) -> int:
    # Earliest t >= start with unreleased(t) − termination_withdrawn <= 0 (saturating), exact under floor division:
    # floor(L·(end−t)/R) <= W  ⇔  end − t <= floor(((W+1)·R − 1) / L).
    info = state.lockup_information
    duration = info.release_duration
    if duration is None or duration == 0 or info.lockup_amount == 0:
        return start
    end = release_end(state, version)
    assert end is not None
    slack = ((info.termination_withdrawn_tokens + 1) * duration - 1) // info.lockup_amount
    return max(start, end - slack)


def unlock_forecast(state: LockupState, version: LockupVersion | str | None) -> UnlockForecast:
    """See `UnlockForecast`. The time is exact: the first ns from which `get_locked_amount` stays 0."""
    version = _as_version(version)
    assumes_vote = not state.transfers_enabled
    effective = with_transfers_enabled(state)
    hidden = isinstance(state.vesting_information, VestingHash)
    start = lockup_start(effective)
    assert start is not None
    info = effective.lockup_information
    amount = info.lockup_amount
    vesting = effective.vesting_information
    t_vest = 0
    if isinstance(vesting, Terminating) and vesting.unvested_amount > 0:
        return UnlockForecast(
            None,
            assumes_vote,
            hidden,
            "vesting was terminated: the unvested amount stays locked until withdrawn",
        )
    if isinstance(vesting, VestingSchedule) and amount > 0:
        if not vesting.is_valid:
            return UnlockForecast(None, assumes_vote, hidden, "the stored vesting schedule is invalid")
        total = vesting.end_timestamp - vesting.start_timestamp
        # floor(L·(end−t)/D) == 0  ⇔  end − t <= floor((D − 1) / L); never before the cliff.
        t_vest = max(vesting.cliff_timestamp, vesting.end_timestamp - (total - 1) // amount)
    after_start = max(start, _earliest_release_zero(effective, version, start), t_vest)
    if after_start == start and amount <= info.termination_withdrawn_tokens:
        after_start = 0  # locked is 0 before the start too, so it has always been 0
    return UnlockForecast(after_start, assumes_vote, hidden)


def fully_unlocked_at(state: LockupState, version: LockupVersion | str | None) -> int | None:
    """Earliest ns from which the lockup's locked amount is 0 for good, or None if that cannot be computed.

    With transfers still disabled this is computed for `with_transfers_enabled(state)` (use `unlock_forecast` for
    that flag and the reason when None).
    """
    return unlock_forecast(state, version).unlocked_at_ns


class MilestoneKind(StrEnum):
    LOCKUP_START = "lockup_start"
    VESTING_CLIFF = "vesting_cliff"
    RELEASE_END = "release_end"
    VESTING_END = "vesting_end"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A moment where the locked amount changes course; `locked_after` = `get_locked_amount` at `timestamp_ns`."""

    name: MilestoneKind
    timestamp_ns: int
    locked_after: int
    assumes_transfers_vote: bool = False


def milestones(state: LockupState, version: LockupVersion | str | None) -> list[Milestone]:
    """Lockup start, vesting cliff, end of release and end of vesting (those that apply), in time order.

    With transfers disabled they are computed for `with_transfers_enabled(state)` and flagged
    `assumes_transfers_vote`. A release end before the lockup start (possible with the v2.0.0 bug) is shown at the
    lockup start, where the contract releases everything at once. A VestingHash has no public dates.
    """
    version = _as_version(version)
    assumes_vote = not state.transfers_enabled
    effective = with_transfers_enabled(state)
    start = lockup_start(effective)
    assert start is not None
    points: list[tuple[MilestoneKind, int]] = [(MilestoneKind.LOCKUP_START, start)]
    duration = effective.lockup_information.release_duration
    if duration:
        end = release_end(effective, version)
        assert end is not None
        points.append((MilestoneKind.RELEASE_END, max(end, start)))
    vesting = effective.vesting_information
    if isinstance(vesting, VestingSchedule):
        if vesting.cliff_timestamp > vesting.start_timestamp:
            points.append((MilestoneKind.VESTING_CLIFF, vesting.cliff_timestamp))
        points.append((MilestoneKind.VESTING_END, vesting.end_timestamp))
    order = list(MilestoneKind)
    points.sort(key=lambda point: (point[1], order.index(point[0])))
    return [
        Milestone(kind, timestamp, get_locked_amount(effective, version, timestamp), assumes_vote)
        for kind, timestamp in points
    ]
