"""The real bot (create_bot) against the fake Discord and the sandbox chain: what a user sees."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

import bot.discord.respond as respond
from bot.discord.dm import send_dm
from bot.discord.redact import install_redaction
from bot.discord_app import StakingBot
from bot.near.units import format_near
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.services.chain import Chain
from bot.services.epoch import get_epoch
from tests.conftest import FAST_POLICY

from .conftest import TOKEN, StartBot, make_settings
from .fake_discord import BOT_USER_ID, GUILD_ID, OWNER_ID, USER_ID, FakeDiscord, validate_message

E = SCENARIO.epoch_height
View = Callable[[str, str, dict[str, Any] | None], Any]
TIMESTAMP_R = re.compile(r"<t:\d+:R>")
TIMESTAMP_F = re.compile(r"<t:\d+:f>")


def nearblocks(account_id: str) -> str:
    return f"https://nearblocks.io/address/{account_id}"


# -- start-up and sync -------------------------------------------------------------------------------------------


async def test_start_syncs_commands_to_the_dev_guild_only(fake: FakeDiscord, bot: StakingBot) -> None:
    commands = {c["name"]: c for c in fake.commands[GUILD_ID]}
    assert set(commands) == {"epoch", "pool", "status", "unbonding", "lockup", "liquid", "account", "alert", "announce",
        "stake", "unstake", "withdraw", "transfer", "venear", "explain", "diagnose", "Diagnose this", "guard", "roles"}
    assert None not in fake.commands, "no global sync on start"
    announce = commands.pop("announce")  # server admins only: guild install, guild context, Manage Server
    assert (announce["integration_types"], announce["contexts"]) == ([0], [0])
    assert int(announce["default_member_permissions"]) == 32
    guard = commands.pop("guard")  # the key/seed guard: same admin-only shape as /announce
    assert (guard["integration_types"], guard["contexts"], int(guard["default_member_permissions"])) == ([0], [0], 32)
    roles = commands.pop("roles")  # verified roles: servers only; `rule` checks Manage Roles itself
    assert (roles["integration_types"], roles["contexts"]) == ([0], [0])
    assert [o["name"] for o in roles["options"]] == ["rule", "check"]
    assert commands["Diagnose this"]["type"] == 3  # a message command, usable wherever the app is
    for command in commands.values():
        assert command["integration_types"] == [0, 1]
        assert command["contexts"] == [0, 1, 2]
    assert commands["epoch"]["options"] == []
    [pool] = commands["pool"]["options"]
    assert (pool["name"], pool["type"], pool["required"], pool["autocomplete"]) == ("pool", 3, True, True)
    account, pool_opt = commands["unbonding"]["options"]
    assert (account["name"], account["required"], account["autocomplete"]) == ("account", False, True)  # linked default
    assert (pool_opt["name"], pool_opt["required"]) == ("pool", False)
    account, scan = commands["status"]["options"]
    assert (account["name"], scan["name"], scan["type"], scan["required"]) == ("account", "scan", 5, False)
    # Sharded start (GET /gateway/bot), no privileged intents.
    assert ("GET", "/api/v10/gateway/bot") in fake.requests
    [identify] = fake.identify_payloads
    assert identify["shard"] == [0, 1]
    assert identify["intents"] & ((1 << 1) | (1 << 8) | (1 << 15)) == 0


async def test_python_m_bot_sync_publishes_globally_and_exits(
    fake: FakeDiscord, sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli

    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("NEAR_RPC_URLS", sandbox.url)
    monkeypatch.delenv("DEV_GUILD_ID", raising=False)
    monkeypatch.setattr(cli, "log_for_a_person", lambda settings, verbose=False: None)
    code = await asyncio.to_thread(cli.main, ["sync"])
    assert code == 0
    assert {c["name"] for c in fake.commands[None]} == {"epoch", "pool", "status", "unbonding", "lockup", "liquid", "account", "alert", "announce",
        "stake", "unstake", "withdraw", "transfer", "venear", "explain", "diagnose", "Diagnose this", "guard", "roles"}
    assert all(c["contexts"] == [0, 1, 2] and c["integration_types"] == [0, 1]
               for c in fake.commands[None] if c["name"] not in ("announce", "guard", "roles"))
    assert GUILD_ID not in fake.commands
    assert not fake.identify_payloads, "sync logs in over REST only, no gateway session"

    monkeypatch.setenv("DISCORD_TOKEN", "a-revoked-token")  # Discord answers 401: one line, no traceback
    assert await asyncio.to_thread(cli.main, ["sync"]) == 1
    monkeypatch.delenv("DISCORD_TOKEN")
    assert await asyncio.to_thread(cli.main, ["sync"]) == 2


async def test_owner_can_sync_globally_with_a_mention(
    fake: FakeDiscord, bot: StakingBot, caplog: pytest.LogCaptureFixture
) -> None:
    [reply] = await fake.message(f"<@{BOT_USER_ID}> sync")
    assert reply.content.startswith(f"Synced {len(fake.commands[None])} commands globally")
    assert reply.message_reference is not None
    assert {c["name"] for c in fake.commands[None]} == {"epoch", "pool", "status", "unbonding", "lockup", "liquid", "account", "alert", "announce",
        "stake", "unstake", "withdraw", "transfer", "venear", "explain", "diagnose", "Diagnose this", "guard", "roles"}
    # Anyone else is ignored, and other mentions are not errors.
    before = len(fake.sync_calls)
    with caplog.at_level(logging.ERROR):
        for text in ("sync", "hello"):
            with pytest.raises(TimeoutError):
                await fake.message(f"<@{BOT_USER_ID}> {text}", author_id=USER_ID, timeout=0.3)
    assert len(fake.sync_calls) == before
    assert not caplog.records


async def test_gateway_reconnect_resumes_and_keeps_answering(fake: FakeDiscord, bot: StakingBot) -> None:
    await fake.request_reconnect()
    assert fake.resumes == 1
    record = await fake.slash("epoch")
    assert record.embed["title"] == f"Epoch {E}"


async def test_gateway_reconnect_in_the_middle_of_a_command(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    sandbox.set_faults(0, [{"kind": "latency", "ms": 700}])  # the command is still reading the chain...
    record = await fake.send_interaction("status", {"account": "bob.near"}, where="guild", user_id=USER_ID)
    await asyncio.sleep(0.3)
    assert record.deferred and not record.messages
    await fake.request_reconnect()  # ...when the gateway drops and resumes
    await asyncio.wait_for(record.answered.wait(), 15)
    assert fake.resumes == 1
    assert record.embed["title"].endswith("bob.near")
    assert record.ephemeral


# -- the commands ------------------------------------------------------------------------------------------------


async def test_epoch_is_public_with_progress_bar_and_timestamps(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    record = await fake.slash("epoch")
    assert record.deferred and not record.ephemeral
    assert record.ack_seconds is not None and record.ack_seconds < 1.0
    chain = Chain.from_settings(bot.settings, policy=FAST_POLICY)
    try:
        expected = await get_epoch(chain)
    finally:
        await chain.aclose()
    embed = record.embed
    assert embed["title"] == f"Epoch {E}"
    first_line = embed["description"].splitlines()[0]
    assert f"{expected.progress * 100:.1f} % done, ends <t:{expected.estimated_end_unix}:R>" in first_line
    assert "█" in embed["description"] and "░" in embed["description"]
    assert f"<t:{expected.estimated_end_unix}:f>" in record.text()
    assert f"{expected.blocks_left:,} left" in record.text()


async def test_pool_is_public_with_exact_stake_and_nearblocks_buttons(
    fake: FakeDiscord, bot: StakingBot, truth: View
) -> None:
    pool_id = SCENARIO.pool_id("alpha")
    record = await fake.slash("pool", {"pool": pool_id})
    assert not record.ephemeral
    embed = record.embed
    assert embed["title"] == pool_id
    assert embed["description"].startswith("🟢 **Active validator**")
    total = int(truth(pool_id, "get_total_staked_balance", None))
    assert f"total staked exactly {total} yocto" in embed["footer"]["text"]
    assert format_near(total, 2) in record.text()
    assert "10 % (10/100)" in record.text()
    assert record.message.urls == [nearblocks(pool_id), nearblocks("alpha-ops.near")]
    assert all(b["style"] == 5 for b in record.message.buttons)


async def test_pool_kicked_out_says_why(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("pool", {"pool": SCENARIO.pool_id("kicked")})
    assert "Kicked out of the validator set" in record.embed["description"]
    assert "produced too few blocks (97 of 412 expected)" in record.embed["description"]


async def test_status_amounts_match_the_chain(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox, truth: View
) -> None:
    record = await fake.slash("status", {"account": "bob.near"})
    account = sandbox.run_on_loop(lambda: sandbox.chain.view_account("bob.near"))
    text = record.text()
    assert "yocto" not in text  # exact amounts are one click away
    details = await fake.click(record.message, "All details")
    assert details.ephemeral and f"balance: `{account['amount']}`" in details.text()
    fields = {f["name"]: f["value"] for f in record.embed["fields"]}
    for role in ("alpha", "charlie"):
        pool_id = SCENARIO.pool_id(role)
        row = truth(pool_id, "get_account", {"account_id": "bob.near"})
        assert f"staked **{format_near(int(row['staked_balance']))}**" in fields[pool_id]
    alpha = truth(SCENARIO.pool_id("alpha"), "get_account", {"account_id": "bob.near"})
    withdrawable = format_near(int(alpha["unstaked_balance"]))
    assert record.embed["description"].startswith(f"💰 **{withdrawable} withdrawable now**")
    assert "withdrawable now" in fields[SCENARIO.pool_id("alpha")]
    assert nearblocks("bob.near") in record.message.urls
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("where", "ephemeral"),
    [("guild", True), ("user_install_guild", True), ("group_dm", True), ("dm", False)],
)
async def test_personal_answers_are_ephemeral_except_in_the_bot_dm(
    fake: FakeDiscord, bot: StakingBot, where: str, ephemeral: bool
) -> None:
    if where != "guild":
        await bot.sync_globally()  # outside the dev guild only global commands exist
    record = await fake.slash("status", {"account": "erin.near"}, where=where)
    assert record.deferred
    assert record.ephemeral is ephemeral
    assert record.embed["title"] == "erin.near"
    assert record.embed["description"].startswith("No delegations found")


async def test_status_scan_option_finds_what_the_index_missed(fake: FakeDiscord, bot: StakingBot) -> None:
    plain = await fake.slash("status", {"account": "grace.near"})
    assert plain.embed["description"] == "No delegations found in every pool the staking index lists"
    scanned = await fake.slash("status", {"account": "grace.near", "scan": True})
    fields = {f["name"]: f["value"] for f in scanned.embed["fields"]}
    assert "the staking index misses it" in fields["bravo.poolv1.near"]
    assert scanned.embed["description"].endswith("NEAR staked** in 1 pool")


async def test_unbonding_with_a_pool_shows_epochs_bar_and_times(fake: FakeDiscord, bot: StakingBot) -> None:
    bravo = SCENARIO.pool_id("bravo")
    record = await fake.slash("unbonding", {"account": "alice.near", "pool": bravo})
    assert record.ephemeral
    fields = record.embed["fields"]
    assert [f["name"] for f in fields][:1] == [bravo]
    assert "ready in 4 epochs (~" in record.embed["description"]
    assert f"(epoch {E + 4})" in record.embed["description"]
    value = fields[0]["value"]
    assert "`▱▱▱▱▱▱▱▱` 0 of 4 epochs" in value
    assert f"withdrawable from epoch {E + 4}" in value
    assert TIMESTAMP_R.search(value) and TIMESTAMP_F.search(value)
    assert "yocto" not in value
    assert record.message.urls == [nearblocks("alice.near"), nearblocks(bravo)]


async def test_story_carol_waits_one_epoch_then_can_withdraw(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox, truth: View
) -> None:
    charlie = SCENARIO.pool_id("charlie")
    row = truth(charlie, "get_account", {"account_id": "carol.near"})
    unstaked = int(row["unstaked_balance"])

    status = await fake.slash("status", {"account": "carol.near"})
    fields = {f["name"]: f["value"] for f in status.embed["fields"]}
    assert f"unstaked **{format_near(unstaked)}**: ⏳ unbonding, not yet withdrawable" in fields[charlie]
    assert status.embed["description"].startswith(f"⏳ **{format_near(unstaked)} unbonding**")

    # carol also has a withdrawable LiNEAR unstake; name the pool to follow the charlie stake alone
    waiting = await fake.slash("unbonding", {"account": "carol.near", "pool": charlie})
    assert "not yet withdrawable: ready in 1 epoch (~" in waiting.embed["description"]
    assert f"(epoch {E + 1})" in waiting.embed["description"]
    exact = await fake.click(waiting.message, "All details")
    assert f"unstaked in {charlie}: `{unstaked}`" in exact.text()
    assert "`▰▰▰▰▰▰▱▱` 3 of 4 epochs" in waiting.embed["fields"][0]["value"]

    sandbox.advance(epochs=1)
    ready = await fake.slash("unbonding", {"account": "carol.near", "pool": charlie})
    assert ready.embed["description"].startswith(f"✅ **{format_near(unstaked)} withdrawable now**")
    assert "withdrawable now" in ready.embed["fields"][0]["value"]
    assert "Withdraw is a separate step" in ready.embed["fields"][0]["value"]
    # …and the withdrawal is ready to sign: the very link /withdraw gives
    withdraw = await fake.slash("withdraw", {"account": "carol.near", "pool": charlie})
    sign = next(b["url"] for b in withdraw.message.buttons if b["label"] == "Sign in MyNearWallet")
    button = next(b for b in ready.message.buttons if b.get("url") == sign)
    assert button["label"] == f"Withdraw {format_near(unstaked)}"


# -- autocomplete ------------------------------------------------------------------------------------------------


async def test_pool_autocomplete_offers_the_validator_set(fake: FakeDiscord, bot: StakingBot) -> None:
    everything = await fake.autocomplete("pool", {"pool": ""})
    values = [c["value"] for c in everything]
    assert 0 < len(values) <= 25
    for role in ("alpha", "bravo", "charlie", "mega", "proposal", "kicked"):
        assert SCENARIO.pool_id(role) in values
    assert SCENARIO.pool_id("paused") not in values  # not a validator
    labels = {c["value"]: c["name"] for c in everything}
    assert "· active ·" in labels[SCENARIO.pool_id("alpha")]
    assert "kicked out" in labels[SCENARIO.pool_id("kicked")]
    assert "proposal" in labels[SCENARIO.pool_id("proposal")]

    typed = await fake.autocomplete("pool", {"pool": "al"})  # prefix matches first, then matches inside
    assert [c["value"] for c in typed] == [SCENARIO.pool_id(r) for r in ("alpha", "proposal", "chunkval")]
    # Fees are fetched in the background after a picker showed the pools: the next keystroke has them.
    await asyncio.sleep(0.5)
    again = {c["value"]: c["name"] for c in await fake.autocomplete("pool", {"pool": ""})}
    assert "· fee 10% ·" in again[SCENARIO.pool_id("alpha")]
    assert "· fee 7% ·" in again[SCENARIO.pool_id("charlie")]
    inside = await fake.autocomplete("unbonding", {"account": "alice.near", "pool": "pool.near"})
    assert SCENARIO.pool_id("charlie") in [c["value"] for c in inside]


async def test_pool_autocomplete_never_fails_when_the_chain_is_down(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 503}])
    await start_bot()
    assert await fake.autocomplete("pool", {"pool": "al"}) == []


async def test_account_autocomplete_offers_what_was_typed(fake: FakeDiscord, bot: StakingBot) -> None:
    assert await fake.autocomplete("status", {"account": "carol.ne"}) == [{"name": "carol.ne", "value": "carol.ne"}]
    assert await fake.autocomplete("status", {"account": ""}) == []


# -- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "option"), [("status", "account"), ("pool", "pool")])
async def test_invalid_account_id_gets_a_kind_ephemeral_reply_without_deferring(
    fake: FakeDiscord, bot: StakingBot, command: str, option: str
) -> None:
    record = await fake.slash(command, {option: "Alice.near"})
    assert record.response_type == 4 and record.ephemeral
    assert record.embed["title"] == "That doesn't look right"
    assert "lowercase" in record.embed["description"] and '"alice.near"' in record.embed["description"]
    assert "Traceback" not in record.text()


async def test_unknown_account_and_non_pool(fake: FakeDiscord, bot: StakingBot) -> None:
    missing = await fake.slash("status", {"account": "ghost.near"})
    assert missing.ephemeral and missing.embed["title"] == "Account not found"
    not_pool = await fake.slash("pool", {"pool": "token.sandbox.near"})
    assert not_pool.embed["title"] == "Not a staking pool"


async def test_chain_unreachable_says_so_before_the_deadline(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 503}])
    deadline = 2.0
    await start_bot(settings_=make_settings(sandbox, rpc_deadline_seconds=deadline), fast_chain=False)
    started = time.monotonic()
    record = await fake.slash("status", {"account": "alice.near"}, timeout=deadline + 5)
    elapsed = time.monotonic() - started
    assert record.ack_seconds is not None and record.ack_seconds < 1.0
    assert elapsed < deadline + 1.5
    assert record.ephemeral
    assert record.embed["title"] == "Cannot reach the NEAR network right now"
    assert "try again in a minute" in record.embed["description"]


async def test_slow_rpc_is_deferred_in_time(fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox) -> None:
    # Every RPC answer takes 0.6 s and /epoch reads twice in a row: reading before deferring would ack late.
    sandbox.set_faults(0, [{"kind": "latency", "ms": 600}])
    record = await fake.slash("epoch")
    assert record.ack_seconds is not None and record.ack_seconds < 0.5
    assert time.monotonic() - record.sent_at > 1.0  # two reads in a row
    assert record.embed["title"] == f"Epoch {E}"


async def test_an_expired_interaction_token_is_logged_not_crashed(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    # The answer arrives after the followup token died (Discord: 15 min; here 0.3 s with a slow RPC).
    fake.token_lifetime = 0.3
    sandbox.set_faults(0, [{"kind": "latency", "ms": 400}])
    with caplog.at_level(logging.WARNING):
        record = await fake.send_interaction("epoch", None, where="guild", user_id=USER_ID)
        await asyncio.sleep(2.5)
    assert record.deferred and not record.messages
    assert any("expired before it could be answered" in r.getMessage() for r in caplog.records)
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    assert fake.violations == ["/epoch: webhook after the 15 min token lifetime"]
    fake.violations.clear()  # the bot tried once, as expected; nothing else broke
    fake.token_lifetime = 15 * 60
    sandbox.clear_faults()
    assert (await fake.slash("epoch")).embed["title"] == f"Epoch {E}"  # and it keeps answering


async def test_rate_limited_followup_is_retried_by_discord_py(fake: FakeDiscord, bot: StakingBot) -> None:
    fake.fail_next_followups(2, retry_after=0.1)
    record = await fake.slash("status", {"account": "carol.near"})
    assert fake.rate_limited == 2
    assert record.embed["title"] == "carol.near"


async def test_cooldown_answers_kindly(fake: FakeDiscord, bot: StakingBot) -> None:
    for _ in range(5):
        assert (await fake.slash("epoch")).embed["title"] == f"Epoch {E}"
    limited = await fake.slash("epoch")
    assert limited.response_type == 4 and limited.ephemeral
    assert limited.embed["title"] == "Slow down a little"
    other_user = await fake.slash("epoch", user_id=USER_ID + 1)
    assert other_user.embed["title"] == f"Epoch {E}"


async def test_unexpected_error_gets_an_incident_id_and_a_logged_traceback(
    fake: FakeDiscord, bot: StakingBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(respond, "run_command", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord.tree"):
        record = await fake.slash("status", {"account": "alice.near"})
    assert record.ephemeral
    match = re.search(r"Incident id: `([0-9a-f]{8})`", record.embed["description"])
    assert match and "boom" not in record.text()
    assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


async def test_logs_never_show_tokens(
    fake: FakeDiscord, bot: StakingBot, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    with caplog.at_level(logging.DEBUG):
        record = await fake.slash("status", {"account": "carol.near"})
        logging.getLogger("test").info("token=%s", TOKEN)
    assert record.embed["title"] == "carol.near"
    assert record.token not in caplog.text
    assert TOKEN not in caplog.text
    assert "[redacted]" in caplog.text  # discord.py logged the webhook URL, without its token


# -- DMs ---------------------------------------------------------------------------------------------------------


async def test_send_dm_and_users_who_refuse_them(fake: FakeDiscord, bot: StakingBot) -> None:
    assert await send_dm(bot, USER_ID, content="Your unstaked NEAR is withdrawable.")
    channel = fake.dm_channels[USER_ID]
    assert fake.channel_messages[channel][0].content == "Your unstaked NEAR is withdrawable."
    fake.refuse_dms(OWNER_ID)
    assert await send_dm(bot, OWNER_ID, content="hello") is False


# -- the fake itself ---------------------------------------------------------------------------------------------


async def test_the_fake_enforces_discords_rules(fake: FakeDiscord, bot: StakingBot) -> None:
    import aiohttp

    from .fake_discord import InteractionRecord

    def record(age: float = 0.0) -> InteractionRecord:
        rec = InteractionRecord(id=len(fake.interactions) + 1, token="t" * 70, type=2, name="x", where="guild",
                                user_id=USER_ID, channel_id=1, payload={})
        rec.token = f"tok{rec.id}" + "t" * 60
        rec.sent_at = time.monotonic() - age
        fake.interactions[rec.id] = rec
        return rec

    async with aiohttp.ClientSession() as http:

        async def post(path: str, body: Any) -> tuple[int, dict[str, Any], Any]:
            async with http.post(fake.api_base + path, json=body) as response:
                return response.status, dict(response.headers), await response.json(content_type=None)

        late = record(age=3.5)
        status, headers, body = await post(f"/interactions/{late.id}/{late.token}/callback", {"type": 5})
        assert (status, body["code"]) == (404, 10062)
        assert headers["Content-Type"] == "application/json"

        twice = record()
        assert (await post(f"/interactions/{twice.id}/{twice.token}/callback?with_response=1", {"type": 5}))[0] == 200
        status, _, body = await post(f"/interactions/{twice.id}/{twice.token}/callback", {"type": 5})
        assert (status, body["code"]) == (400, 40060)

        bad_defer = record()
        status, _, body = await post(f"/interactions/{bad_defer.id}/{bad_defer.token}/callback",
                                     {"type": 5, "data": {"flags": 4}})
        assert (status, body["code"]) == (400, 50035)

        early = record()
        status, _, body = await post(f"/webhooks/{bot.application_id}/{early.token}?wait=1", {"content": "hi"})
        assert (status, body["code"]) == (404, 10015)

        fake.fail_next_followups(1, retry_after=0.5, is_global=False)
        status, headers, body = await post(f"/webhooks/{bot.application_id}/{twice.token}?wait=1", {"content": "hi"})
        assert status == 429 and headers["Via"] and body["retry_after"] == 0.5 and body["global"] is False
        too_big = {"embeds": [{"title": "x", "fields": [{"name": "n", "value": "v"}] * 26}]}
        status, _, body = await post(f"/webhooks/{bot.application_id}/{twice.token}?wait=1", too_big)
        assert (status, body["code"]) == (400, 50035)
    assert len(fake.violations) == 5
    fake.violations.clear()


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "fields: at most 25"),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "1-1024"),
        ({"embeds": [{"title": "t" * 257}]}, "title"),
        ({"embeds": [{"description": "d" * 4096}, {"description": "d" * 2000}]}, "more than 6000"),
        ({"content": "x", "components": [{"type": 1, "components": [
            {"type": 2, "style": 5, "label": "x", "url": "https://a.io/" + "a" * 500}]}]}, "512"),
        ({"content": "x", "components": [{"type": 1, "components": [
            {"type": 2, "style": 5, "label": "x", "url": "https://a.io"}] * 6}]}, "1-5 components"),
        ({}, "empty message"),
    ],
)
def test_fake_message_validation(message: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in validate_message(message)), validate_message(message)


def test_fake_accepts_a_normal_answer() -> None:
    message = {"embeds": [{"title": "t", "description": "d", "fields": [{"name": "n", "value": "v"}]}],
               "components": [{"type": 1, "components": [{"type": 2, "style": 5, "label": "x",
                                                          "url": "https://nearblocks.io/address/a.near"}]}],
               "flags": 64}
    assert validate_message(message) == []
