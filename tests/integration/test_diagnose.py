"""`diagnose` and `explain` against the sandbox chain: every "my tokens are stuck" case of the scenario, with the
exact epoch, amounts and next command; account ids found in support messages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.commands import run_line
from bot.near import errors
from bot.render.json_out import to_json
from bot.render.text import render_text
from bot.sandbox import ThreadedSandbox
from bot.sandbox.lockups import derive_lockup_id
from bot.sandbox.scenario import SCENARIO
from bot.services import diagnose as diagnose_module
from bot.services.chain import Chain
from bot.services.diagnose import find_account_ids, find_pool_ids, get_diagnose
from bot.services.epoch import get_epoch
from bot.services.explain import get_explain
from bot.services.results import DiagnoseCase, DiagnoseResult, ValidatorInfo

E = SCENARIO.epoch_height
NEAR = 10**24
View = Callable[[str, str, dict[str, Any] | None], Any]


def cases(result: DiagnoseResult, kind: str) -> list[DiagnoseCase]:
    return [c for c in result.cases if c.kind == kind]


def one(result: DiagnoseResult, kind: str, pool_id: str | None = None) -> DiagnoseCase:
    found = [c for c in cases(result, kind) if pool_id is None or c.pool_id == pool_id]
    assert len(found) == 1, (kind, pool_id, result.cases)
    return found[0]


async def test_unbonding_in_progress_gives_the_exact_epoch_and_time(chain: Chain, truth: View) -> None:
    result = await get_diagnose(chain, "alice.near")
    bravo, mega = SCENARIO.pool_id("bravo"), SCENARIO.pool_id("mega")
    epoch = await get_epoch(chain)
    for pool, available in ((bravo, E + 4), (mega, E + 3)):
        case = one(result, "unbonding", pool)
        row = truth(pool, "get_account", {"account_id": "alice.near"})
        assert case.severity == "wait" and case.amount_yocto == int(row["unstaked_balance"])
        assert case.available_epoch == available
        assert f"withdrawable from epoch {available}, {available - E} epochs from now" in case.text
        blocks = epoch.blocks_left + (available - E - 1) * epoch.epoch_length
        assert case.estimated_available_unix is not None
        assert abs(case.estimated_available_unix - (epoch.head_unix + blocks * epoch.avg_block_seconds)) < 5
        assert case.next_command == f"/unbonding alice.near {pool}"
    assert not cases(result, "nothing_wrong")
    assert result.current_epoch == E and result.complete


async def test_withdrawable_but_not_withdrawn_points_to_withdraw(chain: Chain, truth: View) -> None:
    result = await get_diagnose(chain, "bob.near")
    alpha = SCENARIO.pool_id("alpha")
    case = one(result, "withdrawable", alpha)
    assert case.severity == "action" and result.cases[0] == case  # things to do come first
    assert case.amount_yocto == int(truth(alpha, "get_account", {"account_id": "bob.near"})["unstaked_balance"])
    assert "withdraw is a separate step" in case.text
    assert case.next_command == f"/withdraw bob.near {alpha}"
    # bob's Meta Pool delayed unstake: pending, with the contract's own unlock epoch.
    liquid = one(result, "liquid_unbonding", "meta-pool.near")
    assert liquid.available_epoch == E + 2 and "withdraw_unstaked" in liquid.text


async def test_liquid_staking_withdrawable_and_unbonding(chain: Chain) -> None:
    carol = await get_diagnose(chain, "carol.near")
    ready = one(carol, "liquid_withdrawable", "linear-protocol.near")
    assert "LiNEAR" in ready.title and "withdraw_all" in ready.text and "would pay it now" in ready.text
    assert one(carol, "unbonding", SCENARIO.pool_id("charlie")).available_epoch == E + 1
    dave = await get_diagnose(chain, "dave.near")
    rhea = one(dave, "liquid_unbonding", "lst.rhealab.near")  # Rhea's own unlock epoch, read from its view
    assert rhea.available_epoch == E + 3 and f"withdrawable from epoch {E + 3}, 3 epochs from now" in rhea.text


async def test_rounding_dust_is_not_stuck(chain: Chain) -> None:
    result = await get_diagnose(chain, "dave.near")
    dust = one(result, "dust", SCENARIO.pool_id("bravo"))
    assert dust.severity == "info" and dust.amount_yocto is not None and 0 < dust.amount_yocto <= 100
    assert "not stuck" in dust.text
    assert not any("rounding dust" in note for note in result.notes)  # said once, as a case


async def test_nothing_wrong(chain: Chain) -> None:
    result = await get_diagnose(chain, "erin.near")
    [case] = result.cases
    assert (case.kind, case.severity) == ("nothing_wrong", "ok")
    assert "no delegations" in case.text.lower()


async def test_lockup_needing_the_transfers_vote_and_a_refresh(chain: Chain) -> None:
    gina = await get_diagnose(chain, "gina.near")
    vote = one(gina, "lockup_transfers_vote")
    assert vote.severity == "action" and "check_transfers_vote" in vote.text and vote.next_command == "/lockup gina.near"
    locked = one(gina, "lockup_locked")
    assert "only because transfers are still disabled" in locked.text
    sam = await get_diagnose(chain, "sam.near")
    refresh = one(sam, "lockup_refresh")
    assert "refresh_staking_pool_balance" in refresh.text and refresh.pool_id == derive_lockup_id("sam.near")
    assert "Fully unlocked by its schedule on 2028-12-31" in one(sam, "lockup_locked").text
    # The lockup id itself gives the same to-do list.
    by_id = await get_diagnose(chain, derive_lockup_id("sam.near"))
    assert one(by_id, "lockup_refresh").text == refresh.text


async def test_lockup_unstaked_in_its_pool(chain: Chain, sandbox: ThreadedSandbox) -> None:
    lockup_id = derive_lockup_id("sam.near")
    outcome = sandbox.run_on_loop(
        lambda: sandbox.chain.call("sam.near", lockup_id, "unstake", {"amount": str(1_000 * NEAR)})
    )
    assert outcome.ok, outcome.panic
    result = await get_diagnose(chain, "sam.near")
    waiting = one(result, "lockup_unbonding", SCENARIO.pool_id("bravo"))
    assert waiting.available_epoch == E + 4 and waiting.next_command == "/lockup sam.near"
    sandbox.advance(epochs=4)
    ready = one(await get_diagnose(chain, "sam.near"), "lockup_withdrawable", SCENARIO.pool_id("bravo"))
    assert "withdraw_all_from_staking_pool" in ready.text and ready.severity == "action"


async def test_staking_with_validators_that_earn_nothing(
    chain: Chain, sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for pool in (SCENARIO.pool_id("kicked"), SCENARIO.pool_id("paused"), SCENARIO.pool_id("proposal")):
        outcome = sandbox.run_on_loop(lambda p=pool: sandbox.chain.call("erin.near", p, "deposit_and_stake", {}, 5 * NEAR))
        assert outcome.ok, outcome.panic
    result = await get_diagnose(chain, "erin.near")
    kicked = one(result, "validator_kicked_out", SCENARIO.pool_id("kicked"))
    assert "produced too few blocks (97 of 412 expected)" in kicked.text and kicked.severity == "warning"
    assert one(result, "pool_paused", SCENARIO.pool_id("paused")).next_command == f"/pool {SCENARIO.pool_id('paused')}"
    assert "joins the validator set next epoch" in one(result, "validator_inactive", SCENARIO.pool_id("proposal")).text
    assert not cases(result, "nothing_wrong")

    # Active now, but not in the next epoch's set.
    real = diagnose_module.validator_info

    def leaving(pool_id: str, validators: Any) -> ValidatorInfo:
        info = real(pool_id, validators)
        return info.model_copy(update={"in_next_epoch": False}) if pool_id == SCENARIO.pool_id("alpha") else info

    monkeypatch.setattr(diagnose_module, "validator_info", leaving)
    alice = await get_diagnose(chain, "alice.near")
    leaving_case = one(alice, "validator_leaving", SCENARIO.pool_id("alpha"))
    assert "not in the next epoch" in leaving_case.title and "earns no rewards" in leaving_case.text
    assert not cases(alice, "validator_kicked_out")  # bravo and mega stay in the set


async def test_unknown_and_invalid_accounts(chain: Chain) -> None:
    with pytest.raises(errors.AccountNotFound):
        await get_diagnose(chain, "ghost.near")
    with pytest.raises(errors.InvalidInput):
        await get_diagnose(chain, "Alice.near")


async def test_console_and_json(chain: Chain) -> None:
    result, code = await run_line(chain, "diagnose bob.near")
    assert code == 0
    text = render_text(result)
    assert "ready to withdraw from alpha.poolv1.near" in text and "next: withdraw bob.near alpha.poolv1.near" in text
    body = json.loads(to_json(result))
    assert body["account_id"] == "bob.near" and body["current_epoch"] == E
    first = body["cases"][0]
    assert first["kind"] == "withdrawable" and isinstance(first["amount_yocto"], str) and first["amount_yocto"].isdigit()
    explained, code = await run_line(chain, "explain why tokens look stuck")
    assert code == 0 and json.loads(to_json(explained))["topic"] == "stuck"
    missing, code = await run_line(chain, "explain moon phases")
    assert code == 2 and "Topics: unbonding" in render_text(missing)


async def test_explain_reads_live_numbers_from_the_chain(chain: Chain, sandbox: ThreadedSandbox) -> None:
    epoch = await get_epoch(chain)
    result = await get_explain(chain, "unbonding")
    assert result.live is not None and result.live.epoch_height == E
    hours = epoch.epoch_length * epoch.avg_block_seconds / 3600
    assert f"about **{hours:.1f} h**" in result.text and f"epoch **{E + 4}**" in result.text
    # No chain needed for a topic without live numbers; an unreachable chain leaves the live lines out.
    sandbox.set_faults(0, [{"kind": "status", "status": 503}])
    assert (await get_explain(chain, "lockups")).notes == []
    down = await get_explain(chain, "unbonding")
    assert down.live is None and down.notes and "{{" not in down.text
    assert not re.search(r"\d h\b", down.text)


def test_account_ids_in_a_support_message() -> None:
    message = (
        "Hi! My tokens are stuck. Account Alice.near, staked with aurora.poolv1.near and meta-pool.near, "
        "see https://nearblocks.io/address/bob.near. My lockup is 9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near"
    )
    assert find_account_ids(message) == [
        "alice.near", "bob.near", "9b84742f269952cea2877425b5e9d2e15cae8829.lockup.near",
    ]
    implicit = "ab" * 32
    assert find_account_ids(f"implicit {implicit}, eth 0x{'cd' * 20}, e.g. nothing.io") == [implicit, "0x" + "cd" * 20]
    assert find_account_ids("no ids here, just words. e.g. this.") == []
    assert find_account_ids("alice.near " + "x.near " * 10, limit=2) == ["alice.near", "x.near"]
    # Pools named or linked are found separately, for diagnose to check next to the index.
    linked = message + " and https://app.mynearwallet.com/staking/validator/Figment.POOL.near/stake"
    assert find_pool_ids(linked) == ["aurora.poolv1.near", "figment.pool.near"]
    assert find_pool_ids("no pools, alice.near only") == []


async def test_refresh_is_only_an_action_when_it_would_let_more_move(chain: Chain) -> None:
    # sam's lockup: rewards uncounted, but what limits the transferable amount is the NEAR on the lockup account
    # itself (its stake is still in the pool), so counting them moves nothing yet.
    refresh = one(await get_diagnose(chain, "sam.near"), "lockup_refresh")
    assert refresh.severity == "info"
