"""`doctor` against a live-looking sandbox chain and the loopback fake Discord: with everything set up right every
check passes; then each set-up mistake is planted in turn, and exactly the line about it fails, with its fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from bot.discord_app import sync_commands
from bot.doctor import run_doctor
from bot.doctor.model import Check, DoctorReport
from bot.render.doctor import doctor_text
from bot.sandbox import ThreadedSandbox
from bot.settings import Settings
from bot.storage import SqliteStorage
from tests.conftest import chain_made_now
from tests.integration.test_rpc_client import closed_port_url

from .conftest import make_settings
from .fake_discord import APP_ID, GUILD_ID, MANAGE_MESSAGES, MESSAGE_CONTENT, FakeDiscord


@dataclass
class World:
    fake: FakeDiscord
    chain: ThreadedSandbox
    settings: Settings
    announcements: int
    support: int

    def with_settings(self, **overrides: Any) -> Settings:
        return self.settings.model_copy(update=overrides)


async def set_up(fake: FakeDiscord, chain: ThreadedSandbox, database: Path, *, bot_can_announce: bool = True,
                 synced: bool = True, bot_can_read_history: bool = True) -> World:
    """A server admin who did everything right: intents, role permissions, channels chosen, commands synced."""
    announcements = fake.add_channel("announcements", members_can_post=False, bot_can_post=bot_can_announce,
                                     bot_can_read_history=bot_can_read_history)
    support = fake.add_channel("support")
    fake.allowed_privileged_intents = MESSAGE_CONTENT  # the portal toggle GUARD_MESSAGE_CONTENT=true needs
    fake.bot_role_permissions = MANAGE_MESSAGES  # the guard deletes leaked keys
    settings = make_settings(chain, near_rpc_urls=chain.urls, database_path=database, guard_message_content=True)
    storage = SqliteStorage(database)
    await storage.open()
    await storage.update_guild(GUILD_ID, announcement_channel_id=announcements, guard_enabled=True,
                               support_channel_ids=[support])
    await storage.close()
    if synced:
        await sync_commands(settings)
        await sync_commands(settings, guild_id=GUILD_ID)  # DEV_GUILD_ID's copy, as the bot makes at start
    return World(fake, chain, settings, announcements, support)


@pytest.fixture
async def world(fake: FakeDiscord, live_mainnet: ThreadedSandbox, tmp_path: Path) -> World:
    return await set_up(fake, live_mainnet, tmp_path / "bot.sqlite3")


def failures(report: DoctorReport) -> list[Check]:
    return [check for check in report.checks if check.status == "fail"]


def only_failure(report: DoctorReport) -> Check:
    failed = failures(report)
    assert len(failed) == 1, doctor_text(report)
    assert not report.ok
    return failed[0]


async def test_a_correct_set_up_passes_every_check(world: World) -> None:
    report = await run_doctor(world.settings)
    assert [c.status for c in report.checks] == ["ok"] * len(report.checks), doctor_text(report)
    assert report.ok
    ids = [c.id for c in report.checks]
    assert ids == ["settings", "rpc", "rpc", "index", "database", "discord_token", "discord_install",
                   "discord_endpoint", "discord_intents", "discord_invite", "discord_commands", "discord_commands",
                   "discord_server", "discord_channel", "discord_channel"]
    rpc = report.checks[1]
    assert rpc.details["chain_id"] == "mainnet" and 0 <= rpc.details["head_age_seconds"] < 60
    assert isinstance(rpc.details["latency_ms"], int)
    # The invite asks for exactly what the bot needs: View Channel, Send Messages, Embed Links, Read Message History
    # (to look for an alert before re-posting it very late); bot + commands.
    query = parse_qs(urlsplit(report.invite_url or "").query)
    assert query["client_id"] == [str(APP_ID)]
    assert query["permissions"] == [str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 16))]
    assert query["scope"] == ["bot applications.commands"]
    channels = {c.target: c for c in report.checks if c.id == "discord_channel"}
    assert set(channels) == {str(world.announcements), str(world.support)}
    # Read only: nothing was synced, no gateway session was opened.
    assert not world.fake.identify_payloads
    assert len(world.fake.sync_calls) == 2  # the two syncs of set_up, none by the doctor
    assert not world.fake.violations


async def test_an_unreachable_endpoint(world: World) -> None:
    dead = closed_port_url()
    report = await run_doctor(world.with_settings(near_rpc_urls=[world.chain.url, dead]))
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("rpc", dead)
    assert "not answering" in failed.summary and "connection refused" in failed.summary
    assert "remove the endpoint from NEAR_RPC_URLS" in (failed.fix or "")


async def test_an_endpoint_of_another_network(world: World) -> None:
    with ThreadedSandbox(chain=chain_made_now("testnet")) as testnet:
        other = testnet.url
        report = await run_doctor(world.with_settings(near_rpc_urls=[world.chain.url, other]))
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("rpc", other)
    assert failed.summary == "wrong network: it serves 'testnet', NEAR_NETWORK is 'mainnet'"
    assert "Use a mainnet endpoint in NEAR_RPC_URLS" in (failed.fix or "")


async def test_a_lagging_node(world: World) -> None:
    world.chain.set_faults(1, [{"kind": "stale", "blocks": 1_000, "method": "status"}])  # 1,000 blocks ≈ 10 min
    report = await run_doctor(world.settings)
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("rpc", world.chain.urls[1])
    assert failed.summary.startswith("lagging: its newest block is 10 min old")
    assert 590 < failed.details["head_age_seconds"] < 660
    assert "keeps up with the chain" in (failed.fix or "")


async def test_a_bad_token(world: World) -> None:
    report = await run_doctor(world.with_settings(discord_token=SecretStr("not-the-bot-token")))
    failed = only_failure(report)
    assert failed.id == "discord_token" and "refused" in failed.summary
    assert "Reset Token" in (failed.fix or "")
    assert {c.status for c in report.checks if c.id.startswith("discord_") and c is not failed} == {"skip"}
    # It stopped at Discord's first refusal, and never printed the token.
    assert world.fake.requests[-1] == ("GET", "/api/v10/users/@me")
    assert "not-the-bot-token" not in doctor_text(report)


async def test_a_privileged_intent_that_is_off_in_the_portal(world: World) -> None:
    world.fake.allowed_privileged_intents = 0
    report = await run_doctor(world.settings)
    failed = only_failure(report)
    assert failed.id == "discord_intents"
    assert "Message Content Intent" in failed.summary and "4014" in failed.summary
    assert "switch on Message Content Intent, or set GUARD_MESSAGE_CONTENT=false" in (failed.fix or "")


async def test_a_channel_the_bot_cannot_post_in(fake: FakeDiscord, live_mainnet: ThreadedSandbox,
                                                tmp_path: Path) -> None:
    world = await set_up(fake, live_mainnet, tmp_path / "bot.sqlite3", bot_can_announce=False)
    report = await run_doctor(world.settings)
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("discord_channel", str(world.announcements))
    assert failed.title == "NEAR Stakers: #announcements (announcements)"
    assert failed.details["missing"] == ["send_messages"]
    assert failed.fix == "Edit Channel #announcements → Permissions → the bot's role: allow Send Messages."


async def test_an_announcement_channel_without_read_message_history_is_a_warning(
    fake: FakeDiscord, live_mainnet: ThreadedSandbox, tmp_path: Path
) -> None:
    world = await set_up(fake, live_mainnet, tmp_path / "bot.sqlite3", bot_can_read_history=False)
    report = await run_doctor(world.settings)
    (warned,) = [c for c in report.checks if c.status != "ok"]
    assert (warned.status, warned.id, warned.target) == ("warn", "discord_channel", str(world.announcements))
    assert "could show it twice" in warned.summary and "Read Message History" in (warned.fix or "")


async def test_commands_never_synced(fake: FakeDiscord, live_mainnet: ThreadedSandbox, tmp_path: Path) -> None:
    world = await set_up(fake, live_mainnet, tmp_path / "bot.sqlite3", synced=False)
    report = await run_doctor(world.with_settings(dev_guild_id=None))
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("discord_commands", "global")
    assert failed.summary.startswith("missing: ")
    assert "./scripts/run sync" in (failed.fix or "")


async def test_a_server_the_bot_is_not_in(world: World) -> None:
    report = await run_doctor(world.settings, guild_id=GUILD_ID + 1)
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("discord_server", str(GUILD_ID + 1))
    assert "invite link" in (failed.fix or "")


async def test_the_portal_asking_for_too_much_is_a_warning(world: World) -> None:
    params = world.fake.integration_types_config["0"]["oauth2_install_params"]
    params["permissions"] = str(int(params["permissions"]) | 1 << 3)  # and Administrator
    report = await run_doctor(world.settings)
    assert report.ok and not failures(report)
    [invite] = [c for c in report.checks if c.id == "discord_invite"]
    assert invite.status == "warn"
    assert invite.summary == "the portal's install link also asks for Administrator, which the bot does not need"


async def test_dev_guild_id_of_a_server_the_bot_is_not_in(world: World) -> None:
    report = await run_doctor(world.with_settings(dev_guild_id=GUILD_ID + 1))
    failed = only_failure(report)
    assert (failed.id, failed.target) == ("discord_commands", str(GUILD_ID + 1))
    assert "fails to start" in failed.summary and "unset DEV_GUILD_ID" in (failed.fix or "")


async def test_a_staking_index_that_does_not_answer(world: World) -> None:
    world.chain.set_faults(0, [{"kind": "status", "status": 503, "method": "api"}])  # the REST API only
    report = await run_doctor(world.settings)
    failed = only_failure(report)
    assert (failed.id, failed.summary) == ("index", "not answering: could not be read (HTTP 503)")
    assert "NEAR_INDEXER_API" in (failed.fix or "")


async def test_a_guard_log_channel_the_bot_cannot_post_in(fake: FakeDiscord, live_mainnet: ThreadedSandbox,
                                                          tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    muted = fake.add_channel("mod-log", members_can_post=False, bot_can_post=False)
    world = await set_up(fake, live_mainnet, database)
    storage = SqliteStorage(database)
    await storage.open()
    await storage.update_guild(GUILD_ID, guard_log_channel_id=muted)
    await storage.close()
    failed = only_failure(await run_doctor(world.settings))
    assert (failed.id, failed.target, failed.title) == ("discord_channel", str(muted), "NEAR Stakers: #mod-log (guard log)")
