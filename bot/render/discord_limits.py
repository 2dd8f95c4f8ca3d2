"""Discord's size limits in one place: embeds and link buttons are trimmed to fit, never rejected.

Limits (discord-api-docs `resources/message.mdx` "Embed Limits", `components/reference.mdx`): title 256,
description 4096, 25 fields, field name 256, field value 1024, footer 2048, author 256, 6000 characters in
all embeds of a message; a button label 80, a link button URL 512, 5 buttons per row, 5 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
TOTAL = 6000
BUTTON_LABEL = 80
BUTTON_URL = 512
BUTTONS_PER_ROW = 5
ROWS = 5

FOOTER_KEPT = 100  # a footer is shortened to this before any field is dropped for the 6000 total
ELLIPSIS = "…"
EMPTY = "—"  # Discord refuses empty field names and values


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


def embed_size(data: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6000 limit."""
    size = len(data.get("title") or "") + len(data.get("description") or "")
    size += len((data.get("footer") or {}).get("text") or "") + len((data.get("author") or {}).get("name") or "")
    for field in data.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """A copy of `embed` within every limit: long texts are clipped, surplus fields folded into one note."""
    data = embed.to_dict()
    if data.get("title"):
        data["title"] = clip(data["title"], TITLE)
    if data.get("description"):
        data["description"] = clip(data["description"], DESCRIPTION)
    if data.get("footer", {}).get("text"):
        data["footer"]["text"] = clip(data["footer"]["text"], FOOTER)
    if data.get("author", {}).get("name"):
        data["author"]["name"] = clip(data["author"]["name"], AUTHOR)
    fields = [
        {
            **field,
            "name": clip(field.get("name") or EMPTY, FIELD_NAME),
            "value": clip(field.get("value") or EMPTY, FIELD_VALUE),
        }
        for field in data.get("fields") or []
    ]
    hidden = 0
    if len(fields) > FIELDS:
        hidden = len(fields) - (FIELDS - 1)
        fields = fields[: FIELDS - 1]
    data["fields"] = fields
    # Over the total: shorten a long footer, drop fields from the end (saying so), then shorten the description.
    excess = embed_size({**data, "fields": fields + _more(hidden)}) - TOTAL
    footer_text = data.get("footer", {}).get("text") or ""
    if excess > 0 and len(footer_text) > FOOTER_KEPT:
        data["footer"]["text"] = clip(footer_text, max(FOOTER_KEPT, len(footer_text) - excess))
    while embed_size({**data, "fields": fields + _more(hidden)}) > TOTAL and fields:
        fields.pop()
        hidden += 1
    data["fields"] = fields + _more(hidden)
    excess = embed_size(data) - TOTAL
    if excess > 0 and data.get("description"):
        data["description"] = clip(data["description"], max(1, len(data["description"]) - excess))
    excess = embed_size(data) - TOTAL
    if excess > 0 and data.get("footer", {}).get("text"):
        data["footer"]["text"] = clip(data["footer"]["text"], max(1, len(data["footer"]["text"]) - excess))
    if not data["fields"]:
        del data["fields"]
    return discord.Embed.from_dict(data)


def _more(hidden: int) -> list[dict[str, Any]]:
    if not hidden:
        return []
    return [{"name": ELLIPSIS, "value": f"{hidden} more not shown (Discord's size limit).", "inline": False}]


@dataclass(frozen=True)
class Link:
    """A link button: a label and an http(s) URL."""

    label: str
    url: str


def fit_links(links: list[Link]) -> list[Link]:
    """Links Discord accepts: valid URLs of at most 512 characters, labels clipped, at most 25 (5 rows of 5)."""
    kept: list[Link] = []
    for link in links:
        if len(link.url) > BUTTON_URL or not link.url.startswith(("https://", "http://")):
            continue
        kept.append(Link(clip(link.label, BUTTON_LABEL) or ELLIPSIS, link.url))
    return kept[: BUTTONS_PER_ROW * ROWS]


def link_view(links: list[Link]) -> discord.ui.View | None:
    """A view of link buttons, 5 per row (needs a running event loop, like every discord.py view)."""
    fitted = fit_links(links)
    if not fitted:
        return None
    view = discord.ui.View(timeout=None)
    for index, link in enumerate(fitted):
        view.add_item(discord.ui.Button(label=link.label, url=link.url, row=index // BUTTONS_PER_ROW))
    return view
