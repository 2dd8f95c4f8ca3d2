"""Keyless stake / unstake / withdraw at liquid-staking providers (Meta Pool, LiNEAR, Rhea), after pre-flight
checks. Reached through `plan_stake` / `plan_unstake` / `plan_withdraw` when the pool id is a provider's contract.

Facts: near-staking.md §5 (methods, payable, delays, Meta Pool's `min_deposit_amount`, LiNEAR's withdraw reserve),
wallet-links.md §6.1 (gas), seed-errata B2–B6 (tokens burned at unstake time, instant exit = `liquid_unstake` at
Meta Pool, a DEX swap elsewhere). The user types token amounts (stNEAR, LiNEAR, rNEAR: what they hold); Meta Pool's
and LiNEAR's `unstake {"amount"}` take NEAR yocto ("Unstakes the given amount (in NEAR)", MP `lib.rs`, LN
`stake.rs`), so the bot converts at the contract's live price and says so.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.near import errors
from bot.near import liquid as near_liquid
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.liquid import TOKEN_UNIT, LiquidPosition, LiquidProvider
from bot.near.staking_calls import (
    LST_POOL_GAS,
    LST_WITHDRAW_ALL_GAS,
    METAPOOL_STAKE_GAS,
    METAPOOL_UNSTAKE_GAS,
    METAPOOL_WITHDRAW_GAS,
    lst_deposit_and_stake,
    lst_unstake,
    lst_unstake_all,
    lst_withdraw,
    metapool_liquid_unstake,
)
from bot.near.units import AmountError, format_near, parse_near_amount
from bot.near.wallet_links import MYNEARWALLET
from bot.services.actions import (
    GAS_RESERVE_YOCTO,
    ActionRefused,
    build_action,
    parse_amount,
    single_call,
    spendable_of,
    utc_text,
)
from bot.services.chain import Chain
from bot.services.results import ActionResult

# liquid_unstake fails when it would pay less than `min_expected_near`. The bot asks for the live quote minus
# 0.5 %: room for the pool's liquidity to move between reading and signing, a policy of this bot.
INSTANT_SLIPPAGE_BP = 50
# Meta Pool keeps STORAGE_COST_YOCTOS = 0.00125 NEAR of a new account's first deposit (near-staking.md §5).
METAPOOL_STORAGE_COST = 1_250_000_000_000_000_000_000
LINEAR_WITHDRAW_RESERVE = 10**24  # "needs contract free balance − 1 NEAR ≥ amount" (near-staking.md §5)
ONE_MILLI_NEAR = 10**21  # Meta Pool's `is_close` tolerance (near-staking.md §5 "unstake near the total")


def tokens(amount: int, symbol: str, decimals: int = 5) -> str:
    return f"{format_near(amount, decimals, unit=False)} {symbol}"


def price_text(position: LiquidPosition) -> str:
    return f"1 {position.provider.symbol} = {format_near(position.price, 6, unit=False)} NEAR"


def parse_token_amount(text: str, provider: LiquidProvider) -> int | None:
    """A token amount typed by a person (24 decimals like NEAR); None for "all". "NEAR" as the unit is refused:
    an unstake is counted in the tokens you hold."""
    raw = text.strip()
    if raw.lower() == "all":
        return None
    symbol = provider.symbol.lower()
    lowered = raw.lower()
    if lowered.endswith(symbol):
        raw = raw[: -len(symbol)].strip()
    elif lowered.endswith("near") or lowered.endswith("Ⓝ"):
        raise errors.InvalidInput(
            f"Give the amount in {provider.symbol}, the token you hold (e.g. \"10\" or \"10 {provider.symbol}\"), "
            f"not in NEAR: 1 {provider.symbol} is worth more than 1 NEAR, and the bot converts at the live price."
        )
    try:
        amount = parse_near_amount(raw)
    except AmountError as exc:
        raise errors.InvalidInput(str(exc).replace("NEAR", provider.symbol)) from exc
    if amount == 0:
        raise errors.InvalidInput("The amount must be more than zero.")
    return amount


def liquid_page(provider: LiquidProvider, network: str, page: str | None) -> str:
    """MyNearWallet's liquid-staking page (wallet-links.md §2.5); no amount parameter exists."""
    suffix = f"/{page}" if page else ""
    return f"{MYNEARWALLET[network]}/liquid-staking/{provider.contract_id}{suffix}"


def _unverified_notes(provider: LiquidProvider) -> list[str]:
    if provider.key == "rhea":
        return [
            "Rhea publishes no contract source: its methods are used as docs.near.org lists them and as third "
            "parties call them (unverified). docs.near.org gives 30 TGas; the bot attaches 125 TGas like a staking "
            "pool (unused gas is refunded, too little gas fails)."
        ]
    return []


async def _position(chain: Chain, provider: LiquidProvider, account_id: str) -> LiquidPosition:
    return await near_liquid.read_position(chain.rpc, provider, account_id)


async def _optional_view(chain: Chain, contract: str, method: str, args: dict[str, Any] | None = None) -> Any:
    try:
        return await chain.rpc.view_function(contract, method, args or {})
    except (errors.MethodNotFound, errors.ContractPanic, errors.ContractExecutionError, errors.MalformedResponse):
        return None


def _u128(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


# --- stake ------------------------------------------------------------------------------------------------------


async def plan_liquid_stake(chain: Chain, account_id: str, provider: LiquidProvider, amount_text: str) -> ActionResult:
    amount = parse_amount(amount_text)
    contract = provider.contract_id
    account, position = await asyncio.gather(
        chain.rpc.view_account(account_id), _position(chain, provider, account_id)
    )
    spendable = spendable_of(account)
    if amount > spendable:
        raise ActionRefused(
            f"{account_id} can stake at most {format_near(spendable)} (balance {format_near(account.amount)}, "
            f"minus storage and {format_near(GAS_RESERVE_YOCTO)} kept for fees). Try a smaller amount."
        )
    warnings: list[str] = []
    if provider.key == "metapool":
        state = await _optional_view(chain, contract, "get_contract_state")
        minimum = _u128(state.get("min_deposit_amount")) if isinstance(state, dict) else None
        if minimum is None:
            warnings.append(
                "Meta Pool's minimum deposit could not be read (10 NEAR when the contract was set up); a smaller "
                "deposit is refused by the contract."
            )
        elif amount < minimum:
            raise ActionRefused(
                f"Meta Pool accepts deposits of at least {format_near(minimum)} (its min_deposit_amount); you asked "
                f"to stake {format_near(amount)}."
            )
        if position.token_balance == 0 and (position.pending is None or position.pending.amount == 0):
            warnings.append(
                f"A first deposit at Meta Pool keeps {format_near(METAPOOL_STORAGE_COST)} for the account's storage."
            )
    else:
        paused = await _optional_view(chain, contract, "is_paused")
        if paused is True:
            warnings.append(f"{provider.name} reports it is paused: the deposit may be refused until it resumes.")
    minted = amount * TOKEN_UNIT // position.price if position.price else 0
    warnings += _unverified_notes(provider)
    warnings.append(
        f"You receive {provider.symbol} tokens, not a delegation: their NEAR value grows with the price. Getting "
        f"NEAR back means a delayed unstake ({provider.delay_epochs}+ epochs, then withdraw) or an instant exit "
        + ("(Meta Pool's liquid_unstake, for a fee)." if provider.instant_exit == "liquid_unstake" else "(a DEX swap).")
    )
    gas = METAPOOL_STAKE_GAS if provider.key == "metapool" else LST_POOL_GAS
    tx = single_call(account_id, contract, lst_deposit_and_stake(amount, gas))
    summary = (
        f"Stake {format_near(amount)} with {provider.name} ({contract}) from {account_id}: deposit_and_stake mints "
        f"≈ {tokens(minted, provider.symbol)} at today's price ({price_text(position)})."
    )
    return build_action(
        chain, "stake", account_id, contract, amount, summary, [tx], warnings,
        liquid_page(provider, chain.network, "stake"), via="liquid_staking", symbol=provider.symbol,
    )


# --- unstake ----------------------------------------------------------------------------------------------------


def _wait_text(clock: EpochClock, wait: int) -> str:
    target = clock.epoch_height + wait
    eta = clock.estimated_epoch_start_ns(target) // NS_PER_SECOND
    return f"{wait} epochs (withdrawable from epoch {target}, about {utc_text(eta)})"


async def _quote(chain: Chain, provider: LiquidProvider, token_amount: int) -> int | None:
    raw = await _optional_view(
        chain, provider.contract_id, "get_near_amount_sell_stnear", {"stnear_to_sell": str(token_amount)}
    )
    return _u128(raw)


def _fee_text(value: int, receive: int) -> str:
    fee = max(0, value - receive)
    percent = f", {100 * fee / value:.2f} % of its value {format_near(value)}" if value else ""
    return f"fee {format_near(fee)}{percent}"


async def plan_liquid_unstake(
    chain: Chain, account_id: str, provider: LiquidProvider, amount_text: str, *, instant: bool = False
) -> ActionResult:
    token_amount = parse_token_amount(amount_text, provider)
    contract, symbol = provider.contract_id, provider.symbol
    if instant and provider.instant_exit != "liquid_unstake":
        raise ActionRefused(
            f"{provider.name} has no instant exit in its contract: leaving at once means swapping {symbol} for NEAR "
            "on a DEX (Rhea Finance, for example), which costs a swap fee and price impact. The bot makes no link "
            f"for swaps. Without --instant it prepares the delayed unstake ({provider.delay_epochs}+ epochs, no fee)."
        )
    position, clock = await asyncio.gather(_position(chain, provider, account_id), read_epoch_clock(chain.rpc))
    balance = position.token_balance
    if balance == 0:
        raise ActionRefused(f"{account_id} holds no {symbol} at {provider.name} ({contract}), so there is nothing to unstake.")
    if token_amount is not None and token_amount > balance:
        raise ActionRefused(
            f"{account_id} holds {tokens(balance, symbol, 24)}; you asked to unstake {tokens(token_amount, symbol, 24)}. "
            f"Amounts here are in {symbol}, not NEAR: at {price_text(position)} the whole balance is worth "
            f"{format_near(position.near_value)}. Use \"all\" to unstake everything exactly."
        )
    burn = balance if token_amount is None else token_amount
    value = near_liquid.near_value(burn, position.price)
    warnings = _unverified_notes(provider)
    if instant:
        return await _instant(chain, account_id, provider, position, burn, value, clock, warnings)

    wait = position.current_delay_epochs or provider.delay_epochs
    if provider.key == "metapool" and burn != balance:
        # The delay depends on the amount (4 or 8 epochs, near-staking.md §5): ask for this unstake's amount.
        live = await _optional_view(chain, contract, "compute_current_unstaking_delay", {"amount": str(value)})
        if isinstance(live, int) and not isinstance(live, bool) and live > 0:
            wait = live
    pending = position.pending
    if pending is not None and pending.amount > 0:
        if pending.can_withdraw:
            warnings.append(
                f"{format_near(pending.amount)} from an earlier unstake is withdrawable now. A new unstake moves the "
                "unlock epoch of everything pending, that amount included: withdraw first."
            )
        else:
            warnings.append(
                f"{format_near(pending.amount)} is already waiting from an earlier unstake; a new unstake moves the "
                "unlock epoch for all of it to the new one."
            )
    if token_amount is None:
        call = lst_unstake_all(METAPOOL_UNSTAKE_GAS if provider.key == "metapool" else LST_POOL_GAS)
        how = f"unstake_all burns all your {symbol}"
    else:
        if value == 0:
            raise ActionRefused(f"{tokens(burn, symbol, 24)} is worth less than 1 yoctoNEAR; unstake more.")
        call = lst_unstake(value, METAPOOL_UNSTAKE_GAS if provider.key == "metapool" else LST_POOL_GAS)
        how = f"unstake {{\"amount\"}} takes NEAR, so {tokens(burn, symbol)} × the price = amount {value} yocto"
        if provider.key == "metapool" and abs(position.near_value - value) <= ONE_MILLI_NEAR:
            warnings.append("That is within 0.001 NEAR of your whole balance: Meta Pool then unstakes all of it.")
        if provider.key == "rhea":
            warnings.append("Rhea documents only unstake_all; a partial unstake {\"amount\"} works as at LiNEAR "
                            "(unverified). Use \"all\" to stay on the documented method.")
    warnings.append(
        f"Price now: {price_text(position)}. The {symbol} are burned when the transaction runs, at that moment's "
        "price; the NEAR amount is fixed then and earns nothing while it waits."
    )
    wait_note = _wait_text(clock, wait)
    if provider.key == "linear":
        wait_note += "; LiNEAR may add one epoch if it lands after that epoch's settlement, or wait 8 when busy"
    elif provider.key == "rhea":
        wait_note += " (Rhea's guide says about 30 hours; the contract's own epoch is not readable)"
    warnings.append(f"Then wait about {wait_note}, and withdraw in a separate step.")
    if provider.instant_exit == "liquid_unstake":
        receive = await _quote(chain, provider, burn)
        quoted = (
            f" pays ≈ {format_near(receive)} now ({_fee_text(value, receive)})" if receive is not None
            else " pays at once for a fee (no quote could be read now)"
        )
        amount_word = "all" if token_amount is None else format_near(burn, 24, unit=False, grouping=False)
        warnings.append(
            f"Instant instead: `unstake {account_id} {contract} {amount_word} --instant` (Meta Pool's liquid_unstake)"
            f"{quoted}; waiting costs no fee."
        )
    else:
        warnings.append(
            f"Instant instead: only by swapping {symbol} for NEAR on a DEX (fee and price impact); the bot makes no "
            "link for swaps."
        )
    tx = single_call(account_id, contract, call)
    summary = (
        f"Unstake {tokens(burn, symbol)} (≈ {format_near(value)}) at {provider.name} ({contract}) for {account_id}: "
        f"{how}."
    )
    return build_action(
        chain, "unstake", account_id, contract, value, summary, [tx], warnings,
        liquid_page(provider, chain.network, "unstake"), via="liquid_staking", token_amount=burn, symbol=symbol,
    )


async def _instant(
    chain: Chain, account_id: str, provider: LiquidProvider, position: LiquidPosition, burn: int, value: int,
    clock: EpochClock, warnings: list[str],
) -> ActionResult:
    contract, symbol = provider.contract_id, provider.symbol
    receive = await _quote(chain, provider, burn)
    if receive is None:
        raise ActionRefused(
            f"{provider.name}'s instant-exit quote (get_near_amount_sell_stnear) could not be read, so no safe "
            "minimum can be set. Try again in a moment, or unstake without --instant."
        )
    if receive == 0:
        raise ActionRefused(f"{provider.name}'s liquidity pool would pay nothing for {tokens(burn, symbol, 24)} now.")
    minimum = receive - receive * INSTANT_SLIPPAGE_BP // 10_000
    wait = position.current_delay_epochs or provider.delay_epochs
    warnings.append(
        f"Instant exit costs {_fee_text(value, receive)} at the live quote; the fee moves with Meta Pool's liquidity. "
        f"The transaction pays at least {format_near(minimum)} (the quote minus {INSTANT_SLIPPAGE_BP / 100:g} %) "
        "or fails and changes nothing."
    )
    warnings.append(f"Waiting instead (no fee): unstake without --instant, then withdraw after {_wait_text(clock, wait)}.")
    tx = single_call(account_id, contract, metapool_liquid_unstake(burn, minimum))
    summary = (
        f"Unstake {tokens(burn, symbol)} instantly at {provider.name} ({contract}) for {account_id}: liquid_unstake "
        f"pays ≈ {format_near(receive)} now instead of {format_near(value)} after the wait."
    )
    return build_action(
        chain, "unstake", account_id, contract, receive, summary, [tx], warnings,
        liquid_page(provider, chain.network, "unstake"), via="liquid_staking", token_amount=burn, symbol=symbol,
    )


# --- withdraw ---------------------------------------------------------------------------------------------------


async def plan_liquid_withdraw(
    chain: Chain, account_id: str, provider: LiquidProvider, amount_text: str | None
) -> ActionResult:
    withdraw_all = amount_text is None or amount_text.strip().lower() == "all"
    amount = None if withdraw_all else parse_amount(amount_text)  # type: ignore[arg-type]
    contract = provider.contract_id
    position, clock = await asyncio.gather(_position(chain, provider, account_id), read_epoch_clock(chain.rpc))
    pending = position.pending
    warnings = _unverified_notes(provider)
    if pending is None:
        warnings.append(
            f"{provider.name}'s pending unstake could not be read ({' '.join(position.notes) or 'no account view'}); "
            "the contract refuses the withdrawal if nothing is ready."
        )
    else:
        if pending.amount == 0:
            raise ActionRefused(
                f"{account_id} has nothing unstaked at {provider.name} ({contract}); unstake first, then wait "
                f"{provider.delay_epochs}+ epochs."
            )
        if not pending.can_withdraw:
            raise ActionRefused(_not_yet(provider, pending, clock))
        if amount is not None and amount > pending.amount:
            raise ActionRefused(
                f"Only {format_near(pending.amount, 24)} is unstaked at {provider.name}. Use \"all\" to withdraw it "
                "exactly."
            )
    shown = amount if amount is not None else (pending.amount if pending is not None else None)
    if provider.key == "linear" and shown:
        await _linear_reserve_check(chain, provider, account_id, shown, warnings)
    if provider.key == "metapool":
        gas = METAPOOL_WITHDRAW_GAS
    else:
        gas = LST_POOL_GAS if amount is not None else LST_WITHDRAW_ALL_GAS
    call = lst_withdraw(provider.withdraw_method, amount, gas)
    tx = single_call(account_id, contract, call)
    what = format_near(shown) if shown is not None else "everything unstaked"
    summary = f"Withdraw {what} from {provider.name} ({contract}) to {account_id} ({call.method_name})."
    return build_action(
        chain, "withdraw", account_id, contract, shown, summary, [tx], warnings,
        liquid_page(provider, chain.network, None), via="liquid_staking", symbol=provider.symbol,
    )


def _not_yet(provider: LiquidProvider, pending: near_liquid.PendingUnstake, clock: EpochClock) -> str:
    base = (
        f"The {format_near(pending.amount)} unstaked at {provider.name} is not withdrawable yet (the contract would "
        "refuse: unstaking delay)."
    )
    if pending.unlock_epoch is not None and pending.unlock_epoch > clock.epoch_height:
        eta = clock.estimated_epoch_start_ns(pending.unlock_epoch) // NS_PER_SECOND
        return (
            f"{base} It becomes withdrawable at epoch {pending.unlock_epoch} (about {utc_text(eta)}); current epoch "
            f"{clock.epoch_height}."
        )
    return (
        f"{base} {provider.name} does not expose the unlock epoch; a delayed unstake waits {provider.delay_epochs} "
        f"epochs or more (current epoch {clock.epoch_height})."
    )


async def _linear_reserve_check(
    chain: Chain, provider: LiquidProvider, account_id: str, amount: int, warnings: list[str]
) -> None:
    """LiNEAR pays only from free balance above a 1 NEAR reserve; its view `can_account_withdraw` panics when a
    withdrawal would be refused (near-staking.md §5)."""
    try:
        await chain.rpc.call_function(
            provider.contract_id, "can_account_withdraw", {"account_id": account_id, "amount": str(amount)}
        )
    except errors.MethodNotFound:
        warnings.append(
            "LiNEAR pays a withdrawal only while the contract holds enough free balance (1 NEAR stays in reserve); "
            "this could not be checked, and if it refuses, try again after the next epoch."
        )
    except (errors.ContractPanic, errors.ContractExecutionError) as exc:
        raise ActionRefused(
            f"LiNEAR would refuse this withdrawal now ({exc.message}). It pays only from free balance above a 1 NEAR "
            "reserve, which refills when the next epoch's unstaked NEAR comes back from validators: try again after "
            "the next epoch."
        ) from exc
