"""The one rule for text the bot did not write (user input, anything read from the chain or the index, Discord
names): it is cleaned and escaped before it enters a message, and validated before it enters a URL.

Two text types carry the guarantee, so an unescaped string cannot reach Discord by mistake:

- `Md`: safe Discord markdown. The bot's own templates are `Md` literals; `md("**{}** staked", amount)`,
  `Md + x` and `Md.join` escape every argument that is not already `Md`. Embed titles, descriptions and fields
  accept only `Md` (`discord_limits.SafeEmbed` raises TypeError otherwise).
- `Plain`: safe text where Discord shows no markdown (embed footers, button labels, autocomplete choices) and in
  the console. `plain("Epoch {}", n)` cleans every argument that is not already `Plain`.

Cleaning (both types): control, format (zero-width, right-to-left overrides), surrogate and line-separator
characters are removed; `scheme://` becomes `scheme[:]//` and Discord invite hosts lose their dot, so no untrusted
text is ever a clickable link; `@everyone`/`@here` get a zero-width space. `Md` also backslash-escapes every
markdown character (Discord's escape rule: a backslash before any ASCII punctuation), so `[text](url)` is no masked
link and `<@123>` no mention; an untrusted backtick becomes ˋ, so every code span is the bot's own. `code(x)` shows
untrusted text as inline code.

URLs: the bot builds them from validated, percent-encoded parts (bot/near/wallet_links.py: an account id that is not
valid never enters a URL), and `checked_url` re-checks each one before it is shown (https, a known host, no character
that could end a markdown link) and makes it a `SafeUrl`. Link buttons and masked links take only `SafeUrl`.

A test (tests/unit/test_hostile_text.py) checks that `md(...)`, `plain(...)`, `Md(...)` and `Plain(...)` are only
ever called with a literal template outside this module.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any, Self
from urllib.parse import urlsplit

from pydantic import BaseModel

from bot.services.results import BOT_BUILT

ELLIPSIS = "…"
ZWSP = "\u200b"
DEFAULT_LIMIT = 1000  # characters of one untrusted piece kept (Discord's field value is 1024)

_INVITE_HOST = re.compile(r"(?i)(discord(?:app)?|dsc)\.(gg|com|me|io|li)\b")
_EVERYONE = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_MARKDOWN = re.compile(r"([\\*~|\[\]<])")
# An underscore between two letters or digits (deposit_and_stake, alice_b.near) can neither open nor close
# italics or underline in Discord's markdown; every other one is escaped.
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# Markers that mean something only at the start of a line: lists, subtext (-#), headers, quotes, ordered lists.
_LINE_START = re.compile(r"(?m)^([ \t]*)([-+>#])")
_ORDERED = re.compile(r"(?m)^([ \t]*\d+)\.(?=\s)")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


_UNESCAPED_BACKTICK = re.compile(r"(?<!\\)(?:\\\\)*`")


def clip_markdown(text: str, limit: int) -> str:
    """`clip` for markdown: never leaves a code span open (escaped text outside it stays escaped, so nothing
    a cut could expose was ever unescaped) nor a lone backslash."""
    if len(text) <= limit:
        return text
    kept = text[: max(0, limit - 1)]
    ticks = [m.end() - 1 for m in _UNESCAPED_BACKTICK.finditer(kept)]
    if len(ticks) % 2:
        kept = kept[: ticks[-1]]
    if (len(kept) - len(kept.rstrip("\\"))) % 2:
        kept = kept[:-1]
    return kept + ELLIPSIS


def clean(value: object, *, lines: bool = False, limit: int = DEFAULT_LIMIT) -> str:
    """Untrusted text without invisible or control characters, defanged, on one line unless `lines`."""
    out: list[str] = []
    for char in str(value):
        category = unicodedata.category(char)
        if char in "\n\r" or category in ("Zl", "Zp"):
            out.append("\n" if lines else " ")
        elif char == "\t":
            out.append(" ")
        elif category not in ("Cc", "Cf", "Cs", "Co"):
            out.append(char)
    text = "".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r", "")) if lines else text
    text = clip(text.strip(), limit)
    text = text.replace("://", "[:]//")  # https://x -> https[:]//x: no client links it
    text = _INVITE_HOST.sub(r"\1[.]\2", text)  # discord.gg/x is linked even without a scheme
    return _EVERYONE.sub("@" + ZWSP, text)


class _SafeText(str):
    """Text of one kind (Md or Plain): formatting and joining escape whatever is not already of that kind."""

    __slots__ = ()

    @classmethod
    def escape(cls, value: object) -> _SafeText:
        raise NotImplementedError

    @classmethod
    def _part(cls, value: object) -> str:
        return str(value) if type(value) is cls else str(cls.escape(value))

    def __add__(self, other: object) -> Self:
        if not isinstance(other, str):
            return NotImplemented
        return type(self)(str(self) + self._part(other))

    def __radd__(self, other: object) -> Self:
        if not isinstance(other, str):
            return NotImplemented
        return type(self)(self._part(other) + str(self))

    def join(self, items: Any) -> Self:
        return type(self)(str(self).join(self._part(item) for item in items))

    def format(self, *args: object, **kwargs: object) -> Self:
        return type(self)(_Formatter(type(self)).vformat(str(self), args, kwargs))

    def __mod__(self, other: object) -> Self:
        raise TypeError("use .format(): %-formatting would not escape its arguments")


class _Formatter(string.Formatter):
    def __init__(self, kind: type[_SafeText]) -> None:
        self.kind = kind

    def format_field(self, value: object, format_spec: str) -> str:
        if type(value) is self.kind:
            return format(str(value), format_spec)
        return self.kind._part(format(value, format_spec))


class Md(_SafeText):
    """Safe Discord markdown (see the module docstring)."""

    __slots__ = ()

    @classmethod
    def escape(cls, value: object) -> Md:
        return esc(value)


class Plain(_SafeText):
    """Safe text for places without markdown: footers, button labels, choices, the console."""

    __slots__ = ()

    @classmethod
    def escape(cls, value: object) -> Plain:
        return Plain(clean(value))


def plain_text(value: object, *, limit: int) -> Plain:
    """Untrusted text as Plain of at most `limit` characters (never empty: Discord refuses empty labels)."""
    return Plain(clip(clean(value, limit=limit), limit) or "—")


def md(template: str, *args: object, **kwargs: object) -> Md:
    """The bot's own markdown `template` (a literal) with every argument escaped unless it is already Md."""
    return Md(template).format(*args, **kwargs)


def plain(template: str, *args: object, **kwargs: object) -> Plain:
    """The bot's own plain `template` (a literal) with every argument cleaned unless it is already Plain."""
    return Plain(template).format(*args, **kwargs)


def _escape_markdown(text: str) -> str:
    # A backtick becomes ˋ: the only backticks in an answer are the bot's own, so no code span can shift.
    text = _MARKDOWN.sub(r"\\\1", text.replace("`", "ˋ"))
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    text = _ORDERED.sub(r"\1\\.", text)
    # Two escaped pieces side by side ("https:" then "//x") must not join into a link.
    if text.endswith(":"):
        text = text[:-1] + "\\:"
    return "\\" + text if text.startswith("/") else text


def esc(value: object, *, limit: int = DEFAULT_LIMIT) -> Md:
    """Untrusted text shown literally in markdown, on one line."""
    return Md(_escape_markdown(clean(value, limit=limit)))


def code(value: object, *, limit: int = 200) -> Md:
    """Untrusted text as inline code (a backtick inside becomes ˋ, so nothing closes the span early)."""
    text = clean(value, limit=limit).replace("`", "ˋ")
    if text.endswith("\\"):
        text += " "  # "`\`" reads as an escaped backtick to some markdown readers: never leave the doubt
    return Md(f"`{text}`") if text.strip() else Md("`—`")


def code_block(value: object, *, limit: int = 3900) -> Md:
    """Untrusted multi-line text as a code block (nothing inside can close it)."""
    text = clean(value, lines=True, limit=limit).replace("`", "ˋ")
    return Md(f"```\n{text}\n```")


def prose(value: object, *, limit: int = DEFAULT_LIMIT) -> Md:
    """A sentence the bot composed around untrusted parts (error messages, notes, warnings): plain text whose
    `code spans` stay code. Every part is escaped for where it lands, whatever the untrusted parts hold."""
    text = clean(value, lines=True, limit=limit)
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: the last one is text
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(_escape_markdown(part))
        else:
            out.append(code(part, limit=limit) if part.strip() else _escape_markdown(f"`{part}`"))
    return Md("".join(out))


def clip_md(text: Md, limit: int) -> Md:
    """Md cut to `limit` characters (an escape cut in half escapes the ellipsis, which is harmless)."""
    if type(text) is not Md:
        raise TypeError("clip_md takes Md")
    return Md(clip_markdown(text, limit))


def trusted_markdown(text: str) -> Md:
    """Markdown the bot itself ships (explain topics in bot/explain/topics): taken as it is."""
    return Md(text)


def cleaned_copy(model: BaseModel, *, limit: int = 20_000) -> Any:
    """A copy of a result with every string cleaned (as Plain, lines kept) except fields marked BOT_BUILT: the
    console renderer works on it, so nothing it prints can carry a control sequence, a hidden character or a
    link the bot did not build."""
    fields = type(model).model_fields
    values = {
        key: value if BOT_BUILT in fields[key].metadata else _cleaned(value, limit)
        for key, value in model.__dict__.items()
    }
    return type(model).model_construct(**values)


def _cleaned(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return Plain(clean(value, lines=True, limit=limit))
    if isinstance(value, BaseModel):
        return cleaned_copy(value, limit=limit)
    if isinstance(value, list | tuple):
        return type(value)(_cleaned(item, limit) for item in value)
    if isinstance(value, dict):
        return {_cleaned(k, limit): _cleaned(v, limit) for k, v in value.items()}
    return value


# -- URLs -----------------------------------------------------------------------------------------------------------

# Hosts the bot builds links to (wallet-links.md; NearBlocks explorers).
KNOWN_HOSTS = frozenset({
    "nearblocks.io", "testnet.nearblocks.io", "app.mynearwallet.com", "testnet.mynearwallet.com",
})
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+")  # RFC 3986 without ( ) ' [ ] (markdown, quoting)
MAX_URL = 4000


class SafeUrl(str):
    """A URL the bot built from validated parts and re-checked (see `checked_url`)."""

    __slots__ = ()


def checked_url(url: object) -> SafeUrl | None:
    """`url` as a SafeUrl when it is an https URL on a known host made only of URL characters, else None."""
    if not isinstance(url, str) or len(url) > MAX_URL or not _URL_CHARS.fullmatch(url):
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in KNOWN_HOSTS or parts.username or parts.port:
        return None
    return SafeUrl(url)


def checked_page_url(url: object, base_url: str) -> SafeUrl | None:
    """A URL of the bot's own web page (PUBLIC_BASE_URL, checked by the settings): the same scheme, host and port
    as `base_url`, under its path, made only of URL characters; https, or http on a loopback host (tests)."""
    if not isinstance(url, str) or len(url) > MAX_URL or not _URL_CHARS.fullmatch(url):
        return None
    parts, base = urlsplit(url), urlsplit(base_url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not (parts.scheme == "https" or (parts.scheme == "http" and loopback)) or parts.username:
        return None
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(base.path + "/"):
        return None
    return SafeUrl(url)


def md_link(label: Md, url: SafeUrl) -> Md:
    """A masked link the bot built: an Md label and a SafeUrl only."""
    if type(label) is not Md or not isinstance(url, SafeUrl):
        raise TypeError("md_link takes an Md label and a SafeUrl")
    return Md(f"[{label}]({url})")
