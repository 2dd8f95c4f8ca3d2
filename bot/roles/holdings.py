"""Read what verified accounts hold, once per account per pass, only what the rules in force ask about.

Every read of a pass is pinned to one final block (`Chain.at`). The RPC cost is per verified account (its
delegations from the staking index plus the pools the rules name; its lockups when a rule counts locked NEAR or
stake; each liquid-staking token when a rule counts them), never per rule × member.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from bot.near import errors
from bot.near.liquid import near_value, providers_for
from bot.roles.rules import Holdings
from bot.services.chain import Chain
from bot.services.delegations import find_pools, index_pools, read_delegations
from bot.services.lockup import lockup_summaries
from bot.storage import RoleRule

CONCURRENT_ACCOUNTS = 8


async def read_all(chain: Chain, accounts: Iterable[str], rules: Sequence[RoleRule]
                   ) -> tuple[int, dict[str, Holdings | errors.NearError]]:
    """(block height, holdings of each account or the NearError that stopped its read)."""
    block = await chain.rpc.block(finality="final")
    pinned = chain.at(block)
    kinds = {rule.kind for rule in rules}
    pools = sorted({rule.target_id for rule in rules if rule.kind == "pool_stake" and rule.target_id})
    limit = asyncio.Semaphore(CONCURRENT_ACCOUNTS)

    async def one(account_id: str) -> Holdings | errors.NearError:
        async with limit:
            try:
                return await read_account(pinned, account_id, kinds, pools)
            except errors.NearError as exc:
                return exc

    names = sorted(set(accounts))
    found = await asyncio.gather(*(one(a) for a in names))
    return block.header.height, dict(zip(names, found, strict=True))


async def read_account(chain: Chain, account_id: str, kinds: set[str], pools: Sequence[str]) -> Holdings:
    """What `account_id` holds, read at the block `chain` is pinned to (its lockups' balances at that block's time)."""
    holdings = Holdings()
    stake_kinds = {"pool_stake", "total_stake"} & kinds
    lockup_ids: list[str] = []
    if "locked" in kinds or stake_kinds:
        summaries, _itself, _notes = await lockup_summaries(chain, account_id)
        holdings.locked = sum(s.locked_yocto for s in summaries)
        lockup_ids = [s.lockup_id for s in summaries]
    if stake_kinds:
        # Stake through a lockup is the owner's stake too (the lockup is the pool's delegator).
        for delegator in [account_id, *lockup_ids]:
            index = index_pools(chain, delegator) if "total_stake" in kinds else None
            found = await find_pools(chain, delegator, pools, index=index)
            scan = await read_delegations(chain, delegator, found)
            if not scan.complete:
                raise errors.RpcUnavailable(f"The stake of {delegator} could not be read completely.")
            for delegation in scan.delegations:
                holdings.staked_by_pool[delegation.pool_id] += delegation.staked
    if "liquid" in kinds:
        await _liquid(chain, account_id, holdings)
    return holdings


async def _liquid(chain: Chain, account_id: str, holdings: Holdings) -> None:
    for provider in providers_for(chain.network):
        raw = await chain.rpc.view_function(provider.contract_id, "ft_balance_of", {"account_id": account_id})
        balance = int(raw) if isinstance(raw, str) and raw.isdigit() else None
        if balance is None:
            raise errors.MalformedResponse(f"{provider.contract_id}.ft_balance_of answered in an unexpected shape.")
        if balance == 0:
            continue
        price = await chain.rpc.view_function(provider.contract_id, provider.price_method, {})
        if not (isinstance(price, str) and price.isdigit()):
            raise errors.MalformedResponse(f"{provider.contract_id}.{provider.price_method} answered in an unexpected shape.")
        holdings.liquid_by_contract[provider.contract_id] += near_value(balance, int(price))
