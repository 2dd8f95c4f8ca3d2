""""What is my stNEAR / LiNEAR / rNEAR worth, and when does my unstake finish?"

Reads every liquid-staking provider of the network (bot/near/liquid.py) concurrently; a provider that fails is a
per-provider problem, the others are answered. Only providers where the account holds tokens or has a pending
unstake are listed. Values are floored (never rounded up); unlock epochs come from the contracts' own views, and
"withdrawable" is the provider's readiness rule (bot/near/liquid_readiness.py), never the views' `can_withdraw`.
"""

from __future__ import annotations

import asyncio

from bot.near import errors
from bot.near import liquid as near_liquid
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.liquid_readiness import new_unstake_wait
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.estimates import estimate_entry
from bot.services.results import LiquidHolding, LiquidPosition, LiquidResult, PoolProblem, UnbondingEntry

RULES = [
    "A delayed unstake burns the tokens at once, at that moment's price; the NEAR amount is fixed then and "
    "earns nothing while it waits.",
    "Withdraw is a separate step: nothing returns to your wallet by itself once the wait is over.",
]


async def _scan(
    chain: Chain, account_id: str, *, with_settlement: bool = False, with_exit: bool = False,
) -> tuple[list[near_liquid.LiquidPosition], list[PoolProblem]]:
    positions: list[near_liquid.LiquidPosition] = []
    problems: list[PoolProblem] = []
    reads = await near_liquid.read_positions(chain.rpc, chain.network, account_id, with_settlement=with_settlement,
                                             with_exit=with_exit)
    for provider, read in reads:
        if isinstance(read, errors.NearError):
            problems.append(
                PoolProblem(pool_id=provider.contract_id, kind=read.kind, message=f"{provider.name}: {read.message}")
            )
            continue
        if read.pending is None and read.token_balance > 0:
            problems.append(
                PoolProblem(
                    pool_id=provider.contract_id,
                    kind="pending_unknown",
                    message=" ".join(read.notes) or f"{provider.name}: pending unstakes could not be read.",
                )
            )
        if not read.is_empty:
            positions.append(read)
    return positions, problems


def _holding(position: near_liquid.LiquidPosition) -> LiquidHolding:
    pending = position.pending
    return LiquidHolding(
        contract_id=position.provider.contract_id,
        provider=position.provider.name,
        symbol=position.provider.symbol,
        token_balance=position.token_balance,
        near_value_yocto=position.near_value,
        pending_unstake_yocto=pending.amount if pending is not None else 0,
        can_withdraw=position.readiness.withdrawable if pending is not None and pending.amount > 0 else None,
    )


def _unbonding_entry(position: near_liquid.LiquidPosition, clock: EpochClock) -> UnbondingEntry | None:
    pending, readiness = position.pending, position.readiness
    if pending is None or pending.amount == 0:
        return None
    entry = estimate_entry(
        clock,
        pool_id=position.provider.contract_id,
        unstaked=pending.amount,
        staked=position.near_value,
        can_withdraw=readiness.withdrawable,
        available_epoch=pending.unlock_epoch,
        source="contract" if pending.unlock_epoch is not None else "unknown",
        # No upper bound is claimed: liquid-staking delays vary (4 or 8 epochs, LiNEAR +1; seed-errata B2).
        latest_possible_epoch=None,
        source_note=pending.unknown_reason,
    )
    return entry.model_copy(update={"waiting_for": readiness.waiting_for, "waiting_note": readiness.reason})


async def liquid_holdings(chain: Chain, account_id: str) -> tuple[list[LiquidHolding], list[PoolProblem]]:
    """Liquid-staking holdings for `status`: one entry per provider with tokens or a pending unstake."""
    account_id = parse_account(account_id)
    positions, problems = await _scan(chain, account_id)
    return [_holding(p) for p in positions], problems


async def liquid_unbonding(chain: Chain, account_id: str, clock: EpochClock) -> list[UnbondingEntry]:
    """Pending delayed unstakes at liquid-staking providers, as `unbonding` entries (pool_id = contract id).

    Providers that cannot be read are left out here; `liquid_holdings` reports them as problems.
    """
    return liquid_unbonding_entries(await liquid_positions(chain, account_id), clock)


async def liquid_positions(chain: Chain, account_id: str) -> list[near_liquid.LiquidPosition]:
    """The positions alone (no epoch needed), so callers can read them alongside everything else."""
    positions, _ = await _scan(chain, parse_account(account_id))
    return positions


def liquid_unbonding_entries(positions: list[near_liquid.LiquidPosition], clock: EpochClock) -> list[UnbondingEntry]:
    return [entry for entry in (_unbonding_entry(p, clock) for p in positions) if entry is not None]


def _position(position: near_liquid.LiquidPosition, clock: EpochClock) -> LiquidPosition:
    provider, pending = position.provider, position.pending
    wait = new_unstake_wait(
        provider, clock.epoch_height, live_delay=position.current_delay_epochs, settlements=position.settlements
    )
    notes = list(position.notes)
    if position.token_balance > 0 and wait.note:
        notes.append(wait.note)
    return LiquidPosition(
        contract_id=provider.contract_id,
        provider=provider.name,
        symbol=provider.symbol,
        token_balance=position.token_balance,
        price_yocto=position.price,
        near_value_yocto=position.near_value,
        pending_unstake_yocto=pending.amount if pending is not None else None,
        can_withdraw=position.readiness.withdrawable if pending is not None and pending.amount > 0 else None,
        unbonding=_unbonding_entry(position, clock),
        instant_exit=provider.instant_exit,
        instant_receive_yocto=position.instant.receive if position.instant else None,
        instant_fee_yocto=position.instant.fee if position.instant else None,
        wait_epochs=wait.epochs,
        wait_estimated_unix=clock.estimated_epoch_start_ns(clock.epoch_height + wait.epochs) // NS_PER_SECOND,
        block_height=position.block_height,
        notes=notes,
    )


async def get_liquid(chain: Chain, account_id: str) -> LiquidResult:
    """The `liquid` command: every liquid-staking position with value, pending unstake and exit options."""
    account_id = parse_account(account_id)
    chain = chain.at_final()
    account, clock, scan = await asyncio.gather(
        chain.rpc.view_account(account_id),  # unknown accounts are an error, not "no positions"
        read_epoch_clock(chain.rpc),
        _scan(chain, account_id, with_settlement=True, with_exit=True),
        return_exceptions=True,
    )
    for outcome in (account, clock, scan):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(clock, EpochClock) and isinstance(scan, tuple)
    positions, problems = scan
    notes = []
    if not near_liquid.providers_for(chain.network):
        notes.append(f"No liquid-staking providers are known on {chain.network}.")
    if positions:
        notes.extend(RULES)
    return LiquidResult(
        account_id=account_id,
        current_epoch=clock.epoch_height,
        head_unix=clock.head_timestamp_ns // NS_PER_SECOND,
        positions=[_position(p, clock) for p in positions],
        provider_problems=problems,
        notes=notes,
    )
