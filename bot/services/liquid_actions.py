"""Keyless stake / unstake / withdraw at liquid-staking providers (Meta Pool, LiNEAR, Rhea), after pre-flight
checks. Reached through `plan_stake` / `plan_unstake` / `plan_withdraw` when the pool id is a provider's contract.

Facts: near-staking.md §5 (methods, payable, delays, Meta Pool's `min_deposit_amount`, first-deposit storage,
withdraw readiness), wallet-links.md §6.1 (gas), seed-errata B2–B6 (tokens burned at unstake time, instant exit =
`liquid_unstake` at Meta Pool, a DEX swap elsewhere). The user types token amounts (stNEAR, LiNEAR, rNEAR: what they
hold); `unstake {"amount"}` takes NEAR yocto at all three ("Unstakes the given amount (in NEAR)", MP `lib.rs`, LN
`stake.rs`, RN `internal.rs`), so the bot converts at the contract's live price and says so. Whether a withdrawal
would be paid is the provider's readiness rule (bot/near/liquid_readiness.py), the same one every answer uses.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.near import errors
from bot.near import liquid as near_liquid
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.liquid import TOKEN_UNIT, LiquidPosition, LiquidProvider, metapool_takes_all
from bot.near.liquid_readiness import UnstakeWait, new_unstake_wait
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
from bot.services.chain import Chain, prefetch
from bot.services.planning import (
    GAS_RESERVE_YOCTO,
    ActionRefused,
    build_action,
    is_all,
    parse_amount,
    parse_amount_or_all,
    single_call,
    spendable_of,
    utc_text,
)
from bot.services.results import ActionResult

# liquid_unstake fails when it would pay less than `min_expected_near`. The bot asks for the live quote minus
# 0.5 %: room for the pool's liquidity to move between reading and signing, a policy of this bot.
INSTANT_SLIPPAGE_BP = 50


def tokens(amount: int, symbol: str, decimals: int = 5) -> str:
    return f"{format_near(amount, decimals, unit=False)} {symbol}"


def price_text(position: LiquidPosition) -> str:
    return f"1 {position.provider.symbol} = {format_near(position.price, 6, unit=False)} NEAR"


def parse_token_amount(text: str, provider: LiquidProvider) -> int | None:
    """A token amount typed by a person (24 decimals like NEAR); None for "all". "NEAR" as the unit is refused:
    an unstake is counted in the tokens you hold."""
    if is_all(text):
        return None
    raw = text.strip()
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


def _gas_notes(provider: LiquidProvider) -> list[str]:
    if provider.key == "rhea":
        return [
            "Rhea's methods follow its source (ref-finance/rnear-contract, LiNEAR-derived; that the deployed code "
            "matches it is not verified). docs.near.org gives 30 TGas; the bot attaches 125 TGas like a staking "
            "pool (unused gas is refunded, too little gas fails)."
        ]
    return []


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
    chain = chain.at_final()
    # Read with the rest (one round trip); the checks below find the answers among the shared reads.
    prefetch(_optional_view(chain, contract, "get_contract_state" if provider.key == "metapool" else "is_paused"))
    account, position, charge = await asyncio.gather(
        chain.rpc.view_account(account_id),
        near_liquid.read_position(chain.rpc, provider, account_id),
        near_liquid.first_deposit_storage_charge(chain.rpc, provider, account_id),
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
    else:
        paused = await _optional_view(chain, contract, "is_paused")
        if paused is True:
            warnings.append(f"{provider.name} reports it is paused: the deposit may be refused until it resumes.")
    staked = amount - (charge or 0)
    if staked <= 0:
        raise ActionRefused(
            f"{provider.name} keeps {format_near(charge or 0, 24)} of a new account's first deposit for its storage; "
            "deposit more than that."
        )
    if charge:
        unverified = " (its storage_balance_bounds minimum; the exact charge is not verified)" if provider.key == "rhea" else ""
        warnings.append(
            f"A first deposit at {provider.name} keeps {format_near(charge, 24)} for the account's storage{unverified}, "
            f"so {format_near(staked)} is staked."
        )
    elif charge is None:
        warnings.append(
            f"Whether {provider.name} keeps part of a first deposit for the account's storage could not be read; if "
            "it does, slightly fewer tokens are minted than shown."
        )
    minted = staked * TOKEN_UNIT // position.price if position.price else 0
    warnings += _gas_notes(provider)
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


def _wait_text(clock: EpochClock, wait: UnstakeWait) -> str:
    target = clock.epoch_height + wait.epochs
    eta = clock.estimated_epoch_start_ns(target) // NS_PER_SECOND
    text = f"{wait.epochs} epochs (withdrawable from epoch {target}, about {utc_text(eta)})."
    return f"{text} {wait.note}" if wait.note else text


async def _quote(chain: Chain, provider: LiquidProvider, token_amount: int) -> int | None:
    raw = await _optional_view(
        chain, provider.contract_id, "get_near_amount_sell_stnear", {"stnear_to_sell": str(token_amount)}
    )
    return _u128(raw)


def _fee_text(value: int, receive: int) -> str:
    fee = max(0, value - receive)
    percent = f", {100 * fee / value:.2f} % of its value {format_near(value)}" if value else ""
    return f"fee {format_near(fee)}{percent}"


async def _new_unstake_wait(
    chain: Chain, position: LiquidPosition, clock: EpochClock, value: int, whole: bool
) -> UnstakeWait:
    """The contract's own wait for this unstake: Meta Pool's live delay for this amount, LiNEAR's/Rhea's +1."""
    provider, live = position.provider, position.current_delay_epochs
    if provider.key == "metapool" and not whole:
        raw = await _optional_view(chain, provider.contract_id, "compute_current_unstaking_delay", {"amount": str(value)})
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            live = raw
    return new_unstake_wait(provider, clock.epoch_height, live_delay=live, settlements=position.settlements)


def _pending_warning(position: LiquidPosition) -> list[str]:
    pending = position.pending
    if pending is None or pending.amount == 0:
        return []
    if position.readiness.withdrawable:
        return [
            f"{format_near(pending.amount)} from an earlier unstake is withdrawable now. A new unstake moves the "
            "unlock epoch of everything pending, that amount included: withdraw first."
        ]
    return [
        f"{format_near(pending.amount)} is already waiting from an earlier unstake; a new unstake moves the unlock "
        "epoch for all of it to the new one."
    ]


async def _takes_all(chain: Chain, position: LiquidPosition, burn: int, value: int, instant: bool) -> bool:
    """Meta Pool's is_close: a requested amount within 0.001 stNEAR of the balance burns (or sells) all of it."""
    balance = position.token_balance
    if position.provider.key != "metapool" or burn == balance:
        return False
    if instant:  # liquid_unstake compares st_near_to_burn with the shares owned
        return metapool_takes_all(burn, balance)
    # unstake converts the NEAR amount back to shares at the contract's totals, then compares
    shares = await near_liquid.metapool_unstake_shares(chain.rpc, position.provider, value, position.block_height)
    return metapool_takes_all(burn if shares is None else shares, balance)


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
    chain = chain.at_final()
    if provider.key == "metapool":
        # Read with the position (one round trip); the is_close check and the instant quote find them among the shared
        # reads.
        prefetch(_optional_view(chain, contract, "get_contract_state"))
        if token_amount is not None:
            prefetch(_quote(chain, provider, token_amount))
    position, clock = await asyncio.gather(
        near_liquid.read_position(chain.rpc, provider, account_id, with_settlement=True), read_epoch_clock(chain.rpc)
    )
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
    if token_amount is not None and value == 0:
        raise ActionRefused(f"{tokens(burn, symbol, 24)} is worth less than 1 yoctoNEAR; unstake more.")
    warnings = _gas_notes(provider)
    if await _takes_all(chain, position, burn, value, instant):
        warnings.append(
            f"That is within 0.001 {symbol} of your whole balance, and Meta Pool then takes all of it (its is_close "
            f"rule compares shares): the transaction {'sells' if instant else 'burns'} all "
            f"{tokens(balance, symbol, 24)}."
        )
        burn, value = balance, position.near_value
    if instant:
        return await _instant(chain, account_id, provider, position, burn, value, clock, warnings)
    wait = await _new_unstake_wait(chain, position, clock, value, burn == balance)
    warnings += _pending_warning(position)
    gas = METAPOOL_UNSTAKE_GAS if provider.key == "metapool" else LST_POOL_GAS
    if token_amount is None:
        call, how = lst_unstake_all(gas), f"unstake_all burns all your {symbol}"
    else:
        call = lst_unstake(near_liquid.near_value(token_amount, position.price), gas)
        how = f"unstake {{\"amount\"}} takes NEAR, so {tokens(token_amount, symbol)} × the price = amount {call.args['amount']} yocto"
    warnings.append(
        f"Price now: {price_text(position)}. The {symbol} are burned when the transaction runs, at that moment's "
        "price; the NEAR amount is fixed then and earns nothing while it waits."
    )
    warnings.append(f"Then wait about {_wait_text(clock, wait)} Withdraw in a separate step.")
    warnings.append(await _instant_alternative(chain, account_id, provider, token_amount, burn, value))
    tx = single_call(account_id, contract, call)
    summary = (
        f"Unstake {tokens(burn, symbol)} (≈ {format_near(value)}) at {provider.name} ({contract}) for {account_id}: "
        f"{how}."
    )
    return build_action(
        chain, "unstake", account_id, contract, value, summary, [tx], warnings,
        liquid_page(provider, chain.network, "unstake"), via="liquid_staking", token_amount=burn, symbol=symbol,
    )


async def _instant_alternative(
    chain: Chain, account_id: str, provider: LiquidProvider, token_amount: int | None, burn: int, value: int
) -> str:
    if provider.instant_exit != "liquid_unstake":
        return (
            f"Instant instead: only by swapping {provider.symbol} for NEAR on a DEX (fee and price impact); the bot "
            "makes no link for swaps."
        )
    receive = await _quote(chain, provider, burn)
    quoted = (
        f" pays ≈ {format_near(receive)} now ({_fee_text(value, receive)})" if receive is not None
        else " pays at once for a fee (no quote could be read now)"
    )
    amount_word = "all" if token_amount is None else format_near(token_amount, 24, unit=False, grouping=False)
    return (
        f"Instant instead: `unstake {account_id} {provider.contract_id} {amount_word} --instant` (Meta Pool's "
        f"liquid_unstake){quoted}; waiting costs no fee."
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
    wait = await _new_unstake_wait(chain, position, clock, value, burn == position.token_balance)
    warnings.append(
        f"Instant exit costs {_fee_text(value, receive)} at the live quote; the fee moves with Meta Pool's liquidity. "
        f"The transaction pays at least {format_near(minimum)} (the quote minus {INSTANT_SLIPPAGE_BP / 100:g} %) "
        "or fails and changes nothing."
    )
    warnings.append(f"Waiting instead (no fee): unstake without --instant, then withdraw after {_wait_text(clock, wait)}")
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
    amount = parse_amount_or_all(amount_text)
    contract = provider.contract_id
    chain = chain.at_final()
    position, clock = await asyncio.gather(
        near_liquid.read_position(chain.rpc, provider, account_id, withdraw_amount=amount), read_epoch_clock(chain.rpc)
    )
    pending, readiness = position.pending, position.readiness
    warnings = _gas_notes(provider)
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
        if amount is not None and amount > pending.amount:
            raise ActionRefused(
                f"Only {format_near(pending.amount, 24)} is unstaked at {provider.name}. Use \"all\" to withdraw it "
                "exactly."
            )
        if readiness.waiting_for == "epoch":
            raise ActionRefused(_not_yet(provider, pending, clock))
        if readiness.waiting_for == "check":
            warnings.append(f"{readiness.reason} If the contract refuses, the transaction fails and changes nothing.")
        elif not readiness.withdrawable:
            raise ActionRefused(
                f"The {format_near(amount or pending.amount)} at {provider.name} is not withdrawable yet (the "
                f"contract would refuse). {readiness.reason}"
            )
    shown = amount if amount is not None else (pending.amount if pending is not None else None)
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
            f"{base} It unlocks at epoch {pending.unlock_epoch} (about {utc_text(eta)}); current epoch "
            f"{clock.epoch_height}."
        )
    if pending.unlock_epoch is not None:
        return f"{base} It unlocks at epoch {pending.unlock_epoch}, which is just starting: try again in a minute."
    return (
        f"{base} {provider.name}'s view read has no unlock epoch; a delayed unstake waits {provider.delay_epochs} "
        f"epochs or more (current epoch {clock.epoch_height})."
    )
