"""Curated explanations for support channels (`/explain <topic>`, console `explain <topic>`).

The text lives in data files, one per topic: `bot/explain/topics/<slug>.md`, so a maintainer can edit and review
it without touching code. Each file starts with a small front-matter block:

    ---
    title: Unbonding and epochs
    summary: why an unstake takes 4 epochs, and how long that is right now
    aliases: unstake, epoch, wait
    uses: epoch_hours, unbond_hours_min
    command: /unbonding <account>
    sources:
      - near-staking.md §2.4 (core-contracts staking-pool NUM_EPOCHS_TO_UNLOCK = 4)
    ---

then the Markdown body shown to users. `{{name}}` placeholders are filled with live chain numbers (see
`LIVE_NUMBERS`); every placeholder a body uses must be listed in `uses`. A body line holding a placeholder is left out
when the chain cannot be read, so write each live sentence on its own line. `<!-- … -->` comments and `sources`
are for reviewers and never shown. `command` is the command that answers the reader's own case; the renderers add it
at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TOPICS_DIR = Path(__file__).parent / "topics"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_KEYS = {"title", "summary", "aliases", "uses", "command", "sources"}
_REQUIRED = {"title", "summary", "command", "sources"}


class TopicError(ValueError):
    """A topic file is malformed (a maintainer's mistake, caught by the tests)."""


@dataclass(frozen=True)
class LiveNumbers:
    """The epoch service's measurements that explanations quote."""

    epoch_height: int
    epoch_length: int
    avg_block_seconds: float
    blocks_left: int

    def hours(self, blocks: float) -> float:
        return blocks * self.avg_block_seconds / 3600


def _h(hours: float) -> str:
    return f"{hours:.1f}" if hours < 100 else f"{hours:.0f}"


LIVE_NUMBERS: dict[str, tuple[str, Callable[[LiveNumbers], str]]] = {
    "current_epoch": ("the current epoch number", lambda n: str(n.epoch_height)),
    "unlock_epoch": ("current epoch + 4", lambda n: str(n.epoch_height + 4)),
    "epoch_length": ("blocks per epoch", lambda n: f"{n.epoch_length:,}"),
    "block_time": ("measured average block time, seconds", lambda n: f"{n.avg_block_seconds:.2f}"),
    "epoch_hours": ("one epoch in hours", lambda n: _h(n.hours(n.epoch_length))),
    "epoch_left_hours": ("hours left in the current epoch", lambda n: _h(n.hours(n.blocks_left))),
    "unbond_hours_min": ("3 epochs in hours", lambda n: _h(n.hours(3 * n.epoch_length))),
    "unbond_hours_max": ("4 epochs in hours", lambda n: _h(n.hours(4 * n.epoch_length))),
    "unstake_now_hours": (
        "hours from now to the start of epoch current + 4",
        lambda n: _h(n.hours(n.blocks_left + 3 * n.epoch_length)),
    ),
    "eight_epochs_hours": ("8 epochs in hours", lambda n: _h(n.hours(8 * n.epoch_length))),
}


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str
    aliases: tuple[str, ...]
    uses: tuple[str, ...]
    command: str
    sources: tuple[str, ...]
    body: str

    @property
    def console_command(self) -> str:
        """The same command typed in the console or `ask` (no slash)."""
        return self.command.removeprefix("/")

    def render(self, live: LiveNumbers | None) -> str:
        """The body with live numbers filled in; without them, the lines that need them are left out."""
        lines = []
        for line in self.body.splitlines():
            if PLACEHOLDER.search(line):
                if live is None:
                    continue
                line = PLACEHOLDER.sub(lambda m: LIVE_NUMBERS[m.group(1)][1](live), line)
            lines.append(line)
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def matches(self, typed: str) -> bool:
        typed = typed.strip().lower()
        if not typed:
            return True
        haystack = " ".join([self.slug, self.title, self.summary, *self.aliases]).lower()
        return all(word in haystack for word in typed.split())


def parse_topic(slug: str, text: str) -> Topic:
    if not text.startswith("---\n"):
        raise TopicError(f"{slug}: the file must start with a --- front-matter block")
    try:
        head, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise TopicError(f"{slug}: the front-matter block is not closed with ---") from None
    fields: dict[str, str | list[str]] = {}
    current_list: list[str] | None = None
    for number, raw in enumerate(head.splitlines(), start=2):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith((" ", "\t")) and raw.strip().startswith("- ") and current_list is not None:
            current_list.append(raw.strip()[2:].strip())
            continue
        key, colon, value = raw.partition(":")
        key = key.strip()
        if not colon or key not in _KEYS:
            raise TopicError(f"{slug}: line {number}: {key!r} is not one of {sorted(_KEYS)} followed by ':'")
        if key in fields:
            raise TopicError(f"{slug}: line {number}: {key} given twice")
        if key == "sources" and not value.strip():
            current_list = []
            fields[key] = current_list
        else:
            current_list = None
            fields[key] = value.strip()
    missing = _REQUIRED - set(fields)
    if missing:
        raise TopicError(f"{slug}: missing {sorted(missing)}")

    def items(name: str) -> tuple[str, ...]:
        value = fields.get(name, "")
        parts = value if isinstance(value, list) else value.split(",")
        return tuple(p.strip() for p in parts if p.strip())

    body = _COMMENT.sub("", body).strip()
    uses = items("uses")
    unknown = [name for name in uses if name not in LIVE_NUMBERS]
    used = sorted(set(PLACEHOLDER.findall(body)))
    if unknown:
        raise TopicError(f"{slug}: unknown live numbers in uses: {unknown}")
    if used != sorted(set(uses)):
        raise TopicError(f"{slug}: uses lists {sorted(set(uses))} but the text uses {used}")
    command = str(fields["command"])
    if not command.startswith("/"):
        raise TopicError(f"{slug}: command must be a slash command, e.g. /unbonding <account>")
    if not items("sources"):
        raise TopicError(f"{slug}: name at least one source")
    return Topic(
        slug=slug,
        title=str(fields["title"]),
        summary=str(fields["summary"]),
        aliases=items("aliases"),
        uses=uses,
        command=command,
        sources=items("sources"),
        body=body,
    )


@lru_cache(maxsize=1)
def load_topics() -> dict[str, Topic]:
    """Every topic, by slug, in file-name order (the files are read once)."""
    topics = {}
    for path in sorted(TOPICS_DIR.glob("*.md")):
        slug = path.stem.split("-", 1)[1] if path.stem[:2].isdigit() else path.stem
        topics[slug] = parse_topic(slug, path.read_text(encoding="utf-8"))
    return topics


def find_topic(text: str) -> Topic | None:
    """A topic by slug, alias or title (case-insensitive), or the only topic matching every typed word."""
    typed = " ".join(text.strip().lower().replace("_", "-").split())
    if not typed:
        return None
    topics = load_topics()
    if typed in topics:
        return topics[typed]
    for topic in topics.values():
        if typed == topic.title.lower() or typed in (a.lower() for a in topic.aliases):
            return topic
    candidates = [t for t in topics.values() if t.matches(typed.replace("-", " "))]
    return candidates[0] if len(candidates) == 1 else None
