"""Running a command for `ask`, the console and Discord: the secret check on the raw text, the command's service
(bot/registry.py), the steps ready to sign, and every failure turned into a kind ErrorResult with the right exit
code."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from bot.near import errors
from bot.registry import COMMANDS, CommandSpec, parse_line, parse_request, run_request
from bot.requests import CommandRequest
from bot.safety import SECRET_WARNING, might_be_secret
from bot.services.chain import Chain
from bot.services.ready import with_ready_actions
from bot.services.results import ErrorResult, Result

__all__ = ["COMMANDS", "CommandSpec", "help_text", "parse_line", "run_command", "run_line"]

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3


def help_text() -> str:
    lines = ["Commands:"]
    for command in COMMANDS.values():
        lines += [f"  {command.usage}", f"      {command.summary}"]
    lines += ["  help", "      this list"]
    return "\n".join(lines)


def secret_refusal() -> tuple[Result, int]:
    # Never echo, log or process it (the text is not logged anywhere either).
    return ErrorResult(error_kind="secret_detected", message=SECRET_WARNING, exit_code=EXIT_BAD_INPUT), EXIT_BAD_INPUT


async def run_line(chain: Chain, line: str) -> tuple[Result, int]:
    """Run one typed line (console, `ask`); never raises for anything a user can cause. The secret check reads the
    raw line before anything parses it."""
    if might_be_secret(line):
        return secret_refusal()
    return await _guarded(chain, line.split(" ", 1)[0], lambda: parse_request(line))


async def run_command(chain: Chain, request: CommandRequest, *, prepare: bool = True) -> tuple[Result, int]:
    """Run a typed request (Discord: the raw option values were checked for secrets before any transformer ran,
    bot/discord/tree.py). `prepare=False`: the recommended steps stay commands to run (an answer about someone
    else's account signs nothing)."""
    return await _guarded(chain, request.command, lambda: request, prepare=prepare)


async def _guarded(
    chain: Chain, name: str, parse: Callable[[], CommandRequest], *, prepare: bool = True
) -> tuple[Result, int]:
    try:
        result = await run_request(chain, parse())
        # Every recommended step of the answer, ready to sign (bot/services/ready.py).
        return await with_ready_actions(chain, result, plan=prepare), EXIT_OK
    except errors.NearError as exc:
        return error_result(exc), exit_code_for(exc)
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception("incident %s while running the %s command", incident, name[:20])
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
