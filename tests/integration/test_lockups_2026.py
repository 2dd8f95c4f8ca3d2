"""Lockups as holders create them today (issue: global-contract and House of Stake lockups), against the sandbox's
independent emulations (bot/sandbox/venear.py): found, exact yocto for yocto, explained and actionable.

"Truth" is always the sandbox contract's own view at the block the bot read, never the bot's math.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.commands import EXIT_BAD_INPUT, EXIT_OK, run_line
from bot.near import errors
from bot.sandbox import ThreadedSandbox
from bot.sandbox.liquid import PROVIDER_IDS
from bot.sandbox.pool import poolv1
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.venear import GLOBAL_LOCKUP_ID, NEW_LOCKUPS, UNLOCK_DURATION_NS
from bot.services.actions import ActionRefused
from bot.services.chain import Chain
from bot.services.diagnose import get_diagnose
from bot.services.lockup import get_lockup
from bot.services.lockup_actions import plan_lockup_withdraw
from bot.services.pool import get_pool
from bot.services.results import ActionResult, DiagnoseResult, LockupResult
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding
from bot.services.venear_actions import plan_venear
from tests.integration.test_actions import assert_link_means
from tests.integration.test_cli import run_bot

NEAR = 10**24
E = SCENARIO.epoch_height
HANA, IVY, SIDE, GLOBAL = (NEW_LOCKUPS[r] for r in ("venear_staked", "venear_ready", "venear_side", "global"))
LINEAR = PROVIDER_IDS["linear"]


def view(sandbox: ThreadedSandbox, account_id: str, method: str, height: int, args: dict | None = None) -> Any:
    raw = sandbox.run_on_loop(
        lambda: sandbox.chain.view_call(account_id, method, json.dumps(args or {}).encode(), block_height=height)
    )
    return json.loads(raw)


def truth_venear(sandbox: ThreadedSandbox, lockup_id: str, height: int) -> dict[str, int]:
    names = ("get_venear_locked_balance", "get_venear_pending_balance", "get_venear_liquid_balance",
             "get_venear_unlock_timestamp", "get_liquid_owners_balance", "get_owners_balance")
    return {name: int(view(sandbox, lockup_id, name, height)) for name in names}


def cases(result: DiagnoseResult, kind: str) -> list:
    return [c for c in result.cases if c.kind == kind]


def execute(sandbox: ThreadedSandbox, action: ActionResult) -> None:
    """Run the unsigned transactions the bot built, in order, as the chain would after the owner signs them. The
    wallet link is first decoded by @near-js/transactions: it must say exactly the same."""
    assert_link_means(action)
    for tx in action.transactions:
        for call in tx.actions:
            outcome = sandbox.run_on_loop(lambda c=call, t=tx: sandbox.chain.call(
                action.signer_id, t.receiver_id, c.method_name, dict(c.args), int(c.deposit)))
            assert outcome.ok, (call.method_name, outcome.panic or outcome.error)


# --- House of Stake -------------------------------------------------------------------------------------------


async def test_venear_lockup_is_found_and_exact(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_lockup(chain, HANA.owner_id)
    assert result.lockup_kind == "venear" and result.lockup_id == HANA.lockup_id and result.owner_id == "hana.near"
    truth = truth_venear(sandbox, HANA.lockup_id, result.block_height)
    venear = result.venear
    assert venear is not None
    assert venear.locked_yocto == truth["get_venear_locked_balance"] == 600 * NEAR
    assert venear.pending_yocto == truth["get_venear_pending_balance"] == 198 * NEAR
    assert venear.free_to_lock_yocto == truth["get_venear_liquid_balance"]
    assert venear.unlock_unix == -(-truth["get_venear_unlock_timestamp"] // 10**9)
    assert not venear.unlock_ready and venear.unlock_duration_seconds == UNLOCK_DURATION_NS // 10**9
    # Transferable is the smaller of the two limits `transfer` enforces, not get_liquid_owners_balance alone.
    assert truth["get_liquid_owners_balance"] > truth["get_venear_liquid_balance"]
    assert result.liquid_owners_balance_yocto == truth["get_venear_liquid_balance"]
    assert result.owners_balance_yocto == truth["get_owners_balance"]
    assert result.disagreement is None and result.contract_views is not None
    assert result.staking_pool_id == "bravo.poolv1.near" and result.pool is not None
    actions = {a.action for a in result.actions}
    assert {"unlock_pending", "begin_unlock_near", "lock_near", "transfer"} <= actions


async def test_status_on_the_lockup_account_is_not_a_wallet(chain: Chain, sandbox: ThreadedSandbox) -> None:
    status = await get_status(chain, HANA.lockup_id)
    assert status.lockup_of == "hana.near"
    height = sandbox.chain.final_height()
    free = int(view(sandbox, HANA.lockup_id, "get_venear_liquid_balance", height))
    assert status.amount_yocto > 398 * NEAR  # 400 NEAR sit on the account…
    assert status.available_yocto == free  # …but only ~202 can be moved
    assert any("lockup contract of hana.near" in n for n in status.notes)


async def test_unlock_finished_but_not_completed(chain: Chain, sandbox: ThreadedSandbox) -> None:
    lockup = await get_lockup(chain, IVY.owner_id)
    assert lockup.venear is not None and lockup.venear.unlock_ready and lockup.venear.pending_yocto == 300 * NEAR
    unbonding = await get_unbonding(chain, IVY.owner_id)
    (unlock,) = unbonding.timed_unlocks
    assert unlock.unlock_ready and unlock.pending_yocto == 300 * NEAR and unlock.lockup_id == IVY.lockup_id
    diagnosis = await get_diagnose(chain, IVY.owner_id)
    (ready,) = cases(diagnosis, "venear_unlock_ready")
    assert ready.severity == "action" and "end_unlock_near" in ready.text
    # The link the bot builds works: after signing it, nothing is pending and everything can be moved.
    action = await plan_venear(chain, "end-unlock", IVY.owner_id, None)
    (tx,) = action.transactions
    (call,) = tx.actions
    assert (tx.receiver_id, call.method_name, call.args, call.deposit, call.gas) == (
        IVY.lockup_id, "end_unlock_near", {}, 1, 100 * 10**12)
    execute(sandbox, action)
    after = await get_lockup(chain, IVY.owner_id)
    assert after.venear is not None and after.venear.pending_yocto == 0
    height = after.block_height
    assert after.liquid_owners_balance_yocto == min(
        int(view(sandbox, IVY.lockup_id, "get_liquid_owners_balance", height)),
        int(view(sandbox, IVY.lockup_id, "get_venear_liquid_balance", height)),
    )


async def test_end_unlock_before_the_time_is_refused_with_the_time(chain: Chain) -> None:
    with pytest.raises(ActionRefused) as refused:
        await plan_venear(chain, "end-unlock", HANA.owner_id, None)
    assert "2026-02-14" in refused.value.message and "Invalid unlock time" in refused.value.message
    diagnosis = await get_diagnose(chain, HANA.owner_id)
    (waiting,) = cases(diagnosis, "venear_unlocking")
    assert waiting.severity == "wait" and waiting.amount_yocto == 198 * NEAR
    assert cases(diagnosis, "venear_locked")[0].amount_yocto == 600 * NEAR


async def test_a_new_unlock_warns_that_the_timer_restarts(chain: Chain, sandbox: ThreadedSandbox) -> None:
    action = await plan_venear(chain, "unlock", HANA.owner_id, "100")
    assert any("restarts the timer for the whole pending amount (298 NEAR)" in w for w in action.warnings)
    execute(sandbox, action)
    lockup = await get_lockup(chain, HANA.owner_id)
    assert lockup.venear is not None and lockup.venear.pending_yocto == 298 * NEAR
    stamp = int(view(sandbox, HANA.lockup_id, "get_venear_unlock_timestamp", lockup.block_height))
    assert lockup.venear.unlock_unix == -(-stamp // 10**9)


async def test_lock_relock_and_amount_limits(chain: Chain, sandbox: ThreadedSandbox) -> None:
    with pytest.raises(ActionRefused):
        await plan_venear(chain, "lock", HANA.owner_id, "203")  # only ~202 is free
    with pytest.raises(ActionRefused):
        await plan_venear(chain, "relock", SIDE.owner_id, None)  # nothing pending
    with pytest.raises(errors.InvalidInput):
        await plan_venear(chain, "explode", HANA.owner_id, None)
    relock = await plan_venear(chain, "relock", HANA.owner_id, "all")
    execute(sandbox, relock)
    lockup = await get_lockup(chain, HANA.owner_id)
    assert lockup.venear is not None and lockup.venear.pending_yocto == 0 and lockup.venear.locked_yocto == 798 * NEAR
    with pytest.raises(ActionRefused):
        await plan_venear(chain, "lock", "sam.near", None)  # sam has only a .lockup.near lockup


async def test_transfer_out_of_a_venear_lockup_takes_the_smaller_limit(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result, code = await run_line(chain, f"transfer {HANA.owner_id} all")
    assert code == EXIT_OK and isinstance(result, ActionResult)
    assert [c.deposit for tx in result.transactions for c in tx.actions] == [1] * len(result.transactions)
    before = sandbox.chain.accounts[HANA.owner_id].amount
    execute(sandbox, result)
    assert sandbox.chain.accounts[HANA.owner_id].amount == before + result.amount_yocto - len(result.transactions)
    # Nothing more can move now: the rest is locked, pending or staked.
    refused, code = await run_line(chain, f"transfer {HANA.owner_id} 1")
    assert code == EXIT_BAD_INPUT and "locked" in refused.message  # type: ignore[attr-defined]


async def test_transfer_finishes_a_completed_unlock_first(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result, code = await run_line(chain, f"transfer {IVY.owner_id} all")
    assert code == EXIT_OK and isinstance(result, ActionResult)
    assert [tx.actions[0].method_name for tx in result.transactions] == ["end_unlock_near", "transfer"]
    assert result.amount_yocto == 498 * NEAR + 2  # all but the 2 NEAR storage deposit (sandbox value)
    execute(sandbox, result)


async def test_staking_from_a_venear_lockup_attaches_one_yocto(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result, code = await run_line(
        chain, f"stake {IVY.owner_id} {SCENARIO.pool_id('alpha')} 50 --lockup {IVY.lockup_id}")
    assert code == EXIT_OK and isinstance(result, ActionResult)
    methods = [(tx.actions[0].method_name, tx.actions[0].deposit) for tx in result.transactions]
    assert methods == [("select_staking_pool", 1), ("deposit_and_stake", 1)]
    execute(sandbox, result)
    lockup = await get_lockup(chain, IVY.lockup_id)
    assert lockup.staking_pool_id == SCENARIO.pool_id("alpha") and lockup.known_deposited_yocto == 50 * NEAR


def stake_side_lockup_in_linear(sandbox: ThreadedSandbox, deposit: int, unstake: int, contract: str = LINEAR) -> None:
    """lena.near's idle House of Stake lockup stakes through LiNEAR (or another liquid-staking `contract`) as if it
    were a pool and unstakes part, each step the owner's own call to her lockup (1 yocto). The foundation first
    whitelists it, as the HoS README says it is for LiNEAR (mainnet-2026.md §3); the default sandbox whitelist lists
    only the *.poolv1.near pools."""
    args = {"staking_pool_account_id": contract}
    refused = sandbox.call(SIDE.owner_id, "lockup-whitelist.near", "add_staking_pool", args)
    assert not refused["ok"] and "Can only be called by NEAR Foundation" in refused["panic"], refused
    sandbox.run_on_loop(lambda: sandbox.chain.create_account("foundation.near", 10 * NEAR))
    added = sandbox.call("foundation.near", "lockup-whitelist.near", "add_staking_pool", args)
    assert added["ok"] and added["result"] is True, added
    for method, call_args in (("select_staking_pool", args), ("deposit_and_stake", {"amount": str(deposit)}),
                              ("unstake", {"amount": str(unstake)})):
        outcome = sandbox.call(SIDE.owner_id, SIDE.lockup_id, method, call_args, 1)
        assert outcome["ok"], (method, outcome)


async def test_a_venear_lockup_staked_through_linear_shows_its_unstake(chain: Chain, sandbox: ThreadedSandbox) -> None:
    stake_side_lockup_in_linear(sandbox, 100 * NEAR, 40 * NEAR)
    unbonding = await get_unbonding(chain, SIDE.owner_id)
    truth = view(sandbox, LINEAR, "get_account_details", unbonding.block_height, {"account_id": SIDE.lockup_id})
    (entry,) = [e for e in unbonding.entries if e.pool_id == LINEAR]
    # The lockup's claim, not lena's (she holds no LiNEAR herself), exact to the yocto.
    assert entry.held_by == SIDE.lockup_id
    assert entry.unstaked_yocto == int(truth["unstaked_balance"]) >= 40 * NEAR
    # LiNEAR's own rule: this epoch's settlement has run, so the unstake waits 4 + 1 epochs (LN internal.rs).
    assert entry.available_epoch == truth["unstaked_available_epoch_height"] == E + 5
    assert not entry.can_withdraw and entry.waiting_for == "epoch" and entry.estimated_available_unix is not None
    assert entry.estimated_available_unix > unbonding.head_unix
    # diagnose says when the lockup's NEAR comes back and raises no "not validating" alarm for a liquid-staking
    # contract (it is no validator; its stake is spread over many).
    diagnosis = await get_diagnose(chain, SIDE.owner_id)
    (waiting,) = [c for c in cases(diagnosis, "lockup_unbonding") if c.pool_id == LINEAR]
    assert waiting.available_epoch == E + 5 and SIDE.lockup_id in waiting.text
    assert not [c for c in diagnosis.cases if c.kind.startswith("validator_") and c.pool_id == LINEAR]
    status = await get_status(chain, SIDE.owner_id)
    (hos,) = [s for s in status.lockups if s.lockup_id == SIDE.lockup_id]
    assert hos.staking_pool_id == LINEAR
    lockup = await get_lockup(chain, SIDE.lockup_id)
    assert lockup.pool is not None and lockup.pool.unstaked_yocto == entry.unstaked_yocto
    assert not lockup.pool.can_withdraw


def withdraw_step(lockup: Any) -> Any:
    (step,) = [a for a in lockup.actions if a.action == "withdraw_from_staking_pool"]
    return step


async def test_the_lockup_answer_follows_linears_own_unlock_epoch(chain: Chain, sandbox: ThreadedSandbox) -> None:
    stake_side_lockup_in_linear(sandbox, 100 * NEAR, 40 * NEAR)
    lockup, code = await run_line(chain, f"lockup {SIDE.lockup_id}")
    assert code == EXIT_OK and isinstance(lockup, LockupResult) and lockup.pool is not None
    truth = view(sandbox, LINEAR, "get_account_details", lockup.block_height, {"account_id": SIDE.lockup_id})
    # LiNEAR's own epoch (4 + 1: this epoch's settlement had run when the lockup unstaked), not "4 epochs".
    assert lockup.pool.available_epoch == truth["unstaked_available_epoch_height"] == E + 5
    assert (lockup.pool.can_withdraw, lockup.pool.waiting_for) == (False, "epoch")
    assert lockup.pool.unstake_wait_epochs == 5  # a new unstake now also waits 5 (settlement already ran)
    step = withdraw_step(lockup)
    assert step.prepared is None and f"until epoch {E + 5}" in step.text and "wait 5 epochs" in step.text
    # Unstaking more from the lockup now: the wait by LiNEAR's own rule, not a pool's 4 epochs.
    more, _ = await run_line(chain, f"unstake {SIDE.owner_id} {LINEAR} 10 --lockup {SIDE.lockup_id}")
    assert isinstance(more, ActionResult)
    assert any(f"After 5 epochs (by {LINEAR}'s own rule)" in w for w in more.warnings), more.warnings
    # One epoch before LiNEAR's: the 4-epoch rule of a pool would say ready; LiNEAR and the answer say not yet.
    sandbox.advance(epochs=4)
    early, _ = await run_line(chain, f"lockup {SIDE.lockup_id}")
    assert isinstance(early, LockupResult) and early.pool is not None
    assert not early.pool.can_withdraw and withdraw_step(early).prepared is None
    refused = sandbox.call(SIDE.owner_id, SIDE.lockup_id, "withdraw_all_from_staking_pool", {}, 1)
    assert "not yet available due to unstaking delay" in refused["panic"], refused  # LiNEAR agrees: not yet
    # From LiNEAR's epoch on, the withdrawal is offered, and the prepared step is one LiNEAR accepts.
    sandbox.advance(epochs=1)
    ready, _ = await run_line(chain, f"lockup {SIDE.lockup_id}")
    assert isinstance(ready, LockupResult) and ready.pool is not None and ready.pool.can_withdraw
    prepared = withdraw_step(ready).prepared
    assert prepared is not None and prepared.ready and prepared.amount_yocto == ready.pool.unstaked_yocto
    before = int(view(sandbox, SIDE.lockup_id, "get_owners_balance", ready.block_height))
    execute(sandbox, ActionResult.model_validate(prepared.model_dump(exclude={"command", "label", "text", "rank",
                                                                              "planned", "refused"})))
    after = await get_lockup(chain, SIDE.lockup_id)
    assert after.pool is not None and after.pool.unstaked_yocto == 0
    assert after.account_balance_yocto >= before - 100 * NEAR + prepared.amount_yocto - NEAR


async def test_the_lockup_answer_waits_for_rheas_settlement(chain: Chain, sandbox: ThreadedSandbox) -> None:
    """Rhea's views say `can_withdraw` from the unlock epoch on; its withdraw also needs that epoch settled (RN
    account.rs). The lockup answer follows the contract, not the flag."""
    rhea = PROVIDER_IDS["rhea"]
    stake_side_lockup_in_linear(sandbox, 60 * NEAR, 20 * NEAR, rhea)
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.contracts[rhea], "auto_settle", False))
    lockup = await get_lockup(chain, SIDE.lockup_id)
    assert lockup.pool is not None and lockup.pool.available_epoch is not None
    sandbox.advance(epochs=lockup.pool.available_epoch - E)
    held, _ = await run_line(chain, f"lockup {SIDE.lockup_id}")
    assert isinstance(held, LockupResult) and held.pool is not None
    flag = view(sandbox, rhea, "get_account", held.block_height, {"account_id": SIDE.lockup_id})["can_withdraw"]
    assert flag is True and not held.pool.can_withdraw and held.pool.waiting_for == "settlement"
    assert withdraw_step(held).prepared is None and "settlement" in withdraw_step(held).text
    refused = sandbox.call(SIDE.owner_id, SIDE.lockup_id, "withdraw_all_from_staking_pool", {}, 1)
    assert "not yet available due to unstaking delay" in refused["panic"], refused  # Rhea refuses, flag or not
    with pytest.raises(ActionRefused, match="settlement"):
        await plan_lockup_withdraw(chain, SIDE.owner_id, rhea, None, SIDE.lockup_id)
    assert sandbox.call("erin.near", rhea, "epoch_unstake")["ok"]
    settled, _ = await run_line(chain, f"lockup {SIDE.lockup_id}")
    assert isinstance(settled, LockupResult) and settled.pool is not None and settled.pool.can_withdraw
    prepared = withdraw_step(settled).prepared
    assert prepared is not None and prepared.ready


async def test_ask_unbonding_for_a_venear_lockup_staked_through_linear(sandbox: ThreadedSandbox) -> None:
    stake_side_lockup_in_linear(sandbox, 50 * NEAR, 20 * NEAR)
    done = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, f"unbonding {SIDE.owner_id}")
    assert done.returncode == EXIT_OK, done.stderr
    answer = json.loads(done.stdout)
    (entry,) = [e for e in answer["entries"] if e["pool_id"] == LINEAR]
    assert entry["held_by"] == SIDE.lockup_id and entry["available_epoch"] == E + 5
    assert int(entry["unstaked_yocto"]) >= 20 * NEAR and entry["can_withdraw"] is False


# --- global contracts and lockups at any id -------------------------------------------------------------------------


async def test_global_contract_lockup_at_an_ordinary_id(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_lockup(chain, GLOBAL_LOCKUP_ID)
    assert result.lockup_kind == "foundation" and result.owner_id == "nina.near"
    assert result.deployment == "global_hash" and result.global_contract_hash and result.code_hash.startswith("1111")
    height = result.block_height
    assert result.locked_yocto == int(view(sandbox, GLOBAL_LOCKUP_ID, "get_locked_amount", height))
    assert result.liquid_owners_balance_yocto == int(view(sandbox, GLOBAL_LOCKUP_ID, "get_liquid_owners_balance", height))
    assert result.disagreement is None and result.version == "global-v3.1.0"
    status = await get_status(chain, GLOBAL_LOCKUP_ID)
    assert status.deployment == "global_hash" and status.lockup_of == "nina.near"


async def test_owner_of_a_global_lockup_names_it(chain: Chain) -> None:
    # Nothing on chain leads from nina.near to her lockup: the bot says how to name it…
    plain = await get_diagnose(chain, "nina.near")
    assert any("--lockup <lockup-account>" in n for n in plain.notes)
    assert (await get_status(chain, "nina.near")).lockups == []
    # …and once named, status, unbonding and diagnose include it.
    status = await get_status(chain, "nina.near", lockups=[GLOBAL_LOCKUP_ID])
    assert [s.lockup_id for s in status.lockups] == [GLOBAL_LOCKUP_ID] and status.lockup is not None
    unbonding = await get_unbonding(chain, "nina.near", lockups=[GLOBAL_LOCKUP_ID])
    (entry,) = unbonding.entries
    assert entry.held_by == GLOBAL_LOCKUP_ID and entry.available_epoch == E + 3
    assert entry.unstaked_yocto >= 400 * NEAR
    diagnosis = await get_diagnose(chain, "nina.near", lockups=[GLOBAL_LOCKUP_ID])
    assert cases(diagnosis, "lockup_unbonding") and cases(diagnosis, "lockup_locked")
    assert not cases(diagnosis, "nothing_wrong")
    # A named account that is someone else's lockup, or no lockup, is not counted, and the answer says why.
    other = await get_status(chain, "nina.near", lockups=[HANA.lockup_id, "erin.near"])
    assert other.lockups == []
    assert any("lockup of hana.near" in n for n in other.notes) and any("erin.near" in n for n in other.notes)
    # Linked accounts (Discord) are attached quietly when they are this owner's lockups.
    linked = await get_status(chain, "nina.near", linked=[GLOBAL_LOCKUP_ID, HANA.lockup_id, "erin.near"])
    assert [s.lockup_id for s in linked.lockups] == [GLOBAL_LOCKUP_ID] and linked.notes == []


async def test_both_lockups_side_by_side(chain: Chain) -> None:
    status = await get_status(chain, SIDE.owner_id)
    assert [(s.lockup_kind, s.lockup_id) for s in status.lockups] == [
        ("foundation", status.lockups[0].lockup_id), ("venear", SIDE.lockup_id)]
    assert status.lockup == status.lockups[0]
    venear = status.lockups[1].venear
    assert venear is not None and venear.locked_yocto == 100 * NEAR and venear.pending_yocto == 0


async def test_pool_deployed_as_a_global_contract_is_a_pool(chain: Chain, sandbox: ThreadedSandbox) -> None:
    pool = poolv1("global-ops.near", bytes(32), (5, 100))

    def deploy() -> None:
        from bot.sandbox.contracts import Env

        sandbox.chain.create_account("global-ops.near", 10 * NEAR)
        sandbox.chain.create_account("global.poolv1.near", 30 * NEAR)
        sandbox.chain.deploy("global.poolv1.near", pool, global_hash=pool.code_hash)
        pool.initialize(Env(sandbox.chain, "global.poolv1.near", predecessor_account_id="global-ops.near"))

    sandbox.run_on_loop(deploy)
    result = await get_pool(chain, "global.poolv1.near")
    assert result.contract_kind == "poolv1" and result.deployment == "global_hash"
    staked, code = await run_line(chain, "stake alice.near global.poolv1.near 10")
    assert code == EXIT_OK, staked


async def test_json_keys(sandbox: ThreadedSandbox) -> None:
    def ask(command: str) -> dict:
        done = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, command)
        return json.loads(done.stdout)

    lockup = ask(f"lockup {HANA.owner_id}")
    assert lockup["lockup_kind"] == "venear" and lockup["global_contract_hash"] is None
    assert set(lockup["venear"]) >= {"locked_yocto", "pending_yocto", "unlock_unix", "unlock_ready",
                                     "free_to_lock_yocto"}
    assert lockup["venear"]["pending_yocto"] == str(198 * NEAR)
    global_ = ask(f"lockup {GLOBAL_LOCKUP_ID}")
    assert global_["lockup_kind"] == "foundation" and global_["global_contract_hash"].startswith("CAvU5M")
    status = ask(f"status {SIDE.owner_id}")
    assert [x["lockup_kind"] for x in status["lockups"]] == ["foundation", "venear"]
    assert set(status["lockups"][1]) >= {"lockup_id", "lockup_kind", "locked_yocto", "liquid_owners_balance_yocto",
                                         "staking_pool_id", "venear"}
    unbonding = ask(f"unbonding {HANA.owner_id}")
    assert set(unbonding["timed_unlocks"][0]) >= {"lockup_id", "pending_yocto", "unlock_unix", "unlock_ready"}


async def test_unknown_code_that_answers_like_a_lockup_is_named_as_one(chain: Chain, sandbox: ThreadedSandbox) -> None:
    from bot.sandbox.contracts import JsonContract
    from bot.sandbox.lockup_contract import LockupCode

    class FutureLockup(JsonContract):
        VIEW_METHODS = {"get_owner_account_id": "owner"}  # noqa: RUF012

        def __init__(self) -> None:
            self.code_hash = LockupCode("future", "9" * 43, 0, False).code_hash
            self.code_len = 1000

        def owner(self, args: dict, env: Any) -> str:
            return "erin.near"

        def state_items(self) -> list[tuple[bytes, bytes]]:
            return [(b"STATE", b"\x01\x02 a layout from the future")]

    def deploy() -> None:
        sandbox.chain.create_account("vesting-2030.near", 100 * NEAR)
        sandbox.chain.deploy("vesting-2030.near", FutureLockup(), global_account="lockups.example.near")

    sandbox.run_on_loop(deploy)
    result, code = await run_line(chain, "lockup vesting-2030.near")
    assert code != EXIT_OK and result.error_kind == "lockup_state_unreadable"  # type: ignore[attr-defined]
    assert "erin.near" in result.message and "like a lockup" in result.message  # type: ignore[attr-defined]
    status = await get_status(chain, "vesting-2030.near")
    assert status.deployment == "global_account" and status.global_contract_account_id == "lockups.example.near"


async def test_a_lockup_account_never_signs_its_own_pool_calls(chain: Chain) -> None:
    # Named as the signer, the lockup is used through its owner (a lockup has no key anyone signs with).
    result, code = await run_line(chain, f"unstake {GLOBAL_LOCKUP_ID} alpha.poolv1.near 10")
    assert code == EXIT_OK and isinstance(result, ActionResult)
    assert result.signer_id == "nina.near" and result.transactions[0].receiver_id == GLOBAL_LOCKUP_ID
    assert result.via == "lockup"


async def test_a_named_lockup_that_is_missing_or_not_a_lockup_is_said_so(chain: Chain) -> None:
    missing, code = await run_line(chain, f"transfer {HANA.owner_id} all --lockup nonexistent.near")
    assert code == EXIT_BAD_INPUT and "nonexistent.near does not exist" in missing.message  # type: ignore[attr-defined]
    plain, code = await run_line(chain, f"transfer {HANA.owner_id} all --lockup alice.near")
    assert code == EXIT_BAD_INPUT and "alice.near is not a lockup contract" in plain.message  # type: ignore[attr-defined]
    status = await get_status(chain, HANA.owner_id, lockups=["nonexistent.near"])
    assert any("nonexistent.near was named as a lockup" in n for n in status.notes)


async def test_unbonding_of_the_lockup_itself_and_a_pool_filter(chain: Chain) -> None:
    itself = await get_unbonding(chain, IVY.lockup_id)
    assert [u.lockup_id for u in itself.timed_unlocks] == [IVY.lockup_id]
    only_pool = await get_unbonding(chain, HANA.owner_id, ["bravo.poolv1.near"])
    assert only_pool.timed_unlocks == []


async def test_next_steps_name_the_lockup_they_are_about(chain: Chain) -> None:
    diagnosis = await get_diagnose(chain, "nina.near", lockups=[GLOBAL_LOCKUP_ID])
    (unbonding,) = cases(diagnosis, "lockup_unbonding")
    assert unbonding.next_command == f"/lockup {GLOBAL_LOCKUP_ID}"  # `lockup nina.near` alone finds no lockup
    side = await get_diagnose(chain, SIDE.owner_id)
    (venear,) = cases(side, "venear_locked")
    assert venear.next_command == f"/lockup {SIDE.lockup_id}"  # lena's first lockup is her .lockup.near one
