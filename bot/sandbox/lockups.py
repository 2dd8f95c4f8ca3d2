"""Lockup accounts of the default scenario: one per case a lockup answer must handle.

The head of the default scenario sits at ~2026-01-15 12:00 UTC; the dates below are chosen around it. Lockup ids
are the mainnet derivation hex(sha256(owner)[:20]) + ".lockup.near" (near-staking.md §4.1). Amounts in NEAR.
Every transfers-enabled lockup uses the mainnet transfers start 2020-10-13 18:38:58 UTC as ``transfers_timestamp``.

| role               | owner     | code (§4.2)                     | lockup (NEAR) | case                                                     |
|--------------------|-----------|---------------------------------|---------------|----------------------------------------------------------|
| linear             | lena.near | v3.1.0 ``4Pfw2RU6…``            | 10,000        | linear release 2025-06-01 → 2027-06-01 in progress       |
| v2_bug             | otto.near | v2.0.0 ``3kVY9qcV…``            | 50,000        | 6-year release from 2024-01-01, but the v2.0.0 bug ends  |
|                    |           |                                 |               | it at transfers start + 6 y = 2026-10-12                  |
| transfers_disabled | gina.near | v3.0.0 ``Cw7bnyp4…``            | 25,000        | genesis style TransfersDisabled{"transfer-vote.near"},   |
|                    |           |                                 |               | 1 y lockup + 2 y release: everything still locked        |
| vesting_cliff      | vera.near | v3.1.0 ``4Pfw2RU6…``            | 4,000         | public VestingSchedule 2025-09-01 / cliff 2026-09-01 /   |
|                    |           |                                 |               | end 2029-09-01, no release                               |
| vesting_hash       | hugo.near | v3.0.1 ``3kSoLAJp…``            | 8,000         | private VestingHash (ignored by the contract) + release  |
|                    |           |                                 |               | 2025-03-01 → 2027-03-01                                  |
| terminated         | ivan.near | v3.1.0 ``4Pfw2RU6…``            | 6,000         | Terminating{4,000 unvested, ReadyToWithdraw}; release    |
|                    |           |                                 |               | 2024-06-01 + 3 y                                         |
| unlocked           | fay.near  | v2.0.0-april-2021 ``DiC9bKCq…`` | 3,000         | release ended in 2021; 12.5 NEAR more sent to it later   |
| staking            | sam.near  | v3.1.0-rebuild ``6C5zC3XX…``    | 20,000        | release 2025-01-01 + 4 y; 18,000 deposit_and_stake'd in  |
|                    |           |                                 |               | bravo.poolv1.near at epoch E-30, rewards since: known    |
|                    |           |                                 |               | deposit 18,000 < the pool's live total (refresh needed)  |

Owners are plain accounts with 25 NEAR each. ``install_lockups`` creates everything at once except the pool
delegation, which it schedules at epoch E-30 through ``schedule`` (the scenario builder's ``at``) so rewards accrue
over the following epoch boundaries. :data:`LOCKUPS` lists the roles for tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from .chain import DEFAULT_EPOCH, SandboxChain
from .lockup_contract import (
    LOCKUP_CODES,
    MAINNET_TRANSFERS_STARTED_NS,
    LockupContract,
    PoolInfo,
    Schedule,
    Vesting,
)
from .whitelist import install_lockup_whitelist  # noqa: F401  (re-exported: the scenario installs it)

NEAR = 10**24
DAY_NS = 86_400 * 10**9
LOCKUP_FACTORY = "lockup.near"
OWNER_BALANCE = 25 * NEAR
STAKING_POOL_ID = "bravo.poolv1.near"
STAKING_DEPOSIT = 18_000 * NEAR
STAKING_EPOCH_OFFSET = -30  # epochs before the scenario's current epoch


def utc_ns(year: int, month: int, day: int) -> int:
    return int(dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp()) * 10**9


def derive_lockup_id(owner_id: str, factory: str = LOCKUP_FACTORY) -> str:
    """hex(sha256(owner)[:20]) + "." + factory (CC lockup-factory `create`)."""
    return hashlib.sha256(owner_id.encode()).digest()[:20].hex() + "." + factory


@dataclass(frozen=True)
class LockupRole:
    role: str
    owner_id: str
    version: str  # key of LOCKUP_CODES
    kind: str
    lockup_amount: int
    account_balance: int  # the lockup account's balance at creation

    @property
    def lockup_id(self) -> str:
        return derive_lockup_id(self.owner_id)

    @property
    def code_hash(self) -> str:
        return LOCKUP_CODES[self.version].code_hash


def _roles() -> dict[str, LockupRole]:
    rows = [
        ("linear", "lena.near", "v3.1.0", "linear release in progress", 10_000 * NEAR, 0),
        ("v2_bug", "otto.near", "v2.0.0", "v2.0.0 release-end bug", 50_000 * NEAR, 0),
        ("transfers_disabled", "gina.near", "v3.0.0", "transfers still disabled", 25_000 * NEAR, 0),
        ("vesting_cliff", "vera.near", "v3.1.0", "public vesting, cliff ahead", 4_000 * NEAR, 0),
        ("vesting_hash", "hugo.near", "v3.0.1", "private vesting hash + release", 8_000 * NEAR, 0),
        ("terminated", "ivan.near", "v3.1.0", "vesting terminated", 6_000 * NEAR, 0),
        ("unlocked", "fay.near", "v2.0.0-april-2021", "fully unlocked", 3_000 * NEAR, 12_500 * NEAR // 1000),
        ("staking", "sam.near", "v3.1.0-rebuild", "staking through a pool", 20_000 * NEAR, 0),
    ]
    return {
        role: LockupRole(role, owner, version, kind, amount, amount + extra)
        for role, owner, version, kind, amount, extra in rows
    }


LOCKUPS: dict[str, LockupRole] = _roles()


def _contract(role: LockupRole) -> LockupContract:
    code = LOCKUP_CODES[role.version]
    common = {"code": code, "owner_account_id": role.owner_id, "lockup_amount": role.lockup_amount}
    started = MAINNET_TRANSFERS_STARTED_NS
    year = 365 * DAY_NS
    foundation = "foundation.near"
    match role.role:
        case "linear":
            return LockupContract(
                **common, transfers_timestamp=started, lockup_timestamp=utc_ns(2025, 6, 1), release_duration=2 * year
            )
        case "v2_bug":
            return LockupContract(
                **common, transfers_timestamp=started, lockup_timestamp=utc_ns(2024, 1, 1), release_duration=6 * year
            )
        case "transfers_disabled":
            return LockupContract(**common, lockup_duration=year, release_duration=2 * year)
        case "vesting_cliff":
            schedule = Schedule(utc_ns(2025, 9, 1), utc_ns(2026, 9, 1), utc_ns(2029, 9, 1))
            return LockupContract(
                **common,
                transfers_timestamp=started,
                lockup_timestamp=utc_ns(2025, 9, 1),
                vesting=Vesting("VestingSchedule", schedule=schedule),
                foundation_account_id=foundation,
            )
        case "vesting_hash":
            return LockupContract(
                **common,
                transfers_timestamp=started,
                lockup_timestamp=utc_ns(2025, 3, 1),
                release_duration=2 * year,
                vesting=Vesting("VestingHash", hash=hashlib.sha256(b"hugo.near vesting schedule + salt").digest()),
                foundation_account_id=foundation,
            )
        case "terminated":
            return LockupContract(
                **common,
                transfers_timestamp=started,
                lockup_timestamp=utc_ns(2024, 6, 1),
                release_duration=3 * year,
                vesting=Vesting("Terminating", unvested_amount=4_000 * NEAR, status="ReadyToWithdraw"),
                foundation_account_id=foundation,
            )
        case "unlocked":
            return LockupContract(
                **common, transfers_timestamp=started, lockup_timestamp=utc_ns(2021, 4, 6), release_duration=year
            )
        case "staking":
            return LockupContract(
                **common,
                transfers_timestamp=started,
                lockup_timestamp=utc_ns(2025, 1, 1),
                release_duration=4 * year,
                staking=PoolInfo(STAKING_POOL_ID),
            )
    raise ValueError(f"unknown lockup role {role.role}")


def _stake_through_pool(chain: SandboxChain, role: LockupRole) -> None:
    """The pool's deposit_and_stake signed by the lockup account, then the lockup's record of the deposit."""
    outcome = chain.call(role.lockup_id, STAKING_POOL_ID, "deposit_and_stake", {}, STAKING_DEPOSIT)
    if not outcome.ok:
        raise RuntimeError(f"lockup deposit_and_stake failed: {outcome.panic or outcome.error}")
    contract = chain.contracts[role.lockup_id]
    assert isinstance(contract, LockupContract)
    contract.record_pool_deposit(STAKING_DEPOSIT)


def install_lockups(
    chain: SandboxChain, schedule: Callable[[int, int, Callable[[], None]], None] | None = None
) -> dict[str, LockupRole]:
    """Create the owners and lockups of :data:`LOCKUPS`.

    ``schedule(epoch, offset, action)`` (the scenario builder's ``at``) runs the pool delegation at epoch
    E-30; without it the delegation happens at once (the pool must exist then).
    """
    for role in LOCKUPS.values():
        chain.create_account(role.owner_id, OWNER_BALANCE)
        chain.create_account(role.lockup_id, role.account_balance)
        chain.deploy(role.lockup_id, _contract(role))
    staking = LOCKUPS["staking"]
    if schedule is None:
        _stake_through_pool(chain, staking)
    else:
        schedule(DEFAULT_EPOCH + STAKING_EPOCH_OFFSET, 1_000, lambda: _stake_through_pool(chain, staking))
    return LOCKUPS
