"""Console text of a prepared action: the transactions to sign, warnings, links and the near-cli-rs command."""

from __future__ import annotations

from bot.render.action_text import sign_lines, transaction_lines
from bot.render.text.base import render_text
from bot.services.results import ActionResult


@render_text.register
def _(result: ActionResult) -> str:
    lines = [result.summary, "  Transaction(s) for your wallet to sign (the bot never sees a key):"]
    lines += transaction_lines(result.transactions, "    ")
    for warning in result.warnings:
        lines.append(f"  ! {warning}")
    lines += sign_lines(result.links, len(result.transactions), "  ")
    if "mynearwallet_staking" in result.links:
        lines.append(f"  Or use the wallet's staking page: {result.links['mynearwallet_staking']}")
    lines.append("  near-cli-rs:")
    lines.extend(f"    {line}" for line in result.commands["near_cli_rs"].splitlines())
    for step in result.steps:
        lines.append(f"  - {step}")
    return "\n".join(lines)
