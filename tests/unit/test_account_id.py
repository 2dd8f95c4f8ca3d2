"""Account id rules (near-staking.md §7) and lockup id derivation (§4.1)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.near.account_id import (
    AccountIdError,
    AccountKind,
    account_kind,
    is_lockup_account_id,
    is_valid_account_id,
    lockup_account_id,
    validate_account_id,
)

REFERENCE_VALID = [
    "aa", "a-a", "100", "0o", "b-o_w_e-n", "a.b-a.ra", "10-4.8-2", "no_lols",
    "0123456789012345678901234567890123456789012345678901234567890123", "near.a",
]
REFERENCE_INVALID = [
    "a", "A", "-near", "near-", "near.", ".near", "a..near", "0__0", "0_-_0", "_bowen", "hello world", "nEar",
    "0" * 65, "some-complex-address@gmail.com",
]
RULE = re.compile(r"^(([a-z0-9]+[-_])*[a-z0-9]+\.)*([a-z0-9]+[-_])*[a-z0-9]+$", re.ASCII)


@pytest.mark.parametrize("account_id", REFERENCE_VALID)
def test_reference_valid_ids(account_id: str) -> None:
    assert validate_account_id(account_id) == account_id


@pytest.mark.parametrize("account_id", REFERENCE_INVALID)
def test_reference_invalid_ids_have_a_reason(account_id: str) -> None:
    with pytest.raises(AccountIdError) as caught:
        validate_account_id(account_id)
    assert account_id[:20] in str(caught.value) or "short" in str(caught.value)


def test_reasons_are_specific() -> None:
    cases = {
        "Alice.near": 'Did you mean "alice.near"',
        "alice..near": "two separators",
        "alice near": "a space",
        "alice.near.": "ends with",
        "x": "too short",
    }
    for text, reason in cases.items():
        with pytest.raises(AccountIdError, match=re.escape(reason)):
            validate_account_id(text)


@pytest.mark.parametrize("text", ["Bob..Wallet.near", "Bob.near.", "-Bob.near", "Bob near", "ÄB.near", "B"])
def test_a_lowercase_suggestion_is_always_a_valid_id(text: str) -> None:
    with pytest.raises(AccountIdError) as caught:
        validate_account_id(text)
    message = str(caught.value)
    assert "Did you mean" not in message  # lowercase alone would not make it valid
    assert "capital letters" in message or text == "B"


@given(st.text(alphabet="abzAZ09-_. ", min_size=1, max_size=70))
def test_every_suggested_id_is_valid(text: str) -> None:
    try:
        validate_account_id(text)
    except AccountIdError as exc:
        suggestion = re.search(r'Did you mean "([^"]*)"', str(exc))
        assert suggestion is None or is_valid_account_id(suggestion.group(1))


@given(st.text(alphabet="abz09-_.A @", min_size=0, max_size=70))
def test_validation_agrees_with_the_reference_rule(text: str) -> None:
    expected = 2 <= len(text) <= 64 and RULE.fullmatch(text) is not None
    assert is_valid_account_id(text) == expected or text != text.strip()


@given(st.from_regex(RULE, fullmatch=True).filter(lambda s: 2 <= len(s) <= 64))
def test_every_rule_conforming_id_is_accepted(account_id: str) -> None:
    assert validate_account_id(account_id) == account_id


def test_kinds() -> None:
    assert account_kind("0x" + "a" * 40) is AccountKind.ETH_IMPLICIT
    assert account_kind("f" * 64) is AccountKind.NEAR_IMPLICIT
    assert account_kind("0s" + "1" * 40) is AccountKind.NEAR_DETERMINISTIC
    assert account_kind("alice.near") is AccountKind.NAMED
    assert account_kind("0x" + "A" * 40) is AccountKind.NAMED  # uppercase hex is not eth-implicit (and invalid)


def test_lockup_ids_from_the_reference() -> None:
    assert lockup_account_id("gio3gio.near") == "9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near"
    assert lockup_account_id("alice.near") == "2dd5dda540767b3a1aa33544bcba38042f4df6de.lockup.near"
    assert is_lockup_account_id("2dd5dda540767b3a1aa33544bcba38042f4df6de.lockup.near")
    assert not is_lockup_account_id("alice.near")


def test_lockup_of_an_invalid_owner_is_refused() -> None:
    with pytest.raises(AccountIdError):
        lockup_account_id("Alice.near")
