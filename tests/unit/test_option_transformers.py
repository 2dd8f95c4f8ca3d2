"""The amount and time options read exactly what the console reads: the planners' own parsers decide, so a word is
refused before the defer only when every planner the command may reach would refuse it, with the same reason."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.discord.options import AmountTransformer, TimeTransformer
from bot.near import errors
from bot.services.actions import parse_amount
from bot.services.lockup_input import parse_at_time


def interaction(pool: str = "") -> Any:
    return SimpleNamespace(namespace=SimpleNamespace(pool=pool), client=SimpleNamespace(network="mainnet"))


STAKE = AmountTransformer(allow_all=False)
WITHDRAW = AmountTransformer(allow_all=True)
UNSTAKE = AmountTransformer(allow_all=True, tokens=True)


@pytest.mark.parametrize("text", ["10", "0.5", ".5", "1,000.25", "5 NEAR", "1500yocto", " 7 "])
async def test_amounts_the_planners_take_pass_unchanged(text: str) -> None:
    for transformer in (STAKE, WITHDRAW, UNSTAKE):
        assert await transformer.transform(interaction(), text) == text


@pytest.mark.parametrize("text", ["abc", "0", "-1", "1,5", "1e3", "1.2.3", "NaN", "1 NEAR NEAR", "", "--to"])
async def test_amounts_every_planner_refuses_are_refused_with_the_planners_reason(text: str) -> None:
    with pytest.raises(errors.InvalidInput) as expected:
        parse_amount(text)
    for transformer in (STAKE, WITHDRAW, UNSTAKE):
        with pytest.raises(ValueError) as refused:
            await transformer.transform(interaction(), text)
        assert str(refused.value) == expected.value.message


async def test_all_only_where_the_command_takes_it() -> None:
    assert await WITHDRAW.transform(interaction(), "ALL") == "ALL"
    assert await UNSTAKE.transform(interaction(), "all") == "all"
    with pytest.raises(ValueError, match="not a number"):
        await STAKE.transform(interaction(), "all")


async def test_unstake_takes_liquid_staking_tokens_and_explains_them_at_a_liquid_contract() -> None:
    assert await UNSTAKE.transform(interaction("meta-pool.near"), "3 stNEAR") == "3 stNEAR"
    assert await UNSTAKE.transform(interaction("alpha.poolv1.near"), "3 LiNEAR") == "3 LiNEAR"  # the planner decides
    with pytest.raises(ValueError, match="inside the number"):  # a stake is in NEAR, also at a liquid contract
        await STAKE.transform(interaction("meta-pool.near"), "3 stNEAR")
    with pytest.raises(ValueError) as refused:
        await UNSTAKE.transform(interaction("meta-pool.near"), "x stNEAR")
    assert "stNEAR" in str(refused.value)  # the token the user holds there, not NEAR


@pytest.mark.parametrize("text", ["2027-01-01", "2027-01-01T12:00:00Z", "2027-01-01T12:00:00+02:00", "2027-01-01 12:00"])
async def test_times_read_as_lockup_at_reads_them(text: str) -> None:
    assert await TimeTransformer().transform(interaction(), text) == parse_at_time(text)


@pytest.mark.parametrize("text", ["next tuesday", "2027-02-30", "1969-12-31", "2027-01-01T25:00"])
async def test_bad_times_are_refused_with_what_to_type(text: str) -> None:
    with pytest.raises(ValueError, match="2027-01-01"):
        await TimeTransformer().transform(interaction(), text)
