"""Prepare stake / unstake / withdraw for the user's own wallet, after pre-flight checks that refuse or warn
wherever signing would fail or hurt them. Nothing here signs or could sign: there is no key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from bot.near import errors
from bot.near.pools import Delegation, get_delegation
from bot.near.staking_calls import (
    pool_deposit_and_stake,
    pool_unstake,
    pool_unstake_all,
    pool_withdraw,
    pool_withdraw_all,
)
from bot.near.transactions import UnsignedTransaction
from bot.near.units import format_near
from bot.near.wallet_links import mynearwallet_staking_url
from bot.services.chain import Chain, prefetch
from bot.services.delegations import parse_account
from bot.services.liquid_actions import plan_liquid_stake, plan_liquid_unstake, plan_liquid_withdraw
from bot.services.lockup.finding import lockup_itself
from bot.services.lockup_actions import (
    lockup_offer,
    plan_lockup_stake,
    plan_lockup_unstake,
    plan_lockup_withdraw,
)
from bot.services.planning import (
    GAS_RESERVE_YOCTO,
    ActionRefused,
    PoolChecks,
    build_action,
    liquid_provider,
    parse_amount,
    parse_amount_or_all,
    pool_warnings,
    share_price_check,
    spendable_of,
    unstake_checks,
    utc_text,
    verify_pool,
    withdraw_checks,
)
from bot.services.results import ActionKind, ActionResult

# Imported from here by the command layer and the alerts.
__all__ = ["ActionRefused", "parse_amount", "plan_stake", "plan_unstake", "plan_withdraw", "utc_text"]


def _build(
    chain: Chain, action: ActionKind, signer: str, pool_id: str, amount: int | None, summary: str,
    tx: UnsignedTransaction, warnings: list[str], page: str | None,
) -> ActionResult:
    page_url = mynearwallet_staking_url(pool_id, chain.network, page)
    return build_action(chain, action, signer, pool_id, amount, summary, [tx], warnings, page_url)


async def _lockup_hint(chain: Chain, account_id: str, pool_id: str | None = None, amount: int | None = None) -> str:
    """A sentence offering --from-lockup when the account's lockup holds what the plain action lacks ("" if not)."""
    try:
        return await lockup_offer(chain, account_id, pool_id, amount)
    except errors.NearError:
        return ""  # a hint is best-effort: the refusal stands without it


async def plan_stake(
    chain: Chain, account_id: str, pool_id: str, amount_text: str, *, from_lockup: bool = False,
    lockup_id: str | None = None,
) -> ActionResult:
    """Stake with a pool, a liquid-staking contract (routed by contract id) or, `from_lockup` (or a named
    `lockup_id`), through the lockup."""
    account_id, pool_id = parse_account(account_id), parse_account(pool_id)
    # One block, one round trip: what a stake with a pool reads goes out at once, with the check whether the signer
    # is itself a lockup; the checks then run in the order they matter.
    chain = chain.at_final()
    provider = liquid_provider(chain, pool_id)
    plain = not (from_lockup or lockup_id) and provider is None
    checks = PoolChecks.start(chain, pool_id) if plain else None
    account_read = prefetch(chain.rpc.view_account(account_id)) if plain else None
    if from_lockup or lockup_id or await _signs_as_lockup(chain, account_id):
        return await plan_lockup_stake(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        return await plan_liquid_stake(chain, account_id, provider, amount_text)
    assert checks is not None and account_read is not None
    amount = parse_amount(amount_text)
    kind, account = await _in_order(checks.kind, account_read)
    spendable = spendable_of(account)
    if amount > spendable:
        hint = await _lockup_hint(chain, account_id, None, amount)
        raise ActionRefused(
            f"{account_id} can stake at most {format_near(spendable)} (balance {format_near(account.amount)}, "
            f"minus storage and {format_near(GAS_RESERVE_YOCTO)} kept for fees). Try a smaller amount.{hint}"
        )
    too_small = await share_price_check(chain, pool_id, kind, amount, checks.state)
    if too_small:
        raise ActionRefused(too_small)
    warnings = await pool_warnings(chain, pool_id, kind, checks.standing)
    tx = UnsignedTransaction(account_id, pool_id, (pool_deposit_and_stake(amount),))
    summary = f"Stake {format_near(amount)} with {pool_id} from {account_id} (deposit_and_stake)."
    return _build(chain, "stake", account_id, pool_id, amount, summary, tx, warnings, "stake")


async def _signs_as_lockup(chain: Chain, account_id: str) -> bool:
    """A lockup account named as the signer: its owner signs through the lockup instead (a plain pool call signed
    by the lockup account itself cannot be signed in any wallet)."""
    try:
        return await lockup_itself(chain, account_id) is not None
    except errors.AccountNotFound:
        return False


async def _in_order(*reads: Awaitable[Any]) -> list[Any]:
    """Every read at once; a failure is raised in the order given (the pool's before the account's), as if the reads
    had been made one after another."""
    outcomes = await asyncio.gather(*reads, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


async def _delegation(chain: Chain, account_id: str, pool_id: str) -> Delegation:
    _, delegation = await _in_order(verify_pool(chain, pool_id), get_delegation(chain.rpc, pool_id, account_id))
    assert isinstance(delegation, Delegation)
    return delegation


async def plan_unstake(
    chain: Chain, account_id: str, pool_id: str, amount_text: str, *, from_lockup: bool = False,
    instant: bool = False, lockup_id: str | None = None,
) -> ActionResult:
    """Unstake from a pool, a liquid-staking contract (`instant`: Meta Pool's liquid_unstake) or the lockup's pool."""
    account_id, pool_id = parse_account(account_id), parse_account(pool_id)
    chain = chain.at_final()
    provider = liquid_provider(chain, pool_id)
    # Read with the check whether the signer is itself a lockup (one round trip).
    plain = not (from_lockup or lockup_id or instant) and provider is None
    delegation_read = prefetch(_delegation(chain, account_id, pool_id)) if plain else None
    if from_lockup or lockup_id or (not instant and await _signs_as_lockup(chain, account_id)):
        if instant:
            raise ActionRefused("--instant applies to liquid-staking tokens only; a lockup unstakes from a pool.")
        return await plan_lockup_unstake(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        return await plan_liquid_unstake(chain, account_id, provider, amount_text, instant=instant)
    if instant:
        raise ActionRefused(
            f"{pool_id} is a staking pool: pools have no instant exit, an unstake always waits 4 epochs. --instant "
            "applies to liquid-staking tokens (Meta Pool's liquid_unstake)."
        )
    amount = parse_amount_or_all(amount_text)
    assert delegation_read is not None
    delegation = await delegation_read
    hint = await _lockup_hint(chain, account_id, pool_id) if delegation.staked == 0 else ""
    warnings = unstake_checks(
        account_id, pool_id, amount,
        staked=delegation.staked, unstaked=delegation.unstaked, can_withdraw=delegation.can_withdraw,
        withdraw_first="withdraw first.", hint=hint,
    )
    warnings.append("Unstaked NEAR stops earning rewards and can be withdrawn after 4 epochs, in a separate step.")
    call = pool_unstake_all() if amount is None else pool_unstake(amount)
    shown = delegation.staked if amount is None else amount
    tx = UnsignedTransaction(account_id, pool_id, (call,))
    summary = f"Unstake {format_near(shown)} from {pool_id} for {account_id} ({call.method_name})."
    return _build(chain, "unstake", account_id, pool_id, shown, summary, tx, warnings, "unstake")


async def plan_withdraw(
    chain: Chain, account_id: str, pool_id: str, amount_text: str | None = None, *, from_lockup: bool = False,
    lockup_id: str | None = None,
) -> ActionResult:
    """Withdraw unstaked NEAR from a pool, a liquid-staking contract or (`from_lockup`) the lockup's pool."""
    account_id, pool_id = parse_account(account_id), parse_account(pool_id)
    chain = chain.at_final()
    provider = liquid_provider(chain, pool_id)
    # Read with the check whether the signer is itself a lockup (one round trip).
    plain = not (from_lockup or lockup_id) and provider is None
    delegation_read = prefetch(_delegation(chain, account_id, pool_id)) if plain else None
    if from_lockup or lockup_id or await _signs_as_lockup(chain, account_id):
        return await plan_lockup_withdraw(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        return await plan_liquid_withdraw(chain, account_id, provider, amount_text)
    amount = parse_amount_or_all(amount_text)
    assert delegation_read is not None
    delegation = await delegation_read
    hint = await _lockup_hint(chain, account_id, pool_id) if delegation.unstaked == 0 else ""
    warnings = await withdraw_checks(
        chain, account_id, pool_id, amount, unstaked=delegation.unstaked, can_withdraw=delegation.can_withdraw,
        holder=account_id, hint=hint,
    )
    call = pool_withdraw_all() if amount is None else pool_withdraw(amount)
    shown = delegation.unstaked if amount is None else amount
    tx = UnsignedTransaction(account_id, pool_id, (call,))
    summary = f"Withdraw {format_near(shown)} from {pool_id} to {account_id} ({call.method_name})."
    return _build(chain, "withdraw", account_id, pool_id, shown, summary, tx, warnings, None)
