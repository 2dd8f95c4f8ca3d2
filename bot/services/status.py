""""Where are my tokens?": an account's balance and its delegations in the pools checked: those the staking
index lists, those named, and with `scan` every pool of the validator set (bot/services/delegations.py).

Every figure describes one block (Chain.at_final). Round trip 1: everything the account id alone leads to, in
parallel: the account, the staking index, the derived lockup ids and the veNEAR contract's answer with their reads,
the block (whose timestamp a lockup's balances are computed at) and the liquid-staking contracts' balances, prices and
pending unstakes; round trip 2: `get_account` on every pool the index lists, and the liquid-staking readiness checks
where an unstake is pending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.near import errors
from bot.near.units import format_near
from bot.services.chain import Chain
from bot.services.delegations import parse_account, scan_delegations
from bot.services.liquid import liquid_holdings
from bot.services.lockup import lockup_summaries
from bot.services.results import DelegationEntry, LiquidHolding, LockupSummary, PoolProblem, StatusResult

# nearcore runtime parameter `storage_amount_per_byte` = 10^19 yocto (docs.near.org storage staking:
# "1 NEAR per 100 kb").
STORAGE_YOCTO_PER_BYTE = 10**19


async def get_status(
    chain: Chain, account_id: str, pools: Sequence[str] = (), *, lockups: Sequence[str] = (),
    linked: Sequence[str] = (), scan: bool = False,
) -> StatusResult:
    """`lockups`: lockup accounts the user named (a lockup deployed from the global contract can live at any id);
    `linked`: the user's linked accounts, attached quietly when one is a lockup of this account; `scan`: also check
    every pool of the validator set, in case the staking index missed a delegation."""
    account_id = parse_account(account_id)
    named_pools = [parse_account(p) for p in pools]
    named_lockups = [parse_account(x) for x in lockups]
    chain = chain.at_final()
    # Lockups and liquid staking are read alongside the account and pools: same round trips, not extra ones.
    account, delegated, found, liquid = await asyncio.gather(
        chain.rpc.view_account(account_id),
        scan_delegations(chain, account_id, named_pools, scan=scan),
        lockup_summaries(chain, account_id, named_lockups, linked=[x for x in linked if x != account_id]),
        liquid_holdings(chain, account_id),
        return_exceptions=True,
    )
    if isinstance(account, BaseException):
        raise account
    if isinstance(delegated, BaseException):
        raise delegated
    problems = list(delegated.problems)
    notes = list(delegated.notes)
    summaries, itself = _lockups_read(found, notes)
    holdings = _liquid_read(liquid, notes, problems)
    storage_cost = account.storage_usage * STORAGE_YOCTO_PER_BYTE
    # Staked (locked) balance also covers storage, so only the shortfall is taken from the liquid amount.
    available = max(0, account.amount - max(0, storage_cost - account.locked))
    if itself is not None:
        # A lockup account's NEAR is not spendable: only what the owner can `transfer` out of it moves.
        available = min(available, itself.liquid_owners_balance_yocto)
        summaries = [itself]
        notes.append(
            f"{account_id} is a lockup contract of {itself.owner_id}: its balance is the lockup's. Only "
            f"{format_near(itself.liquid_owners_balance_yocto)} can be moved out now, by the owner (`lockup "
            f"{account_id}` explains the rest)."
        )
    delegations = [
        DelegationEntry(pool_id=d.pool_id, staked_yocto=d.staked, unstaked_yocto=d.unstaked, can_withdraw=d.can_withdraw,
                        found_by=delegated.found_by.get(d.pool_id, "index"))
        for d in delegated.delegations
    ]
    return StatusResult(
        account_id=account_id,
        amount_yocto=account.amount,
        locked_yocto=account.locked,
        storage_usage_bytes=account.storage_usage,
        storage_cost_yocto=storage_cost,
        available_yocto=available,
        has_contract=account.has_contract,
        delegations=delegations,
        total_staked_yocto=sum(d.staked_yocto for d in delegations),
        total_unstaked_yocto=sum(d.unstaked_yocto for d in delegations),
        delegations_complete=delegated.complete,
        delegations_checked=delegated.checked,
        scanned_pools=delegated.scanned_pools,
        pool_problems=problems,
        notes=notes,
        block_height=account.block_height,
        lockup=summaries[0] if summaries else None,
        liquid=holdings,
        lockups=summaries,
        lockup_of=itself.owner_id if itself else None,
        deployment=account.deployment,
        global_contract_hash=account.global_contract_hash,
        global_contract_account_id=account.global_contract_account_id,
    )


def _lockups_read(
    found: tuple[list[LockupSummary], LockupSummary | None, list[str]] | BaseException, notes: list[str]
) -> tuple[list[LockupSummary], LockupSummary | None]:
    """(the account's lockups, the account itself when it is a lockup); a chain error becomes a note."""
    if isinstance(found, errors.NearError):
        notes.append(f"The lockup could not be read: {found.message}")
        return [], None
    if isinstance(found, BaseException):
        raise found
    summaries, itself, lockup_notes = found
    notes.extend(lockup_notes)
    return summaries, itself


def _liquid_read(
    liquid: tuple[list[LiquidHolding], list[PoolProblem]] | BaseException, notes: list[str],
    problems: list[PoolProblem],
) -> list[LiquidHolding]:
    """The account's liquid-staking holdings; a chain error becomes a note, a provider's problem a pool problem."""
    if isinstance(liquid, errors.NearError):
        notes.append(f"Liquid-staking tokens could not be read: {liquid.message}")
        return []
    if isinstance(liquid, BaseException):
        raise liquid
    holdings, liquid_problems = liquid
    # A provider contract missing on this network (a private RPC, say) is not the user's problem.
    problems.extend(
        PoolProblem(pool_id=p.pool_id, kind=p.kind, message=p.message)
        for p in liquid_problems
        if p.kind != "account_not_found"
    )
    return holdings
