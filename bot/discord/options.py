"""Slash command options: the account id type, autocomplete for pools and accounts, shared decorators."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.near import errors
from bot.near.account_id import is_valid_account_id, validate_account_id
from bot.near.liquid import LiquidProvider, providers_for
from bot.near.units import YOCTO_PER_NEAR
from bot.render.discord_limits import CHOICE_TEXT, CHOICES, choice_name
from bot.render.safe import clean
from bot.safety import SECRET_WARNING, might_be_secret
from bot.services.chain import Chain
from bot.services.liquid_actions import parse_token_amount
from bot.services.lockup_input import parse_at_time
from bot.services.planning import is_all, parse_amount

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CHOICES = CHOICES  # Discord's limit for autocomplete answers

# Per-user cooldowns protect the RPC budget (rate, seconds). A personal answer reads more (index + every pool).
PUBLIC_RATE = (5, 30.0)
PERSONAL_RATE = (4, 30.0)


# The same for an app_commands.Group (decorators do nothing on subcommands: discord.md §2.3).
GROUP_EVERYWHERE = dict(
    allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
)


def read_only(func: T) -> T:
    """Available everywhere: installed to a server or to a user; in servers, the bot DM and group DMs."""
    func = app_commands.allowed_installs(guilds=True, users=True)(func)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)


def public_cooldown() -> Callable[[T], T]:
    return app_commands.checks.cooldown(*PUBLIC_RATE)


def personal_cooldown() -> Callable[[T], T]:
    return app_commands.checks.cooldown(*PERSONAL_RATE)


class AccountIdTransformer(app_commands.Transformer["StakingBot"]):
    """A NEAR account id, checked before anything is deferred or read: a typo gets its reason at once."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 2

    @property
    def max_value(self) -> int:
        return 64

    async def transform(self, interaction: discord.Interaction[StakingBot], value: Any, /) -> str:
        # A ValueError with the reason becomes a TransformerError for the tree's on_error.
        text = str(value)
        if might_be_secret(text):  # a near-miss too: the missing part of a damaged key can be guessed
            raise ValueError(SECRET_WARNING)  # never echo it back, not even in the reason
        return validate_account_id(text)


AccountId = app_commands.Transform[str, AccountIdTransformer]


class AmountTransformer(app_commands.Transformer["StakingBot"]):
    """A NEAR amount (or, for an unstake, liquid-staking tokens), checked before anything is deferred with the
    planners' own parsers: refused here only when every planner the command may route to would refuse it (which one
    it reaches can depend on the chain), with the reason the likeliest one gives. The words themselves go on to the
    planner, which decides what they mean (NEAR or tokens) once it has read the chain."""

    def __init__(self, *, allow_all: bool, tokens: bool = False) -> None:
        self.allow_all = allow_all  # "all" (any case) is a word the planner reads
        self.tokens = tokens  # liquid-staking token amounts ("10 stNEAR") too

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    def _parsers(self, interaction: discord.Interaction[StakingBot]) -> list[Callable[[str], object]]:
        parsers: list[Callable[[str], object]] = [parse_amount]
        if self.tokens:
            pool = str(getattr(interaction.namespace, "pool", "") or "")
            for provider in providers_for(interaction.client.network):
                def token(text: str, provider: LiquidProvider = provider) -> object:
                    return parse_token_amount(text, provider)
                # the pool named is where the amount goes: its reason first
                parsers.insert(0 if provider.contract_id == pool else len(parsers), token)
        return parsers

    async def transform(self, interaction: discord.Interaction[StakingBot], value: Any, /) -> str:
        text = str(value)
        if self.allow_all and is_all(text):
            return text
        reasons: list[str] = []
        for parse in self._parsers(interaction):
            try:
                parse(text)
            except errors.InvalidInput as exc:
                reasons.append(exc.message)
            else:
                return text
        raise ValueError(reasons[0])  # becomes a TransformerError, answered by the tree before any defer


class TimeTransformer(app_commands.Transformer["StakingBot"]):
    """An ISO-8601 date or date-time (no offset = UTC) → Unix seconds, read exactly as `lockup --at` reads it."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    async def transform(self, interaction: discord.Interaction[StakingBot], value: Any, /) -> int:
        try:
            return parse_at_time(str(value))
        except errors.InvalidInput as exc:
            raise ValueError(exc.message) from None


Amount = app_commands.Transform[str, AmountTransformer(allow_all=False)]
AmountOrAll = app_commands.Transform[str, AmountTransformer(allow_all=True)]
TokensOrAll = app_commands.Transform[str, AmountTransformer(allow_all=True, tokens=True)]
IsoTime = app_commands.Transform[int, TimeTransformer]


# -- pools -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolChoice:
    pool_id: str
    status: str
    stake: int

    def label(self, fee: tuple[int, int] | None = None) -> str:
        fee_text = f" · fee {_percent(fee)}" if fee else ""
        return choice_name(f"{self.pool_id}{fee_text} · {self.status} · {compact_near(self.stake)}")


def _percent(fee: tuple[int, int]) -> str:
    numerator, denominator = fee
    hundredths = numerator * 10_000 // denominator if denominator else 0
    whole, rest = divmod(hundredths, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def compact_near(yocto: int) -> str:
    """A short stake for a picker ("8.2M NEAR"), truncated like every amount the bot shows."""
    whole = yocto // YOCTO_PER_NEAR
    if whole >= 1_000_000:
        return f"{whole // 1_000_000}.{whole // 100_000 % 10}M NEAR"
    if whole >= 1_000:
        return f"{whole // 1_000}.{whole // 100 % 10}K NEAR"
    return f"{whole} NEAR"


class PoolDirectory:
    """The validator set as autocomplete choices, cached briefly so typing does not cost an RPC call per key."""

    def __init__(self, chain: Chain, *, ttl: float = 120.0, timeout: float = 2.0) -> None:
        self.chain = chain
        self.ttl = ttl
        self.timeout = timeout  # autocomplete must answer within Discord's 3 s
        self._pools: list[PoolChoice] = []
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()
        # Fees cost one view call per pool: fetched in the background for the pools a picker showed, so the
        # next keystroke shows them without ever delaying an answer (autocomplete cannot be deferred).
        self._fees: dict[str, tuple[float, tuple[int, int]]] = {}
        self._fee_tasks: set[asyncio.Task[None]] = set()

    async def pools(self) -> list[PoolChoice]:
        async with self._lock:
            if time.monotonic() - self._fetched > self.ttl:
                try:
                    self._pools = await asyncio.wait_for(self._read(), self.timeout)
                    self._fetched = time.monotonic()
                except Exception as exc:  # a picker never fails: keep what we had
                    log.warning("pool autocomplete: validator set unavailable (%s)", type(exc).__name__)
        return self._pools

    async def _read(self) -> list[PoolChoice]:
        v = await self.chain.rpc.validators()
        found: dict[str, PoolChoice] = {}
        for current in v.current_validators:
            found[current.account_id] = PoolChoice(current.account_id, "active", current.stake)
        for nxt in v.next_validators:
            found.setdefault(nxt.account_id, PoolChoice(nxt.account_id, "joins next epoch", nxt.stake))
        for proposal in v.current_proposals:
            found.setdefault(proposal.account_id, PoolChoice(proposal.account_id, "proposal", proposal.stake))
        for kicked in v.prev_epoch_kickout:
            found.setdefault(kicked.account_id, PoolChoice(kicked.account_id, "kicked out", 0))
        # A choice's value goes back into a command: only real account ids (never over Discord's 100 characters).
        valid = [p for p in found.values() if is_valid_account_id(p.pool_id)]
        return sorted(valid, key=lambda p: (-p.stake, p.pool_id))

    async def choices(self, typed: str) -> list[app_commands.Choice[str]]:
        typed = typed.strip().lower()
        pools = await self.pools()
        starts = [p for p in pools if p.pool_id.startswith(typed)]
        contains = [p for p in pools if typed and typed in p.pool_id and not p.pool_id.startswith(typed)]
        shown = (starts + contains)[:MAX_CHOICES]
        now = time.monotonic()
        missing = [p.pool_id for p in shown if self._fees.get(p.pool_id, (0.0, None))[0] < now]
        if missing and not self._fee_tasks:
            task = asyncio.create_task(self._fetch_fees(missing))
            self._fee_tasks.add(task)
            task.add_done_callback(self._fee_tasks.discard)
        return [
            app_commands.Choice(name=p.label(self._fees.get(p.pool_id, (0.0, None))[1]), value=p.pool_id)
            for p in shown
        ]

    async def _fetch_fees(self, pool_ids: list[str]) -> None:
        async def one(pool_id: str) -> None:
            try:
                fee = await self.chain.rpc.view_function(pool_id, "get_reward_fee_fraction")
            except Exception:  # a missing fee only leaves it out of the label
                return
            if isinstance(fee, dict) and isinstance(fee.get("numerator"), int) and isinstance(fee.get("denominator"), int):
                self._fees[pool_id] = (time.monotonic() + 10 * self.ttl, (fee["numerator"], fee["denominator"]))

        await asyncio.gather(*(one(pool_id) for pool_id in pool_ids))


async def pool_autocomplete(interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[str]]:
    try:
        return await interaction.client.pool_directory.choices(current)
    except Exception:
        log.exception("pool autocomplete failed")
        return []


async def account_autocomplete(interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[str]]:
    """The user's linked accounts matching what they typed, and the typed value itself."""
    typed = current.strip()
    if might_be_secret(typed):  # the typed value would be offered back as a choice
        return []
    try:
        linked = await interaction.client.linked_accounts(interaction.user.id)
    except Exception:
        log.exception("account autocomplete failed")
        linked = []
    names = [a for a in linked if a.startswith(typed.lower()) and is_valid_account_id(a)]
    # What was typed comes back as typed (the option explains a bad id), unless it holds hidden characters.
    if typed and typed not in names and len(typed) <= CHOICE_TEXT and clean(typed) == typed:
        names.insert(0, typed)
    return [app_commands.Choice(name=choice_name(n), value=n) for n in names[:MAX_CHOICES]]
