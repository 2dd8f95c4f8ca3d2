"""/stake, /unstake, /withdraw and /transfer: a prepared transaction for the user's own wallet (link buttons, a QR
code for phone wallets, the near-cli-rs command). Personal answers: ephemeral in servers and group DMs.

Thin wrappers over the shared command layer: options → the command's typed request → `answer`. Amounts are
checked by their transformers before anything is deferred. The bot never asks for a key: the user signs in their
own wallet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import (
    MAX_CHOICES,
    AccountId,
    Amount,
    AmountOrAll,
    TokensOrAll,
    account_autocomplete,
    personal_cooldown,
    read_only,
)
from bot.discord.personal import account_or_default
from bot.discord.respond import answer
from bot.discord_app import StakingBot
from bot.near.account_id import is_valid_account_id, lockup_account_id
from bot.near.liquid import providers_for
from bot.render.discord_limits import choice_name
from bot.requests import (
    StakeRequest,
    TransferRequest,
    UnstakeRequest,
    VenearRequest,
    VenearWord,
    WithdrawRequest,
)

log = logging.getLogger(__name__)

ACCOUNT_HELP = "Your NEAR account id, the signer (default: your linked account, see /account link)"
AMOUNT_HELP = "e.g. 10, 0.5, 1,000.25 NEAR, or all"
LOCKUP_HELP = "Use the NEAR in your lockup account (you sign as its owner)"
WHICH_LOCKUP_HELP = "Which lockup, when you have several or it is not at the usual id (implies from_lockup)"
VENEAR_CHOICES = [
    app_commands.Choice(name="lock: lock free NEAR for veNEAR voting power", value="lock"),
    app_commands.Choice(name="unlock: start the unlock cooldown", value="unlock"),
    app_commands.Choice(name="end-unlock: finish an unlock whose cooldown is over", value="end-unlock"),
    app_commands.Choice(name="relock: lock the pending NEAR again", value="relock"),
]
OWN_POOLS_TTL = 60.0
OWN_POOLS_TIMEOUT = 2.0  # autocomplete must answer within Discord's 3 s


def _liquid_choices(network: str, typed: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=choice_name(f"{p.contract_id} · liquid staking ({p.symbol})"), value=p.contract_id)
        for p in providers_for(network)
        if typed in p.contract_id
    ]


async def stake_target_autocomplete(interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[str]]:
    """Validators from the current set, plus the network's liquid-staking contracts."""
    typed = current.strip().lower()
    try:
        bot = interaction.client
        pools = await bot.pool_directory.choices(typed)
        liquid = _liquid_choices(bot.network, typed)
    except Exception:
        log.exception("stake autocomplete failed")
        return []
    return (liquid + pools)[:MAX_CHOICES]


class OwnPools:
    """The pools an account (or its lockup) delegates to, and its liquid-staking contracts, cached per account."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, list[str]]] = {}

    async def pools(self, bot: StakingBot, account_id: str) -> list[str]:
        hit = self._cache.get(account_id)
        if hit is not None and time.monotonic() - hit[0] < OWN_POOLS_TTL:
            return hit[1]
        found = await asyncio.wait_for(self._read(bot, account_id), OWN_POOLS_TIMEOUT)
        self._cache[account_id] = (time.monotonic(), found)
        if len(self._cache) > 500:
            self._cache.pop(next(iter(self._cache)))
        return found

    async def _read(self, bot: StakingBot, account_id: str) -> list[str]:
        chain = bot.chain

        async def indexed() -> list[str]:
            return (await chain.indexer.staking_pools(account_id)).pool_ids

        async def lockup_pool() -> list[str]:
            pool = await chain.rpc.view_function(
                lockup_account_id(account_id, chain.network), "get_staking_pool_account_id"
            )
            return [pool] if isinstance(pool, str) else []

        reads = await asyncio.gather(indexed(), lockup_pool(), return_exceptions=True)
        found: list[str] = []
        for read in reads:
            if isinstance(read, list):  # a choice's value goes back into a command: real account ids only
                found += [p for p in read if isinstance(p, str) and is_valid_account_id(p)]
        found += [p.contract_id for p in providers_for(chain.network)]
        return list(dict.fromkeys(found))


_own_pools = OwnPools()


async def own_pool_autocomplete(interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[str]]:
    """The account's own pools (its delegations, its lockup's pool, liquid staking), matching what was typed."""
    typed = current.strip().lower()
    try:
        bot = interaction.client
        account = getattr(interaction.namespace, "account", None)
        if not account:
            account = await bot.default_account(interaction.user.id)
        if not account or not is_valid_account_id(str(account)):
            return (await bot.pool_directory.choices(typed))[:MAX_CHOICES]
        pools = await _own_pools.pools(bot, str(account))
    except Exception as exc:  # a picker never fails: fall back to nothing rather than an error
        log.warning("own-pool autocomplete failed (%s)", type(exc).__name__)
        return []
    matches = [p for p in pools if typed in p]
    return [app_commands.Choice(name=choice_name(p), value=p) for p in matches[:MAX_CHOICES]]


class Actions(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @app_commands.command(name="stake", description="Prepare a stake for your own wallet to sign (no key needed)")
    @app_commands.describe(
        pool="Staking pool or liquid-staking contract, e.g. aurora.poolv1.near or meta-pool.near",
        amount="NEAR to stake, e.g. 10 or 0.5",
        account=ACCOUNT_HELP,
        from_lockup=LOCKUP_HELP,
        lockup=WHICH_LOCKUP_HELP,
    )
    @app_commands.autocomplete(pool=stake_target_autocomplete, account=account_autocomplete, lockup=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def stake(
        self, interaction: discord.Interaction[StakingBot], pool: AccountId, amount: Amount,
        account: AccountId | None = None, from_lockup: bool = False, lockup: AccountId | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        request = StakeRequest(account=account, pool=pool, amount=amount, from_lockup=from_lockup, lockup=lockup)
        await answer(interaction, request, personal=True)

    @app_commands.command(name="unstake", description="Prepare an unstake for your own wallet to sign")
    @app_commands.describe(
        pool="The pool or liquid-staking contract you staked with",
        amount=AMOUNT_HELP + " (stNEAR/LiNEAR/rNEAR for liquid staking)",
        account=ACCOUNT_HELP,
        instant="Meta Pool only: exit now through liquid_unstake, for a fee",
        from_lockup=LOCKUP_HELP,
        lockup=WHICH_LOCKUP_HELP,
    )
    @app_commands.autocomplete(pool=own_pool_autocomplete, account=account_autocomplete, lockup=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def unstake(
        self, interaction: discord.Interaction[StakingBot], pool: AccountId, amount: TokensOrAll,
        account: AccountId | None = None, instant: bool = False, from_lockup: bool = False,
        lockup: AccountId | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        request = UnstakeRequest(
            account=account, pool=pool, amount=amount, instant=instant, from_lockup=from_lockup, lockup=lockup
        )
        await answer(interaction, request, personal=True)

    @app_commands.command(name="withdraw", description="Prepare a withdrawal of unstaked NEAR for your wallet to sign")
    @app_commands.describe(
        pool="The pool or liquid-staking contract holding your unstaked NEAR",
        account=ACCOUNT_HELP,
        amount=AMOUNT_HELP + " (default: all)",
        from_lockup=LOCKUP_HELP,
        lockup=WHICH_LOCKUP_HELP,
    )
    @app_commands.autocomplete(pool=own_pool_autocomplete, account=account_autocomplete, lockup=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def withdraw(
        self, interaction: discord.Interaction[StakingBot], pool: AccountId, account: AccountId | None = None,
        amount: AmountOrAll | None = None, from_lockup: bool = False, lockup: AccountId | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        request = WithdrawRequest(account=account, pool=pool, amount=amount, from_lockup=from_lockup, lockup=lockup)
        await answer(interaction, request, personal=True)

    @app_commands.command(name="transfer", description="Prepare moving unlocked NEAR out of your lockup (you sign)")
    @app_commands.describe(
        amount=AMOUNT_HELP,
        account="The lockup owner's account id (default: your linked account)",
        to="Who receives it (default: the owner)",
        lockup="Which lockup, when you have several or it is not at the usual id",
    )
    @app_commands.autocomplete(account=account_autocomplete, lockup=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def transfer(
        self, interaction: discord.Interaction[StakingBot], amount: AmountOrAll, account: AccountId | None = None,
        to: AccountId | None = None, lockup: AccountId | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        request = TransferRequest(account=account, amount=amount, to=to, lockup=lockup)
        await answer(interaction, request, personal=True)

    @app_commands.command(name="venear", description="House of Stake lockup: lock, unlock, finish an unlock (you sign)")
    @app_commands.describe(
        action="What to do with your House of Stake (veNEAR) lockup",
        amount="NEAR, e.g. 10 or 0.5 (default: all that the action can take)",
        account="The lockup owner's account id (default: your linked account)",
        lockup="The House of Stake lockup, if the bot cannot find it from the owner",
    )
    @app_commands.choices(action=VENEAR_CHOICES)
    @app_commands.autocomplete(account=account_autocomplete, lockup=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def venear(
        self, interaction: discord.Interaction[StakingBot], action: app_commands.Choice[str],
        amount: AmountOrAll | None = None, account: AccountId | None = None, lockup: AccountId | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        word = cast(VenearWord, action.value)  # one of VENEAR_CHOICES' values
        request = VenearRequest(action=word, account=account, amount=amount, lockup=lockup)
        await answer(interaction, request, personal=True)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Actions(bot))
