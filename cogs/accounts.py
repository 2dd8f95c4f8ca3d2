"""/status and /unbonding: personal answers, ephemeral in servers and group DMs, normal in the bot DM.

Adding a command is one small function: options → its typed request → `answer(interaction, request, personal=True)`;
the shared command layer runs the service and maps errors, `bot.render.embeds` draws the result (bot/registry.py).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import (
    AccountId,
    IsoTime,
    account_autocomplete,
    personal_cooldown,
    pool_autocomplete,
    read_only,
)
from bot.discord.personal import account_or_default, linked_accounts
from bot.discord.respond import answer
from bot.discord_app import StakingBot
from bot.requests import LiquidRequest, LockupRequest, StatusRequest, UnbondingRequest

ACCOUNT_HELP = "NEAR account id, e.g. alice.near (default: your linked account, see /account link)"


class Accounts(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @app_commands.command(name="status", description="Balance and every delegation of a NEAR account")
    @app_commands.describe(
        account=ACCOUNT_HELP,
        scan="Also check every validator's pool, in case the staking index missed one (a few seconds more)",
    )
    @app_commands.autocomplete(account=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def status(self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None, scan: bool = False) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        linked = await linked_accounts(interaction, account)
        await answer(interaction, StatusRequest(account=account, linked=linked, scan=scan), personal=True)

    @app_commands.command(name="unbonding", description="When unstaked NEAR becomes withdrawable, pool by pool")
    @app_commands.describe(account=ACCOUNT_HELP, pool="Only this pool (optional)")
    @app_commands.autocomplete(account=account_autocomplete, pool=pool_autocomplete)
    @read_only
    @personal_cooldown()
    async def unbonding(
        self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None, pool: AccountId | None = None
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        linked = await linked_accounts(interaction, account)
        await answer(interaction, UnbondingRequest(account=account, pool=pool, linked=linked), personal=True)

    @app_commands.command(name="lockup", description="A lockup: locked, transferable, release chart, what to do")
    @app_commands.describe(
        account="Owner account id or the lockup id (default: your linked account)",
        at="Optional future time, e.g. 2027-01-01 or 2027-01-01T12:00:00Z (assumes no new transactions)",
    )
    @app_commands.autocomplete(account=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def lockup(
        self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None, at: IsoTime | None = None
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        await answer(interaction, LockupRequest(account=account, at=at), personal=True)

    @app_commands.command(name="liquid", description="Liquid-staking tokens: value, pending unstakes, exits")
    @app_commands.describe(account=ACCOUNT_HELP)
    @app_commands.autocomplete(account=account_autocomplete)
    @read_only
    @personal_cooldown()
    async def liquid(self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        await answer(interaction, LiquidRequest(account=account), personal=True)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Accounts(bot))
