"""Control API (/sandbox/...), server lifecycle and the two-nodes-one-chain setup."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.sandbox import SandboxServer, ThreadedSandbox, build_default_scenario
from bot.sandbox.server import ensure_loopback


def test_info(shared_sandbox, http):
    info = http.get(shared_sandbox.url + "/sandbox/info").json()
    chain = shared_sandbox.chain
    assert info["head_height"] == chain.head_height and info["epoch_length"] == 43_200
    assert info["rpc_url"] == info["api_url"] == shared_sandbox.url
    assert info["roles"]["pools"]["alpha"]["pool_id"] == "alpha.poolv1.near"
    assert info["roles"]["accounts"]["missing"] == "ghost.near"


def test_call_and_create_account(sandbox, http, rpc):
    url = sandbox.url
    assert http.post(url + "/sandbox/account", json={"account_id": "newbie.near", "amount": "5" + "0" * 24}).json()[
        "ok"]
    assert http.post(url + "/sandbox/account", json={"account_id": "newbie.near"}).status_code == 400
    reply = http.post(url + "/sandbox/call", json={
        "signer_id": "newbie.near", "receiver_id": "bravo.poolv1.near", "method_name": "deposit_and_stake",
        "args": {}, "deposit": "2" + "0" * 24}).json()
    assert reply["ok"] is True and any("deposited" in line for line in reply["logs"])
    view = rpc.view(url, "bravo.poolv1.near", "get_account", {"account_id": "newbie.near"})
    assert 0 < 2 * 10**24 - int(view["staked_balance"]) <= 3
    assert sandbox.call("newbie.near", "bravo.poolv1.near", "unstake_all")["ok"] is True
    assert sandbox.call("newbie.near", "token.sandbox.near", "unstake_all")["error"] == (
        "MethodResolveError(MethodNotFound)")
    assert "does not exist" in sandbox.call("ghost.near", "bravo.poolv1.near", "ping")["error"]
    assert http.post(url + "/sandbox/call", json={"signer_id": "x.near"}).status_code == 400
    assert http.post(url + "/sandbox/call", json={"signer_id": "alice.near", "receiver_id": "bravo.poolv1.near",
                                                  "method_name": "deposit", "deposit": 1.5}).status_code == 400
    assert http.post(url + "/sandbox/advance", json={"blocks": -1}).status_code == 400


def test_advance_to_the_edges_of_an_epoch(sandbox, http, rpc):
    url, chain = sandbox.url, sandbox.chain
    epoch = chain.epoch_height
    info = http.post(url + "/sandbox/advance", json={"edge": "last", "offset": 0}).json()
    last = chain.timeline.epoch_last_block(epoch)
    assert (info["head_height"], info["epoch_height"]) == (last, epoch)
    info = http.post(url + "/sandbox/advance", json={"edge": "first", "offset": 1}).json()
    first = chain.timeline.epoch_start(epoch + 1)
    assert (info["head_height"], info["epoch_height"]) == (first + 1, epoch + 1)
    # The final block trails the head: here it is still the previous epoch's last block.
    assert info["final_height"] == last
    final = rpc.result(url, "block", {"finality": "final"})["header"]
    assert (final["height"], final["epoch_id"]) == (last, chain.timeline.epoch_id(epoch))
    assert http.post(url + "/sandbox/advance", json={"edge": "middle"}).status_code == 400


def test_two_nodes_share_one_chain(rpc, http):
    with ThreadedSandbox(nodes=2) as sandbox:
        first, second = sandbox.urls
        assert first != second
        http.post(first + "/sandbox/advance", json={"blocks": 100})
        heads = [rpc.result(url, "status", [])["sync_info"]["latest_block_height"] for url in sandbox.urls]
        assert heads[0] == heads[1] == sandbox.chain.head_height
        http.post(first + "/sandbox/faults", json=[{"kind": "status", "status": 503}])
        assert rpc.raw(first, "status", []).status_code == 503
        assert rpc.raw(second, "status", []).status_code == 200  # failover target unaffected
        sandbox.clear_faults()
        assert rpc.raw(first, "status", []).status_code == 200


def test_only_loopback_binds():
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        with pytest.raises(ValueError):
            ensure_loopback(host)
    ensure_loopback("127.0.0.1")
    ensure_loopback("::1")
    ensure_loopback("localhost")


@pytest.mark.asyncio
async def test_async_server_lifecycle_with_shared_chain():
    chain = build_default_scenario()
    nodes = [SandboxServer(chain), SandboxServer(chain, error_style="structured")]
    urls = [await node.start() for node in nodes]
    try:
        assert all(url.startswith("http://127.0.0.1:") for url in urls)
        async with httpx.AsyncClient(timeout=5) as client:
            replies = await asyncio.gather(*(
                client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "status", "params": []})
                for url in urls))
        assert {r.json()["result"]["sync_info"]["latest_block_height"] for r in replies} == {chain.head_height}
        assert nodes[0].chain is nodes[1].chain
    finally:
        for node in nodes:
            await node.stop()
    with pytest.raises(RuntimeError):
        _ = nodes[0].url  # stopped servers have no url


def test_stop_is_fast_with_a_hung_request(http):
    sandbox = ThreadedSandbox().start()
    sandbox.set_faults(0, [{"kind": "hang"}])
    with pytest.raises(httpx.TimeoutException):
        httpx.post(sandbox.url, json={"jsonrpc": "2.0", "id": 1, "method": "status", "params": []}, timeout=0.3)
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 3
