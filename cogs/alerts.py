"""/alert unbonding | pool | list | remove: opt-in notifications, by DM unless a channel is chosen.

Unbonding alerts store the exact epoch at which the unstaked NEAR becomes withdrawable; the scheduler sleeps
until then (bot/alerts/scheduler.py) and delivers through the outbox exactly once as the user sees it. Every
change pokes the scheduler so it re-plans at once. Replies are ephemeral.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.subscriptions import subscribe_pool, subscribe_unbonding
from bot.discord.channels import PostChannel, channel_problem
from bot.discord.options import (
    GROUP_EVERYWHERE,
    AccountId,
    account_autocomplete,
    personal_cooldown,
    pool_autocomplete,
)
from bot.discord.personal import account_or_default
from bot.discord.respond import show
from bot.discord_app import StakingBot
from bot.render.discord_limits import clip
from bot.render.embeds import GREEN, GREY, error_embed, finish
from bot.services.pool import (
    BLOCK_KICKOUT_PERCENT,
    CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT,
    LOW_UPTIME_MARGIN_POINTS,
)
from bot.storage.models import Subscription
from bot.storage.sqlite import SqliteStorage, StorageError

DISABLED = {
    "dm_closed": "off: your DMs were closed to me",
    "channel_unusable": "off: I could not post in the channel",
}


def where(sub: Subscription) -> str:
    return f"in <#{sub.channel_id}>" if sub.channel_id else "by DM"


def describe(sub: Subscription) -> str:
    if sub.kind == "unbonding":
        what = f"unbonding `{sub.account_id}` in `{sub.pool_id}`, withdrawable at epoch {sub.due_epoch}"
    elif sub.kind == "pool":
        what = f"pool `{sub.pool_id}` changes"
    else:
        what = sub.kind
    state = f" ({DISABLED.get(sub.disabled_reason or '', 'off')})" if sub.state == "disabled" else ""
    return f"**#{sub.id}** {what}, {where(sub)}{state}"


class Alerts(commands.Cog):
    alert = app_commands.Group(
        name="alert", description="Tell me when unstaked NEAR is withdrawable or a pool changes",
        **GROUP_EVERYWHERE,  # type: ignore[arg-type]
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @property
    def storage(self) -> SqliteStorage:
        return self.bot.require_storage()

    async def _channel(self, interaction: discord.Interaction, channel: object) -> tuple[bool, int | None, int | None]:
        """(ok, guild_id, channel_id); when not ok the user has been told why."""
        if channel is None:
            return True, None, None
        assert isinstance(channel, app_commands.AppCommandChannel)
        problem = channel_problem(interaction, channel)
        if problem:
            await show(interaction, error_embed(problem, title="Not that channel"))
            return False, None, None
        return True, interaction.guild_id, channel.id

    @alert.command(name="unbonding", description="Tell me when my unstaked NEAR becomes withdrawable")
    @app_commands.describe(
        account="NEAR account id (default: your linked account)",
        pool="Only this pool (optional)",
        channel="Post in this channel instead of DMing you (optional)",
    )
    @app_commands.autocomplete(account=account_autocomplete, pool=pool_autocomplete)
    @personal_cooldown()
    async def unbonding(
        self,
        interaction: discord.Interaction,
        account: AccountId | None = None,
        pool: AccountId | None = None,
        channel: PostChannel | None = None,
    ) -> None:
        if (account := await account_or_default(interaction, account)) is None:
            return
        ok, guild_id, channel_id = await self._channel(interaction, channel)
        if not ok:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert self.bot.chain is not None
        try:
            outcome = await subscribe_unbonding(
                self.storage, self.bot.chain, interaction.user.id, account, pool, guild_id=guild_id,
                channel_id=channel_id,
            )
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        if outcome.created:
            self.bot.poke_alerts()
        text = outcome.message
        if outcome.created:
            text += f"\n\nI will send it {f'in <#{channel_id}>' if channel_id else 'by DM'}, once."
            if not channel_id:
                text += " Keep your DMs open to me (Privacy Settings → Direct Messages)."
        title = "Alert set" if outcome.created else "No new alert"
        await show(interaction, finish(discord.Embed(title=title, description=clip(text, 4096),
                                                     colour=GREEN if outcome.created else GREY)))

    @alert.command(name="pool", description="Tell me when a pool changes fee, pauses, or leaves the validator set")
    @app_commands.describe(pool="Pool account id", channel="Post in this channel instead of DMing you (optional)")
    @app_commands.autocomplete(pool=pool_autocomplete)
    @personal_cooldown()
    async def pool(self, interaction: discord.Interaction, pool: AccountId, channel: PostChannel | None = None) -> None:
        ok, guild_id, channel_id = await self._channel(interaction, channel)
        if not ok:
            return
        existing = next(
            (s for s in await self.storage.user_subscriptions(interaction.user.id)
             if s.kind == "pool" and s.state == "active" and s.pool_id == pool and s.channel_id == channel_id),
            None,
        )
        if existing is not None:
            await show(interaction, error_embed(f"You already have this alert: {describe(existing)}.",
                                                title="No new alert"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert self.bot.chain is not None
        try:
            sub = await subscribe_pool(self.storage, self.bot.chain, interaction.user.id, pool, guild_id=guild_id,
                                       channel_id=channel_id)
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        self.bot.poke_alerts()
        text = (
            f"Alert **#{sub.id}**: I will tell you {where(sub)} when `{pool}` changes its fee, pauses or resumes "
            f"staking, is kicked out, is not in the next epoch's validator set, or has low uptime for its role: "
            f"under {BLOCK_KICKOUT_PERCENT + LOW_UPTIME_MARGIN_POINTS} % of expected blocks or chunks for a producer, "
            f"under {CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT + LOW_UPTIME_MARGIN_POINTS} % of expected endorsements "
            f"for a chunk validator ({LOW_UPTIME_MARGIN_POINTS} points above nearcore's kickout thresholds). "
            "Checked at every epoch change."
        )
        await show(interaction, finish(discord.Embed(title="Alert set", description=text, colour=GREEN)))

    @alert.command(name="list", description="Your alerts")
    async def list_(self, interaction: discord.Interaction) -> None:
        subs = await self.storage.user_subscriptions(interaction.user.id)
        text = "\n".join(describe(s) for s in subs) if subs else (
            "No alerts. Try `/alert unbonding` (tells you when unstaked NEAR is withdrawable) or `/alert pool`."
        )
        embed = discord.Embed(title="Your alerts", description=clip(text, 4096), colour=GREY)
        embed.set_footer(text="Remove one with /alert remove. Unbonding alerts end after they are sent.")
        await show(interaction, finish(embed))

    @alert.command(name="remove", description="Stop one of your alerts")
    @app_commands.describe(alert_id="The alert's number (see /alert list)")
    @app_commands.rename(alert_id="id")
    async def remove(self, interaction: discord.Interaction, alert_id: app_commands.Range[int, 1]) -> None:
        if not await self.storage.remove_subscription(interaction.user.id, alert_id):
            await show(interaction, error_embed(f"You have no alert #{alert_id}. See `/alert list`.",
                                                title="No such alert"))
            return
        self.bot.poke_alerts()
        await show(interaction, finish(discord.Embed(title="Alert removed", description=f"Alert #{alert_id} is off.",
                                                     colour=GREY)))

    @remove.autocomplete("alert_id")
    async def remove_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        subs = await self.storage.user_subscriptions(interaction.user.id)
        typed = str(current).strip().lstrip("#")
        choices = []
        for sub in subs:
            if typed and not str(sub.id).startswith(typed):
                continue
            label = f"#{sub.id} {sub.kind}: " + (
                f"{sub.account_id} in {sub.pool_id}" if sub.kind == "unbonding" else f"{sub.pool_id}"
            )
            choices.append(app_commands.Choice(name=clip(label, 100), value=sub.id))
        return choices[:25]


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Alerts(bot))
