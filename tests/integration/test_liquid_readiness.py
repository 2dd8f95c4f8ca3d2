"""Liquid staking as the contracts really behave, against the sandbox: a withdrawal whose unlock epoch has come is
"withdrawable" only when the contract would pay it (Rhea's settlement, Meta Pool's retrieval from its validators,
LiNEAR's free balance), and `liquid`, `status`, `unbonding`, `diagnose` and the withdraw pre-flight all say the same;
a new LiNEAR/Rhea unstake is quoted the contract's own unlock epoch (settlement +1); Meta Pool's is_close on shares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.render.text import render_text
from bot.sandbox import ThreadedSandbox
from bot.sandbox.liquid import LIQUID
from bot.sandbox.scenario import SCENARIO
from bot.services.actions import ActionRefused, plan_unstake, plan_withdraw
from bot.services.chain import Chain
from bot.services.diagnose import get_diagnose
from bot.services.liquid import get_liquid
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding

from .test_actions_liquid_lockup import execute

E = SCENARIO.epoch_height
NEAR = 10**24
View = Callable[[str, str, dict[str, Any] | None], Any]
METAPOOL, LINEAR, RHEA = (LIQUID.contracts[k] for k in ("metapool", "linear", "rhea"))


def set_attr(sandbox: ThreadedSandbox, contract_id: str, name: str, value: Any) -> None:
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.contracts[contract_id], name, value))


async def assert_not_payable(chain: Chain, account: str, contract: str, waiting_for: str, words: str) -> None:
    """Every answer says "not withdrawable yet", with the same reason."""
    (entry,) = (await get_unbonding(chain, account, [contract])).entries
    assert (entry.can_withdraw, entry.waiting_for) == (False, waiting_for) and words in (entry.waiting_note or "")
    liquid = await get_liquid(chain, account)
    position = next(p for p in liquid.positions if p.contract_id == contract)
    assert position.can_withdraw is False and position.unbonding is not None
    assert position.unbonding.waiting_for == waiting_for
    assert "reached, not withdrawable yet" in render_text(liquid)
    holding = next(h for h in (await get_status(chain, account)).liquid if h.contract_id == contract)
    assert holding.can_withdraw is False
    case = next(c for c in (await get_diagnose(chain, account)).cases if c.pool_id == contract)
    assert (case.kind, case.severity) == ("liquid_settling", "wait") and words in case.text
    with pytest.raises(ActionRefused) as refused:
        await plan_withdraw(chain, account, contract)
    assert words in refused.value.message and "Nothing is lost" in refused.value.message


async def assert_payable(chain: Chain, account: str, contract: str) -> None:
    (entry,) = (await get_unbonding(chain, account, [contract])).entries
    assert (entry.can_withdraw, entry.waiting_for) == (True, None)
    position = next(p for p in (await get_liquid(chain, account)).positions if p.contract_id == contract)
    assert position.can_withdraw is True
    holding = next(h for h in (await get_status(chain, account)).liquid if h.contract_id == contract)
    assert holding.can_withdraw is True
    case = next(c for c in (await get_diagnose(chain, account)).cases if c.pool_id == contract)
    assert case.kind == "liquid_withdrawable"


async def test_rhea_unlock_epoch_reached_but_not_settled(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    set_attr(sandbox, RHEA, "auto_settle", False)  # the operators have not run this epoch's settlement yet
    sandbox.advance(epochs=3)  # dave's unlock epoch E+3
    assert truth(RHEA, "get_account_details", {"account_id": "dave.near"})["can_withdraw"] is True  # the view: yes
    assert "not yet available" in sandbox.call("dave.near", RHEA, "withdraw_all")["panic"]  # the contract: no
    await assert_not_payable(chain, "dave.near", RHEA, "settlement", "settlement")

    assert sandbox.call("erin.near", RHEA, "epoch_unstake")["ok"]  # anyone may run the epoch actions
    await assert_payable(chain, "dave.near", RHEA)
    pending = int(truth(RHEA, "get_account_details", {"account_id": "dave.near"})["unstaked_balance"])
    result = await plan_withdraw(chain, "dave.near", RHEA)
    assert result.amount_yocto == pending
    execute(sandbox, result)


async def test_metapool_unlock_epoch_reached_but_not_retrieved(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    set_attr(sandbox, METAPOOL, "auto_retrieve", False)  # its operator has not brought the NEAR back yet
    sandbox.advance(epochs=2)  # bob's unlock epoch E+2
    assert truth(METAPOOL, "get_account_info", {"account_id": "bob.near"})["can_withdraw"] is True
    assert int(truth(METAPOOL, "get_contract_state")["retrieved_for_unstake_claims"]) == 0
    assert "Funds are not yet available" in sandbox.call("bob.near", METAPOOL, "withdraw_unstaked")["panic"]
    await assert_not_payable(chain, "bob.near", METAPOOL, "retrieval", "retrieve")

    assert sandbox.call("erin.near", METAPOOL, "retrieve_funds_from_a_pool", {"inx": 0})["ok"]
    await assert_payable(chain, "bob.near", METAPOOL)
    execute(sandbox, await plan_withdraw(chain, "bob.near", METAPOOL))


async def test_linear_short_of_free_balance_pays_a_smaller_amount(chain: Chain, sandbox: ThreadedSandbox) -> None:
    # carol's ~300 NEAR unlocked at E-1; the contract holds only 50 NEAR free (1 stays in reserve).
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.accounts[LINEAR], "amount", 50 * NEAR))
    await assert_not_payable(chain, "carol.near", LINEAR, "contract_balance", "too little free NEAR")
    part = await plan_withdraw(chain, "carol.near", LINEAR, "40")  # checked for this amount: it would be paid
    assert part.amount_yocto == 40 * NEAR
    execute(sandbox, part)
    with pytest.raises(ActionRefused, match="too little free NEAR"):
        await plan_withdraw(chain, "carol.near", LINEAR, "10")  # 10 NEAR free now, minus the 1 NEAR reserve


@pytest.mark.parametrize(
    ("contract", "account", "settled"),
    [(LINEAR, "alice.near", "last_settlement_epoch"), (RHEA, "dave.near", "last_settlement_initiated_epoch")],
)
async def test_the_quoted_unlock_epoch_is_the_contracts_own_before_and_after_the_settlement(
    chain: Chain, sandbox: ThreadedSandbox, truth: View, contract: str, account: str, settled: str
) -> None:
    field = "unstaked_available_epoch_height" if contract == LINEAR else "last_unstake_request_epoch_height"
    set_attr(sandbox, contract, "last_settlement_epoch", E - 1)  # this epoch's settlement has not run
    early = await plan_unstake(chain, account, contract, "10")
    assert f"withdrawable from epoch {E + 4}" in " ".join(early.warnings)
    assert "has not yet run its settlement" in " ".join(early.warnings)
    execute(sandbox, early)
    assert truth(contract, "get_account_details", {"account_id": account})[field] == E + 4

    set_attr(sandbox, contract, settled, E)  # settled (LiNEAR) or only initiated (Rhea): one epoch more
    late = await plan_unstake(chain, account, contract, "10")
    assert f"withdrawable from epoch {E + 5}" in " ".join(late.warnings)
    execute(sandbox, late)
    assert truth(contract, "get_account_details", {"account_id": account})[field] == E + 5
    position = next(p for p in (await get_liquid(chain, account)).positions if p.contract_id == contract)
    assert position.wait_epochs == 5


async def test_metapool_unstake_within_a_thousandth_of_the_balance_burns_all(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    held = int(truth(METAPOOL, "ft_balance_of", {"account_id": "alice.near"}))
    apart = await plan_unstake(chain, "alice.near", METAPOOL, f"{held - 2 * 10**21}yocto")  # 0.002 stNEAR short
    assert not any("takes all" in w for w in apart.warnings)
    close = await plan_unstake(chain, "alice.near", METAPOOL, f"{held - 10**20}yocto")  # 0.0001 stNEAR short
    assert any("Meta Pool then takes all of it" in w for w in close.warnings)
    assert close.token_amount == held  # what the transaction really burns
    execute(sandbox, close)
    assert int(truth(METAPOOL, "ft_balance_of", {"account_id": "alice.near"})) == 0


async def test_metapool_instant_exit_within_a_thousandth_sells_all(
    chain: Chain, sandbox: ThreadedSandbox, truth: View
) -> None:
    held = int(truth(METAPOOL, "ft_balance_of", {"account_id": "alice.near"}))
    result = await plan_unstake(chain, "alice.near", METAPOOL, f"{held - 10**20}yocto", instant=True)
    assert any("sells all" in w for w in result.warnings)
    assert result.transactions[0].actions[0].args["st_near_to_burn"] == str(held)
    execute(sandbox, result)
    assert int(truth(METAPOOL, "ft_balance_of", {"account_id": "alice.near"})) == 0
