"""Fault injection: each kind, method filters, counts, validation (all deterministic)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from bot.sandbox import ThreadedSandbox

from .sandbox_testlib import call_function_params

STATUS = {"jsonrpc": "2.0", "id": "dontcare", "method": "status", "params": []}


@pytest.fixture(scope="module")
def node():
    """One node whose faults each test sets and clears (chain state is not changed)."""
    with ThreadedSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def faults(node, http):
    def set_rules(rules):
        response = http.post(node.url + "/sandbox/faults", json=rules)
        assert response.status_code == 200, response.text
        return response.json()

    yield set_rules
    assert http.delete(node.url + "/sandbox/faults").json() == {"ok": True, "faults": []}


def test_latency_delays_then_answers(node, faults, http):
    faults([{"kind": "latency", "ms": 300}])
    started = time.monotonic()
    response = http.post(node.url, json=STATUS)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and "result" in response.json()


def test_429_is_text_with_retry_after(node, faults, http):
    faults([{"kind": "status", "status": 429, "retry_after": 2}])
    response = http.post(node.url, json=STATUS)
    assert response.status_code == 429
    assert response.text == "Too Many Requests" and response.headers["Retry-After"] == "2"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_408_500_502_503_bodies(node, faults, http):
    faults([{"kind": "status", "status": 408, "count": 1}, {"kind": "status", "status": 500, "count": 1},
            {"kind": "status", "status": 502, "count": 1}, {"kind": "status", "status": 503, "count": 1}])
    timeout = http.post(node.url, json=STATUS)
    assert timeout.status_code == 408
    assert timeout.json()["error"] == {"name": "HANDLER_ERROR", "cause": {"name": "TIMEOUT_ERROR"}, "code": -32000,
                                       "message": "Server error", "data": "Timeout"}
    internal = http.post(node.url, json=STATUS)
    assert internal.status_code == 500
    error = internal.json()["error"]
    assert error["name"] == "INTERNAL_ERROR" and error["cause"]["name"] == "INTERNAL_ERROR"
    bad_gateway = http.post(node.url, json=STATUS)
    assert bad_gateway.status_code == 502 and "<html>" in bad_gateway.text
    unavailable = http.post(node.url, json=STATUS)
    assert unavailable.status_code == 503 and unavailable.text == "Service Unavailable"
    assert http.post(node.url, json=STATUS).status_code == 200  # all four expired


def test_hang_outlasts_client_timeout(node, faults):
    faults([{"kind": "hang", "count": 1}])
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(node.url, json=STATUS, timeout=0.3)


def test_malformed_is_200_and_not_json(node, faults, http):
    faults([{"kind": "malformed"}])
    response = http.post(node.url, json=STATUS)
    assert response.status_code == 200
    assert response.text.startswith('{"jsonrpc"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_drop_closes_without_response(node, faults):
    faults([{"kind": "drop"}])
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(node.url, json=STATUS, timeout=2)


def test_stale_lags_head(node, faults, http, rpc):
    chain = node.chain
    faults([{"kind": "stale", "blocks": 50}])
    status = rpc.result(node.url, "status", [])
    assert chain.head_height - 52 <= status["sync_info"]["latest_block_height"] <= chain.head_height - 50
    final = rpc.result(node.url, "block", {"finality": "final"})["header"]["height"]
    assert final <= chain.final_height() - 50
    query = rpc.result(node.url, "query", {"request_type": "view_account", "finality": "final",
                                            "account_id": "alice.near"})
    assert query["block_height"] == final
    status_code, body = rpc.call(node.url, "block", {"block_id": chain.head_height})
    assert status_code == 422  # the lagging node does not have the head block yet


def test_method_filter_and_count(node, faults, http, rpc):
    faults([{"kind": "status", "status": 503, "method": "query", "count": 2}])
    assert http.post(node.url, json=STATUS).status_code == 200
    query = {"jsonrpc": "2.0", "id": 1, "method": "query",
             "params": call_function_params("alpha.poolv1.near", "get_owner_id")}
    assert [http.post(node.url, json=query).status_code for _ in range(3)] == [503, 503, 200]
    assert http.get(node.url + "/sandbox/faults").json()["faults"] == []


def test_api_filter_hits_rest_only(node, faults, http):
    faults([{"kind": "status", "status": 500, "method": "api"}])
    assert http.get(node.url + "/v1/account/alice.near/staking").status_code == 500
    assert http.post(node.url, json=STATUS).status_code == 200
    assert http.get(node.url + "/sandbox/info").status_code == 200  # control API is never faulted


def test_period_and_slots_hit_a_fixed_share_repeatably(node, faults, http):
    faults([
        {"kind": "status", "status": 429, "retry_after": 1, "period": 4, "slots": [0]},
        {"kind": "malformed", "method": "api", "period": 3, "slots": [2]},
    ])
    # The 429 rule counts every request; the malformed one only the REST API's (both from 0).
    codes = [http.post(node.url, json=STATUS).status_code for _ in range(8)]
    assert codes == [429, 200, 200, 200, 429, 200, 200, 200]
    api = [http.get(node.url + "/v1/account/bob.near/staking") for _ in range(4)]
    assert [r.status_code for r in api] == [429, 200, 200, 200]  # requests 8-11 overall; 0-3 of the API's
    assert [_is_json(r.content) for r in api[1:]] == [True, False, True]
    listed = http.get(node.url + "/sandbox/faults").json()["faults"]
    assert listed[0]["period"] == 4 and listed[0]["slots"] == [0]


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_latency_stacks_with_a_terminal_rule(node, faults, http):
    faults([{"kind": "latency", "ms": 200, "count": 1}, {"kind": "status", "status": 503, "count": 1}])
    started = time.monotonic()
    assert http.post(node.url, json=STATUS).status_code == 503
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("rule", [
    {"kind": "status", "status": 503, "probability": 0.5},
    {"kind": "status", "status": 404},
    {"kind": "teleport"},
    {"kind": "latency"},
    {"kind": "stale", "blocks": -3},
    {"kind": "drop", "count": 0},
    {"kind": "drop", "period": 4},
    {"kind": "drop", "period": 4, "slots": [4]},
])
def test_invalid_rules_are_refused(node, http, rule):
    response = http.post(node.url + "/sandbox/faults", json=[rule])
    assert response.status_code == 400 and response.json()["ok"] is False
    assert http.get(node.url + "/sandbox/faults").json()["faults"] == []
