"""NEP-413 payloads and signatures, checked against an independent implementation (@near-js/signers in Node,
tests/js/sign_nep413.mjs) with generated test keys, and against the NEP's own rules."""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from bot.near.nep413 import SignatureProblem, SignedMessage, payload_bytes, verify_signature
from tests.wallet_keys import TestWallet

JS_DIR = Path(__file__).resolve().parents[1] / "js"
NONCE = bytes(range(32))


def sign_with_near_js(cases: list[dict]) -> list[dict]:
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Node.js and tests/js/node_modules are required in CI (scripts/test installs them)")
        pytest.skip("Node.js cross-check not installed (run scripts/test)")
    done = subprocess.run(["node", str(JS_DIR / "sign_nep413.mjs")], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_payload_layout_follows_the_nep() -> None:
    raw = payload_bytes("hi", NONCE, "myapp.com", "myapp.com/callback")
    assert raw[:4] == struct.pack("<I", 2147484061)  # 2^31 + 413, little-endian u32
    assert raw[4:10] == b"\x02\x00\x00\x00hi" and raw[10:42] == NONCE
    assert raw[42:55] == b"\x09\x00\x00\x00myapp.com"
    assert raw[55:] == b"\x01" + struct.pack("<I", 18) + b"myapp.com/callback"
    assert payload_bytes("hi", NONCE, "myapp.com")[-1:] == b"\x00"  # no callback URL: borsh None
    with pytest.raises(ValueError):
        payload_bytes("hi", NONCE[:31], "myapp.com")


@pytest.mark.parametrize("callback_url", [None, "https://bot.example/verify/abc"])
def test_signatures_match_near_js(callback_url: str | None) -> None:
    wallet = TestWallet("alice.near")
    message = "Verify alice.near for Discord user 1234 on NEAR staking bot. Nonce-bound, no transaction."
    nonce = os.urandom(32)
    (js,) = sign_with_near_js([{
        "secretKey": wallet.secret_key, "accountId": wallet.account_id, "message": message,
        "recipient": "staking-bot.example", "nonce": base64.b64encode(nonce).decode(), "callbackUrl": callback_url,
    }])
    assert js["publicKey"] == wallet.public_key
    ours = wallet.sign(message, nonce, "staking-bot.example", callback_url)
    assert js["signature"] == ours.signature  # ed25519 is deterministic: the same bytes were signed
    from_js = SignedMessage("alice.near", js["publicKey"], js["signature"])
    urls = (None, "https://bot.example/verify/abc")
    assert verify_signature(from_js, message, nonce, "staking-bot.example", urls) == callback_url


def test_non_ascii_is_where_implementations_part() -> None:
    """Why the bot's messages are ASCII: borsh-js 1.0.0 (under @near-js/signers 2.5.1) writes a string's UTF-16
    code units as bytes, while borsh itself (and this module) writes UTF-8. An ASCII message signs the same
    everywhere; this test notices if that difference ever goes away or changes."""
    wallet = TestWallet("alice.near")
    (js,) = sign_with_near_js([{"secretKey": wallet.secret_key, "accountId": "alice.near", "message": "ü",
                                "recipient": "r", "nonce": base64.b64encode(NONCE).decode()}])
    assert js["signature"] != wallet.sign("ü", NONCE, "r").signature
    assert payload_bytes("ü", NONCE, "r")[4:10] == b"\x02\x00\x00\x00" + "ü".encode()


def test_any_change_breaks_the_signature() -> None:
    wallet = TestWallet("alice.near")
    signed = wallet.sign("hello", NONCE, "bot")
    assert verify_signature(signed, "hello", NONCE, "bot") is None
    for message, nonce, recipient in [("hello!", NONCE, "bot"), ("hello", bytes(32), "bot"), ("hello", NONCE, "bot2")]:
        with pytest.raises(SignatureProblem, match="does not match"):
            verify_signature(signed, message, nonce, recipient)
    other = TestWallet("mallory.near").sign("hello", NONCE, "bot")
    forged = SignedMessage("alice.near", wallet.public_key, other.signature)
    with pytest.raises(SignatureProblem):
        verify_signature(forged, "hello", NONCE, "bot")


@pytest.mark.parametrize(("public_key", "signature", "problem"), [
    ("secp256k1:abc", "AAAA", "not an ed25519"),
    ("ed25519:0OIl", "AAAA", "not valid base58"),
    ("ed25519:1111", "AAAA", "wrong length"),
    (None, "AAAA", "not an ed25519"),
])
def test_malformed_keys_are_refused(public_key, signature, problem) -> None:
    with pytest.raises(SignatureProblem, match=problem):
        verify_signature(SignedMessage("a.near", public_key, signature), "m", NONCE, "r")


@pytest.mark.parametrize("signature", ["not base64!", base64.b64encode(b"x" * 63).decode(), ""])
def test_malformed_signatures_are_refused(signature: str) -> None:
    key = TestWallet("a.near").public_key
    with pytest.raises(SignatureProblem):
        verify_signature(SignedMessage("a.near", key, signature), "m", NONCE, "r")
