"""Exact amount parsing and display: what a user types is what the bot means, to the yocto."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.near.units import (
    MAX_U128,
    YOCTO_PER_NEAR,
    AmountError,
    format_near,
    parse_near_amount,
    yocto_to_decimal_string,
)


@pytest.mark.parametrize(
    ("text", "yocto"),
    [
        ("10", 10 * YOCTO_PER_NEAR),
        ("0.5", YOCTO_PER_NEAR // 2),
        (".5", YOCTO_PER_NEAR // 2),
        ("1,000.25", 1000 * YOCTO_PER_NEAR + YOCTO_PER_NEAR // 4),
        ("1,000,000", 10**6 * YOCTO_PER_NEAR),
        ("5 NEAR", 5 * YOCTO_PER_NEAR),
        ("5near", 5 * YOCTO_PER_NEAR),
        ("  7 Near ", 7 * YOCTO_PER_NEAR),
        ("1500yocto", 1500),
        ("1500 yoctoNEAR", 1500),
        ("0.000000000000000000000001", 1),
        ("0", 0),
        ("340282366920938463463374607431768211455 yocto", MAX_U128),
    ],
)
def test_accepted_amounts_are_exact(text: str, yocto: int) -> None:
    assert parse_near_amount(text) == yocto


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1,5", 'write "1.5"'),
        ("12,34", "dot"),
        ("1,50,0", "thousands"),
        ("-1", "negative"),
        ("1e3", "exponent"),
        ("NaN", "NaN"),
        ("inf", "NaN"),
        ("1.0000000000000000000000001", "at most 24"),
        ("", "empty"),
        ("NEAR", "no number"),
        ("1.2.3", "more than one decimal point"),
        ("1 000", "spaces"),
        ("1.5yocto", "whole number"),
        ("abc", "not a number"),
        ("340282366920938463463374607431768211456 yocto", "larger"),
        ("１２", "not a number"),
    ],
)
def test_rejected_amounts_say_what_to_type(text: str, hint: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_near_amount(text)
    assert hint.lower() in str(caught.value).lower()


amounts = st.integers(min_value=0, max_value=MAX_U128)


@given(amounts)
def test_exact_decimal_round_trip(yocto: int) -> None:
    assert parse_near_amount(yocto_to_decimal_string(yocto)) == yocto


@given(amounts)
def test_display_with_grouping_parses_back_and_never_rounds_up(yocto: int) -> None:
    shown = format_near(yocto, 5, unit=True)
    if shown.startswith("<"):
        assert 0 < yocto < 10**19
        return
    value = parse_near_amount(shown)
    assert value <= yocto
    assert yocto - value < 10**19  # truncated at the 5th decimal, nothing more


@given(amounts, st.integers(min_value=0, max_value=24))
def test_display_truncates_for_any_precision(yocto: int, decimals: int) -> None:
    shown = format_near(yocto, decimals, unit=False, grouping=False)
    if shown.startswith("<"):
        assert yocto > 0
        return
    assert parse_near_amount(shown) <= yocto


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_amount_error(text: str) -> None:
    try:
        value = parse_near_amount(text)
    except AmountError as exc:
        assert str(exc)
    else:
        assert 0 <= value <= MAX_U128


def test_display_examples() -> None:
    assert format_near(1_234_567 * YOCTO_PER_NEAR + 123_456_789 * 10**15) == "1,234,567.12345 NEAR"
    assert format_near(YOCTO_PER_NEAR - 1) == "0.99999 NEAR"  # never shown as 1 NEAR
    assert format_near(1) == "<0.00001 NEAR"
    assert format_near(0) == "0 NEAR"
    assert yocto_to_decimal_string(15 * 10**23) == "1.5"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        format_near(1.5)  # type: ignore[arg-type]
    with pytest.raises(AmountError):
        parse_near_amount(1.5)  # type: ignore[arg-type]


def test_absurdly_long_numbers_are_refused_kindly() -> None:
    for text in ("1" * 5000, "1" * 5000 + " yocto", "1" + ",000" * 2000, "0." + "1" * 5000):
        with pytest.raises(AmountError) as caught:
            parse_near_amount(text)
        assert len(str(caught.value)) < 300  # and it does not quote the whole input back
