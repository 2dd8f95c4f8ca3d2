"""Liquid-staking positions read from the providers' own contracts (near-staking.md §5, seed-errata B2–B6).

Per provider and account: the token balance (NEP-141 `ft_balance_of`), the price (NEAR yocto per 10^24 token
units), a pending delayed unstake with its unlock epoch, and what an instant exit pays now. Balance, price and
account record are read at one block (pinned), so value = balance × price is consistent. Providers are read
concurrently and independently: a provider that fails becomes a per-provider error, the others still answer.

View facts (MP = Meta-Pool/liquid-staking-contract, LN = linear-protocol/LiNEAR):
- Meta Pool: `get_st_near_price()` → U128; `get_account_info({"account_id"})` → `unstaked` (U128),
  `unstaked_requested_unlock_epoch` (U64 *string*), `can_withdraw`; instant exit `liquid_unstake`, quoted by
  `get_near_amount_sell_stnear({"stnear_to_sell"})`; `compute_current_unstaking_delay({"amount"})` → 4 or 8.
- LiNEAR: `ft_price()` → U128; `get_account_details({"account_id"})` → `unstaked_balance` (U128),
  `unstaked_available_epoch_height` (JSON *number*), `can_withdraw`; no in-contract instant exit (DEX swap).
- Rhea `lst.rhealab.near`: no public source. `ft_price` and `get_account` are used by third parties; the
  LiNEAR-like `get_account_details` is unverified. A missing view makes that part unknown, never a guess.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.near import errors
from bot.near.rpc import NearRpcClient

TOKEN_UNIT = 10**24  # stNEAR, LiNEAR and rNEAR all have 24 decimals; prices are NEAR yocto per 10^24 units

AccountStyle = Literal["metapool", "linear"]
InstantExit = Literal["liquid_unstake", "dex_swap"]


@dataclass(frozen=True)
class LiquidProvider:
    key: str
    name: str
    contract_id: str
    symbol: str
    price_method: str
    account_style: AccountStyle
    # Account views tried in order; MethodNotFound moves to the next one (Rhea's interface is unverified).
    account_views: tuple[str, ...]
    instant_exit: InstantExit
    # Nominal wait of a new delayed unstake (MP/LN: 4, or 8 when validators are busy; LN +1 after settlement).
    delay_epochs: int
    withdraw_method: str


def _metapool(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "metapool", "Meta Pool", contract_id, "stNEAR", "get_st_near_price", "metapool",
        ("get_account_info",), "liquid_unstake", 4, "withdraw_unstaked",
    )


def _linear(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "linear", "LiNEAR", contract_id, "LiNEAR", "ft_price", "linear",
        ("get_account_details",), "dex_swap", 4, "withdraw_all",
    )


def _rhea(contract_id: str) -> LiquidProvider:
    return LiquidProvider(
        "rhea", "Rhea", contract_id, "rNEAR", "ft_price", "linear",
        ("get_account_details", "get_account"), "dex_swap", 4, "withdraw_all",
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
    can_withdraw: bool
    unlock_epoch: int | None  # None: the provider exposes no view with it
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
    instant: InstantQuote | None = None
    current_delay_epochs: int | None = None  # live value (Meta Pool), else None
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
    if provider.account_style == "metapool":
        amount = _u128(data.get("unstaked"), f"{where} unstaked")
        epoch: int | None = _epoch(data.get("unstaked_requested_unlock_epoch"), f"{where} unlock epoch")
    else:
        amount = _u128(data.get("unstaked_balance"), f"{where} unstaked_balance")
        raw_epoch = data.get("unstaked_available_epoch_height")
        epoch = None if raw_epoch is None else _epoch(raw_epoch, f"{where} unstaked_available_epoch_height")
    return PendingUnstake(amount=amount, can_withdraw=data["can_withdraw"], unlock_epoch=epoch)


async def _read_pending(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str, block_id: int
) -> tuple[PendingUnstake | None, list[str]]:
    missing: list[str] = []
    for view in provider.account_views:
        try:
            data = await rpc.view_function(provider.contract_id, view, {"account_id": account_id}, block_id=block_id)
        except errors.MethodNotFound:
            missing.append(view)
            continue
        pending = _pending_from(provider, view, data)
        if pending.unlock_epoch is None and pending.amount > 0:
            lacking = f"has no {' or '.join(missing)} view and its " if missing else "'s "
            reason = f"{provider.name} {lacking}{view} does not include the unlock epoch"
            pending = PendingUnstake(pending.amount, pending.can_withdraw, None, reason)
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


async def read_position(rpc: NearRpcClient, provider: LiquidProvider, account_id: str) -> LiquidPosition:
    """One provider's position for `account_id`; raises NearError when the balance or price cannot be read."""
    contract = provider.contract_id
    first = await rpc.call_function(contract, "ft_balance_of", {"account_id": account_id})
    try:
        raw_balance = first.decoded()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{contract}.ft_balance_of returned something that is not JSON.") from exc
    balance = _u128(raw_balance, f"{contract}.ft_balance_of")
    height = first.block_height

    async def view(method: str, args: dict[str, Any] | None = None) -> Any:
        return await rpc.view_function(contract, method, args or {}, block_id=height)

    quote_task = delay_task = None
    if provider.instant_exit == "liquid_unstake" and balance > 0:
        quote_task = _optional(view("get_near_amount_sell_stnear", {"stnear_to_sell": str(balance)}))
    price_raw, (pending, notes), quote_raw = await asyncio.gather(
        view(provider.price_method),
        _read_pending(rpc, provider, account_id, height),
        quote_task if quote_task is not None else asyncio.sleep(0, None),
    )
    price = _u128(price_raw, f"{contract}.{provider.price_method}")
    value = near_value(balance, price)
    if provider.key == "metapool" and value > 0:
        delay_task = _optional(view("compute_current_unstaking_delay", {"amount": str(value)}))
    delay = await delay_task if delay_task is not None else None
    instant = None
    if quote_raw is not None:
        try:
            receive = _u128(quote_raw, f"{contract}.get_near_amount_sell_stnear")
        except errors.MalformedResponse:
            notes.append(f"{provider.name}'s instant-exit quote could not be read.")
        else:
            instant = InstantQuote(receive=receive, fee=max(0, value - receive))
    elif quote_task is not None:
        notes.append(f"{provider.name}'s instant-exit quote could not be read.")
    live_delay = delay if isinstance(delay, int) and not isinstance(delay, bool) and delay > 0 else None
    return LiquidPosition(
        provider=provider,
        account_id=account_id,
        token_balance=balance,
        price=price,
        block_height=height,
        pending=pending,
        instant=instant,
        current_delay_epochs=live_delay,
        notes=notes,
    )


async def read_positions(
    rpc: NearRpcClient, network: str, account_id: str
) -> list[tuple[LiquidProvider, LiquidPosition | errors.NearError]]:
    """Every provider of `network`, read concurrently; a provider's NearError is returned in its place."""
    providers = providers_for(network)
    reads = await asyncio.gather(*(read_position(rpc, p, account_id) for p in providers), return_exceptions=True)
    out: list[tuple[LiquidProvider, LiquidPosition | errors.NearError]] = []
    for provider, read in zip(providers, reads, strict=True):
        if isinstance(read, BaseException) and not isinstance(read, errors.NearError):
            raise read
        out.append((provider, read))
    return out
