"""Keyless actions against the sandbox: the right transaction, or a refusal that says why.

Every link the bot generates here is also decoded by an independent decoder (`@near-js/transactions` after
MyNearWallet's own `query-string@7` parsing, tests/js) and compared with what the bot meant.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.near import errors
from bot.near.pools import NotAStakingPool
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.services.actions import ActionRefused, plan_stake, plan_unstake, plan_withdraw
from bot.services.chain import Chain
from bot.services.results import ActionResult, ActionTransaction

JS_DIR = Path(__file__).resolve().parents[1] / "js"
NEAR = 10**24
E = SCENARIO.epoch_height


def decode_with_near_js(urls: list[str]) -> list[dict]:
    if shutil.which("node") is None or not (JS_DIR / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Node.js and tests/js/node_modules are required in CI (scripts/test installs them)")
        pytest.skip("Node.js cross-check not installed (run scripts/test)")
    done = subprocess.run(
        ["node", str(JS_DIR / "decode_links.mjs")], input=json.dumps(urls), capture_output=True, text=True,
        timeout=60, check=True,
    )
    return json.loads(done.stdout)


def assert_tx_means(result: ActionResult, meant: ActionTransaction, got: dict) -> None:
    assert got["signerId"] == result.signer_id
    assert got["receiverId"] == meant.receiver_id
    assert [a["methodName"] for a in got["actions"]] == [c.method_name for c in meant.actions]
    for call, action in zip(meant.actions, got["actions"], strict=True):
        assert json.loads(action["args"]) == call.args
        assert int(action["gas"]) == call.gas
        assert int(action["deposit"]) == call.deposit


def assert_link_means(result: ActionResult) -> None:
    """The one link holds every transaction in order (nonces 1, 2, …); with several, each step link holds one."""
    count = len(result.transactions)
    step_keys = [f"mynearwallet_step_{i}" for i in range(1, count + 1)] if count > 1 else []
    assert sorted(k for k in result.links if k.startswith("mynearwallet_step_")) == sorted(step_keys)
    whole, *singles = decode_with_near_js([result.links["mynearwallet"], *(result.links[k] for k in step_keys)])
    assert len(whole["transactions"]) == count
    assert [t["nonce"] for t in whole["transactions"]] == [str(i) for i in range(1, count + 1)]
    for meant, got in zip(result.transactions, whole["transactions"], strict=True):
        assert_tx_means(result, meant, got)
    for meant, single in zip(result.transactions if singles else [], singles, strict=True):
        (got,) = single["transactions"]
        assert_tx_means(result, meant, got)


async def test_stake_builds_a_payable_deposit_and_stake(chain: Chain) -> None:
    result = await plan_stake(chain, "alice.near", "bravo.poolv1.near", "10.5 NEAR")
    (tx,) = result.transactions
    (call,) = tx.actions
    assert (tx.receiver_id, call.method_name, call.args, call.deposit) == (
        "bravo.poolv1.near", "deposit_and_stake", {}, 10 * NEAR + NEAR // 2
    )
    assert call.gas == 125 * 10**12
    assert result.warnings == []
    assert "sign-as alice.near" in result.commands["near_cli_rs"]
    assert result.links["mynearwallet_staking"] == "https://app.mynearwallet.com/staking/bravo.poolv1.near/stake"
    assert_link_means(result)


async def test_stake_more_than_available_is_refused(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="can stake at most"):
        await plan_stake(chain, "erin.near", "alpha.poolv1.near", "43")


async def test_stake_below_one_share_is_refused(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="one pool share"):
        await plan_stake(chain, "alice.near", "alpha.poolv1.near", "1yocto")


@pytest.mark.parametrize("receiver", ["token.sandbox.near", "nocontract.near", "erin.near"])
async def test_stake_to_something_that_is_not_a_pool_is_refused(chain: Chain, receiver: str) -> None:
    with pytest.raises(NotAStakingPool):
        await plan_stake(chain, "alice.near", receiver, "1")


@pytest.mark.parametrize(
    ("pool", "warning"),
    [("kicked.poolv1.near", "kicked out"), ("paused.poolv1.near", "paused")],
)
async def test_stake_with_a_pool_that_will_not_earn_warns(chain: Chain, pool: str, warning: str) -> None:
    result = await plan_stake(chain, "alice.near", pool, "1")
    assert any(warning in w for w in result.warnings)


async def test_unstake_amount_and_all(chain: Chain, truth) -> None:  # type: ignore[no-untyped-def]
    staked = int(truth("alpha.poolv1.near", "get_account", {"account_id": "bob.near"})["staked_balance"])
    some = await plan_unstake(chain, "bob.near", "alpha.poolv1.near", "100")
    (call,) = some.transactions[0].actions
    assert (call.method_name, call.args, call.deposit) == ("unstake", {"amount": str(100 * NEAR)}, 0)
    everything = await plan_unstake(chain, "bob.near", "alpha.poolv1.near", "all")
    assert everything.transactions[0].actions[0].method_name == "unstake_all"
    assert everything.amount_yocto == staked  # "all" is the exact current amount
    assert_link_means(everything)


async def test_unstake_while_withdrawable_warns_to_withdraw_first(chain: Chain) -> None:
    result = await plan_unstake(chain, "bob.near", "alpha.poolv1.near", "1")
    assert any("withdraw first" in w for w in result.warnings)


async def test_unstake_while_unbonding_warns_the_wait_restarts(chain: Chain) -> None:
    result = await plan_unstake(chain, "dave.near", "alpha.poolv1.near", "1")
    assert any("restarts the 4-epoch wait" in w for w in result.warnings)


async def test_unstake_more_than_staked_is_refused(chain: Chain, truth) -> None:  # type: ignore[no-untyped-def]
    staked = int(truth("alpha.poolv1.near", "get_account", {"account_id": "dave.near"})["staked_balance"])
    with pytest.raises(ActionRefused, match="staked"):
        await plan_unstake(chain, "dave.near", "alpha.poolv1.near", f"{staked + 1}yocto")
    ok = await plan_unstake(chain, "dave.near", "alpha.poolv1.near", f"{staked}yocto")
    assert ok.amount_yocto == staked


async def test_withdraw_before_the_epoch_says_when(chain: Chain) -> None:
    with pytest.raises(ActionRefused) as caught:
        await plan_withdraw(chain, "alice.near", "bravo.poolv1.near")
    assert f"epoch {E + 4}" in caught.value.message


async def test_withdraw_when_ready(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await plan_withdraw(chain, "bob.near", "alpha.poolv1.near", "all")
    (call,) = result.transactions[0].actions
    assert (call.method_name, call.args, call.deposit, call.gas) == ("withdraw_all", {}, 0, 175 * 10**12)
    partial = await plan_withdraw(chain, "bob.near", "alpha.poolv1.near", "12.25")
    assert partial.transactions[0].actions[0].args == {"amount": str(12 * NEAR + NEAR // 4)}
    assert_link_means(partial)
    # the sandbox's pool accepts exactly what the link asks for
    outcome = sandbox.call("bob.near", "alpha.poolv1.near", "withdraw", {"amount": str(12 * NEAR + NEAR // 4)})
    assert outcome["ok"], outcome


async def test_withdraw_with_nothing_unstaked_is_refused(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="no unstaked balance"):
        await plan_withdraw(chain, "erin.near", "charlie.pool.near")


async def test_bad_amounts_are_explained(chain: Chain) -> None:
    with pytest.raises(errors.InvalidInput, match="decimal mark"):
        await plan_stake(chain, "alice.near", "bravo.poolv1.near", "1,5")
    with pytest.raises(errors.InvalidInput, match="more than zero"):
        await plan_unstake(chain, "alice.near", "bravo.poolv1.near", "0")
