"""Recommended steps, prepared by the action commands' own planners (bot/services/ready.py), against the sandbox.

The most useful steps of an answer are prepared (at most what one Discord message holds), the rest stay commands to
run; a step the planner refuses carries the planner's own reason; a projection offers nothing to sign; preparing a
step reuses the reads the answer already made.
"""

from __future__ import annotations

import pytest

from bot.commands import run_command, run_line
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.registry import parse_request
from bot.render.text import render_text
from bot.requests import DiagnoseRequest
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.services.actions import ActionRefused, plan_withdraw
from bot.services.chain import Chain
from bot.services.offers import prepared_actions
from bot.services.ready import MAX_READY, with_ready_actions
from bot.services.results import LockupResult, StatusResult
from bot.services.status import get_status

NEAR = 10**24
POOLS = [SCENARIO.pool_id(role) for role in ("alpha", "bravo", "charlie", "mega", "paused", "kicked")]


async def test_the_most_useful_steps_are_prepared_the_rest_are_commands(chain: Chain) -> None:
    status = await get_status(chain, "bob.near")
    # Six withdrawable delegations (only alpha's is real): more steps than one message can hold.
    entries = [status.delegations[0].model_copy(update={"pool_id": pool, "unstaked_yocto": (10 + i) * NEAR})
               for i, pool in enumerate(POOLS)]
    many = status.model_copy(update={"delegations": entries, "lockups": [], "lockup": None, "liquid": []})
    result = await with_ready_actions(chain, many)
    assert isinstance(result, StatusResult)
    steps = prepared_actions(result)
    assert [p.rank for p in steps] == [1, 2, 3, 4, 5, 6]
    assert [p.amount_yocto for p in steps[MAX_READY:]] == [11 * NEAR, 10 * NEAR]  # the largest first
    assert [p.planned for p in steps] == [True] * MAX_READY + [False] * (len(POOLS) - MAX_READY)
    assert steps[-1].command == f"withdraw bob.near {POOLS[0]}" and steps[-1].transactions == []
    # bob has nothing in kicked.poolv1.near: the planner refuses, and its reason is the step's.
    kicked = next(p for p in steps if p.command.endswith(POOLS[5]))
    with pytest.raises(ActionRefused) as refused:
        await plan_withdraw(chain, "bob.near", POOLS[5])
    assert kicked.refused == refused.value.message and not kicked.ready


async def test_a_projection_offers_nothing_to_sign(chain: Chain) -> None:
    now, _ = await run_line(chain, "lockup lena.near")
    later, _ = await run_line(chain, "lockup lena.near --at 2027-07-01")
    assert isinstance(now, LockupResult) and isinstance(later, LockupResult)
    assert [p.action for p in prepared_actions(now)] == ["transfer"]
    assert prepared_actions(later) == []


async def test_not_preparing_leaves_the_commands(chain: Chain) -> None:
    result, _ = await run_command(chain, DiagnoseRequest(account="ivy.near"), prepare=False)
    steps = prepared_actions(result)
    assert [p.command.split()[:2] for p in steps] == [["transfer", "ivy.near"], ["venear", "end-unlock"]]
    assert not any(p.planned or p.transactions for p in steps)


async def test_console_keeps_the_technical_details(chain: Chain) -> None:
    result, _ = await run_line(chain, "diagnose bob.near")
    text = render_text(result)
    assert "ready to sign (most useful first" in text
    assert "1. Withdraw 500 NEAR from alpha.poolv1.near to bob.near — it is ready." in text
    assert "alpha.poolv1.near.withdraw_all({}) deposit 0 NEAR (0 yocto), gas 175 TGas" in text
    assert "Sign in MyNearWallet: https://app.mynearwallet.com/sign?transactions=" in text


@pytest.mark.parametrize(("line", "extra"), [("diagnose bob.near", 1), ("diagnose ivy.near", 1), ("lockup ivy.near", 1)])
async def test_preparing_reuses_the_answers_reads(sandbox: ThreadedSandbox, line: str, extra: int) -> None:
    """Pinned to the answer's block, the planners' reads are the answer's own (cached): only that block is new."""
    counts = []
    for prepare in (False, True):
        chain = Chain("mainnet", NearRpcClient([sandbox.url], RpcPolicy()), IndexerClient(sandbox.url))
        try:
            result, _ = await run_command(chain, parse_request(line), prepare=prepare)
            counts.append(chain.rpc.stats.http_requests)
        finally:
            await chain.aclose()
    assert any(p.ready for p in prepared_actions(result))
    assert counts[1] - counts[0] <= extra, counts
