"""The command language shared by `ask`, the console and (later) Discord: parse a line, run a service, and
turn every failure into a kind ErrorResult with the right exit code."""

from __future__ import annotations

import logging
import shlex
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.action_commands import (
    STAKE_USAGE,
    TRANSFER_USAGE,
    UNSTAKE_USAGE,
    VENEAR_USAGE,
    WITHDRAW_USAGE,
    run_stake,
    run_transfer,
    run_unstake,
    run_venear,
    run_withdraw,
)
from bot.near import errors
from bot.near.account_id import is_valid_account_id
from bot.safety import SECRET_WARNING, might_be_secret
from bot.services.chain import Chain
from bot.services.diagnose import get_diagnose
from bot.services.epoch import get_epoch
from bot.services.explain import get_explain
from bot.services.liquid import get_liquid
from bot.services.lockup import get_lockup, parse_lockup_args
from bot.services.pool import get_pool
from bot.services.ready import with_ready_actions
from bot.services.results import ErrorResult, Result
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    min_args: int
    max_args: int | None
    run: Callable[[Chain, list[str]], Awaitable[Result]]


LOCKUP_FLAG_HELP = "[--lockup <lockup_account>]"


def split_lockup_flags(args: list[str], usage: str) -> tuple[list[str], list[str], list[str]]:
    """(the other words, the lockup accounts named with `--lockup <id>`, the linked accounts given with
    `--linked <id>` (Discord passes the user's linked accounts so: lockups among them are attached quietly))."""
    words: list[str] = []
    found: dict[str, list[str]] = {"--lockup": [], "--linked": []}
    index = 0
    while index < len(args):
        word = args[index]
        name, _, inline = word.partition("=")
        if name.lower() in found:
            value = inline or (args[index + 1] if index + 1 < len(args) and not inline else "")
            if not value or value.startswith("--"):
                raise errors.InvalidInput(f"{name.lower()} needs an account id after it. Usage: {usage}")
            found[name.lower()].append(value)
            index += 1 if inline else 2
            continue
        if word.startswith("--"):
            raise errors.InvalidInput(f'Unknown option "{word[:40]}". Usage: {usage}')
        words.append(word)
        index += 1
    if not words:
        raise errors.InvalidInput(f"Usage: {usage}")
    return words, found["--lockup"], [x for x in found["--linked"] if is_valid_account_id(x)]


STATUS_USAGE = f"status <account_id> [<pool_id> ...] {LOCKUP_FLAG_HELP} [--scan]"
UNBONDING_USAGE = f"unbonding <account_id> [<pool_id>] {LOCKUP_FLAG_HELP} [--scan]"
DIAGNOSE_USAGE = f"diagnose <account_id> [<pool_id> ...] {LOCKUP_FLAG_HELP}"


def _take_scan(args: list[str]) -> tuple[list[str], bool]:
    """`--scan`: also check every pool of the validator set, in case the staking index missed a delegation."""
    rest = [word for word in args if word.lower() != "--scan"]
    return rest, len(rest) != len(args)


async def _status(chain: Chain, args: list[str]) -> Result:
    args, scan = _take_scan(args)
    words, lockups, linked = split_lockup_flags(args, STATUS_USAGE)
    return await get_status(chain, words[0], words[1:], lockups=lockups, linked=linked, scan=scan)


async def _unbonding(chain: Chain, args: list[str]) -> Result:
    args, scan = _take_scan(args)
    words, lockups, linked = split_lockup_flags(args, UNBONDING_USAGE)
    if len(words) > 2:
        raise errors.InvalidInput(f"Usage: {UNBONDING_USAGE}")
    return await get_unbonding(chain, words[0], words[1:], lockups=lockups, linked=linked, scan=scan)


async def _diagnose(chain: Chain, args: list[str]) -> Result:
    """Pools after the account (named, or linked in a support message) are checked next to the index."""
    words, lockups, linked = split_lockup_flags(args, DIAGNOSE_USAGE)
    return await get_diagnose(chain, words[0], words[1:], lockups=lockups, linked=linked)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("epoch", "epoch", "current epoch, progress and estimated end", 0, 0, lambda chain, a: get_epoch(chain)),
        Command(
            "pool", "pool <pool_id>", "a staking pool: owner, fee, stake, validator status", 1, 1,
            lambda chain, a: get_pool(chain, a[0]),
        ),
        Command(
            "status", STATUS_USAGE,
            "balance, delegations, lockup and liquid staking (--scan: also every validator's pool, in case the staking "
            "index missed one)", 1, None, _status,
        ),
        Command(
            "unbonding", UNBONDING_USAGE, "when unstaked NEAR (or a veNEAR unlock) becomes withdrawable", 1, None,
            _unbonding,
        ),
        Command(
            "liquid", "liquid <account_id>", "liquid-staking tokens (stNEAR, LiNEAR, rNEAR): value, unstakes, exits",
            1, 1, lambda chain, a: get_liquid(chain, a[0]),
        ),
        Command(
            "lockup", "lockup <account_id> [--at <ISO-8601 time>]",
            "a lockup: locked, owner's and transferable balances, what to do to move more", 1, 3,
            lambda chain, a: get_lockup(chain, *parse_lockup_args(a)),
        ),
        Command(
            "stake", STAKE_USAGE, "a wallet link to stake with a pool, liquid staking or your lockup (you sign)", 3,
            None, run_stake,
        ),
        Command("unstake", UNSTAKE_USAGE, "a wallet link to unstake (you sign)", 3, None, run_unstake),
        Command("withdraw", WITHDRAW_USAGE, "a wallet link to withdraw unstaked NEAR", 2, None, run_withdraw),
        Command(
            "transfer", TRANSFER_USAGE, "a wallet link to move unlocked NEAR out of a lockup (you sign)", 2, None,
            run_transfer,
        ),
        Command(
            "venear", VENEAR_USAGE,
            "a wallet link for your House of Stake lockup: lock, unlock, finish an unlock, relock (you sign)", 2, None,
            run_venear,
        ),
        Command(
            "explain", "explain <topic>", "a short, checked explanation (unbonding, stuck, lockups, liquid staking…)",
            0, None, lambda chain, a: get_explain(chain, " ".join(a)),
        ),
        Command(
            "diagnose", DIAGNOSE_USAGE,
            "why tokens look stuck: every case that applies and what to do next (also checks every validator's pool)",
            1, None, _diagnose,
        ),
    )
}


def help_text() -> str:
    lines = ["Commands:"]
    for command in [*COMMANDS.values()]:
        lines += [f"  {command.usage}", f"      {command.summary}"]
    lines += ["  help", "      this list"]
    return "\n".join(lines)


def parse_line(line: str) -> tuple[Command, list[str]]:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise errors.InvalidInput(f"Could not read that command ({exc}). Check the quotes.") from None
    if not words:
        raise errors.InvalidInput("No command given. " + _try_instead())
    name, args = words[0].lower(), words[1:]
    command = COMMANDS.get(name)
    if command is None:
        raise errors.InvalidInput(f'Unknown command "{words[0][:40]}". ' + _try_instead())
    if len(args) < command.min_args or (command.max_args is not None and len(args) > command.max_args):
        raise errors.InvalidInput(f"Usage: {command.usage}")
    return command, args


def _try_instead() -> str:
    return "Try one of: " + ", ".join(c.usage for c in COMMANDS.values()) + "."


async def run_line(chain: Chain, line: str) -> tuple[Result, int]:
    """Run one command line; never raises for anything a user can cause."""
    return await _guarded(chain, line, lambda: parse_line(line))


async def run_command(chain: Chain, name: str, args: list[str], *, prepare: bool = True) -> tuple[Result, int]:
    """Run a command whose arguments are already split (Discord options). `prepare=False`: the recommended steps
    stay commands to run (an answer about someone else's account signs nothing)."""
    return await _guarded(chain, " ".join([name, *args]), lambda: (COMMANDS[name], args), prepare=prepare)


async def _guarded(
    chain: Chain, line: str, parse: Callable[[], tuple[Command, list[str]]], *, prepare: bool = True
) -> tuple[Result, int]:
    if might_be_secret(line):
        # Never echo, log or process it (the line is not logged below either).
        return ErrorResult(error_kind="secret_detected", message=SECRET_WARNING, exit_code=EXIT_BAD_INPUT), EXIT_BAD_INPUT
    try:
        command, args = parse()
        result = await command.run(chain, args)
        # Every recommended step of the answer, ready to sign (bot/services/ready.py).
        return await with_ready_actions(chain, result, plan=prepare), EXIT_OK
    except errors.NearError as exc:
        return error_result(exc), exit_code_for(exc)
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception("incident %s while running the %s command", incident, line.split(" ", 1)[0][:20])
        return (
            ErrorResult(
                error_kind="internal",
                message="Something went wrong on our side. Quote the incident id if you report it.",
                exit_code=EXIT_FAILED,
                incident_id=incident,
            ),
            EXIT_FAILED,
        )


def exit_code_for(error: errors.NearError) -> int:
    if error.bad_input:
        return EXIT_BAD_INPUT
    if error.unreachable:
        return EXIT_UNREACHABLE
    return EXIT_FAILED


def error_result(error: errors.NearError) -> ErrorResult:
    return ErrorResult(error_kind=error.kind, message=error.message, exit_code=exit_code_for(error))
