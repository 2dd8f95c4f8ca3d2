"""Key-like input is never echoed back (non-negotiable #1)."""

from __future__ import annotations

import os

import base58

from bot.commands import run_line
from bot.safety import looks_like_secret


def fake_secret_key() -> str:
    return "ed25519:" + base58.b58encode(os.urandom(64)).decode()  # generated here, never a real key


def test_detects_secret_keys_with_and_without_prefix() -> None:
    secret = fake_secret_key()
    assert looks_like_secret(secret)
    assert looks_like_secret(secret.removeprefix("ed25519:"))
    assert looks_like_secret("my key is " + secret + " please help")


def test_public_keys_ids_and_sentences_are_fine() -> None:
    public = "ed25519:" + base58.b58encode(os.urandom(32)).decode()
    for text in (public, "status alice.near", "unbonding 9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near",
                 "stake alice.near alpha.poolv1.near 10"):
        assert not looks_like_secret(text), text


async def test_a_pasted_key_is_refused_without_echo() -> None:
    secret = fake_secret_key()
    result, code = await run_line(None, f"status {secret}")  # type: ignore[arg-type]  # no chain is touched
    assert code == 2
    assert result.error_kind == "secret_detected"  # type: ignore[union-attr]
    assert secret[10:30] not in result.message  # type: ignore[union-attr]


async def test_a_damaged_key_or_phrase_is_not_echoed_either() -> None:
    from mnemonic import Mnemonic

    damaged_key = base58.b58encode(os.urandom(64)).decode()[:-3]
    words = Mnemonic("english").generate(128).split()
    words[-1] = "zoo" if words[-1] != "zoo" else "abandon"  # most likely a wrong checksum now
    for text in (f"stake alice.near alpha.poolv1.near {damaged_key}", f"status ed25519:{damaged_key}",
                 "unstake alice.near meta-pool.near " + " ".join(words)):
        result, code = await run_line(None, text)  # type: ignore[arg-type]
        assert code == 2 and result.error_kind == "secret_detected"  # type: ignore[union-attr]
        assert damaged_key[5:25] not in result.message and " ".join(words[:3]) not in result.message  # type: ignore[union-attr]


async def test_implicit_account_ids_are_not_mistaken_for_keys() -> None:
    from bot.safety import might_be_secret

    assert not might_be_secret("status " + "a" * 64)
    assert not might_be_secret("status 98793cd91a3f870fb126f66285808c7e094afcfc4eda8a970f6648cdf0dbd6de")
