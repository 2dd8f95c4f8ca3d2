"""/explain topics: data files that load, fit Discord, quote live numbers, end with the user's own command, and never
repeat what seed-errata.md says the seed documents got wrong."""

from __future__ import annotations

import re

import pytest

from bot.commands import COMMANDS
from bot.explain import (
    LIVE_NUMBERS,
    PLACEHOLDER,
    TOPICS_DIR,
    LiveNumbers,
    TopicError,
    find_topic,
    load_topics,
    parse_topic,
)
from bot.render.embeds import render_embed
from bot.render.text import render_text
from bot.services.explain import explain_result
from bot.services.results import EpochResult
from tests.discord.fake_discord import validate_message

TOPICS = load_topics()
# A live reading: 43,200-block epochs at 0.6 s, 20,000 blocks left in epoch 3300.
EPOCH = EpochResult(
    epoch_height=3300, epoch_start_height=1_000_000, epoch_length=43_200, head_height=1_023_200,
    blocks_into_epoch=23_200, blocks_left=20_000, progress=0.537, avg_block_seconds=0.6, head_unix=1_768_478_400,
    estimated_end_unix=1_768_490_400, sample_blocks=23_200,
)
# A slower chain: the same topics must then quote other numbers (nothing is hard-coded).
SLOW = EPOCH.model_copy(update={"avg_block_seconds": 1.25})

# What the seed documents got wrong (seed-errata.md): none of it may appear in what users read.
FORBIDDEN_TEXT = [
    "36 to 72 hours", "36-72", "24-28 hours", "24-28", "24–28", "--depositYocto", "unstake_available_epoch",
    "blockchain_info", "wallet.near.org", "wallet.mainnet.near.org", "near view blockchain_info",
    "released back to your available balance", "released back", "all the pools that end with .poolv1.near",
    "NEAR Wallet", "NEAR official wallet", "rpc.mainnet.near.org", "epoch_id", "WalletConnection",
    "--useLedgerKey=", "network is processing", "specifics of the pool", "longer unbonding period",
    "1-second blocks", "per block basis", "start_date", "cliff_date", "end_date", "Dokia",
]
FORBIDDEN_PATTERNS = [
    (re.compile(r"\d+(?:[.,]\d+)?\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|h)\b", re.I), "a fixed hour range"),
    (re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|h|days?)\b", re.I), "a fixed duration (use live numbers)"),
    (re.compile(r"\d+\.\d+\s*yocto", re.I), "a fractional yocto amount"),
    (re.compile(r'"amount"\s*:\s*"\d+\.\d+'), "a decimal amount in call arguments"),
    (re.compile(r"~\s*\d+\s*(?:hours?|h)\b", re.I), "a nominal hour figure"),
]
THREE_FIVE = re.compile(r"3\.5 NEAR")


def live() -> LiveNumbers:
    return LiveNumbers(EPOCH.epoch_height, EPOCH.epoch_length, EPOCH.avg_block_seconds, EPOCH.blocks_left)


def user_visible(slug: str) -> list[str]:
    topic = TOPICS[slug]
    return [
        topic.title, topic.summary,
        explain_result(topic, EPOCH).text, explain_result(topic, SLOW).text, explain_result(topic, None).text,
    ]


def test_the_issues_topics_are_all_there() -> None:
    assert set(TOPICS) == {
        "unbonding", "stuck", "withdraw", "lockups", "lockup-staking", "liquid-staking", "rewards", "validators",
        "about-the-bot",
    }
    assert len(list(TOPICS_DIR.glob("*.md"))) == len(TOPICS)


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_every_topic_fits_one_embed_and_ends_with_the_users_own_command(slug: str) -> None:
    topic = TOPICS[slug]
    assert topic.sources, "name the sources a reviewer checks"
    name = topic.command.removeprefix("/").split()[0]
    assert name in COMMANDS, f"{topic.command} is not a command the bot has"
    for epoch in (EPOCH, SLOW, None):
        result = explain_result(topic, epoch)
        data = render_embed(result).embed.to_dict()
        assert validate_message({"embeds": [data]}) == []
        assert "…" not in data["description"], "clipped: the topic is too long for one embed"
        assert data["description"].rstrip().endswith(f"`{topic.command}`")
        text = render_text(result)
        assert text.rstrip().endswith(f"{topic.console_command}  (in Discord: {topic.command})")


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_no_topic_repeats_a_seed_error(slug: str) -> None:
    raw = (next(TOPICS_DIR.glob(f"*{slug}.md"))).read_text(encoding="utf-8")
    body = raw.split("\n---\n", 1)[1]
    for text in [*user_visible(slug), body]:
        for wrong in FORBIDDEN_TEXT:
            assert wrong.lower() not in text.lower(), f"{slug} says {wrong!r}"
        for match in THREE_FIVE.finditer(text):
            nearby = text[max(0, match.start() - 120) : match.end() + 120]
            assert "35 NEAR" in nearby and "v3.1.0" in nearby, f"{slug}: 3.5 NEAR without the version caveat"
    # Durations come from the chain: the source text states none itself.
    for pattern, what in FORBIDDEN_PATTERNS:
        assert not pattern.search(body), f"{slug}: {what}: {pattern.search(body).group(0)!r}"  # type: ignore[union-attr]


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_live_numbers_are_substituted_and_none_are_left_open(slug: str) -> None:
    topic = TOPICS[slug]
    for epoch in (EPOCH, SLOW, None):
        text = explain_result(topic, epoch).text
        assert "{{" not in text and "}}" not in text and not PLACEHOLDER.search(text)
        assert text.strip()
    if topic.uses:
        assert explain_result(topic, EPOCH).text != explain_result(topic, SLOW).text, "live numbers must show"
        assert explain_result(topic, EPOCH).live is not None
        assert explain_result(topic, None).notes, "say that the live numbers are missing"


def test_unbonding_quotes_the_live_epoch_not_a_fixed_range() -> None:
    text = explain_result(TOPICS["unbonding"], EPOCH).text
    assert "43,200 blocks" in text and "0.60 s" in text and "**7.2 h**" in text
    assert "between **21.6 h and 28.8 h**" in text  # 3 and 4 epochs at 0.6 s
    assert "epoch **3304**" in text and "about **24.9 h** from now" in text  # 20,000 + 3 × 43,200 blocks
    slow = explain_result(TOPICS["unbonding"], SLOW).text
    assert "**15.0 h**" in slow and "between **45.0 h and 60.0 h**" in slow
    assert "8 epochs about 57.6 h" in explain_result(TOPICS["liquid-staking"], EPOCH).text


def test_every_live_number_is_documented_and_used() -> None:
    used = {name for topic in TOPICS.values() for name in topic.uses}
    assert used <= set(LIVE_NUMBERS)
    numbers = live()
    for what, compute in LIVE_NUMBERS.values():
        assert what and compute(numbers)


def test_find_topic_by_slug_alias_title_and_words() -> None:
    assert find_topic("stuck").slug == "stuck"  # type: ignore[union-attr]
    assert find_topic("Why tokens look stuck").slug == "stuck"  # type: ignore[union-attr]
    assert find_topic("stnear").slug == "liquid-staking"  # type: ignore[union-attr]
    assert find_topic("check_transfers_vote").slug == "lockups"  # type: ignore[union-attr]
    assert find_topic("lockup_staking").slug == "lockup-staking"  # type: ignore[union-attr]
    assert find_topic("") is None and find_topic("quantum entanglement") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter", "front-matter"),
        ("---\ntitle: x\n", "not closed"),
        ("---\ntitle: t\nsummary: s\ncommand: /status <account>\nsources:\n  - a\ncolour: red\n---\nbody", "colour"),
        ("---\ntitle: t\nsummary: s\ncommand: /status <account>\nsources:\n  - a\n---\n{{epoch_hours}} h", "uses"),
        ("---\ntitle: t\nsummary: s\nuses: moon_phase\ncommand: /status <a>\nsources:\n  - a\n---\nb", "unknown"),
        ("---\ntitle: t\nsummary: s\ncommand: status <account>\nsources:\n  - a\n---\nbody", "slash"),
        ("---\ntitle: t\nsummary: s\ncommand: /status <account>\nsources:\n---\nbody", "source"),
        ("---\ntitle: t\ncommand: /status <account>\nsources:\n  - a\n---\nbody", "missing"),
    ],
)
def test_a_malformed_topic_file_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(TopicError, match=problem):
        parse_topic("broken", text)


def test_comments_and_sources_never_reach_the_reader() -> None:
    topic = parse_topic(
        "t", "---\ntitle: T\nsummary: s\ncommand: /status <account>\nsources:\n  - secret-source.md\n---\n"
        "Shown.<!-- reviewer note -->\n",
    )
    text = explain_result(topic, None).text
    assert text == "Shown." and "reviewer" not in text and "secret-source" not in render_text(explain_result(topic, None))
