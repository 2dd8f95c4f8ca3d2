"""Where log records go.

The Discord bot is a service: it logs to stderr (docker logs, journald). The commands a person reads (`ask`,
`console`, `doctor`, `sync`, `migrate`) log to a file instead, so a record never lands between two answers; with
`-v` or LOG_LEVEL=DEBUG they log to stderr at DEBUG, for someone who wants to watch.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = ("httpx", "httpcore")  # one line per HTTP request, even at INFO


def log_to_stderr(level: str) -> None:
    _install(logging.StreamHandler(sys.stderr), level)


def log_for_a_person(settings: Settings, *, verbose: bool = False) -> Path | None:
    """Log to stderr at DEBUG when asked, else to the log file; returns the file used (None: stderr)."""
    if logging.getLogger().handlers:
        return None  # already set up (tests that run `main` in-process keep pytest's capture)
    if verbose or settings.log_level == "DEBUG":
        log_to_stderr("DEBUG")
        return None
    path = settings.log_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        # No writable log file (read-only checkout, odd DATABASE_PATH): keep quiet except for real errors.
        _install(logging.StreamHandler(sys.stderr), "ERROR")
        return None
    _install(handler, settings.log_level)
    return path


def _install(handler: logging.Handler, level: str) -> None:
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    logging.captureWarnings(True)  # library warnings go where the records go, not onto the screen
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
