"""Simulated lockup contract (core-contracts ``lockup/``), an independent oracle for the bot's lockup math.

Written from near-staking.md §4 only: views and their exact JSON (§4.3), formulas (§4.5), STATE layout (§4.7),
versions by code hash (§4.2). It deliberately does **not** import ``bot.near.lockup`` or ``bot.near.lockup_state``:
the storage encoder and every formula are re-implemented here so a bug in the bot's copy shows up as a
disagreement between the bot and this contract.

Every balance view is computed at the block timestamp the chain's ``Env`` gives (the head, or the ``block_id``
a query was pinned to). All amounts are int yocto, times int ns, divisions floor (the contract's U256 math).

Owner methods implemented (synchronously; the sandbox has no cross-contract promises):
``check_transfers_vote`` (the poll's result is the mainnet transfers start, §4.6),
``refresh_staking_pool_balance`` (reads the pool's ``get_account_total_balance`` for this account),
``select_staking_pool`` (asks the whitelist contract's ``is_whitelisted``), ``unselect_staking_pool`` (needs deposit 0),
``deposit_and_stake`` / ``unstake`` / ``unstake_all`` / ``withdraw_from_staking_pool`` /
``withdraw_all_from_staking_pool`` (the pool's own method, called with the lockup account as predecessor) and
``transfer`` (transfers enabled, no termination, amount ≤ the liquid owner's balance). Panic texts marked in §4.4 /
seed-errata D13 are upstream's; the others are plausible (unverified).
A pool delegation is made by calling the pool's ``deposit_and_stake`` with the lockup account as signer and then
recording it with :meth:`LockupContract.record_pool_deposit` (what the contract's callback would do).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from . import borsh
from .contracts import ContractPanic, Env, JsonContract, MethodNotFound, arg_account_id, arg_u128
from .state_layout import STATE_KEY

NEAR = 10**24
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1
# near-staking.md §4.6: TRANSFERS_STARTED of CC lockup-factory (2020-10-13 18:38:58.293 UTC).
MAINNET_TRANSFERS_STARTED_NS = 1_602_614_338_293_769_340
WHITELIST_ACCOUNT_ID = "lockup-whitelist.near"
TRANSFER_POLL_ACCOUNT_ID = "transfer-vote.near"
LOCKUP_CODE_LEN = 242_133  # bytes of wasm: plausible size only (unverified); affects storage_usage alone

TERMINATION_STATUSES = (  # borsh tag order of `TerminationStatus` (§4.7)
    "VestingTerminatedWithDeficit",
    "UnstakingInProgress",
    "EverythingUnstaked",
    "WithdrawingFromStakingPoolInProgress",
    "ReadyToWithdraw",
    "WithdrawingFromAccountInProgress",
)
STAKING_STATUSES = ("Idle", "Busy")


@dataclass(frozen=True)
class LockupCode:
    """One deployed lockup build: its code hash, storage minimum and whether it has the v2.0.0 release-end bug."""

    label: str
    code_hash: str
    min_balance_for_storage: int
    release_end_from_transfers: bool  # v2.0.0 bug: end = transfers_timestamp + release_duration


# near-staking.md §4.2 (hashes of CC lockup/res/lockup_contract.wasm at each commit).
LOCKUP_CODES = {
    code.label: code
    for code in (
        LockupCode("v2.0.0", "3kVY9qcVRoW3B5498SMX6R3rtSLiCdmBzKs7zcnzDJ7Q", 35 * NEAR, True),
        LockupCode("v2.0.0-april-2021", "DiC9bKCqUHqoYqUXovAnqugiuntHWnM3cAc7KrgaHTu", 35 * NEAR, True),
        LockupCode("v3.0.0", "Cw7bnyp4B6ypwvgZuMmJtY6rHsxP2D4PC8deqeJ3HP7D", 35 * NEAR, False),
        LockupCode("v3.0.1", "3kSoLAJpMjyHtG1s45YBbAM4vXwgGj5vFAJ4AQWcwCN9", 35 * NEAR, False),
        LockupCode("v3.1.0", "4Pfw2RU6e35dUsHQQoFYfwX8KFFvSRNwMSNLXuSFHXrC", 35 * NEAR // 10, False),
        LockupCode("v3.1.0-rebuild", "6C5zC3XXFR7L6uguiZtwomaGhznadEXMsxB4oSJJPzMz", 35 * NEAR // 10, False),
    )
}


# --- stored parts of the contract struct (field order of §4.7) --------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """``VestingSchedule`` (ns)."""

    start: int
    cliff: int
    end: int


@dataclass(frozen=True)
class Vesting:
    """``VestingInformation``: kind "None" | "VestingHash" | "VestingSchedule" | "Terminating"."""

    kind: str = "None"
    hash: bytes = b""
    schedule: Schedule | None = None
    unvested_amount: int = 0
    status: str = ""


@dataclass
class PoolInfo:
    """``StakingInformation``."""

    pool_id: str
    status: str = "Idle"
    deposit_amount: int = 0


def _sat_sub(a: int, b: int) -> int:
    return a - b if a > b else 0


class LockupContract(JsonContract):
    """One lockup account's contract. Fields mirror ``LockupContract`` + ``LockupInformation``."""

    kind: ClassVar[str] = "lockup"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "get_owner_account_id": "view_owner_account_id",
        "get_staking_pool_account_id": "view_staking_pool_account_id",
        "get_known_deposited_balance": "view_known_deposited_balance",
        "get_balance": "view_balance",
        "get_locked_amount": "view_locked_amount",
        "get_owners_balance": "view_owners_balance",
        "get_liquid_owners_balance": "view_liquid_owners_balance",
        "are_transfers_enabled": "view_are_transfers_enabled",
        "get_termination_status": "view_termination_status",
        "get_terminated_unvested_balance": "view_terminated_unvested_balance",
        "get_terminated_unvested_balance_deficit": "view_terminated_unvested_balance_deficit",
        "get_vesting_information": "view_vesting_information",
        "get_unvested_amount": "view_unvested_amount",
        "get_locked_vested_amount": "view_locked_vested_amount",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {
        "check_transfers_vote": "call_check_transfers_vote",
        "refresh_staking_pool_balance": "call_refresh_staking_pool_balance",
        "select_staking_pool": "call_select_staking_pool",
        "unselect_staking_pool": "call_unselect_staking_pool",
        "deposit_and_stake": "call_deposit_and_stake",
        "unstake": "call_unstake",
        "unstake_all": "call_unstake_all",
        "withdraw_from_staking_pool": "call_withdraw_from_staking_pool",
        "withdraw_all_from_staking_pool": "call_withdraw_all_from_staking_pool",
        "transfer": "call_transfer",
    }

    def __init__(
        self,
        *,
        code: LockupCode,
        owner_account_id: str,
        lockup_amount: int,
        lockup_duration: int = 0,
        release_duration: int | None = None,
        lockup_timestamp: int | None = None,
        transfers_timestamp: int | None = None,
        transfer_poll_account_id: str = TRANSFER_POLL_ACCOUNT_ID,
        termination_withdrawn_tokens: int = 0,
        vesting: Vesting | None = None,
        staking_pool_whitelist_account_id: str = WHITELIST_ACCOUNT_ID,
        staking: PoolInfo | None = None,
        foundation_account_id: str | None = None,
    ) -> None:
        self.code = code
        self.code_hash = code.code_hash
        self.code_len = LOCKUP_CODE_LEN
        self.owner_account_id = owner_account_id
        self.lockup_amount = lockup_amount
        self.termination_withdrawn_tokens = termination_withdrawn_tokens
        self.lockup_duration = lockup_duration
        self.release_duration = release_duration
        self.lockup_timestamp = lockup_timestamp
        # None = TransfersDisabled{transfer_poll_account_id}; an int = TransfersEnabled{transfers_timestamp}.
        self.transfers_timestamp = transfers_timestamp
        self.transfer_poll_account_id = transfer_poll_account_id
        self.vesting = vesting or Vesting()
        self.staking_pool_whitelist_account_id = staking_pool_whitelist_account_id
        self.staking = staking
        self.foundation_account_id = foundation_account_id

    # -- the math (§4.5), every function takes the time and balance explicitly ------------------------------
    def unvested_for_schedule(self, schedule: Schedule, now: int) -> int:
        """Pro-rata unvested amount of a schedule: all before the cliff, none from the end."""
        if now < schedule.cliff:
            return self.lockup_amount
        if now >= schedule.end:
            return 0
        if schedule.end <= schedule.start:  # u64 underflow or division by zero in the contract
            raise ContractPanic("attempt to subtract with overflow")
        unvested = self.lockup_amount * (schedule.end - now) // (schedule.end - schedule.start)
        if unvested > U128_MAX:  # U256::as_u128 (only for an invalid schedule, now before start)
            raise ContractPanic("Integer overflow when casting to u128")
        return unvested

    def locked_amount(self, now: int) -> int:
        if self.transfers_timestamp is not None:
            begin = max(min(self.transfers_timestamp + self.lockup_duration, U64_MAX), self.lockup_timestamp or 0)
            if begin <= now:
                unreleased = 0
                if self.release_duration is not None:
                    base = self.transfers_timestamp if self.code.release_end_from_transfers else begin
                    finish = min(base + self.release_duration, U64_MAX)
                    if now < finish:
                        unreleased = self.lockup_amount * (finish - now) // self.release_duration
                vesting = self.vesting
                if vesting.kind == "VestingSchedule":
                    assert vesting.schedule is not None
                    unvested = self.unvested_for_schedule(vesting.schedule, now)
                elif vesting.kind == "Terminating":
                    unvested = vesting.unvested_amount
                else:  # None, or a private VestingHash: treated as vested
                    unvested = 0
                return max(_sat_sub(unreleased, self.termination_withdrawn_tokens), unvested)
        if self.termination_withdrawn_tokens > self.lockup_amount:
            raise ContractPanic("attempt to subtract with overflow")
        return self.lockup_amount - self.termination_withdrawn_tokens

    def known_deposited(self) -> int:
        return 0 if self.staking is None else self.staking.deposit_amount

    def owners_balance(self, account_balance: int, now: int) -> int:
        return _sat_sub(account_balance + self.known_deposited(), self.locked_amount(now))

    def liquid_owners_balance(self, account_balance: int, now: int) -> int:
        spendable = _sat_sub(account_balance, self.code.min_balance_for_storage)
        return min(self.owners_balance(account_balance, now), spendable)

    def balances_at(self, account_balance: int, now: int) -> dict[str, int]:
        """The three numbers a client cross-checks, at an arbitrary time (for tests of projections)."""
        return {
            "locked": self.locked_amount(now),
            "owners": self.owners_balance(account_balance, now),
            "liquid": self.liquid_owners_balance(account_balance, now),
        }

    # -- views (§4.3) ----------------------------------------------------------------------------------------
    def view_owner_account_id(self, args: dict[str, Any], env: Env) -> str:
        return self.owner_account_id

    def view_staking_pool_account_id(self, args: dict[str, Any], env: Env) -> str | None:
        return None if self.staking is None else self.staking.pool_id

    def view_known_deposited_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self.known_deposited())

    def view_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(env.account_balance() + self.known_deposited())

    def view_locked_amount(self, args: dict[str, Any], env: Env) -> str:
        return str(self.locked_amount(env.block_timestamp))

    def view_owners_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self.owners_balance(env.account_balance(), env.block_timestamp))

    def view_liquid_owners_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self.liquid_owners_balance(env.account_balance(), env.block_timestamp))

    def view_are_transfers_enabled(self, args: dict[str, Any], env: Env) -> bool:
        return self.transfers_timestamp is not None

    def view_termination_status(self, args: dict[str, Any], env: Env) -> str | None:
        return self.vesting.status if self.vesting.kind == "Terminating" else None

    def _terminated_unvested(self) -> int:
        return self.vesting.unvested_amount if self.vesting.kind == "Terminating" else 0

    def view_terminated_unvested_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self._terminated_unvested())

    def view_terminated_unvested_balance_deficit(self, args: dict[str, Any], env: Env) -> str:
        spendable = _sat_sub(env.account_balance(), self.code.min_balance_for_storage)
        return str(_sat_sub(self._terminated_unvested(), spendable))

    def view_vesting_information(self, args: dict[str, Any], env: Env) -> Any:
        vesting = self.vesting
        if vesting.kind == "VestingHash":
            return {"VestingHash": base64.b64encode(vesting.hash).decode("ascii")}
        if vesting.kind == "VestingSchedule":
            assert vesting.schedule is not None
            s = vesting.schedule
            return {
                "VestingSchedule": {
                    "start_timestamp": str(s.start),
                    "cliff_timestamp": str(s.cliff),
                    "end_timestamp": str(s.end),
                }
            }
        if vesting.kind == "Terminating":
            return {"Terminating": {"unvested_amount": str(vesting.unvested_amount), "status": vesting.status}}
        return "None"

    def _schedule_arg(self, args: dict[str, Any]) -> Schedule:
        raw = args.get("vesting_schedule")
        fields = ("start_timestamp", "cliff_timestamp", "end_timestamp")
        if not isinstance(raw, dict) or any(
            not isinstance(raw.get(name), str) or not raw[name].isdigit() or int(raw[name]) > U64_MAX
            for name in fields
        ):
            raise ContractPanic("Failed to deserialize input from JSON.")
        return Schedule(*(int(raw[name]) for name in fields))

    def _unvested_view(self, schedule: Schedule, now: int) -> int:
        if self.vesting.kind == "Terminating":
            return self.vesting.unvested_amount
        if self.vesting.kind == "None":
            return 0
        return self.unvested_for_schedule(schedule, now)

    def view_unvested_amount(self, args: dict[str, Any], env: Env) -> str:
        return str(self._unvested_view(self._schedule_arg(args), env.block_timestamp))

    def view_locked_vested_amount(self, args: dict[str, Any], env: Env) -> str:
        now = env.block_timestamp
        locked, unvested = self.locked_amount(now), self._unvested_view(self._schedule_arg(args), now)
        if unvested > locked:
            raise ContractPanic("attempt to subtract with overflow")
        return str(locked - unvested)

    # -- owner methods (§4.4), synchronous ---------------------------------------------------------------------
    def _assert_owner(self, env: Env) -> None:
        if env.predecessor_account_id != self.owner_account_id:
            raise ContractPanic("Can only be called by the owner")  # exact upstream text unverified

    def call_check_transfers_vote(self, args: dict[str, Any], env: Env) -> bool:
        self._assert_owner(env)
        if self.transfers_timestamp is not None:
            raise ContractPanic("Transfers are already enabled")
        # The poll's result timestamp is stored (owner_callbacks.rs); on mainnet that is the transfers start.
        self.transfers_timestamp = MAINNET_TRANSFERS_STARTED_NS
        return True

    def call_refresh_staking_pool_balance(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        if self.staking is None:
            raise ContractPanic("Staking pool is not selected")
        if self.staking.status != "Idle":
            raise ContractPanic("Contract is currently busy with another operation")
        total = env.chain.view_call(
            self.staking.pool_id,
            "get_account_total_balance",
            json.dumps({"account_id": env.current_account_id}).encode(),
        )
        self.staking.deposit_amount = int(total.decode().strip('"'))

    # -- staking and transfers (§4.4), synchronous: the pool call runs inside this call, so the lockup is never
    # seen Busy. Every check comes before the pool call (a failed call restores only the receiver's state).
    def _assert_idle_pool(self) -> PoolInfo:
        if self.staking is None:
            raise ContractPanic("Staking pool is not selected")
        if self.staking.status != "Idle":
            raise ContractPanic("Contract is currently busy with another operation")
        return self.staking

    def _assert_no_termination(self) -> None:
        if self.vesting.kind == "Terminating":
            raise ContractPanic("All operations are blocked until vesting termination is completed")

    def _pool_call(self, env: Env, method: str, args: dict[str, Any], deposit: int = 0) -> None:
        assert self.staking is not None
        outcome = env.chain.call(env.current_account_id, self.staking.pool_id, method, args, deposit)
        if not outcome.ok:  # the real contract's callback would log it and reset the status; here the call fails
            raise ContractPanic(f"The staking pool call {method} failed: {outcome.panic or outcome.error}")

    def call_select_staking_pool(self, args: dict[str, Any], env: Env) -> bool:
        self._assert_owner(env)
        self._assert_no_termination()
        pool_id = args.get("staking_pool_account_id")
        if not isinstance(pool_id, str):
            raise ContractPanic("Failed to deserialize input from JSON.")
        if self.staking is not None:
            raise ContractPanic("Staking pool is already selected")
        try:
            answer = env.chain.view_call(
                self.staking_pool_whitelist_account_id,
                "is_whitelisted",
                json.dumps({"staking_pool_account_id": pool_id}).encode(),
            )
        except Exception as exc:  # no whitelist contract: the promise fails
            raise ContractPanic(f"The whitelist could not be asked: {exc}") from None
        if json.loads(answer) is not True:
            raise ContractPanic("The given staking pool account ID is not whitelisted")
        self.staking = PoolInfo(pool_id)
        return True

    def call_unselect_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        self._assert_idle_pool()
        assert self.staking is not None
        if self.staking.deposit_amount > 0:
            raise ContractPanic("There is still a deposit on the staking pool")
        self.staking = None

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        self._assert_no_termination()
        staking = self._assert_idle_pool()
        amount = arg_u128(args)
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        if _sat_sub(env.account_balance(), self.code.min_balance_for_storage) < amount:
            raise ContractPanic("The balance that can be deposited to the staking pool is lower than the extra amount")
        self._pool_call(env, "deposit_and_stake", {}, amount)
        staking.deposit_amount += amount

    def call_unstake(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        self._assert_idle_pool()
        amount = arg_u128(args)
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        self._pool_call(env, "unstake", {"amount": str(amount)})

    def call_unstake_all(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        self._assert_idle_pool()
        self._pool_call(env, "unstake_all", {})

    def _withdraw(self, env: Env, amount: int) -> None:
        staking = self._assert_idle_pool()
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        self._pool_call(env, "withdraw", {"amount": str(amount)})
        staking.deposit_amount = _sat_sub(staking.deposit_amount, amount)

    def call_withdraw_from_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        self._withdraw(env, arg_u128(args))

    def call_withdraw_all_from_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        staking = self._assert_idle_pool()
        raw = env.chain.view_call(
            staking.pool_id,
            "get_account_unstaked_balance",
            json.dumps({"account_id": env.current_account_id}).encode(),
        )
        self._withdraw(env, int(raw.decode().strip('"')))

    def call_transfer(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        if self.transfers_timestamp is None:
            raise ContractPanic("Transfers are disabled")
        self._assert_no_termination()
        if self.staking is not None and self.staking.status != "Idle":
            raise ContractPanic("Contract is currently busy with another operation")
        amount = arg_u128(args)
        receiver = arg_account_id(args, "receiver_id")
        if amount == 0:
            raise ContractPanic("Transfer amount should be positive")
        liquid = self.liquid_owners_balance(env.account_balance(), env.block_timestamp)
        if liquid < amount:
            raise ContractPanic(
                f"The available liquid balance {liquid} is smaller than the requested transfer amount {amount}"
            )
        env.transfer(receiver, amount)

    def record_pool_deposit(self, amount: int) -> None:
        """What ``on_staking_pool_deposit_and_stake`` records after a successful pool ``deposit_and_stake``."""
        if self.staking is None:
            raise ValueError("select a staking pool first")
        self.staking.deposit_amount += amount

    def call_view(self, method: str, args: bytes, env: Env) -> bytes:
        if method == "get_account_balance":  # internal in the real contract, not callable
            raise MethodNotFound(method)
        return super().call_view(method, args, env)

    # -- storage (§4.7) --------------------------------------------------------------------------------------
    def state_items(self) -> list[tuple[bytes, bytes]]:
        return [(STATE_KEY, self.state_bytes())]

    def state_bytes(self) -> bytes:
        """Borsh of the contract struct, fields in declaration order."""
        out = [
            borsh.string(self.owner_account_id),
            borsh.u128(self.lockup_amount),
            borsh.u128(self.termination_withdrawn_tokens),
            borsh.u64(self.lockup_duration),
            borsh.option(self.release_duration, borsh.u64),
            borsh.option(self.lockup_timestamp, borsh.u64),
        ]
        if self.transfers_timestamp is not None:
            out.append(borsh.u8(0) + borsh.u64(self.transfers_timestamp))
        else:
            out.append(borsh.u8(1) + borsh.string(self.transfer_poll_account_id))
        vesting = self.vesting
        if vesting.kind == "None":
            out.append(borsh.u8(0))
        elif vesting.kind == "VestingHash":
            out.append(borsh.u8(1) + borsh.byte_vec(vesting.hash))
        elif vesting.kind == "VestingSchedule":
            assert vesting.schedule is not None
            s = vesting.schedule
            out.append(borsh.u8(2) + borsh.u64(s.start) + borsh.u64(s.cliff) + borsh.u64(s.end))
        else:
            status = TERMINATION_STATUSES.index(vesting.status)
            out.append(borsh.u8(3) + borsh.u128(vesting.unvested_amount) + borsh.u8(status))
        out.append(borsh.string(self.staking_pool_whitelist_account_id))
        out.append(
            borsh.option(
                self.staking,
                lambda s: borsh.string(s.pool_id)
                + borsh.u8(STAKING_STATUSES.index(s.status))
                + borsh.u128(s.deposit_amount),
            )
        )
        out.append(borsh.option(self.foundation_account_id, borsh.string))
        return b"".join(out)

