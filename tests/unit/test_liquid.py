"""Liquid-staking chain layer without a network: provider registry, value flooring, account-view parsing, the wait
of a new unstake (settlement +1) and Meta Pool's is_close rule."""

from __future__ import annotations

import pytest

from bot.near import errors
from bot.near.liquid import PROVIDERS, _pending_from, metapool_takes_all, near_value, providers_for
from bot.near.liquid_readiness import new_unstake_wait


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
    # Each provider's own field for the unlock epoch (MP types.rs, LN view.rs, RN account.rs).
    assert (metapool.unlock_field, linear.unlock_field, rhea.unlock_field) == (
        "unstaked_requested_unlock_epoch", "unstaked_available_epoch_height", "last_unstake_request_epoch_height"
    )


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
    assert (mp.amount, mp.unlock_epoch, mp.unlock_reached) == (640000212345678901234567891, 3302, False)
    ln = _pending_from(linear, "get_account_details", {
        "unstaked_balance": "5", "unstaked_available_epoch_height": 3299, "can_withdraw": True,
    })
    assert (ln.amount, ln.unlock_epoch, ln.unlock_reached) == (5, 3299, True)
    rd = _pending_from(rhea, "get_account_details", {
        "account_id": "dave.near", "unstaked_balance": "30", "staked_balance": "1",
        "last_unstake_request_epoch_height": 3303, "can_withdraw": False,
    })
    assert (rd.amount, rd.unlock_epoch, rd.unlock_reached) == (30, 3303, False)
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


@pytest.mark.parametrize(
    ("key", "settlements", "epochs", "words"),
    [
        ("linear", (3300,), 5, "has already run its settlement for epoch 3300"),  # LN internal.rs: +1
        ("linear", (3299,), 4, "5 after it"),  # not settled yet: 4, or 5 if it lands after the settlement
        ("linear", None, 4, "could not be read"),
        ("linear", (7_000_000_000,), 4, "could not be read"),  # not an epoch: a layout that does not match
        ("rhea", (3299, 3300), 5, "already run"),  # RN: an initiated settlement counts too
        ("rhea", (3299, 0), 4, "has not yet run"),
    ],
)
def test_a_new_linear_or_rhea_unstake_waits_one_more_epoch_after_the_settlement(
    key: str, settlements: tuple[int, ...] | None, epochs: int, words: str
) -> None:
    provider = next(p for p in PROVIDERS["mainnet"] if p.key == key)
    wait = new_unstake_wait(provider, 3300, live_delay=None, settlements=settlements)
    assert wait.epochs == epochs and words in (wait.note or "")


def test_meta_pool_waits_what_the_contract_says() -> None:
    metapool = PROVIDERS["mainnet"][0]
    assert new_unstake_wait(metapool, 3300, live_delay=8, settlements=None) == new_unstake_wait(
        metapool, 3300, live_delay=8, settlements=(3300,)
    )  # no settlement +1 at Meta Pool
    assert new_unstake_wait(metapool, 3300, live_delay=8, settlements=None).epochs == 8
    unknown = new_unstake_wait(metapool, 3300, live_delay=None, settlements=None)
    assert unknown.epochs == 4 and "could not be read" in (unknown.note or "")


@pytest.mark.parametrize(
    ("requested", "owned", "all_of_it"),
    [
        (10**24 - 10**21, 10**24, True),  # exactly 0.001 below: all (MP utils.rs is_close is inclusive)
        (10**24 - 10**21 - 1, 10**24, False),
        (10**24 + 10**21, 10**24, True),
        (5 * 10**20, 10**21, True),  # a balance under 0.001: any amount is all of it
    ],
)
def test_metapool_is_close_compares_shares(requested: int, owned: int, all_of_it: bool) -> None:
    assert metapool_takes_all(requested, owned) is all_of_it
