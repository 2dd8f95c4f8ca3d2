"""The action commands' words → service calls: positional words plus the flags `--from-lockup`, `--instant` and
`--to <account>` (also `--to=<account>`), in any position. Used by bot/commands.py (console, JSON, Discord)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.near import errors
from bot.services.actions import plan_stake, plan_unstake, plan_withdraw
from bot.services.chain import Chain
from bot.services.lockup_transfer import plan_lockup_transfer
from bot.services.results import ActionResult
from bot.services.venear_actions import plan_venear

STAKE_USAGE = "stake <account_id> <pool_id> <amount> [--from-lockup] [--lockup <lockup_account>]"
UNSTAKE_USAGE = "unstake <account_id> <pool_id> <amount|all> [--instant] [--from-lockup] [--lockup <lockup_account>]"
WITHDRAW_USAGE = "withdraw <account_id> <pool_id> [<amount>|all] [--from-lockup] [--lockup <lockup_account>]"
TRANSFER_USAGE = "transfer <owner_id> <amount|all> [--to <account_id>] [--lockup <lockup_account>]"
VENEAR_USAGE = "venear <lock|unlock|end-unlock|relock> <owner_id> [<amount>|all] [--lockup <lockup_account>]"

# `--lockup <id>` names which lockup (an owner may have a .lockup.near one, a House of Stake one, and lockups
# deployed from the global contract at any id); it implies --from-lockup.
VALUE_FLAGS = frozenset({"--to", "--lockup"})


def split_flags(
    args: Sequence[str], allowed: frozenset[str], usage: str
) -> tuple[list[str], dict[str, str | bool]]:
    """(positional words, {flag: True or its value}); unknown or repeated flags are explained."""
    words: list[str] = []
    flags: dict[str, str | bool] = {}
    items = list(args)
    index = 0
    while index < len(items):
        word = items[index]
        index += 1
        if not word.startswith("--"):
            words.append(word)
            continue
        name, _, inline = word.partition("=")
        name = name.lower()
        if name not in allowed:
            hint = f" Options here: {', '.join(sorted(allowed))}." if allowed else ""
            raise errors.InvalidInput(f'Unknown option "{word[:40]}".{hint} Usage: {usage}')
        if name in flags:
            raise errors.InvalidInput(f"Give {name} only once. Usage: {usage}")
        if name in VALUE_FLAGS:
            if inline:
                flags[name] = inline
            elif index < len(items) and not items[index].startswith("--"):
                flags[name] = items[index]
                index += 1
            else:
                raise errors.InvalidInput(f"{name} needs an account id after it. Usage: {usage}")
        else:
            if inline:
                raise errors.InvalidInput(f"{name} takes no value. Usage: {usage}")
            flags[name] = True
    return words, flags


def _need(words: list[str], count: int, usage: str) -> None:
    if len(words) < count:
        raise errors.InvalidInput(f"Usage: {usage}")


def _text(flags: dict[str, str | bool], name: str) -> str | None:
    value = flags.get(name)
    return value if isinstance(value, str) else None


async def run_stake(chain: Chain, args: list[str]) -> ActionResult:
    words, flags = split_flags(args, frozenset({"--from-lockup", "--lockup"}), STAKE_USAGE)
    _need(words, 3, STAKE_USAGE)
    return await plan_stake(
        chain, words[0], words[1], " ".join(words[2:]), from_lockup=bool(flags.get("--from-lockup")),
        lockup_id=_text(flags, "--lockup"),
    )


async def run_unstake(chain: Chain, args: list[str]) -> ActionResult:
    words, flags = split_flags(args, frozenset({"--from-lockup", "--instant", "--lockup"}), UNSTAKE_USAGE)
    _need(words, 3, UNSTAKE_USAGE)
    return await plan_unstake(
        chain, words[0], words[1], " ".join(words[2:]),
        from_lockup=bool(flags.get("--from-lockup")), instant=bool(flags.get("--instant")),
        lockup_id=_text(flags, "--lockup"),
    )


async def run_withdraw(chain: Chain, args: list[str]) -> ActionResult:
    words, flags = split_flags(args, frozenset({"--from-lockup", "--lockup"}), WITHDRAW_USAGE)
    _need(words, 2, WITHDRAW_USAGE)
    return await plan_withdraw(
        chain, words[0], words[1], " ".join(words[2:]) or None, from_lockup=bool(flags.get("--from-lockup")),
        lockup_id=_text(flags, "--lockup"),
    )


async def run_transfer(chain: Chain, args: list[str]) -> ActionResult:
    words, flags = split_flags(args, frozenset({"--to", "--lockup"}), TRANSFER_USAGE)
    _need(words, 2, TRANSFER_USAGE)
    return await plan_lockup_transfer(
        chain, words[0], " ".join(words[1:]), _text(flags, "--to"), _text(flags, "--lockup")
    )


async def run_venear(chain: Chain, args: list[str]) -> ActionResult:
    words, flags = split_flags(args, frozenset({"--lockup"}), VENEAR_USAGE)
    _need(words, 2, VENEAR_USAGE)
    return await plan_venear(chain, words[0], words[1], " ".join(words[2:]) or None, _text(flags, "--lockup"))
