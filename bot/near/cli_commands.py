"""The same action as a command line the user runs and signs locally (wallet-links.md §8). The bot suggests
keychain or Ledger signing, never a plaintext key."""

from __future__ import annotations

import json
import shlex

from bot.near.transactions import TGAS, UnsignedTransaction
from bot.near.units import yocto_to_decimal_string


def _near(amount: int) -> str:
    return f"{yocto_to_decimal_string(amount)} NEAR"


def _tgas(gas: int) -> str:
    whole, rest = divmod(gas, TGAS)
    if rest:
        raise ValueError("gas budgets are whole TGas")
    return f"{whole} Tgas"


def near_cli_rs(tx: UnsignedTransaction, network: str = "mainnet") -> str:
    """near-cli-rs `contract call-function as-transaction` form: exact gas and deposit, works for every receiver."""
    lines = []
    for action in tx.actions:
        lines.append(
            " ".join(
                [
                    "near contract call-function as-transaction",
                    tx.receiver_id,
                    action.method_name,
                    "json-args",
                    shlex.quote(json.dumps(action.args, separators=(",", ":"))),
                    "prepaid-gas",
                    shlex.quote(_tgas(action.gas)),
                    "attached-deposit",
                    shlex.quote(_near(action.deposit)),
                    "sign-as",
                    tx.signer_id,
                    "network-config",
                    network,
                    "sign-with-keychain send",
                ]
            )
        )
    return "\n".join(lines)


def near_cli_legacy(tx: UnsignedTransaction, network: str = "mainnet") -> str:
    """Deprecated JS near-cli v4 form. Deposit only when non-zero: never `--depositYocto 1` (seed-errata A5)."""
    lines = []
    for action in tx.actions:
        parts = [
            "near call",
            tx.receiver_id,
            action.method_name,
            shlex.quote(json.dumps(action.args, separators=(",", ":"))),
            "--accountId",
            tx.signer_id,
        ]
        if action.deposit:
            parts += ["--depositYocto", str(action.deposit)]
        parts += ["--gas", str(action.gas), "--networkId", network]
        lines.append(" ".join(parts))
    return "\n".join(lines)


