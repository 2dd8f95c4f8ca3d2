"""The key and seed-phrase guard: support channels are where impersonators ask for seed phrases, and where people
paste them by mistake (seed-errata A14; discord.md §3, Rocket Watch's scam_warning).

- Off by default. A server admin (Manage Server) turns it on for chosen channels: `/guard on <channel>…`,
  `/guard off [channel]`, `/guard status` (stored in guild_settings: guard_enabled + support channels).
- Reading server messages needs the privileged Message Content intent (`GUARD_MESSAGE_CONTENT=true` and the toggle
  in the Developer Portal). Without it Discord sends the bot no text for server messages, so the guard sees only
  DMs to the bot and messages that mention it.
- DMs to the bot are always checked.

On a private key, seed phrase or key file (`bot.safety.find_secrets`) in a guarded channel: delete the message (when
the bot has Manage Messages; otherwise say so), post a short public warning without any part of the secret, DM the
author what to do now, and log the event with the author id, channel id and the kind of secret only. The secret
itself is never stored, echoed or logged.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.channels import PostChannel
from bot.discord.dm import send_dm
from bot.discord.respond import show
from bot.discord_app import StakingBot
from bot.render.embeds import GREEN, GREY, RED, SOFT_ORANGE, error_embed, finish
from bot.safety import SecretKind, find_secrets

log = logging.getLogger(__name__)

MAX_CHANNELS = 25  # guarded channels per server (Discord allows 25 options; this keeps /guard status readable)
NOBODY_ASKS = (
    "Nobody legitimate ever asks for a seed phrase or private key: not moderators, not support staff, not this bot. "
    "Anyone who does is trying to steal."
)
WHAT_TO_DO = (
    "**Do this now:**\n"
    "1. Create a **new** account (new seed phrase) in your wallet.\n"
    "2. Move everything from the exposed account to the new one. Staked NEAR has to be unstaked first "
    "(4 epochs), then withdrawn and moved, so start at once; ask here if you need help with the steps "
    "(`/diagnose <account>` shows what is staked, unbonding or locked).\n"
    "3. Never use the exposed seed phrase or key again. A seed phrase can control several accounts: move them all.\n\n"
    f"{NOBODY_ASKS} If someone asked you for it, it was a scam: tell the server's moderators."
)


def _kinds(kinds: list[SecretKind]) -> str:
    return " and a ".join(str(k) for k in kinds)


def _is_guarded(settings: Any, channel: Any) -> bool:
    if not settings.guard_enabled:
        return False
    ids = set(settings.support_channel_ids)
    return channel.id in ids or getattr(channel, "parent_id", None) in ids  # threads of a guarded channel too


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

    def _intent_note(self) -> str | None:
        if self.bot.intents.message_content:
            return None
        return (
            "⚠️ **Message Content is off for this bot**, so Discord does not show me the text of server messages: "
            "the guard only catches messages that mention me (and DMs to me). The bot's host can turn it on with "
            "`GUARD_MESSAGE_CONTENT=true` plus the *Message Content Intent* toggle in the Developer Portal."
        )

    def _channel_lines(self, guild_id: int, channel_ids: list[int]) -> list[str]:
        guild = self.bot.get_guild(guild_id)
        lines = []
        for channel_id in channel_ids:
            channel = guild.get_channel_or_thread(channel_id) if guild else None
            if guild is None or guild.me is None or channel is None:
                lines.append(f"<#{channel_id}>: I cannot see this channel.")
                continue
            have = channel.permissions_for(guild.me)
            missing = [n for n in ("view_channel", "send_messages") if not getattr(have, n)]
            if missing:
                names = ", ".join(n.replace("_", " ").title() for n in missing)
                lines.append(f"<#{channel_id}>: I need the {names} permission to warn there.")
            elif not have.manage_messages:
                lines.append(
                    f"<#{channel_id}>: I will warn, but cannot delete leaked secrets without the Manage Messages "
                    "permission."
                )
            else:
                lines.append(f"<#{channel_id}>: ready (warn, delete, DM the author).")
        return lines

    async def _status_embed(self, guild_id: int, title: str) -> discord.Embed:
        assert self.bot.storage is not None
        settings = await self.bot.storage.guild_settings(guild_id)
        on = settings.guard_enabled and settings.support_channel_ids
        embed = discord.Embed(title=title, colour=GREEN if on else GREY)
        if on:
            text = "\n".join(self._channel_lines(guild_id, settings.support_channel_ids))
            embed.description = (
                "I check every message in these channels for private keys, seed phrases and key files. A leaked "
                f"secret is removed, the channel is warned (without the secret) and the author gets a DM.\n\n{text}"
            )
        else:
            embed.description = "The guard is off in this server. DMs to me are always checked."
        note = self._intent_note()
        if note and on:
            embed.add_field(name="Message Content", value=note, inline=False)
        embed.set_footer(text="Nothing of a secret is ever stored or logged: only who posted, where, and which kind.")
        return embed

    @guard.command(name="on", description="Check these support channels for pasted private keys and seed phrases")
    @app_commands.describe(
        channel="A support channel to guard", channel_2="Another channel (optional)",
        channel_3="Another channel (optional)", channel_4="Another channel (optional)",
        channel_5="Another channel (optional)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def on(
        self, interaction: discord.Interaction, channel: PostChannel, channel_2: PostChannel | None = None,
        channel_3: PostChannel | None = None, channel_4: PostChannel | None = None,
        channel_5: PostChannel | None = None,
    ) -> None:
        assert self.bot.storage is not None and interaction.guild_id is not None
        picked = [c.id for c in (channel, channel_2, channel_3, channel_4, channel_5) if c is not None]
        current = await self.bot.storage.guild_settings(interaction.guild_id)
        channels = list(dict.fromkeys([*(current.support_channel_ids if current.guard_enabled else []), *picked]))
        if len(channels) > MAX_CHANNELS:
            await show(interaction, error_embed(f"At most {MAX_CHANNELS} channels can be guarded."), ephemeral=True)
            return
        await self.bot.storage.update_guild(interaction.guild_id, guard_enabled=True, support_channel_ids=channels)
        log.info("guard on in guild %s for channels %s (by user %s)", interaction.guild_id, channels,
                 interaction.user.id)
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard on")))

    @guard.command(name="off", description="Stop guarding one channel, or all channels of this server")
    @app_commands.describe(channel="Only this channel (leave out to turn the guard off everywhere)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def off(self, interaction: discord.Interaction, channel: PostChannel | None = None) -> None:
        assert self.bot.storage is not None and interaction.guild_id is not None
        current = await self.bot.storage.guild_settings(interaction.guild_id)
        channels = [c for c in current.support_channel_ids if channel is not None and c != channel.id]
        await self.bot.storage.update_guild(
            interaction.guild_id, guard_enabled=bool(channels), support_channel_ids=channels
        )
        log.info("guard off in guild %s (%s) (by user %s)", interaction.guild_id,
                 f"channel {channel.id}" if channel else "all channels", interaction.user.id)
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard")))

    @guard.command(name="status", description="Which channels are guarded, and whether I can act there")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        if self.bot.storage is None:
            await show(interaction, error_embed("Server settings are not available right now."), ephemeral=True)
            return
        await show(interaction, finish(await self._status_embed(interaction.guild_id, "Key and seed-phrase guard")))

    # -- the guard itself ----------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self.check(message)

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        if after.content != before.content:
            await self.check(after)

    async def check(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or not message.content:
            return
        kinds = find_secrets(message.content)  # pure and quick; nothing is read from storage unless this hits
        if not kinds:
            return
        if message.guild is None:
            if isinstance(message.channel, discord.DMChannel):
                await self._in_dm(message, kinds)
            return
        storage = self.bot.storage
        if storage is None or not _is_guarded(await storage.guild_settings(message.guild.id), message.channel):
            return
        await self._in_guild(message, kinds)

    async def _in_dm(self, message: discord.Message, kinds: list[SecretKind]) -> None:
        log.warning("guard: a %s in a DM from user %s", _kinds(kinds), message.author.id)
        embed = discord.Embed(
            title=f"Keep that {kinds[0]} secret",
            description=f"Your message contains a **{_kinds(kinds)}**. I did not read it further and did not store "
            "it. Delete that message, and if you sent it anywhere else too, treat it as compromised.\n\n"
            + WHAT_TO_DO,
            colour=RED,
        )
        try:
            await message.channel.send(embed=finish(embed).embed)
        except discord.HTTPException as exc:
            log.warning("guard: could not answer in the DM (%s %s)", exc.status, exc.code)

    async def _in_guild(self, message: discord.Message, kinds: list[SecretKind]) -> None:
        assert message.guild is not None
        channel, author = message.channel, message.author
        me = message.guild.me
        deleted = False
        if me is not None and channel.permissions_for(me).manage_messages:  # type: ignore[union-attr]
            try:
                await message.delete()
                deleted = True
            except discord.NotFound:
                deleted = True  # already gone
            except discord.HTTPException as exc:
                log.warning("guard: could not delete the message (%s %s)", exc.status, exc.code)
        where = f"<#{channel.id}> on **{message.guild.name}**"
        removal = (
            "I removed it." if deleted
            else "I could not remove it (I lack the Manage Messages permission there): **delete it yourself now.**"
        )
        dm = discord.Embed(
            title=f"Your {kinds[0]} was posted in public",
            description=f"Your message in {where} contained a **{_kinds(kinds)}**. {removal} Anyone who saw it, "
            f"including bots that read channels within seconds, can take what that key controls.\n\n{WHAT_TO_DO}",
            colour=RED,
        )
        dm_sent = await send_dm(self.bot, author.id, embed=finish(dm).embed)
        public = (
            f"{'I removed' if deleted else 'I could not remove'} a message that contained a **{_kinds(kinds)}**"
            + ("" if deleted else " (I need the Manage Messages permission here; please delete it now)")
            + ". Treat it as compromised: move your funds to a new account now. "
            + ("I sent you the steps in a DM." if dm_sent else "Your DMs are closed, so: create a new account in "
               "your wallet and move everything there, unstaking first where needed.")
            + f"\n\n{NOBODY_ASKS}"
        )
        # Who, where and which kind; never the text.
        log.warning(
            "guard: a %s posted in channel %s by user %s (deleted: %s, author told by DM: %s)",
            _kinds(kinds), channel.id, author.id, deleted, dm_sent,
        )
        warning = discord.Embed(title="⚠️ Secret posted in public", description=public, colour=SOFT_ORANGE)
        try:
            await channel.send(
                content=f"<@{author.id}>",
                embed=finish(warning).embed,
                allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=[author]),
            )
        except discord.HTTPException as exc:
            log.warning("guard: could not warn in channel %s (%s %s)", channel.id, exc.status, exc.code)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Guard(bot))
