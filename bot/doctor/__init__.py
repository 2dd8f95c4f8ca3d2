"""`python -m bot doctor`: every set-up mistake an admin can make, found in one run, each with its fix.

Reads only: it never syncs commands, migrates or creates the database, or connects to the gateway.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord

from bot.discord.redact import install_redaction
from bot.discord_app import StakingBot, create_bot, use_test_discord
from bot.doctor import discord_checks as dc
from bot.doctor.discord_servers import check_server, more_servers, no_servers, server_ids
from bot.doctor.model import Check, DoctorReport, skipped
from bot.doctor.near_checks import (
    Clock,
    check_rpc_endpoints,
    check_settings,
    check_staking_index,
    settings_failed,
)
from bot.doctor.storage_checks import check_database, open_configured_storage
from bot.settings import Settings, SettingsError
from bot.storage import Storage

DISCORD_CHECKS = (
    ("discord_token", "Discord token"), ("discord_install", "Install contexts"),
    ("discord_endpoint", "Interactions endpoint"), ("discord_intents", "Privileged intents"),
    ("discord_invite", "Invite link"), ("discord_commands", "Commands"), ("discord_server", "Servers"),
)
DISCORD_DOWN = (discord.HTTPException, aiohttp.ClientError, OSError)
NO_TOKEN_FIX = ("To run the Discord bot, create an application and its token (README: \"Set up your own bot in 10 "
                "minutes\") and put DISCORD_TOKEN=… in .env.")


async def run_doctor(settings: Settings | SettingsError, *, guild_id: int | None = None,
                     clock: Clock = time.time) -> DoctorReport:
    if isinstance(settings, SettingsError):
        groups = (("rpc", "RPC endpoints"), ("index", "Staking index"), ("database", "Database"), *DISCORD_CHECKS)
        others = [skipped(i, title, "not checked: the settings must be valid first") for i, title in groups]
        return DoctorReport(network=None, checks=[settings_failed(str(settings)), *others])
    checks = [check_settings(settings)]
    storage = open_configured_storage(settings)
    near = asyncio.gather(check_rpc_endpoints(settings, clock), check_staking_index(settings))
    database, health = await check_database(storage)
    rpc, index = await near
    checks += [*rpc, index, database]
    readable = health is not None and health.exists and health.readable and health.schema_version
    discord_part, invite = await _discord_checks(settings, storage if readable else None, guild_id)
    return DoctorReport(network=settings.near_network, checks=checks + discord_part, invite_url=invite)


async def _discord_checks(settings: Settings, storage: Storage | None,
                          guild_id: int | None) -> tuple[list[Check], str | None]:
    token = settings.token
    if token is None:
        why = "DISCORD_TOKEN is not set, so nothing on Discord's side can be checked"
        first = skipped("discord_token", "Discord token", why, fix=NO_TOKEN_FIX)
        return [first, *(skipped(i, title, "needs DISCORD_TOKEN") for i, title in DISCORD_CHECKS[1:])], None
    install_redaction([token])
    use_test_discord(settings)
    bot = create_bot(settings)
    bot.sync_dev_guild = False  # the doctor only looks
    bot.sync_only = True
    async with bot:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            return _after_token(dc.token_refused()), None
        except DISCORD_DOWN as exc:
            return _after_token(dc.discord_unreachable(exc)), None
        return await _with_login(bot, settings, storage, guild_id)


async def _opened(storage: Storage | None) -> Storage | None:
    """The database, open for reading the servers' channels (None: unavailable, and the database line says why)."""
    if storage is None:
        return None
    try:
        await storage.open(migrate=False)
    except Exception:  # the database check already reports what is wrong with it
        await storage.close()
        return None
    return storage


def _after_token(failed: Check) -> list[Check]:
    return [failed, *(skipped(i, title, "needs a working token") for i, title in DISCORD_CHECKS[1:])]


async def _with_login(bot: StakingBot, settings: Settings, storage: Storage | None,
                      guild_id: int | None) -> tuple[list[Check], str]:
    app = bot.application
    assert app is not None
    invite = dc.invite_url(app)
    checks = [dc.check_token(bot), dc.check_install_contexts(app), dc.check_interactions_endpoint(app),
              dc.check_intents(settings, app), dc.check_invite(app), *await dc.check_commands(bot, settings)]
    storage = await _opened(storage)
    try:
        ids, total = await server_ids(bot, guild_id)
        if not ids:
            checks.append(no_servers(invite))
        for server in ids:
            checks += await check_server(bot, server, storage, settings)
        if total > len(ids):
            checks.append(more_servers(len(ids), total))
    except DISCORD_DOWN as exc:  # Discord stopped answering half-way: say so, keep what was found
        checks.append(Check(id="discord_server", status="fail", title="Servers",
                            summary=f"Discord stopped answering ({type(exc).__name__})",
                            fix="Run the doctor again in a minute."))
    finally:
        if storage is not None:
            await storage.close()
    return checks, invite
