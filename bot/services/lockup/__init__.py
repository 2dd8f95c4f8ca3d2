""""How much of my lockup can I actually move?": a lockup's locked, owner's and transferable balances, and what the
owner must do to move more. Reading (reading.py, finding.py), computing (computing.py; House of Stake: venear.py),
advice (advice.py) and assembling (assembling.py); this module names what the rest of the bot uses."""

from bot.services.lockup.advice import GAS_TGAS
from bot.services.lockup.assembling import get_lockup, lockup_summaries, lockup_summary
from bot.services.lockup.reading import (
    LockupStateUnreadable,
    NoLockup,
    NotALockup,
    read_pool,
    resolve_lockup_ids,
)
from bot.services.lockup_input import AT_FORMAT_HELP, USAGE, parse_at_time, parse_lockup_args

__all__ = [
    "AT_FORMAT_HELP",
    "GAS_TGAS",
    "USAGE",
    "LockupStateUnreadable",
    "NoLockup",
    "NotALockup",
    "get_lockup",
    "lockup_summaries",
    "lockup_summary",
    "parse_at_time",
    "parse_lockup_args",
    "read_pool",
    "resolve_lockup_ids",
]
