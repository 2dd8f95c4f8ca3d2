"""Support-channel helpers: /explain <topic> (public, curated, live numbers), /diagnose <account> (personal) and the
message command "Diagnose this", which finds NEAR account ids in a support message and runs the same triage for the
helper who used it (ephemeral)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.commands import run_command
from bot.discord.options import (
    MAX_CHOICES,
    AccountId,
    account_autocomplete,
    personal_cooldown,
    pool_autocomplete,
    public_cooldown,
    read_only,
)
from bot.discord.personal import account_or_default, linked_accounts
from bot.discord.respond import answer, show
from bot.discord_app import StakingBot
from bot.explain import load_topics
from bot.render.discord_limits import choice_name
from bot.render.embeds import error_embed, render_embed
from bot.requests import DiagnoseRequest, ExplainRequest
from bot.safety import find_secrets
from bot.services.diagnose import MAX_FOUND, find_account_ids, find_pool_ids

NOTHING_FOUND = (
    "I found no NEAR account id in that message: a named account like `alice.near`, a 64-character implicit "
    "account, or a lockup id like `<40 hex>.lockup.near`. Staking pools are skipped. Try `/diagnose <account>`."
)


async def topic_autocomplete(interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[str]]:
    topics = [t for t in load_topics().values() if t.matches(current)]
    return [
        app_commands.Choice(name=choice_name(f"{t.title}: {t.summary}"), value=t.slug) for t in topics[:MAX_CHOICES]
    ]


class Support(commands.Cog):
    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot
        self.diagnose_menu = app_commands.ContextMenu(
            name="Diagnose this",
            callback=self.diagnose_message,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.diagnose_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.diagnose_menu.name, type=self.diagnose_menu.type)

    @app_commands.command(name="explain", description="A short, checked explanation: unbonding, stuck tokens, lockups…")
    @app_commands.describe(topic="Pick a topic (type to search)")
    @app_commands.autocomplete(topic=topic_autocomplete)
    @read_only
    @public_cooldown()
    async def explain(self, interaction: discord.Interaction[StakingBot], topic: str) -> None:
        await answer(interaction, ExplainRequest(topic=topic), personal=False)

    @app_commands.command(name="diagnose", description="Why tokens look stuck: every case that applies, what to do next")
    @app_commands.describe(
        account="NEAR account id, e.g. alice.near (default: your linked account)",
        pool="A pool you staked with, checked even if the staking index does not list it (optional)",
    )
    @app_commands.autocomplete(account=account_autocomplete, pool=pool_autocomplete)
    @read_only
    @personal_cooldown()
    async def diagnose(
        self, interaction: discord.Interaction[StakingBot], account: AccountId | None = None, pool: AccountId | None = None
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        linked = await linked_accounts(interaction, account)
        request = DiagnoseRequest(account=account, pools=(pool,) if pool else (), linked=linked)
        await answer(interaction, request, personal=True)

    @personal_cooldown()
    async def diagnose_message(self, interaction: discord.Interaction[StakingBot], message: discord.Message) -> None:
        """Message command: triage every account id in a support message, privately for the helper."""
        text = message.content or ""
        kinds = find_secrets(text)
        if kinds:
            # Never read further, never echo: the guard (if on) deals with the message itself.
            await show(interaction, error_embed(
                f"That message contains a {kinds[0]}, so I did not look at it. Whoever posted it should treat it as "
                "compromised and move their funds to a new account now.",
                title="Keep that secret",
            ), ephemeral=True)
            return
        accounts = find_account_ids(text)
        if not accounts:
            await show(interaction, error_embed(NOTHING_FOUND, title="No account found"), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        chain = self.bot.chain
        pools = find_pool_ids(text)  # pools named or linked in the message are checked too
        for account in accounts[:MAX_FOUND]:
            # About someone else's account: its steps stay commands for the owner to run (nothing to sign here).
            request = DiagnoseRequest(account=account, pools=tuple(pools))
            result, _ = await run_command(chain, request, prepare=False)
            await show(interaction, render_embed(result, network=chain.network), ephemeral=True)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Support(bot))
