"""Console lines for prepared transactions: an action command's answer, and the steps ready to sign that other
answers carry (bot/services/ready.py). The console keeps the technical details: receiver, method, args, deposit
in yocto, gas, the wallet links and the command that prepares each step."""

from __future__ import annotations

import json

from bot.near.units import format_near
from bot.services.offers import prepared_actions
from bot.services.results import ActionTransaction, PreparedAction, Result


def transaction_lines(transactions: list[ActionTransaction], indent: str) -> list[str]:
    numbered = len(transactions) > 1
    lines = []
    for index, tx in enumerate(transactions, start=1):
        for call in tx.actions:
            lines.append(
                f"{indent}{f'{index}. ' if numbered else ''}{tx.receiver_id}.{call.method_name}"
                f"({json.dumps(call.args, separators=(',', ':'))}) "
                f"deposit {format_near(call.deposit, 24)} ({call.deposit} yocto), gas {call.gas // 10**12} TGas"
            )
    return lines


def sign_lines(links: dict[str, str], count: int, indent: str) -> list[str]:
    lines = [f"{indent}Sign in MyNearWallet: {links['mynearwallet']}"]
    for index in range(1, count + 1) if count > 1 else ():
        step = links.get(f"mynearwallet_step_{index}")
        if step:
            lines.append(f"{indent}Or step {index} alone: {step}")
    return lines


def _ready(number: int, prepared: PreparedAction) -> list[str]:
    head = f"    {number}. {prepared.text}"
    if not prepared.planned:
        return [head, f"       run: {prepared.command}"]
    if not prepared.ready:
        return [f"{head} Not prepared: {prepared.refused}", f"       run: {prepared.command}"]
    lines = [head, *transaction_lines(prepared.transactions, "       ")]
    lines += [f"       ! {warning}" for warning in prepared.warnings]
    lines += sign_lines(prepared.links, len(prepared.transactions), "       ")
    return lines + [f"       same as: {prepared.command}"]


def ready_lines(result: Result) -> list[str]:
    """The answer's recommended steps, most useful first: each ready to sign, refused with the reason, or (beyond
    what one answer prepares) the command to run."""
    steps = prepared_actions(result)
    if not steps:
        return []
    lines = ["  ready to sign (most useful first; you sign in your own wallet, nobody needs your keys):"]
    for number, prepared in enumerate(steps, start=1):
        lines += _ready(number, prepared)
    return lines
