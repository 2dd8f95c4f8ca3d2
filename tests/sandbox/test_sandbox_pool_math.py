"""Pool contract behaviour: share math, asserts and panic texts (near-staking.md §2.2–§2.5)."""

from __future__ import annotations

import base64

import pytest

from bot.sandbox import SandboxChain, ThreadedSandbox
from bot.sandbox.contracts import Env
from bot.sandbox.pool import STAKE_SHARE_PRICE_GUARANTEE_FUND, AccountsMap, DelegatorAccount, poolv1
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.state_layout import POOLV1_MAP_PREFIX, index_key, value_vector_key

from .sandbox_testlib import b64

NEAR = 10**24
T = 11 * 10**29  # 1.1e30, near-staking.md §2.5 worked example
S = 10**30


def example_chain() -> SandboxChain:
    """A bare chain with one pool at total_staked T and total_shares S (price 1.1)."""
    chain = SandboxChain()
    chain.create_account("example.poolv1.near", T + STAKE_SHARE_PRICE_GUARANTEE_FUND)
    pool = chain.deploy("example.poolv1.near", poolv1("owner.near", bytes(32), (10, 100)))
    pool.initialize(Env(chain, "example.poolv1.near", predecessor_account_id="owner.near"))
    pool.total_stake_shares = S  # test setup only: start from the reference's numbers
    chain.create_account("staker.near", 10 * NEAR)
    return chain


def read_account_record(rpc, url: str, pool_id: str, account_id: str) -> tuple[int, int, int]:
    """(unstaked, shares, available epoch) via view_state, the way a client would."""
    params = {"request_type": "view_state", "finality": "final", "account_id": pool_id,
              "prefix_base64": b64(index_key(POOLV1_MAP_PREFIX, account_id)), "limit": 1}
    index_entry = rpc.result(url, "query", params)["values"][0]
    index = int.from_bytes(base64.b64decode(index_entry["value"]), "little")
    params["prefix_base64"] = b64(value_vector_key(POOLV1_MAP_PREFIX, index))
    raw = base64.b64decode(rpc.result(url, "query", params)["values"][0]["value"])
    return (int.from_bytes(raw[:16], "little"), int.from_bytes(raw[16:32], "little"),
            int.from_bytes(raw[32:40], "little"))


def test_worked_example_over_http(rpc, http):
    chain = example_chain()
    pool = chain.contracts["example.poolv1.near"]
    with ThreadedSandbox(chain=chain) as sandbox:
        url = sandbox.url
        body = {"signer_id": "staker.near", "receiver_id": "example.poolv1.near",
                "method_name": "deposit_and_stake", "args": {}, "deposit": str(NEAR)}
        assert http.post(url + "/sandbox/call", json=body).json()["ok"] is True
        unstaked, shares, _ = read_account_record(rpc, url, "example.poolv1.near", "staker.near")
        assert shares == 909090909090909090909090
        assert unstaked == 1  # charged 999999999999999999999999
        view = rpc.view(url, "example.poolv1.near", "get_account", {"account_id": "staker.near"})
        assert view == {"account_id": "staker.near", "unstaked_balance": "1",
                        "staked_balance": "999999999999999999999999", "can_withdraw": True}

        staked_before = pool.total_staked_balance
        body.update(method_name="unstake", args={"amount": str(NEAR // 2)}, deposit="0")
        assert http.post(url + "/sandbox/call", json=body).json()["ok"] is True
        unstaked2, shares2, available = read_account_record(rpc, url, "example.poolv1.near", "staker.near")
        assert shares - shares2 == 454545454545454545454546
        assert unstaked2 - unstaked == 500000000000000000000001
        assert staked_before - pool.total_staked_balance == 500000000000000000000000
        assert available == chain.epoch_height + 4


def test_unstake_all_burns_every_share_and_account_removal_swaps():
    chain = example_chain()
    for name in ("a.near", "b.near", "c.near"):
        chain.create_account(name, 10 * NEAR)
        assert chain.call(name, "example.poolv1.near", "deposit_and_stake", {}, 2 * NEAR).ok
    pool = chain.contracts["example.poolv1.near"]
    assert [k for k, _ in pool.accounts.items()] == ["a.near", "b.near", "c.near"]
    assert chain.call("a.near", "example.poolv1.near", "unstake_all").ok
    assert pool.accounts.get("a.near").stake_shares == 0
    chain.advance(epochs=4)
    assert chain.call("a.near", "example.poolv1.near", "withdraw_all").ok
    # swap_remove: the last entry moved into the freed index 0
    assert [k for k, _ in pool.accounts.items()] == ["c.near", "b.near"]


def test_accounts_map_swap_remove():
    accounts = AccountsMap()
    for name in "abcd":
        accounts.insert(name, DelegatorAccount(stake_shares=1))
    accounts.remove("b")
    assert [k for k, _ in accounts.items()] == ["a", "d", "c"]
    assert accounts.index_of("d") == 1
    accounts.remove("c")
    assert [k for k, _ in accounts.items()] == ["a", "d"]


@pytest.mark.parametrize(
    ("signer", "method", "args", "deposit", "panic"),
    [
        ("alice.near", "withdraw_all", {}, 0, "The unstaked balance is not yet available due to unstaking delay"),
        ("erin.near", "withdraw_all", {}, 0, "Withdrawal amount should be positive"),
        ("erin.near", "unstake_all", {}, 0, "Unstaking amount should be positive"),
        ("erin.near", "unstake", {"amount": "1000"}, 0, "Not enough staked balance to unstake"),
        ("erin.near", "stake", {"amount": "1000"}, 0, "Not enough unstaked balance to stake"),
        ("erin.near", "stake", {"amount": "0"}, 0, "Staking amount should be positive"),
        ("erin.near", "withdraw", {"amount": "5"}, 0, "Not enough unstaked balance to withdraw"),
        ("alice.near", "unstake", {"amount": "1"}, 1, "Method doesn't accept deposit"),
        ("erin.near", "unstake", {"amount": 1000}, 0, "Failed to deserialize input from JSON."),
        ("erin.near", "pause_staking", {}, 0, "Can only be called by the owner"),
    ],
)
def test_panics_have_contract_texts(shared_sandbox, http, signer, method, args, deposit, panic):
    body = {"signer_id": signer, "receiver_id": SCENARIO.pool_id("bravo"), "method_name": method,
            "args": args, "deposit": str(deposit)}
    assert http.post(shared_sandbox.url + "/sandbox/call", json=body).json() == {
        "ok": False, "logs": [], "panic": panic}


def test_staking_farm_names_the_method_when_rejecting_deposit(shared_sandbox, http):
    body = {"signer_id": "bob.near", "receiver_id": SCENARIO.pool_id("charlie"), "method_name": "unstake_all",
            "args": {}, "deposit": "1"}
    reply = http.post(shared_sandbox.url + "/sandbox/call", json=body).json()
    assert reply["panic"] == "Method unstake_all doesn't accept deposit"


def test_failed_call_reverts_everything():
    chain = example_chain()
    pool = chain.contracts["example.poolv1.near"]
    chain.advance(epochs=1)  # the next call pings first, then fails
    before = (pool.total_staked_balance, pool.last_epoch_height, chain.accounts["staker.near"].amount)
    outcome = chain.call("staker.near", "example.poolv1.near", "unstake", {"amount": "5"})
    assert outcome.panic == "Not enough staked balance to unstake"
    assert (pool.total_staked_balance, pool.last_epoch_height, chain.accounts["staker.near"].amount) == before


def test_ping_pays_owner_fee_at_new_share_price():
    chain = example_chain()
    pool = chain.contracts["example.poolv1.near"]
    reward = chain.accounts["example.poolv1.near"].locked // 20_000
    shares_before, staked_before = pool.total_stake_shares, pool.total_staked_balance
    chain.set_validator("example.poolv1.near", "active")
    chain.advance(epochs=1)
    fee = 10 * reward // 100
    assert pool.total_staked_balance == staked_before + reward
    # Delegators' part is added first; the owner buys shares with the fee at that new price.
    assert pool.accounts.get("owner.near").stake_shares == fee * shares_before // (staked_before + reward - fee)
    assert pool.last_epoch_height == chain.epoch_height


def test_unknown_account_views(shared_sandbox, rpc):
    pool = SCENARIO.pool_id("alpha")
    url = shared_sandbox.url
    assert rpc.view(url, pool, "get_account", {"account_id": "nobody.near"}) == {
        "account_id": "nobody.near", "unstaked_balance": "0", "staked_balance": "0", "can_withdraw": True}
    assert rpc.view(url, pool, "is_account_unstaked_balance_available", {"account_id": "nobody.near"}) is True
    assert rpc.view(url, pool, "get_account_total_balance", {"account_id": "nobody.near"}) == "0"
