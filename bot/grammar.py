"""The text grammar of the console and `ask`: a command's words → its typed request (bot/requests.py).

Positional words plus options in any position: `--lockup <id>` and `--linked <id>` (repeatable), `--scan`,
`--from-lockup`, `--instant`, `--to <id>`, `--at <time>`, each value also inline (`--to=bob.near`). Every
message says what to type instead. Discord never comes through here: the cogs build requests from their options.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from bot.near import errors
from bot.near.account_id import is_valid_account_id
from bot.requests import (
    DiagnoseRequest,
    EpochRequest,
    ExplainRequest,
    LiquidRequest,
    LockupRequest,
    PoolRequest,
    StakeRequest,
    StatusRequest,
    TransferRequest,
    UnbondingRequest,
    UnstakeRequest,
    VenearRequest,
    VenearWord,
    WithdrawRequest,
)
from bot.services import lockup_input
from bot.services.lockup_input import parse_lockup_args
from bot.services.venear_actions import venear_word

LOCKUP_FLAG_HELP = "[--lockup <lockup_account>]"
EPOCH_USAGE = "epoch"
POOL_USAGE = "pool <pool_id>"
LIQUID_USAGE = "liquid <account_id>"
EXPLAIN_USAGE = "explain <topic>"
STATUS_USAGE = f"status <account_id> [<pool_id> ...] {LOCKUP_FLAG_HELP} [--scan]"
UNBONDING_USAGE = f"unbonding <account_id> [<pool_id>] {LOCKUP_FLAG_HELP} [--scan]"
DIAGNOSE_USAGE = f"diagnose <account_id> [<pool_id> ...] {LOCKUP_FLAG_HELP}"
STAKE_USAGE = "stake <account_id> <pool_id> <amount> [--from-lockup] [--lockup <lockup_account>]"
UNSTAKE_USAGE = "unstake <account_id> <pool_id> <amount|all> [--instant] [--from-lockup] [--lockup <lockup_account>]"
WITHDRAW_USAGE = "withdraw <account_id> <pool_id> [<amount>|all] [--from-lockup] [--lockup <lockup_account>]"
TRANSFER_USAGE = "transfer <owner_id> <amount|all> [--to <account_id>] [--lockup <lockup_account>]"
VENEAR_USAGE = "venear <lock|unlock|end-unlock|relock> <owner_id> [<amount>|all] [--lockup <lockup_account>]"

# The options of the action commands. `--lockup <id>` names which lockup (an owner may have a .lockup.near one, a
# House of Stake one, and lockups deployed from the global contract at any id); it implies --from-lockup.
FROM_LOCKUP, INSTANT, TO, LOCKUP = "--from-lockup", "--instant", "--to", "--lockup"
VALUE_FLAGS = frozenset({TO, LOCKUP})

LOCKUP_USAGE = lockup_input.USAGE


def count(args: Sequence[str], low: int, high: int | None, usage: str) -> list[str]:
    """`args` when there are `low` to `high` (None: any number) of them, else the usage."""
    if len(args) < low or (high is not None and len(args) > high):
        raise errors.InvalidInput(f"Usage: {usage}")
    return list(args)


def split_lockup_flags(args: list[str], usage: str) -> tuple[list[str], list[str], list[str]]:
    """(the other words, the lockup accounts named with `--lockup <id>`, the linked accounts given with
    `--linked <id>` (lockups among them are attached quietly))."""
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


def take_scan(args: list[str]) -> tuple[list[str], bool]:
    """`--scan`: also check every pool of the validator set, in case the staking index missed a delegation."""
    rest = [word for word in args if word.lower() != "--scan"]
    return rest, len(rest) != len(args)


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


def _action_words(
    args: Sequence[str], allowed: frozenset[str], need: int, usage: str
) -> tuple[list[str], dict[str, str | bool]]:
    words, flags = split_flags(count(args, need, None, usage), allowed, usage)
    if len(words) < need:
        raise errors.InvalidInput(f"Usage: {usage}")
    return words, flags


def _value(flags: dict[str, str | bool], name: str) -> str | None:
    value = flags.get(name)
    return value if isinstance(value, str) else None


# -- one parser per command ------------------------------------------------------------------------------------


def parse_epoch(args: Sequence[str]) -> EpochRequest:
    count(args, 0, 0, EPOCH_USAGE)
    return EpochRequest()


def parse_pool(args: Sequence[str]) -> PoolRequest:
    return PoolRequest(pool=count(args, 1, 1, POOL_USAGE)[0])


def parse_liquid(args: Sequence[str]) -> LiquidRequest:
    return LiquidRequest(account=count(args, 1, 1, LIQUID_USAGE)[0])


def parse_lockup(args: Sequence[str]) -> LockupRequest:
    account, at = parse_lockup_args(count(args, 1, 3, LOCKUP_USAGE))
    return LockupRequest(account=account, at=at)


def parse_explain(args: Sequence[str]) -> ExplainRequest:
    return ExplainRequest(topic=" ".join(args))


def parse_status(args: Sequence[str]) -> StatusRequest:
    rest, scan = take_scan(count(args, 1, None, STATUS_USAGE))
    words, lockups, linked = split_lockup_flags(rest, STATUS_USAGE)
    return StatusRequest(
        account=words[0], pools=tuple(words[1:]), lockups=tuple(lockups), linked=tuple(linked), scan=scan
    )


def parse_unbonding(args: Sequence[str]) -> UnbondingRequest:
    rest, scan = take_scan(count(args, 1, None, UNBONDING_USAGE))
    words, lockups, linked = split_lockup_flags(rest, UNBONDING_USAGE)
    if len(words) > 2:
        raise errors.InvalidInput(f"Usage: {UNBONDING_USAGE}")
    return UnbondingRequest(
        account=words[0], pool=words[1] if len(words) > 1 else None, lockups=tuple(lockups), linked=tuple(linked),
        scan=scan,
    )


def parse_diagnose(args: Sequence[str]) -> DiagnoseRequest:
    words, lockups, linked = split_lockup_flags(count(args, 1, None, DIAGNOSE_USAGE), DIAGNOSE_USAGE)
    return DiagnoseRequest(account=words[0], pools=tuple(words[1:]), lockups=tuple(lockups), linked=tuple(linked))


def parse_stake(args: Sequence[str]) -> StakeRequest:
    words, flags = _action_words(args, frozenset({FROM_LOCKUP, LOCKUP}), 3, STAKE_USAGE)
    return StakeRequest(
        account=words[0], pool=words[1], amount=" ".join(words[2:]), from_lockup=bool(flags.get(FROM_LOCKUP)),
        lockup=_value(flags, LOCKUP),
    )


def parse_unstake(args: Sequence[str]) -> UnstakeRequest:
    words, flags = _action_words(args, frozenset({FROM_LOCKUP, INSTANT, LOCKUP}), 3, UNSTAKE_USAGE)
    return UnstakeRequest(
        account=words[0], pool=words[1], amount=" ".join(words[2:]), instant=bool(flags.get(INSTANT)),
        from_lockup=bool(flags.get(FROM_LOCKUP)), lockup=_value(flags, LOCKUP),
    )


def parse_withdraw(args: Sequence[str]) -> WithdrawRequest:
    words, flags = _action_words(args, frozenset({FROM_LOCKUP, LOCKUP}), 2, WITHDRAW_USAGE)
    return WithdrawRequest(
        account=words[0], pool=words[1], amount=" ".join(words[2:]) or None, from_lockup=bool(flags.get(FROM_LOCKUP)),
        lockup=_value(flags, LOCKUP),
    )


def parse_transfer(args: Sequence[str]) -> TransferRequest:
    words, flags = _action_words(args, frozenset({TO, LOCKUP}), 2, TRANSFER_USAGE)
    return TransferRequest(
        account=words[0], amount=" ".join(words[1:]), to=_value(flags, TO), lockup=_value(flags, LOCKUP)
    )


def parse_venear(args: Sequence[str]) -> VenearRequest:
    words, flags = _action_words(args, frozenset({LOCKUP}), 2, VENEAR_USAGE)
    return VenearRequest(
        action=cast(VenearWord, venear_word(words[0])), account=words[1], amount=" ".join(words[2:]) or None,
        lockup=_value(flags, LOCKUP),
    )
