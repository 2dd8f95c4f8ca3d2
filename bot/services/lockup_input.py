"""What a person types for `lockup`: `<account_id> [--at <ISO-8601 time>]`, read exactly (Unix seconds, UTC when
no offset is given)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

from bot.near import errors
from bot.near.lockup_state import U64_MAX

NS_PER_SECOND = 1_000_000_000
USAGE = "lockup <account_id> [--at <ISO-8601 time>]"
AT_FORMAT_HELP = (
    "Type a date like 2027-01-01 (midnight UTC) or a date and time like 2027-01-01T12:00:00Z or "
    "2027-01-01T12:00:00+02:00 (times without an offset are UTC)."
)
# Gas of the owner methods (near-staking.md §4.4, CC lockup/src/gas.rs).

# --- input ------------------------------------------------------------------------------------------------------

_AT_PATTERN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?)?"
)


def parse_at_time(text: str) -> int:
    """An ISO-8601 date or date-time typed by a person → Unix seconds (floored). Naive times are UTC."""
    raw = text.strip()
    match = _AT_PATTERN.fullmatch(raw)
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    if match is None:
        raise errors.InvalidInput(f'Could not read the time "{shown}". {AT_FORMAT_HELP}')
    time_part = (match["time"] or "00:00:00").split(".")[0]  # sub-second precision is dropped
    offset = match["offset"] or "Z"
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{time_part}")
        if offset not in ("Z", "z"):
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError("offset out of range")
            moment = moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
        else:
            moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise errors.InvalidInput(f'"{shown}" is not a real date or time. {AT_FORMAT_HELP}') from None
    unix = int(moment.timestamp())
    if unix < 0 or unix * NS_PER_SECOND > U64_MAX:
        raise errors.InvalidInput(
            f'"{shown}" is outside the range a lockup can express (1970-01-01 to 2554-07-21 UTC). {AT_FORMAT_HELP}'
        )
    return unix


def parse_lockup_args(args: Sequence[str]) -> tuple[str, int | None]:
    """`<account_id> [--at <time>]` (also `--at=<time>`, in any order) → (account text, at_unix or None)."""
    account: str | None = None
    at: int | None = None
    seen_at = False
    words = list(args)
    index = 0
    while index < len(words):
        word = words[index]
        value: str | None = None
        if word.lower() == "--at":
            if index + 1 >= len(words):
                raise errors.InvalidInput(f"--at needs a time after it. {AT_FORMAT_HELP} Usage: {USAGE}")
            value = words[index + 1]
            index += 2
        elif word.lower().startswith("--at="):
            value = word[5:]
            index += 1
        elif word.startswith("--"):
            raise errors.InvalidInput(f'Unknown option "{word[:40]}". Usage: {USAGE}')
        else:
            if account is not None:
                raise errors.InvalidInput(f"Name one account. Usage: {USAGE}")
            account = word
            index += 1
            continue
        if seen_at:
            raise errors.InvalidInput(f"Give --at only once. Usage: {USAGE}")
        seen_at = True
        at = parse_at_time(value)
    if account is None:
        raise errors.InvalidInput(f"Name the lockup owner or the lockup account. Usage: {USAGE}")
    return account, at
