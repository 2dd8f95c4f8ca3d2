"""Delegations the staking index does not list: answers say what they checked, and a scan of the validator set
(current and next validators, proposals, last epoch's kicked-out) or a named pool finds what the index missed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.near.liquid import providers_for
from bot.render.text import render_text
from bot.sandbox import ThreadedSandbox
from bot.sandbox.chain import Seat, ValidatorRole
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.views import validators_view
from bot.services.chain import Chain
from bot.services.delegations import DUST_YOCTO
from bot.services.diagnose import get_diagnose
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding

E = SCENARIO.epoch_height
View = Callable[[str, str, dict[str, Any] | None], Any]
INDEX_ONLY = "every pool the staking index lists"


def _validator_set(sandbox: ThreadedSandbox) -> set[str]:
    view = sandbox.run_on_loop(lambda: validators_view(sandbox.chain, sandbox.chain.head_height))
    groups = ("current_validators", "next_validators", "current_proposals", "prev_epoch_kickout")
    return {entry["account_id"] for group in groups for entry in view[group]}


async def test_without_a_scan_the_answer_claims_only_the_index(chain: Chain) -> None:
    result = await get_status(chain, "grace.near")  # 2,000 NEAR in bravo, but the index lists nothing
    assert result.delegations == [] and result.delegations_complete is True
    assert (result.delegations_checked, result.scanned_pools) == (INDEX_ONLY, None)
    text = render_text(result)
    assert "delegations: none found" in text and f"pools checked: {INDEX_ONLY}" in text


async def test_a_scan_finds_the_delegation_the_index_missed(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    result = await get_status(chain, "grace.near", scan=True)
    (found,) = result.delegations
    row = truth("bravo.poolv1.near", "get_account", {"account_id": "grace.near"})
    assert (found.pool_id, found.found_by, found.staked_yocto) == ("bravo.poolv1.near", "scan", int(row["staked_balance"]))
    liquid = {p.contract_id for p in providers_for("mainnet")}
    assert result.scanned_pools == len(_validator_set(sandbox) - liquid) > 5
    assert result.delegations_checked.startswith(f"{INDEX_ONLY}, every pool of the validator set")
    assert any("staking index does not list" in note for note in result.notes)
    assert "bravo.poolv1.near" in render_text(result) and "the staking index misses it" in render_text(result)


async def test_found_by_says_where_each_pool_came_from(chain: Chain) -> None:
    scanned = await get_status(chain, "frank.near", scan=True)
    assert {d.pool_id: d.found_by for d in scanned.delegations} == {
        "alpha.poolv1.near": "index", "chunkval.poolv1.near": "scan", "kicked.poolv1.near": "scan"}
    named = await get_status(chain, "frank.near", ["chunkval.poolv1.near"])
    assert {d.pool_id: d.found_by for d in named.delegations} == {
        "alpha.poolv1.near": "index", "chunkval.poolv1.near": "named"}
    assert named.delegations_checked == f"{INDEX_ONLY}, the 1 pool named"


async def test_unbonding_scan_finds_the_hidden_unstake(chain: Chain, sandbox: ThreadedSandbox) -> None:
    plain = await get_unbonding(chain, "frank.near")
    assert [e for e in plain.entries if e.unstaked_yocto > DUST_YOCTO] == [] and plain.pools_checked == INDEX_ONLY
    scanned = await get_unbonding(chain, "frank.near", scan=True)
    (entry,) = [e for e in scanned.entries if e.unstaked_yocto > DUST_YOCTO]
    assert (entry.pool_id, entry.found_by, entry.available_epoch, entry.can_withdraw) == (
        "chunkval.poolv1.near", "scan", E + 3, False)
    assert abs(entry.unstaked_yocto - 1_000 * 10**24) <= 2  # share rounding


async def test_diagnose_never_says_nothing_is_there_when_a_known_pool_holds_stake(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_diagnose(chain, "grace.near")
    kinds = {(c.kind, c.pool_id) for c in result.cases}
    assert ("index_missed", "bravo.poolv1.near") in kinds
    assert "nothing_wrong" not in {c.kind for c in result.cases}
    assert result.block_height == sandbox.chain.final_height()
    assert result.checked.startswith(f"{INDEX_ONLY}, every pool of the validator set")


async def test_diagnose_reports_every_case_of_the_hidden_pools(chain: Chain) -> None:
    result = await get_diagnose(chain, "frank.near")
    kinds = {(c.kind, c.pool_id) for c in result.cases}
    assert {("index_missed", "chunkval.poolv1.near"), ("index_missed", "kicked.poolv1.near"),
            ("unbonding", "chunkval.poolv1.near"), ("validator_kicked_out", "kicked.poolv1.near")} <= kinds
    (unbonding,) = [c for c in result.cases if c.kind == "unbonding"]
    assert unbonding.available_epoch == E + 3


async def test_diagnose_checks_a_pool_the_user_names(chain: Chain, sandbox: ThreadedSandbox) -> None:
    # The paused pool is not in the validator set, so only naming it can find a delegation the index lost there.
    sandbox.run_on_loop(lambda: sandbox.chain.index_omissions.add(("paused-ops.near", "paused.poolv1.near")))
    blind = await get_diagnose(chain, "paused-ops.near")
    assert "paused.poolv1.near" not in {c.pool_id for c in blind.cases}
    named = await get_diagnose(chain, "paused-ops.near", ["paused.poolv1.near"])
    assert ("pool_paused", "paused.poolv1.near") in {(c.kind, c.pool_id) for c in named.cases}
    assert "the 1 pool named" in named.checked


async def test_diagnose_judges_a_chunk_validator_by_its_endorsements(chain: Chain, sandbox: ThreadedSandbox) -> None:
    calm = await get_diagnose(chain, "frank.near")
    assert "validator_low_uptime" not in {c.kind for c in calm.cases}  # 95.94 % of endorsements: fine
    sandbox.run_on_loop(lambda: sandbox.chain.set_validator(
        "chunkval.poolv1.near", ValidatorRole.ACTIVE, seat=Seat.CHUNK_VALIDATOR, online=(65, 100)))
    result = await get_diagnose(chain, "frank.near")
    (case,) = [c for c in result.cases if c.kind == "validator_low_uptime"]
    assert case.pool_id == "chunkval.poolv1.near" and case.severity == "warning"
    assert case.text.startswith("As a chunk validator it produced ")
    assert "nearcore removes a chunk validator below 70%. It is below that now" in case.text


async def test_a_scan_that_cannot_read_the_validator_set_claims_nothing_about_it(
    chain: Chain, sandbox: ThreadedSandbox
) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 503, "method": "validators"}])
    result = await get_status(chain, "grace.near", scan=True)
    assert result.delegations == [] and result.delegations_complete is False
    assert result.delegations_checked == f"{INDEX_ONLY}, no pools of the validator set (it could not be read)"
    assert any("no pools were scanned" in note for note in result.notes)
