"""What a stake checks about the pool before it prepares anything: that it is a staking pool (its code, or its
answers to the staking-pool interface), that the amount buys at least one share, and whether new stake would earn
(paused, kicked out, leaving the validator set). `PoolChecks` starts every read at once, in the answer's first round
trip; the checks then await them in the order a person should hear them. And which pool ids are liquid-staking
contracts instead, whose planner is another."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from bot.near import errors
from bot.near.contracts import POOL_CODE_HASHES, ContractKind, account_contract_kind
from bot.near.liquid import LiquidProvider, providers_for
from bot.near.models import ValidatorsResponse
from bot.near.pool_state import likely_layout
from bot.near.pools import NotAStakingPool
from bot.services.chain import Chain, prefetch
from bot.services.pool import validator_info


def liquid_provider(chain: Chain, pool_id: str) -> LiquidProvider | None:
    """The liquid-staking provider whose contract `pool_id` is (stake / unstake / withdraw go to its planner)."""
    return next((p for p in providers_for(chain.network) if p.contract_id == pool_id), None)


async def verify_pool(chain: Chain, pool_id: str) -> ContractKind:
    """Refuse anything that is not a staking pool: a deposit to an arbitrary contract is how people get drained."""
    account = await chain.rpc.view_account(pool_id)
    kind = account_contract_kind(account)
    if account.effective_code_hash in POOL_CODE_HASHES:
        return kind
    if not account.has_contract:
        raise NotAStakingPool(pool_id, "it is a plain account with no contract. Sending stake there would be a transfer.")
    try:
        await asyncio.gather(
            chain.rpc.view_function(pool_id, "get_reward_fee_fraction"),
            chain.rpc.view_function(pool_id, "get_total_staked_balance"),
            chain.rpc.view_function(pool_id, "get_account", {"account_id": pool_id}),
        )
    except (errors.MethodNotFound, errors.ContractPanic, errors.ContractExecutionError) as exc:
        raise NotAStakingPool(
            pool_id, "its contract is not a known staking pool and does not answer the staking-pool interface."
        ) from exc
    return ContractKind.UNKNOWN


async def pool_state(chain: Chain, pool_id: str) -> bytes | None:
    """The pool's STATE value, None when it cannot be read."""
    try:
        result = await chain.rpc.view_state(pool_id, b"STATE", limit=1)
    except errors.NearError:
        return None
    return next((item.value_bytes for item in result.values if item.key_bytes == b"STATE"), None)


async def share_price_check(
    chain: Chain, pool_id: str, kind: ContractKind, amount: int, state: Awaitable[bytes | None] | None = None
) -> str | None:
    """Refusal text when `amount` buys no share (stake asserts shares > 0, near-staking.md §2.5). `state`: the
    pool's STATE read when it was started earlier."""
    if kind is not ContractKind.POOLV1:
        return None  # only the core pool's STATE layout is documented (near-staking.md §3.1)
    raw = await (state if state is not None else pool_state(chain, pool_id))
    totals = _pool_totals(raw) if raw else None
    if totals is None:
        return None
    total_shares, total_staked = totals
    if total_staked and amount * total_shares // total_staked == 0:
        return (
            f"{amount} yoctoNEAR is less than the price of one pool share "
            f"({-(-total_staked // total_shares)} yoctoNEAR), so the pool would refuse it. Stake more."
        )
    return None


def _pool_totals(raw: bytes) -> tuple[int, int] | None:
    """(total_stake_shares, total_staked_balance) from the core pool's STATE (near-staking.md §3.1)."""
    try:
        (owner_len,) = struct.unpack_from("<I", raw, 0)
        offset = 4 + owner_len
        (key_len,) = struct.unpack_from("<I", raw, offset)
        offset += 4 + key_len + 8 + 16  # stake key, last_epoch_height, last_total_balance
        total_shares = int.from_bytes(raw[offset : offset + 16], "little")
        total_staked = int.from_bytes(raw[offset + 16 : offset + 32], "little")
    except struct.error:
        return None
    if len(raw) < offset + 32 or total_shares == 0:
        return None
    return total_shares, total_staked


async def pool_standing(chain: Chain, pool_id: str) -> tuple[ValidatorsResponse, Any]:
    """What `pool_warnings` reads: the validator set and whether the pool paused staking."""
    validators, paused = await asyncio.gather(
        chain.rpc.validators(), chain.rpc.view_function(pool_id, "is_staking_paused")
    )
    return validators, paused


async def pool_warnings(
    chain: Chain, pool_id: str, kind: ContractKind,
    standing: Awaitable[tuple[ValidatorsResponse, Any]] | None = None,
) -> list[str]:
    """Why new stake at `pool_id` would not earn: unknown code, paused, kicked out, leaving the validator set.
    `standing`: `pool_standing`'s read when it was started earlier."""
    validators, paused = await (standing if standing is not None else pool_standing(chain, pool_id))
    warnings: list[str] = []
    if kind is ContractKind.UNKNOWN:
        warnings.append(f"{pool_id} runs contract code the bot does not recognise, though it answers like a pool.")
    if paused is True:
        warnings.append(f"{pool_id} has paused staking: new stake earns no rewards until the owner resumes it.")
    info = validator_info(pool_id, validators)
    if info.status == "kicked_out":
        warnings.append(f"{pool_id} was kicked out of the validator set ({info.kickout_reason}): stake there earns nothing now.")
    elif not info.in_next_epoch:
        warnings.append(f"{pool_id} is not in the next epoch's validator set: new stake will not earn rewards then.")
    return warnings


@dataclass
class PoolChecks:
    """What a stake's pool checks read, started together (one round trip): the pool's code (`verify_pool`), its STATE
    (the share price; only when it is likely a core pool, whose layout is documented) and its standing (validator
    set, paused). The checks then await them in the order a person should hear them."""

    kind: asyncio.Future[ContractKind]
    state: asyncio.Future[bytes | None] | None
    standing: asyncio.Future[tuple[ValidatorsResponse, Any]]

    @classmethod
    def start(cls, chain: Chain, pool_id: str) -> PoolChecks:
        state = prefetch(pool_state(chain, pool_id)) if likely_layout(pool_id) is ContractKind.POOLV1 else None
        return cls(prefetch(verify_pool(chain, pool_id)), state, prefetch(pool_standing(chain, pool_id)))
