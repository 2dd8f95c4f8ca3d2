"""Notices left for a user while they were away (e.g. "your DMs are closed, so an alert was switched off"),
shown once, ephemerally, right after the answer to the next command they use."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.render.discord_limits import SafeEmbed, fit_embed
from bot.render.safe import Md, md, trusted_markdown

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

log = logging.getLogger(__name__)

NOTICE_COLOUR = discord.Colour(0xF1C40F)


async def show_notices(interaction: discord.Interaction[StakingBot]) -> None:
    """Pop the user's pending notices and send them as one ephemeral followup; never fails the command."""
    if not interaction.client.has_storage or interaction.type is not discord.InteractionType.application_command:
        return
    storage = interaction.client.storage
    try:
        notices = await storage.pop_notices(interaction.user.id)
    except Exception:
        if not interaction.client.is_closed():  # closing: storage may already be shut, nothing is lost
            log.exception("could not read notices for a user")
        return
    if not notices:
        return
    embed = SafeEmbed(
        title=Md("While you were away"), description=Md("\n\n").join(
            # Only the bot writes notices (bot/alerts/notify.py), from ids it stored: its own markdown.
            md("⚠️ {}", trusted_markdown(n)) for n in notices
        ),
        colour=NOTICE_COLOUR,
    )
    try:
        await interaction.followup.send(embed=fit_embed(embed), ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not show notices (%s %s); keeping them for next time", exc.status, exc.code)
        for notice in notices:
            await storage.add_notice(interaction.user.id, notice)
