"""Liquid-staking positions read from the providers' own contracts (near-staking.md §5, seed-errata B2–B6).

Per provider and account: the token balance (NEP-141 `ft_balance_of`), the price (NEAR yocto per 10^24 token
units), a pending delayed unstake with its unlock epoch, whether the contract would pay it out now (the provider's
readiness rule, bot/near/liquid_readiness.py), and what an instant exit pays now. Balance, price, account record and
readiness are read at one block (pinned), so value = balance × price is consistent. Providers are read
concurrently and independently: a provider that fails becomes a per-provider error, the others still answer.

View facts (MP = Meta-Pool/liquid-staking-contract, LN = linear-protocol/LiNEAR, RN = ref-finance/rnear-contract):
- Meta Pool: `get_st_near_price()` → U128; `get_account_info({"account_id"})` → `unstaked` (U128),
  `unstaked_requested_unlock_epoch` (U64 *string*), `can_withdraw`; instant exit `liquid_unstake`, quoted by
  `get_near_amount_sell_stnear({"stnear_to_sell"})`; `compute_current_unstaking_delay({"amount"})` → 4 or 8.
- LiNEAR: `ft_price()` → U128; `get_account_details({"account_id"})` → `unstaked_balance` (U128),
  `unstaked_available_epoch_height` (JSON *number*), `can_withdraw`; no in-contract instant exit (DEX swap).
- Rhea `lst.rhealab.near` (RN, LiNEAR-derived): `ft_price()`; `get_account_details` names the unlock epoch
  `last_unstake_request_epoch_height` (JSON number; despite the name, the epoch the unstake unlocks at, RN
  account.rs); `get_account` has no epoch. A missing view makes that part unknown, never a guess.
- Every view's `can_withdraw` only means "the unlock epoch has come" (`PendingUnstake.unlock_reached`); whether
  withdraw succeeds is `LiquidPosition.readiness`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.near import errors
from bot.near.liquid_readiness import NOTHING, Readiness, read_readiness, read_settlement_epochs
from bot.near.rpc import NearRpcClient

TOKEN_UNIT = 10**24  # stNEAR, LiNEAR and rNEAR all have 24 decimals; prices are NEAR yocto per 10^24 units

InstantExit = Literal["liquid_unstake", "dex_swap"]


@dataclass(frozen=True)
class LiquidProvider:
    key: str
    name: str
    contract_id: str
    symbol: str
    price_method: str
    # Account views tried in order; MethodNotFound moves to the next one (Rhea: `get_account` has no epoch).
    account_views: tuple[str, ...]
    amount_field: str  # the pending NEAR in the account view
    unlock_field: str  # the unlock epoch in the first account view
    instant_exit: InstantExit
    # Nominal wait of a new delayed unstake (MP/LN: 4, or 8 when validators are busy; LN +1 after settlement).
    delay_epochs: int
    withdraw_method: str


def _metapool(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "metapool", "Meta Pool", contract_id, "stNEAR", "get_st_near_price", ("get_account_info",),
        "unstaked", "unstaked_requested_unlock_epoch", "liquid_unstake", 4, "withdraw_unstaked",
    )


def _linear(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "linear", "LiNEAR", contract_id, "LiNEAR", "ft_price", ("get_account_details",),
        "unstaked_balance", "unstaked_available_epoch_height", "dex_swap", 4, "withdraw_all",
    )


def _rhea(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "rhea", "Rhea", contract_id, "rNEAR", "ft_price", ("get_account_details", "get_account"),
        "unstaked_balance", "last_unstake_request_epoch_height", "dex_swap", 4, "withdraw_all",
    )


PROVIDERS: dict[str, tuple[LiquidProvider, ...]] = {
    "mainnet": (_metapool("meta-pool.near"), _linear("linear-protocol.near"), _rhea("lst.rhealab.near")),
    # No Rhea deployment is listed for testnet (seed-errata D4).
    "testnet": (_metapool("meta-v2.pool.testnet"), _linear("linear-protocol.testnet")),
}


def providers_for(network: str) -> tuple[LiquidProvider, ...]:
    return PROVIDERS.get(network, ())


@dataclass(frozen=True)
class PendingUnstake:
    """A delayed unstake: the NEAR amount was fixed (and the tokens burned) at unstake time (seed-errata B5)."""

    amount: int
    unlock_reached: bool  # the view's `can_withdraw`: the unlock epoch has come (not yet "withdrawable")
    unlock_epoch: int | None  # None: the view read has no epoch
    unknown_reason: str | None = None


@dataclass(frozen=True)
class InstantQuote:
    """What the provider's own instant exit pays now for the whole balance (Meta Pool `liquid_unstake`)."""

    receive: int
    fee: int


@dataclass(frozen=True)
class LiquidPosition:
    provider: LiquidProvider
    account_id: str
    token_balance: int
    price: int
    block_height: int
    pending: PendingUnstake | None  # None: no account view could be read (see notes)
    readiness: Readiness = NOTHING  # whether the contract would pay the pending unstake now
    instant: InstantQuote | None = None
    current_delay_epochs: int | None = None  # live value (Meta Pool), else None
    # LiNEAR/Rhea settlement epoch(s) from STATE, when asked for (`with_settlement`) and readable.
    settlements: tuple[int, ...] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def near_value(self) -> int:
        return near_value(self.token_balance, self.price)

    @property
    def is_empty(self) -> bool:
        return self.token_balance == 0 and (self.pending is None or self.pending.amount == 0)


def near_value(token_balance: int, price: int) -> int:
    """NEAR yocto for a token balance at `price` (NEAR yocto per 10^24 units), floored: never rounds up."""
    return token_balance * price // TOKEN_UNIT


def _u128(value: Any, where: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise errors.MalformedResponse(f"{where} is not a U128 decimal string.")


def _epoch(value: Any, where: str) -> int:
    # Meta Pool sends a U64 string, LiNEAR a JSON number; accept either form, nothing else.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise errors.MalformedResponse(f"{where} is not an epoch height.")


def _pending_from(provider: LiquidProvider, view: str, data: Any) -> PendingUnstake:
    where = f"{provider.contract_id}.{view}"
    if not isinstance(data, dict) or not isinstance(data.get("can_withdraw"), bool):
        raise errors.MalformedResponse(f"{where} returned an unexpected shape.")
    amount = _u128(data.get(provider.amount_field), f"{where} {provider.amount_field}")
    raw_epoch = data.get(provider.unlock_field)
    if raw_epoch is None and provider.key == "metapool":
        raise errors.MalformedResponse(f"{where} has no {provider.unlock_field}.")
    epoch = None if raw_epoch is None else _epoch(raw_epoch, f"{where} {provider.unlock_field}")
    return PendingUnstake(amount=amount, unlock_reached=data["can_withdraw"], unlock_epoch=epoch)


async def _read_pending(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str
) -> tuple[PendingUnstake | None, list[str]]:
    missing: list[str] = []
    for view in provider.account_views:
        try:
            data = await rpc.view_function(provider.contract_id, view, {"account_id": account_id})
        except errors.MethodNotFound:
            missing.append(view)
            continue
        pending = _pending_from(provider, view, data)
        if pending.unlock_epoch is None and pending.amount > 0:
            lacking = f"has no {' or '.join(missing)} view and its " if missing else "'s "
            reason = f"{provider.name} {lacking}{view} does not include the unlock epoch"
            pending = PendingUnstake(pending.amount, pending.unlock_reached, None, reason)
        return pending, []
    return None, [
        f"{provider.name} ({provider.contract_id}) has no {' or '.join(missing)} view, so pending unstakes there "
        "are unknown."
    ]


async def _optional(coro: Any) -> Any:
    """A best-effort extra (quote, live delay): its failure is reported as None, never as the provider's."""
    try:
        return await coro
    except errors.NearError:
        return None


def _instant_quote(provider: LiquidProvider, raw: Any, asked: bool, value: int, notes: list[str]) -> InstantQuote | None:
    if not asked:
        return None
    try:
        receive = _u128(raw, f"{provider.contract_id}.get_near_amount_sell_stnear")
    except errors.MalformedResponse:
        notes.append(f"{provider.name}'s instant-exit quote could not be read.")
        return None
    return InstantQuote(receive=receive, fee=max(0, value - receive))


async def read_position(
    rpc: NearRpcClient,
    provider: LiquidProvider,
    account_id: str,
    *,
    withdraw_amount: int | None = None,
    with_settlement: bool = False,
    with_exit: bool = True,
) -> LiquidPosition:
    """One provider's position for `account_id` at one block (`rpc.at_final()`); raises NearError when the balance or
    price cannot be read.

    Round trip 1: balance, price, the account's pending unstake (and `with_settlement`: LiNEAR's/Rhea's settlement
    epoch(s), for the wait of a new unstake); round trip 2: the readiness check of a pending unstake (for
    `withdraw_amount`, default everything pending) and, `with_exit`, Meta Pool's instant-exit quote and live delay."""
    rpc = rpc.at_final()
    contract = provider.contract_id

    async def view(method: str, args: dict[str, Any] | None = None) -> Any:
        return await rpc.view_function(contract, method, args or {})

    first, price_raw, (pending, notes), *settled = await asyncio.gather(
        rpc.call_function(contract, "ft_balance_of", {"account_id": account_id}),
        view(provider.price_method),
        _read_pending(rpc, provider, account_id),
        *([read_settlement_epochs(rpc, provider)] if with_settlement else []),
    )
    settlements = settled[0] if settled else None
    try:
        raw_balance = first.decoded()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{contract}.ft_balance_of returned something that is not JSON.") from exc
    balance = _u128(raw_balance, f"{contract}.ft_balance_of")
    height = first.block_height
    price = _u128(price_raw, f"{contract}.{provider.price_method}")
    value = near_value(balance, price)
    quote_asked = with_exit and provider.instant_exit == "liquid_unstake" and balance > 0
    delay_asked = with_exit and provider.key == "metapool" and value > 0
    # Only the reads asked for are gathered: a burst runs this for every provider of every answer.
    readiness, *extras = await asyncio.gather(
        read_readiness(rpc, provider, account_id, pending, height, withdraw_amount),
        *([_optional(view("get_near_amount_sell_stnear", {"stnear_to_sell": str(balance)}))] if quote_asked else []),
        *([_optional(view("compute_current_unstaking_delay", {"amount": str(value)}))] if delay_asked else []),
    )
    quote_raw = extras.pop(0) if quote_asked else None
    delay = extras.pop(0) if delay_asked else None
    live_delay = delay if isinstance(delay, int) and not isinstance(delay, bool) and delay > 0 else None
    return LiquidPosition(
        provider=provider,
        account_id=account_id,
        token_balance=balance,
        price=price,
        block_height=height,
        pending=pending,
        readiness=readiness,
        instant=_instant_quote(provider, quote_raw, quote_asked, value, notes),
        current_delay_epochs=live_delay,
        settlements=settlements,
        notes=notes,
    )


async def read_positions(
    rpc: NearRpcClient, network: str, account_id: str, *, with_settlement: bool = False, with_exit: bool = True,
) -> list[tuple[LiquidProvider, LiquidPosition | errors.NearError]]:
    """Every provider of `network`, read concurrently at one block; a provider's NearError is returned in its place."""
    providers = providers_for(network)
    rpc = rpc.at_final()
    reads = await asyncio.gather(
        *(read_position(rpc, p, account_id, with_settlement=with_settlement, with_exit=with_exit) for p in providers),
        return_exceptions=True,
    )
    out: list[tuple[LiquidProvider, LiquidPosition | errors.NearError]] = []
    for provider, read in zip(providers, reads, strict=True):
        if isinstance(read, BaseException) and not isinstance(read, errors.NearError):
            raise read
        out.append((provider, read))
    return out


async def first_deposit_storage_charge(rpc: NearRpcClient, provider: LiquidProvider, account_id: str) -> int | None:
    """NEAR that `deposit_and_stake` keeps from a new account's first deposit for its storage (0 when the account
    is registered, or at LiNEAR); None when it could not be read.

    Meta Pool keeps STORAGE_COST_YOCTOS = its NEP-145 `storage_balance_bounds.min` (MP internal.rs,
    empty_nep_145.rs). Rhea charges a new account's storage from the deposit too (near-staking.md §5); that the
    charge equals its `storage_balance_bounds.min` is unverified. LiNEAR charges nothing (LN stake.rs)."""
    if provider.key == "linear":
        return 0
    try:
        registered, bounds = await asyncio.gather(
            rpc.view_function(provider.contract_id, "storage_balance_of", {"account_id": account_id}),
            rpc.view_function(provider.contract_id, "storage_balance_bounds", {}),
        )
        if registered is not None:
            return 0
        return _u128(bounds.get("min") if isinstance(bounds, dict) else None, "storage_balance_bounds.min")
    except errors.NearError:
        return None


# Meta Pool's `is_close`: within 0.001 (10^21 yocto) of the total counts as all of it (MP utils.rs). `unstake` and
# `liquid_unstake` compare *shares* with it (MP internal.rs `internal_unstake`, lib.rs `liquid_unstake`).
METAPOOL_CLOSE_SHARES = 10**21


def metapool_takes_all(requested_shares: int, owned_shares: int) -> bool:
    return owned_shares - METAPOOL_CLOSE_SHARES <= requested_shares <= owned_shares + METAPOOL_CLOSE_SHARES


async def metapool_unstake_shares(rpc: NearRpcClient, provider: LiquidProvider, near_amount: int, block_id: int) -> int | None:
    """The stNEAR shares Meta Pool's `unstake {"amount"}` converts `near_amount` to: stake_shares_from_amount =
    amount × total_stake_shares / total_for_staking, floored (MP utils.rs `shares_from_amount`); None if unreadable."""
    try:
        state = await rpc.view_function(provider.contract_id, "get_contract_state", {}, block_id=block_id)
        if not isinstance(state, dict):
            return None
        staked = _u128(state.get("total_for_staking"), "total_for_staking")
        shares = _u128(state.get("total_stake_shares"), "total_stake_shares")
    except errors.NearError:
        return None
    return near_amount * shares // staked if staked else None
