"""Doctor checks of the Discord application, over REST with the real discord.py client (no gateway session):
the token, where the app can be installed, the privileged intents, the invite link and the synced commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from bot.discord.channels import BOT_NEEDS
from bot.discord_app import StakingBot, bot_intents
from bot.doctor.model import Check
from bot.settings import Settings

# Alerts and announcements are embeds with link buttons (bot/discord/channels.py BOT_NEEDS): nothing more.
# Read Message History: a very late retry of an alert looks for it in the channel before posting it again
# (bot/alerts/delivery.py); without the permission Discord returns no messages.
INVITE_PERMISSIONS = discord.Permissions(read_message_history=True, **{name: True for name in BOT_NEEDS})
# The key guard deletes leaked keys; an admin may grant it server-wide instead of per guarded channel.
GUARD_PERMISSIONS = discord.Permissions(manage_messages=True)
INVITE_SCOPES = ("bot", "applications.commands")
PORTAL = "Developer Portal (https://discord.com/developers/applications)"


def permission_names(permissions: discord.Permissions) -> str:
    # discord.py names View Channel by its old name, read_messages.
    names = ["view_channel" if name == "read_messages" else name for name, granted in permissions if granted]
    return ", ".join(name.replace("_", " ").title() for name in names) or "none"


def check_token(bot: StakingBot) -> Check:
    user, app = bot.user, bot.application
    assert user is not None and app is not None
    return Check(id="discord_token", status="ok", title="Discord token",
                 summary=f"valid: logs in as {user} (application {app.name}, id {app.id})",
                 details={"application_id": str(app.id), "bot_user_id": str(user.id)})


def token_refused() -> Check:
    return Check(id="discord_token", status="fail", title="Discord token", summary="Discord refused it (401)",
                 fix=f"{PORTAL} → your app → Bot → Reset Token, and put the new token in .env as DISCORD_TOKEN.")


def discord_unreachable(error: BaseException) -> Check:
    return Check(id="discord_token", status="fail", title="Discord token",
                 summary=f"could not be checked: Discord did not answer ({type(error).__name__})",
                 fix="Check this machine's connection to discord.com and run the doctor again.")


def check_install_contexts(app: discord.AppInfo) -> Check:
    guild, user = app.guild_integration_config, app.user_integration_config
    details = {"guild_install": guild is not None, "user_install": user is not None}
    where = "Installation → Installation Contexts"
    if guild is None:
        return Check(id="discord_install", status="fail", title="Install contexts", details=details,
                     summary="Guild Install is off: no server can add the bot",
                     fix=f"{PORTAL} → {where}: tick Guild Install (and User Install).")
    if user is None:
        return Check(id="discord_install", status="warn", title="Install contexts", details=details,
                     summary="Guild Install only: people cannot use the commands in DMs or in servers without the bot",
                     fix=f"{PORTAL} → {where}: tick User Install too (optional, recommended).")
    return Check(id="discord_install", status="ok", title="Install contexts", details=details,
                 summary="Guild Install and User Install")


def check_interactions_endpoint(app: discord.AppInfo) -> Check:
    if app.interactions_endpoint_url:
        return Check(id="discord_endpoint", status="fail", title="Interactions endpoint",
                     summary="an Interactions Endpoint URL is set, so Discord sends slash commands there, not to "
                     "this bot", fix=f"{PORTAL} → General Information: clear Interactions Endpoint URL.")
    return Check(id="discord_endpoint", status="ok", title="Interactions endpoint",
                 summary="not set: slash commands reach the bot over its gateway connection")


# Privileged intent -> the application flags that enable it (resources/application.mdx "Application Flags":
# the plain flag for apps in 100+ servers after Discord's review, *_limited from the Bot page toggle below that).
PRIVILEGED = {
    "message_content": ("gateway_message_content", "gateway_message_content_limited", "Message Content Intent"),
    "members": ("gateway_guild_members", "gateway_guild_members_limited", "Server Members Intent"),
    "presences": ("gateway_presence", "gateway_presence_limited", "Presence Intent"),
}


def check_intents(settings: Settings, app: discord.AppInfo) -> Check:
    asked = bot_intents(settings)
    flags = app.flags
    wanted = [intent for intent in PRIVILEGED if getattr(asked, intent)]
    missing = [PRIVILEGED[i][2] for i in wanted if not any(getattr(flags, f) for f in PRIVILEGED[i][:2])]
    details = {"requested": wanted, "missing": missing}
    if missing:
        return Check(id="discord_intents", status="fail", title="Privileged intents", details=details,
                     summary=f"the bot asks for {', '.join(missing)} (GUARD_MESSAGE_CONTENT=true) but it is off: "
                     "Discord refuses the connection (close code 4014)",
                     fix=f"{PORTAL} → Bot: switch on {', '.join(missing)}, or set GUARD_MESSAGE_CONTENT=false.")
    summary = ("Message Content Intent is on, as GUARD_MESSAGE_CONTENT=true needs" if wanted
               else "none needed (GUARD_MESSAGE_CONTENT=false)")
    return Check(id="discord_intents", status="ok", title="Privileged intents", summary=summary, details=details)


def invite_url(app: discord.AppInfo) -> str:
    return discord.utils.oauth_url(app.id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


def check_invite(app: discord.AppInfo) -> Check:
    """The link to add the bot, with exactly what it needs; and whether the portal's own link asks the same."""
    needed = permission_names(INVITE_PERMISSIONS)
    details = {"url": invite_url(app), "permissions": str(INVITE_PERMISSIONS.value), "scopes": list(INVITE_SCOPES)}
    guild = app.guild_integration_config
    params = guild.oauth2_install_params if guild is not None else None
    fix = (f"{PORTAL} → Installation → Default Install Settings → Guild Install: scopes bot and "
           f"applications.commands, permissions {needed}; or share the invite link below instead.")
    if params is None:
        return Check(id="discord_invite", status="ok", title="Invite link", details=details,
                     summary=f"asks for {needed} (the portal has no default install settings; use this link)")
    scopes_missing = [scope for scope in INVITE_SCOPES if scope not in params.scopes]
    lacking = discord.Permissions(INVITE_PERMISSIONS.value & ~params.permissions.value)
    extra = discord.Permissions(params.permissions.value & ~INVITE_PERMISSIONS.value & ~GUARD_PERMISSIONS.value)
    if scopes_missing or lacking.value:
        gaps = [*(f"scope {scope}" for scope in scopes_missing), *([permission_names(lacking)] if lacking.value else [])]
        return Check(id="discord_invite", status="warn", title="Invite link", details=details, fix=fix,
                     summary=f"the portal's install link lacks {', '.join(gaps)}: servers added with it cannot "
                     "get announcements or alerts")
    if extra.value:
        return Check(id="discord_invite", status="warn", title="Invite link", details=details, fix=fix,
                     summary=f"the portal's install link also asks for {permission_names(extra)}, which the bot "
                     "does not need")
    guard = " (plus Manage Messages, for the key guard)" if params.permissions.manage_messages else ""
    return Check(id="discord_invite", status="ok", title="Invite link", details=details,
                 summary=f"asks for exactly {needed}; the portal's install link asks the same{guard}")


async def check_commands(bot: StakingBot, settings: Settings) -> list[Check]:
    """Are the slash commands Discord holds (globally, and in DEV_GUILD_ID) the ones this version defines?"""
    app = bot.application
    assert app is not None
    local = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
    dev = settings.dev_guild_id
    checks = [await _compare_commands(bot, local, None, dev_guild=dev)]
    if dev:
        checks.append(await _compare_commands(bot, local, dev, dev_guild=dev))
    return checks


async def _compare_commands(bot: StakingBot, local: list[dict[str, Any]], guild_id: int | None, *,
                            dev_guild: int | None) -> Check:
    app_id = bot.application_id
    where = "global" if guild_id is None else f"DEV_GUILD_ID server {guild_id}"
    title = f"Commands ({where})"
    try:
        remote = await (bot.http.get_global_commands(app_id) if guild_id is None  # type: ignore[arg-type]
                        else bot.http.get_guild_commands(app_id, guild_id))  # type: ignore[arg-type]
    except discord.Forbidden:
        return Check(id="discord_commands", status="fail", title=title, target=str(guild_id),
                     summary="the bot is not in that server, so it cannot publish commands there (and fails to start)",
                     fix="Add the bot to that server with the invite link, or unset DEV_GUILD_ID.")
    wanted = {_key(c): _shape(c, guild_id is None) for c in local}
    have = {_key(c): _shape(c, guild_id is None) for c in remote}
    missing = sorted(name for (name, _kind) in wanted.keys() - have.keys())
    outdated = sorted(key[0] for key, shape in wanted.items() if key in have and have[key] != shape)
    stale = sorted(name for (name, _kind) in have.keys() - wanted.keys())
    details = {"scope": "global" if guild_id is None else str(guild_id), "expected": len(wanted),
               "published": len(have), "missing": missing, "outdated": outdated, "unknown": stale}
    if not (missing or outdated or stale):
        return Check(id="discord_commands", status="ok", title=title, target=details["scope"], details=details,
                     summary=f"{len(wanted)} commands published and up to date")
    problems = [f"{label}: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
                for label, names in (("missing", missing), ("outdated", outdated), ("no longer defined", stale))
                if names]
    if guild_id is not None:
        return Check(id="discord_commands", status="warn", title=title, target=details["scope"], details=details,
                     summary="; ".join(problems), fix="The bot publishes them to that server at its next start.")
    # Without DEV_GUILD_ID only the global commands exist; with it a developer may not need them yet.
    return Check(id="discord_commands", status="warn" if dev_guild else "fail", title=title, target="global",
                 details=details, summary="; ".join(problems),
                 fix="Run `./scripts/run sync` to publish them (global changes can take a while to show).")


def _key(command: Mapping[str, Any]) -> tuple[str, int]:
    return command["name"], int(command.get("type") or 1)


def _shape(command: Mapping[str, Any], is_global: bool) -> Any:
    """What a user sees of a command; Discord's echo adds ids and defaults, so compare only this."""
    shape: dict[str, Any] = {
        "description": command.get("description") or "",
        "options": [_option(o) for o in command.get("options") or []],
        "default_member_permissions": str(command["default_member_permissions"])
        if command.get("default_member_permissions") is not None else None,
    }
    if is_global:  # install contexts mean nothing for a server's own copy
        shape["contexts"] = sorted(command.get("contexts") or [])
        shape["integration_types"] = sorted(command.get("integration_types") or [0])
    return shape


def _option(option: dict[str, Any]) -> Any:
    return (
        option.get("type"), option.get("name"), option.get("description") or "", bool(option.get("required")),
        bool(option.get("autocomplete")), sorted(option.get("channel_types") or []),
        [(c.get("name"), c.get("value")) for c in option.get("choices") or []],
        [_option(o) for o in option.get("options") or []],
        tuple(option.get(k) for k in ("min_value", "max_value", "min_length", "max_length")),
    )
