"""/account link | unlink | list | default: NEAR accounts remembered for a Discord user, used by every command
that takes an account when it is left out. Always ephemeral.

Linking is a convenience, never identity: anyone can link any public account, nothing is signed, and the bot
never asks for keys. The account must exist on chain (one `view_account` read). `/account verify` is the proof:
a one-time page where the user's own wallet signs a NEP-413 message (bot/verify); verified accounts drive server
roles (cogs/roles.py).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import GROUP_EVERYWHERE, AccountId, account_autocomplete, personal_cooldown
from bot.discord.respond import show
from bot.discord_app import StakingBot
from bot.near import errors
from bot.render.discord_limits import Link, SafeEmbed
from bot.render.embeds import GREEN, GREY, error_embed, finish
from bot.render.safe import Md, checked_page_url, code, md, plain
from bot.safety import SECRET_WARNING, might_be_secret
from bot.services.lockup import lockup_summaries
from bot.storage import MAX_LINKED_ACCOUNTS, Storage, StorageError
from bot.storage.models import LinkedAccount

NOT_IDENTITY = (
    "Linking is only a shortcut so you can leave the account out of commands. It does not prove that you own "
    "it (anyone can link any public account), and I never need your keys or seed phrase."
)


def _shown(linked: LinkedAccount) -> Md:
    """The account as code and the user's own label, escaped (a label is whatever the user typed)."""
    return code(linked.account_id) + (md(" ({})", linked.label) if linked.label else Md(""))


class LinkedAccounts(commands.Cog):
    account = app_commands.Group(
        name="account", description="Your NEAR accounts, used when you leave the account out of a command",
        **GROUP_EVERYWHERE,  # type: ignore[arg-type]
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @property
    def storage(self) -> Storage:
        return self.bot.storage

    @account.command(name="link", description="Remember a NEAR account so commands use it by default")
    @app_commands.describe(account="NEAR account id, e.g. alice.near", label="A short name for it (optional)")
    @personal_cooldown()
    async def link(
        self, interaction: discord.Interaction[StakingBot], account: AccountId, label: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        if label is not None and might_be_secret(label):
            await show(interaction, error_embed(SECRET_WARNING, title="Keep that secret"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self.bot.chain.rpc.view_account(account)
        except errors.AccountNotFound:
            await show(interaction, error_embed(
                md("I could not find {} on {}, so I did not link it. Check the spelling (account ids are lowercase, "
                   "like alice.near).", code(account), self.bot.chain.network),
                title="Account not found",
            ))
            return
        try:
            linked = await self.storage.link_account(interaction.user.id, account, label)
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        default = Md(" It is your default account.") if linked.is_default else md(
            " Make it your default with {}.", code(f"/account default account:{linked.account_id}")
        )
        default += await self._lockup_note(linked.account_id)
        embed = SafeEmbed(title=Md("Account linked"), colour=GREEN,
                          description=md("Linked {}.{}\n\n{}", _shown(linked), default, NOT_IDENTITY))
        await show(interaction, finish(embed))

    async def _lockup_note(self, account_id: str) -> Md:
        """When the linked account is a lockup (at any id): say that it joins its owner's answers."""
        try:
            _, itself, _ = await lockup_summaries(self.bot.chain, account_id)
        except errors.NearError:
            return Md("")
        if itself is None or itself.owner_id is None:
            return Md("")
        owner = code(itself.owner_id)  # read from the contract: whatever text it holds
        return md("\n\nIt is a lockup of {}: /status, /unbonding and /diagnose for {} now include it.", owner, owner)

    @account.command(name="verify", description="Prove you own a NEAR account by signing with your wallet (no key)")
    @app_commands.describe(account="Only this account (optional: otherwise whichever account your wallet signs for)")
    @personal_cooldown()
    async def verify(self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None) -> None:
        service = self.bot.verification
        if service is None:
            await show(interaction, error_embed(
                Md("Verification is not switched on for this bot: its operator has not set `PUBLIC_BASE_URL`, the "
                   "address of the page where your wallet signs."), title="Verification is off"))
            return
        issued = await service.issue(interaction.user.id, interaction.guild_id, account)
        url = checked_page_url(issued.url, service.base_url)
        if url is None:  # the settings checked PUBLIC_BASE_URL; this only guards against a broken build
            await show(interaction, error_embed("The verification link could not be made."))
            return
        which = md(" {}", code(account)) if account else Md(" your account")
        text = md(
            "Open the link below and sign with your NEAR wallet to prove you own{}. It works **once**, only for you, "
            "until <t:{}:t> (10 minutes). Do not share it.\n\nYour wallet signs a message (no transaction, no fee, "
            "no access to your account). **I never see or ask for your keys or seed phrase.**",
            which, issued.expires_unix)
        if interaction.guild_id is not None:
            text += Md("\n\nServer roles that follow verified holdings are checked right after you sign.")
        embed = SafeEmbed(title=Md("Verify your NEAR account"), description=text, colour=GREEN)
        await show(interaction, finish(embed, [Link(plain("Open the verification page"), url)]))

    @account.command(name="unlink", description="Forget a linked NEAR account")
    @app_commands.describe(account="A linked account")
    @app_commands.autocomplete(account=account_autocomplete)
    async def unlink(self, interaction: discord.Interaction[StakingBot], account: AccountId) -> None:
        unverified = await self.storage.unverify(interaction.user.id, account)
        if not await self.storage.unlink_account(interaction.user.id, account) and not unverified:
            await show(interaction, error_embed(md("{} is not one of your linked accounts.", code(account)),
                                                title="Not linked"))
            return
        default = await self.storage.default_account(interaction.user.id)
        text = md("Unlinked {}.", code(account))
        if default:
            text += md(" Your default account is now {}.", code(default))
        if unverified:
            text += Md(" It is no longer verified; server roles that followed it are checked again now.")
            if self.bot.roles is not None:
                self.bot.background(self.bot.roles.keep(user_ids=[interaction.user.id]))
        alerts = [s for s in await self.storage.user_subscriptions(interaction.user.id) if s.account_id == account]
        if alerts:  # an alert follows an account, not a link: say so rather than switch it off behind the user's back
            text += md(" Your {} alert(s) on it stay on ({}); stop them with `/alert remove`.",
                       len(alerts), ", ".join(f"#{s.id}" for s in alerts))
        await show(interaction, finish(SafeEmbed(title=Md("Account unlinked"), description=text, colour=GREY)))

    @account.command(name="list", description="Your linked NEAR accounts and which one is the default")
    async def list_(self, interaction: discord.Interaction[StakingBot]) -> None:
        linked = await self.storage.linked_accounts(interaction.user.id)
        verified = {v.account_id for v in await self.storage.verified_accounts(interaction.user.id)}
        if not linked:
            text = Md("You have not linked an account yet. Use `/account link account:alice.near`.")
        else:
            text = Md("\n").join(
                md("{}{}{}{}", Md("⭐ ") if a.is_default else Md("• "), _shown(a),
                   Md(" (default)") if a.is_default else Md(""),
                   Md(" ✅ verified") if a.account_id in verified else Md(""))
                for a in linked
            )
        embed = SafeEmbed(title=Md("Your linked accounts"), description=text, colour=GREY)
        embed.set_footer(text=plain("Up to {} accounts. Linking is a convenience; ✅ = proven with /account verify.",
                                    MAX_LINKED_ACCOUNTS))
        await show(interaction, finish(embed))

    @account.command(name="default", description="Use this linked account when a command leaves it out")
    @app_commands.describe(account="A linked account")
    @app_commands.autocomplete(account=account_autocomplete)
    async def default(self, interaction: discord.Interaction[StakingBot], account: AccountId) -> None:
        if not await self.storage.set_default_account(interaction.user.id, account):
            await show(interaction, error_embed(
                md("{} is not linked yet. Link it first with {}.", code(account), code(f"/account link account:{account}")),
                title="Not linked",
            ))
            return
        await show(interaction, finish(SafeEmbed(
            title=Md("Default account set"), colour=GREEN,
            description=md("Commands now use {} when you leave the account out.", code(account)),
        )))


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(LinkedAccounts(bot))
