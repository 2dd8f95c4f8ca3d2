"""Exactly once through the real Discord path (the bot's deliverer, discord.py, the fake Discord) when the timing
goes wrong: a send that times out after Discord posted it (inside and after the nonce window), a send refused
before posting and retried after the window, a 5xx, and a permanent 400."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.alerts.delivery import DeliveryPolicy
from bot.discord_app import StakingBot
from bot.storage import Storage

from .conftest import StartBot, eventually
from .fake_discord import USER_ID, FakeDiscord, Message

PAYLOAD = {"kind": "unbonding_ready", "title": "Your unstaked NEAR is withdrawable", "text": "Withdraw it now."}


def dms(fake: FakeDiscord) -> list[Message]:
    return list(fake.channel_messages.get(fake.dm_channels.get(USER_ID, -1), []))


async def started(start_bot: StartBot, **policy: Any) -> tuple[StakingBot, Storage]:
    bot = await start_bot()
    assert bot.alerts is not None and bot.storage is not None
    bot.alerts.deliverer.policy = DeliveryPolicy(backoff_first=0.2, **policy)
    await eventually(lambda: bot.alerts is not None and bot.alerts.leading, what="the scheduler lock")
    return bot, bot.storage


def history_reads(fake: FakeDiscord) -> int:
    return sum(1 for method, path in fake.requests if method == "GET" and path.endswith("/messages"))


async def test_a_send_that_times_out_after_discord_posted_it_is_shown_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot, storage = await started(start_bot, send_timeout=1.0)
    fake.delay_channel_messages(30)  # Discord posts the message but answers too late
    await storage.enqueue("k1", f"dm:{USER_ID}", PAYLOAD)  # wakes the deliverer
    await eventually(lambda: dms(fake), what="the message")
    await eventually(lambda: _attempts(storage, "k1"), what="the send to time out")
    fake.delay_channel_messages(0)
    await eventually(lambda: _state_is(storage, "k1", "sent"), what="the row to be marked sent")
    assert len(dms(fake)) == 1  # the retry used the same nonce, inside Discord's window
    assert (await storage.pending_outbox()) == []
    assert history_reads(fake) == 0


async def test_after_the_nonce_window_the_channel_is_read_before_sending_again(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    fake.nonce_window = 0.5  # Discord has forgotten the nonce by the time of the retry
    bot, storage = await started(start_bot, send_timeout=0.5, nonce_window_ms=300)
    fake.delay_channel_messages(30)
    await storage.enqueue("k2", f"dm:{USER_ID}", PAYLOAD)
    await eventually(lambda: dms(fake), what="the message")
    await asyncio.sleep(0.6)  # the send timed out; the nonce window passes
    fake.delay_channel_messages(0)
    await eventually(lambda: _state_is(storage, "k2", "sent"), what="the row to be marked sent")
    assert len(dms(fake)) == 1, [m.text() for m in dms(fake)]  # found by its marker, not posted again
    assert history_reads(fake) >= 1
    row = await storage.fetch("SELECT message_id FROM outbox WHERE dedupe_key = 'k2'")  # type: ignore[attr-defined]
    assert row[0][0] == dms(fake)[0].id


async def test_a_send_refused_before_posting_is_sent_after_the_window_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    fake.nonce_window = 0.3
    bot, storage = await started(start_bot, nonce_window_ms=100)
    fake.fail_channel_messages(503, 0, "Service Unavailable", count=2)  # 5xx: maybe posted, here not
    await storage.enqueue("k3", f"dm:{USER_ID}", PAYLOAD)
    await eventually(lambda: _state_is(storage, "k3", "sent"), what="the row to be marked sent")
    assert len(dms(fake)) == 1
    assert history_reads(fake) >= 1  # it looked first, found nothing, then sent
    assert await _attempts(storage, "k3") == 3


async def test_a_5xx_after_posting_is_retried_with_the_same_nonce_and_shown_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot, storage = await started(start_bot)
    fake.fail_channel_messages(503, 0, "Service Unavailable", after_posting=True)
    await storage.enqueue("k4", f"dm:{USER_ID}", PAYLOAD)
    await eventually(lambda: _state_is(storage, "k4", "sent"), what="the row to be marked sent")
    assert len(dms(fake)) == 1


async def test_a_permanent_400_is_not_retried_and_the_owner_is_told_once(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot, storage = await started(start_bot)
    sub = await storage.add_subscription("unbonding", USER_ID, account_id="carol.near", pool_id="p.near", due_epoch=1)
    fake.fail_channel_messages(400, 50035, "Invalid Form Body")
    await storage.enqueue("k5", f"dm:{USER_ID}", PAYLOAD, subscription_id=sub.id, finish_subscription=True)
    await eventually(lambda: _state_is(storage, "k5", "failed"), what="the row to be given up")
    await asyncio.sleep(0.5)
    posts = [p for m, p in fake.requests if m == "POST" and p.endswith("/messages")]
    assert len(posts) == 1 and dms(fake) == []  # tried once, never again
    answer = await fake.slash("epoch")  # any command: the answer, then the notice
    [notice] = await eventually(lambda: answer.followups, what="the notice")
    assert notice.ephemeral and notice.embeds[0]["title"] == "While you were away"
    assert "could not deliver" in notice.text() and "Invalid Form Body" in notice.text()
    again = await fake.slash("epoch")
    await asyncio.sleep(0.5)
    assert again.followups == []  # told once


async def _attempts(storage: Storage, key: str) -> int:
    rows = await storage.fetch("SELECT attempts FROM outbox WHERE dedupe_key = ?", key)  # type: ignore[attr-defined]
    return int(rows[0][0])


async def _state_is(storage: Storage, key: str, state: str) -> bool:
    return await storage.outbox_state(key) == state
