"""Discord's size limits in one place: embeds and link buttons are trimmed to fit, never rejected; and the one
gate every embed passes: `fit_embed` takes only a `SafeEmbed`, whose texts are `Md`/`Plain` (bot/render/safe.py).

Limits (discord-api-docs `resources/message.mdx` "Embed Limits", `components/reference.mdx`): title 256,
description 4096, 25 fields, field name 256, field value 1024, footer 2048, author 256, 6000 characters in
all embeds of a message; a button label 80, a link button URL 512, 5 buttons per row, 5 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.render.safe import ELLIPSIS, Md, Plain, SafeUrl, clip, clip_markdown, plain, plain_text

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
CHOICES = 25  # autocomplete choices in one answer
CHOICE_TEXT = 100  # name and string value of a choice

FOOTER_KEPT = 100  # a footer is shortened to this before any field is dropped for the 6000 total
EMPTY = "—"  # Discord refuses empty field names and values
ATTACHMENT = "attachment://"


def _need(kind: type[str], value: object, where: str) -> None:
    if value is not None and type(value) is not kind:
        raise TypeError(f"embed {where} must be {kind.__name__} (bot/render/safe.py), not {type(value).__name__}")


class SafeEmbed(discord.Embed):
    """An embed that accepts only escaped text: Md for the title, description and fields, Plain for the footer
    and author (Discord shows no markdown there), SafeUrl or an attachment for URLs and images."""

    def __init__(self, *, title: Md | None = None, description: Md | None = None, **options: Any) -> None:
        _need(Md, title, "title")
        _need(Md, description, "description")
        _need(SafeUrl, options.get("url"), "url")
        super().__init__(title=title, description=description, **options)  # it stores str() copies
        object.__setattr__(self, "_checked", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if not getattr(self, "_checked", False):
            pass
        elif name in ("title", "description"):
            _need(Md, value, name)
        elif name == "url":
            _need(SafeUrl, value, name)
        super().__setattr__(name, value)

    def add_field(self, *, name: Md, value: Md, inline: bool = True) -> SafeEmbed:
        _need(Md, name, "field name")
        _need(Md, value, "field value")
        super().add_field(name=name, value=value, inline=inline)
        return self

    def insert_field_at(
        self, index: int, *, name: Md, value: Md, inline: bool = True
    ) -> SafeEmbed:
        _need(Md, name, "field name")
        _need(Md, value, "field value")
        super().insert_field_at(index, name=name, value=value, inline=inline)
        return self

    def set_field_at(
        self, index: int, *, name: Md, value: Md, inline: bool = True
    ) -> SafeEmbed:
        _need(Md, name, "field name")
        _need(Md, value, "field value")
        super().set_field_at(index, name=name, value=value, inline=inline)
        return self

    def set_footer(self, *, text: Plain | None = None, icon_url: Any = None) -> SafeEmbed:
        _need(Plain, text, "footer")
        _need(SafeUrl, icon_url, "footer icon")
        super().set_footer(text=text, icon_url=icon_url)
        return self

    def set_author(self, *, name: Plain, url: Any = None, icon_url: Any = None) -> SafeEmbed:
        _need(Plain, name, "author")
        _need(SafeUrl, url, "author url")
        _need(SafeUrl, icon_url, "author icon")
        super().set_author(name=name, url=url, icon_url=icon_url)
        return self

    def set_image(self, *, url: Any) -> SafeEmbed:
        if not (isinstance(url, SafeUrl) or (isinstance(url, str) and _is_attachment(url))):
            raise TypeError("an embed image is an attachment://name or a SafeUrl")
        super().set_image(url=url)
        return self

    def set_thumbnail(self, *, url: Any) -> SafeEmbed:
        if not (isinstance(url, SafeUrl) or (isinstance(url, str) and _is_attachment(url))):
            raise TypeError("an embed thumbnail is an attachment://name or a SafeUrl")
        super().set_thumbnail(url=url)
        return self


def _is_attachment(url: str) -> bool:
    name = url.removeprefix(ATTACHMENT)
    return url.startswith(ATTACHMENT) and bool(name) and all(c.isalnum() or c in "._-" for c in name)


def embed_size(data: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6000 limit."""
    size = len(data.get("title") or "") + len(data.get("description") or "")
    size += len((data.get("footer") or {}).get("text") or "") + len((data.get("author") or {}).get("name") or "")
    for field in data.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def fit_embed(embed: SafeEmbed) -> discord.Embed:
    """A copy of `embed` within every limit: long texts are clipped, surplus fields folded into one note."""
    if not isinstance(embed, SafeEmbed):
        raise TypeError("only a SafeEmbed (escaped text) is sent to Discord")
    data: dict[str, Any] = dict(embed.to_dict())  # edited freely below, then read back by from_dict
    if data.get("title"):
        data["title"] = clip_markdown(data["title"], TITLE)
    if data.get("description"):
        data["description"] = clip_markdown(data["description"], DESCRIPTION)
    if data.get("footer", {}).get("text"):
        data["footer"]["text"] = clip(data["footer"]["text"], FOOTER)
    if data.get("author", {}).get("name"):
        data["author"]["name"] = clip(data["author"]["name"], AUTHOR)
    fields = [
        {
            **field,
            "name": clip_markdown(field.get("name") or EMPTY, FIELD_NAME),
            "value": clip_markdown(field.get("value") or EMPTY, FIELD_VALUE),
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
        data["description"] = clip_markdown(data["description"], max(1, len(data["description"]) - excess))
    excess = embed_size(data) - TOTAL
    if excess > 0 and data.get("footer", {}).get("text"):
        data["footer"]["text"] = clip(data["footer"]["text"], max(1, len(data["footer"]["text"]) - excess))
    if not data["fields"]:
        del data["fields"]
    return discord.Embed.from_dict(data)


def choice_name(text: str) -> Plain:
    """An autocomplete choice's name: cleaned (choices show no markdown), 1 to 100 characters."""
    return plain_text(text, limit=CHOICE_TEXT)


def _more(hidden: int) -> list[dict[str, Any]]:
    if not hidden:
        return []
    return [{"name": ELLIPSIS, "value": f"{hidden} more not shown (Discord's size limit).", "inline": False}]


@dataclass(frozen=True)
class Link:
    """A link button: a label (cleaned: buttons show no markdown) and a SafeUrl the bot built."""

    label: str
    url: SafeUrl

    def __post_init__(self) -> None:
        if not isinstance(self.url, SafeUrl):
            raise TypeError("a link button's URL must be a SafeUrl (bot/render/safe.py)")
        if type(self.label) is not Plain:
            object.__setattr__(self, "label", plain("{}", self.label))


@dataclass(frozen=True)
class Control:
    """A button that asks the bot (a custom_id of 1-100 characters), answered by the bot's interaction listener."""

    label: str
    custom_id: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.custom_id) <= 100:
            raise ValueError("a button's custom_id has 1 to 100 characters")
        object.__setattr__(self, "label", plain_text(self.label, limit=BUTTON_LABEL))


class StaticView(discord.ui.View):
    """A message's components, sent as they are: clicks are answered by the bot's listener from the custom_id (it
    survives restarts), so discord.py never keeps this object waiting for them."""

    def is_dispatchable(self) -> bool:
        return False


def rows_view(rows: list[list[Link | Control]]) -> discord.ui.View | None:
    """A view of rows of buttons (at most 5 rows of 5; needs a running event loop, like every discord.py view)."""
    view = StaticView(timeout=None)
    for number, row in enumerate(rows[:ROWS]):
        for item in row[:BUTTONS_PER_ROW]:
            if isinstance(item, Link):
                view.add_item(discord.ui.Button(label=plain_text(item.label, limit=BUTTON_LABEL), url=item.url,
                                                row=number))
            else:
                view.add_item(discord.ui.Button(label=item.label, custom_id=item.custom_id, row=number,
                                                style=discord.ButtonStyle.secondary))
    return view if view.children else None


def fit_links(links: list[Link]) -> list[Link]:
    """Links Discord accepts: URLs of at most 512 characters, labels clipped, at most 25 (5 rows of 5)."""
    kept: list[Link] = []
    for link in links:
        if len(link.url) > BUTTON_URL:
            continue
        kept.append(Link(plain_text(link.label, limit=BUTTON_LABEL), link.url))
    return kept[: BUTTONS_PER_ROW * ROWS]
