"""The key and seed-phrase guard: support channels are where impersonators ask for seed phrases, and where people
paste them by mistake (seed-errata A14; discord.md §3, Rocket Watch's scam_warning).

- Off by default. A server admin (Manage Server) turns it on for chosen channels: `/guard on <channel>…`,
  `/guard off [channel]`, `/guard status` (stored in guild_settings: guard_enabled + support channels).
- Reading server messages needs the privileged Message Content intent (`GUARD_MESSAGE_CONTENT=true` and the toggle
  in the Developer Portal). Without it Discord sends the bot no text for server messages, so the guard sees only
  DMs to the bot and messages that mention it.
- DMs to the bot are always checked.

On a private key, seed phrase or key file (`bot.safety.find_secrets`) in a guarded channel, in the message's text or
in a small text attachment (`bot.discord.secret_scan`), posted or edited in (raw edit events: old messages too):
delete the message (when the bot has Manage Messages; otherwise say so), DM the author what to do now, post a short
public warning without any part of the secret, record the kind of secret in the server's guard log channel if one
is set (`/guard log`), and log the event with the author id, channel id and the kind only. A failed DM (closed,
refused, Discord down) changes only the wording of the warning: the deletion and the warning always happen. The
secret itself is never stored, echoed or logged.
"""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.channels import PostChannel, channel_problem
from bot.discord.dm import send_dm
from bot.discord.respond import show
from bot.discord.secret_scan import attachment_secrets, has_readable_attachments, message_texts
from bot.discord_app import StakingBot
from bot.render.discord_limits import SafeEmbed
from bot.render.embeds import GREEN, GREY, RED, SOFT_ORANGE, error_embed, finish
from bot.render.safe import Md, md, plain
from bot.safety import SecretKind, find_secrets

log = logging.getLogger(__name__)

MAX_CHANNELS = 25  # guarded channels per server (Discord allows 25 options; this keeps /guard status readable)
DM_WAIT = 3.0  # seconds the public warning waits for the DM's outcome (a struggling Discord retries for longer)
NOBODY_ASKS = Md(
    "Nobody legitimate ever asks for a seed phrase or private key: not moderators, not support staff, not this bot. "
    "Anyone who does is trying to steal."
)
WHAT_TO_DO = md(
    "**Do this now:**\n"
    "1. Create a **new** account (new seed phrase) in your wallet.\n"
    "2. Move everything from the exposed account to the new one. Staked NEAR has to be unstaked first "
    "(4 epochs), then withdrawn and moved, so start at once; ask here if you need help with the steps "
    "(`/diagnose <account>` shows what is staked, unbonding or locked).\n"
    "3. Never use the exposed seed phrase or key again. A seed phrase can control several accounts: move them all.\n\n"
    "{} If someone asked you for it, it was a scam: tell the server's moderators.", NOBODY_ASKS,
)
FOOTER = plain("Nothing of a secret is ever stored or logged: only who posted, where, and which kind.")


class DmOutcome(Enum):
    SENT = "sent"
    CLOSED = "closed"  # 403 50007: the user does not accept DMs from the bot
    FAILED = "failed"  # any other refusal or error, or no answer within DM_WAIT


def _kinds(kinds: list[SecretKind]) -> str:
    return " and a ".join(str(k) for k in kinds)


def _is_guarded(settings: Any, channel: Any) -> bool:
    if not settings.guard_enabled:
        return False
    ids = set(settings.support_channel_ids)
    return channel.id in ids or getattr(channel, "parent_id", None) in ids  # threads of a guarded channel too


def _public_warning(kinds: list[SecretKind], deleted: bool, dm: DmOutcome) -> Md:
    steps = {
        DmOutcome.SENT: Md("I sent you the steps in a DM."),
        DmOutcome.CLOSED: Md("Your DMs are closed, so: create a new account in your wallet and move everything "
                             "there, unstaking first where needed."),
        DmOutcome.FAILED: Md("I could not send you a DM just now, so: create a new account in your wallet and move "
                             "everything there, unstaking first where needed."),
    }[dm]
    return md(
        "{} a message that contained a **{}**{}. Treat it as compromised: move your funds to a new account now. {}"
        "\n\n{}",
        Md("I removed") if deleted else Md("I could not remove"), _kinds(kinds),
        Md("") if deleted else Md(" (I need the Manage Messages permission here; please delete it now)"),
        steps, NOBODY_ASKS,
    )


class Guard(commands.Cog):
    guard = app_commands.Group(
        name="guard",
        description="Remove pasted private keys and seed phrases in support channels (admins)",
        allowed_installs=app_commands.AppInstallationType(guild=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    # -- admin commands ----------------------------------------------------------------------------------------

    def _intent_note(self) -> Md | None:
        if self.bot.intents.message_content:
            return None
        return Md(
            "⚠️ **Message Content is off for this bot**, so Discord does not show me the text of server messages: "
            "the guard only catches messages that mention me (and DMs to me). The bot's host can turn it on with "
            "`GUARD_MESSAGE_CONTENT=true` plus the *Message Content Intent* toggle in the Developer Portal."
        )

    def _channel_lines(self, guild_id: int, channel_ids: list[int]) -> list[Md]:
        guild = self.bot.get_guild(guild_id)
        lines = []
        for channel_id in channel_ids:
            channel = guild.get_channel_or_thread(channel_id) if guild else None
            if guild is None or guild.me is None or channel is None:
                lines.append(md("<#{}>: I cannot see this channel.", channel_id))
                continue
            have = channel.permissions_for(guild.me)
            missing = [n for n in ("view_channel", "send_messages") if not getattr(have, n)]
            if missing:
                names = ", ".join(n.replace("_", " ").title() for n in missing)
                lines.append(md("<#{}>: I need the {} permission to warn there.", channel_id, names))
            elif not have.manage_messages:
                lines.append(md(
                    "<#{}>: I will warn, but cannot delete leaked secrets without the Manage Messages permission.",
                    channel_id,
                ))
            else:
                lines.append(md("<#{}>: ready (warn, delete, DM the author).", channel_id))
        return lines

    async def _status_embed(self, guild_id: int, title: str) -> SafeEmbed:
        settings = await self.bot.storage.guild_settings(guild_id)
        on = settings.guard_enabled and settings.support_channel_ids
        embed = SafeEmbed(title=md("{}", title), colour=GREEN if on else GREY)
        if on:
            embed.description = md(
                "I check every message in these channels (and their text attachments) for private keys, seed phrases "
                "and key files. A leaked secret is removed, the channel is warned (without the secret) and the author "
                "gets a DM.\n\n{}", Md("\n").join(self._channel_lines(guild_id, settings.support_channel_ids)),
            )
        else:
            embed.description = Md("The guard is off in this server. DMs to me are always checked.")
        log_channel = settings.guard_log_channel_id
        embed.add_field(
            name=Md("Guard log"),
            value=md("<#{}>: what was removed, by whom and where (never the secret).", log_channel) if log_channel
            else Md("Not set. `/guard log <channel>` records each removal (the kind of secret, never the secret)."),
            inline=False,
        )
        note = self._intent_note()
        if note and on:
            embed.add_field(name=Md("Message Content"), value=note, inline=False)
        embed.set_footer(text=FOOTER)
        return embed

    @guard.command(name="on", description="Check these support channels for pasted private keys and seed phrases")
    @app_commands.describe(
        channel="A support channel to guard", channel_2="Another channel (optional)",
        channel_3="Another channel (optional)", channel_4="Another channel (optional)",
        channel_5="Another channel (optional)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def on(
        self, interaction: discord.Interaction[StakingBot], channel: PostChannel, channel_2: PostChannel | None = None,
        channel_3: PostChannel | None = None, channel_4: PostChannel | None = None,
        channel_5: PostChannel | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        picked = [c.id for c in (channel, channel_2, channel_3, channel_4, channel_5) if c is not None]
        current = await self.bot.storage.guild_settings(interaction.guild_id)
        channels = list(dict.fromkeys([*(current.support_channel_ids if current.guard_enabled else []), *picked]))
        if len(channels) > MAX_CHANNELS:
            await show(interaction, error_embed(md("At most {} channels can be guarded.", MAX_CHANNELS)), ephemeral=True)
            return
        await self.bot.storage.update_guild(interaction.guild_id, guard_enabled=True, support_channel_ids=channels)
        log.info("guard on in guild %s for channels %s (by user %s)", interaction.guild_id, channels,
                 interaction.user.id)
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard on")))

    @guard.command(name="off", description="Stop guarding one channel, or all channels of this server")
    @app_commands.describe(channel="Only this channel (leave out to turn the guard off everywhere)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(self, interaction: discord.Interaction[StakingBot], channel: PostChannel | None = None) -> None:
        assert interaction.guild_id is not None
        current = await self.bot.storage.guild_settings(interaction.guild_id)
        channels = [c for c in current.support_channel_ids if channel is not None and c != channel.id]
        await self.bot.storage.update_guild(
            interaction.guild_id, guard_enabled=bool(channels), support_channel_ids=channels
        )
        log.info("guard off in guild %s (%s) (by user %s)", interaction.guild_id,
                 f"channel {channel.id}" if channel else "all channels", interaction.user.id)
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard")))

    @guard.command(name="log", description="Record each removed secret (its kind, never the secret) in a channel")
    @app_commands.describe(channel="The moderators' log channel (leave out to stop recording)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def log_channel(self, interaction: discord.Interaction[StakingBot], channel: PostChannel | None = None) -> None:
        assert interaction.guild_id is not None
        if channel is not None and (problem := channel_problem(interaction, channel, check_user=False)):
            await show(interaction, error_embed(problem, title="Not that channel"), ephemeral=True)
            return
        await self.bot.storage.update_guild(interaction.guild_id,
                                            guard_log_channel_id=channel.id if channel else None)
        log.info("guard log in guild %s set to %s (by user %s)", interaction.guild_id,
                 channel.id if channel else "none", interaction.user.id)
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard")))

    @guard.command(name="status", description="Which channels are guarded, and whether I can act there")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(self, interaction: discord.Interaction[StakingBot]) -> None:
        assert interaction.guild_id is not None
        if not self.bot.has_storage:
            await show(interaction, error_embed("Server settings are not available right now."), ephemeral=True)
            return
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard")))

    # -- the guard itself ----------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self.check(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        # Raw: edits of messages the bot never cached (older ones, or from before a restart) are checked too.
        before, after = payload.cached_message, payload.message
        if before is not None and (message_texts(before), before.attachments) == (message_texts(after),
                                                                                after.attachments):
            return  # e.g. a link preview was added: nothing new to read
        await self.check(after)

    async def check(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        kinds = [k for text in message_texts(message) for k in find_secrets(text)]  # pure and quick
        kinds = list(dict.fromkeys(kinds))
        if not kinds and not has_readable_attachments(message):
            return
        log_channel_id = None
        if message.guild is not None:
            if not self.bot.has_storage:
                return
            storage = self.bot.storage
            settings = await storage.guild_settings(message.guild.id)
            if not _is_guarded(settings, message.channel):
                return
            log_channel_id = settings.guard_log_channel_id
        elif not isinstance(message.channel, discord.DMChannel):
            return
        if not kinds:  # files are fetched only where the guard acts; nothing of them is kept
            kinds = await attachment_secrets(message)
        if not kinds:
            return
        if message.guild is None:
            await self._in_dm(message, kinds)
        else:
            await self._in_guild(message, kinds, log_channel_id)

    async def _in_dm(self, message: discord.Message, kinds: list[SecretKind]) -> None:
        log.warning("guard: a %s in a DM from user %s", _kinds(kinds), message.author.id)
        embed = SafeEmbed(
            title=md("Keep that {} secret", kinds[0]),
            description=md(
                "Your message contains a **{}**. I did not read it further and did not store it. Delete that "
                "message, and if you sent it anywhere else too, treat it as compromised.\n\n{}", _kinds(kinds),
                WHAT_TO_DO,
            ),
            colour=RED,
        )
        try:
            await message.channel.send(embed=finish(embed).embed)
        except discord.HTTPException as exc:
            log.warning("guard: could not answer in the DM (%s %s)", exc.status, exc.code)

    async def _delete(self, message: discord.Message) -> bool:
        assert message.guild is not None
        me = message.guild.me
        if me is None or not message.channel.permissions_for(me).manage_messages:
            return False
        try:
            await message.delete()
        except discord.NotFound:
            return True  # already gone
        except discord.HTTPException as exc:
            log.warning("guard: could not delete the message (%s %s)", exc.status, exc.code)
            return False
        return True

    async def _dm_author(self, message: discord.Message, kinds: list[SecretKind], deleted: bool) -> DmOutcome:
        assert message.guild is not None
        removal = (
            Md("I removed it.") if deleted
            else Md("I could not remove it (I lack the Manage Messages permission there): **delete it yourself now.**")
        )
        dm = SafeEmbed(
            title=md("Your {} was posted in public", kinds[0]),
            description=md(
                "Your message in <#{}> on **{}** contained a **{}**. {} Anyone who saw it, including bots that read "
                "channels within seconds, can take what that key controls.\n\n{}",
                message.channel.id, message.guild.name, _kinds(kinds), removal, WHAT_TO_DO,
            ),
            colour=RED,
        )
        try:
            sent = await send_dm(self.bot, message.author.id, embed=finish(dm).embed)
        except Exception as exc:  # refused (403 of any code), Discord failing (5xx), a dropped connection…
            log.warning("guard: could not DM the author (%s %s)", getattr(exc, "status", type(exc).__name__),
                        getattr(exc, "code", ""))
            return DmOutcome.FAILED
        return DmOutcome.SENT if sent else DmOutcome.CLOSED

    async def _dm_outcome(self, message: discord.Message, kinds: list[SecretKind], deleted: bool) -> DmOutcome:
        """The DM's outcome within DM_WAIT; a DM still retrying goes on in the background (the warning does not
        wait for a struggling Discord)."""
        task = self.bot.background(self._dm_author(message, kinds, deleted))
        done, _ = await asyncio.wait({task}, timeout=DM_WAIT)
        return task.result() if task in done else DmOutcome.FAILED

    async def _in_guild(self, message: discord.Message, kinds: list[SecretKind], log_channel_id: int | None) -> None:
        channel, author = message.channel, message.author
        deleted = await self._delete(message)
        dm = await self._dm_outcome(message, kinds, deleted)
        # Who, where and which kind; never the text.
        log.warning(
            "guard: a %s posted in channel %s by user %s (deleted: %s, author told by DM: %s)",
            _kinds(kinds), channel.id, author.id, deleted, dm is DmOutcome.SENT,
        )
        warning = SafeEmbed(title=Md("⚠️ Secret posted in public"), description=_public_warning(kinds, deleted, dm),
                            colour=SOFT_ORANGE)
        try:
            await channel.send(
                content=f"<@{int(author.id)}>",
                embed=finish(warning).embed,
                allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=[author]),
            )
        except discord.HTTPException as exc:
            log.warning("guard: could not warn in channel %s (%s %s)", channel.id, exc.status, exc.code)
        if log_channel_id is not None:
            await self._audit(log_channel_id, message, kinds, deleted)

    async def _audit(self, log_channel_id: int, message: discord.Message, kinds: list[SecretKind], deleted: bool) -> None:
        """One line in the server's guard log: the kind of secret, who, where, removed or not. Never the secret."""
        entry = SafeEmbed(
            title=md("Guard: a {} {}", _kinds(kinds), Md("removed") if deleted else Md("found, not removed")),
            description=md(
                "Posted by <@{}> in <#{}>. {} Nothing of the secret was kept.", message.author.id, message.channel.id,
                Md("The message was deleted and the author warned.") if deleted
                else Md("I could not delete it (Manage Messages); the author was warned."),
            ),
            colour=SOFT_ORANGE,
        )
        try:
            await self.bot.get_partial_messageable(log_channel_id).send(embed=finish(entry).embed)
        except discord.HTTPException as exc:
            log.warning("guard: could not write to the guard log channel %s (%s %s)", log_channel_id, exc.status,
                        exc.code)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Guard(bot))
