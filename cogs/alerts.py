"""/alert unbonding | pool | list | remove: opt-in notifications, by DM unless a channel is chosen.

Unbonding alerts store the exact epoch at which the unstaked NEAR becomes withdrawable; the scheduler sleeps
until then (bot/alerts/scheduler.py) and delivers through the outbox exactly once as the user sees it. Every
change wakes the scheduler (the storage says so, in every process) so it re-plans at once. Replies are ephemeral.
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
from bot.render.discord_limits import SafeEmbed, choice_name
from bot.render.embeds import GREEN, GREY, error_embed, finish
from bot.render.safe import Md, code, md, plain, prose
from bot.services.pool import (
    BLOCK_KICKOUT_PERCENT,
    CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT,
    LOW_UPTIME_MARGIN_POINTS,
)
from bot.storage import Storage, StorageError
from bot.storage.models import Subscription

DISABLED = {
    "dm_closed": "off: your DMs were closed to me",
    "channel_unusable": "off: I could not post in the channel",
}


def where(sub: Subscription) -> Md:
    return md("in <#{}>", int(sub.channel_id)) if sub.channel_id else Md("by DM")


def describe(sub: Subscription) -> Md:
    if sub.kind == "unbonding" and sub.due_unix is not None:
        what = md("the veNEAR unlock in {}, usable <t:{}:f>", code(sub.account_id), sub.due_unix)
    elif sub.kind == "unbonding":
        what = md("unbonding {} in {}, withdrawable at epoch {}", code(sub.account_id), code(sub.pool_id), sub.due_epoch)
    elif sub.kind == "pool":
        what = md("pool {} changes", code(sub.pool_id))
    else:
        what = md("{}", sub.kind)
    state = md(" ({})", DISABLED.get(sub.disabled_reason or "", "off")) if sub.state == "disabled" else Md("")
    return md("**#{}** {}, {}{}", sub.id, what, where(sub), state)


class Alerts(commands.Cog):
    alert = app_commands.Group(
        name="alert", description="Tell me when unstaked NEAR is withdrawable or a pool changes",
        **GROUP_EVERYWHERE,  # type: ignore[arg-type]
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @property
    def storage(self) -> Storage:
        return self.bot.storage

    async def _channel(self, interaction: discord.Interaction[StakingBot], channel: object) -> tuple[bool, int | None, int | None]:
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
        interaction: discord.Interaction[StakingBot],
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
        try:
            outcome = await subscribe_unbonding(
                self.storage, self.bot.chain, interaction.user.id, account, pool, guild_id=guild_id,
                channel_id=channel_id,
            )
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        text = prose(outcome.message, limit=3000)
        if outcome.created:
            text += md("\n\nI will send it {}, once.", md("in <#{}>", channel_id) if channel_id else Md("by DM"))
            if not channel_id:
                text += Md(" Keep your DMs open to me (Privacy Settings → Direct Messages).")
        title = Md("Alert set") if outcome.created else Md("No new alert")
        await show(interaction, finish(SafeEmbed(title=title, description=text,
                                                 colour=GREEN if outcome.created else GREY)))

    @alert.command(name="pool", description="Tell me when a pool changes fee, pauses, or leaves the validator set")
    @app_commands.describe(pool="Pool account id", channel="Post in this channel instead of DMing you (optional)")
    @app_commands.autocomplete(pool=pool_autocomplete)
    @personal_cooldown()
    async def pool(self, interaction: discord.Interaction[StakingBot], pool: AccountId, channel: PostChannel | None = None) -> None:
        ok, guild_id, channel_id = await self._channel(interaction, channel)
        if not ok:
            return
        existing = next(
            (s for s in await self.storage.user_subscriptions(interaction.user.id)
             if s.kind == "pool" and s.state == "active" and s.pool_id == pool and s.channel_id == channel_id),
            None,
        )
        if existing is not None:
            await show(interaction, error_embed(md("You already have this alert: {}.", describe(existing)),
                                                title="No new alert"))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            sub = await subscribe_pool(self.storage, self.bot.chain, interaction.user.id, pool, guild_id=guild_id,
                                       channel_id=channel_id)
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        text = md(
            "Alert **#{}**: I will tell you {} when {} changes its fee, pauses or resumes staking, is kicked out, is "
            "not in the next epoch's validator set, or has low uptime for its role: under {} % of expected blocks "
            "or chunks for a producer, under {} % of expected endorsements for a chunk validator ({} points above "
            "nearcore's kickout thresholds). Checked at every epoch change.",
            sub.id, where(sub), code(pool), BLOCK_KICKOUT_PERCENT + LOW_UPTIME_MARGIN_POINTS,
            CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT + LOW_UPTIME_MARGIN_POINTS, LOW_UPTIME_MARGIN_POINTS,
        )
        await show(interaction, finish(SafeEmbed(title=Md("Alert set"), description=text, colour=GREEN)))

    @alert.command(name="list", description="Your alerts")
    async def list_(self, interaction: discord.Interaction[StakingBot]) -> None:
        subs = await self.storage.user_subscriptions(interaction.user.id)
        text = Md("\n").join(describe(s) for s in subs) if subs else Md(
            "No alerts. Try `/alert unbonding` (tells you when unstaked NEAR is withdrawable) or `/alert pool`."
        )
        embed = SafeEmbed(title=Md("Your alerts"), description=text, colour=GREY)
        embed.set_footer(text=plain("Remove one with /alert remove. Unbonding alerts end after they are sent."))
        await show(interaction, finish(embed))

    @alert.command(name="remove", description="Stop one of your alerts")
    @app_commands.describe(alert_id="The alert's number (see /alert list)")
    @app_commands.rename(alert_id="id")
    async def remove(self, interaction: discord.Interaction[StakingBot], alert_id: app_commands.Range[int, 1]) -> None:
        if not await self.storage.remove_subscription(interaction.user.id, alert_id):
            await show(interaction, error_embed(md("You have no alert #{}. See `/alert list`.", alert_id),
                                                title="No such alert"))
            return
        await show(interaction, finish(SafeEmbed(title=Md("Alert removed"), description=md("Alert #{} is off.", alert_id),
                                                 colour=GREY)))

    @remove.autocomplete("alert_id")
    async def remove_autocomplete(self, interaction: discord.Interaction[StakingBot], current: str) -> list[app_commands.Choice[int]]:
        subs = await self.storage.user_subscriptions(interaction.user.id)
        typed = str(current).strip().lstrip("#")
        choices = []
        for sub in subs:
            if typed and not str(sub.id).startswith(typed):
                continue
            if sub.is_timed:
                label = f"#{sub.id} veNEAR unlock: {sub.account_id}"
            else:
                label = f"#{sub.id} {sub.kind}: " + (
                    f"{sub.account_id} in {sub.pool_id}" if sub.kind == "unbonding" else f"{sub.pool_id}"
                )
            choices.append(app_commands.Choice(name=choice_name(label), value=sub.id))
        return choices[:25]


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Alerts(bot))
