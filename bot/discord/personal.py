"""The user's own accounts in commands: a linked default when the account option is left out.

Linking is a convenience for typing less, never proof of ownership: any public account can be linked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.discord.respond import show
from bot.render.embeds import error_embed

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

NO_ACCOUNT_TITLE = "Which account?"
NO_ACCOUNT_TEXT = (
    "Add the account to the command (for example `account:alice.near`), or link yours once with "
    "`/account link` and I will use it whenever you leave the account out."
)


async def account_or_default(interaction: discord.Interaction, account: str | None) -> str | None:
    """`account` if given, else the user's default linked account; if there is none, say so kindly (the
    interaction is then answered) and return None."""
    if account:
        return account
    bot: StakingBot = interaction.client  # type: ignore[assignment]
    default = await bot.default_account(interaction.user.id)
    if default is None:
        await show(interaction, error_embed(NO_ACCOUNT_TEXT, title=NO_ACCOUNT_TITLE), ephemeral=True)
    return default
