"""What kind of secret a Discord message holds: its text and its small text attachments (a `seed.txt` or a
`wallet.json` sent as a file is the most common way keys leak), and the same of a message it forwards (Discord
puts a forwarded message's text and files in `message_snapshots`, the forward's own text being empty).

Attachments are read into memory only, scanned by `bot.safety.find_secrets` and dropped: never stored, never
logged (not even their names), never echoed. Only text-like files up to `MAX_ATTACHMENT_BYTES` are read.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import PurePosixPath

import discord

from bot.safety import SecretKind, find_secrets

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 64 * 1024  # a key file or a phrase in a note is far smaller; bigger files are not read
MAX_ATTACHMENTS = 10  # Discord's own limit per message
READ_TIMEOUT = 10.0
TEXT_EXTENSIONS = frozenset({
    ".txt", ".text", ".json", ".md", ".csv", ".tsv", ".log", ".env", ".yaml", ".yml", ".toml", ".ini", ".cfg",
    ".conf", ".key", ".pem", ".seed", ".bak", ".backup", ".rtf", ".xml", ".html", ".js", ".ts", ".py", ".sh",
})
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-yaml", "application/yaml",
              "application/toml", "application/x-sh", "application/javascript")
MEDIA_TYPES = ("image/", "video/", "audio/")


def is_text_attachment(attachment: discord.Attachment) -> bool:
    """A small file that is text by its name or its content type (a file named without an extension, like
    `seed`, counts unless Discord says it is media)."""
    if attachment.size > MAX_ATTACHMENT_BYTES:
        return False
    extension = PurePosixPath(attachment.filename.lower()).suffix
    content_type = (attachment.content_type or "").lower()
    if not extension:
        return not content_type.startswith(MEDIA_TYPES)
    return extension in TEXT_EXTENSIONS or content_type.startswith(TEXT_TYPES)


def message_texts(message: discord.Message) -> list[str]:
    """The message's own text and the text of every message it forwards."""
    return [message.content, *(snapshot.content for snapshot in message.message_snapshots)]


def _attachments(message: discord.Message) -> list[discord.Attachment]:
    found = list(message.attachments)
    for snapshot in message.message_snapshots:
        found += snapshot.attachments
    return found[:MAX_ATTACHMENTS]


def has_readable_attachments(message: discord.Message) -> bool:
    return any(is_text_attachment(a) for a in _attachments(message))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


async def attachment_secrets(message: discord.Message) -> list[SecretKind]:
    """The kinds of secret in the message's text attachments (unreadable ones are skipped, and say so in the log
    by status only)."""
    kinds: list[SecretKind] = []
    for attachment in _attachments(message):
        if not is_text_attachment(attachment):
            continue
        try:
            data = await asyncio.wait_for(attachment.read(), READ_TIMEOUT)
        except (discord.HTTPException, TimeoutError) as exc:
            log.warning("guard: could not read an attachment (%s)", getattr(exc, "status", type(exc).__name__))
            continue
        if len(data) > MAX_ATTACHMENT_BYTES:
            continue
        kinds += [kind for kind in find_secrets(_decode(data)) if kind not in kinds]
        del data
    return kinds
