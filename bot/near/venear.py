"""House of Stake (veNEAR) lockups: their ids, their stored state, and the balances the contract computes.

Source: houseofstake/house-of-stake-contracts v1.0.2 (HEAD ff25d7d), read for facts (mainnet-2026.md §3):
- lockup-contract/src/lib.rs: the `LockupContract` struct (borsh, key "STATE") and `new`;
- lockup-contract/src/venear.rs: `venear_liquid_balance` = account balance + known deposit − locked − pending
  ("Illegal balance" below zero), `begin_unlock_near` sets the unlock time to now + `unlock_duration_ns` for the
  whole pending amount, `end_unlock_near` asserts `block_timestamp >= venear_unlock_timestamp`;
- lockup-contract/src/getters.rs, internal.rs: `get_owners_balance` = `get_balance` = account balance + known
  deposit; `get_liquid_owners_balance` = account balance − `min_lockup_deposit` (saturating);
- lockup-contract/src/owner.rs: `transfer` needs the staking pool idle and amount ≤ `get_liquid_owners_balance`
  **and** ≤ `venear_liquid_balance`; every owner method asserts exactly 1 yoctoNEAR attached;
- venear-contract/src/lockup.rs: `get_lockup_account_id` = hex(sha256(owner)[0..20]) + "." + the veNEAR contract.

All amounts are int yoctoNEAR, all times int nanoseconds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.near.lockup_state import BorshReader, LockupStateError

# Agora's production config names the mainnet veNEAR contract (mainnet-2026.md §3). No other network is known.
VENEAR_CONTRACT = {"mainnet": "venear.dao"}

# base58(sha256(wasm)) of house-of-stake-contracts res/release/*/lockup_contract.wasm (computed from the blobs).
VENEAR_LOCKUP_CODE_HASHES = {
    "67qnr38Thdr6wSxSaypCdNCgyTTrEtpekZoJNXmTKrLp": "0.0.1",
    "Citera2Ao3P5GdPf8etbnPmWgKFq6a8eDpiVpZGfhyVH": "0.0.2",
    "4dBHNA5zhQDCWBsuthnCsHvusHzbaudXyUQ9KV8e3SuQ": "1.0.0",
    "3f4GTLeejZYuHeYw3ZsPeraLs6hFiwRS2UdFVwtS7j6c": "1.0.1",
    "3M1ZmmVW7eT2kMVTxwZ5xjZQheVmf3WzAFCnTuKkhXsP": "1.0.2",
}

# Owner calls attach exactly 1 yoctoNEAR (`assert_one_yocto` in every owner method of owner.rs and venear.rs).
ONE_YOCTO = 1
# lock_near / begin_unlock_near / end_unlock_near / lock_pending_near run locally and call the veNEAR contract with
# 20 TGas (venear_ext.rs GAS_FOR_VENEAR_LOCKUP_UPDATE); the project's own scripts/lock_near.sh and integration tests
# attach 100 TGas.
VENEAR_UPDATE_GAS_TGAS = 100

_HEX40 = re.compile(r"[0-9a-f]{40}")


def venear_contract_id(network: str) -> str | None:
    return VENEAR_CONTRACT.get(network)


def venear_lockup_account_id(owner_id: str, venear_id: str) -> str:
    """hex(sha256(owner)[0..20]) + "." + veNEAR contract (venear-contract/src/lockup.rs `get_lockup_account_id`)."""
    return hashlib.sha256(owner_id.encode("utf-8")).digest()[:20].hex() + "." + venear_id


def is_venear_lockup_id(account_id: str, network: str) -> bool:
    venear_id = venear_contract_id(network)
    if venear_id is None or not account_id.endswith("." + venear_id):
        return False
    return bool(_HEX40.fullmatch(account_id[: -len(venear_id) - 1]))


@dataclass(frozen=True, slots=True)
class VenearStaking:
    """`StakingInformation`: the selected pool (or liquid-staking contract), Busy while a pool call is pending."""

    pool_id: str
    busy: bool
    deposit_amount: int


@dataclass(frozen=True, slots=True)
class VenearLockupState:
    """The `LockupContract` struct of lockup-contract/src/lib.rs, in borsh field order."""

    owner_account_id: str
    venear_account_id: str
    staking_pool_whitelist_account_id: str
    staking: VenearStaking | None
    unlock_duration_ns: int
    locked: int
    unlock_timestamp_ns: int
    pending: int
    lockup_update_nonce: int
    version: int
    min_lockup_deposit: int

    @property
    def known_deposited(self) -> int:
        return 0 if self.staking is None else self.staking.deposit_amount


def decode_venear_lockup_state(raw: bytes) -> VenearLockupState:
    """Decode the borsh `STATE` value of a House of Stake lockup; raises `LockupStateError` on anything else."""
    r = BorshReader(bytes(raw))
    owner = r.string("owner_account_id")
    venear = r.string("venear_account_id")
    whitelist = r.string("staking_pool_whitelist_account_id")
    staking = None
    if r.option("staking_information"):
        pool = r.string("staking_pool_account_id")
        busy = r.tag("staking status", 2) == 1  # TransactionStatus: Idle, Busy
        staking = VenearStaking(pool, busy, r.uint(16, "deposit_amount"))
    state = VenearLockupState(
        owner_account_id=owner,
        venear_account_id=venear,
        staking_pool_whitelist_account_id=whitelist,
        staking=staking,
        unlock_duration_ns=r.uint(8, "unlock_duration_ns"),
        locked=r.uint(16, "venear_locked_balance"),
        unlock_timestamp_ns=r.uint(8, "venear_unlock_timestamp"),
        pending=r.uint(16, "venear_pending_balance"),
        lockup_update_nonce=r.uint(8, "lockup_update_nonce"),
        version=r.uint(8, "version"),
        min_lockup_deposit=r.uint(16, "min_lockup_deposit"),
    )
    if r.pos != len(r.data):
        raise LockupStateError(f"{len(r.data) - r.pos} trailing bytes after a House of Stake lockup state")
    return state


class VenearMathError(ValueError):
    """The contract itself would panic ("Illegal balance"): more is locked and pending than the lockup holds."""


@dataclass(frozen=True, slots=True)
class VenearBalances:
    account_balance: int
    known_deposited: int
    owners_balance: int  # get_owners_balance = get_balance
    liquid_owners_balance: int  # get_liquid_owners_balance: above the storage deposit, on the account itself
    venear_liquid: int  # get_venear_liquid_balance: neither locked nor pending (free to lock)
    transferable: int  # what `transfer` accepts now: the smaller limit, and 0 while a pool call is pending
    locked: int
    pending: int
    unlock_timestamp_ns: int | None  # None when nothing is pending
    unlock_ready: bool  # end_unlock_near would pass its time check now
    staking_busy: bool


def compute_venear(state: VenearLockupState, account_balance: int, now_ns: int) -> VenearBalances:
    known = state.known_deposited
    total = account_balance + known
    venear_liquid = total - state.locked - state.pending
    if venear_liquid < 0:
        raise VenearMathError(
            "more NEAR is locked and pending for veNEAR than the lockup holds: the contract's views would panic"
        )
    liquid_owners = max(0, account_balance - state.min_lockup_deposit)
    busy = state.staking is not None and state.staking.busy
    pending = state.pending > 0
    return VenearBalances(
        account_balance=account_balance,
        known_deposited=known,
        owners_balance=total,
        liquid_owners_balance=liquid_owners,
        venear_liquid=venear_liquid,
        transferable=0 if busy else min(liquid_owners, venear_liquid),
        locked=state.locked,
        pending=state.pending,
        unlock_timestamp_ns=state.unlock_timestamp_ns if pending else None,
        unlock_ready=pending and now_ns >= state.unlock_timestamp_ns,
        staking_busy=busy,
    )


__all__ = [
    "ONE_YOCTO",
    "VENEAR_CONTRACT",
    "VENEAR_LOCKUP_CODE_HASHES",
    "VENEAR_UPDATE_GAS_TGAS",
    "VenearBalances",
    "VenearLockupState",
    "VenearMathError",
    "VenearStaking",
    "compute_venear",
    "decode_venear_lockup_state",
    "is_venear_lockup_id",
    "venear_contract_id",
    "venear_lockup_account_id",
]
