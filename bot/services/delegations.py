"""Find an account's delegations: pools from the staking index (plus any the user named), balances from the
pools themselves, all pools read in parallel. Shared by `status` and `unbonding`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.near import errors
from bot.near.account_id import validate_account_id
from bot.near.liquid import providers_for
from bot.near.pools import Delegation, get_delegation
from bot.services.chain import Chain
from bot.services.results import PoolProblem

# Wallets hide unstaked amounts at or below 100 yocto: share-rounding dust (near-staking.md §2.5).
DUST_YOCTO = 100


def parse_account(text: str) -> str:
    try:
        return validate_account_id(text)
    except ValueError as exc:
        raise errors.InvalidInput(str(exc)) from exc


@dataclass
class DelegationScan:
    delegations: list[Delegation] = field(default_factory=list)
    problems: list[PoolProblem] = field(default_factory=list)
    complete: bool = True
    notes: list[str] = field(default_factory=list)


async def scan_delegations(
    chain: Chain, account_id: str, named_pools: Sequence[str] = (), *, use_index: bool = True
) -> DelegationScan:
    scan = DelegationScan()
    indexed: list[str] = []
    if use_index:
        try:
            listing = await chain.indexer.staking_pools(account_id)
            indexed = listing.pool_ids
            if listing.ignored:
                scan.notes.append(
                    f"The staking index listed {listing.ignored} {'entry' if listing.ignored == 1 else 'entries'} "
                    "that are not valid pool ids; they were ignored."
                )
        except errors.IndexerUnavailable:
            scan.complete = False
            scan.notes.append(
                "The staking index could not be read, so this list of pools may be partial. "
                f"Name a pool to check it directly: status {account_id} <pool_id>."
            )
    # Liquid-staking contracts answer `get_account` like a pool, but their positions are reported (once) as
    # liquid staking, with their own unlock views.
    liquid = {p.contract_id for p in providers_for(chain.network)}
    pool_ids = [p for p in dict.fromkeys([*indexed, *named_pools]) if p not in liquid]
    reads = await asyncio.gather(*(get_delegation(chain.rpc, p, account_id) for p in pool_ids), return_exceptions=True)
    for pool_id, read in zip(pool_ids, reads, strict=True):
        if isinstance(read, errors.NearError):
            scan.problems.append(PoolProblem(pool_id=pool_id, kind=read.kind, message=read.message))
            if read.unreachable:
                scan.complete = False
            continue
        if isinstance(read, BaseException):
            raise read
        if read.is_empty and pool_id not in named_pools:
            continue  # the index lists pools ever used; an emptied one is not a delegation
        scan.delegations.append(read)
        if 0 < read.unstaked <= DUST_YOCTO:
            scan.notes.append(
                f"{pool_id}: {read.unstaked} yoctoNEAR unstaked is rounding dust from share math, not stuck money."
            )
    return scan
