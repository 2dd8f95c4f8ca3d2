"""The RPC client against the sandbox over real HTTP: failover, retries, Retry-After, deadlines, coalescing,
caching, and both of nearcore's error styles."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace

import httpx
import pytest

from bot.near import errors
from bot.near.rpc import NearRpcClient
from bot.sandbox import ThreadedSandbox
from bot.sandbox.contracts import ContractPanic
from tests.conftest import FAST_POLICY


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens here any more: connection refused


async def test_reads_match_the_chain(sandbox: ThreadedSandbox) -> None:
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        account = await rpc.view_account("alice.near")
        expected = sandbox.run_on_loop(lambda: sandbox.chain.view_account("alice.near"))
        assert account.amount == int(expected["amount"])
        assert account.code_hash == "11111111111111111111111111111111"
        owner = await rpc.view_function("alpha.poolv1.near", "get_owner_id")
        assert owner == "alpha-ops.near"


async def test_failover_when_first_endpoint_refuses_connections(sandbox: ThreadedSandbox) -> None:
    async with NearRpcClient([closed_port_url(), sandbox.url], FAST_POLICY) as rpc:
        validators = await rpc.validators()
        assert validators.epoch_height == sandbox.chain.epoch_height
        assert rpc.stats.http_requests == 2  # one refused, one answered


async def test_failover_when_first_endpoint_returns_503(two_node_sandbox: ThreadedSandbox) -> None:
    two_node_sandbox.set_faults(0, [{"kind": "status", "status": 503}])
    async with NearRpcClient(two_node_sandbox.urls, FAST_POLICY) as rpc:
        block = await rpc.block()
        assert block.header.height == two_node_sandbox.chain.final_height()
        # the failed node is remembered: the next call goes straight to the healthy one
        before = rpc.stats.http_requests
        await rpc.view_account("bob.near")
        assert rpc.stats.http_requests == before + 1


async def test_all_endpoints_down_gives_a_clear_error_within_the_deadline(sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 502}])
    policy = replace(FAST_POLICY, deadline=1.5)
    started = time.monotonic()
    async with NearRpcClient([sandbox.url, closed_port_url()], policy) as rpc:
        with pytest.raises(errors.RpcUnavailable) as caught:
            await rpc.view_account("alice.near")
    assert time.monotonic() - started < policy.deadline + 1.0
    assert "Could not reach a NEAR RPC node" in caught.value.message
    assert caught.value.attempts


async def test_429_retry_after_is_honoured_without_a_retry_storm(sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 429, "retry_after": 1, "count": 1}])
    started = time.monotonic()
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        account = await rpc.view_account("alice.near")
        assert account.amount > 0
        assert rpc.stats.http_requests == 2
    assert time.monotonic() - started >= 1.0


async def test_429_asking_for_too_long_a_wait_gives_rate_limited(sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 429, "retry_after": 60}])
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        with pytest.raises(errors.RateLimited) as caught:
            await rpc.view_account("alice.near")
        assert rpc.stats.http_requests == 1
    assert "rate limiting" in caught.value.message


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500, "count": 2},
        {"kind": "status", "status": 408, "count": 1},
        {"kind": "malformed", "count": 1},
        {"kind": "drop", "count": 1},
        {"kind": "hang", "count": 1},
    ],
    ids=["5xx", "408", "malformed", "dropped", "slow-past-timeout"],
)
async def test_transient_faults_are_retried_to_the_right_answer(sandbox: ThreadedSandbox, fault: dict) -> None:
    sandbox.set_faults(0, [fault])
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        staked = await rpc.view_function("alpha.poolv1.near", "get_total_staked_balance")
    assert int(staked) > 0


async def test_lagging_node_is_skipped_for_a_block_it_does_not_have(two_node_sandbox: ThreadedSandbox) -> None:
    two_node_sandbox.set_faults(0, [{"kind": "stale", "blocks": 500}])
    head = two_node_sandbox.chain.final_height()
    async with NearRpcClient(two_node_sandbox.urls, FAST_POLICY) as rpc:
        block = await rpc.block(block_id=head)
    assert block.header.height == head


@pytest.mark.parametrize("style", ["legacy", "structured"])
async def test_both_error_styles_map_to_the_same_typed_errors(style: str) -> None:
    with ThreadedSandbox(node_options={"error_style": style}) as sandbox:
        async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
            with pytest.raises(errors.MethodNotFound):
                await rpc.view_function("token.sandbox.near", "get_owner_id")
            with pytest.raises(errors.NoContractCode):
                await rpc.view_function("nocontract.near", "get_owner_id")
            with pytest.raises(errors.AccountNotFound):
                await rpc.view_account("ghost.near")
            with pytest.raises(errors.ContractPanic) as caught:
                await rpc.view_function("alpha.poolv1.near", "get_account", {"wrong": 1})
            assert rpc.stats.http_requests == 4  # final answers are not retried
        # The contract's own words, whatever the shape (text, or the object `vm_error` of newer nodes).
        assert caught.value.panic_message == _panic_of(sandbox, "alpha.poolv1.near", "get_account", b'{"wrong":1}')
        assert caught.value.message == f"alpha.poolv1.near.get_account failed: {caught.value.panic_message}"


def _panic_of(sandbox: ThreadedSandbox, account_id: str, method: str, args: bytes) -> str:
    def run() -> str:
        try:
            sandbox.chain.view_call(account_id, method, args)
        except ContractPanic as panic:
            return panic.message
        raise AssertionError("the call did not panic")

    return sandbox.run_on_loop(run)


async def test_a_node_refusing_an_account_id_says_it_is_not_valid() -> None:
    with ThreadedSandbox(node_options={"account_id_check": "runtime"}) as sandbox:
        async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
            with pytest.raises(errors.InvalidAccount) as caught:
                await rpc.view_account("Not-Valid.near")
            with pytest.raises(errors.AccountNotFound):
                await rpc.view_account("ghost.near")  # a valid id that does not exist is still "does not exist"
    assert "not a valid account id" in caught.value.message and "does not exist" not in caught.value.message
    assert caught.value.bad_input


async def test_state_too_large_without_pagination() -> None:
    with ThreadedSandbox(node_options={"paginated_view_state": False}) as sandbox:
        async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
            with pytest.raises(errors.StateTooLarge):
                await rpc.view_state("mega.poolv1.near", b"STATE")
            small = await rpc.view_state("bravo.poolv1.near", b"STATE")
            assert [item.key_bytes for item in small.values] == [b"STATE"]


async def test_identical_concurrent_reads_are_coalesced(sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "latency", "ms": 150}])
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        results = await asyncio.gather(*(rpc.view_account("carol.near") for _ in range(10)))
        assert len({r.amount for r in results}) == 1
        assert rpc.stats.http_requests == 1
        assert rpc.stats.coalesced == 9


async def test_final_answers_are_kept_briefly_values_and_answers_about_a_block_alike(sandbox: ThreadedSandbox) -> None:
    policy = replace(FAST_POLICY, cache_ttl=30.0)
    async with NearRpcClient([sandbox.url], policy) as rpc:
        await rpc.view_account("alice.near")
        await rpc.view_account("alice.near")
        assert rpc.stats.http_requests == 1
        for _ in range(2):
            with pytest.raises(errors.AccountNotFound) as missing:
                await rpc.view_account("ghost.near")
            # "No such account at the final block" is the node's answer about that block, kept like a value.
            assert missing.value.block_height == sandbox.chain.final_height()
        assert rpc.stats.http_requests == 2


async def test_failures_to_get_an_answer_are_never_kept(sandbox: ThreadedSandbox) -> None:
    policy = replace(FAST_POLICY, cache_ttl=30.0, max_attempts=1)
    sandbox.set_faults(0, [{"kind": "status", "status": 503, "count": 1}])
    async with NearRpcClient([sandbox.url], policy) as rpc:
        with pytest.raises(errors.RpcUnavailable):
            await rpc.view_account("alice.near")
        assert (await rpc.view_account("alice.near")).amount > 0  # asked again, not served the failure
        assert rpc.stats.http_requests == 2


async def test_the_cache_size_is_capped_whatever_the_request_rate(sandbox: ThreadedSandbox) -> None:
    policy = replace(FAST_POLICY, cache_ttl=300.0, immutable_cache_ttl=300.0, cache_max_entries=8)
    async with NearRpcClient([sandbox.url], policy) as rpc:
        head = (await rpc.block()).header.height
        for height in range(head - 30, head):  # 30 distinct immutable reads, none expires for 5 minutes
            await rpc.block(block_id=height)
        assert len(rpc._reads) <= 8
        before = rpc.stats.http_requests
        await rpc.block(block_id=head - 1)  # the newest entries stay
        assert rpc.stats.http_requests == before
        await rpc.block(block_id=head - 30)  # the oldest went
        assert rpc.stats.http_requests == before + 1


@pytest.mark.parametrize("style", ["legacy", "structured"])
async def test_view_access_key_full_access_function_call_and_unknown(style: str) -> None:
    from tests.wallet_keys import TestWallet

    full, limited = TestWallet("alice.near"), TestWallet("alice.near")
    with ThreadedSandbox(node_options={"error_style": style}) as sandbox:
        with httpx.Client() as http:
            for wallet, permission in [(full, "FullAccess"), (limited, {"FunctionCall": {
                    "allowance": "250000000000000000000000", "receiver_id": "alpha.poolv1.near", "method_names": []}})]:
                body = {"account_id": "alice.near", "public_key": wallet.public_key, "permission": permission}
                assert http.post(f"{sandbox.url}/sandbox/access_key", json=body).json() == {"ok": True}
        async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
            assert (await rpc.view_access_key("alice.near", full.public_key)).full_access
            view = await rpc.view_access_key("alice.near", limited.public_key)
            assert not view.full_access and view.permission["FunctionCall"]["receiver_id"] == "alpha.poolv1.near"
            with pytest.raises(errors.UnknownAccessKey):
                await rpc.view_access_key("bob.near", full.public_key)  # a key of another account
            with pytest.raises(errors.AccountNotFound):
                await rpc.view_access_key("nobody.near", full.public_key)
