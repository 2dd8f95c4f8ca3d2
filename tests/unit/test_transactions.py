"""Unsigned transactions, wallet links and CLI lines, byte for byte (wallet-links.md §3, §4, §8)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.near.account_id import AccountIdError
from bot.near.cli_commands import near_cli_legacy, near_cli_rs
from bot.near.staking_calls import pool_deposit_and_stake, pool_unstake, pool_withdraw_all
from bot.near.transactions import FunctionCall, UnsignedTransaction, serialize
from bot.near.wallet_links import mynearwallet_sign_url, sign_payload

VECTOR_HEX = "0a000000616c6963652e6e6561720000000000000000000000000000000000000000000000000000000000000000000000000000000000120000006175726f72612e706f6f6c76312e6e65617200000000000000000000000000000000000000000000000000000000000000000100000002110000006465706f7369745f616e645f7374616b65020000007b7d00d098d4af710000000000a1edccce1bc2d3000000000000"  # noqa: E501
VECTOR_B64 = "CgAAAGFsaWNlLm5lYXIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABIAAABhdXJvcmEucG9vbHYxLm5lYXIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAACEQAAAGRlcG9zaXRfYW5kX3N0YWtlAgAAAHt9ANCY1K9xAAAAAACh7czOG8LTAAAAAAAA"  # noqa: E501
ONE_NEAR = 10**24


def vector_tx() -> UnsignedTransaction:
    return UnsignedTransaction("alice.near", "aurora.poolv1.near", (pool_deposit_and_stake(ONE_NEAR),))


def test_reference_vector_is_byte_exact() -> None:
    raw = serialize(vector_tx(), nonce=0)
    assert len(raw) == 165
    assert raw.hex() == VECTOR_HEX
    assert base64.b64encode(raw).decode() == VECTOR_B64
    assert hashlib.sha256(raw).hexdigest() == "7f63ad3ffad446bee2ef108e4f57428ed762486f08a42d2594aea6070d03dafc"


def test_sign_link_uses_nonce_one_and_encodes_the_callback() -> None:
    url = mynearwallet_sign_url([vector_tx()], "mainnet", callback_url="https://example.org/cb")
    assert url.startswith("https://app.mynearwallet.com/sign?transactions=")
    assert url.endswith("&callbackUrl=https%3A%2F%2Fexample.org%2Fcb")
    query = parse_qs(urlsplit(url).query)
    raw = base64.b64decode(query["transactions"][0])
    assert raw[47:55] == (1).to_bytes(8, "little")  # nonce 1: distinct small nonces per transaction
    assert raw[:47] == bytes.fromhex(VECTOR_HEX)[:47] and raw[55:] == bytes.fromhex(VECTOR_HEX)[55:]


def test_base64_plus_and_slash_are_percent_encoded() -> None:
    # Find an amount whose payload contains "+" and "/" so the query-string pitfall is exercised.
    for k in range(1, 5000):
        amount = (k * 0x0123456789ABCDEF0123456789) % 2**100
        payload = sign_payload([UnsignedTransaction("alice.near", "a.poolv1.near", (pool_deposit_and_stake(amount),))])
        if "+" in payload and "/" in payload:
            break
    else:  # pragma: no cover
        pytest.fail("no payload with + and / found")
    tx = UnsignedTransaction("alice.near", "a.poolv1.near", (pool_deposit_and_stake(amount),))
    url = mynearwallet_sign_url([tx])
    query = url.split("?", 1)[1]
    assert "+" not in query and "/" not in query
    assert "%2B" in query and "%2F" in query


def test_multi_transaction_links_share_one_signer() -> None:
    first = UnsignedTransaction("alice.near", "a.poolv1.near", (pool_unstake(5),))
    second = UnsignedTransaction("alice.near", "b.poolv1.near", (pool_withdraw_all(),))
    payload = sign_payload([first, second])
    parts = payload.split(",")
    assert len(parts) == 2
    assert base64.b64decode(parts[1])[47:55] == (2).to_bytes(8, "little")
    with pytest.raises(ValueError, match="same signer"):
        sign_payload([first, UnsignedTransaction("bob.near", "a.poolv1.near", (pool_unstake(5),))])


def test_invalid_ids_are_refused_before_the_rust_encoder() -> None:
    with pytest.raises(AccountIdError):
        UnsignedTransaction("Alice.near", "a.poolv1.near", (pool_unstake(5),))
    with pytest.raises(ValueError, match="gas"):
        UnsignedTransaction("alice.near", "a.poolv1.near", (FunctionCall("unstake", {}, 0),))


def test_non_payable_calls_attach_nothing() -> None:
    assert pool_unstake(7 * ONE_NEAR).deposit == 0
    assert pool_withdraw_all().deposit == 0
    assert pool_unstake(7 * ONE_NEAR).args == {"amount": "7000000000000000000000000"}


def test_cli_lines() -> None:
    assert near_cli_rs(vector_tx()) == (
        "near contract call-function as-transaction aurora.poolv1.near deposit_and_stake json-args '{}' "
        "prepaid-gas '125 Tgas' attached-deposit '1 NEAR' sign-as alice.near network-config mainnet "
        "sign-with-keychain send"
    )
    unstake = UnsignedTransaction("alice.near", "aurora.poolv1.near", (pool_unstake(7 * ONE_NEAR),))
    assert near_cli_legacy(unstake) == (
        "near call aurora.poolv1.near unstake '{\"amount\":\"7000000000000000000000000\"}' --accountId alice.near "
        "--gas 125000000000000 --networkId mainnet"
    )
    assert "--depositYocto" not in near_cli_legacy(unstake)  # seed-errata A5
