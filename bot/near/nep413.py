"""NEP-413 signed messages: the bytes a wallet signs and the check of its signature.

near/NEPs neps/nep-0413.md (Final): the wallet borsh-serialises `Payload {message: string, nonce: [u8; 32],
recipient: string, callbackUrl: Option<string>}`, prepends the borsh u32 tag 2^31 + 413, takes the SHA-256 of the
whole and signs that hash with ed25519. It returns `accountId`, `publicKey` ("ed25519:<base58>") and `signature`
(base64). This module only ever sees public keys and signatures: the bot never holds a private key.

The ed25519 check is PyNaCl's (libsodium): a maintained, audited implementation, not hand-written curve code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

import base58
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

NEP413_TAG = 2**31 + 413  # neps/nep-0413.md "Signature" step 3
NONCE_BYTES = 32
ED25519_PREFIX = "ed25519:"


class SignatureProblem(ValueError):
    """The signed message cannot be accepted; the text says why, for a person."""


@dataclass(frozen=True)
class SignedMessage:
    """What a wallet returned (untrusted until `verify_signature` says yes)."""

    account_id: str
    public_key: str  # "ed25519:<base58 of 32 bytes>"
    signature: str  # base64 of 64 bytes


def _borsh_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<I", len(data)) + data


def payload_bytes(message: str, nonce: bytes, recipient: str, callback_url: str | None = None) -> bytes:
    """The tag and the borsh payload, exactly the bytes whose SHA-256 the wallet signs."""
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"a NEP-413 nonce is {NONCE_BYTES} bytes, not {len(nonce)}")
    option = b"\x00" if callback_url is None else b"\x01" + _borsh_string(callback_url)
    return struct.pack("<I", NEP413_TAG) + _borsh_string(message) + nonce + _borsh_string(recipient) + option


def payload_hash(message: str, nonce: bytes, recipient: str, callback_url: str | None = None) -> bytes:
    return hashlib.sha256(payload_bytes(message, nonce, recipient, callback_url)).digest()


def parse_public_key(text: str) -> bytes:
    """The 32 key bytes of "ed25519:<base58>"; other key types are refused (NEP-413 wallets sign with ed25519)."""
    if not isinstance(text, str) or not text.startswith(ED25519_PREFIX):
        raise SignatureProblem("The wallet returned a public key that is not an ed25519 key.")
    try:
        raw = base58.b58decode(text[len(ED25519_PREFIX):])
    except ValueError:
        raise SignatureProblem("The wallet returned a public key that is not valid base58.") from None
    if len(raw) != 32:
        raise SignatureProblem("The wallet returned a public key of the wrong length.")
    return raw


def parse_signature(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SignatureProblem("The wallet returned a signature that is not base64.") from None
    if len(raw) != 64:
        raise SignatureProblem("The wallet returned a signature of the wrong length.")
    return raw


def verify_signature(signed: SignedMessage, message: str, nonce: bytes, recipient: str,
                     callback_urls: tuple[str | None, ...] = (None,)) -> str | None:
    """Check the signature against the payload the bot issued. A browser wallet signs the callback URL it was
    given when it redirects back, and none when it answers a pop-up (MyNearWallet SignMessageWrapper.js), so each
    of `callback_urls` is tried. Returns the callback URL that matched; raises SignatureProblem otherwise."""
    key = VerifyKey(parse_public_key(signed.public_key))
    signature = parse_signature(signed.signature)
    for callback_url in callback_urls:
        try:
            key.verify(payload_hash(message, nonce, recipient, callback_url), signature)
        except BadSignatureError:
            continue
        return callback_url
    raise SignatureProblem(
        "The signature does not match the message I asked you to sign (another message, nonce or recipient)."
    )
