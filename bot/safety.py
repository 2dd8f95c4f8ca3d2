"""A first line of defence for non-negotiable #1: text that looks like a private key or seed phrase is never
echoed, logged or processed; the user is told to treat it as compromised. (The support-channel guard with
BIP-39 checksums builds on this.)"""

from __future__ import annotations

import re

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_PREFIXED_KEY = re.compile(r"ed25519:[" + _BASE58 + r"]{40,}")
# 64-byte ed25519 secret keys are ~87-88 base58 characters; public keys (32 bytes) are ~43-44.
_BARE_SECRET = re.compile(r"(?<![" + _BASE58 + r"])[" + _BASE58 + r"]{80,90}(?![" + _BASE58 + r"])")
_WORDS = re.compile(r"[a-z]+")

SECRET_WARNING = (
    "That looks like a private key or seed phrase, so the bot ignored it and did not store it. Never share it "
    "with anyone: no real support person or bot needs it. If you pasted a real one anywhere public, move your "
    "funds to a new account now."
)


def looks_like_secret(text: str) -> bool:
    if "ed25519:" in text and _PREFIXED_KEY.search(text):
        # A secret key is 64 bytes; a public key (32 bytes) is fine to share, so require the long form.
        return any(len(m.group(0)) - len("ed25519:") >= 80 for m in _PREFIXED_KEY.finditer(text))
    if _BARE_SECRET.search(text):
        return True
    words = text.lower().split()
    return len(words) in (12, 15, 18, 21, 24) and all(_WORDS.fullmatch(w) and 3 <= len(w) <= 8 for w in words)
