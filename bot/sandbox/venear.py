"""Lockups as holders create them today, in the default sandbox world (mainnet-2026.md §2, §3).

House of Stake: ``venear.dao`` (bot/sandbox/venear_contracts.py) with a 45-day unlock cooldown (the docs' mainnet
value) and a 2 NEAR lockup storage deposit (a sandbox value; the bot reads whatever the lockup stores). Each
participant's lockup sits at hex(sha256(owner)[0..20]).venear.dao. Global contracts: a core-contracts style lockup
deployed with ``use-global-hash CAvU5M…`` at an ordinary account id.

| role          | owner      | lockup account              | state at the head (E = 3300)                                   |
|---------------|------------|-----------------------------|----------------------------------------------------------------|
| venear_staked | hana.near  | <hex>.venear.dao            | 1,000 NEAR: 600 staked in bravo.poolv1.near (E-55), 798 locked  |
|               |            |                             | (E-60), 198 pending since E-50 (unlock ≈ E+100): 202 can move   |
| venear_ready  | ivy.near   | <hex>.venear.dao            | 500 NEAR: 300 locked at E-400, unlock begun at E-200, finished  |
|               |            |                             | (≈ E-50) but end_unlock_near never called                       |
| venear_side   | lena.near  | <hex>.venear.dao            | 250 NEAR, 100 locked (E-100); lena also has a .lockup.near      |
| global        | nina.near  | payroll-grant-7.near        | 5,000 NEAR lockup, release 2025-06-01 + 4 y; 1,000 staked in    |
|               |            |                             | alpha.poolv1.near (E-200), 400 of it unstaked at E-1 (→ E+3)    |

:data:`NEW_LOCKUPS` lists the roles for tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from .chain import DEFAULT_EPOCH, SandboxChain
from .lockup_contract import MAINNET_TRANSFERS_STARTED_NS, LockupCode, LockupContract, PoolInfo
from .lockups import utc_ns
from .venear_contracts import StakingInfo, VenearContract, VenearLockup

NEAR = 10**24
E = DEFAULT_EPOCH
VENEAR_ID = "venear.dao"
UNLOCK_DURATION_NS = 45 * 86_400 * 10**9  # houseofstake.org docs: 45 days on mainnet
MIN_LOCKUP_DEPOSIT = 2 * NEAR  # sandbox value (house-of-stake tests use 2 NEAR)
WHITELIST_ID = "lockup-whitelist.near"
OWNER_BALANCE = 25 * NEAR
# The global lockup contract of docs.near.org (mainnet-2026.md §2); its rules are core-contracts v3.1.0's.
GLOBAL_LOCKUP = LockupCode("global", "CAvU5MYQ4xk1SjFvbnQDQUj6qehuW5YhU3FXA6GMddCx", 35 * NEAR // 10, False)
GLOBAL_LOCKUP_ID = "payroll-grant-7.near"


@dataclass(frozen=True)
class NewLockupRole:
    role: str
    owner_id: str
    lockup_id: str
    kind: str  # "venear" | "foundation-global"
    funded: int


def _venear_id(owner: str) -> str:
    return hashlib.sha256(owner.encode()).digest()[:20].hex() + "." + VENEAR_ID


NEW_LOCKUPS = {
    "venear_staked": NewLockupRole("venear_staked", "hana.near", _venear_id("hana.near"), "venear", 1_000 * NEAR),
    "venear_ready": NewLockupRole("venear_ready", "ivy.near", _venear_id("ivy.near"), "venear", 500 * NEAR),
    "venear_side": NewLockupRole("venear_side", "lena.near", _venear_id("lena.near"), "venear", 250 * NEAR),
    "global": NewLockupRole("global", "nina.near", GLOBAL_LOCKUP_ID, "foundation-global", 5_000 * NEAR),
}


def _owner_call(chain: SandboxChain, owner: str, lockup: str, method: str, args: dict[str, str], deposit: int) -> None:
    outcome = chain.call(owner, lockup, method, args, deposit)
    if not outcome.ok:
        raise RuntimeError(f"scenario step failed: {owner} {method} {lockup}: {outcome.panic or outcome.error}")


def _venear_lockup(chain: SandboxChain, role: NewLockupRole, staking_pool: str | None = None) -> VenearLockup:
    contract = VenearLockup(
        owner_account_id=role.owner_id, venear_account_id=VENEAR_ID, whitelist_account_id=WHITELIST_ID,
        unlock_duration_ns=UNLOCK_DURATION_NS, min_lockup_deposit=MIN_LOCKUP_DEPOSIT,
        lockup_update_nonce=1_000_000 * (chain.head_height % 1000),
    )
    if staking_pool:  # selected before the whitelist contract exists in this replayed history
        contract.staking = StakingInfo(staking_pool)
    chain.create_account(role.lockup_id, role.funded)
    chain.deploy(role.lockup_id, contract)
    return contract


def install_new_lockups(chain: SandboxChain, at: Callable[[int, int, Callable[[], None]], None]) -> None:
    """Create ``venear.dao``, the House of Stake participants and the global-contract lockup; the owners' calls are
    scheduled with ``at(epoch, offset, action)`` (the scenario builder's)."""
    chain.create_account(VENEAR_ID, 50 * NEAR)
    chain.deploy(VENEAR_ID, VenearContract(
        VENEAR_ID, unlock_duration_ns=UNLOCK_DURATION_NS, min_lockup_deposit=MIN_LOCKUP_DEPOSIT, whitelist=WHITELIST_ID
    ))
    for owner in ("hana.near", "ivy.near", "nina.near"):
        chain.create_account(owner, OWNER_BALANCE)

    def call(epoch: int, offset: int, role: NewLockupRole, method: str, amount: int | None = None) -> None:
        args = {} if amount is None else {"amount": str(amount)}
        at(epoch, offset, lambda: _owner_call(chain, role.owner_id, role.lockup_id, method, args, 1))

    staked, ready, side = NEW_LOCKUPS["venear_staked"], NEW_LOCKUPS["venear_ready"], NEW_LOCKUPS["venear_side"]
    _venear_lockup(chain, staked, staking_pool="bravo.poolv1.near")
    call(E - 60, 3_000, staked, "lock_near", 798 * NEAR)
    call(E - 55, 3_000, staked, "deposit_and_stake", 600 * NEAR)
    call(E - 50, 3_000, staked, "begin_unlock_near", 198 * NEAR)
    _venear_lockup(chain, ready)
    call(E - 400, 3_000, ready, "lock_near", 300 * NEAR)
    call(E - 200, 3_000, ready, "begin_unlock_near", None)
    _venear_lockup(chain, side)
    call(E - 100, 3_000, side, "lock_near", 100 * NEAR)
    _install_global_lockup(chain, at)
    chain.roles["new_lockups"] = {role: vars(item) for role, item in NEW_LOCKUPS.items()}


def _install_global_lockup(chain: SandboxChain, at: Callable[[int, int, Callable[[], None]], None]) -> None:
    role = NEW_LOCKUPS["global"]
    contract = LockupContract(
        code=GLOBAL_LOCKUP, owner_account_id=role.owner_id, lockup_amount=role.funded,
        transfers_timestamp=MAINNET_TRANSFERS_STARTED_NS, lockup_timestamp=utc_ns(2025, 6, 1),
        release_duration=4 * 365 * 86_400 * 10**9, staking=PoolInfo("alpha.poolv1.near"),
    )
    chain.create_account(role.lockup_id, role.funded)
    chain.deploy(role.lockup_id, contract, global_hash=GLOBAL_LOCKUP.code_hash)

    def stake() -> None:
        outcome = chain.call(role.lockup_id, "alpha.poolv1.near", "deposit_and_stake", {}, 1_000 * NEAR)
        if not outcome.ok:
            raise RuntimeError(f"global lockup deposit_and_stake failed: {outcome.panic or outcome.error}")
        contract.record_pool_deposit(1_000 * NEAR)

    at(E - 200, 3_500, stake)
    at(E - 1, 25_000, lambda: _owner_call(
        chain, role.owner_id, role.lockup_id, "unstake", {"amount": str(400 * NEAR)}, 0))
