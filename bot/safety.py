"""Non-negotiable #1: text that holds a private key or seed phrase is never echoed, logged, stored or processed.

Shared by the command layer (`looks_like_secret` refuses a pasted key before anything runs) and the support-channel
guard (`find_secrets` says *which kind* of secret a message holds, so the warning and the log line can name the
kind and nothing else). No function here returns, stores or logs any part of the secret itself.

What counts (each checked by decoding, not by shape alone):

- **NEAR private keys**: `ed25519:` + base58 that decodes to 64 bytes (seed + public key), also without the prefix
  (a bare base58 word of 64 bytes); `secp256k1:` + base58 of 32 bytes. A public key (`ed25519:` + 32 bytes) and a
  transaction or block hash (32 bytes of base58) decode to 32 bytes and are fine to share.
- **BIP-39 seed phrases**: 12, 15, 18, 21 or 24 consecutive words of the English BIP-39 word list whose checksum is
  valid. The word list and the final checksum verdict come from Trezor's `mnemonic` package (the reference
  implementation of BIP-39); a fast exact pre-filter keeps long messages cheap. Twelve ordinary list words without
  a valid checksum (15 in 16 random picks) are not a seed phrase.
- **JSON key files** (near-cli and near-cli-rs credentials: `{"account_id": …, "public_key": …, "private_key":
  "ed25519:…"}`): a `private_key`/`secret_key` field holding a real private key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_BASE58)}
_B58_CLASS = "[" + _BASE58 + "]"
# A key with its curve prefix. 64 bytes of base58 are 86-88 characters, 32 bytes 43-44.
_PREFIXED_KEY = re.compile(r"(?i:(ed25519|secp256k1)):\s?(" + _B58_CLASS + r"{40,100})(?!" + _B58_CLASS + ")")
# A bare base58 word long enough to be 64 bytes (never an account id: those have no uppercase and are ≤ 64 chars).
_BARE_KEY = re.compile(r"(?<!" + _B58_CLASS + r")(" + _B58_CLASS + r"{80,90})(?!" + _B58_CLASS + ")")
_KEY_FIELD = re.compile(r"""["']?(?:private_key|secret_key|privateKey|secretKey)["']?\s*[:=]\s*["']([^"'\s]+)["']""")
_LETTERS = re.compile(r"[A-Za-z]+")

MNEMONIC_LENGTHS = (24, 21, 18, 15, 12)
_MAX_WORDS = 2_000  # words of one text looked at (a Discord message has at most ~700)


class SecretKind(StrEnum):
    PRIVATE_KEY = "private key"
    SEED_PHRASE = "seed phrase"
    KEY_FILE = "key file"


SECRET_WARNING = (
    "That looks like a private key or seed phrase, so the bot ignored it and did not store it. Never share it "
    "with anyone: no real support person or bot needs it. If you pasted a real one anywhere public, move your "
    "funds to a new account now."
)


# -- keys ---------------------------------------------------------------------------------------------------------


def _b58decode_length(text: str) -> int | None:
    """How many bytes `text` decodes to as base58 (Bitcoin alphabet), or None if it is not base58."""
    value = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        value = value * 58 + digit
    leading_zeros = len(text) - len(text.lstrip("1"))
    return leading_zeros + (value.bit_length() + 7) // 8


def _is_private_key(curve: str, encoded: str) -> bool:
    size = _b58decode_length(encoded)
    if curve.lower() == "secp256k1":
        return size == 32  # a secp256k1 secret key; its public key is 64 bytes
    return size == 64  # ed25519 secret key = 32-byte seed + 32-byte public key; a public key is 32 bytes


def _has_private_key(text: str) -> bool:
    for match in _PREFIXED_KEY.finditer(text):
        if _is_private_key(match.group(1), match.group(2)):
            return True
    return any(_b58decode_length(m.group(1)) == 64 for m in _BARE_KEY.finditer(text))


def _has_key_file(text: str) -> bool:
    for match in _KEY_FIELD.finditer(text):
        value = match.group(1)
        curve, _, encoded = value.rpartition(":")
        if _is_private_key(curve or "ed25519", encoded):
            return True
    return False


# -- seed phrases -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bip39() -> tuple[object, dict[str, int]]:
    from mnemonic import Mnemonic  # Trezor's BIP-39 reference implementation (PyPI `mnemonic`)

    english = Mnemonic("english")
    return english, {word: index for index, word in enumerate(english.wordlist)}


def _checksum_ok(indices: list[int]) -> bool:
    """BIP-39 checksum of word indices (exact, fast): the pre-filter before the package's own check."""
    bits = len(indices) * 11
    checksum_bits = bits // 33
    value = 0
    for index in indices:
        value = (value << 11) | index
    entropy = (value >> checksum_bits).to_bytes((bits - checksum_bits) // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return (value & ((1 << checksum_bits) - 1)) == expected


def _has_seed_phrase(text: str) -> bool:
    english, index_of = _bip39()
    words = [w.lower() for w in _LETTERS.findall(text)[:_MAX_WORDS]]
    if len(words) < 12:
        return False
    # Runs of consecutive word-list words (numbering and punctuation between words are skipped above).
    run: list[int] = []
    runs: list[list[int]] = []
    run_words: list[list[str]] = []
    current_words: list[str] = []
    for word in [*words, ""]:
        index = index_of.get(word)
        if index is not None:
            run.append(index)
            current_words.append(word)
            continue
        if len(run) >= 12:
            runs.append(run)
            run_words.append(current_words)
        run, current_words = [], []
    for indices, texts in zip(runs, run_words, strict=True):
        for size in MNEMONIC_LENGTHS:
            for start in range(len(indices) - size + 1):
                if _checksum_ok(indices[start : start + size]) and english.check(  # type: ignore[attr-defined]
                    " ".join(texts[start : start + size])
                ):
                    return True
    return False


# -- the API ------------------------------------------------------------------------------------------------------


def _without_invisibles(text: str) -> str:
    """Zero-width and other format characters removed: hidden inside a key or a word, they would hide it."""
    if text.isascii():
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def find_secrets(text: str) -> list[SecretKind]:
    """The kinds of secret in `text` (empty when none). Never returns any part of the secret."""
    if not text:
        return []
    text = _without_invisibles(text)
    kinds: list[SecretKind] = []
    if _has_key_file(text):
        kinds.append(SecretKind.KEY_FILE)
    elif _has_private_key(text):
        kinds.append(SecretKind.PRIVATE_KEY)
    if _has_seed_phrase(text):
        kinds.append(SecretKind.SEED_PHRASE)
    return kinds


def looks_like_secret(text: str) -> bool:
    return bool(find_secrets(text))


_LONG_BASE58 = re.compile(r"(?<!" + _B58_CLASS + r")(" + _B58_CLASS + r"{60,})(?!" + _B58_CLASS + ")")
_HEX = re.compile(r"[0-9a-f]+")


def might_be_secret(text: str) -> bool:
    """A looser test for text the bot would otherwise quote back (commands, error messages): also a key with a
    character or three missing, or 12+ word-list words with a wrong checksum. A near-miss must not be echoed
    either: the missing part of a damaged key or phrase can be guessed. Not used to delete messages."""
    if looks_like_secret(text):
        return True
    if any(not _HEX.fullmatch(m.group(1)) for m in _LONG_BASE58.finditer(text)):
        return True  # a 64-hex implicit account id is not base58 key material; anything else this long is
    _english, index_of = _bip39()
    run = 0
    for word in _LETTERS.findall(text)[:_MAX_WORDS]:
        run = run + 1 if word.lower() in index_of else 0
        if run >= 12:
            return True
    return False
