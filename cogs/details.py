"""The "Details" buttons of answers with steps ready to sign: a click answers with a second ephemeral message, the
technical side the advice leaves out (a step's receiver, method, args, deposit, gas, warnings and near-cli-rs
command, or the whole answer's technical text and exact amounts).

The custom_id says where to look ("nsa:details:<token>:<row>|all", bot/render/ready.py): the answer's details are
kept in memory (bot/discord/details.py); when they are gone (a restart, an old alert), a step's Details are read back
from the wallet links of its own row of the message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord.respond import show
from bot.render.details import details_embed, signed_by_links
from bot.render.embeds import Rendered, error_embed, render_embed
from bot.render.ready import ALL, DETAILS_PREFIX
from bot.services.results import ActionResult, Result

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

log = logging.getLogger(__name__)
GONE = (
    "These details are no longer kept (answers are kept for a day, and not across a restart of the bot). Run the "
    "command again for a fresh answer."
)


def _render(item: Result, network: str) -> Rendered:
    if isinstance(item, ActionResult):
        return render_embed(item, network=network)  # the action command's own answer, QR code included
    return Rendered(details_embed(item))


def row_links(message: discord.Message | None, custom_id: str) -> list[str]:
    """The link buttons in the same row as the button `custom_id` of `message`."""
    for row in message.components if message is not None else []:
        children = getattr(row, "children", [])
        if any(getattr(child, "custom_id", None) == custom_id for child in children):
            return [child.url for child in children if getattr(child, "url", None)]
    return []


class Details(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StakingBot]) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str(interaction.data.get("custom_id", "")) if interaction.data else ""
        if not custom_id.startswith(DETAILS_PREFIX):
            return
        token, _, key = custom_id.removeprefix(DETAILS_PREFIX).partition(":")
        await interaction.response.defer(ephemeral=True, thinking=True)
        network = self.bot.network
        item = self.bot.details.get(token, key)
        if item is not None:
            rendered = await asyncio.to_thread(_render, item, network)  # a QR code is drawn off the event loop
        else:
            embed = signed_by_links(row_links(interaction.message, custom_id), network) if key != ALL else None
            rendered = Rendered(embed) if embed is not None else error_embed(GONE, title="Details")
        await show(interaction, rendered, ephemeral=True)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Details(bot))
