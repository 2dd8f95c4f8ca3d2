"""Liquid staking (Meta Pool, LiNEAR, Rhea) over real HTTP against the sandbox: values yocto for yocto from the
contracts' own views, unlock epochs, time travel, a failing provider, the instant-exit quote, FastNEAR /ft, CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

import httpx
import pytest

from bot.near.epochs import read_epoch_clock
from bot.near.liquid import TOKEN_UNIT, providers_for
from bot.sandbox import ThreadedSandbox
from bot.sandbox.contracts import ContractPanic, Env, JsonContract
from bot.sandbox.liquid import LIQUID
from bot.sandbox.liquid_contracts import LinearContract, RheaContract
from bot.sandbox.scenario import SCENARIO
from bot.services.chain import Chain
from bot.services.liquid import get_liquid, liquid_holdings, liquid_unbonding
from tests.integration.test_cli import run_bot

E = SCENARIO.epoch_height
NEAR = 10**24
View = Callable[[str, str, dict[str, Any] | None], Any]
METAPOOL, LINEAR, RHEA = (LIQUID.contracts[k] for k in ("metapool", "linear", "rhea"))


def expected_positions(truth: View, account_id: str) -> dict[str, tuple[int, int, int]]:
    """{contract: (token balance, NEAR value, pending NEAR)} computed from the sandbox contracts' own views."""
    out = {}
    for provider in providers_for("mainnet"):
        contract = provider.contract_id
        balance = int(truth(contract, "ft_balance_of", {"account_id": account_id}))
        price = int(truth(contract, provider.price_method, None))
        if provider.key == "metapool":
            pending = int(truth(contract, "get_account_info", {"account_id": account_id})["unstaked"])
        elif provider.key == "linear":
            pending = int(truth(contract, "get_account_details", {"account_id": account_id})["unstaked_balance"])
        else:
            pending = int(truth(contract, "get_account", {"account_id": account_id})["unstaked_balance"])
        if balance or pending:
            out[contract] = (balance, balance * price // TOKEN_UNIT, pending)
    return out


@pytest.mark.parametrize("account", ["alice.near", "bob.near", "carol.near", "dave.near", "erin.near"])
async def test_holdings_equal_the_contracts_own_numbers(chain: Chain, truth: View, account: str) -> None:
    holdings, problems = await liquid_holdings(chain, account)
    assert problems == []
    got = {h.contract_id: (h.token_balance, h.near_value_yocto, h.pending_unstake_yocto) for h in holdings}
    assert got == expected_positions(truth, account)
    listed = {s.provider for s in LIQUID.seeds if s.account_id == account}
    assert {h.contract_id for h in holdings} == {LIQUID.contracts[p] for p in listed}


async def test_values_are_floored_never_above_the_contracts_exact_share_value(chain: Chain, truth: View) -> None:
    holdings, _ = await liquid_holdings(chain, "alice.near")
    (stnear,) = [h for h in holdings if h.contract_id == METAPOOL]
    exact = int(truth(METAPOOL, "get_account_info", {"account_id": "alice.near"})["valued_st_near"])
    # balance × floor(price) / 10^24 loses at most balance/10^24 + 1 yocto against shares × total / supply.
    assert exact - (stnear.token_balance // TOKEN_UNIT + 1) <= stnear.near_value_yocto <= exact
    assert stnear.symbol == "stNEAR" and stnear.provider == "Meta Pool"


async def test_unlock_epochs_come_from_the_contract_views(chain: Chain, truth: View) -> None:
    clock = await read_epoch_clock(chain.rpc)
    (bob,) = await liquid_unbonding(chain, "bob.near", clock)
    info = truth(METAPOOL, "get_account_info", {"account_id": "bob.near"})
    assert isinstance(info["unstaked_requested_unlock_epoch"], str)  # Meta Pool: a U64 string
    assert (bob.pool_id, bob.available_epoch, bob.available_epoch_source) == (METAPOOL, E + 2, "contract")
    assert bob.available_epoch == int(info["unstaked_requested_unlock_epoch"])
    assert (bob.unstaked_yocto, bob.staked_yocto, bob.can_withdraw, bob.epochs_left) == (int(info["unstaked"]), 0, False, 2)
    assert bob.estimate_earliest_unix < bob.estimated_available_unix < bob.estimate_latest_unix
    assert bob.estimated_available_unix == clock.estimated_epoch_start_ns(E + 2) // 10**9

    (carol,) = await liquid_unbonding(chain, "carol.near", clock)
    details = truth(LINEAR, "get_account_details", {"account_id": "carol.near"})
    assert isinstance(details["unstaked_available_epoch_height"], int)  # LiNEAR: a JSON number
    assert (carol.pool_id, carol.available_epoch, carol.can_withdraw, carol.epochs_left) == (LINEAR, E - 1, True, 0)
    assert carol.staked_yocto == expected_positions(truth, "carol.near")[LINEAR][1]

    (dave,) = await liquid_unbonding(chain, "dave.near", clock)
    rhea = truth(RHEA, "get_account_details", {"account_id": "dave.near"})
    # Rhea names the unlock epoch last_unstake_request_epoch_height (a JSON number), not LiNEAR's field.
    assert isinstance(rhea["last_unstake_request_epoch_height"], int) and "unstaked_available_epoch_height" not in rhea
    assert (dave.pool_id, dave.available_epoch, dave.available_epoch_source) == (RHEA, E + 3, "contract")
    assert (dave.can_withdraw, dave.epochs_left, dave.waiting_for) == (False, 3, "epoch")
    assert dave.estimated_available_unix == clock.estimated_epoch_start_ns(E + 3) // 10**9
    assert await liquid_unbonding(chain, "alice.near", clock) == []


async def test_time_travel_makes_bobs_unstake_withdrawable(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    refused = sandbox.call("bob.near", METAPOOL, "withdraw_unstaked")
    assert "not yet available due to unstaking delay" in refused["panic"]
    price_before = int(truth(METAPOOL, "get_st_near_price", None))
    sandbox.advance(epochs=2)
    assert int(truth(METAPOOL, "get_st_near_price", None)) > price_before  # rewards at each boundary
    (entry,) = await liquid_unbonding(chain, "bob.near", await read_epoch_clock(chain.rpc))
    assert (entry.can_withdraw, entry.epochs_left, entry.available_epoch) == (True, 0, E + 2)

    pending = entry.unstaked_yocto
    before = sandbox.chain.accounts["bob.near"].amount
    assert sandbox.call("bob.near", METAPOOL, "withdraw_unstaked")["ok"]
    assert sandbox.chain.accounts["bob.near"].amount - before == pending
    assert await liquid_holdings(chain, "bob.near") == ([], [])


async def test_change_methods_make_new_positions(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    staked = sandbox.call("erin.near", METAPOOL, "deposit_and_stake", deposit=20 * NEAR)
    assert staked["ok"], staked
    assert sandbox.call("erin.near", METAPOOL, "unstake", {"amount": str(5 * NEAR)})["ok"]
    assert sandbox.call("erin.near", LINEAR, "deposit_and_stake", deposit=10 * NEAR)["ok"]
    assert sandbox.call("erin.near", LINEAR, "unstake_all")["ok"]
    holdings, problems = await liquid_holdings(chain, "erin.near")
    assert problems == []
    by_id = {h.contract_id: h for h in holdings}
    minted = int(staked["result"])  # deposit_and_stake returns the stNEAR minted (U128)
    assert 0 < by_id[METAPOOL].token_balance < minted  # part of it was burned by the delayed unstake
    assert {c: (h.token_balance, h.near_value_yocto, h.pending_unstake_yocto) for c, h in by_id.items()} == \
        expected_positions(truth, "erin.near")
    assert by_id[LINEAR].token_balance == 0 and by_id[LINEAR].pending_unstake_yocto > 9 * NEAR
    entries = {e.pool_id: e for e in await liquid_unbonding(chain, "erin.near", await read_epoch_clock(chain.rpc))}
    # LiNEAR had already settled this epoch, so its unstake waits one epoch more (LN internal.rs); Meta Pool does not.
    assert (entries[METAPOOL].available_epoch, entries[LINEAR].available_epoch) == (E + 4, E + 5)
    assert not entries[METAPOOL].can_withdraw
    refused = sandbox.call("erin.near", METAPOOL, "deposit_and_stake", deposit=NEAR)
    assert refused["panic"].startswith("minimum deposit amount is")


async def test_instant_exit_quote_is_what_liquid_unstake_pays(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    result = await get_liquid(chain, "alice.near")
    position = next(p for p in result.positions if p.contract_id == METAPOOL)
    quote = int(truth(METAPOOL, "get_near_amount_sell_stnear", {"stnear_to_sell": str(position.token_balance)}))
    assert position.instant_exit == "liquid_unstake"
    assert position.instant_receive_yocto == quote
    assert position.instant_fee_yocto == position.near_value_yocto - quote > 0
    assert position.wait_epochs == truth(METAPOOL, "compute_current_unstaking_delay", {"amount": "1"}) == 4
    linear = next(p for p in result.positions if p.contract_id == LINEAR)
    assert (linear.instant_exit, linear.instant_receive_yocto, linear.wait_epochs) == ("dex_swap", None, 5)
    assert any("already run its settlement" in n for n in linear.notes)

    sandbox.run_on_loop(lambda: setattr(sandbox.chain.contracts[METAPOOL], "unstake_delay_epochs", 8))
    slow = next(p for p in (await get_liquid(chain, "alice.near")).positions if p.contract_id == METAPOOL)
    assert slow.wait_epochs == 8  # read live: Meta Pool waits 8 epochs when its pools are busy

    before = sandbox.chain.accounts["alice.near"].amount
    sold = sandbox.call("alice.near", METAPOOL, "liquid_unstake",
                        {"st_near_to_burn": str(position.token_balance), "min_expected_near": str(quote)})
    assert sold["ok"], sold
    assert sandbox.chain.accounts["alice.near"].amount - before == quote == int(sold["result"]["near"])
    holdings, _ = await liquid_holdings(chain, "alice.near")
    assert [h.contract_id for h in holdings] == [LINEAR]


class _Panicking(JsonContract):
    """A provider contract whose every view panics (e.g. a broken upgrade)."""

    VIEW_METHODS: ClassVar[dict[str, str]] = {"ft_balance_of": "boom", "ft_price": "boom"}

    def __init__(self) -> None:
        self.code_hash = "11111111111111111111111111111112"
        self.code_len = 100

    def boom(self, args: dict[str, Any], env: Env) -> Any:
        raise ContractPanic("Contract is busy. Try again later")


class _RheaWithGetAccountOnly(RheaContract):
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        k: v for k, v in RheaContract.VIEW_METHODS.items() if k != "get_account_details"
    }


class _RheaWithoutAccountViews(LinearContract):
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        k: v for k, v in LinearContract.VIEW_METHODS.items() if k not in ("get_account_details", "get_account")
    }


async def test_a_failing_provider_is_a_problem_and_the_others_answer(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.run_on_loop(lambda: sandbox.chain.deploy(LINEAR, _Panicking()))
    holdings, problems = await liquid_holdings(chain, "alice.near")
    assert [h.contract_id for h in holdings] == [METAPOOL]
    assert [(p.pool_id, p.kind) for p in problems] == [(LINEAR, "contract_panic")]
    assert "Contract is busy" in problems[0].message
    result = await get_liquid(chain, "alice.near")
    assert [p.contract_id for p in result.positions] == [METAPOOL]
    assert [p.pool_id for p in result.provider_problems] == [LINEAR]


def _redeploy_rhea(sandbox: ThreadedSandbox, kind: type[LinearContract]) -> None:
    """Replace Rhea's code by `kind`, keeping its accounts (an upgrade with different views)."""

    def swap() -> None:
        old = sandbox.chain.contracts[RHEA]
        new = kind("rhea-lst-owner.near", total_staked=old.total_staked, total_shares=old.total_shares)
        new.accounts = old.accounts
        sandbox.chain.deploy(RHEA, new)

    sandbox.run_on_loop(swap)


async def test_rhea_falls_back_to_get_account_without_an_epoch(chain: Chain, sandbox: ThreadedSandbox) -> None:
    _redeploy_rhea(sandbox, _RheaWithGetAccountOnly)
    (dave,) = await liquid_unbonding(chain, "dave.near", await read_epoch_clock(chain.rpc))
    assert (dave.available_epoch, dave.available_epoch_source, dave.can_withdraw) == (None, "unknown", False)
    assert "get_account_details" in (dave.source_note or "")


async def test_a_provider_without_account_views_says_pending_is_unknown(chain: Chain, sandbox: ThreadedSandbox) -> None:
    _redeploy_rhea(sandbox, _RheaWithoutAccountViews)
    holdings, problems = await liquid_holdings(chain, "dave.near")
    (rhea,) = holdings
    assert rhea.token_balance > 0 and rhea.pending_unstake_yocto == 0 and rhea.can_withdraw is None
    assert [(p.pool_id, p.kind) for p in problems] == [(RHEA, "pending_unknown")]
    position = (await get_liquid(chain, "dave.near")).positions[0]
    assert position.pending_unstake_yocto is None and position.unbonding is None
    assert await liquid_unbonding(chain, "dave.near", await read_epoch_clock(chain.rpc)) == []


async def test_fastnear_ft_lists_the_liquid_staking_tokens(sandbox: ThreadedSandbox, truth: View) -> None:
    async with httpx.AsyncClient() as http:
        alice = (await http.get(f"{sandbox.url}/v1/account/alice.near/ft")).json()
        bob = (await http.get(f"{sandbox.url}/v1/account/bob.near/ft")).json()
    assert alice["account_id"] == "alice.near"
    assert {t["contract_id"]: t["balance"] for t in alice["tokens"]} == {
        c: truth(c, "ft_balance_of", {"account_id": "alice.near"}) for c in (METAPOOL, LINEAR)
    }
    assert all(isinstance(t["last_update_block_height"], int) for t in alice["tokens"])
    assert bob == {"account_id": "bob.near", "tokens": []}  # unstaked everything: no tokens left


def test_liquid_command_via_cli(sandbox: ThreadedSandbox, truth: View) -> None:
    done = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, "liquid alice.near")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["account_id"], body["current_epoch"], body["provider_problems"]) == ("alice.near", E, [])
    expected = expected_positions(truth, "alice.near")
    got = {p["contract_id"]: (int(p["token_balance"]), int(p["near_value_yocto"]), int(p["pending_unstake_yocto"]))
           for p in body["positions"]}
    assert got == expected
    for position in body["positions"]:
        for key in ("provider", "symbol", "price_yocto", "instant_exit", "wait_epochs", "wait_estimated_unix",
                    "can_withdraw", "unbonding", "instant_receive_yocto", "instant_fee_yocto"):
            assert key in position, key
        assert isinstance(position["price_yocto"], str) and position["price_yocto"].isdigit()

    text = run_bot("ask", "--rpc", sandbox.url, "--api", sandbox.url, "liquid dave.near")
    assert text.returncode == 0, text.stderr
    assert "Rhea (lst.rhealab.near)" in text.stdout and f"withdrawable from epoch {E + 3}" in text.stdout
    missing = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, "liquid ghost.near")
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["error"]["kind"] == "account_not_found"
