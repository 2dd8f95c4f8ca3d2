"""Support-channel helpers through the real bot and the fake Discord: /explain, /diagnose, "Diagnose this", and the
key and seed-phrase guard. Secrets are GENERATED here (random 64-byte keys, fresh BIP-39 mnemonics), never real."""

from __future__ import annotations

import asyncio
import logging
import os

import base58
import pytest
from mnemonic import Mnemonic

from bot.discord.redact import install_redaction
from bot.discord_app import StakingBot
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO

from .conftest import TOKEN, StartBot, make_settings
from .fake_discord import (
    BOT_USER_ID,
    CHANNEL_ID,
    MANAGE_MESSAGES,
    MESSAGE_CONTENT,
    OWNER_ID,
    USER_ID,
    FakeDiscord,
    user_object,
)

E = SCENARIO.epoch_height


def mnemonic(words: int = 24) -> str:
    return Mnemonic("english").generate({12: 128, 24: 256}[words])


def secret_key() -> str:
    return "ed25519:" + base58.b58encode(os.urandom(64)).decode()


def fragments(secret: str) -> list[str]:
    """Pieces that would show a leak: any 3 consecutive words of a phrase, any 10 characters of a key."""
    words = secret.split()
    if len(words) >= 12:
        return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    body = secret.removeprefix("ed25519:")
    return [body[i : i + 10] for i in range(0, len(body) - 10)]


def everything_recorded(fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [caplog.text, *(r.getMessage() for r in caplog.records)]
    texts += [body.decode("utf-8", "replace") for _, _, body in fake.request_bodies]
    texts += [m.text() for messages in fake.channel_messages.values() for m in messages]
    texts += [record.text() for record in fake.interactions.values()]
    return texts


def assert_no_leak(secret: str, fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    pieces = fragments(secret)
    for text in everything_recorded(fake, caplog):
        for piece in pieces:
            assert piece not in text, f"a piece of the secret leaked: {text[:200]!r}"


async def guarded(fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, *, content: bool = True,
                  manage: bool = True) -> StakingBot:
    """A bot whose server guards CHANNEL_ID; with the Message Content intent and Manage Messages by default."""
    if content:
        fake.allowed_privileged_intents = MESSAGE_CONTENT  # the toggle in the Developer Portal
    if manage:
        fake.bot_role_permissions = MANAGE_MESSAGES
    bot = await start_bot(settings_=make_settings(sandbox, guard_message_content=content))
    record = await fake.slash("guard on", {"channel": CHANNEL_ID}, user_id=OWNER_ID)
    assert record.ephemeral and record.embed["title"] == "Key and seed-phrase guard on", record.text()
    return bot


def last_user_message_id(fake: FakeDiscord) -> int:
    return max(fake.user_messages)


# -- the guard -----------------------------------------------------------------------------------------------------


async def test_a_seed_phrase_is_deleted_warned_about_and_dmed_without_the_secret(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    caplog.set_level(logging.DEBUG)  # discord.py logs every gateway event at DEBUG, the user's message included
    bot = await guarded(fake, start_bot, sandbox)
    assert bot.intents.message_content
    assert fake.identify_payloads[-1]["intents"] & MESSAGE_CONTENT

    phrase = mnemonic(24)
    [warning] = await fake.message(f"hi support, my wallet is stuck, here is my phrase: {phrase}", author_id=USER_ID)
    assert (CHANNEL_ID, last_user_message_id(fake)) in fake.deleted_messages
    assert warning.content == f"<@{USER_ID}>"
    text = warning.text()
    assert "I removed a message that contained a **seed phrase**" in text
    assert "move your funds to a new account now" in text and "I sent you the steps in a DM" in text
    assert "Nobody legitimate ever asks" in text
    [dm] = fake.channel_messages[fake.dm_channels[USER_ID]]
    assert "seed phrase" in dm.text() and "Do this now" in dm.text() and "I removed it." in dm.text()

    events = [r for r in caplog.records if r.getMessage().startswith("guard: a seed phrase posted")]
    assert len(events) == 1
    assert f"channel {CHANNEL_ID}" in events[0].getMessage() and f"user {USER_ID}" in events[0].getMessage()
    assert "[a log line holding a private key or seed phrase was withheld]" in caplog.text  # the gateway event
    assert_no_leak(phrase, fake, caplog)


async def test_a_private_key_without_manage_messages_is_reported_not_deleted(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    caplog.set_level(logging.DEBUG)
    await guarded(fake, start_bot, sandbox, manage=False)
    status = await fake.slash("guard status", user_id=OWNER_ID)
    assert "cannot delete leaked secrets without the Manage Messages" in status.text()
    key = secret_key()
    [warning] = await fake.message(f"is this my key? {key}", author_id=USER_ID)
    assert fake.deleted_messages == []
    assert "I could not remove a message that contained a **private key**" in warning.text()
    assert "Manage Messages" in warning.text()
    [dm] = fake.channel_messages[fake.dm_channels[USER_ID]]
    assert "delete it yourself now" in dm.text()
    assert_no_leak(key, fake, caplog)


async def test_closed_dms_get_the_steps_in_public(fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox) -> None:
    await guarded(fake, start_bot, sandbox)
    fake.refuse_dms(USER_ID)
    [warning] = await fake.message(mnemonic(12), author_id=USER_ID)
    assert "Your DMs are closed" in warning.text() and "create a new account" in warning.text()
    assert (CHANNEL_ID, last_user_message_id(fake)) in fake.deleted_messages


async def test_the_guard_is_off_by_default_and_leaves_ordinary_messages_alone(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    fake.allowed_privileged_intents = MESSAGE_CONTENT
    fake.bot_role_permissions = MANAGE_MESSAGES
    await start_bot(settings_=make_settings(sandbox, guard_message_content=True))
    with pytest.raises(TimeoutError):  # not guarded yet: nothing happens
        await fake.message(mnemonic(), author_id=USER_ID, timeout=0.5)
    assert fake.deleted_messages == []
    await fake.slash("guard on", {"channel": CHANNEL_ID}, user_id=OWNER_ID)
    public_key = "ed25519:" + base58.b58encode(os.urandom(32)).decode()
    for ordinary in ("my account is alice.near and my public key is " + public_key,
                     "tx " + base58.b58encode(os.urandom(32)).decode() + " failed, why?"):
        with pytest.raises(TimeoutError):
            await fake.message(ordinary, author_id=USER_ID, timeout=0.5)
    await fake.slash("guard off", user_id=OWNER_ID)
    with pytest.raises(TimeoutError):
        await fake.message(secret_key(), author_id=USER_ID, timeout=0.5)
    assert fake.deleted_messages == []


async def test_without_message_content_only_mentions_and_dms_are_seen(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await guarded(fake, start_bot, sandbox, content=False)
    assert not bot.intents.message_content
    assert fake.identify_payloads[-1]["intents"] & MESSAGE_CONTENT == 0
    status = await fake.slash("guard status", user_id=OWNER_ID)
    assert "Message Content is off" in status.text() and "GUARD_MESSAGE_CONTENT=true" in status.text()
    with pytest.raises(TimeoutError):  # Discord sends the bot no text for this message
        await fake.message(mnemonic(), author_id=USER_ID, timeout=0.5)
    phrase = mnemonic()
    [warning] = await fake.message(f"<@{BOT_USER_ID}> help, {phrase}", author_id=USER_ID)
    assert "seed phrase" in warning.text()
    assert_no_leak(phrase, fake, caplog)


async def test_dms_to_the_bot_are_always_checked(
    fake: FakeDiscord, bot: StakingBot, caplog: pytest.LogCaptureFixture
) -> None:
    key = secret_key()
    [reply] = await fake.dm_message(f"support asked me for this: {key}", author_id=USER_ID)
    assert reply.embeds[0]["title"] == "Keep that private key secret"
    assert "did not store it" in reply.text() and "new** account" in reply.text()
    assert any(r.getMessage() == f"guard: a private key in a DM from user {USER_ID}" for r in caplog.records)
    with pytest.raises(TimeoutError):
        await fake.dm_message("hello, is alice.near unbonding?", author_id=USER_ID, timeout=0.5)
    assert_no_leak(key, fake, caplog)


async def test_only_server_admins_turn_the_guard_on(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("guard on", {"channel": CHANNEL_ID}, user_id=USER_ID)
    assert record.ephemeral and "manage server permission" in record.text().lower()
    assert bot.storage is not None
    assert not (await bot.storage.guild_settings(bot.settings.dev_guild_id or 0)).guard_enabled


# -- explain and diagnose --------------------------------------------------------------------------------------------


async def test_explain_is_public_with_live_numbers_and_autocomplete(fake: FakeDiscord, bot: StakingBot) -> None:
    choices = await fake.autocomplete("explain", {"topic": "stuck"})
    assert [c["value"] for c in choices][:1] == ["stuck"] and all(len(c["name"]) <= 100 for c in choices)
    assert len(await fake.autocomplete("explain", {"topic": ""})) == 9
    record = await fake.slash("explain", {"topic": "unbonding"})
    assert record.deferred and not record.ephemeral
    embed = record.embed
    assert embed["title"] == "Unbonding and epochs"
    assert f"epoch **{E + 4}**" in embed["description"] and "43,200 blocks" in embed["description"]
    assert embed["description"].endswith("➡️ **Your own case:** `/unbonding <account>`")
    missing = await fake.slash("explain", {"topic": "[Claim your NEAR](https://evil.example/x) moon"})
    assert "There is no such topic" in missing.text() and "Topics: unbonding, stuck" in missing.text()
    assert "moon" not in missing.text() and "evil" not in missing.text()  # never quoted back in public


async def test_diagnose_is_personal(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("diagnose", {"account": "bob.near"})
    assert record.ephemeral
    embed = record.embed
    assert embed["title"] == "Diagnosis: bob.near" and embed["description"].startswith("👉 **1 thing to do**")
    first = embed["fields"][0]
    assert first["name"].startswith("👉 500 NEAR ready to withdraw from alpha.poolv1.near")
    assert "👉 Withdraw 500 NEAR from alpha.poolv1.near to bob.near — it is ready." in first["value"]


async def test_diagnose_this_finds_accounts_in_a_support_message(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    asker = user_object(USER_ID + 7)
    target = fake.user_message("my unstake from Bob.near and carol.near never arrived?? (alpha.poolv1.near)", asker)
    record = await fake.context_menu("Diagnose this", target, user_id=USER_ID)
    assert record.ephemeral
    for _ in range(200):  # the second account comes as a followup
        if len(record.messages) == 2:
            break
        await asyncio.sleep(0.05)
    titles = [m.embeds[0]["title"] for m in record.messages]
    assert titles == ["Diagnosis: bob.near", "Diagnosis: carol.near"]
    assert all(m.ephemeral or m is record.original for m in record.messages)

    # A pool named in the message is checked even though the index lost that delegation.
    sandbox.run_on_loop(lambda: sandbox.chain.index_omissions.add(("paused-ops.near", "paused.poolv1.near")))
    hidden = await fake.context_menu(
        "Diagnose this", fake.user_message("paused-ops.near: where is my stake in paused.poolv1.near?", asker))
    assert any(f["name"].endswith("paused.poolv1.near has paused staking") for f in hidden.embed["fields"])

    nothing = await fake.context_menu("Diagnose this", fake.user_message("thanks, all good now!", asker))
    assert nothing.embed["title"] == "No account found" and nothing.ephemeral

    phrase = mnemonic(12)
    secret = await fake.context_menu("Diagnose this", fake.user_message(f"alice.near {phrase}", asker))
    assert secret.embed["title"] == "Keep that secret" and "seed phrase" in secret.text()
    assert all(piece not in secret.text() for piece in fragments(phrase))
