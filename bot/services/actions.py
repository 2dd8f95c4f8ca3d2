"""Prepare stake / unstake / withdraw for the user's own wallet, after pre-flight checks that refuse or warn
wherever signing would fail or hurt them. Nothing here signs or could sign: there is no key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.near import errors
from bot.near.cli_commands import near_cli_legacy, near_cli_rs
from bot.near.liquid import LiquidProvider, providers_for
from bot.near.models import AccountView
from bot.near.pools import Delegation, get_delegation
from bot.near.staking_calls import (
    pool_deposit_and_stake,
    pool_unstake,
    pool_unstake_all,
    pool_withdraw,
    pool_withdraw_all,
)
from bot.near.transactions import FunctionCall, UnsignedTransaction
from bot.near.units import AmountError, format_near, parse_near_amount
from bot.near.wallet_links import mynearwallet_sign_url, mynearwallet_staking_url
from bot.services.chain import Chain, prefetch
from bot.services.delegations import DUST_YOCTO, parse_account
from bot.services.pool_checks import PoolChecks, pool_warnings, share_price_check, verify_pool
from bot.services.results import ActionCall, ActionResult, ActionTransaction
from bot.services.status import STORAGE_YOCTO_PER_BYTE
from bot.services.unbonding import get_unbonding

# Kept back from a stake so the account can still pay for transactions (a 125 TGas call costs ~0.0125 NEAR at
# the minimum gas price of 10^8 yocto/gas). A policy of this bot, not a protocol rule.
GAS_RESERVE_YOCTO = 5 * 10**22  # 0.05 NEAR


class ActionRefused(errors.NearError):
    """The action would fail on chain or hurt the user; the message says why and what to do instead."""

    kind = "action_refused"
    bad_input = True


def utc_text(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def parse_amount(text: str) -> int:
    try:
        amount = parse_near_amount(text)
    except AmountError as exc:
        raise errors.InvalidInput(str(exc)) from exc
    if amount == 0:
        raise errors.InvalidInput("The amount must be more than zero.")
    return amount


SIGN_STEPS = [
    "Open the MyNearWallet link in the browser where you use MyNearWallet, check the receiver, method, "
    "amount and gas on the wallet's screen, then approve. Or run the command with your own key store.",
    "Nobody, this bot included, ever needs your seed phrase or private key.",
]


def build_action(
    chain: Chain,
    action: str,
    signer: str,
    pool_id: str,
    amount: int | None,
    summary: str,
    transactions: Sequence[UnsignedTransaction],
    warnings: list[str],
    page_url: str | None,
    **extra: Any,
) -> ActionResult:
    """The ActionResult for `transactions`, signed in this order by `signer` in their own wallet.

    One MyNearWallet link carries every transaction (nonces 1, 2, …; the wallet sends them one after another,
    wallet-links.md §2.3). With more than one, each also gets its own link `mynearwallet_step_<n>`: a 2-transaction
    link is ~700 characters, too long for a Discord link button (512), and a step can be retried alone.
    """
    links = {"mynearwallet": mynearwallet_sign_url(list(transactions), chain.network)}
    if len(transactions) > 1:
        for index, tx in enumerate(transactions, start=1):
            links[f"mynearwallet_step_{index}"] = mynearwallet_sign_url([tx], chain.network)
    if page_url:
        links["mynearwallet_staking"] = page_url
    steps = list(SIGN_STEPS)
    if len(transactions) > 1:
        order = "; ".join(
            f"{index}. {tx.receiver_id} {', '.join(a.method_name for a in tx.actions)}"
            for index, tx in enumerate(transactions, start=1)
        )
        steps.insert(
            1,
            f"This takes {len(transactions)} transactions, in this order: {order}. The one link asks the wallet to "
            "sign them one after another (a failure stops the rest). Or use the step links one at a time, each "
            "after the previous one succeeded.",
        )
    return ActionResult(
        action=action,  # type: ignore[arg-type]
        signer_id=signer,
        pool_id=pool_id,
        amount_yocto=amount,
        summary=summary,
        transactions=[
            ActionTransaction(
                receiver_id=tx.receiver_id,
                actions=[
                    ActionCall(method_name=a.method_name, args=a.args, gas=a.gas, deposit=a.deposit)
                    for a in tx.actions
                ],
            )
            for tx in transactions
        ],
        links=links,
        commands={
            "near_cli_rs": "\n".join(near_cli_rs(tx, chain.network) for tx in transactions),
            "near_cli_legacy": "\n".join(near_cli_legacy(tx, chain.network) for tx in transactions),
        },
        warnings=warnings,
        steps=steps,
        **extra,
    )


def _build(
    chain: Chain, action: str, signer: str, pool_id: str, amount: int | None, summary: str,
    tx: UnsignedTransaction, warnings: list[str], page: str | None,
) -> ActionResult:
    page_url = mynearwallet_staking_url(pool_id, chain.network, page)
    return build_action(chain, action, signer, pool_id, amount, summary, [tx], warnings, page_url)


def single_call(signer: str, receiver: str, call: FunctionCall) -> UnsignedTransaction:
    return UnsignedTransaction(signer, receiver, (call,))


def spendable_of(account: AccountView) -> int:
    """What an account can attach as a deposit: balance minus unpaid storage minus the gas reserve."""
    storage_shortfall = max(0, account.storage_usage * STORAGE_YOCTO_PER_BYTE - account.locked)
    return max(0, account.amount - storage_shortfall - GAS_RESERVE_YOCTO)


def _liquid_provider(chain: Chain, pool_id: str) -> LiquidProvider | None:
    return next((p for p in providers_for(chain.network) if p.contract_id == pool_id), None)


async def _lockup_hint(chain: Chain, account_id: str, pool_id: str | None = None, amount: int | None = None) -> str:
    """A sentence offering --from-lockup when the account's lockup holds what the plain action lacks ("" if not)."""
    from bot.services.lockup_actions import lockup_offer  # the lockup flow imports this module

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
    provider = _liquid_provider(chain, pool_id)
    plain = not (from_lockup or lockup_id) and provider is None
    checks = PoolChecks.start(chain, pool_id) if plain else None
    account_read = prefetch(chain.rpc.view_account(account_id)) if plain else None
    if from_lockup or lockup_id or await _signs_as_lockup(chain, account_id):
        from bot.services.lockup_actions import plan_lockup_stake

        return await plan_lockup_stake(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        from bot.services.liquid_actions import plan_liquid_stake

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
    from bot.services.lockup_read import lockup_itself  # the lockup flow imports this module

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
    return delegation  # type: ignore[no-any-return]


async def plan_unstake(
    chain: Chain, account_id: str, pool_id: str, amount_text: str, *, from_lockup: bool = False,
    instant: bool = False, lockup_id: str | None = None,
) -> ActionResult:
    """Unstake from a pool, a liquid-staking contract (`instant`: Meta Pool's liquid_unstake) or the lockup's pool."""
    account_id, pool_id = parse_account(account_id), parse_account(pool_id)
    chain = chain.at_final()
    provider = _liquid_provider(chain, pool_id)
    # Read with the check whether the signer is itself a lockup (one round trip).
    plain = not (from_lockup or lockup_id or instant) and provider is None
    delegation_read = prefetch(_delegation(chain, account_id, pool_id)) if plain else None
    if from_lockup or lockup_id or (not instant and await _signs_as_lockup(chain, account_id)):
        if instant:
            raise ActionRefused("--instant applies to liquid-staking tokens only; a lockup unstakes from a pool.")
        from bot.services.lockup_actions import plan_lockup_unstake

        return await plan_lockup_unstake(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        from bot.services.liquid_actions import plan_liquid_unstake

        return await plan_liquid_unstake(chain, account_id, provider, amount_text, instant=instant)
    if instant:
        raise ActionRefused(
            f"{pool_id} is a staking pool: pools have no instant exit, an unstake always waits 4 epochs. --instant "
            "applies to liquid-staking tokens (Meta Pool's liquid_unstake)."
        )
    unstake_all = amount_text.strip().lower() == "all"
    amount = None if unstake_all else parse_amount(amount_text)
    assert delegation_read is not None
    delegation = await delegation_read
    if delegation.staked == 0:
        hint = await _lockup_hint(chain, account_id, pool_id)
        raise ActionRefused(f"{account_id} has nothing staked in {pool_id}, so there is nothing to unstake.{hint}")
    warnings = unstake_checks(
        account_id, pool_id, amount,
        staked=delegation.staked, unstaked=delegation.unstaked, can_withdraw=delegation.can_withdraw,
        withdraw_first="withdraw first.",
    )
    warnings.append("Unstaked NEAR stops earning rewards and can be withdrawn after 4 epochs, in a separate step.")
    call = pool_unstake_all() if unstake_all else pool_unstake(amount)  # type: ignore[arg-type]
    shown = delegation.staked if unstake_all else amount
    tx = UnsignedTransaction(account_id, pool_id, (call,))
    summary = f"Unstake {format_near(shown)} from {pool_id} for {account_id} ({call.method_name})."  # type: ignore[arg-type]
    return _build(chain, "unstake", account_id, pool_id, shown, summary, tx, warnings, "unstake")


def unstake_checks(
    holder: str, pool_id: str, amount: int | None, *, staked: int, unstaked: int, can_withdraw: bool,
    withdraw_first: str,
) -> list[str]:
    """Refuse an unstake above the staked balance (never round a balance up, near-staking.md §2.5) and warn when
    an earlier unstaked balance would have its wait restarted (one unlock epoch per delegator, §2.4)."""
    if amount is not None and amount > staked:
        raise ActionRefused(
            f"{holder} has {format_near(staked, 24)} staked in {pool_id}; you asked to unstake "
            f"{format_near(amount, 24)}. Use \"all\" to unstake everything exactly."
        )
    warnings: list[str] = []
    if unstaked > DUST_YOCTO:
        if can_withdraw:
            warnings.append(
                f"{format_near(unstaked)} already unstaked in {pool_id} is withdrawable now. Unstaking "
                f"again restarts the 4-epoch wait for all of it: {withdraw_first}"
            )
        else:
            warnings.append(
                f"{format_near(unstaked)} is already unbonding in {pool_id}. A new unstake restarts the "
                "4-epoch wait for the whole unstaked balance, including that amount."
            )
    return warnings


async def plan_withdraw(
    chain: Chain, account_id: str, pool_id: str, amount_text: str | None = None, *, from_lockup: bool = False,
    lockup_id: str | None = None,
) -> ActionResult:
    """Withdraw unstaked NEAR from a pool, a liquid-staking contract or (`from_lockup`) the lockup's pool."""
    account_id, pool_id = parse_account(account_id), parse_account(pool_id)
    chain = chain.at_final()
    provider = _liquid_provider(chain, pool_id)
    # Read with the check whether the signer is itself a lockup (one round trip).
    plain = not (from_lockup or lockup_id) and provider is None
    delegation_read = prefetch(_delegation(chain, account_id, pool_id)) if plain else None
    if from_lockup or lockup_id or await _signs_as_lockup(chain, account_id):
        from bot.services.lockup_actions import plan_lockup_withdraw

        return await plan_lockup_withdraw(chain, account_id, pool_id, amount_text, lockup_id)
    if provider is not None:
        from bot.services.liquid_actions import plan_liquid_withdraw

        return await plan_liquid_withdraw(chain, account_id, provider, amount_text)
    withdraw_all = amount_text is None or amount_text.strip().lower() == "all"
    amount = None if withdraw_all else parse_amount(amount_text)  # type: ignore[arg-type]
    assert delegation_read is not None
    delegation = await delegation_read
    if delegation.unstaked == 0:
        hint = await _lockup_hint(chain, account_id, pool_id)
        raise ActionRefused(
            f"{account_id} has no unstaked balance in {pool_id}; unstake first, then wait 4 epochs.{hint}"
        )
    if not delegation.can_withdraw:
        raise ActionRefused(await _not_yet_text(chain, account_id, pool_id))
    if amount is not None and amount > delegation.unstaked:
        raise ActionRefused(
            f"Only {format_near(delegation.unstaked, 24)} is unstaked in {pool_id}. Use \"all\" to withdraw it exactly."
        )
    warnings = []
    if delegation.unstaked <= DUST_YOCTO:
        warnings.append(
            f"Only {delegation.unstaked} yoctoNEAR is there: share-rounding dust worth far less than the fee to withdraw it."
        )
    call = pool_withdraw_all() if withdraw_all else pool_withdraw(amount)  # type: ignore[arg-type]
    shown = delegation.unstaked if withdraw_all else amount
    tx = UnsignedTransaction(account_id, pool_id, (call,))
    summary = f"Withdraw {format_near(shown)} from {pool_id} to {account_id} ({call.method_name})."  # type: ignore[arg-type]
    return _build(chain, "withdraw", account_id, pool_id, shown, summary, tx, warnings, None)


async def _not_yet_text(chain: Chain, account_id: str, pool_id: str) -> str:
    unbonding = await get_unbonding(chain, account_id, [pool_id])
    entry = next((e for e in unbonding.entries if e.pool_id == pool_id), None)
    base = f"The unstaked balance in {pool_id} is not withdrawable yet (the pool would refuse: unstaking delay)."
    if entry and entry.available_epoch is not None:
        when = f" (about {utc_text(entry.estimated_available_unix)})" if entry.estimated_available_unix else ""
        return f"{base} It becomes withdrawable at epoch {entry.available_epoch}{when}; current epoch {unbonding.current_epoch}."
    if entry and entry.latest_possible_epoch is not None:
        return f"{base} It becomes withdrawable by epoch {entry.latest_possible_epoch} at the latest."
    return base
