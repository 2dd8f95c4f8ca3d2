"""Doctor checks per server: is the bot there, and can it post in the announcement and guard channels it was
given? Permissions are computed as Discord does, by discord.py, from the server's roles and each channel's
overwrites (fetched over REST)."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.discord.channels import BOT_NEEDS
from bot.discord_app import StakingBot
from bot.doctor.model import Check
from bot.render.safe import clean
from bot.settings import Settings
from bot.storage import GuildSettings, Storage

MAX_SERVERS = 25  # a doctor run stays a few seconds; name one with --guild to check any other


def _names(permissions: list[str]) -> str:
    return ", ".join(p.replace("_", " ").title() for p in permissions)


async def server_ids(bot: StakingBot, only: int | None) -> tuple[list[int], int]:
    """The servers to check (the one asked for, else those the bot is in) and how many there are."""
    if only is not None:
        return [only], 1
    ids = [guild.id async for guild in bot.fetch_guilds(limit=200)]
    return ids[:MAX_SERVERS], len(ids)


def no_servers(invite: str) -> Check:
    return Check(id="discord_server", status="warn", title="Servers", summary="the bot is in no server yet",
                 fix=f"Open the invite link and add it to your server: {invite}")


def more_servers(checked: int, total: int) -> Check:
    return Check(id="discord_server", status="skip", title="Servers",
                 summary=f"{total - checked} more servers not checked",
                 fix="Run `doctor --guild <server id>` to check one of them.")


async def check_server(bot: StakingBot, guild_id: int, storage: Storage | None, settings: Settings) -> list[Check]:
    target = str(guild_id)
    try:
        guild = await bot.fetch_guild(guild_id, with_counts=False)
        me = await guild.fetch_member(bot.user.id)  # type: ignore[union-attr]
        channels = {channel.id: channel for channel in await guild.fetch_channels()}
    except (discord.Forbidden, discord.NotFound):
        return [Check(id="discord_server", status="fail", title=f"Server {guild_id}", target=target,
                      summary="the bot is not in this server (or the id is wrong)",
                      fix="Add the bot with the invite link, choosing this server.")]
    title = f"Server {clean(guild.name, limit=100)}"  # names are set by anyone running a server: no hidden text
    configured = await storage.guild_settings(guild_id) if storage is not None else None
    checks = [_server_line(guild, me, configured, title, target)]
    if configured is None:
        return checks
    if configured.announcement_channel_id:
        checks.append(_channel_line(guild, channels, me, configured.announcement_channel_id, "announcements",
                                    "/announce channel", guard=False, settings=settings))
    if configured.guard_enabled:
        for channel_id in configured.support_channel_ids:
            checks.append(_channel_line(guild, channels, me, channel_id, "key guard", "/guard on", guard=True,
                                        settings=settings))
        if configured.guard_log_channel_id:
            checks.append(_channel_line(guild, channels, me, configured.guard_log_channel_id, "guard log",
                                        "/guard log", guard=False, settings=settings))
    return checks


def _server_line(guild: discord.Guild, me: discord.Member, configured: GuildSettings | None, title: str,
                 target: str) -> Check:
    lacking = [name for name in BOT_NEEDS if not getattr(me.guild_permissions, name)]
    details = {"guild_id": target, "server_permissions": str(me.guild_permissions.value)}
    if configured is None:
        channels = "channels not checked (the database could not be read)"
    elif configured.announcement_channel_id or (configured.guard_enabled and configured.support_channel_ids):
        channels = "its announcement and guard channels are checked below"
    else:
        channels = "no announcement or guard channel set (/announce channel, /guard on)"
    if lacking:
        return Check(id="discord_server", status="warn", title=title, target=target, details=details,
                     summary=f"the bot's roles lack {_names(lacking)} server-wide, so it can post only where a "
                     f"channel allows it; {channels}",
                     fix=f"Server Settings → Roles → the bot's role: allow {_names(lacking)}.")
    return Check(id="discord_server", status="ok", title=title, target=target, details=details,
                 summary=f"the bot is a member with {_names(list(BOT_NEEDS))}; {channels}")


def _channel_line(guild: discord.Guild, channels: Mapping[int, discord.abc.GuildChannel], me: discord.Member,
                  channel_id: int, use: str, command: str, *, guard: bool, settings: Settings) -> Check:
    channel = channels.get(channel_id)
    target = str(channel_id)
    server = clean(guild.name, limit=100)
    if channel is None:
        return Check(id="discord_channel", status="fail", title=f"{server}: {use} channel {channel_id}",
                     target=target, summary="the channel no longer exists, or the bot cannot see it",
                     fix=f"Pick a channel again with {command} in that server.")
    channel_name = clean(channel.name, limit=100)
    title = f"{server}: #{channel_name} ({use})"
    have = channel.permissions_for(me)
    missing = [name for name in BOT_NEEDS if not getattr(have, name)]
    # Without View Channel or Send Messages Discord also denies what depends on it: name only the cause.
    missing = next(([cause] for cause in ("view_channel", "send_messages") if cause in missing), missing)
    details = {"guild_id": str(guild.id), "channel_id": target, "use": use, "permissions": str(have.value),
               "missing": missing}
    if missing:
        return Check(id="discord_channel", status="fail", title=title, target=target, details=details,
                     summary=f"the bot cannot post here: it lacks {_names(missing)}",
                     fix=f"Edit Channel #{channel_name} → Permissions → the bot's role: allow {_names(missing)}.")
    if guard and not have.manage_messages:
        details["missing"] = ["manage_messages"]
        return Check(id="discord_channel", status="warn", title=title, target=target, details=details,
                     summary="the bot can warn here but cannot delete a leaked key (no Manage Messages)",
                     fix=f"Edit Channel #{channel_name} → Permissions → the bot's role: allow Manage Messages.")
    if use == "announcements" and not have.read_message_history:  # alerts and announcements go through the outbox
        details["missing"] = ["read_message_history"]
        return Check(id="discord_channel", status="warn", title=title, target=target, details=details,
                     summary="the bot can post here but not read the history: a retry long after a failed send "
                     "cannot check whether the message arrived, and could show it twice",
                     fix=f"Edit Channel #{channel_name} → Permissions → the bot's role: allow Read Message History.")
    if guard and not settings.guard_message_content:
        return Check(id="discord_channel", status="warn", title=title, target=target, details=details,
                     summary="without Message Content the guard sees only messages that mention the bot",
                     fix="Set GUARD_MESSAGE_CONTENT=true and switch on Message Content Intent (Developer Portal → "
                     "Bot).")
    return Check(id="discord_channel", status="ok", title=title, target=target, details=details,
                 summary="the bot can post here" + (" and delete leaked keys" if guard else ""))
