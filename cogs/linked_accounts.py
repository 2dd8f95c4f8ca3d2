"""/account link | unlink | list | default: NEAR accounts remembered for a Discord user, used by every command
that takes an account when it is left out. Always ephemeral.

Linking is a convenience, never identity: anyone can link any public account, nothing is signed, and the bot
never asks for keys. The account must exist on chain (one `view_account` read).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import GROUP_EVERYWHERE, AccountId, account_autocomplete, personal_cooldown
from bot.discord.respond import show
from bot.discord_app import StakingBot
from bot.near import errors
from bot.render.embeds import GREEN, GREY, error_embed, finish
from bot.safety import SECRET_WARNING, looks_like_secret
from bot.services.lockup import lockup_summaries
from bot.storage.sqlite import MAX_LINKED_ACCOUNTS, SqliteStorage, StorageError

NOT_IDENTITY = (
    "Linking is only a shortcut so you can leave the account out of commands. It does not prove that you own "
    "it (anyone can link any public account), and I never need your keys or seed phrase."
)


class LinkedAccounts(commands.Cog):
    account = app_commands.Group(
        name="account", description="Your NEAR accounts, used when you leave the account out of a command",
        **GROUP_EVERYWHERE,  # type: ignore[arg-type]
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @property
    def storage(self) -> SqliteStorage:
        return self.bot.require_storage()

    @account.command(name="link", description="Remember a NEAR account so commands use it by default")
    @app_commands.describe(account="NEAR account id, e.g. alice.near", label="A short name for it (optional)")
    @personal_cooldown()
    async def link(
        self, interaction: discord.Interaction, account: AccountId, label: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        if label is not None and looks_like_secret(label):
            await show(interaction, error_embed(SECRET_WARNING, title="Keep that secret"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert self.bot.chain is not None
        try:
            await self.bot.chain.rpc.view_account(account)
        except errors.AccountNotFound:
            await show(interaction, error_embed(
                f"I could not find `{account}` on {self.bot.chain.network}, so I did not link it. Check the "
                "spelling (account ids are lowercase, like alice.near).",
                title="Account not found",
            ))
            return
        try:
            linked = await self.storage.link_account(interaction.user.id, account, label)
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        name = f"`{linked.account_id}`" + (f" ({linked.label})" if linked.label else "")
        default = " It is your default account." if linked.is_default else (
            f" Make it your default with `/account default account:{linked.account_id}`."
        )
        default += await self._lockup_note(linked.account_id)
        embed = discord.Embed(title="Account linked", description=f"Linked {name}.{default}\n\n{NOT_IDENTITY}",
                              colour=GREEN)
        await show(interaction, finish(embed))

    async def _lockup_note(self, account_id: str) -> str:
        """When the linked account is a lockup (at any id): say that it joins its owner's answers."""
        assert self.bot.chain is not None
        try:
            _, itself, _ = await lockup_summaries(self.bot.chain, account_id)
        except errors.NearError:
            return ""
        if itself is None or itself.owner_id is None:
            return ""
        return (
            f"\n\nIt is a lockup of `{itself.owner_id}`: /status, /unbonding and /diagnose for `{itself.owner_id}` "
            "now include it."
        )

    @account.command(name="unlink", description="Forget a linked NEAR account")
    @app_commands.describe(account="A linked account")
    @app_commands.autocomplete(account=account_autocomplete)
    async def unlink(self, interaction: discord.Interaction, account: AccountId) -> None:
        if not await self.storage.unlink_account(interaction.user.id, account):
            await show(interaction, error_embed(f"`{account}` is not one of your linked accounts.",
                                                title="Not linked"))
            return
        default = await self.storage.default_account(interaction.user.id)
        text = f"Unlinked `{account}`."
        if default:
            text += f" Your default account is now `{default}`."
        await show(interaction, finish(discord.Embed(title="Account unlinked", description=text, colour=GREY)))

    @account.command(name="list", description="Your linked NEAR accounts and which one is the default")
    async def list_(self, interaction: discord.Interaction) -> None:
        linked = await self.storage.linked_accounts(interaction.user.id)
        if not linked:
            text = "You have not linked an account yet. Use `/account link account:alice.near`."
        else:
            text = "\n".join(
                ("⭐ " if a.is_default else "• ") + f"`{a.account_id}`" + (f" ({a.label})" if a.label else "")
                + (" (default)" if a.is_default else "")
                for a in linked
            )
        embed = discord.Embed(title="Your linked accounts", description=text, colour=GREY)
        embed.set_footer(text=f"Up to {MAX_LINKED_ACCOUNTS} accounts. A convenience, not proof of ownership.")
        await show(interaction, finish(embed))

    @account.command(name="default", description="Use this linked account when a command leaves it out")
    @app_commands.describe(account="A linked account")
    @app_commands.autocomplete(account=account_autocomplete)
    async def default(self, interaction: discord.Interaction, account: AccountId) -> None:
        if not await self.storage.set_default_account(interaction.user.id, account):
            await show(interaction, error_embed(
                f"`{account}` is not linked yet. Link it first with `/account link account:{account}`.",
                title="Not linked",
            ))
            return
        await show(interaction, finish(discord.Embed(
            title="Default account set", description=f"Commands now use `{account}` when you leave the account out.",
            colour=GREEN,
        )))


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(LinkedAccounts(bot))
