"""Exact NEAR amounts: user text <-> integer yoctoNEAR, and formatting for people.

Everything is integer arithmetic on yoctoNEAR (1 NEAR = 10**24 yocto); no float is ever involved.
Display formatting truncates towards zero so a balance is never shown larger than it is.
"""

from __future__ import annotations

import re

YOCTO_PER_NEAR = 10**24
NEAR_DECIMALS = 24
MAX_U128 = 2**128 - 1


class AmountError(ValueError):
    """A user-supplied amount could not be read. The message says what to type instead."""


_UNIT_SUFFIX = re.compile(r"^(?P<number>.*?)\s*(?P<unit>near|Ⓝ|yocto|yoctonear)?$", re.IGNORECASE | re.DOTALL)
_PLAIN_INT = re.compile(r"^\d+$")
_GROUPED_INT = re.compile(r"^\d{1,3}(,\d{3})+$")
_EXAMPLES = 'Type it like "10", "0.5", "1,000.25", "5 NEAR" or "1500yocto".'


def parse_near_amount(text: str) -> int:
    """Parse an amount typed by a person into integer yoctoNEAR.

    Accepted: "10", "0.5", ".5", "1,000.25" (commas only as thousands separators), "5 NEAR",
    and an exact yocto form "1500yocto" / "1500 yoctoNEAR". Rejected with a reason: negatives,
    exponents, NaN/inf, decimal commas ("1,5"), more than 24 fractional digits, values above u128.
    """
    if not isinstance(text, str):
        raise AmountError(f"The amount must be text. {_EXAMPLES}")
    raw = text.strip()
    shown = _shorten(raw)  # error messages quote at most the start of what was typed
    if not raw:
        raise AmountError(f"The amount is empty. {_EXAMPLES}")
    match = _UNIT_SUFFIX.match(raw)
    assert match is not None  # the pattern matches any string
    number = match.group("number").strip()
    unit = (match.group("unit") or "near").lower()
    if not number:
        raise AmountError(f'"{shown}" has a unit but no number. {_EXAMPLES}')
    _reject_obvious_mistakes(raw, number)

    if unit in ("yocto", "yoctonear"):
        if "." in number:
            raise AmountError(f'"{shown}": yoctoNEAR is the smallest unit, so it takes a whole number ("1500yocto").')
        value = _parse_integer_part(raw, number)
    else:
        whole, dot, fraction = number.partition(".")
        if dot and "." in fraction:
            raise AmountError(f'"{shown}" has more than one decimal point. {_EXAMPLES}')
        if not whole and not fraction:
            raise AmountError(f'"{shown}" is not a number. {_EXAMPLES}')
        integer = _parse_integer_part(raw, whole) if whole else 0
        if fraction and not (fraction.isascii() and fraction.isdigit()):
            raise AmountError(f'"{shown}" is not a number. {_EXAMPLES}')
        if len(fraction) > NEAR_DECIMALS:
            raise AmountError(
                f'"{shown}" has {len(fraction)} digits after the decimal point; NEAR has at most 24 '
                "(1 yoctoNEAR = 0.000000000000000000000001 NEAR)."
            )
        value = integer * YOCTO_PER_NEAR + (int(fraction.ljust(NEAR_DECIMALS, "0")) if fraction else 0)
    if value > MAX_U128:
        raise AmountError(f'"{shown}" is larger than any NEAR balance can be.')
    return value


def _reject_obvious_mistakes(raw: str, number: str) -> None:
    shown = _shorten(raw)
    lowered = number.lower()
    if lowered.startswith("-"):
        raise AmountError(f'"{shown}" is negative; amounts must be zero or more. {_EXAMPLES}')
    if lowered.startswith("+"):
        raise AmountError(f'"{shown}" has a sign; write just the number. {_EXAMPLES}')
    if lowered in ("nan", "inf", "infinity") or "e" in lowered:
        raise AmountError(f'"{shown}" is not a plain decimal number (no exponents or NaN). {_EXAMPLES}')
    if "," in number and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", number):
        if re.fullmatch(r"\d+,\d+", number):
            raise AmountError(
                f'"{shown}" uses a comma as the decimal mark. NEAR amounts use a dot: write "{_shorten(number.replace(",", "."))}".'
            )
        raise AmountError(
            f'"{shown}" has commas in the wrong places. Commas may only separate thousands ("1,000,000"); '
            'the decimal mark is a dot ("1.5").'
        )
    if " " in number or "_" in number:
        raise AmountError(f'"{shown}" contains spaces or underscores inside the number. {_EXAMPLES}')


MAX_INTEGER_DIGITS = 39  # 2**128 - 1 has 39 digits: anything longer cannot be a balance


def _parse_integer_part(raw: str, digits: str) -> int:
    shown = _shorten(raw)
    if len(digits.replace(",", "")) > MAX_INTEGER_DIGITS:
        raise AmountError(f'"{shown}" is larger than any NEAR balance can be.')
    if _PLAIN_INT.fullmatch(digits) and digits.isascii():
        return int(digits)
    if _GROUPED_INT.fullmatch(digits) and digits.isascii():
        return int(digits.replace(",", ""))
    if "," in digits:
        raise AmountError(
            f'"{shown}" has commas in the wrong places. Commas may only separate thousands ("1,000,000"); '
            'the decimal mark is a dot ("1.5").'
        )
    raise AmountError(f'"{shown}" is not a number. {_EXAMPLES}')


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def yocto_to_decimal_string(yocto: int) -> str:
    """Exact NEAR value as a decimal string with trailing zeros trimmed ("1.5", "0.000000000000000000000001")."""
    _require_int(yocto)
    sign = "-" if yocto < 0 else ""
    whole, fraction = divmod(abs(yocto), YOCTO_PER_NEAR)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{str(fraction).rjust(NEAR_DECIMALS, '0').rstrip('0')}"


def format_near(yocto: int, decimals: int = 5, *, unit: bool = True, grouping: bool = True) -> str:
    """Human display of an amount, truncated (never rounded up) to `decimals` places.

    A non-zero amount too small to show becomes "<0.00001" so that nobody reads it as nothing.
    """
    _require_int(yocto)
    if not 0 <= decimals <= NEAR_DECIMALS:
        raise ValueError("decimals must be between 0 and 24")
    sign = "-" if yocto < 0 else ""
    magnitude = abs(yocto)
    whole, fraction = divmod(magnitude, YOCTO_PER_NEAR)
    shown_fraction = fraction // 10 ** (NEAR_DECIMALS - decimals) if decimals else 0
    suffix = " NEAR" if unit else ""
    if whole == 0 and shown_fraction == 0 and magnitude != 0:
        smallest = "0." + "0" * (decimals - 1) + "1" if decimals else "1"
        return f"{sign}<{smallest}{suffix}"
    whole_text = f"{whole:,}" if grouping else str(whole)
    fraction_text = str(shown_fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    text = f"{whole_text}.{fraction_text}" if fraction_text else whole_text
    return f"{sign}{text}{suffix}"


def near_to_yocto(near: int) -> int:
    """Whole NEAR to yocto, for constants written in code (e.g. storage minimums)."""
    _require_int(near)
    return near * YOCTO_PER_NEAR


def _require_int(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"amounts are integer yoctoNEAR, got {type(value).__name__}")
