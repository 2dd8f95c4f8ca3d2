"""Keep secrets out of the logs: the bot token and interaction/webhook tokens (discord.py logs request URLs at
DEBUG, and those URLs carry the interaction token), and any line holding a private key or seed phrase."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

from bot.safety import looks_like_secret

REDACTED = "[redacted]"
SECRET_WITHHELD = "[a log line holding a private key or seed phrase was withheld]"
_URL_TOKENS = re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]{20,}")
_TOKEN_KEYS = re.compile(r"""(["']?token["']?\s*[:=]\s*["']?)[A-Za-z0-9_.\-]{20,}""", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """A handler filter: rewrites each record's message (and traceback) without tokens."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _URL_TOKENS.sub(lambda m: m.group(1) + REDACTED, text)
        return _TOKEN_KEYS.sub(lambda m: m.group(1) + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if looks_like_secret(message):
            # e.g. discord.py's DEBUG log of a gateway event carrying someone's pasted seed phrase: drop it whole.
            record.msg, record.args = SECRET_WITHHELD, None
            return True
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redaction(secrets: Iterable[str] = (), handlers: Iterable[logging.Handler] | None = None) -> RedactingFilter:
    """Add one redacting filter to `handlers` (default: the root logger's, where every record ends up)."""
    flt = RedactingFilter(secrets)
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt
