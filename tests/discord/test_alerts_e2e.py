"""Linked accounts, alerts and epoch announcements through the real bot, the fake Discord and the sandbox chain:
what users see, exactly once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.alerts.discord_notifier import DiscordNotifier
from bot.alerts.notify import DeliveryRefused
from bot.discord_app import StakingBot
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO

from .conftest import StartBot
from .fake_discord import CHANNEL_ID, OWNER_ID, USER_ID, FakeDiscord, Message

E = SCENARIO.epoch_height
CHARLIE = SCENARIO.pool_id("charlie")
ALPHA = SCENARIO.pool_id("alpha")


def dms(fake: FakeDiscord, user_id: int = USER_ID) -> list[Message]:
    channel = fake.dm_channels.get(user_id)
    return list(fake.channel_messages.get(channel, [])) if channel else []


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


def just_past_next_epoch(sandbox: ThreadedSandbox) -> None:
    chain = sandbox.chain
    sandbox.advance(blocks=chain.epoch_start_height + chain.epoch_length + 50 - chain.head_height)


# -- linked accounts ---------------------------------------------------------------------------------------------


async def test_link_list_default_unlink_and_the_default_in_commands(fake: FakeDiscord, bot: StakingBot) -> None:
    nobody = await fake.slash("status")
    assert nobody.ephemeral and nobody.embed["title"] == "Which account?"
    assert "/account link" in nobody.embed["description"]

    linked = await fake.slash("account link", {"account": "carol.near", "label": "savings"})
    assert linked.ephemeral and linked.embed["title"] == "Account linked"
    assert "It is your default account" in linked.text()
    assert "does not prove that you own it" in linked.text()
    ghost = await fake.slash("account link", {"account": "ghost.near"})
    assert ghost.embed["title"] == "Account not found" and "did not link it" in ghost.text()
    bad = await fake.slash("account link", {"account": "Bob.near"})
    assert bad.embed["title"] == "That doesn't look right"
    await fake.slash("account link", {"account": "bob.near"})

    listed = await fake.slash("account list")
    assert listed.ephemeral
    assert listed.embed["description"].splitlines() == ["⭐ `carol.near` (savings) (default)", "• `bob.near`"]
    assert [c["value"] for c in await fake.autocomplete("status", {"account": ""})] == ["carol.near", "bob.near"]
    assert [c["value"] for c in await fake.autocomplete("unbonding", {"account": "b"})] == ["b", "bob.near"]

    status = await fake.slash("status")  # no account: the default
    assert status.ephemeral and status.embed["title"] == "carol.near"

    assert (await fake.slash("account default", {"account": "bob.near"})).embed["title"] == "Default account set"
    assert (await fake.slash("status")).embed["title"] == "bob.near"
    not_linked = await fake.slash("account default", {"account": "erin.near"})
    assert not_linked.embed["title"] == "Not linked"

    await bot.storage.add_subscription("unbonding", USER_ID, account_id="bob.near", pool_id=CHARLIE,
                                                 due_epoch=E + 1)
    unlinked = await fake.slash("account unlink", {"account": "bob.near"})
    assert "Your default account is now `carol.near`" in unlinked.text()
    assert "Your 1 alert(s) on it stay on" in unlinked.text()  # an alert follows the account, not the link
    assert "carol.near" in (await fake.slash("unbonding", {"pool": CHARLIE})).embed["title"]
    assert await bot.linked_accounts(USER_ID) == ["carol.near"]
    assert await bot.linked_accounts(USER_ID + 1) == []  # per Discord user


# -- unbonding alerts ------------------------------------------------------------------------------------------


async def test_unbonding_alert_sends_one_dm_at_the_due_epoch(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    record = await fake.slash("alert unbonding", {"account": "carol.near"})
    assert record.ephemeral and record.embed["title"] == "Alert set"
    assert f"when {CHARLIE} is withdrawable (epoch {E + 1})" in record.text()
    assert "by DM, once" in record.text()
    assert bot.storage is not None
    [sub] = await bot.storage.user_subscriptions(USER_ID)
    assert (sub.kind, sub.account_id, sub.pool_id, sub.due_epoch, sub.channel_id) == (
        "unbonding", "carol.near", CHARLIE, E + 1, None)
    again = await fake.slash("alert unbonding", {"account": "carol.near", "pool": CHARLIE})
    assert again.embed["title"] == "No new alert" and f"#{sub.id}" in again.text()

    assert bot.alerts is not None
    await bot.alerts.scheduler.run_once()
    assert dms(fake) == []  # not due yet

    sandbox.advance(epochs=1)
    bot.poke_alerts()  # the running scheduler wakes, checks the due alert and delivers it
    [dm] = await eventually(lambda: dms(fake))
    embed = dm.embeds[0]
    assert embed["title"] == "Your unstaked NEAR is withdrawable"
    assert "carol.near" in embed["description"] and CHARLIE in embed["description"]
    assert f"/withdraw account:carol.near pool:{CHARLIE}" in embed["description"]
    assert not dm.ephemeral
    # The withdrawal is ready to sign (a DM is personal): the very link /withdraw gives, then the staking page.
    sign, details, page = dm.buttons
    command = await fake.slash("withdraw", {"account": "carol.near", "pool": CHARLIE})
    assert sign["url"] == next(b["url"] for b in command.message.buttons if b["label"] == "Sign in MyNearWallet")
    assert sign["label"].startswith("Withdraw ") and "👉 Withdraw" in embed["description"]
    assert page["label"] == "Open staking page" and "withdraw_all" not in embed["description"]
    pressed = await fake.click(dm, details["label"])
    assert pressed.ephemeral and "method `withdraw_all`" in pressed.text()

    await bot.alerts.scheduler.run_once()
    sandbox.advance(epochs=1)
    await bot.alerts.scheduler.run_once()
    assert len(dms(fake)) == 1  # never repeated
    listed = await fake.slash("alert list")
    assert "No alerts" in listed.text()  # delivered alerts end


async def test_closed_dms_switch_the_alert_off_and_the_user_is_told_next_time(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    fake.refuse_dms(USER_ID)
    await fake.slash("alert unbonding", {"account": "carol.near", "pool": CHARLIE})
    sandbox.advance(epochs=1)
    assert bot.alerts is not None and bot.storage is not None
    await bot.alerts.scheduler.run_once()
    [sub] = await bot.storage.user_subscriptions(USER_ID)
    assert (sub.state, sub.disabled_reason) == ("disabled", "dm_closed")
    assert dms(fake) == []

    record = await fake.slash("epoch")  # any command: the answer, then the notice, only for this user
    await eventually(lambda: record.followups)
    [notice] = record.followups
    assert notice.ephemeral and notice.embeds[0]["title"] == "While you were away"
    assert "DMs are closed" in notice.text()
    assert record.message.embeds[0]["title"] == f"Epoch {E + 1}"

    later = await fake.slash("alert list")  # shown once
    await asyncio.sleep(0.3)
    assert later.followups == []
    assert "off: your DMs were closed to me" in later.text()


async def test_alert_in_a_channel_only_where_user_and_bot_may_post(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    read_only = fake.add_channel("announcements", members_can_post=False)
    muted = fake.add_channel("no-bot", bot_can_post=False)
    bot = await start_bot()
    refused = await fake.slash("alert unbonding", {"account": "carol.near", "channel": read_only})
    assert refused.ephemeral and refused.embed["title"] == "Not that channel"
    assert "You cannot post in" in refused.text()
    no_bot = await fake.slash("alert pool", {"pool": ALPHA, "channel": muted})
    assert "I need the Send Messages" in no_bot.text()
    await bot.sync_globally()  # outside the dev guild only global commands exist
    in_dm = await fake.slash("alert unbonding", {"account": "carol.near", "channel": CHANNEL_ID}, guild=False)
    assert "only inside a server" in in_dm.text()

    ok = await fake.slash("alert unbonding", {"account": "carol.near", "pool": CHARLIE, "channel": CHANNEL_ID})
    assert ok.embed["title"] == "Alert set" and f"<#{CHANNEL_ID}>" in ok.text()
    sandbox.advance(epochs=1)
    assert bot.alerts is not None
    await bot.alerts.scheduler.run_once()
    await bot.alerts.scheduler.run_once()
    [posted] = fake.channel_messages[CHANNEL_ID]
    assert posted.embeds[0]["title"] == "Your unstaked NEAR is withdrawable"
    # A channel is public: no button that acts on the money, only the wallet's staking page.
    assert [b["label"] for b in posted.buttons] == ["Open staking page"]
    assert dms(fake) == []


async def test_pool_alert_list_and_remove_with_autocomplete(fake: FakeDiscord, bot: StakingBot) -> None:
    created = await fake.slash("alert pool", {"pool": ALPHA})
    assert created.embed["title"] == "Alert set" and "changes its fee" in created.text()
    duplicate = await fake.slash("alert pool", {"pool": ALPHA})
    assert duplicate.embed["title"] == "No new alert"
    not_pool = await fake.slash("alert pool", {"pool": "token.sandbox.near"})
    assert not_pool.embed["title"] == "Not a staking pool"

    listed = await fake.slash("alert list")
    assert f"pool `{ALPHA}` changes, by DM" in listed.text()
    [choice] = await fake.autocomplete("alert remove", {"id": ""})
    assert choice["name"].endswith(f"pool: {ALPHA}")
    assert await fake.autocomplete("alert remove", {"id": "999"}) == []
    other = await fake.slash("alert remove", {"id": choice["value"]}, user_id=USER_ID + 1)
    assert other.embed["title"] == "No such alert"  # only your own
    removed = await fake.slash("alert remove", {"id": choice["value"]})
    assert removed.embed["title"] == "Alert removed"
    assert "No alerts" in (await fake.slash("alert list")).text()


# -- epoch announcements -----------------------------------------------------------------------------------------


async def test_admin_sets_the_epoch_channel_and_one_message_is_posted_per_epoch(
    fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox
) -> None:
    muted = fake.add_channel("no-bot", bot_can_post=False)
    bot = await start_bot()
    member = await fake.slash("announce channel", {"channel": CHANNEL_ID})
    assert member.ephemeral and "manage server permission" in member.text().lower()
    cannot = await fake.slash("announce channel", {"channel": muted}, user_id=OWNER_ID)
    assert "I need the Send Messages" in cannot.text()
    done = await fake.slash("announce channel", {"channel": CHANNEL_ID}, user_id=OWNER_ID)
    assert done.ephemeral and done.embed["title"] == "Epoch announcements on"
    assert bot.alerts is not None and bot.storage is not None
    await bot.alerts.scheduler.run_once()
    assert CHANNEL_ID not in fake.channel_messages  # mid-epoch: not news

    just_past_next_epoch(sandbox)
    await bot.alerts.scheduler.run_once()
    await bot.alerts.scheduler.run_once()
    [announcement] = fake.channel_messages[CHANNEL_ID]
    assert announcement.embeds[0]["title"] == f"New epoch {E + 1}"
    assert "lasted about" in announcement.text()

    off = await fake.slash("announce off", user_id=OWNER_ID)
    assert off.embed["title"] == "Epoch announcements off"
    just_past_next_epoch(sandbox)
    await bot.alerts.scheduler.run_once()
    assert len(fake.channel_messages[CHANNEL_ID]) == 1


# -- the notifier ------------------------------------------------------------------------------------------------


async def test_notifier_sends_with_a_nonce_and_maps_refusals(fake: FakeDiscord, start_bot: StartBot) -> None:
    muted = fake.add_channel("no-bot", bot_can_post=False)
    bot = await start_bot()
    notifier = DiscordNotifier(bot)
    payload = {"kind": "unbonding_ready", "title": "Ready", "text": "Withdraw now.",
               "link": "https://app.mynearwallet.com/staking/alpha.poolv1.near"}
    first = await notifier.send(f"dm:{USER_ID}", payload, "a" * 25, "ref aaaa")
    again = await notifier.send(f"dm:{USER_ID}", payload, "a" * 25, "ref aaaa")  # a resend: Discord drops it
    [dm] = dms(fake)
    assert first == again == dm.id
    assert dm.embeds[0]["title"] == "Ready" and dm.urls == ["https://app.mynearwallet.com/staking/alpha.poolv1.near"]
    assert dm.embeds[0]["footer"]["text"].endswith("· ref aaaa")  # the marker a later check looks for
    await notifier.send(f"dm:{USER_ID}", payload, "b" * 25, "ref bbbb")
    assert len(dms(fake)) == 2  # another nonce is another message

    fake.refuse_dms(OWNER_ID)
    with pytest.raises(DeliveryRefused) as closed:
        await notifier.send(f"dm:{OWNER_ID}", payload, "c" * 25, "ref cccc")
    assert closed.value.dm_closed and not closed.value.channel_unusable
    for channel in (muted, 1234567890123):  # no permission / unknown channel
        with pytest.raises(DeliveryRefused) as unusable:
            await notifier.send(f"channel:{channel}", payload, "d" * 25, "ref dddd")
        assert unusable.value.channel_unusable
