""""Where are my tokens?": an account's balance and every delegation, read in two round trips.

Round trip 1: the account and the staking index in parallel; round trip 2: `get_account` on every pool in
parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.near import errors
from bot.near.account_id import validate_account_id
from bot.near.pools import Delegation, get_delegation
from bot.services.chain import Chain
from bot.services.results import DelegationEntry, PoolProblem, StatusResult

# nearcore runtime parameter `storage_amount_per_byte` = 10^19 yocto (docs.near.org storage staking:
# "1 NEAR per 100 kb").
STORAGE_YOCTO_PER_BYTE = 10**19
# Wallets hide unstaked amounts at or below 100 yocto: share-rounding dust (near-staking.md §2.5).
DUST_YOCTO = 100


def parse_account(text: str) -> str:
    try:
        return validate_account_id(text)
    except ValueError as exc:
        raise errors.InvalidInput(str(exc)) from exc


async def get_status(chain: Chain, account_id: str, pools: Sequence[str] = ()) -> StatusResult:
    account_id = parse_account(account_id)
    named_pools = [parse_account(p) for p in pools]
    account_read, index_read = await asyncio.gather(
        chain.rpc.view_account(account_id), chain.indexer.staking_pools(account_id), return_exceptions=True
    )
    if isinstance(account_read, BaseException):
        raise account_read
    notes: list[str] = []
    complete = not isinstance(index_read, BaseException)
    indexed: list[str] = [] if isinstance(index_read, BaseException) else index_read
    if not complete:
        notes.append(
            "The staking index could not be read, so this list of pools may be partial. "
            f"Name a pool to check it directly: status {account_id} <pool_id>."
        )
    pool_ids = list(dict.fromkeys([*indexed, *named_pools]))
    reads = await asyncio.gather(*(get_delegation(chain.rpc, p, account_id) for p in pool_ids), return_exceptions=True)

    delegations: list[DelegationEntry] = []
    problems: list[PoolProblem] = []
    for pool_id, read in zip(pool_ids, reads, strict=True):
        if isinstance(read, errors.NearError):
            problems.append(PoolProblem(pool_id=pool_id, kind=read.kind, message=read.message))
            if read.unreachable:
                complete = False
            continue
        if isinstance(read, BaseException):
            raise read
        if read.is_empty and pool_id not in named_pools:
            continue  # the index lists pools ever used; an emptied one is not a delegation
        delegations.append(_entry(read))
        if 0 < read.unstaked <= DUST_YOCTO:
            notes.append(
                f"{pool_id}: {read.unstaked} yoctoNEAR unstaked is rounding dust from share math, not stuck money."
            )

    storage_cost = account_read.storage_usage * STORAGE_YOCTO_PER_BYTE
    # Staked (locked) balance also covers storage, so only the shortfall is taken from the liquid amount.
    available = max(0, account_read.amount - max(0, storage_cost - account_read.locked))
    return StatusResult(
        account_id=account_id,
        amount_yocto=account_read.amount,
        locked_yocto=account_read.locked,
        storage_usage_bytes=account_read.storage_usage,
        storage_cost_yocto=storage_cost,
        available_yocto=available,
        has_contract=account_read.has_contract,
        delegations=delegations,
        total_staked_yocto=sum(d.staked_yocto for d in delegations),
        total_unstaked_yocto=sum(d.unstaked_yocto for d in delegations),
        delegations_complete=complete,
        pool_problems=problems,
        notes=notes,
        block_height=account_read.block_height,
    )


def _entry(read: Delegation) -> DelegationEntry:
    return DelegationEntry(
        pool_id=read.pool_id, staked_yocto=read.staked, unstaked_yocto=read.unstaked, can_withdraw=read.can_withdraw
    )
