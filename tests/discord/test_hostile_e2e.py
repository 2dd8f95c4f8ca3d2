"""Hostile input through every command, end to end: the unmodified discord.py client, the loopback fake Discord and
the sandbox chain (with phish.pool.near, whose owner text is a markdown link, and mallory.near, whose staking index
lists a 200-character id and markdown).

Every string option of every synced command gets markdown links, mentions, backticks, right-to-left and zero-width
characters and 10,000 characters (cut to the option's length, as Discord's picker would); every autocomplete gets the
same typed text. Every message the bot sends must keep Discord's limits, contain no link the bot did not build and
no mention, ping nobody, and say so to Discord (`allowed_mentions` with nothing to parse).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from bot.discord_app import StakingBot
from bot.sandbox.hostile import HOSTILE, LONG_POOL_ID
from tests.hostile import hidden_characters, message_problems

from .fake_discord import CHANNEL_ID, GUILD_ID, OWNER_ID, USER_ID, FakeDiscord, InteractionRecord, Message

HOSTILE_INPUTS = (
    "[Claim your NEAR](https://evil.example/claim)",
    "@everyone <@&123456789012345678> <@123456789012345678> <#123456789012345678> @here",
    "`x` ``` **b** ||s|| \u202eraen.evil\u202c \u200b https://evil.example/x discord.gg/evil",
    "y" * 10_000,
)
BENIGN = {"account": "alice.near", "pool": "alpha.poolv1.near", "amount": "1", "to": "bob.near", "topic": "unbonding",
          "at": "2027-01-01", "label": "main"}
ADMIN = {"guard", "announce"}
_users = itertools.count(USER_ID + 10_000)  # a new user per call: per-user cooldowns never trigger


def _body(message: Message) -> dict[str, Any]:
    return {"content": message.content, "embeds": message.embeds, "components": message.components}


def assert_clean(record: InteractionRecord) -> None:
    assert record.messages, record.summary()
    for message in record.messages:
        assert message_problems(_body(message)) == [], (record.name, message.text()[:500])
        assert message.pings() == set()
        assert message.allowed_mentions == {"parse": []}, record.name  # Discord is told: nobody


def _commands(fake: FakeDiscord) -> list[tuple[str, list[dict[str, Any]]]]:
    """(name, options) of every slash command and subcommand the bot synced to the guild."""
    found = []
    for command in fake.commands[GUILD_ID]:
        if command.get("type", 1) != 1:
            continue
        options = command.get("options") or []
        subcommands = [o for o in options if o["type"] == 1]
        if subcommands:
            found += [(f"{command['name']} {s['name']}", s.get("options") or []) for s in subcommands]
        else:
            found.append((command["name"], options))
    return found


def _fit(option: dict[str, Any], value: str) -> str:
    """What Discord's picker lets a user submit: at most max_length characters, at least min_length."""
    value = value[: option.get("max_length", 6000)]
    return value + "x" * max(0, option.get("min_length", 0) - len(value))


def _benign(option: dict[str, Any]) -> Any:
    kind = option["type"]
    if kind == 3:
        return BENIGN.get(option["name"], "alice.near")
    return {4: 1, 5: False, 7: CHANNEL_ID, 10: 1.0}[kind]


async def test_every_command_with_hostile_text_in_every_option(fake: FakeDiscord, bot: StakingBot) -> None:
    tried = 0
    for name, options in _commands(fake):
        base = {o["name"]: _benign(o) for o in options if o.get("required")}
        user = OWNER_ID if name.split()[0] in ADMIN else None
        for option in [o for o in options if o["type"] == 3]:
            for text in HOSTILE_INPUTS:
                values = {**base, option["name"]: _fit(option, text)}
                record = await fake.slash(name, values, user_id=user or next(_users), timeout=30)
                assert_clean(record)
                tried += 1
    assert tried >= 100


async def test_every_autocomplete_with_hostile_typing(fake: FakeDiscord, bot: StakingBot) -> None:
    for name, options in _commands(fake):
        for option in [o for o in options if o.get("autocomplete")]:
            for text in (*HOSTILE_INPUTS, "", "a"):
                base = {o["name"]: _benign(o) for o in options if o.get("required") and o is not option}
                choices = await fake.autocomplete(name, {**base, option["name"]: _fit(option, text)},
                                                  focused=option["name"], user_id=next(_users))
                for choice in choices:  # the fake also enforces Discord's 1-100 characters and 25 choices
                    assert hidden_characters(str(choice["name"])) == [] and "://" not in str(choice["name"])
                    assert hidden_characters(str(choice["value"])) == []


async def test_a_phishing_pool_owner_is_shown_as_text_and_never_linked(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("pool", {"pool": HOSTILE.phish_pool})
    assert_clean(record)
    assert not record.ephemeral  # a public answer: exactly where a scammer wants a link
    owner = next(f["value"] for f in record.embed["fields"] if f["name"] == "Owner")
    assert owner == "\\[Claim your NEAR\\](https\\[:\\]//evil.example/claim) @\u200beveryone \\<@&1234567890123>"
    assert record.message.urls == [f"https://nearblocks.io/address/{HOSTILE.phish_pool}"]  # no owner button


async def test_a_hostile_staking_index_is_ignored(fake: FakeDiscord, bot: StakingBot) -> None:
    for command in ("status", "unbonding", "diagnose"):
        record = await fake.slash(command, {"account": HOSTILE.mallory}, user_id=next(_users))
        assert_clean(record)
        text = record.text()
        assert LONG_POOL_ID not in text and "evil" not in text
    status = await fake.slash("status", {"account": HOSTILE.mallory}, user_id=next(_users))
    assert "5 entries that are not valid pool ids" in status.text()
    assert any(f["name"] == HOSTILE.phish_pool for f in status.embed["fields"])
    choices = await fake.autocomplete("unstake", {"account": HOSTILE.mallory, "pool": ""}, focused="pool")
    values = [c["value"] for c in choices]
    assert HOSTILE.phish_pool in values and all(len(v) <= 64 and "[" not in v and "@" not in v for v in values)


@pytest.mark.parametrize("text", HOSTILE_INPUTS)
async def test_diagnose_this_on_a_hostile_message(fake: FakeDiscord, bot: StakingBot, text: str) -> None:
    target = fake.user_message(f"{text} my account is bob.near", {"id": str(USER_ID), "username": "x"})
    record = await fake.context_menu("Diagnose this", target, user_id=next(_users))
    assert_clean(record)


async def test_unknown_explain_topics_are_never_quoted(fake: FakeDiscord, bot: StakingBot) -> None:
    for text in HOSTILE_INPUTS:
        record = await fake.slash("explain", {"topic": text[:100]}, user_id=next(_users))
        assert_clean(record)
        text = record.text()
        assert "evil" not in text and "yyyy" not in text
        # A long run of letters could be a damaged key: refused without an echo, like any secret.
        assert ("There is no such topic" in text and "Topics: unbonding" in text) or "Keep that secret" in text
