"""Results as Discord embeds: a one-line verdict on top, colour, amounts in NEAR (exact yocto one look away),
Discord timestamps for every time, text progress bars and NearBlocks link buttons.

One module per answer kind, each registering its function on `render_embed` (`base`); a result type without its
own embed falls back to its console text in a code block. Every embed passes through `discord_limits.fit_embed`
on the way out. Importing this package registers every embed.
"""

from bot.render.embeds import actions, chain, errors, liquid, lockup, status, support, unbonding
from bot.render.embeds.actions import QR_FILENAME, call_text
from bot.render.embeds.base import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    SOFT_ORANGE,
    Rendered,
    account_links,
    finish,
    name,
    nearblocks_url,
    render_embed,
)
from bot.render.embeds.errors import UNREACHABLE_KINDS, UNREACHABLE_TEXT, error_embed

__all__ = [
    "AMBER", "BLUE", "GREEN", "GREY", "QR_FILENAME", "RED", "SOFT_ORANGE", "UNREACHABLE_KINDS", "UNREACHABLE_TEXT",
    "Rendered", "account_links", "actions", "call_text", "chain", "error_embed", "errors", "finish", "liquid",
    "lockup", "name", "nearblocks_url", "render_embed", "status", "support", "unbonding",
]
