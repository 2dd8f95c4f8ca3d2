"""MyNearWallet links (wallet-links.md §2). The `/sign` link carries borsh transactions as standard base64,
percent-encoded: MNW parses with query-string, which turns a raw "+" into a space (§2.2)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from urllib.parse import parse_qs, quote, urlencode

from bot.near.account_id import validate_account_id
from bot.near.transactions import UnsignedTransaction, deserialize, serialize

MYNEARWALLET = {"mainnet": "https://app.mynearwallet.com", "testnet": "https://testnet.mynearwallet.com"}
NEARBLOCKS = {"mainnet": "https://nearblocks.io", "testnet": "https://testnet.nearblocks.io"}


def sign_payload(transactions: Sequence[UnsignedTransaction]) -> str:
    """Comma-joined base64 transactions with distinct small nonces 1, 2, ... (§2.3)."""
    if not transactions:
        raise ValueError("at least one transaction is required")
    signers = {tx.signer_id for tx in transactions}
    if len(signers) != 1:
        raise ValueError("MyNearWallet signs a batch only when every transaction has the same signer")
    return ",".join(
        base64.b64encode(serialize(tx, nonce=index + 1)).decode("ascii") for index, tx in enumerate(transactions)
    )


def mynearwallet_sign_url(
    transactions: Sequence[UnsignedTransaction], network: str = "mainnet", callback_url: str | None = None
) -> str:
    params = {"transactions": sign_payload(transactions)}
    if callback_url:
        params["callbackUrl"] = callback_url
    return f"{MYNEARWALLET[network]}/sign?{urlencode(params, quote_via=quote, safe=',')}"


def _path_id(account_id: str) -> str:
    """An account id for a URL path: validated (AccountIdError otherwise) and percent-encoded."""
    return quote(validate_account_id(account_id), safe="")


def mynearwallet_staking_url(pool_id: str, network: str = "mainnet", page: str | None = None) -> str:
    """The staking page for a pool (pre-selects the validator; no amount parameter exists, §2.5)."""
    suffix = f"/{quote(page, safe='')}" if page else ""
    return f"{MYNEARWALLET[network]}/staking/{_path_id(pool_id)}{suffix}"


def mynearwallet_liquid_staking_url(contract_id: str, network: str = "mainnet") -> str:
    """MNW's page for a liquid-staking contract (`/liquid-staking/<id>`, wallet-links.md §2.5)."""
    return f"{MYNEARWALLET[network]}/liquid-staking/{_path_id(contract_id)}"


def nearblocks_account_url(account_id: str, network: str = "mainnet") -> str:
    return f"{NEARBLOCKS[network]}/address/{_path_id(account_id)}"


def parse_sign_url(url: str, network: str = "mainnet") -> list[UnsignedTransaction]:
    """The transactions of a MyNearWallet `/sign` link, in order (ValueError for anything else)."""
    prefix = f"{MYNEARWALLET[network]}/sign?"
    if not url.startswith(prefix):
        raise ValueError("not a MyNearWallet sign link")
    payload = parse_qs(url[len(prefix):], strict_parsing=True).get("transactions")
    if not payload or len(payload) != 1:
        raise ValueError("a sign link has one transactions parameter")
    try:
        parts = [base64.b64decode(part, validate=True) for part in payload[0].split(",")]
    except binascii.Error as exc:
        raise ValueError("a transaction is not base64") from exc
    return [deserialize(part)[0] for part in parts]
