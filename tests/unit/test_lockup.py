"""Lockup STATE codec and balance math against core-contracts' own unit-test vectors (near-staking.md §4.8).

States are built with `encode_lockup_state` and read back with `decode_lockup_state`, so every vector also exercises
the borsh codec. Amounts are exact yoctoNEAR.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.near.lockup import (
    CURRENT_LOCKUP_VERSION,
    LOCKUP_VERSIONS,
    MIN_BALANCE_FOR_STORAGE_OLD,
    MIN_BALANCE_FOR_STORAGE_V3_1,
    TRANSFERS_STARTED,
    LockupInformation,
    LockupMathError,
    LockupState,
    LockupStateError,
    MilestoneKind,
    StakingInformation,
    Terminating,
    TerminationStatus,
    TransactionStatus,
    TransfersDisabled,
    TransfersEnabled,
    VestingHash,
    VestingNone,
    VestingSchedule,
    compute_lockup,
    decode_lockup_state,
    decode_lockup_state_base64,
    encode_lockup_state,
    fully_unlocked_at,
    get_locked_amount,
    get_locked_vested_amount,
    get_unvested_amount,
    get_unvested_amount_view,
    lockup_start,
    lockup_version,
    milestones,
    release_end,
    unlock_forecast,
    with_transfers_enabled,
)
from bot.near.units import YOCTO_PER_NEAR

N = YOCTO_PER_NEAR
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1
DAY = 86_400 * 10**9
YEAR = 365 * DAY  # core-contracts test_utils: YEAR = 365 days


def to_ts(days: int) -> int:
    """core-contracts `lockup/src/tests/test_utils.rs` `to_ts`: 2018-08-01 UTC + days."""
    return 1533081600 * 10**9 + days * DAY


T0 = to_ts(500)  # GENESIS_TIME_IN_DAYS
HASH_V2 = "3kVY9qcVRoW3B5498SMX6R3rtSLiCdmBzKs7zcnzDJ7Q"
HASH_V3_0_1 = "3kSoLAJpMjyHtG1s45YBbAM4vXwgGj5vFAJ4AQWcwCN9"
HASH_V3_1 = "4Pfw2RU6e35dUsHQQoFYfwX8KFFvSRNwMSNLXuSFHXrC"
V3_1 = lockup_version(HASH_V3_1)  # the contract the core-contracts unit tests run (3.5 NEAR)
V2 = lockup_version(HASH_V2)


def roundtrip(state: LockupState) -> LockupState:
    raw = encode_lockup_state(state)
    back = decode_lockup_state(raw)
    assert back == state
    assert encode_lockup_state(back) == raw
    return back


def make_state(
    *,
    lockup_duration: int = YEAR,
    release_duration: int | None = None,
    lockup_timestamp: int | None = None,
    transfers=None,
    vesting=None,
    withdrawn: int = 0,
    staking: StakingInformation | None = None,
    foundation: str | None = None,
    amount: int = 1000 * N,
) -> LockupState:
    """Like core-contracts `new_contract_with_lockup_duration`, then through encode → decode."""
    return roundtrip(
        LockupState(
            owner_account_id="account_owner",
            lockup_information=LockupInformation(
                lockup_amount=amount,
                termination_withdrawn_tokens=withdrawn,
                lockup_duration=lockup_duration,
                release_duration=release_duration,
                lockup_timestamp=lockup_timestamp,
                transfers_information=transfers if transfers is not None else TransfersEnabled(T0),
            ),
            vesting_information=vesting if vesting is not None else VestingNone(),
            staking_pool_whitelist_account_id="whitelist",
            staking_information=staking,
            foundation_account_id=foundation,
        )
    )


def new_vesting_schedule(offset_days: int) -> VestingSchedule:
    return VestingSchedule(
        to_ts(500 - 365 + offset_days), to_ts(500 + offset_days), to_ts(500 + 3 * 365 + offset_days)
    )


NO_VESTING_SCHEDULE = VestingSchedule(to_ts(0), to_ts(0), to_ts(0))


def vesting_hash(schedule: VestingSchedule, salt: bytes = bytes([1, 2, 3])) -> VestingHash:
    """sha256(borsh(VestingScheduleWithSalt)) as the contract tests store it (types.rs)."""
    raw = b"".join(
        t.to_bytes(8, "little")
        for t in (schedule.start_timestamp, schedule.cliff_timestamp, schedule.end_timestamp)
    )
    raw += len(salt).to_bytes(4, "little") + salt
    return VestingHash(hashlib.sha256(raw).digest())


def check(state, version, balance, now, locked, owners, liquid):
    result = compute_lockup(state, version, balance, now)
    assert (result.locked, result.owners_balance, result.liquid_owners_balance) == (locked, owners, liquid)
    assert result.locked == get_locked_amount(state, version, now)
    return result


# --- §4.8 vectors ------------------------------------------------------------------------------------------------


def test_release_duration():
    state = make_state(release_duration=4 * YEAR)
    balance = 1000 * N
    r = check(state, V3_1, balance, T0, 1000 * N, 0, 0)
    assert r.lockup_start_ns == T0 + YEAR and not r.lockup_started
    assert get_locked_vested_amount(state, V3_1, NO_VESTING_SCHEDULE, T0) == 1000 * N
    assert get_unvested_amount_view(state, NO_VESTING_SCHEDULE, T0) == 0
    check(state, V3_1, balance, T0 + YEAR, 1000 * N, 0, 0)
    r = check(state, V3_1, balance, T0 + 2 * YEAR, 750 * N, 250 * N, 250 * N)
    assert r.release_end_ns == T0 + 5 * YEAR and r.unreleased == 750 * N
    check(state, V3_1, balance, T0 + 3 * YEAR, 500 * N, 500 * N, 500 * N)
    check(state, V3_1, balance, T0 + 4 * YEAR, 250 * N, 750 * N, 750 * N)
    assert get_locked_vested_amount(state, V3_1, NO_VESTING_SCHEDULE, T0 + 3 * YEAR) == 500 * N


def test_release_duration_v2_bug():
    """v2.0.0 ends the release at transfers_timestamp + release_duration (near-staking.md §4.2, seed-errata C3)."""
    state = make_state(release_duration=4 * YEAR)
    assert release_end(state, V2) == T0 + 4 * YEAR
    assert release_end(state, V3_1) == T0 + 5 * YEAR
    # liquid is capped by 1000 − 35 NEAR on v2 but owners is only 500 here.
    check(state, V2, 1000 * N, T0 + 2 * YEAR, 500 * N, 500 * N, 500 * N)
    check(state, V2, 1000 * N, T0 + YEAR, 750 * N, 250 * N, 250 * N)
    check(state, V2, 1000 * N, T0 + 4 * YEAR, 0, 1000 * N, 1000 * N - MIN_BALANCE_FOR_STORAGE_OLD)
    assert fully_unlocked_at(state, V2) == T0 + 4 * YEAR
    assert fully_unlocked_at(state, V3_1) == T0 + 5 * YEAR


def test_vesting_and_release_duration():
    schedule = new_vesting_schedule(0)
    state = make_state(
        lockup_duration=0, release_duration=4 * YEAR, vesting=vesting_hash(schedule), foundation="near"
    )
    assert isinstance(state.vesting_information, VestingHash)
    balance = 1000 * N
    rows = [  # (time, locked, owners, liquid, unvested(vs), locked_vested)
        (T0, 1000, 0, 0, 750, 250),
        (T0 + YEAR, 750, 250, 250, 500, 250),
        (T0 + 2 * YEAR, 500, 500, 500, 250, 250),
        (T0 + 3 * YEAR, 250, 750, 750, 0, 250),
    ]
    for now, locked, owners, liquid, unvested, locked_vested in rows:
        r = check(state, V3_1, balance, now, locked * N, owners * N, liquid * N)
        assert r.vesting_hidden and r.unvested == 0  # the hash is ignored by get_locked_amount
        assert get_unvested_amount_view(state, schedule, now) == unvested * N
        assert get_unvested_amount(schedule, 1000 * N, now) == unvested * N
        assert get_locked_vested_amount(state, V3_1, schedule, now) == locked_vested * N
    check(state, V3_1, balance, T0 + 4 * YEAR, 0, 1000 * N, 1000 * N - MIN_BALANCE_FOR_STORAGE_V3_1)
    assert 1000 * N - MIN_BALANCE_FOR_STORAGE_V3_1 == 996_500_000_000_000_000_000_000_000
    assert get_locked_vested_amount(state, V3_1, schedule, T0 + 4 * YEAR) == 0
    forecast = unlock_forecast(state, V3_1)
    assert (
        forecast.unlocked_at_ns == T0 + 4 * YEAR
        and forecast.vesting_hidden
        and not forecast.assumes_transfers_vote
    )


def test_vesting_post_transfers_and_release_duration():
    schedule = new_vesting_schedule(2 * 365)
    assert schedule == VestingSchedule(T0 + YEAR, T0 + 2 * YEAR, T0 + 5 * YEAR)
    state = make_state(release_duration=4 * YEAR, vesting=schedule, foundation="near")
    balance = 1000 * N
    check(state, V3_1, balance, T0, 1000 * N, 0, 0)
    assert get_unvested_amount_view(state, schedule, T0) == 1000 * N
    assert get_locked_vested_amount(state, V3_1, schedule, T0) == 0
    check(state, V3_1, balance, T0 + YEAR, 1000 * N, 0, 0)
    for years, locked in ((2, 750), (3, 500), (4, 250)):
        r = check(
            state, V3_1, balance, T0 + years * YEAR, locked * N, (1000 - locked) * N, (1000 - locked) * N
        )
        assert r.unvested == locked * N  # vesting (not release) is the binding term here
        assert get_locked_vested_amount(state, V3_1, schedule, T0 + years * YEAR) == 0
    check(state, V3_1, balance, T0 + 5 * YEAR, 0, 1000 * N, 1000 * N - MIN_BALANCE_FOR_STORAGE_V3_1)
    assert fully_unlocked_at(state, V3_1) == T0 + 5 * YEAR
    marks = milestones(state, V3_1)
    assert [(m.name, m.timestamp_ns, m.locked_after) for m in marks] == [
        (MilestoneKind.LOCKUP_START, T0 + YEAR, 1000 * N),
        (MilestoneKind.VESTING_CLIFF, T0 + 2 * YEAR, 750 * N),
        (MilestoneKind.RELEASE_END, T0 + 5 * YEAR, 0),
        (MilestoneKind.VESTING_END, T0 + 5 * YEAR, 0),
    ]


def test_termination_no_staking():
    schedule = new_vesting_schedule(0)
    state = make_state(vesting=schedule, foundation="near")
    balance = 1000 * N
    check(state, V3_1, balance, T0, 1000 * N, 0, 0)
    assert get_unvested_amount_view(state, schedule, T0) == 750 * N
    assert get_locked_vested_amount(state, V3_1, schedule, T0) == 250 * N
    check(state, V3_1, balance, T0 + YEAR, 500 * N, 500 * N, 500 * N)
    assert get_unvested_amount_view(state, schedule, T0 + YEAR) == 500 * N
    assert get_locked_vested_amount(state, V3_1, schedule, T0 + YEAR) == 0
    now = T0 + 2 * YEAR
    check(state, V3_1, balance, now, 250 * N, 750 * N, 750 * N)

    # terminate_vesting: Terminating{unvested at that time, ReadyToWithdraw} (no pool, so no deficit).
    unvested = get_unvested_amount_view(state, schedule, now)
    assert unvested == 250 * N
    terminated = make_state(
        vesting=Terminating(unvested, TerminationStatus.ReadyToWithdraw), foundation="near"
    )
    r = check(terminated, V3_1, balance, now, 250 * N, 750 * N, 750 * N)
    assert r.termination_status is TerminationStatus.ReadyToWithdraw
    assert r.terminated_unvested_balance == 250 * N and r.terminated_unvested_balance_deficit == 0
    assert get_unvested_amount_view(terminated, schedule, now) == 250 * N
    assert fully_unlocked_at(terminated, V3_1) is None
    assert "terminated" in unlock_forecast(terminated, V3_1).reason

    # termination_withdraw of 250: termination_withdrawn_tokens += 250, vesting None, foundation None.
    withdrawn = make_state(vesting=VestingNone(), withdrawn=250 * N)
    r = check(withdrawn, V3_1, 750 * N, now, 0, 750 * N, 750 * N - MIN_BALANCE_FOR_STORAGE_V3_1)
    assert r.termination_status is None and r.terminated_unvested_balance == 0
    assert get_unvested_amount_view(withdrawn, schedule, now) == 0
    # Before the lockup start the contract reports lockup_amount − termination_withdrawn_tokens.
    assert get_locked_amount(withdrawn, V3_1, T0) == 750 * N


def test_lock_timestmap():
    state = make_state(
        lockup_duration=0, lockup_timestamp=T0 + YEAR, transfers=TransfersDisabled("transfers")
    )
    for now in (T0, T0 + YEAR, T0 + 10 * YEAR):
        r = check(state, V3_1, 1000 * N, now, 1000 * N, 0, 0)
        assert not r.transfers_enabled and r.lockup_start_ns is None and not r.lockup_started
    assert get_locked_vested_amount(state, V3_1, NO_VESTING_SCHEDULE, T0) == 1000 * N
    assert get_unvested_amount_view(state, NO_VESTING_SCHEDULE, T0 + YEAR) == 0


def test_lock_timestmap_transfer_enabled():
    # YEAR / 2 is integer division of 365 days in the Rust test: 182 days.
    state = make_state(
        lockup_duration=0, lockup_timestamp=T0 + YEAR, transfers=TransfersEnabled(to_ts(500 + 182))
    )
    r = check(state, V3_1, 1000 * N, T0 + YEAR, 0, 1000 * N, 1000 * N - MIN_BALANCE_FOR_STORAGE_V3_1)
    assert r.lockup_start_ns == T0 + YEAR  # max(transfers + 0, lockup_timestamp)
    check(state, V3_1, 1000 * N, T0 + YEAR - 1, 1000 * N, 0, 0)
    assert fully_unlocked_at(state, V3_1) == T0 + YEAR


def test_staking_pool_refresh_balance():
    def staked(deposit: int) -> LockupState:
        return make_state(staking=StakingInformation("staking_pool", TransactionStatus.Idle, deposit))

    check(staked(900 * N), V3_1, 100 * N, T0, 1000 * N, 0, 0)
    r = check(staked(920 * N), V3_1, 100 * N, T0, 1000 * N, 20 * N, 20 * N)  # refreshed: 20 NEAR of rewards
    assert r.known_deposited == 920 * N and r.total_balance == 1020 * N
    assert r.staking_pool_account_id == "staking_pool" and not r.staking_busy
    check(staked(920 * N), V3_1, 85 * N, T0, 1000 * N, 5 * N, 5 * N)  # after transfer of 15


def test_liquid_is_capped_by_storage_minimum_and_balance_in_pool():
    state = make_state(lockup_duration=0, staking=StakingInformation("pool", TransactionStatus.Busy, 900 * N))
    r = check(state, V3_1, 100 * N, T0, 0, 1000 * N, 100 * N - MIN_BALANCE_FOR_STORAGE_V3_1)
    assert r.staking_busy
    check(state, lockup_version(HASH_V3_0_1), 100 * N, T0, 0, 1000 * N, 65 * N)
    check(state, V3_1, 3 * N, T0, 0, 903 * N, 0)  # account balance below the storage minimum


# --- versions -------------------------------------------------------------------------------------------------


def test_storage_minimum_by_code_hash():
    assert MIN_BALANCE_FOR_STORAGE_OLD == 35_000_000_000_000_000_000_000_000
    assert MIN_BALANCE_FOR_STORAGE_V3_1 == 3_500_000_000_000_000_000_000_000
    old = {
        HASH_V2,
        "DiC9bKCqUHqoYqUXovAnqugiuntHWnM3cAc7KrgaHTu",
        "Cw7bnyp4B6ypwvgZuMmJtY6rHsxP2D4PC8deqeJ3HP7D",
        HASH_V3_0_1,
    }
    # The global lockup contract of docs.near.org (mainnet-2026.md §2) follows v3.1.0's rules.
    new = {HASH_V3_1, "6C5zC3XXFR7L6uguiZtwomaGhznadEXMsxB4oSJJPzMz", "CAvU5MYQ4xk1SjFvbnQDQUj6qehuW5YhU3FXA6GMddCx"}
    assert set(LOCKUP_VERSIONS) == old | new
    for code_hash in old:
        assert lockup_version(code_hash).min_balance_for_storage == MIN_BALANCE_FOR_STORAGE_OLD
    for code_hash in new:
        assert lockup_version(code_hash).min_balance_for_storage == MIN_BALANCE_FOR_STORAGE_V3_1
    buggy = {h for h, v in LOCKUP_VERSIONS.items() if v.has_release_start_bug}
    assert buggy == {HASH_V2, "DiC9bKCqUHqoYqUXovAnqugiuntHWnM3cAc7KrgaHTu"}
    assert all(v.known for v in LOCKUP_VERSIONS.values())


def test_unknown_code_hash_is_flagged_and_uses_current_rules():
    unknown = lockup_version("SomeOtherHash1111111111111111111111111111111")
    assert not unknown.known and unknown.label == "unknown"
    assert unknown.min_balance_for_storage == CURRENT_LOCKUP_VERSION.min_balance_for_storage == 35 * N // 10
    assert not unknown.has_release_start_bug
    state = make_state(lockup_duration=0)
    r = compute_lockup(state, "SomeOtherHash1111111111111111111111111111111", 1000 * N, T0)
    assert not r.version.known and r.liquid_owners_balance == 1000 * N - 35 * N // 10
    assert not lockup_version(None).known


def test_inputs_must_be_exact_ints():
    state = make_state()
    with pytest.raises(TypeError):
        compute_lockup(state, V3_1, 1000.0, T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compute_lockup(state, V3_1, 1000 * N, float(T0))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compute_lockup(state, V3_1, -1, T0)


# --- transfers-disabled what-if (near-staking.md §4.6, seed-errata C6) ---------------------------------------------


def gio3gio_like(amount: int = 1000 * N) -> LockupState:
    return make_state(
        amount=amount,
        lockup_duration=0,
        lockup_timestamp=1601769600000000000,  # 2020-10-04 00:00 UTC
        release_duration=31536000000000000,  # 365 days
        transfers=TransfersDisabled("transfer-vote.near"),
    )


def test_with_transfers_enabled_gio3gio_example():
    state = gio3gio_like()
    now = 1700000000 * 10**9  # 2023-11-14: long after the release would have ended
    r = compute_lockup(state, V2, 1000 * N, now)
    assert r.locked == 1000 * N and r.owners_balance == 0 and r.liquid_owners_balance == 0
    assert not r.transfers_enabled

    enabled = with_transfers_enabled(state)
    assert enabled.lockup_information.transfers_information == TransfersEnabled(TRANSFERS_STARTED)
    assert TRANSFERS_STARTED == 1602614338293769340
    assert lockup_start(enabled) == TRANSFERS_STARTED  # max(transfers + 0, Oct 4) = Oct 13
    assert enabled == roundtrip(enabled)
    assert with_transfers_enabled(enabled) is enabled
    end = TRANSFERS_STARTED + 365 * DAY
    # The v2.0.0 bug makes no difference with lockup_duration 0 and an earlier lockup_timestamp.
    for version in (V2, V3_1):
        assert release_end(enabled, version) == end
        assert compute_lockup(enabled, version, 1000 * N, now).locked == 0
        assert get_locked_amount(enabled, version, TRANSFERS_STARTED) == 1000 * N
        assert get_locked_amount(enabled, version, TRANSFERS_STARTED + YEAR // 2) == 500 * N
        assert get_locked_amount(enabled, version, end - 1) > 0
        assert get_locked_amount(enabled, version, end) == 0
        forecast = unlock_forecast(state, version)
        assert forecast.unlocked_at_ns == end and forecast.assumes_transfers_vote
        assert fully_unlocked_at(state, version) == end == fully_unlocked_at(enabled, version)
        assert not unlock_forecast(enabled, version).assumes_transfers_vote

    marks = milestones(state, V2)
    assert [(m.name, m.timestamp_ns, m.locked_after, m.assumes_transfers_vote) for m in marks] == [
        (MilestoneKind.LOCKUP_START, TRANSFERS_STARTED, 1000 * N, True),
        (MilestoneKind.RELEASE_END, end, 0, True),
    ]


def test_fully_unlocked_is_exact_for_small_lockups():
    # With lockup_amount < release_duration the floor division reaches 0 a little before the end.
    state = make_state(amount=1000, lockup_duration=0, release_duration=10**6)
    t = fully_unlocked_at(state, V3_1)
    assert t is not None and T0 < t < T0 + 10**6
    assert get_locked_amount(state, V3_1, t) == 0 and get_locked_amount(state, V3_1, t - 1) == 1


def test_milestones_v2_bug_release_end_before_start_is_clamped():
    state = make_state(lockup_duration=2 * YEAR, release_duration=YEAR)
    marks = milestones(state, V2)
    assert [(m.name, m.timestamp_ns, m.locked_after) for m in marks] == [
        (MilestoneKind.LOCKUP_START, T0 + 2 * YEAR, 0),
        (MilestoneKind.RELEASE_END, T0 + 2 * YEAR, 0),
    ]
    assert [m.locked_after for m in milestones(state, V3_1)] == [1000 * N, 0]


def test_invalid_schedule_makes_contract_panic():
    bad = make_state(lockup_duration=0, vesting=VestingSchedule(T0 + YEAR, T0, T0 + YEAR))  # start == end
    with pytest.raises(LockupMathError):
        get_locked_amount(bad, V3_1, T0 + 1)
    assert fully_unlocked_at(bad, V3_1) is None


# --- borsh layout --------------------------------------------------------------------------------------------


def _s(text: str) -> bytes:
    data = text.encode()
    return len(data).to_bytes(4, "little") + data


def test_decode_hand_built_bytes():
    """Bytes assembled field by field from §4.7, independently of the encoder."""
    raw = (
        _s("gio3gio.near")
        + (123 * N).to_bytes(16, "little")
        + (7).to_bytes(16, "little")
        + (0).to_bytes(8, "little")
        + b"\x01"
        + (31536000000000000).to_bytes(8, "little")
        + b"\x01"
        + (1601769600000000000).to_bytes(8, "little")
        + b"\x01"
        + _s("transfer-vote.near")
        + b"\x03"
        + (5 * N).to_bytes(16, "little")
        + b"\x02"
        + _s("lockup-whitelist.near")
        + b"\x01"
        + _s("zavodil.poolv1.near")
        + b"\x01"
        + (99 * N).to_bytes(16, "little")
        + b"\x01"
        + _s("near")
    )
    state = decode_lockup_state(raw)
    info = state.lockup_information
    assert state.owner_account_id == "gio3gio.near"
    assert (info.lockup_amount, info.termination_withdrawn_tokens, info.lockup_duration) == (123 * N, 7, 0)
    assert (info.release_duration, info.lockup_timestamp) == (31536000000000000, 1601769600000000000)
    assert info.transfers_information == TransfersDisabled("transfer-vote.near")
    assert state.vesting_information == Terminating(5 * N, TerminationStatus.EverythingUnstaked)
    assert state.staking_pool_whitelist_account_id == "lockup-whitelist.near"
    assert state.staking_information == StakingInformation(
        "zavodil.poolv1.near", TransactionStatus.Busy, 99 * N
    )
    assert state.foundation_account_id == "near"
    assert encode_lockup_state(state) == raw
    assert decode_lockup_state_base64(base64.b64encode(raw).decode()) == state

    minimal = (
        _s("a")
        + bytes(16)
        + bytes(16)
        + bytes(8)
        + b"\x00"
        + b"\x00"
        + b"\x00"
        + bytes(8)
        + b"\x02"
        + (1).to_bytes(8, "little")
        + (2).to_bytes(8, "little")
        + (3).to_bytes(8, "little")
        + _s("w")
        + b"\x00"
        + b"\x00"
    )
    state = decode_lockup_state(minimal)
    assert state.vesting_information == VestingSchedule(1, 2, 3)
    assert state.staking_information is None and state.foundation_account_id is None
    assert encode_lockup_state(state) == minimal


def _valid_raw() -> bytes:
    return encode_lockup_state(
        make_state(
            vesting=vesting_hash(new_vesting_schedule(0)),
            staking=StakingInformation("pool.near", TransactionStatus.Idle, 5),
            foundation="near",
        )
    )


def test_every_truncation_and_trailing_byte_is_rejected():
    raw = _valid_raw()
    for cut in range(len(raw)):
        with pytest.raises(LockupStateError):
            decode_lockup_state(raw[:cut])
    with pytest.raises(LockupStateError, match="trailing"):
        decode_lockup_state(raw + b"\x00")


@pytest.mark.parametrize(
    ("offset_of", "bad", "message"),
    [
        ("transfers", b"\x02", "transfers_information"),
        ("vesting", b"\x04", "vesting_information"),
        ("release", b"\x02", "Option tag"),
    ],
)
def test_bad_tags_are_rejected(offset_of, bad, message):
    raw = bytearray(_valid_raw())
    owner_len = 4 + len("account_owner")
    release_at = owner_len + 16 + 16 + 8
    # release: Some(u64) is absent in _valid_raw (None = 1 byte), lockup_timestamp None = 1 byte
    transfers_at = release_at + 1 + 1
    vesting_at = transfers_at + 1 + 8
    at = {"transfers": transfers_at, "vesting": vesting_at, "release": release_at}[offset_of]
    raw[at : at + 1] = bad
    with pytest.raises(LockupStateError, match=message):
        decode_lockup_state(bytes(raw))


def test_bad_status_and_utf8_are_rejected():
    terminating = encode_lockup_state(make_state(vesting=Terminating(1, TerminationStatus.ReadyToWithdraw)))
    status_at = terminating.index(b"\x03" + (1).to_bytes(16, "little")) + 17
    assert terminating[status_at] == 4
    with pytest.raises(LockupStateError, match="termination status"):
        decode_lockup_state(terminating[:status_at] + b"\x06" + terminating[status_at + 1 :])
    busy = encode_lockup_state(make_state(staking=StakingInformation("p", TransactionStatus.Busy, 0)))
    at = busy.index(_s("p")) + len(_s("p"))
    with pytest.raises(LockupStateError, match="staking status"):
        decode_lockup_state(busy[:at] + b"\x02" + busy[at + 1 :])
    bad_utf8 = (2).to_bytes(4, "little") + b"\xc3\x28" + encode_lockup_state(make_state())[4 + 13 :]
    with pytest.raises(LockupStateError, match="UTF-8"):
        decode_lockup_state(bad_utf8)
    with pytest.raises(LockupStateError):
        decode_lockup_state_base64("not base64!")
    with pytest.raises(LockupStateError):
        decode_lockup_state("text")  # type: ignore[arg-type]


def test_model_rejects_out_of_range_values():
    with pytest.raises(LockupStateError):
        TransfersEnabled(2**64)
    with pytest.raises(LockupStateError):
        Terminating(-1, TerminationStatus.ReadyToWithdraw)
    with pytest.raises(LockupStateError):
        Terminating(1, 9)  # type: ignore[arg-type]
    with pytest.raises(LockupStateError):
        VestingSchedule(1.0, 2, 3)  # type: ignore[arg-type]
    with pytest.raises(LockupStateError):
        StakingInformation("p", TransactionStatus.Idle, 2**128)
    with pytest.raises(LockupStateError):
        LockupState("\ud800", make_state().lockup_information)
    with pytest.raises(LockupStateError):
        encode_lockup_state("nope")  # type: ignore[arg-type]


# --- hypothesis ------------------------------------------------------------------------------------------------

texts = st.text(max_size=24)
u64s = st.integers(0, U64_MAX)
u128s = st.integers(0, U128_MAX)
times = st.one_of(u64s, st.integers(T0 - 10 * YEAR, T0 + 10 * YEAR))
durations = st.one_of(st.just(0), st.integers(0, 6 * YEAR), u64s)
amounts = st.one_of(st.integers(0, 10**30), u128s, st.integers(0, 10**6))
versions = st.sampled_from([*LOCKUP_VERSIONS.values(), lockup_version("unknown")])

transfers_st = st.one_of(st.builds(TransfersEnabled, times), st.builds(TransfersDisabled, texts))
staking_st = st.none() | st.builds(StakingInformation, texts, st.sampled_from(TransactionStatus), amounts)


@st.composite
def any_states(draw) -> LockupState:
    """Any encodable state, including ones the contract would never reach."""
    vesting = draw(
        st.one_of(
            st.just(VestingNone()),
            st.builds(VestingHash, st.binary(max_size=40)),
            st.builds(VestingSchedule, times, times, times),
            st.builds(Terminating, u128s, st.sampled_from(TerminationStatus)),
        )
    )
    return LockupState(
        owner_account_id=draw(texts),
        lockup_information=LockupInformation(
            draw(u128s),
            draw(u128s),
            draw(durations),
            draw(st.none() | durations),
            draw(st.none() | times),
            draw(transfers_st),
        ),
        vesting_information=vesting,
        staking_pool_whitelist_account_id=draw(texts),
        staking_information=draw(staking_st),
        foundation_account_id=draw(st.none() | texts),
    )


@st.composite
def valid_schedules(draw) -> VestingSchedule:
    points = sorted(draw(st.lists(times, min_size=3, max_size=3)))
    assume(points[0] < points[2])
    return VestingSchedule(*points)


@st.composite
def valid_states(draw, transfers=transfers_st) -> LockupState:
    """States a real contract can be in: withdrawn <= amount; a schedule/hash only before any termination
    withdrawal; a Terminating remainder never above lockup_amount − withdrawn."""
    amount = draw(amounts)
    kind = draw(st.sampled_from(["none", "hash", "schedule", "terminating"]))
    withdrawn = 0
    if kind == "none":
        withdrawn = draw(st.integers(0, amount))
        vesting = VestingNone()
    elif kind == "hash":
        vesting = VestingHash(draw(st.binary(min_size=32, max_size=32)))
    elif kind == "schedule":
        vesting = draw(valid_schedules())
    else:
        withdrawn = draw(st.integers(0, amount))
        vesting = Terminating(
            draw(st.integers(0, amount - withdrawn)), draw(st.sampled_from(TerminationStatus))
        )
    return LockupState(
        owner_account_id="owner.near",
        lockup_information=LockupInformation(
            amount,
            withdrawn,
            draw(durations),
            draw(st.none() | durations),
            draw(st.none() | times),
            draw(transfers),
        ),
        vesting_information=vesting,
        staking_information=draw(staking_st),
    )


@settings(max_examples=300)
@given(any_states())
def test_roundtrip_is_byte_exact(state):
    raw = encode_lockup_state(state)
    assert decode_lockup_state(raw) == state
    assert encode_lockup_state(decode_lockup_state(raw)) == raw


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_raise_lockup_state_error(raw):
    try:
        state = decode_lockup_state(raw)
    except LockupStateError:
        return
    assert encode_lockup_state(state) == raw


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(any_states(), st.data())
def test_mutated_bytes_decode_or_raise_lockup_state_error(state, data):
    raw = bytearray(encode_lockup_state(state))
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, len(raw)))
        if op == "flip" and at < len(raw):
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[at:]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and at < len(raw):
            del raw[at]
    try:
        decoded = decode_lockup_state(bytes(raw))
    except LockupStateError:
        return
    # Borsh is canonical: a successful decode re-encodes to exactly the same bytes.
    assert encode_lockup_state(decoded) == bytes(raw)


@settings(max_examples=500)
@given(valid_states(), versions, amounts, times)
def test_balances_are_consistent(state, version, balance, now):
    r = compute_lockup(state, version, balance, now)
    for value in (
        r.locked,
        r.owners_balance,
        r.liquid_owners_balance,
        r.unreleased,
        r.unvested,
        r.known_deposited,
        r.terminated_unvested_balance_deficit,
    ):
        assert value >= 0
    assert r.liquid_owners_balance <= r.owners_balance
    assert r.liquid_owners_balance <= max(0, balance - version.min_balance_for_storage)
    assert r.locked <= state.lockup_information.lockup_amount
    assert r.unreleased <= state.lockup_information.lockup_amount
    assert r.owners_balance == max(0, balance + state.known_deposited_balance - r.locked)
    if not state.transfers_enabled:
        info = state.lockup_information
        assert r.locked == info.lockup_amount - info.termination_withdrawn_tokens
    decoded = decode_lockup_state(encode_lockup_state(state))
    assert compute_lockup(decoded, version, balance, now) == r


@settings(max_examples=500)
@given(valid_states(), versions, times, times)
def test_locked_never_increases_over_time(state, version, t1, t2):
    early, late = sorted((t1, t2))
    assert get_locked_amount(state, version, early) >= get_locked_amount(state, version, late)


@settings(max_examples=500)
@given(valid_states(), versions, st.integers(0, U64_MAX))
def test_fully_unlocked_at_is_the_exact_first_zero(state, version, later):
    forecast = unlock_forecast(state, version)
    assert forecast.assumes_transfers_vote == (not state.transfers_enabled)
    target = with_transfers_enabled(state)
    t = forecast.unlocked_at_ns
    if t is None:
        assert (
            isinstance(state.vesting_information, Terminating)
            and state.vesting_information.unvested_amount > 0
        )
        return
    assert 0 <= t <= U64_MAX
    assert get_locked_amount(target, version, t) == 0
    if t > 0:
        assert get_locked_amount(target, version, t - 1) > 0
    assert get_locked_amount(target, version, max(t, later)) == 0
    for mark in milestones(state, version):
        assert mark.locked_after == get_locked_amount(target, version, mark.timestamp_ns)
