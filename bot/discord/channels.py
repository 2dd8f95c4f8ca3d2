"""A text channel picked in a command option, and whether alerts may be posted there.

A channel is used only where the person asking may post (their resolved permissions come with the option) and
the bot itself can post (its cached member and the channel's overwrites): otherwise alerts would be a way to
post where one may not, or would fail silently later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.render.safe import Md, md

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

BOT_NEEDS = ("view_channel", "send_messages", "embed_links")


class PostChannelTransformer(app_commands.Transformer["StakingBot"]):
    """A server text or announcement channel (no cache needed: Discord sends it resolved)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[StakingBot], value: Any, /) -> app_commands.AppCommandChannel:
        if not isinstance(value, app_commands.AppCommandChannel):
            raise ValueError("Pick a text channel of this server.")
        return value


PostChannel = app_commands.Transform[app_commands.AppCommandChannel, PostChannelTransformer]


def channel_problem(
    interaction: discord.Interaction[StakingBot], channel: app_commands.AppCommandChannel, *, check_user: bool = True
) -> Md | None:
    """Why alerts cannot go to `channel`, or None when both the user (if `check_user`) and the bot can post."""
    if interaction.guild_id is None:
        return Md("Channels can be chosen only inside a server. Leave the channel out and I will DM you.")
    if check_user:
        mine = channel.permissions
        if not (mine.view_channel and mine.send_messages):
            return md("You cannot post in <#{}>, so I will not post your alerts there either.", int(channel.id))
    guild = interaction.client.get_guild(interaction.guild_id)
    if guild is None or guild.me is None:
        return Md(
            "I am not a member of this server (the app is only installed on your account), so I cannot post in "
            "its channels. Leave the channel out and I will DM you, or ask an admin to add me to the server."
        )
    full = guild.get_channel(channel.id)
    if not isinstance(full, discord.TextChannel):
        return md("I cannot see <#{}>.", int(channel.id))
    have = full.permissions_for(guild.me)
    missing = [name for name in BOT_NEEDS if not getattr(have, name)]
    if missing:
        names = ", ".join(name.replace("_", " ").title() for name in missing)
        return md("I need the {} permission in <#{}>. A server admin can grant it.", names, int(channel.id))
    return None
