"""The sandbox lockup contract against core-contracts' own unit-test vectors (near-staking.md §4.8), its STATE bytes
against the bot's decoder, and its view JSON (§4.3)."""

from __future__ import annotations

import json

import pytest

from bot.near.lockup import (
    Terminating,
    TerminationStatus,
    TransfersDisabled,
    TransfersEnabled,
    VestingHash,
    VestingNone,
    VestingSchedule,
    decode_lockup_state,
    encode_lockup_state,
)
from bot.sandbox.chain import SandboxChain
from bot.sandbox.lockup_contract import LOCKUP_CODES, LockupContract, Schedule, Vesting
from bot.sandbox.lockups import LOCKUPS, LockupRole, install_lockups

N = 10**24
DAY = 86_400 * 10**9
Y = 365 * DAY
T0 = 1_533_081_600 * 10**9 + 500 * DAY  # to_ts(500) of CC lockup test_utils
V3, V2 = LOCKUP_CODES["v3.1.0"], LOCKUP_CODES["v2.0.0"]


def table(contract: LockupContract, balance: int, *times: int) -> list[tuple[int, int, int]]:
    out = []
    for t in times:
        b = contract.balances_at(balance, t)
        out.append((b["locked"], b["owners"], b["liquid"]))
    return out


def test_release_duration_and_the_v2_bug() -> None:
    args = {"owner_account_id": "owner.near", "lockup_amount": 1000 * N, "lockup_duration": Y,
            "release_duration": 4 * Y, "transfers_timestamp": T0}
    v3 = LockupContract(code=V3, **args)
    assert table(v3, 1000 * N, T0, T0 + Y, T0 + 2 * Y, T0 + 3 * Y, T0 + 4 * Y) == [
        (1000 * N, 0, 0), (1000 * N, 0, 0), (750 * N, 250 * N, 250 * N), (500 * N, 500 * N, 500 * N),
        (250 * N, 750 * N, 750 * N),
    ]
    assert LockupContract(code=V2, **args).locked_amount(T0 + 2 * Y) == 500 * N  # release end from transfers start


def test_vesting_post_transfers_and_release_duration() -> None:
    vesting = Vesting("VestingSchedule", schedule=Schedule(T0 + Y, T0 + 2 * Y, T0 + 5 * Y))
    contract = LockupContract(code=V3, owner_account_id="owner.near", lockup_amount=1000 * N, lockup_duration=Y,
                              release_duration=4 * Y, transfers_timestamp=T0, vesting=vesting)
    assert table(contract, 1000 * N, T0, T0 + Y, T0 + 2 * Y, T0 + 3 * Y, T0 + 4 * Y, T0 + 5 * Y) == [
        (1000 * N, 0, 0), (1000 * N, 0, 0), (750 * N, 250 * N, 250 * N), (500 * N, 500 * N, 500 * N),
        (250 * N, 750 * N, 750 * N), (0, 1000 * N, 1000 * N - 35 * N // 10),
    ]


def test_termination_and_lock_timestamp_vectors() -> None:
    terminated = LockupContract(code=V3, owner_account_id="owner.near", lockup_amount=1000 * N, lockup_duration=Y,
                                transfers_timestamp=T0,
                                vesting=Vesting("Terminating", unvested_amount=250 * N, status="ReadyToWithdraw"))
    assert terminated.locked_amount(T0 + 2 * Y) == 250 * N
    withdrawn = LockupContract(code=V3, owner_account_id="owner.near", lockup_amount=1000 * N, lockup_duration=Y,
                               transfers_timestamp=T0, termination_withdrawn_tokens=250 * N)
    assert table(withdrawn, 750 * N, T0 + 2 * Y) == [(0, 750 * N, 750 * N - 35 * N // 10)]
    disabled = LockupContract(code=V3, owner_account_id="owner.near", lockup_amount=1000 * N,
                              lockup_timestamp=T0 + Y)
    assert table(disabled, 1000 * N, T0, T0 + Y) == [(1000 * N, 0, 0)] * 2
    enabled = LockupContract(code=V3, owner_account_id="owner.near", lockup_amount=1000 * N,
                             lockup_timestamp=T0 + Y, transfers_timestamp=T0 + Y // 2)
    assert table(enabled, 1000 * N, T0 + Y) == [(0, 1000 * N, 1000 * N - 35 * N // 10)]


def _expected_state(contract: LockupContract) -> tuple[object, ...]:
    """The bot's model of what the contract should have stored, built from the contract's fields."""
    vesting = contract.vesting
    if vesting.kind == "VestingSchedule":
        assert vesting.schedule is not None
        vi = VestingSchedule(vesting.schedule.start, vesting.schedule.cliff, vesting.schedule.end)
    elif vesting.kind == "VestingHash":
        vi = VestingHash(vesting.hash)
    elif vesting.kind == "Terminating":
        vi = Terminating(vesting.unvested_amount, TerminationStatus[vesting.status])
    else:
        vi = VestingNone()
    transfers = (TransfersEnabled(contract.transfers_timestamp) if contract.transfers_timestamp is not None
                 else TransfersDisabled(contract.transfer_poll_account_id))
    return (contract.owner_account_id, contract.lockup_amount, contract.lockup_duration, contract.release_duration,
            contract.lockup_timestamp, transfers, vi, contract.known_deposited(),
            None if contract.staking is None else contract.staking.pool_id, contract.foundation_account_id)


@pytest.mark.parametrize("role", list(LOCKUPS.values()), ids=lambda r: r.role)
def test_state_bytes_decode_with_the_bots_decoder(role: LockupRole) -> None:
    chain = SandboxChain()
    install_lockups(chain, schedule=lambda *a: None)  # the pool delegation is not needed here
    contract = chain.contracts[role.lockup_id]
    assert isinstance(contract, LockupContract) and contract.code_hash == role.code_hash
    raw = dict(contract.state_items())[b"STATE"]
    state = decode_lockup_state(raw)
    info = state.lockup_information
    assert (state.owner_account_id, info.lockup_amount, info.lockup_duration, info.release_duration,
            info.lockup_timestamp, info.transfers_information, state.vesting_information,
            state.known_deposited_balance, state.staking_pool_account_id,
            state.foundation_account_id) == _expected_state(contract)
    assert encode_lockup_state(state) == raw


def test_view_json_shapes(shared_sandbox) -> None:  # type: ignore[no-untyped-def]
    def view(role: str, method: str, args: dict | None = None) -> object:
        lockup_id = LOCKUPS[role].lockup_id
        raw = shared_sandbox.run_on_loop(
            lambda: shared_sandbox.chain.view_call(lockup_id, method, json.dumps(args or {}).encode()))
        return json.loads(raw)

    assert view("linear", "get_vesting_information") == "None"
    assert set(view("vesting_hash", "get_vesting_information")) == {"VestingHash"}  # type: ignore[arg-type]
    schedule = view("vesting_cliff", "get_vesting_information")["VestingSchedule"]  # type: ignore[index]
    assert all(isinstance(schedule[k], str) for k in ("start_timestamp", "cliff_timestamp", "end_timestamp"))
    assert view("terminated", "get_vesting_information") == {
        "Terminating": {"unvested_amount": str(4000 * N), "status": "ReadyToWithdraw"}}
    assert view("terminated", "get_termination_status") == "ReadyToWithdraw"
    assert view("linear", "get_termination_status") is None
    assert view("linear", "get_staking_pool_account_id") is None
    assert view("staking", "get_staking_pool_account_id") == "bravo.poolv1.near"
    assert view("transfers_disabled", "are_transfers_enabled") is False
    assert view("vesting_cliff", "get_unvested_amount", {"vesting_schedule": schedule}) == str(4000 * N)
    assert view("vesting_cliff", "get_locked_vested_amount", {"vesting_schedule": schedule}) == "0"


def test_owner_methods_check_the_caller(sandbox) -> None:  # type: ignore[no-untyped-def]
    role = LOCKUPS["transfers_disabled"]
    assert sandbox.call("erin.near", role.lockup_id, "check_transfers_vote")["ok"] is False
    assert sandbox.call(role.owner_id, role.lockup_id, "check_transfers_vote")["ok"] is True
    assert sandbox.call(role.owner_id, role.lockup_id, "check_transfers_vote")["ok"] is False  # already enabled
