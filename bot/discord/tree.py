"""One place that turns every failed slash command into a short, kind, ephemeral message."""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.commands import error_result, secret_refusal
from bot.discord.respond import show
from bot.near.errors import NearError
from bot.render.embeds import Rendered, error_embed, render_embed
from bot.safety import might_be_secret

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

log = logging.getLogger(__name__)

SLOW_DOWN = "Slow down a little"


def _permissions(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").replace("guild", "server") for name in names)


def describe_failure(interaction: discord.Interaction[StakingBot], error: app_commands.AppCommandError) -> Rendered | None:
    """The message for a failed command, or None when nobody can be told (the interaction is gone)."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    network = interaction.client.network
    if isinstance(original, NearError):
        return render_embed(error_result(original), network=network)
    if isinstance(original, app_commands.CommandOnCooldown):
        return error_embed(
            f"Please wait {math.ceil(original.retry_after)} s before using this command again. "
            "The limit keeps the shared NEAR RPC budget available for everyone.",
            title=SLOW_DOWN,
        )
    if isinstance(original, app_commands.TransformerError):
        cause = original.__cause__
        # The value itself is not quoted: it reached no parser that could say what it is.
        reason = str(cause) if isinstance(cause, ValueError) else "That value could not be read."
        return error_embed(reason, title="That doesn't look right")
    if isinstance(original, app_commands.MissingPermissions):
        return error_embed(f"You need the {_permissions(original.missing_permissions)} permission for this.")
    if isinstance(original, app_commands.BotMissingPermissions):
        return error_embed(
            f"I need the {_permissions(original.missing_permissions)} permission in this channel. "
            "A server admin can grant it."
        )
    if isinstance(original, app_commands.NoPrivateMessage):
        return error_embed("This command only works in a server.")
    if isinstance(original, app_commands.CheckFailure):
        return error_embed("This command cannot be used here.")
    if isinstance(original, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
        return error_embed(
            "Discord is still showing an older version of this command. Try again in a minute.",
            title="This command just changed",
        )
    if isinstance(original, discord.HTTPException) and original.code in (10062, 10015, 50027):
        # Unknown interaction, unknown webhook, invalid webhook token: the 3 s or 15 min window has passed;
        # nobody is left to answer.
        log.warning("interaction %s expired before it could be answered", interaction.id)
        return None
    incident = uuid.uuid4().hex[:8]
    name = interaction.command.qualified_name if interaction.command else "?"
    log.error("incident %s in /%s (interaction %s)", incident, name, interaction.id, exc_info=original)
    return error_embed(
        "Something went wrong on our side.", title="Something went wrong on our side", incident_id=incident
    )


def typed_text(data: Mapping[str, Any]) -> str:
    """A slash command as the user typed it: its name and every option value they gave (raw, before any
    transformer read it), in order."""
    words = [str(data.get("name", ""))]
    for option in data.get("options", []) or []:
        if "options" in option:  # a subcommand or group
            words.append(typed_text(option))
        elif isinstance(option.get("value"), str):
            words.append(option["value"])
    return " ".join(words)


class StakingTree(app_commands.CommandTree["StakingBot"]):
    async def interaction_check(self, interaction: discord.Interaction[StakingBot], /) -> bool:
        """The secret check of every slash command, once, on the raw option values before any transformer parses
        them (the console checks its raw line the same way, bot/commands.py): a key is never echoed or read."""
        data = interaction.data
        if (
            interaction.type is not discord.InteractionType.application_command
            or data is None
            or data.get("type", 1) != 1  # context menus check their message themselves
        ):
            return True
        if not might_be_secret(typed_text(data)):
            return True
        result, _ = secret_refusal()
        await show(interaction, render_embed(result, network=interaction.client.network), ephemeral=True)
        return False

    async def on_error(self, interaction: discord.Interaction[StakingBot], error: app_commands.AppCommandError) -> None:
        if interaction.type is discord.InteractionType.autocomplete:
            log.error("autocomplete failed for interaction %s", interaction.id, exc_info=error)
            return
        rendered = describe_failure(interaction, error)
        if rendered is None:
            return
        try:
            await show(interaction, rendered, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not report a failed command to the user: %s %s", exc.status, exc.code)
