"""The user's own accounts in commands: a linked default when the account option is left out.

Linking is a convenience for typing less, never proof of ownership: any public account can be linked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.discord.respond import show
from bot.near.account_id import is_valid_account_id
from bot.render.embeds import error_embed

if TYPE_CHECKING:
    from bot.discord_app import StakingBot

NO_ACCOUNT_TITLE = "Which account?"
NO_ACCOUNT_TEXT = (
    "Add the account to the command (for example `account:alice.near`), or link yours once with "
    "`/account link` and I will use it whenever you leave the account out."
)


async def linked_accounts(interaction: discord.Interaction[StakingBot], account: str) -> tuple[str, ...]:
    """The user's other linked accounts: a lockup among them that belongs to `account` (one deployed from the global
    contract can live at any id) joins the answer; the rest is ignored quietly."""
    linked = await interaction.client.linked_accounts(interaction.user.id)
    return tuple(other for other in linked if other != account and is_valid_account_id(other))


async def account_or_default(interaction: discord.Interaction[StakingBot], account: str | None) -> str | None:
    """`account` if given, else the user's default linked account; if there is none, say so kindly (the
    interaction is then answered) and return None."""
    if account:
        return account
    default = await interaction.client.default_account(interaction.user.id)
    if default is None:
        await show(interaction, error_embed(NO_ACCOUNT_TEXT, title=NO_ACCOUNT_TITLE), ephemeral=True)
    return default
