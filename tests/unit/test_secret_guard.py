"""The key and seed-phrase detector (bot.safety): real-format secrets GENERATED here (never real ones) are found,
near-misses are not, and nothing about the secret comes back but its kind."""

from __future__ import annotations

import json
import os
import random
import time

import base58
import pytest
from mnemonic import Mnemonic

from bot.safety import SecretKind, find_secrets, looks_like_secret

ENGLISH = Mnemonic("english")
STRENGTHS = {12: 128, 15: 160, 18: 192, 21: 224, 24: 256}


def b58(size: int) -> str:
    return base58.b58encode(os.urandom(size)).decode()


def secret_key() -> str:
    return "ed25519:" + b58(64)


def phrase(words: int = 12) -> str:
    return ENGLISH.generate(STRENGTHS[words])


def failing_words(count: int, rng: random.Random) -> str:
    """`count` random BIP-39 words in which no run of 12, 15, 18, 21 or 24 has a valid checksum (for 12 words:
    15 in 16 random picks)."""
    while True:
        words = [rng.choice(ENGLISH.wordlist) for _ in range(count)]
        windows = [words[s : s + n] for n in STRENGTHS for s in range(count - n + 1)]
        if not any(ENGLISH.check(" ".join(w)) for w in windows):
            return " ".join(words)


@pytest.mark.parametrize("words", [12, 15, 18, 21, 24])
def test_generated_mnemonics_of_every_length_are_seed_phrases(words: int) -> None:
    for _ in range(5):
        assert find_secrets(phrase(words)) == [SecretKind.SEED_PHRASE]


def test_mnemonics_are_found_however_they_are_written() -> None:
    words = phrase(24).split()
    numbered = "\n".join(f"{i}. {w}" for i, w in enumerate(words, start=1))
    for text in (
        "here is my seed, please help: " + " ".join(words) + " thanks!!",
        numbered,
        ", ".join(words).upper(),
        " ".join(w.capitalize() for w in words),
        "my wallet phrase\n" + "\n".join(words[:12]) + "\n" + "\n".join(words[12:]),
    ):
        assert looks_like_secret(text), text[:40]


def test_private_keys_with_and_without_prefix_and_key_files() -> None:
    key = secret_key()
    assert find_secrets(key) == [SecretKind.PRIVATE_KEY]
    assert find_secrets(key.removeprefix("ed25519:")) == [SecretKind.PRIVATE_KEY]
    assert find_secrets(f"is this right? {key}.") == [SecretKind.PRIVATE_KEY]
    assert find_secrets("secp256k1:" + b58(32)) == [SecretKind.PRIVATE_KEY]
    key_file = json.dumps({"account_id": "alice.near", "public_key": "ed25519:" + b58(32), "private_key": key})
    assert find_secrets(key_file) == [SecretKind.KEY_FILE]
    cli_rs = json.dumps({"implicit_account_id": "ab" * 32, "public_key": "ed25519:" + b58(32),
                         "private_key": key, "seed_phrase_hd_path": "m/44'/397'/0'"}, indent=2)
    assert find_secrets(cli_rs) == [SecretKind.KEY_FILE]
    both = find_secrets(f"{key}\n{phrase()}")
    assert both == [SecretKind.PRIVATE_KEY, SecretKind.SEED_PHRASE]


def test_near_misses_do_not_trigger() -> None:
    rng = random.Random(7)
    near_misses = [
        "My unstake from last week still isn't in my wallet, what should I do about it?",
        "I have tried everything you said and it still does not work, can someone please help me",
        "Which validator has the lowest fee and the best uptime this epoch? I want to move my stake",
        "alice.near", "9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near", "ab" * 32,
        "0x" + "cd" * 20, "aurora.poolv1.near", "status alice.near astro-stakers.poolv1.near",
        "tx " + b58(32),  # a transaction or block hash is 32 bytes of base58
        "ed25519:" + b58(32),  # a public key
        json.dumps({"account_id": "alice.near", "public_key": "ed25519:" + b58(32)}),
        '{"private_key": "ed25519:..."}',  # a redacted key file
        "ed25519:" + b58(48),  # neither 32 nor 64 bytes
        "1 NEAR = 1000000000000000000000000 yocto",
    ]
    # Twelve (and 24) ordinary BIP-39 list words without a valid checksum are just words.
    near_misses += [failing_words(12, rng) for _ in range(40)]
    near_misses += [failing_words(24, rng) for _ in range(10)]
    near_misses += [" ".join(rng.choice(ENGLISH.wordlist) for _ in range(11)) for _ in range(10)]
    for text in near_misses:
        assert not looks_like_secret(text), text


def test_one_word_changed_breaks_the_checksum_most_of_the_time() -> None:
    rng = random.Random(3)
    words = phrase(12).split()
    changed = 0
    for index in range(12):
        other = words.copy()
        other[index] = rng.choice([w for w in ENGLISH.wordlist if w != words[index]])
        changed += not looks_like_secret(" ".join(other))
    assert changed >= 8  # a 4-bit checksum: 1 in 16 altered phrases still checks out


def test_only_the_kind_comes_back() -> None:
    key, words = secret_key(), phrase()
    kinds = find_secrets(f"{key} {words}")
    shown = " ".join(str(k) for k in kinds) + repr(kinds)
    assert key[10:20] not in shown and words.split()[0] not in shown.split()


def test_long_messages_stay_cheap() -> None:
    rng = random.Random(11)
    text = " the ".join(failing_words(12, rng) for _ in range(60))  # 780 words, none a seed phrase
    started = time.perf_counter()
    assert not looks_like_secret(text)
    assert not looks_like_secret(" ".join(["ed25519:" + b58(48)] * 200))
    assert time.perf_counter() - started < 1.0
