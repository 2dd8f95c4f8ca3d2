"""/epoch, /pool and /status: thin wrappers that parse options, call the shared command layer and reply."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.commands import run_command
from bot.render.text import render_text


class ChainInfo(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def _answer(self, interaction: discord.Interaction, name: str, *args: str) -> None:
        # Personal answers are ephemeral in servers, normal in DMs (discord.md §2.2).
        ephemeral = interaction.guild is not None
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        result, _ = await run_command(self.bot.chain, name, list(args))  # type: ignore[attr-defined]
        text = render_text(result)
        await interaction.followup.send(f"```\n{text[:1900]}\n```", ephemeral=ephemeral)

    @app_commands.command(name="epoch", description="Current NEAR epoch, progress and estimated end")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def epoch(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "epoch")

    @app_commands.command(name="pool", description="A staking pool: owner, fee, stake, validator status")
    @app_commands.describe(pool_id="Pool account id, e.g. astro-stakers.poolv1.near")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def pool(self, interaction: discord.Interaction, pool_id: str) -> None:
        await self._answer(interaction, "pool", pool_id)

    @app_commands.command(name="status", description="Balance and every delegation of a NEAR account")
    @app_commands.describe(account_id="NEAR account id, e.g. alice.near")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def status(self, interaction: discord.Interaction, account_id: str) -> None:
        await self._answer(interaction, "status", account_id)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ChainInfo(bot))
