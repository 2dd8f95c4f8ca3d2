"""Liquid-staking chain layer without a network: provider registry, value flooring, account-view parsing."""

from __future__ import annotations

import pytest

from bot.near import errors
from bot.near.liquid import PROVIDERS, _pending_from, near_value, providers_for


def test_registry_per_network() -> None:
    assert [p.contract_id for p in providers_for("mainnet")] == [
        "meta-pool.near", "linear-protocol.near", "lst.rhealab.near"
    ]
    assert [p.contract_id for p in providers_for("testnet")] == ["meta-v2.pool.testnet", "linear-protocol.testnet"]
    assert providers_for("localnet") == ()
    metapool, linear, rhea = PROVIDERS["mainnet"]
    assert (metapool.price_method, metapool.account_views, metapool.instant_exit) == (
        "get_st_near_price", ("get_account_info",), "liquid_unstake"
    )
    assert (linear.price_method, linear.account_views, linear.instant_exit) == ("ft_price", ("get_account_details",), "dex_swap")
    assert rhea.account_views == ("get_account_details", "get_account")


@pytest.mark.parametrize(
    ("balance", "price", "value"),
    [
        (10**24, 1_217_803_217_047_164_700_618_895, 1_217_803_217_047_164_700_618_895),
        (1, 1_999_999_999_999_999_999_999_999, 1),  # 1.999… yocto floors to 1, never 2
        (999_999, 1_000_000_000_000_000_000_000_001, 999_999),
        (0, 5 * 10**24, 0),
    ],
)
def test_near_value_is_floored(balance: int, price: int, value: int) -> None:
    assert near_value(balance, price) == value


def test_metapool_unlock_epoch_is_a_u64_string_and_linear_a_number() -> None:
    metapool, linear, rhea = PROVIDERS["mainnet"]
    mp = _pending_from(metapool, "get_account_info", {
        "unstaked": "640000212345678901234567891", "unstaked_requested_unlock_epoch": "3302", "can_withdraw": False,
    })
    assert (mp.amount, mp.unlock_epoch, mp.can_withdraw) == (640000212345678901234567891, 3302, False)
    ln = _pending_from(linear, "get_account_details", {
        "unstaked_balance": "5", "unstaked_available_epoch_height": 3299, "can_withdraw": True,
    })
    assert (ln.amount, ln.unlock_epoch, ln.can_withdraw) == (5, 3299, True)
    # Rhea's get_account (core-pool shape) has no epoch: unknown, not guessed.
    rh = _pending_from(rhea, "get_account", {"unstaked_balance": "7", "staked_balance": "9", "can_withdraw": False})
    assert (rh.amount, rh.unlock_epoch) == (7, None)


@pytest.mark.parametrize(
    "data",
    [
        {"unstaked": 5, "unstaked_requested_unlock_epoch": "1", "can_withdraw": True},  # U128 as a number
        {"unstaked": "5", "unstaked_requested_unlock_epoch": "-1", "can_withdraw": True},
        {"unstaked": "5", "unstaked_requested_unlock_epoch": "1", "can_withdraw": "yes"},
        ["not", "an", "object"],
    ],
)
def test_malformed_account_views_are_refused(data: object) -> None:
    with pytest.raises(errors.MalformedResponse):
        _pending_from(PROVIDERS["mainnet"][0], "get_account_info", data)
