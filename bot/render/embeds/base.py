"""The shared parts of every embed: colours, the `Rendered` answer (embed, buttons, files, steps ready to sign),
Discord timestamps, rough durations, bars, NearBlocks buttons, and the `render_embed` dispatcher with its fallback
(the console text in a code block, for a result type without its own embed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import singledispatch

import discord

from bot.near.account_id import is_valid_account_id
from bot.near.units import format_near
from bot.near.wallet_links import NEARBLOCKS, nearblocks_account_url
from bot.render.discord_limits import Control, Link, SafeEmbed, fit_embed, rows_view
from bot.render.ready import ALL, ReadyRow, button_rows, ready_lines, ready_rows
from bot.render.safe import Md, SafeUrl, checked_url, code_block, esc, md, prose
from bot.render.text import render_text
from bot.services.results import PoolProblem, Result

GREEN = discord.Colour(0x2ECC71)


AMBER = discord.Colour(0xF1C40F)


RED = discord.Colour(0xE74C3C)


BLUE = discord.Colour(0x3498DB)


GREY = discord.Colour(0x95A5A6)


SOFT_ORANGE = discord.Colour(0xE67E22)


MAX_ACCOUNT_BUTTONS = 5  # one row: the account and its first pools


NAME_LIMIT = 100  # characters of an untrusted id or name shown (a valid account id has at most 64)


@dataclass
class Rendered:
    embed: discord.Embed
    links: list[Link] = field(default_factory=list)
    # (filename, bytes) pairs sent as attachments, e.g. a chart or a QR code; an embed may show one as its image.
    files: list[tuple[str, bytes]] = field(default_factory=list)
    ready: list[ReadyRow] = field(default_factory=list)  # the steps ready to sign, a row of buttons each
    details: Result | None = None  # the answer whose technical details "All details" shows

    def detail_items(self) -> dict[str, Result]:
        """What each Details button of the message shows: a step's action answer, or the whole answer's details."""
        items: dict[str, Result] = {str(index): row.plan for index, row in enumerate(self.ready)}
        if self.details is not None:
            items[ALL] = self.details
        return items

    def rows(self, token: str | None = None) -> list[list[Link | Control]]:
        """The buttons, row by row; Details buttons only with a `token` under which their details are kept."""
        return button_rows(self.ready, self.links, token, details=self.details is not None)

    def view(self, token: str | None = None) -> discord.ui.View | None:
        return rows_view(self.rows(token))

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]


def name(text: object) -> Md:
    """An untrusted id or name (account, pool, owner, provider), escaped and kept short."""
    return esc(text, limit=NAME_LIMIT)


def nearblocks_url(account_id: str, network: str = "mainnet") -> SafeUrl | None:
    """The explorer page of a valid account id; None for anything else (it never goes into a URL)."""
    if not is_valid_account_id(account_id):
        return None
    return checked_url(nearblocks_account_url(account_id, network if network in NEARBLOCKS else "mainnet"))


def account_links(pairs: list[tuple[str, str]], network: str) -> list[Link]:
    """(label, account id) pairs as NearBlocks buttons; ids that are not valid account ids get none."""
    links = []
    for label, account_id in pairs:
        url = nearblocks_url(account_id, network)
        if url is not None:
            links.append(Link(label, url))
    return links


def ts(unix: int, style: str = "f") -> Md:
    """A Discord timestamp, shown in each reader's own time zone and language."""
    return md("<t:{}:{}>", int(unix), style)


def when(unix: int) -> Md:
    return md("{} ({})", ts(unix, "R"), ts(unix, "f"))


def about(seconds: float) -> Md:
    """A rough duration for a verdict line: "~45 min", "~14 h", "~3 d 4 h"."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return md("~{} min", max(1, round(seconds / 60)))
    hours = round(seconds / 3600)
    if hours < 48:
        return md("~{} h", hours)
    return md("~{} d {} h", hours // 24, hours % 24) if hours % 24 else md("~{} d", hours // 24)


def bar(done: float, total: float, width: int = 20, full: str = "█", empty: str = "░") -> str:
    fraction = 0.0 if total <= 0 else min(1.0, max(0.0, done / total))
    filled = int(fraction * width)
    return full * filled + empty * (width - filled)


def near(yocto: int, decimals: int = 5) -> str:
    return format_near(yocto, decimals)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def finish(embed: SafeEmbed, links: list[Link] | None = None, *, answer: Result | None = None) -> Rendered:
    """The embed within Discord's limits; with `answer`, the buttons of its steps ready to sign and "All details"."""
    if answer is None:
        return Rendered(fit_embed(embed), links or [])
    return Rendered(fit_embed(embed), links or [], ready=ready_rows(answer), details=answer)


def add_ready_field(embed: SafeEmbed, answer: Result) -> None:
    """One field listing an answer's recommended steps, most useful first (status, unbonding, liquid)."""
    lines = ready_lines(answer)
    if lines:
        embed.add_field(name=Md("👉 What to do now"), value=LINES.join(lines), inline=False)


LINES = Md("\n")


BULLETS = Md("\n• ")


def bullets(texts: list[str]) -> Md:
    """Sentences the bot composed (notes, warnings) as bullet lines."""
    return Md("• ") + BULLETS.join(prose(t) for t in texts)


def problem_lines(problems: list[PoolProblem]) -> Md:
    return LINES.join(md("{}: {}", name(p.pool_id), prose(p.message)) for p in problems)


def add_problems_and_notes(embed: SafeEmbed, problems: list[PoolProblem], notes: list[str], notes_title: str) -> None:
    """What could not be read, then the notes, as the last fields of an answer."""
    if problems:
        embed.add_field(name=Md("⚠️ Could not read"), value=problem_lines(problems), inline=False)
    if notes:
        embed.add_field(name=esc(notes_title), value=bullets(notes), inline=False)


@singledispatch
def render_embed(result: Result, *, network: str = "mainnet") -> Rendered:
    """Fallback for result types without their own embed: the console text (already cleaned) in a code block."""
    try:
        text = render_text(result)
    except TypeError:  # no text renderer either: the JSON form
        text = result.model_dump_json(indent=1)
    return finish(SafeEmbed(description=code_block(text, limit=3900), colour=BLUE))
