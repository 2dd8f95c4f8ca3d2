"""Find an account's delegations: pools from the staking index (plus any the user named, plus, on request, every
pool of the validator set), balances from the pools themselves, all pools read in parallel. Shared by `status`,
`unbonding` and `diagnose`.

The index (FastNEAR `/v1/account/{id}/staking`) is the only map of where an account staked, and it can miss a
pool (lag, an indexing gap). So an answer says exactly what it checked, and a scan checks the account in every
pool the validators RPC knows: current and next validators, current proposals and last epoch's kicked-out pools.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field

from bot.near import errors
from bot.near.account_id import validate_account_id
from bot.near.epochs import read_epoch_at
from bot.near.indexer import IndexedPools
from bot.near.liquid import providers_for
from bot.near.models import ValidatorsResponse
from bot.near.pools import Delegation, get_delegation
from bot.services.chain import Chain
from bot.services.results import FoundBy, PoolProblem

# Wallets hide unstaked amounts at or below 100 yocto: share-rounding dust (near-staking.md §2.5).
DUST_YOCTO = 100

INDEX_CHECKED = "every pool the staking index lists"
SCAN_CHECKED = "every pool of the validator set (current and next validators, proposals, last epoch's kicked-out)"


def parse_account(text: str) -> str:
    try:
        return validate_account_id(text)
    except ValueError as exc:
        raise errors.InvalidInput(str(exc)) from exc


@dataclass
class PoolCandidates:
    """Where to look, and how each pool was found (index first, then named, then the validator set)."""

    pools: dict[str, FoundBy] = field(default_factory=dict)
    index_read: bool | None = None  # None: the index was not asked
    scan_read: bool | None = None  # the validator set: None = not asked, False = could not be read
    scanned: int | None = None  # pools only the scan brought in; None: no scan
    complete: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class DelegationScan:
    delegations: list[Delegation] = field(default_factory=list)
    found_by: dict[str, FoundBy] = field(default_factory=dict)
    problems: list[PoolProblem] = field(default_factory=list)
    complete: bool = True
    notes: list[str] = field(default_factory=list)
    checked: str = INDEX_CHECKED
    scanned_pools: int | None = None


def validator_set_pools(validators: ValidatorsResponse) -> list[str]:
    """Every account the validators RPC names this epoch: current and next validators, proposals, kicked out."""
    groups = (
        validators.current_validators,
        validators.next_validators,
        validators.current_proposals,
        validators.prev_epoch_kickout,
    )
    return list(dict.fromkeys(entry.account_id for group in groups for entry in group))


async def index_pools(chain: Chain, account_id: str) -> IndexedPools | None:
    """The pools the staking index lists, or None when it cannot say."""
    try:
        return await chain.indexer.staking_pools(account_id, asked_at=chain.rpc.asked_at)
    except errors.IndexerUnavailable:
        return None


async def find_pools(
    chain: Chain,
    account_id: str,
    named_pools: Sequence[str] = (),
    *,
    index: Awaitable[IndexedPools | None] | None = None,
    scan: bool = False,
) -> PoolCandidates:
    """Candidate pools. `index` is the staking-index read (None: do not use the index); with `scan`, the validator
    set of the chain's block (pinned or final) is added."""
    found = PoolCandidates()
    validators_read = asyncio.ensure_future(read_epoch_at(chain.rpc)) if scan else None
    indexed: list[str] = []
    if index is not None:
        listed = await index
        found.index_read = listed is not None
        if listed is None:
            found.complete = False
            found.notes.append(
                "The staking index could not be read, so this list of pools may be partial. "
                f"Name a pool to check it directly (status {account_id} <pool_id>), or scan the validator set "
                f"(status {account_id} --scan)."
            )
        else:
            indexed = listed.pool_ids
            if listed.ignored:
                found.notes.append(
                    f"The staking index listed {listed.ignored} {'entry' if listed.ignored == 1 else 'entries'} "
                    "that are not valid pool ids; they were ignored."
                )
    # Liquid-staking contracts answer `get_account` like a pool, but their positions are reported (once) as
    # liquid staking, with their own unlock views.
    liquid = {p.contract_id for p in providers_for(chain.network)}
    sources: list[tuple[str, FoundBy]] = [*((p, "index") for p in indexed), *((p, "named") for p in named_pools)]
    for pool_id, how in sources:
        if pool_id not in liquid:
            found.pools.setdefault(pool_id, how)
    if validators_read is not None:
        try:
            at = await validators_read
        except errors.NearError as exc:
            found.complete, found.scan_read, found.scanned = False, False, 0
            found.notes.append(f"The validator set could not be read, so no pools were scanned ({exc.message}).")
        else:
            extra = [p for p in validator_set_pools(at.validators) if p not in liquid and p not in found.pools]
            found.pools.update((p, "scan") for p in extra)
            found.scan_read, found.scanned = True, len(extra)
    return found


def _checked(found: PoolCandidates, named: int) -> str:
    parts = []
    if found.index_read:
        parts.append(INDEX_CHECKED)
    elif found.index_read is False:
        parts.append("no pools from the staking index (it could not be read)")
    if named:
        parts.append(f"the {named} pool{'s' if named != 1 else ''} named")
    if found.scan_read:
        parts.append(SCAN_CHECKED)
    elif found.scan_read is False:
        parts.append("no pools of the validator set (it could not be read)")
    return ", ".join(parts) or "no pools"


async def read_delegations(chain: Chain, account_id: str, found: PoolCandidates) -> DelegationScan:
    """Every candidate pool's `get_account`, in parallel (the RPC client's per-endpoint limit keeps it polite)."""
    named = sum(1 for how in found.pools.values() if how == "named")
    scan = DelegationScan(complete=found.complete, notes=list(found.notes), checked=_checked(found, named),
                          scanned_pools=found.scanned)
    pool_ids = list(found.pools)
    reads = await asyncio.gather(*(get_delegation(chain.rpc, p, account_id) for p in pool_ids), return_exceptions=True)
    unread_scanned = 0
    for pool_id, read in zip(pool_ids, reads, strict=True):
        how = found.pools[pool_id]
        if isinstance(read, errors.NearError):
            if how == "scan":
                # A validator that is not a standard staking pool simply holds no delegation to report.
                unread_scanned += read.unreachable
                scan.complete = scan.complete and not read.unreachable
                continue
            scan.problems.append(PoolProblem(pool_id=pool_id, kind=read.kind, message=read.message))
            if read.unreachable:
                scan.complete = False
            continue
        if isinstance(read, BaseException):
            raise read
        if read.is_empty and how != "named":
            continue  # the index lists pools ever used; an emptied one is not a delegation
        scan.delegations.append(read)
        scan.found_by[pool_id] = how
        if how == "scan":
            missed = ("the staking index does not list this delegation" if found.index_read
                      else "the staking index could not be read")
            scan.notes.append(
                f"{pool_id}: {missed}; it was found by checking the account in every pool of the validator set."
            )
        if 0 < read.unstaked <= DUST_YOCTO:
            scan.notes.append(
                f"{pool_id}: the unstaked balance there is rounding dust from share math (less than 0.00001 NEAR), "
                "not stuck money."
            )
    if unread_scanned:
        scan.notes.append(f"{unread_scanned} pool(s) of the validator set could not be read; try the scan again.")
    return scan


async def scan_delegations(
    chain: Chain, account_id: str, named_pools: Sequence[str] = (), *, use_index: bool = True, scan: bool = False
) -> DelegationScan:
    index = index_pools(chain, account_id) if use_index else None
    return await read_delegations(chain, account_id, await find_pools(chain, account_id, named_pools, index=index,
                                                                        scan=scan))
