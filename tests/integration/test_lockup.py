"""The `lockup` answer against the sandbox's lockup contracts, over real HTTP.

The sandbox contract (bot/sandbox/lockup_contract.py) implements the §4.5 formulas independently of
bot/near/lockup.py, so "the bot's numbers equal the contract's own views, yocto for yocto" is a real cross-check.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.commands import EXIT_BAD_INPUT, run_line
from bot.near import errors
from bot.near.account_id import lockup_account_id
from bot.near.lockup import TRANSFERS_STARTED
from bot.sandbox import ThreadedSandbox
from bot.sandbox.fungible_token import FungibleToken
from bot.sandbox.lockup_contract import LOCKUP_CODES, LockupCode, LockupContract
from bot.sandbox.lockups import LOCKUPS, STAKING_DEPOSIT, STAKING_POOL_ID, LockupRole, utc_ns
from bot.sandbox.venear import NEW_LOCKUPS
from bot.services.chain import Chain
from bot.services.lockup import (
    LockupStateUnreadable,
    NoLockup,
    NotALockup,
    get_lockup,
    lockup_summary,
    parse_at_time,
)
from bot.services.results import LockupResult
from tests.integration.test_cli import run_bot

NEAR = 10**24
YEAR_NS = 365 * 86_400 * 10**9
ROLES = [pytest.param(role, id=role.role) for role in LOCKUPS.values()]


def ask_json(sandbox: ThreadedSandbox, command: str) -> tuple[dict, int]:
    done = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, command,
                   env_extra={"NEAR_NETWORK": "mainnet"})
    return json.loads(done.stdout), done.returncode


def contract_view(sandbox: ThreadedSandbox, account_id: str, method: str, height: int | None = None) -> object:
    raw = sandbox.run_on_loop(lambda: sandbox.chain.view_call(account_id, method, b"{}", block_height=height))
    return json.loads(raw)


def contract_balances(sandbox: ThreadedSandbox, lockup_id: str, height: int | None = None) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        int(contract_view(sandbox, lockup_id, m, height))  # type: ignore[arg-type]
        for m in ("get_locked_amount", "get_owners_balance", "get_liquid_owners_balance")
    )


def bot_balances(result: LockupResult) -> tuple[int, int, int]:
    return result.locked_yocto, result.owners_balance_yocto, result.liquid_owners_balance_yocto


def actions(result: LockupResult) -> dict[str, str]:
    return {a.action: a.text for a in result.actions}


@pytest.mark.parametrize("role", ROLES)
async def test_every_lockup_equals_the_contracts_own_views(chain: Chain, sandbox: ThreadedSandbox, role: LockupRole) -> None:
    result = await get_lockup(chain, role.owner_id)
    lockup_id = lockup_account_id(role.owner_id)
    assert result.lockup_id == role.lockup_id == lockup_id
    assert result.owner_id == role.owner_id == contract_view(sandbox, lockup_id, "get_owner_account_id")
    assert result.code_hash == role.code_hash and result.version == role.version and result.version_known
    assert not result.projected and result.block_height == sandbox.chain.final_height()
    # The independent cross-check, at the block the bot pinned its reads to.
    expected = contract_balances(sandbox, lockup_id, result.block_height)
    # liquid_owners_balance_yocto is what `transfer` accepts now: nothing during a termination or while transfers
    # are disabled (core-contracts owner.rs), whatever get_liquid_owners_balance says; the raw view is below.
    locked, owners, liquid = expected
    blocked = result.termination_status is not None or not result.transfers_enabled
    assert bot_balances(result) == (locked, owners, 0 if blocked else liquid)
    assert result.contract_views is not None and result.disagreement is None
    views = result.contract_views
    assert (views.locked_yocto, views.owners_balance_yocto, views.liquid_owners_balance_yocto) == expected
    assert result.staking_pool_id == contract_view(sandbox, lockup_id, "get_staking_pool_account_id")
    assert result.known_deposited_yocto == int(contract_view(sandbox, lockup_id, "get_known_deposited_balance"))
    assert result.transfers_enabled is contract_view(sandbox, lockup_id, "are_transfers_enabled")
    assert result.account_balance_yocto == sandbox.chain.accounts[lockup_id].amount
    total = int(contract_view(sandbox, lockup_id, "get_balance"))
    assert result.account_balance_yocto + result.known_deposited_yocto == total
    assert result.lockup_amount_yocto == role.lockup_amount
    assert result.min_balance_for_storage_yocto == LOCKUP_CODES[role.version].min_balance_for_storage
    assert result.termination_status == contract_view(sandbox, lockup_id, "get_termination_status")
    assert "storage_minimum" in actions(result)


async def test_lockup_id_and_owner_id_give_the_same_answer(chain: Chain) -> None:
    role = LOCKUPS["linear"]
    by_owner = await get_lockup(chain, role.owner_id)
    by_lockup = await get_lockup(chain, role.lockup_id)
    # lena.near also has a House of Stake lockup: asked by owner, the answer names it (bot/sandbox/venear.py).
    assert by_owner.other_lockups == [NEW_LOCKUPS["venear_side"].lockup_id] and by_lockup.other_lockups == []
    assert by_owner.model_copy(update={"other_lockups": []}) == by_lockup
    summary = await lockup_summary(chain, role.owner_id)
    assert summary is not None
    assert summary.lockup_id == role.lockup_id
    assert (summary.locked_yocto, summary.owners_balance_yocto, summary.liquid_owners_balance_yocto) == bot_balances(
        by_owner
    )
    assert summary.staking_pool_id is None and summary.transfers_enabled
    assert await lockup_summary(chain, "erin.near") is None


@pytest.mark.parametrize("role_name", ["linear", "vesting_cliff", "v2_bug", "staking"])
async def test_projection_equals_the_contract_after_time_travel(
    chain: Chain, sandbox: ThreadedSandbox, role_name: str
) -> None:
    """Project to the exact timestamp of a future block, then travel there and ask the contract."""
    role = LOCKUPS[role_name]
    timeline = sandbox.chain.timeline
    head = sandbox.chain.head_height
    now_ns = timeline.timestamp_ns(head)
    # Land past the vesting cliff for vera (a jump), otherwise ~30 days ahead (mid release).
    target_ns = utc_ns(2026, 9, 2) if role_name == "vesting_cliff" else now_ns + 30 * 86_400 * 10**9
    target = head + (target_ns - now_ns) // 600_000_000
    while timeline.is_skipped(target):
        target += 1
    projected = await get_lockup(chain, role.owner_id, at_ns=timeline.timestamp_ns(target))
    assert projected.projected and projected.contract_views is None
    assert sandbox.advance(blocks=target - head) == target
    assert bot_balances(projected) == contract_balances(sandbox, role.lockup_id)
    if role_name == "vesting_cliff":
        assert 0 < projected.locked_yocto < role.lockup_amount  # the cliff released a pro-rata part at once
    now = await get_lockup(chain, role.owner_id)  # and the answer "now" at the new head still agrees
    assert bot_balances(now) == contract_balances(sandbox, role.lockup_id, now.block_height)


async def test_whole_second_projection_matches_the_contract_formula(chain: Chain, sandbox: ThreadedSandbox) -> None:
    role = LOCKUPS["linear"]
    at = parse_at_time("2027-01-01T12:00:00+02:00")
    assert at == 1_798_797_600
    result = await get_lockup(chain, role.owner_id, at)
    contract = sandbox.chain.contracts[role.lockup_id]
    assert isinstance(contract, LockupContract)
    oracle = contract.balances_at(result.account_balance_yocto, at * 10**9)
    assert bot_balances(result) == (oracle["locked"], oracle["owners"], oracle["liquid"])
    assert result.at_unix == at and result.projected
    assert any("assumes no new transactions" in note for note in result.notes)
    # Fully unlocked from exactly that second, not one second earlier.
    assert result.fully_unlocked_unix is not None
    done = await get_lockup(chain, role.owner_id, result.fully_unlocked_unix)
    before = await get_lockup(chain, role.owner_id, result.fully_unlocked_unix - 1)
    assert done.locked_yocto == 0 < before.locked_yocto
    assert [m.name for m in result.milestones] == ["release_end"]
    assert result.milestones[0].unix == result.fully_unlocked_unix


async def test_transfers_disabled_reports_the_vote_and_the_what_if(chain: Chain, sandbox: ThreadedSandbox) -> None:
    role = LOCKUPS["transfers_disabled"]
    result = await get_lockup(chain, role.owner_id)
    assert not result.transfers_enabled
    assert result.locked_yocto == role.lockup_amount and result.liquid_owners_balance_yocto == 0
    vote = next(a for a in result.actions if a.action == "check_transfers_vote")
    assert vote.method == "check_transfers_vote" and vote.gas_tgas == 75
    assert "transfer-vote.near" in vote.text and "2020-10-13 18:38:58 UTC" in vote.text
    assert "transfer" not in actions(result)
    what_if = result.after_transfers_vote
    assert what_if is not None
    assert what_if.locked_yocto == 0
    assert what_if.liquid_owners_balance_yocto == role.account_balance - 35 * NEAR
    assert result.unlock_assumes_transfers_vote and result.fully_unlocked_unix is not None
    assert result.fully_unlocked_unix == -(-(TRANSFERS_STARTED + 3 * YEAR_NS) // 10**9)
    # The owner votes; the contract now reports exactly the what-if.
    assert sandbox.call(role.owner_id, role.lockup_id, "check_transfers_vote")["ok"]
    after = await get_lockup(chain, role.owner_id)
    assert after.transfers_enabled and after.after_transfers_vote is None
    assert (after.locked_yocto, after.owners_balance_yocto, after.liquid_owners_balance_yocto) == (
        what_if.locked_yocto, what_if.owners_balance_yocto, what_if.liquid_owners_balance_yocto
    )
    assert bot_balances(after) == contract_balances(sandbox, role.lockup_id, after.block_height)
    assert "check_transfers_vote" not in actions(after) and "transfer" in actions(after)


async def test_v2_release_start_bug_is_what_the_contract_enforces(chain: Chain, sandbox: ThreadedSandbox) -> None:
    role = LOCKUPS["v2_bug"]
    result = await get_lockup(chain, role.owner_id)
    assert result.version == "v2.0.0" and result.release_start_bug
    assert result.code_hash.startswith("3kVY9qcV")
    buggy_end = TRANSFERS_STARTED + 6 * YEAR_NS
    assert result.release_end_unix == -(-buggy_end // 10**9)
    bug_note = next(note for note in result.notes if "release-start bug" in note)
    # Without the bug (end = lockup start + 6 years) much more would still be locked at this time.
    fixed_end = utc_ns(2024, 1, 1) + 6 * YEAR_NS
    now_ns = sandbox.chain.timeline.timestamp_ns(result.block_height)
    fixed_locked = role.lockup_amount * (fixed_end - now_ns) // (6 * YEAR_NS)
    buggy_locked = role.lockup_amount * (buggy_end - now_ns) // (6 * YEAR_NS)
    assert result.locked_yocto == buggy_locked < fixed_locked
    assert "2029-12-30" in bug_note
    # A v3 lockup of the same shape is not flagged.
    assert not (await get_lockup(chain, LOCKUPS["linear"].owner_id)).release_start_bug


async def test_staking_through_a_pool_suggests_refresh_and_withdraw(chain: Chain, sandbox: ThreadedSandbox) -> None:
    role = LOCKUPS["staking"]
    result = await get_lockup(chain, role.owner_id)
    assert result.staking_pool_id == STAKING_POOL_ID
    assert result.known_deposited_yocto == STAKING_DEPOSIT
    pool_total = int(json.loads(sandbox.run_on_loop(lambda: sandbox.chain.view_call(
        STAKING_POOL_ID, "get_account_total_balance", json.dumps({"account_id": role.lockup_id}).encode()))))
    assert result.pool is not None and result.pool.total_yocto == pool_total > STAKING_DEPOSIT  # rewards
    by_id = actions(result)
    assert "refresh_staking_pool_balance" in by_id and STAKING_POOL_ID in by_id["refresh_staking_pool_balance"]
    assert "withdraw_from_staking_pool" in by_id and "unstake_all" in by_id["withdraw_from_staking_pool"]
    assert "one_pool_at_a_time" in by_id and "lockup-whitelist.near" in by_id["one_pool_at_a_time"]
    # Most of the owner's balance sits in the pool: only the lockup account's balance above storage can move.
    assert result.liquid_owners_balance_yocto == result.account_balance_yocto - 35 * NEAR // 10
    assert result.liquid_owners_balance_yocto < result.owners_balance_yocto
    # The owner refreshes: the rewards become part of the owner's balance, and the hint goes away.
    assert sandbox.call(role.owner_id, role.lockup_id, "refresh_staking_pool_balance")["ok"]
    after = await get_lockup(chain, role.owner_id)
    assert after.known_deposited_yocto == pool_total
    assert "refresh_staking_pool_balance" not in actions(after)
    assert bot_balances(after) == contract_balances(sandbox, role.lockup_id, after.block_height)
    assert after.disagreement is None


async def test_vesting_cases(chain: Chain) -> None:
    cliff = await get_lockup(chain, LOCKUPS["vesting_cliff"].owner_id)
    assert cliff.vesting == "schedule" and cliff.locked_yocto == cliff.lockup_amount_yocto
    assert [m.name for m in cliff.milestones] == ["vesting_cliff", "vesting_end"]
    assert cliff.milestones[0].unix == utc_ns(2026, 9, 1) // 10**9
    assert cliff.fully_unlocked_unix == utc_ns(2029, 9, 1) // 10**9
    hidden = await get_lockup(chain, LOCKUPS["vesting_hash"].owner_id)
    assert hidden.vesting == "hash" and hidden.unvested_yocto == 0
    assert any("private" in note for note in hidden.notes)
    terminated = await get_lockup(chain, LOCKUPS["terminated"].owner_id)
    assert terminated.vesting == "terminated" and terminated.termination_status == "ReadyToWithdraw"
    assert terminated.locked_yocto == terminated.terminated_unvested_yocto == 4_000 * NEAR
    assert terminated.fully_unlocked_unix is None
    assert "termination_in_progress" in actions(terminated) and "transfer" not in actions(terminated)
    unlocked = await get_lockup(chain, LOCKUPS["unlocked"].owner_id)
    assert unlocked.locked_yocto == 0 and unlocked.milestones == []
    assert unlocked.liquid_owners_balance_yocto == unlocked.account_balance_yocto - 35 * NEAR
    assert "add_full_access_key" in actions(unlocked)
    assert not any("release-start bug" in note for note in unlocked.notes)  # both ends long past


async def test_errors_are_kind(chain: Chain, sandbox: ThreadedSandbox) -> None:
    with pytest.raises(NoLockup) as no_lockup:
        await get_lockup(chain, "erin.near")
    assert lockup_account_id("erin.near") in no_lockup.value.message and no_lockup.value.bad_input
    with pytest.raises(NoLockup):
        await get_lockup(chain, lockup_account_id("ghost.near"))
    with pytest.raises(errors.InvalidInput):
        await get_lockup(chain, "Lena.near")
    # A lockup-shaped id holding something else: a token contract, then a plain account.
    token_holder = lockup_account_id("erin.near")

    def deploy_token() -> None:
        sandbox.chain.create_account(token_holder, 5 * NEAR)
        sandbox.chain.deploy(token_holder, FungibleToken("FAKE", 24, {}))

    sandbox.run_on_loop(deploy_token)
    with pytest.raises(NotALockup) as not_lockup:
        await get_lockup(chain, "erin.near")
    assert not_lockup.value.bad_input
    plain = lockup_account_id("dave.near")
    sandbox.run_on_loop(lambda: sandbox.chain.create_account(plain, NEAR))
    with pytest.raises(NotALockup):
        await get_lockup(chain, plain)
    result, code = await run_line(chain, "lockup erin.near")
    assert code == EXIT_BAD_INPUT and result.error_kind == "not_a_lockup"  # type: ignore[attr-defined]


async def test_undecodable_state_of_a_known_lockup_code(chain: Chain, sandbox: ThreadedSandbox) -> None:
    class Broken(LockupContract):
        def state_items(self) -> list[tuple[bytes, bytes]]:
            return [(b"STATE", self.state_bytes() + b"\x00trailing")]

    lockup_id = lockup_account_id("carol.near")

    def deploy() -> None:
        sandbox.chain.create_account(lockup_id, 100 * NEAR)
        sandbox.chain.deploy(lockup_id, Broken(code=LOCKUP_CODES["v3.1.0"], owner_account_id="carol.near",
                                               lockup_amount=100 * NEAR, transfers_timestamp=TRANSFERS_STARTED))

    sandbox.run_on_loop(deploy)
    with pytest.raises(LockupStateUnreadable) as caught:
        await get_lockup(chain, "carol.near")
    assert "trailing" in caught.value.message


async def test_disagreement_and_unknown_version_are_reported_not_hidden(
    chain: Chain, sandbox: ThreadedSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    class OffByOne(LockupContract):
        def view_locked_amount(self, args, env):  # type: ignore[no-untyped-def]
            return str(int(super().view_locked_amount(args, env)) + 1)

    lockup_id = lockup_account_id("bob.near")
    code = LockupCode("future", "9" * 43, 35 * NEAR // 10, False)

    def deploy() -> None:
        sandbox.chain.create_account(lockup_id, 1_000 * NEAR)
        sandbox.chain.deploy(lockup_id, OffByOne(code=code, owner_account_id="bob.near", lockup_amount=1_000 * NEAR,
                                                 transfers_timestamp=TRANSFERS_STARTED,
                                                 lockup_timestamp=utc_ns(2025, 6, 1), release_duration=2 * YEAR_NS))

    sandbox.run_on_loop(deploy)
    with caplog.at_level(logging.WARNING, logger="bot.services.lockup"):
        result = await get_lockup(chain, "bob.near")
    assert result.version == "unknown" and not result.version_known
    assert any("Unrecognised lockup code hash" in note for note in result.notes)
    assert result.contract_views is not None
    assert result.contract_views.locked_yocto == result.locked_yocto + 1
    assert result.contract_views.owners_balance_yocto == result.owners_balance_yocto  # the oracle's real math
    assert result.disagreement is not None and "locked" in result.disagreement
    assert any("disagree" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "text",
    ["2027-13-01", "tomorrow", "2027/01/01", "01-01-2027", "2027-01-01T25:00Z", "2027-01-01T12:00+24:00", "1969-12-31"],
)
async def test_bad_at_is_a_kind_error(chain: Chain, text: str) -> None:
    result, code = await run_line(chain, f"lockup lena.near --at {text}")
    assert code == EXIT_BAD_INPUT
    assert result.error_kind == "invalid_input"  # type: ignore[attr-defined]
    assert "2027-01-01T12:00:00Z" in result.message  # type: ignore[attr-defined]


def test_cli_lockup_json_end_to_end(sandbox: ThreadedSandbox) -> None:
    role = LOCKUPS["staking"]
    body, code = ask_json(sandbox, f"lockup {role.owner_id}")
    assert code == 0, body
    for key in ("owner_id", "lockup_id", "code_hash", "version", "at_unix", "lockup_amount_yocto", "locked_yocto",
                "owners_balance_yocto", "liquid_owners_balance_yocto", "account_balance_yocto", "staking_pool_id",
                "known_deposited_yocto", "transfers_enabled", "fully_unlocked_unix"):
        assert key in body, key
    for key in ("lockup_amount_yocto", "locked_yocto", "owners_balance_yocto", "liquid_owners_balance_yocto",
                "account_balance_yocto", "known_deposited_yocto", "min_balance_for_storage_yocto"):
        assert isinstance(body[key], str) and body[key].isdigit(), key
    assert (body["owner_id"], body["lockup_id"], body["staking_pool_id"]) == (
        role.owner_id, role.lockup_id, STAKING_POOL_ID
    )
    expected = contract_balances(sandbox, role.lockup_id, body["block_height"])
    assert (int(body["locked_yocto"]), int(body["owners_balance_yocto"]), int(body["liquid_owners_balance_yocto"])) == (
        expected
    )
    assert {a["action"] for a in body["actions"]} >= {"refresh_staking_pool_balance", "withdraw_from_staking_pool"}
    projected, code = ask_json(sandbox, f"lockup {role.lockup_id} --at 2027-01-01")
    assert code == 0 and projected["at_unix"] == 1_798_761_600 and projected["projected"] is True
    done = run_bot("ask", "--rpc", sandbox.url, "--api", sandbox.url, "lockup lena.near --at soon",
                   env_extra={"NEAR_NETWORK": "mainnet"})
    assert done.returncode == EXIT_BAD_INPUT and "2027-01-01" in done.stdout
