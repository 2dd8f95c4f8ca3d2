"""/announce channel | off: a server's epoch announcements (one message when a new epoch starts).

For server admins only: hidden from members without Manage Server (`default_permissions`) and checked again
when used, because a server can override who sees a command.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.channels import PostChannel, channel_problem
from bot.discord.respond import show
from bot.discord_app import StakingBot
from bot.render.discord_limits import SafeEmbed
from bot.render.embeds import GREEN, GREY, error_embed, finish
from bot.render.safe import Md, md


class ServerSettings(commands.Cog):
    announce = app_commands.Group(
        name="announce", description="Announce each new NEAR epoch in a channel of this server (admins)",
        allowed_installs=app_commands.AppInstallationType(guild=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @announce.command(name="channel", description="Post a message in this channel whenever a new epoch starts")
    @app_commands.describe(channel="Where to post (I need to be able to send messages and embeds there)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def channel(self, interaction: discord.Interaction[StakingBot], channel: PostChannel) -> None:
        assert isinstance(channel, app_commands.AppCommandChannel) and interaction.guild_id is not None
        problem = channel_problem(interaction, channel, check_user=False)
        if problem:
            await show(interaction, error_embed(problem, title="Not that channel"))
            return
        await self.bot.storage.update_guild(interaction.guild_id, announcement_channel_id=channel.id)
        await show(interaction, finish(SafeEmbed(
            title=Md("Epoch announcements on"),
            description=md("I will post in <#{}> once when each new epoch starts (about every 12 hours), with how long "
                           "the last one lasted. Turn it off with `/announce off`.", int(channel.id)),
            colour=GREEN,
        )))

    @announce.command(name="off", description="Stop the epoch announcements in this server")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(self, interaction: discord.Interaction[StakingBot]) -> None:
        assert interaction.guild_id is not None
        await self.bot.storage.update_guild(interaction.guild_id, announcement_channel_id=None)
        await show(interaction, finish(SafeEmbed(
            title=Md("Epoch announcements off"), description=Md("I will not announce new epochs in this server."),
            colour=GREY,
        )))


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(ServerSettings(bot))
