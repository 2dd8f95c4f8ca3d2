"""The console text's shared parts: UTC times, durations, bars, a validator's duties, and `render_text`,
which hands every registered renderer a cleaned copy of the result (`safe.cleaned_copy`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import singledispatch
from typing import Any

from bot.render.safe import cleaned_copy
from bot.services.pool import ROLE_NAMES
from bot.services.results import PoolProblem, Result, ValidatorInfo

SCAN_FOUND = "found by scanning the validator set: the staking index misses it"


def when(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def when_exact(unix: int) -> str:
    """A moment to the second: an unlock that works from 09:15:08 fails at 09:15 ("Invalid unlock time")."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: int) -> str:
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 48:
        return f"{hours // 24} d {hours % 24} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = max(0, min(width, int(fraction * width)))
    return "█" * filled + "░" * (width - filled)


def role_text(v: ValidatorInfo) -> str:
    if v.role is None:
        return "no duties yet"
    role = ROLE_NAMES[v.role] + (" (endorses chunks only; produces no blocks or chunks)" if v.role == "chunk_validator"
                                 else "")
    if v.below_kickout:
        return f"{role}, below its kickout threshold: at risk of removal at the end of the epoch"
    return f"{role}, low uptime" if v.low_uptime else role


def duty_lines(v: ValidatorInfo) -> list[str]:
    """`blocks: 2,622 of 2,622 expected (100%), kicked out below 80%` for each duty, the role's threshold beside it."""
    lines = []
    for duty in v.duties:
        if duty.kickout_threshold_percent is not None:
            rule = f"kicked out below {duty.kickout_threshold_percent}%"
        else:
            rule = f"not a kickout rule for a {ROLE_NAMES[v.role]}" if v.role else "not a kickout rule"
        lines.append(f"{duty.duty}: {duty.produced:,} of {duty.expected:,} expected ({duty.percent:g}%), {rule}")
    return lines


def problem_and_note_lines(problems: list[PoolProblem], notes: list[str]) -> list[str]:
    return [f"  ! {p.pool_id}: {p.message}" for p in problems] + [f"  note: {note}" for note in notes]


@singledispatch
def _render(result: Result) -> str:
    raise TypeError(f"no text renderer for {type(result).__name__}")


class _TextRenderer:
    """`render_text(result)`: the registered renderer, always given a cleaned copy of the result."""

    def __call__(self, result: Result) -> str:
        return _render(cleaned_copy(result))

    def register(self, func: Callable[..., str]) -> Any:
        return _render.register(func)

    def dispatch(self, result_type: type) -> Callable[..., str]:
        """The renderer registered for `result_type` (the structure tests check every result type has one)."""
        return _render.dispatch(result_type)


render_text = _TextRenderer()
