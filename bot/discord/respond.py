"""Answering an interaction: defer before any RPC call, run the shared command layer, reply exactly once."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord

from bot.commands import run_command
from bot.discord.notices import show_notices
from bot.render.embeds import Rendered, render_embed
from bot.requests import CommandRequest

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

ANSWERED = "answered"  # Interaction.extras key: the deferred message has been filled in


def is_bot_dm(interaction: discord.Interaction[StakingBot]) -> bool:
    """True in the user's own DM with the bot, the one place where a personal answer is shown normally.

    Servers (also where only the user installed the app) and group DMs have other readers, so personal answers
    are ephemeral there (discord.md §2.2).
    """
    context = interaction.context
    if context.dm_channel:
        return True
    if context.guild or context.private_channel:
        return False
    # No `context` in the payload: a DM has neither a guild nor a group channel.
    return interaction.guild_id is None and isinstance(interaction.channel, discord.DMChannel)


async def answer(interaction: discord.Interaction[StakingBot], request: CommandRequest, *, personal: bool) -> None:
    """Defer, run the cog's typed request through the shared command layer (errors become an ErrorResult), show
    the embed. Every option was checked before this (secrets on the raw values, then the transformers)."""
    ephemeral = personal and not is_bot_dm(interaction)
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    chain = interaction.client.chain
    # Steps act on the user's own money: prepared only in an answer the user asked for privately.
    result, _ = await run_command(chain, request, prepare=personal)
    # Rendering may draw a chart: keep it off the event loop.
    rendered = await asyncio.to_thread(render_embed, result, network=chain.network)
    await show(interaction, rendered, ephemeral=ephemeral)


def keep_details(interaction: discord.Interaction[StakingBot], rendered: Rendered) -> str | None:
    """The token under which the answer's Details buttons find what they show (None: the answer has none)."""
    items = rendered.detail_items()
    return interaction.client.details.put(items) if items else None


async def show(interaction: discord.Interaction[StakingBot], rendered: Rendered, *, ephemeral: bool = True) -> None:
    """Reply once: the initial response if there is none yet, else fill the deferred message, else a followup.

    `ephemeral` only matters for the initial response and followups; a deferred message keeps the visibility
    chosen at the defer (Discord cannot change it).
    """
    kwargs: dict[str, Any] = {"embed": rendered.embed}
    view = rendered.view(keep_details(interaction, rendered))
    if view is not None:
        kwargs["view"] = view
    if rendered.files:
        kwargs["files"] = rendered.discord_files()
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
    elif not interaction.extras.get(ANSWERED):
        if "files" in kwargs:
            kwargs["attachments"] = kwargs.pop("files")  # editing a message takes `attachments`
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    interaction.extras[ANSWERED] = True
    await show_notices(interaction)  # anything left for this user while they were away (e.g. DMs closed)
