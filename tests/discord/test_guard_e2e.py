"""The guard's gaps, closed, through the real bot and the fake Discord: edits of messages the bot never saw, secrets
in text attachments, DMs that fail in any way, and the server's guard log. Secrets are generated here, never real."""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.discord.redact import install_redaction
from bot.discord.secret_scan import MAX_ATTACHMENT_BYTES
from bot.sandbox import ThreadedSandbox

from .conftest import TOKEN, StartBot
from .fake_discord import CHANNEL_ID, OWNER_ID, USER_ID, FakeDiscord
from .test_support_e2e import assert_no_leak, guarded, mnemonic, secret_key


def deleted(fake: FakeDiscord, message_id: int) -> bool:
    return (CHANNEL_ID, message_id) in fake.deleted_messages


async def test_an_edit_of_a_message_the_bot_never_saw_is_checked(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    bot = await guarded(fake, start_bot, sandbox)
    # Posted before the bot started (or evicted from its cache): Discord only tells the bot about the edit.
    old = fake.guild_message("my wallet shows 0, why?", author_id=USER_ID)
    message_id = int(old["id"])
    assert bot.get_partial_messageable(CHANNEL_ID).get_partial_message(message_id) and not bot.cached_messages
    phrase = mnemonic(12)
    [warning] = await fake.edit_message(message_id, f"my wallet shows 0, why? words: {phrase}")
    assert deleted(fake, message_id)
    assert "I removed a message that contained a **seed phrase**" in warning.text()
    assert_no_leak(phrase, fake, caplog)


async def test_editing_a_seen_message_into_a_secret_is_caught_once(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    await guarded(fake, start_bot, sandbox)
    with pytest.raises(TimeoutError):
        await fake.message("hello, is bob.near unbonding?", author_id=USER_ID, timeout=0.5)
    message_id = max(fake.user_messages)
    [warning] = await fake.edit_message(message_id, secret_key())
    assert deleted(fake, message_id) and "**private key**" in warning.text()


@pytest.mark.parametrize(
    ("filename", "content_type", "secret", "kind"),
    [
        ("seed.txt", "text/plain; charset=utf-8", "phrase", "seed phrase"),
        ("notes", "text/plain", "phrase", "seed phrase"),  # no extension: the content type says text
        ("wallet.json", None, "key file", "key file"),  # no content type: the extension says text
        ("mywords", None, "phrase", "seed phrase"),  # no extension, no content type: small, so read
    ],
)
async def test_a_secret_in_a_text_attachment_is_deleted_and_never_kept(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture,
    filename: str, content_type: str | None, secret: str, kind: str,
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    caplog.set_level(logging.DEBUG)
    await guarded(fake, start_bot, sandbox)
    if secret == "phrase":
        text = mnemonic(24)
        data = f"backup of my wallet\n\n{text}\n".encode()
    else:
        text = secret_key()
        data = json.dumps({"account_id": "bob.near", "public_key": "ed25519:x", "private_key": text}).encode()
    file = fake.attachment(filename, data, content_type)
    [warning] = await fake.message("here is my file, please help", author_id=USER_ID, attachments=[file])
    assert deleted(fake, max(fake.user_messages))
    assert int(file["id"]) in fake.downloads
    assert f"contained a **{kind}**" in warning.text()
    assert_no_leak(text, fake, caplog)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "cogs"))]
    assert ours and not any(filename in line for line in ours)  # the bot logs not even the file's name


async def test_harmless_big_or_binary_files_are_not_downloaded(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    await guarded(fake, start_bot, sandbox)
    ordinary = fake.attachment("log.txt", b"2026-01-15 unstake 10 NEAR from alpha.poolv1.near: ok\n")
    huge = fake.attachment("seed.txt", mnemonic(24).encode() + b" " * MAX_ATTACHMENT_BYTES)
    image = fake.attachment("screenshot.png", b"\x89PNG" + mnemonic(12).encode(), "image/png")
    with pytest.raises(TimeoutError):
        await fake.message("what does this mean?", author_id=USER_ID, attachments=[ordinary, huge, image],
                           timeout=1.0)
    assert fake.downloads == [int(ordinary["id"])] and fake.deleted_messages == []


async def test_a_forwarded_secret_is_deleted(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    await guarded(fake, start_bot, sandbox)
    phrase = mnemonic(12)
    [warning] = await fake.message("", author_id=USER_ID, forwards=f"my words: {phrase}")
    assert deleted(fake, max(fake.user_messages)) and "**seed phrase**" in warning.text()
    assert_no_leak(phrase, fake, caplog)


@pytest.mark.parametrize(("status", "code"), [(403, 50001), (403, 50278), (500, 0)])
async def test_a_failed_dm_never_stops_the_deletion_or_the_warning(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, status: int, code: int
) -> None:
    await guarded(fake, start_bot, sandbox)
    fake.fail_dms(USER_ID, status, code)
    started = time.monotonic()
    [warning] = await fake.message(f"is this right? {secret_key()}", author_id=USER_ID)
    assert deleted(fake, max(fake.user_messages))
    text = warning.text()
    assert "I removed a message that contained a **private key**" in text
    assert "I could not send you a DM just now" in text and "create a new account" in text
    assert time.monotonic() - started < 8  # a struggling Discord (500s, retried) does not hold the warning
    assert warning.pings() == {f"user:{USER_ID}"}  # the author, nobody else
    assert fake.dm_channels.get(USER_ID) is None or not fake.channel_messages.get(fake.dm_channels[USER_ID])


async def test_the_guard_log_records_the_kind_never_the_secret(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction([TOKEN], handlers=[caplog.handler])
    log_channel = fake.add_channel("mod-log", members_can_post=False)
    await guarded(fake, start_bot, sandbox)
    record = await fake.slash("guard log", {"channel": log_channel}, user_id=OWNER_ID)
    assert f"<#{log_channel}>: what was removed" in record.text()
    phrase = mnemonic(12)
    await fake.message(f"support said to paste it here: {phrase}", author_id=USER_ID)
    [entry] = await fake.wait_messages(log_channel, 1)
    assert entry.embeds[0]["title"] == "Guard: a seed phrase removed"
    assert f"Posted by <@{USER_ID}> in <#{CHANNEL_ID}>" in entry.text() and entry.pings() == set()
    assert_no_leak(phrase, fake, caplog)
    await fake.slash("guard log", user_id=OWNER_ID)  # without a channel: recording stops
    status = await fake.slash("guard status", user_id=OWNER_ID)
    assert "Not set." in status.text()
