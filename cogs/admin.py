"""Owner-only text command `@bot sync [global|guild|clear-guild]`: publish slash commands on demand."""

from __future__ import annotations

import logging
from typing import Literal

from discord.ext import commands

from bot.discord_app import StakingBot

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[StakingBot], scope: Literal["global", "guild", "clear-guild"] = "global") -> None:
        """global: every server and user install (takes a while to show); guild: this server now."""
        if scope == "global":
            synced = await self.bot.sync_globally()
            await ctx.reply(f"Synced {len(synced)} commands globally: {', '.join(c.name for c in synced)}.")
        elif ctx.guild is None:
            await ctx.reply("Use `guild` or `clear-guild` inside a server.")
        elif scope == "guild":
            synced = await self.bot.sync_to_guild(ctx.guild.id)
            await ctx.reply(f"Synced {len(synced)} commands to this server.")
        else:
            self.bot.tree.clear_commands(guild=ctx.guild)
            await self.bot.tree.sync(guild=ctx.guild)
            await ctx.reply("Removed this server's guild-only copies of the commands.")
        log.info("owner sync (%s) by %s", scope, ctx.author.id)

    async def cog_command_error(self, ctx: commands.Context[StakingBot], error: Exception) -> None:  # type: ignore[override]  # the bot's own Context
        if isinstance(error, commands.CheckFailure):
            return  # not the owner: stay silent
        if isinstance(error, commands.BadLiteralArgument):
            await ctx.reply("Usage: `sync [global|guild|clear-guild]`.")
            return
        log.error("owner sync failed", exc_info=error)
        await ctx.reply("The sync failed; see the log.")


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Admin(bot))
