"""The refusal every planner raises and the `ActionResult` every planner returns: unsigned transactions, the
wallet links and CLI commands that sign them, and the steps a holder follows. Nothing here signs or could sign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.near import errors
from bot.near.cli_commands import near_cli_legacy, near_cli_rs
from bot.near.transactions import FunctionCall, UnsignedTransaction
from bot.near.wallet_links import mynearwallet_sign_url
from bot.services.chain import Chain
from bot.services.results import ActionCall, ActionKind, ActionResult, ActionTransaction


class ActionRefused(errors.NearError):
    """The action would fail on chain or hurt the user; the message says why and what to do instead."""

    kind = "action_refused"
    bad_input = True


def utc_text(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


SIGN_STEPS = [
    "Open the MyNearWallet link in the browser where you use MyNearWallet, check the receiver, method, "
    "amount and gas on the wallet's screen, then approve. Or run the command with your own key store.",
    "Nobody, this bot included, ever needs your seed phrase or private key.",
]


def single_call(signer: str, receiver: str, call: FunctionCall) -> UnsignedTransaction:
    return UnsignedTransaction(signer, receiver, (call,))


def _links(chain: Chain, transactions: Sequence[UnsignedTransaction], page_url: str | None) -> dict[str, str]:
    """One MyNearWallet link carries every transaction (nonces 1, 2, …; the wallet sends them one after another,
    wallet-links.md §2.3). With more than one, each also gets its own link `mynearwallet_step_<n>`: a 2-transaction
    link is ~700 characters, too long for a Discord link button (512), and a step can be retried alone."""
    links = {"mynearwallet": mynearwallet_sign_url(list(transactions), chain.network)}
    if len(transactions) > 1:
        for index, tx in enumerate(transactions, start=1):
            links[f"mynearwallet_step_{index}"] = mynearwallet_sign_url([tx], chain.network)
    if page_url:
        links["mynearwallet_staking"] = page_url
    return links


def _steps(transactions: Sequence[UnsignedTransaction]) -> list[str]:
    steps = list(SIGN_STEPS)
    if len(transactions) > 1:
        order = "; ".join(
            f"{index}. {tx.receiver_id} {', '.join(a.method_name for a in tx.actions)}"
            for index, tx in enumerate(transactions, start=1)
        )
        steps.insert(
            1,
            f"This takes {len(transactions)} transactions, in this order: {order}. The one link asks the wallet to "
            "sign them one after another (a failure stops the rest). Or use the step links one at a time, each "
            "after the previous one succeeded.",
        )
    return steps


def build_action(
    chain: Chain,
    action: ActionKind,
    signer: str,
    pool_id: str,
    amount: int | None,
    summary: str,
    transactions: Sequence[UnsignedTransaction],
    warnings: list[str],
    page_url: str | None,
    **extra: Any,
) -> ActionResult:
    """The ActionResult for `transactions`, signed in this order by `signer` in their own wallet."""
    return ActionResult(
        action=action,
        signer_id=signer,
        pool_id=pool_id,
        amount_yocto=amount,
        summary=summary,
        transactions=[
            ActionTransaction(
                receiver_id=tx.receiver_id,
                actions=[
                    ActionCall(method_name=a.method_name, args=a.args, gas=a.gas, deposit=a.deposit)
                    for a in tx.actions
                ],
            )
            for tx in transactions
        ],
        links=_links(chain, transactions, page_url),
        commands={
            "near_cli_rs": "\n".join(near_cli_rs(tx, chain.network) for tx in transactions),
            "near_cli_legacy": "\n".join(near_cli_legacy(tx, chain.network) for tx in transactions),
        },
        warnings=warnings,
        steps=_steps(transactions),
        **extra,
    )
