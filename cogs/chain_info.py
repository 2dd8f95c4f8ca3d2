"""/epoch and /pool: public answers about the chain. Thin: options → shared command layer → embed → reply."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import AccountId, pool_autocomplete, public_cooldown, read_only
from bot.discord.respond import answer
from bot.discord_app import StakingBot
from bot.requests import EpochRequest, PoolRequest


class ChainInfo(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @app_commands.command(name="epoch", description="Current NEAR epoch: progress, blocks left and estimated end")
    @read_only
    @public_cooldown()
    async def epoch(self, interaction: discord.Interaction[StakingBot]) -> None:
        await answer(interaction, EpochRequest(), personal=False)

    @app_commands.command(name="pool", description="A staking pool: fee, total stake, owner, validator status")
    @app_commands.describe(pool="Pool account id, e.g. astro-stakers.poolv1.near")
    @app_commands.autocomplete(pool=pool_autocomplete)
    @read_only
    @public_cooldown()
    async def pool(self, interaction: discord.Interaction[StakingBot], pool: AccountId) -> None:
        await answer(interaction, PoolRequest(pool=pool), personal=False)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(ChainInfo(bot))
