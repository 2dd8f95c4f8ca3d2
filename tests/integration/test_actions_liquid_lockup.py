"""Keyless actions for liquid staking and lockup-owned funds, against the sandbox.

Every generated link (the all-steps link and each step link) is decoded by the independent JS decoder, and the
generated calls are then executed on the sandbox with exactly the generated signer, receiver, method, args and
deposit, to prove the (simulated) contracts accept them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.commands import run_line
from bot.near import errors
from bot.near.account_id import lockup_account_id
from bot.near.units import format_near
from bot.sandbox import ThreadedSandbox
from bot.sandbox.lockups import LOCKUPS
from bot.sandbox.scenario import SCENARIO
from bot.services.actions import ActionRefused, plan_stake, plan_unstake, plan_withdraw
from bot.services.chain import Chain
from bot.services.lockup_transfer import plan_lockup_transfer
from bot.services.results import ActionResult

from .test_actions import assert_link_means

NEAR = 10**24
TGAS = 10**12
E = SCENARIO.epoch_height
View = Callable[[str, str, dict[str, Any] | None], Any]


def execute(sandbox: ThreadedSandbox, result: ActionResult) -> list[dict[str, Any]]:
    """Run every generated call on the sandbox, in order, exactly as generated; each must succeed."""
    outcomes = []
    for tx in result.transactions:
        for call in tx.actions:
            outcome = sandbox.call(result.signer_id, tx.receiver_id, call.method_name, dict(call.args), call.deposit)
            assert outcome["ok"], (call.method_name, outcome)
            outcomes.append(outcome)
    return outcomes


def methods(result: ActionResult) -> list[str]:
    return [call.method_name for tx in result.transactions for call in tx.actions]


def final_view(sandbox: ThreadedSandbox, account_id: str, method: str) -> Any:
    height = sandbox.chain.final_height()  # the bot reads lockups at the final block
    return json.loads(sandbox.run_on_loop(lambda: sandbox.chain.view_call(account_id, method, b"{}", block_height=height)))


def balance(sandbox: ThreadedSandbox, account_id: str) -> int:
    return sandbox.run_on_loop(lambda: sandbox.chain.accounts[account_id].amount)


# --- Meta Pool ------------------------------------------------------------------------------------------------------


async def test_metapool_stake_is_payable_with_wallet_gas(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    before = int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))
    result = await plan_stake(chain, "alice.near", "meta-pool.near", "20")
    (tx,) = result.transactions
    (call,) = tx.actions
    assert (tx.receiver_id, call.method_name, call.args, call.deposit, call.gas) == (
        "meta-pool.near", "deposit_and_stake", {}, 20 * NEAR, 50 * TGAS
    )
    assert result.via == "liquid_staking" and result.symbol == "stNEAR"
    assert result.links["mynearwallet_staking"] == "https://app.mynearwallet.com/liquid-staking/meta-pool.near/stake"
    assert_link_means(result)
    execute(sandbox, result)
    minted = int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"})) - before
    price = int(truth("meta-pool.near", "get_st_near_price"))
    assert abs(minted - 20 * NEAR * NEAR // price) <= 10**6  # the price view is floored: rounding only
    assert "stNEAR" in result.summary


async def test_metapool_stake_below_the_minimum_deposit_is_refused(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="at least 10 NEAR"):
        await plan_stake(chain, "alice.near", "meta-pool.near", "5")


async def test_metapool_delayed_unstake_takes_tokens_and_sends_near(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    before = int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))
    price = int(truth("meta-pool.near", "get_st_near_price"))
    result = await plan_unstake(chain, "alice.near", "meta-pool.near", "100")
    (call,) = result.transactions[0].actions
    value = 100 * NEAR * price // NEAR
    assert (call.method_name, call.args, call.deposit, call.gas) == ("unstake", {"amount": str(value)}, 0, 125 * TGAS)
    assert result.token_amount == 100 * NEAR and result.amount_yocto == value
    text = " ".join(result.warnings)
    assert "1 stNEAR = " in text and f"epoch {E + 4}" in text
    quote = int(truth("meta-pool.near", "get_near_amount_sell_stnear", {"stnear_to_sell": str(100 * NEAR)}))
    assert "unstake alice.near meta-pool.near 100 --instant" in text
    assert f"{quote // 10**19 // 10**5:,}" in text  # the live quote's whole NEAR is stated
    assert_link_means(result)
    execute(sandbox, result)
    burned = before - int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))
    assert 100 * NEAR - 10**6 <= burned <= 100 * NEAR  # never more than asked, rounding less at most
    info = truth("meta-pool.near", "get_account_info", {"account_id": "alice.near"})
    assert value - 10**6 <= int(info["unstaked"]) <= value  # the NEAR fixed at unstake time, share rounding aside


async def test_metapool_unstake_all_and_too_many_tokens(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    held = int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))
    with pytest.raises(ActionRefused) as caught:
        await plan_unstake(chain, "alice.near", "meta-pool.near", f"{held + 1}yocto")
    assert "stNEAR, not NEAR" in caught.value.message and "1 stNEAR = " in caught.value.message
    with pytest.raises(errors.InvalidInput, match="in stNEAR"):
        await plan_unstake(chain, "alice.near", "meta-pool.near", "5 NEAR")
    everything = await plan_unstake(chain, "alice.near", "meta-pool.near", "all")
    assert methods(everything) == ["unstake_all"]
    assert everything.token_amount == held
    assert_link_means(everything)
    execute(sandbox, everything)
    assert int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"})) == 0
    with pytest.raises(ActionRefused, match="holds no stNEAR"):
        await plan_unstake(chain, "alice.near", "meta-pool.near", "1")


async def test_metapool_instant_exit_uses_the_live_quote(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    quote = int(truth("meta-pool.near", "get_near_amount_sell_stnear", {"stnear_to_sell": str(50 * NEAR)}))
    result = await plan_unstake(chain, "alice.near", "meta-pool.near", "50 stNEAR", instant=True)
    (call,) = result.transactions[0].actions
    minimum = quote - quote * 50 // 10_000
    assert (call.method_name, call.args, call.deposit, call.gas) == (
        "liquid_unstake", {"st_near_to_burn": str(50 * NEAR), "min_expected_near": str(minimum)}, 0, 50 * TGAS
    )
    assert result.amount_yocto == quote
    assert any("fee" in w and "%" in w for w in result.warnings)
    assert_link_means(result)
    before = balance(sandbox, "alice.near")
    execute(sandbox, result)
    assert balance(sandbox, "alice.near") - before >= minimum


async def test_metapool_withdraw_before_the_epoch_says_when(chain: Chain) -> None:
    with pytest.raises(ActionRefused) as caught:
        await plan_withdraw(chain, "bob.near", "meta-pool.near")
    assert f"epoch {E + 2}" in caught.value.message and "UTC" in caught.value.message


async def test_metapool_withdraw_when_ready(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    sandbox.advance(epochs=2)
    pending = int(truth("meta-pool.near", "get_account_info", {"account_id": "bob.near"})["unstaked"])
    result = await plan_withdraw(chain, "bob.near", "meta-pool.near", "all")
    (call,) = result.transactions[0].actions
    assert (call.method_name, call.args, call.deposit, call.gas) == ("withdraw_unstaked", {}, 0, 50 * TGAS)
    assert result.amount_yocto == pending
    assert_link_means(result)
    before = balance(sandbox, "bob.near")
    execute(sandbox, result)
    assert balance(sandbox, "bob.near") - before == pending


# --- LiNEAR and Rhea ------------------------------------------------------------------------------------------------


async def test_linear_stake_unstake_with_wallet_value_gas(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    stake = await plan_stake(chain, "alice.near", "linear-protocol.near", "15")
    (call,) = stake.transactions[0].actions
    assert (call.method_name, call.deposit, call.gas) == ("deposit_and_stake", 15 * NEAR, 125 * TGAS)
    assert_link_means(stake)
    execute(sandbox, stake)
    price = int(truth("linear-protocol.near", "ft_price"))
    unstake = await plan_unstake(chain, "alice.near", "linear-protocol.near", "10.5 LiNEAR")
    (call,) = unstake.transactions[0].actions
    assert (call.method_name, call.args, call.gas) == ("unstake", {"amount": str(10_500 * NEAR // 1000 * price // NEAR)}, 125 * TGAS)
    assert any("DEX" in w for w in unstake.warnings)
    assert_link_means(unstake)
    execute(sandbox, unstake)
    everything = await plan_unstake(chain, "alice.near", "linear-protocol.near", "all")
    assert methods(everything) == ["unstake_all"]
    execute(sandbox, everything)
    assert int(truth("linear-protocol.near", "ft_balance_of", {"account_id": "alice.near"})) == 0


async def test_linear_instant_exit_means_a_dex_swap(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="DEX"):
        await plan_unstake(chain, "alice.near", "linear-protocol.near", "1", instant=True)


async def test_linear_withdraw_and_its_reserve(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    pending = int(truth("linear-protocol.near", "get_account_details", {"account_id": "carol.near"})["unstaked_balance"])
    part = await plan_withdraw(chain, "carol.near", "linear-protocol.near", "100")
    (call,) = part.transactions[0].actions
    assert (call.method_name, call.args, call.gas) == ("withdraw", {"amount": str(100 * NEAR)}, 125 * TGAS)
    assert_link_means(part)
    execute(sandbox, part)
    # The contract keeps 1 NEAR in reserve and pays only from free balance: drain it, and the bot refuses.
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.accounts["linear-protocol.near"], "amount", 50 * NEAR))
    with pytest.raises(ActionRefused, match="1 NEAR"):
        await plan_withdraw(chain, "carol.near", "linear-protocol.near")
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.accounts["linear-protocol.near"], "amount", 10**6 * NEAR))
    everything = await plan_withdraw(chain, "carol.near", "linear-protocol.near")
    (call,) = everything.transactions[0].actions
    assert (call.method_name, call.args, call.gas) == ("withdraw_all", {}, 175 * TGAS)
    assert everything.amount_yocto == pending - 100 * NEAR
    execute(sandbox, everything)


async def test_rhea_unstake_quotes_the_contracts_own_unlock_epoch(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    result = await plan_unstake(chain, "dave.near", "lst.rhealab.near", "20")
    text = " ".join(result.warnings)
    assert "ref-finance/rnear-contract" in text and "30 TGas" in text and "DEX" in text
    assert result.transactions[0].actions[0].gas == 125 * TGAS
    # Rhea has already settled this epoch: the contract adds one epoch, and the bot says so before signing.
    assert f"withdrawable from epoch {E + 5}" in text and "already run its settlement" in text
    assert_link_means(result)
    execute(sandbox, result)
    details = truth("lst.rhealab.near", "get_account_details", {"account_id": "dave.near"})
    assert details["last_unstake_request_epoch_height"] == E + 5
    with pytest.raises(ActionRefused, match=f"unlocks at epoch {E + 5}"):
        await plan_withdraw(chain, "dave.near", "lst.rhealab.near")


async def test_a_first_deposit_pays_storage_and_mints_what_was_quoted(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    for contract, amount in (("meta-pool.near", 20 * NEAR), ("lst.rhealab.near", 10 * NEAR)):
        charge = int(truth(contract, "storage_balance_bounds")["min"])
        assert truth(contract, "storage_balance_of", {"account_id": "erin.near"}) is None  # a new account
        price = int(truth(contract, "get_st_near_price" if contract == "meta-pool.near" else "ft_price"))
        result = await plan_stake(chain, "erin.near", contract, str(amount // NEAR))
        assert any(f"keeps {format_near(charge, 24)} for the account's storage" in w for w in result.warnings)
        quoted = (amount - charge) * NEAR // price
        assert f"mints ≈ {format_near(quoted, 5, unit=False)} " in result.summary
        execute(sandbox, result)
        minted = int(truth(contract, "ft_balance_of", {"account_id": "erin.near"}))
        assert abs(minted - quoted) <= 10**6  # only share rounding apart: the storage charge was counted
        again = await plan_stake(chain, "erin.near", contract, "10")  # registered now: no charge
        assert not any("storage" in w for w in again.warnings)
    linear = await plan_stake(chain, "erin.near", "linear-protocol.near", "10")
    assert not any("storage" in w for w in linear.warnings)  # LiNEAR charges none (LN stake.rs)


async def test_liquid_staking_is_not_offered_from_a_lockup(chain: Chain) -> None:
    with pytest.raises(ActionRefused, match="liquid-staking contract"):
        await plan_stake(chain, "lena.near", "meta-pool.near", "20", from_lockup=True)
    with pytest.raises(ActionRefused, match="no instant exit"):
        await plan_unstake(chain, "alice.near", "alpha.poolv1.near", "1", instant=True)


# --- lockup: stake --------------------------------------------------------------------------------------------------

LENA = LOCKUPS["linear"]
SAM = LOCKUPS["staking"]
GINA = LOCKUPS["transfers_disabled"]


async def test_lockup_stake_selects_then_deposits(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    result = await plan_stake(chain, "lena.near", "bravo.poolv1.near", "100", from_lockup=True)
    assert result.signer_id == "lena.near" and result.lockup_id == LENA.lockup_id and result.via == "lockup"
    assert [tx.receiver_id for tx in result.transactions] == [LENA.lockup_id] * 2
    first, second = (tx.actions[0] for tx in result.transactions)
    assert (first.method_name, first.args, first.deposit, first.gas) == (
        "select_staking_pool", {"staking_pool_account_id": "bravo.poolv1.near"}, 0, 75 * TGAS
    )
    assert (second.method_name, second.args, second.deposit, second.gas) == (
        "deposit_and_stake", {"amount": str(100 * NEAR)}, 0, 125 * TGAS
    )
    assert len(result.links["mynearwallet"]) > 512  # too long for a Discord button: hence the step links
    assert all(len(result.links[f"mynearwallet_step_{i}"]) <= 512 for i in (1, 2))
    lines = result.commands["near_cli_rs"].splitlines()
    assert [line.split()[5] for line in lines] == ["select_staking_pool", "deposit_and_stake"]
    assert all(f"as-transaction {LENA.lockup_id} " in line and "sign-as lena.near" in line for line in lines)
    assert_link_means(result)
    execute(sandbox, result)
    assert truth(LENA.lockup_id, "get_staking_pool_account_id") == "bravo.poolv1.near"
    assert int(truth(LENA.lockup_id, "get_known_deposited_balance")) == 100 * NEAR
    staked = int(truth("bravo.poolv1.near", "get_account_staked_balance", {"account_id": LENA.lockup_id}))
    assert 100 * NEAR - 2 <= staked <= 100 * NEAR
    # Staking more with the same pool is one transaction: no select again.
    again = await plan_stake(chain, "lena.near", "bravo.poolv1.near", "5", from_lockup=True)
    assert methods(again) == ["deposit_and_stake"]
    assert "mynearwallet_step_1" not in again.links


async def test_lockup_stake_unselects_an_empty_pool_first(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    selected = sandbox.call("lena.near", LENA.lockup_id, "select_staking_pool", {"staking_pool_account_id": "alpha.poolv1.near"})
    assert selected["ok"], selected
    result = await plan_stake(chain, "lena.near", "bravo.poolv1.near", "10", from_lockup=True)
    assert methods(result) == ["unselect_staking_pool", "select_staking_pool", "deposit_and_stake"]
    assert result.transactions[0].actions[0].gas == 25 * TGAS
    assert_link_means(result)
    execute(sandbox, result)
    assert truth(LENA.lockup_id, "get_staking_pool_account_id") == "bravo.poolv1.near"


async def test_lockup_stake_refusals(chain: Chain, sandbox: ThreadedSandbox) -> None:
    with pytest.raises(ActionRefused, match="not on the lockup whitelist"):
        await plan_stake(chain, "lena.near", "charlie.pool.near", "10", from_lockup=True)
    with pytest.raises(ActionRefused) as caught:
        await plan_stake(chain, "sam.near", "alpha.poolv1.near", "10", from_lockup=True)
    assert "one pool at a time" in caught.value.message and "bravo.poolv1.near still holds a deposit" in caught.value.message
    with pytest.raises(ActionRefused, match="3.5 NEAR storage minimum"):
        await plan_stake(chain, "lena.near", "bravo.poolv1.near", "9999", from_lockup=True)
    with pytest.raises(ActionRefused, match="35 NEAR storage minimum"):  # v3.0.0 code keeps 35 NEAR
        await plan_stake(chain, "gina.near", "bravo.poolv1.near", "24970", from_lockup=True)
    with pytest.raises(ActionRefused, match="terminated"):
        await plan_stake(chain, "ivan.near", "bravo.poolv1.near", "1", from_lockup=True)


async def test_lockup_stake_warns_when_the_whitelist_cannot_be_read(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.run_on_loop(lambda: sandbox.chain.contracts.pop("lockup-whitelist.near"))
    result = await plan_stake(chain, "lena.near", "bravo.poolv1.near", "10", from_lockup=True)
    assert any("could not be verified" in w for w in result.warnings)


async def test_plain_actions_offer_the_lockup(chain: Chain) -> None:
    with pytest.raises(ActionRefused) as caught:
        await plan_stake(chain, "lena.near", "bravo.poolv1.near", "100")
    assert f"Your lockup {LENA.lockup_id} can stake up to" in caught.value.message
    assert "--from-lockup" in caught.value.message
    for plan in (plan_unstake, plan_withdraw):
        with pytest.raises(ActionRefused) as caught:
            await plan(chain, "sam.near", "bravo.poolv1.near", "all")
        assert f"belongs to your lockup {SAM.lockup_id}" in caught.value.message


# --- lockup: unstake, withdraw ----------------------------------------------------------------------------------


async def test_lockup_unstake_then_withdraw_after_the_wait(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    with pytest.raises(ActionRefused, match="delegates to bravo.poolv1.near, not alpha.poolv1.near"):
        await plan_unstake(chain, "sam.near", "alpha.poolv1.near", "1", from_lockup=True)
    staked = int(truth("bravo.poolv1.near", "get_account_staked_balance", {"account_id": SAM.lockup_id}))
    with pytest.raises(ActionRefused, match="staked in bravo.poolv1.near"):
        await plan_unstake(chain, "sam.near", "bravo.poolv1.near", f"{staked + 1}yocto", from_lockup=True)
    unstake = await plan_unstake(chain, "sam.near", "bravo.poolv1.near", "10000", from_lockup=True)
    (call,) = unstake.transactions[0].actions
    assert unstake.transactions[0].receiver_id == SAM.lockup_id
    assert (call.method_name, call.args, call.deposit, call.gas) == ("unstake", {"amount": str(10_000 * NEAR)}, 0, 125 * TGAS)
    assert_link_means(unstake)
    execute(sandbox, unstake)

    with pytest.raises(ActionRefused) as caught:
        await plan_withdraw(chain, "sam.near", "bravo.poolv1.near", from_lockup=True)
    assert f"epoch {E + 4}" in caught.value.message

    sandbox.advance(epochs=4)
    unstaked = int(truth("bravo.poolv1.near", "get_account_unstaked_balance", {"account_id": SAM.lockup_id}))
    withdraw = await plan_withdraw(chain, "sam.near", "bravo.poolv1.near", from_lockup=True)
    assert methods(withdraw) == ["withdraw_all_from_staking_pool", "refresh_staking_pool_balance"]
    assert [c.gas for tx in withdraw.transactions for c in tx.actions] == [175 * TGAS, 75 * TGAS]
    assert withdraw.amount_yocto == unstaked
    assert_link_means(withdraw)
    before = balance(sandbox, SAM.lockup_id)
    execute(sandbox, withdraw)
    assert balance(sandbox, SAM.lockup_id) - before == unstaked
    pool_total = int(truth("bravo.poolv1.near", "get_account_total_balance", {"account_id": SAM.lockup_id}))
    assert int(truth(SAM.lockup_id, "get_known_deposited_balance")) == pool_total

    # An epoch later the pool has paid rewards the lockup does not count: a transfer of everything refreshes first.
    sandbox.advance(epochs=1)
    transfer = await plan_lockup_transfer(chain, "sam.near", "all")
    assert methods(transfer) == ["refresh_staking_pool_balance", "transfer"]
    assert_link_means(transfer)
    execute(sandbox, transfer)
    assert int(truth(SAM.lockup_id, "get_liquid_owners_balance")) < NEAR  # everything movable was moved


async def test_lockup_partial_withdraw(chain: Chain, sandbox: ThreadedSandbox) -> None:
    execute(sandbox, await plan_unstake(chain, "sam.near", "bravo.poolv1.near", "all", from_lockup=True))
    sandbox.advance(epochs=4)
    result = await plan_withdraw(chain, "sam.near", "bravo.poolv1.near", "1000", from_lockup=True)
    first = result.transactions[0].actions[0]
    assert (first.method_name, first.args, first.gas) == (
        "withdraw_from_staking_pool", {"amount": str(1000 * NEAR)}, 125 * TGAS
    )
    assert_link_means(result)
    execute(sandbox, result)


# --- lockup: transfer -------------------------------------------------------------------------------------------


async def test_transfer_with_transfers_disabled_votes_first(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    result = await plan_lockup_transfer(chain, "gina.near", "100", "alice.near")
    assert methods(result) == ["check_transfers_vote", "transfer"]
    vote, transfer = (tx.actions[0] for tx in result.transactions)
    assert (vote.args, vote.gas, vote.deposit) == ({}, 75 * TGAS, 0)
    assert (transfer.args, transfer.gas, transfer.deposit) == (
        {"amount": str(100 * NEAR), "receiver_id": "alice.near"}, 50 * TGAS, 0
    )
    assert result.action == "transfer" and result.receiver_id == "alice.near" and result.pool_id == GINA.lockup_id
    assert_link_means(result)
    before = balance(sandbox, "alice.near")
    execute(sandbox, result)
    assert balance(sandbox, "alice.near") - before == 100 * NEAR
    assert truth(GINA.lockup_id, "are_transfers_enabled") is True


async def test_transfer_refusals(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    liquid = int(truth(LENA.lockup_id, "get_liquid_owners_balance"))
    with pytest.raises(ActionRefused) as caught:
        await plan_lockup_transfer(chain, "lena.near", f"{liquid + 10**22}yocto")
    assert "more than the liquid owner's balance" in caught.value.message and "still locked" in caught.value.message
    with pytest.raises(ActionRefused, match="terminated"):
        await plan_lockup_transfer(chain, "ivan.near", "1")
    with pytest.raises(ActionRefused, match="does not exist"):
        await plan_lockup_transfer(chain, "lena.near", "1", "nobody-here.near")
    # Naming the lockup account itself works too: the signer is its stored owner.
    direct = await plan_lockup_transfer(chain, LENA.lockup_id, "1")
    assert direct.signer_id == "lena.near" and direct.transactions[0].receiver_id == LENA.lockup_id


async def test_transfer_everything_liquid_to_another_account(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    result = await plan_lockup_transfer(chain, "lena.near", "all", "bob.near")
    assert methods(result) == ["transfer"]
    # "all" is the contract's own liquid owner's balance at the final block the bot read (it only grows later).
    assert result.amount_yocto == int(final_view(sandbox, LENA.lockup_id, "get_liquid_owners_balance"))
    assert_link_means(result)
    execute(sandbox, result)


# --- the command language ---------------------------------------------------------------------------------------


async def test_commands_take_flags_and_answer_json(chain: Chain) -> None:
    result, code = await run_line(chain, "stake lena.near bravo.poolv1.near 100 --from-lockup")
    assert code == 0
    body = json.loads(result.model_dump_json())
    assert body["via"] == "lockup" and body["lockup_id"] == lockup_account_id("lena.near")
    assert set(body["links"]) >= {"mynearwallet", "mynearwallet_step_1", "mynearwallet_step_2", "mynearwallet_staking"}
    assert [tx["actions"][0]["gas"] for tx in body["transactions"]] == [str(75 * TGAS), str(125 * TGAS)]
    result, code = await run_line(chain, "unstake alice.near meta-pool.near 10 --instant")
    assert code == 0 and result.transactions[0].actions[0].method_name == "liquid_unstake"  # type: ignore[attr-defined]
    result, code = await run_line(chain, "transfer gina.near 5 --to=bob.near")
    assert code == 0 and result.receiver_id == "bob.near"  # type: ignore[attr-defined]
    for line, message in [
        ("stake alice.near bravo.poolv1.near 1 --instant", "Unknown option"),
        ("transfer gina.near 5 --to", "needs an account id"),
        ("unstake alice.near meta-pool.near 1 --instant --instant", "only once"),
        ("withdraw sam.near bravo.poolv1.near --from-lockup=yes", "takes no value"),
    ]:
        result, code = await run_line(chain, line)
        assert code == 2 and message in result.message, (line, result)  # type: ignore[attr-defined]
