"""`lockup` input: the `--at` time parser and argument order, owner vs lockup ids."""

from __future__ import annotations

import pytest

from bot.near import errors
from bot.services.lockup import parse_at_time, parse_lockup_args, resolve_lockup_ids

JAN_1_2027 = 1_798_761_600


@pytest.mark.parametrize(
    ("text", "unix"),
    [
        ("2027-01-01", JAN_1_2027),
        ("2027-01-01T00:00:00Z", JAN_1_2027),
        ("2027-01-01T12:00:00Z", JAN_1_2027 + 12 * 3600),
        ("2027-01-01T12:00", JAN_1_2027 + 12 * 3600),  # naive = UTC
        ("2027-01-01 12:00:00", JAN_1_2027 + 12 * 3600),
        ("2027-01-01T12:00:00+02:00", JAN_1_2027 + 10 * 3600),
        ("2027-01-01T12:00:00-0130", JAN_1_2027 + 13 * 3600 + 1800),
        ("2027-01-01T12:00:00.999Z", JAN_1_2027 + 12 * 3600),  # sub-second dropped
        ("  2027-01-01t00:00z ", JAN_1_2027),
        ("1970-01-01", 0),
    ],
)
def test_at_times(text: str, unix: int) -> None:
    assert parse_at_time(text) == unix


@pytest.mark.parametrize(
    "text",
    ["", "soon", "2027", "2027-1-1", "27-01-01", "2027-02-30", "2027-01-01T24:00", "2027-01-01T12:00+25:00",
     "2027-01-01Z", "2027-01-01T12:00:00 UTC", "1969-12-31T23:59:59Z", "2555-01-01", "@1798761600"],
)
def test_bad_at_times_say_what_to_type(text: str) -> None:
    with pytest.raises(errors.InvalidInput) as caught:
        parse_at_time(text)
    assert "2027-01-01T12:00:00Z" in caught.value.message and caught.value.bad_input


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        (["lena.near"], ("lena.near", None)),
        (["lena.near", "--at", "2027-01-01"], ("lena.near", JAN_1_2027)),
        (["--at", "2027-01-01", "lena.near"], ("lena.near", JAN_1_2027)),
        (["lena.near", "--at=2027-01-01"], ("lena.near", JAN_1_2027)),
        (["lena.near", "--AT", "2027-01-01"], ("lena.near", JAN_1_2027)),
    ],
)
def test_lockup_args(args: list[str], parsed: tuple[str, int | None]) -> None:
    assert parse_lockup_args(args) == parsed


@pytest.mark.parametrize(
    "args",
    [["lena.near", "--at"], ["--at", "2027-01-01"], ["a.near", "b.near"], ["lena.near", "--when", "x"],
     ["lena.near", "--at", "2027-01-01", "--at=2028-01-01"]],
)
def test_bad_lockup_args(args: list[str]) -> None:
    with pytest.raises(errors.InvalidInput):
        parse_lockup_args(args)


def test_owner_and_lockup_ids() -> None:
    assert resolve_lockup_ids("gio3gio.near", "mainnet") == (
        "gio3gio.near", "9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near"
    )
    lockup_id = "9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near"
    assert resolve_lockup_ids(lockup_id, "mainnet") == (None, lockup_id)
    assert resolve_lockup_ids("alice.testnet", "testnet")[1].endswith(".locktest.testnet")
    with pytest.raises(errors.InvalidInput):
        resolve_lockup_ids("Alice.near", "mainnet")
