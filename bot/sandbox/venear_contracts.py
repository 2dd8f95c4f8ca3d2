"""Simulated House of Stake contracts: the veNEAR contract (`venear.dao`) and the per-user lockup it deploys.

An independent oracle for the bot's House of Stake math, written from the contract source
(houseofstake/house-of-stake-contracts v1.0.2, mainnet-2026.md §3), not from the bot:
- lockup views: `get_owner_account_id`, `get_staking_pool_account_id`, `get_known_deposited_balance`,
  `get_balance` = `get_owners_balance` = account balance + known deposit, `get_liquid_owners_balance` = account
  balance − min_lockup_deposit (saturating), `get_version`, `get_venear_locked_balance`,
  `get_venear_pending_balance`, `get_venear_unlock_timestamp`, `get_venear_liquid_balance` (= balance + deposit −
  locked − pending, "Illegal balance" below zero), `get_lockup_update_nonce`;
- owner methods, each asserting exactly 1 yocto: `lock_near`, `begin_unlock_near` (unlock time = now + duration for
  the whole pending amount), `end_unlock_near` ("Invalid unlock time" before it), `lock_pending_near`, the staking
  methods (run synchronously here: the pool call happens inside the owner's call), `transfer` (amount ≤ both the
  liquid owner's balance and the veNEAR-liquid balance, pool idle), `delete_lockup`;
- every lock change reports the locked balance to the veNEAR contract (`on_lockup_update`, nonce + 1);
- veNEAR views: `get_lockup_account_id({"account_id"})` = hex(sha256(owner)[0..20]) + "." + its own id, `get_config`.
The state is stored under "STATE" in the lockup struct's borsh field order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from . import borsh
from .contracts import ContractPanic, Env, JsonContract, arg_account_id
from .hashing import hash_b58
from .state_layout import STATE_KEY

NEAR = 10**24
VENEAR_LOCKUP_CODE_LEN = 155_937  # size of the v1.0.2 lockup wasm (res/release/lockup_contract.wasm)
# base58(sha256) of house-of-stake-contracts res/release/lockup_contract.wasm (v1.0.2).
VENEAR_LOCKUP_CODE_HASH = "3M1ZmmVW7eT2kMVTxwZ5xjZQheVmf3WzAFCnTuKkhXsP"
_OWNER_METHODS = (
    "lock_near", "begin_unlock_near", "end_unlock_near", "lock_pending_near", "select_staking_pool",
    "unselect_staking_pool", "deposit_to_staking_pool", "deposit_and_stake", "refresh_staking_pool_balance",
    "withdraw_from_staking_pool", "withdraw_all_from_staking_pool", "stake", "unstake", "unstake_all", "transfer",
    "delete_lockup",
)


@dataclass
class StakingInfo:
    pool_id: str
    busy: bool = False
    deposit: int = 0


def _near_arg(args: dict[str, Any], name: str = "amount", *, optional: bool = False) -> int | None:
    """NearToken JSON: a decimal string (near-sdk 5); `Option<NearToken>` may be absent or null."""
    value = args.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.isdigit() or int(value) >= 1 << 128:
        raise ContractPanic("Failed to deserialize input from JSON.")
    return int(value)


class VenearLockup(JsonContract):
    kind: ClassVar[str] = "venear-lockup"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "get_owner_account_id": "view_owner",
        "get_staking_pool_account_id": "view_pool",
        "get_known_deposited_balance": "view_known_deposited",
        "get_owners_balance": "view_balance",
        "get_balance": "view_balance",
        "get_liquid_owners_balance": "view_liquid_owners",
        "get_version": "view_version",
        "get_venear_locked_balance": "view_locked",
        "get_venear_pending_balance": "view_pending",
        "get_venear_unlock_timestamp": "view_unlock_timestamp",
        "get_venear_liquid_balance": "view_venear_liquid",
        "get_lockup_update_nonce": "view_nonce",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {name: f"call_{name}" for name in _OWNER_METHODS}
    PAYABLE: ClassVar[frozenset[str]] = frozenset(_OWNER_METHODS)

    def __init__(
        self, *, owner_account_id: str, venear_account_id: str, whitelist_account_id: str, unlock_duration_ns: int,
        min_lockup_deposit: int, version: int = 1, lockup_update_nonce: int = 0,
    ) -> None:
        self.code_hash = VENEAR_LOCKUP_CODE_HASH
        self.code_len = VENEAR_LOCKUP_CODE_LEN
        self.owner = owner_account_id
        self.venear = venear_account_id
        self.whitelist = whitelist_account_id
        self.staking: StakingInfo | None = None
        self.unlock_duration_ns = unlock_duration_ns
        self.locked = 0
        self.unlock_timestamp = 0
        self.pending = 0
        self.nonce = lockup_update_nonce
        self.version = version
        self.min_lockup_deposit = min_lockup_deposit

    # -- balances ------------------------------------------------------------------------------------------
    def known_deposited(self) -> int:
        return 0 if self.staking is None else self.staking.deposit

    def venear_liquid(self, env: Env) -> int:
        free = env.account_balance() + self.known_deposited() - self.locked - self.pending
        if free < 0:
            raise ContractPanic("Illegal balance")
        return free

    def liquid_owners(self, env: Env) -> int:
        return max(0, env.account_balance() - self.min_lockup_deposit)

    # -- views ---------------------------------------------------------------------------------------------
    def view_owner(self, args: dict[str, Any], env: Env) -> str:
        return self.owner

    def view_pool(self, args: dict[str, Any], env: Env) -> str | None:
        return None if self.staking is None else self.staking.pool_id

    def view_known_deposited(self, args: dict[str, Any], env: Env) -> str:
        return str(self.known_deposited())

    def view_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(env.account_balance() + self.known_deposited())

    def view_liquid_owners(self, args: dict[str, Any], env: Env) -> str:
        return str(self.liquid_owners(env))

    def view_version(self, args: dict[str, Any], env: Env) -> int:
        return self.version

    def view_locked(self, args: dict[str, Any], env: Env) -> str:
        return str(self.locked)

    def view_pending(self, args: dict[str, Any], env: Env) -> str:
        return str(self.pending)

    def view_unlock_timestamp(self, args: dict[str, Any], env: Env) -> str:
        return str(self.unlock_timestamp)

    def view_venear_liquid(self, args: dict[str, Any], env: Env) -> str:
        return str(self.venear_liquid(env))

    def view_nonce(self, args: dict[str, Any], env: Env) -> str:
        return str(self.nonce)

    # -- guards --------------------------------------------------------------------------------------------
    def _owner_call(self, env: Env) -> None:
        if env.predecessor_account_id != self.owner:
            raise ContractPanic("Can only be called by the owner")
        if env.attached_deposit != 1:
            raise ContractPanic("Requires attached deposit of exactly 1 yoctoNEAR")

    def _idle_pool(self) -> StakingInfo:
        if self.staking is None:
            raise ContractPanic("Staking pool is not selected")
        if self.staking.busy:
            raise ContractPanic("Contract is currently busy with another operation")
        return self.staking

    def _report(self, env: Env) -> None:
        self.nonce += 1
        update = {"locked_near_balance": str(self.locked), "timestamp": str(env.block_timestamp),
                  "lockup_update_nonce": str(self.nonce)}
        args = {"version": self.version, "owner_account_id": self.owner, "update": {"V1": update}}
        outcome = env.chain.call(env.current_account_id, self.venear, "on_lockup_update", args)
        if not outcome.ok:  # the real promise fails on its own; the sandbox keeps the lockup consistent
            raise ContractPanic(f"veNEAR update failed: {outcome.panic or outcome.error}")

    # -- veNEAR --------------------------------------------------------------------------------------------
    def call_lock_near(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args, optional=True)
        free = self.venear_liquid(env)
        amount = free if amount is None else amount
        if amount > free:
            raise ContractPanic("Invalid amount")
        self.locked += amount
        self._report(env)

    def call_begin_unlock_near(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args, optional=True)
        amount = self.locked if amount is None else amount
        if amount > self.locked:
            raise ContractPanic("Invalid amount")
        self.locked -= amount
        self.pending += amount
        self.unlock_timestamp = env.block_timestamp + self.unlock_duration_ns
        self._report(env)

    def call_end_unlock_near(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args, optional=True)
        amount = self.pending if amount is None else amount
        if amount > self.pending:
            raise ContractPanic("Invalid amount")
        if env.block_timestamp < self.unlock_timestamp:
            raise ContractPanic("Invalid unlock time")
        self.pending -= amount
        self._report(env)

    def call_lock_pending_near(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args, optional=True)
        amount = self.pending if amount is None else amount
        if amount > self.pending:
            raise ContractPanic("Invalid amount")
        self.pending -= amount
        self.locked += amount
        self._report(env)

    # -- staking (synchronous) -----------------------------------------------------------------------------
    def _pool_call(self, env: Env, method: str, args: dict[str, Any], deposit: int = 0) -> None:
        assert self.staking is not None
        outcome = env.chain.call(env.current_account_id, self.staking.pool_id, method, args, deposit)
        if not outcome.ok:
            raise ContractPanic(f"The staking pool call {method} failed: {outcome.panic or outcome.error}")

    def call_select_staking_pool(self, args: dict[str, Any], env: Env) -> bool:
        self._owner_call(env)
        pool_id = arg_account_id(args, "staking_pool_account_id")
        if self.staking is not None:
            raise ContractPanic("Staking pool is already selected")
        answer = env.chain.view_call(
            self.whitelist, "is_whitelisted", json.dumps({"staking_pool_account_id": pool_id}).encode()
        )
        if json.loads(answer) is not True:
            raise ContractPanic("The given staking pool account ID is not whitelisted")
        self.staking = StakingInfo(pool_id)
        return True

    def call_unselect_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        staking = self._idle_pool()
        if staking.deposit != 0:
            raise ContractPanic("There is still a deposit on the staking pool")
        self.staking = None

    def _deposit(self, args: dict[str, Any], env: Env, method: str) -> None:
        self._owner_call(env)
        amount = _near_arg(args)
        assert amount is not None
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        staking = self._idle_pool()
        if self.liquid_owners(env) < amount:
            raise ContractPanic("The balance that can be deposited to the staking pool is lower than the extra amount")
        self._pool_call(env, method, {}, amount)
        staking.deposit += amount

    def call_deposit_to_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._deposit(args, env, "deposit")

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> None:
        self._deposit(args, env, "deposit_and_stake")

    def call_refresh_staking_pool_balance(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        staking = self._idle_pool()
        total = env.chain.view_call(
            staking.pool_id, "get_account_total_balance", json.dumps({"account_id": env.current_account_id}).encode()
        )
        staking.deposit = int(json.loads(total))

    def _withdraw(self, env: Env, amount: int) -> None:
        staking = self._idle_pool()
        if amount > 0:
            self._pool_call(env, "withdraw", {"amount": str(amount)})
            staking.deposit = max(0, staking.deposit - amount)  # rewards can make it go below zero: saturating

    def call_withdraw_from_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args)
        assert amount is not None
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        self._withdraw(env, amount)

    def call_withdraw_all_from_staking_pool(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        staking = self._idle_pool()
        raw = env.chain.view_call(
            staking.pool_id, "get_account_unstaked_balance",
            json.dumps({"account_id": env.current_account_id}).encode(),
        )
        self._withdraw(env, int(json.loads(raw)))

    def _pool_amount_call(self, args: dict[str, Any], env: Env, method: str) -> None:
        self._owner_call(env)
        amount = _near_arg(args)
        assert amount is not None
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        self._idle_pool()
        self._pool_call(env, method, {"amount": str(amount)})

    def call_stake(self, args: dict[str, Any], env: Env) -> None:
        self._pool_amount_call(args, env, "stake")

    def call_unstake(self, args: dict[str, Any], env: Env) -> None:
        self._pool_amount_call(args, env, "unstake")

    def call_unstake_all(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        self._idle_pool()
        self._pool_call(env, "unstake_all", {})

    def call_transfer(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        amount = _near_arg(args)
        assert amount is not None
        receiver = arg_account_id(args, "receiver_id")
        if amount == 0:
            raise ContractPanic("Amount should be positive")
        if self.staking is not None and self.staking.busy:
            raise ContractPanic("Contract is currently busy with another operation")
        for limit in (self.liquid_owners(env), self.venear_liquid(env)):
            if limit < amount:
                raise ContractPanic(
                    f"The available liquid balance {limit} is smaller than the requested transfer amount {amount}"
                )
        env.transfer(receiver, amount)

    def call_delete_lockup(self, args: dict[str, Any], env: Env) -> None:
        self._owner_call(env)
        if self.known_deposited() or self.locked or self.pending:
            raise ContractPanic("Can't delete account with non-zero staked, locked or pending NEAR balance")
        env.transfer(self.owner, env.account_balance())

    # -- storage -------------------------------------------------------------------------------------------
    def state_items(self) -> list[tuple[bytes, bytes]]:
        staking = borsh.option(
            self.staking, lambda s: borsh.string(s.pool_id) + borsh.u8(1 if s.busy else 0) + borsh.u128(s.deposit)
        )
        value = b"".join((
            borsh.string(self.owner), borsh.string(self.venear), borsh.string(self.whitelist), staking,
            borsh.u64(self.unlock_duration_ns), borsh.u128(self.locked), borsh.u64(self.unlock_timestamp),
            borsh.u128(self.pending), borsh.u64(self.nonce), borsh.u64(self.version),
            borsh.u128(self.min_lockup_deposit),
        ))
        return [(STATE_KEY, value)]


class VenearContract(JsonContract):
    """`venear.dao`: the lockup-account derivation, the config views and the lockup updates it accepts."""

    kind: ClassVar[str] = "venear"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "get_lockup_account_id": "view_lockup_account_id",
        "get_config": "view_config",
        "get_locked_near": "view_locked_near",  # sandbox-only helper for tests (not a mainnet view)
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {"on_lockup_update": "call_on_lockup_update"}

    def __init__(self, account_id: str, *, unlock_duration_ns: int, min_lockup_deposit: int, whitelist: str) -> None:
        self.code_hash = hash_b58("sandbox-venear-wasm")
        self.code_len = 233_460
        self.account_id = account_id
        self.unlock_duration_ns = unlock_duration_ns
        self.min_lockup_deposit = min_lockup_deposit
        self.whitelist = whitelist
        self.locked_near: dict[str, tuple[int, int]] = {}  # owner -> (locked NEAR, last nonce)

    def lockup_account_id(self, owner_id: str) -> str:
        return hashlib.sha256(owner_id.encode()).digest()[:20].hex() + "." + self.account_id

    def view_lockup_account_id(self, args: dict[str, Any], env: Env) -> str:
        return self.lockup_account_id(arg_account_id(args))

    def view_config(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        return {
            "lockup_contract_config": {
                "contract_size": VENEAR_LOCKUP_CODE_LEN, "contract_version": 1, "contract_hash": VENEAR_LOCKUP_CODE_HASH,
            },
            "unlock_duration_ns": str(self.unlock_duration_ns),
            "staking_pool_whitelist_account_id": self.whitelist,
            "lockup_code_deployers": [],
            "local_deposit": str(NEAR // 10),
            "min_lockup_deposit": str(self.min_lockup_deposit),
            "owner_account_id": "hos-owner.near",
            "guardians": [],
            "proposed_new_owner_account_id": None,
        }

    def view_locked_near(self, args: dict[str, Any], env: Env) -> str:
        return str(self.locked_near.get(arg_account_id(args), (0, 0))[0])

    def call_on_lockup_update(self, args: dict[str, Any], env: Env) -> None:
        owner = arg_account_id(args, "owner_account_id")
        if env.predecessor_account_id != self.lockup_account_id(owner):
            raise ContractPanic("Permission denied")
        update = (args.get("update") or {}).get("V1") or {}
        nonce = int(update.get("lockup_update_nonce", "0"))
        if nonce <= self.locked_near.get(owner, (0, -1))[1]:
            raise ContractPanic("Invalid nonce")
        self.locked_near[owner] = (int(update.get("locked_near_balance", "0")), nonce)

    def state_items(self) -> list[tuple[bytes, bytes]]:
        return [(STATE_KEY, borsh.string(self.account_id) + borsh.u64(self.unlock_duration_ns))]
