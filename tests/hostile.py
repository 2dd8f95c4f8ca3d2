"""Hostile text for tests, and what Discord (or a terminal) would make of the bot's output.

`NASTY` are fixed attacks; `hostile_text()` is a hypothesis strategy mixing them with random text over an alphabet
rich in markdown, mention and invisible characters. The checkers read output the way Discord's markdown does:
backslash escapes first, then code spans (nothing inside is linked or mentioned), then masked links, `<...>`
autolinks, bare URLs and invite links, mentions; and flag hidden characters (controls, bidi overrides, zero-width).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st

from bot.render.safe import KNOWN_HOSTS
from tests.discord.fake_discord import validate_message

NASTY = (
    "[Claim your NEAR](https://evil.example/claim)",
    "[https://nearblocks.io/address/alice.near](https://evil.example/x)",
    "[a](<https://evil.example/angle>)",
    "<https://evil.example/autolink>",
    "https://evil.example/bare",
    "HTTPS://EVIL.EXAMPLE/UPPER",
    "ht\u200btps://evil.example/zero-width",
    "\\[escaped?\\](https://evil.example/pre-escaped)",
    "discord.gg/evil-invite",
    "@everyone",
    "@here free NEAR",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#123456789012345678>",
    "</stake:123456789012345678>",
    "`code` ``double`` ```block``` `",
    "**bold** __under__ ~~strike~~ ||spoiler|| *it* _it_",
    "# Header\n> quote\n-# subtext\n1. list\n- item",
    "zero\u200bwidth\u200d\u2060\ufeffjoin",
    "\u202eraen.live\u202c",
    "\u2066isolate\u2069 \u200f\u200e",
    "\x1b]8;;https://evil.example/osc8\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m",
    "line\nbreak\r\nand\u2028separators\u2029",
    "lone \ud800 surrogate",
    "javascript:alert(1) steam://run/1",
    "\\",
    "x" * 10_000,
    "[" * 500 + "](https://evil.example/deep)" + ")" * 500,
)
_ALPHABET = st.sampled_from(
    list("abc.-_*~`|[]()<>@#:/\\!& \n") + ["https://", "evil.example", "everyone", "here", "\u200b", "\u202e",
                                           "\u2066", "\x1b", "\x00", "ä", "😀"]
)


def hostile_text() -> st.SearchStrategy[str]:
    """A fixed attack, random text over a nasty alphabet, or both joined."""
    random = st.lists(_ALPHABET, max_size=40).map("".join)
    fixed = st.sampled_from(NASTY)
    return st.one_of(fixed, random, st.tuples(fixed, random, fixed).map(lambda t: " ".join(t)))


_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")  # simple-markdown's inline code (Discord)
_MASKED = re.compile(r"\[[^\[\]]*\]\(\s*<?([^()\s>]+)>?\s*\)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*)>")
_BARE = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://[^\s<]+")
_INVITE = re.compile(r"(?i)\b(?:discord(?:app)?\.com/invite|discord\.gg|dsc\.gg)/\S+")
_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|</[^<>:]+:\d+>|(?i:@(?:everyone|here))")
_TIMESTAMP = re.compile(r"<t:\d+(?::[tTdDfFsSR])?>")


def _as_parsed(markdown: str) -> str:
    """Read left to right like Discord: an escaped character and a code span are blanked out; what is left is what
    Discord parses for links and mentions."""
    out = []
    index = 0
    while index < len(markdown):
        char = markdown[index]
        following = markdown[index + 1 : index + 2]
        if char == "\\" and following and not following.isalnum() and not following.isspace():
            out.append("\x00")
            index += 2
            continue
        span = _CODE.match(markdown, index) if char == "`" else None
        if span is not None:
            out.append(" ")
            index = span.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


def rendered_links(markdown: str) -> list[str]:
    text = _as_parsed(markdown)
    links = _MASKED.findall(text) + _AUTOLINK.findall(_TIMESTAMP.sub(" ", text))
    return links + _BARE.findall(text) + _INVITE.findall(text)


def plain_links(text: str) -> list[str]:
    """URLs a terminal or a plain-text field would show as links."""
    return _BARE.findall(text) + _INVITE.findall(text)


def rendered_mentions(markdown: str) -> list[str]:
    return _MENTION.findall(_as_parsed(markdown))


def hidden_characters(text: str) -> list[str]:
    """Controls, bidi and zero-width characters (the bot's own zero-width space after an "@" excepted)."""
    found = []
    for index, char in enumerate(text):
        if char == "\n" or (char == "\u200b" and index and text[index - 1] == "@"):
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            found.append(f"U+{ord(char):04X}")
    return found


def foreign_links(urls: list[str]) -> list[str]:
    """URLs not on a host the bot builds links to."""
    return [url for url in urls if urlsplit(url).hostname not in KNOWN_HOSTS or urlsplit(url).scheme != "https"]


def message_problems(body: dict[str, Any], *, allowed_mentions: tuple[str, ...] = ()) -> list[str]:
    """Everything wrong with a message body the bot sends: Discord's limits, links the bot did not build,
    mentions it did not mean, hidden characters."""
    problems = validate_message(body)
    markdown = [body.get("content") or ""]
    plain = []
    for embed in body.get("embeds") or []:
        markdown += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            markdown += [f.get("name") or "", f.get("value") or ""]
        plain += [(embed.get("footer") or {}).get("text") or "", (embed.get("author") or {}).get("name") or ""]
    buttons = [c for row in body.get("components") or [] for c in row.get("components") or []]
    plain += [b.get("label") or "" for b in buttons]
    for text in markdown:
        problems += [f"foreign link {u!r}" for u in foreign_links(rendered_links(text))]
        problems += [f"mention {m!r}" for m in rendered_mentions(text) if m not in allowed_mentions]
        problems += [f"hidden {h}" for h in hidden_characters(text)]
    for text in plain:
        problems += [f"foreign link {u!r} in plain text" for u in foreign_links(plain_links(text))]
        problems += [f"hidden {h} in plain text" for h in hidden_characters(text)]
    problems += [f"foreign button {b['url']!r}" for b in buttons if "url" in b and foreign_links([b["url"]])]
    return problems
