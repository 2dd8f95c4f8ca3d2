"""`explain <topic>`: a curated explanation (bot/explain/topics) with live epoch numbers filled in."""

from __future__ import annotations

from bot.explain import LiveNumbers, Topic, find_topic, load_topics
from bot.near import errors
from bot.services.chain import Chain
from bot.services.epoch import get_epoch
from bot.services.results import EpochResult, ExplainLive, ExplainResult

USAGE = "explain <topic>"
NO_LIVE_NOTE = "Live chain numbers could not be read right now, so the times are left out; /epoch shows them."


def topic_list() -> str:
    return ", ".join(load_topics())


def resolve_topic(text: str) -> Topic:
    topic = find_topic(text)
    if topic is None:
        # The input is never quoted back: /explain answers in public, and the text could be anything.
        what = "There is no such topic. " if text.strip() else "Name a topic. "
        raise errors.InvalidInput(f"{what}Topics: {topic_list()}. Usage: {USAGE}")
    return topic


def live_numbers(epoch: EpochResult) -> LiveNumbers:
    return LiveNumbers(
        epoch_height=epoch.epoch_height,
        epoch_length=epoch.epoch_length,
        avg_block_seconds=epoch.avg_block_seconds,
        blocks_left=epoch.blocks_left,
    )


def explain_result(topic: Topic, epoch: EpochResult | None) -> ExplainResult:
    live = live_numbers(epoch) if epoch is not None else None
    notes = [NO_LIVE_NOTE] if topic.uses and epoch is None else []
    return ExplainResult(
        topic=topic.slug,
        title=topic.title,
        summary=topic.summary,
        text=topic.render(live),
        command=topic.command,
        console_command=topic.console_command,
        live=None
        if epoch is None or not topic.uses
        else ExplainLive(
            epoch_height=epoch.epoch_height,
            epoch_length=epoch.epoch_length,
            avg_block_seconds=epoch.avg_block_seconds,
            head_unix=epoch.head_unix,
        ),
        notes=notes,
    )


async def get_explain(chain: Chain, topic_text: str) -> ExplainResult:
    """The explanation; reads the epoch only when the topic quotes live numbers. An unreachable chain leaves the
    live sentences out (with a note) instead of failing: the explanation is still worth reading."""
    topic = resolve_topic(topic_text)
    epoch: EpochResult | None = None
    if topic.uses:
        try:
            epoch = await get_epoch(chain)
        except errors.NearError:
            epoch = None
    return explain_result(topic, epoch)
