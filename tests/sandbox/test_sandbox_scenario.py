"""The default scenario: every role is in the state SCENARIO claims; time travel; FastNEAR API."""

from __future__ import annotations

import pytest

from bot.sandbox import build_default_scenario
from bot.sandbox.scenario import SCENARIO

DELEGATIONS = [pytest.param(d, id=f"{d.account_id}@{d.pool_id}") for d in SCENARIO.delegations]


def test_scenario_is_deterministic():
    first, second = build_default_scenario(), build_default_scenario()
    assert first.head_height == second.head_height
    for pool_id in (p.pool_id for p in SCENARIO.pools.values()):
        assert first.state_items(pool_id) == second.state_items(pool_id)
        assert first.accounts[pool_id] == second.accounts[pool_id]


def test_head_is_mid_epoch_at_realistic_heights(shared_sandbox):
    chain = shared_sandbox.chain
    assert chain.epoch_height == SCENARIO.epoch_height
    assert 140_000_000 < chain.head_height < 160_000_000
    assert 0.2 < (chain.head_height - chain.epoch_start_height) / chain.epoch_length < 0.8


@pytest.mark.parametrize("delegation", DELEGATIONS)
def test_delegation_states(shared_sandbox, rpc, delegation):
    url, epoch = shared_sandbox.url, SCENARIO.epoch_height
    view = rpc.view(url, delegation.pool_id, "get_account", {"account_id": delegation.account_id})
    unstaked, staked = int(view["unstaked_balance"]), int(view["staked_balance"])
    if delegation.state == "staked":
        assert staked > 10**24 and unstaked <= 2 and view["can_withdraw"]
    elif delegation.state == "dust":
        assert 1 <= unstaked <= 2 and staked > 10**24 and view["can_withdraw"]
    elif delegation.state == "withdrawable":
        assert unstaked > 10**24 and view["can_withdraw"] and delegation.available_epoch <= epoch
    else:
        assert delegation.state == "unbonding"
        assert unstaked > 10**24 and not view["can_withdraw"] and delegation.available_epoch > epoch


def test_share_prices_are_realistic(shared_sandbox):
    for info in SCENARIO.pools.values():
        pool = shared_sandbox.chain.contracts[info.pool_id]
        price = pool.total_staked_balance / pool.total_stake_shares
        assert 1.0 <= price < 1.2, info.pool_id


def test_time_travel_makes_carol_withdrawable(sandbox, rpc, http):
    url, charlie = sandbox.url, SCENARIO.pool_id("charlie")
    before = rpc.view(url, charlie, "get_account", {"account_id": "carol.near"})
    assert before["can_withdraw"] is False
    reply = http.post(url + "/sandbox/call", json={"signer_id": "carol.near", "receiver_id": charlie,
                                                   "method_name": "withdraw_all"}).json()
    assert reply["panic"] == "The unstaked balance is not yet available due to unstaking delay"
    staked_before = int(rpc.view(url, "alpha.poolv1.near", "get_account_staked_balance",
                                 {"account_id": "alice.near"}))

    info = http.post(url + "/sandbox/advance", json={"epochs": 1}).json()
    assert info["epoch_height"] == SCENARIO.epoch_height + 1
    assert rpc.result(url, "validators", [None])["epoch_height"] == SCENARIO.epoch_height + 1
    assert rpc.view(url, charlie, "get_account", {"account_id": "carol.near"})["can_withdraw"] is True
    # rewards were distributed at the boundary
    assert int(rpc.view(url, "alpha.poolv1.near", "get_account_staked_balance",
                        {"account_id": "alice.near"})) > staked_before

    balance = int(rpc.result(url, "query", {"request_type": "view_account", "finality": "final",
                                            "account_id": "carol.near"})["amount"])
    reply = http.post(url + "/sandbox/call", json={"signer_id": "carol.near", "receiver_id": charlie,
                                                   "method_name": "withdraw_all"}).json()
    assert reply["ok"] is True
    after = int(rpc.result(url, "query", {"request_type": "view_account", "finality": "final",
                                          "account_id": "carol.near"})["amount"])
    assert after - balance == int(before["unstaked_balance"])
    # the pool forgot carol, FastNEAR still lists the pool
    assert rpc.view(url, charlie, "get_account", {"account_id": "carol.near"})["unstaked_balance"] == "0"
    pools = http.get(url + "/v1/account/carol.near/staking").json()["pools"]
    assert [p["pool_id"] for p in pools] == [charlie]


def test_advance_blocks_never_lands_on_a_skipped_height(sandbox):
    chain = sandbox.chain
    skipped = chain.timeline.skipped_heights(chain.head_height + 1, chain.head_height + 5000)[0]
    head = sandbox.advance(blocks=skipped - chain.head_height)
    assert head == skipped + 1


def test_fastnear_staking_endpoints(shared_sandbox, http):
    url = shared_sandbox.url
    body = http.get(url + "/v1/account/alice.near/staking").json()
    assert body["account_id"] == "alice.near"
    assert {p["pool_id"] for p in body["pools"]} == {"alpha.poolv1.near", "bravo.poolv1.near", "mega.poolv1.near"}
    assert all(isinstance(p["last_update_block_height"], int) for p in body["pools"])
    assert http.get(url + "/v0/account/alice.near/staking").json() == {
        "account_id": "alice.near", "pools": [p["pool_id"] for p in body["pools"]]}
    old = http.get(url + "/v1/account/delegator-000.near/staking").json()["pools"]
    assert old == [{"pool_id": "mega.poolv1.near", "last_update_block_height": None}]
    # a full exit keeps the pool listed
    assert http.get(url + "/v0/account/delegator-003.near/staking").json()["pools"] == ["mega.poolv1.near"]
    for account in ("erin.near", "ghost.near"):
        assert http.get(url + f"/v1/account/{account}/staking").json() == {"account_id": account, "pools": []}
    full = http.get(url + "/v1/account/bob.near/full").json()
    assert set(full) == {"account_id", "pools", "tokens", "nfts", "state"}
    assert full["state"] == {"balance": str(shared_sandbox.chain.accounts["bob.near"].amount), "locked": "0",
                             "storage_bytes": 182}
    assert http.get(url + "/v1/account/ghost.near/full").json()["state"] is None
    assert http.get(url + "/v1/account/bob.near/ft").json() == {"account_id": "bob.near", "tokens": []}
    assert http.get(url + "/v1/account/Bad..id/staking").status_code == 400


def test_the_index_omits_some_delegations_the_pools_hold(shared_sandbox, http, rpc):
    url = shared_sandbox.url
    assert http.get(url + "/v0/account/frank.near/staking").json()["pools"] == ["alpha.poolv1.near"]
    assert http.get(url + "/v1/account/grace.near/staking").json() == {"account_id": "grace.near", "pools": []}
    hidden = [d for d in SCENARIO.delegations if d.account_id in ("frank.near", "grace.near")
              and d.pool_id != "alpha.poolv1.near"]
    assert len(hidden) == 3
    for delegation in hidden:  # the pools themselves know
        view = rpc.view(url, delegation.pool_id, "get_account", {"account_id": delegation.account_id})
        assert int(view["staked_balance"]) > 10**24
