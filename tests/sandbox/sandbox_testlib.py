"""Helpers shared by the sandbox chain tests."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx


class Rpc:
    """Tiny synchronous JSON-RPC client used by the tests (no retries, short timeout)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def raw(self, url: str, method: str, params: Any, request_id: Any = "dontcare") -> httpx.Response:
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        return self.client.post(url, json=body)

    def call(self, url: str, method: str, params: Any) -> tuple[int, dict[str, Any]]:
        response = self.raw(url, method, params)
        return response.status_code, response.json()

    def result(self, url: str, method: str, params: Any) -> dict[str, Any]:
        status, body = self.call(url, method, params)
        assert status == 200 and "result" in body, body
        return body["result"]

    def view(self, url: str, account_id: str, method: str, args: dict[str, Any] | None = None,
             finality: str = "final") -> Any:
        """call_function and decode the JSON result bytes."""
        result = self.result(url, "query", call_function_params(account_id, method, args, finality))
        assert "error" not in result, result
        return json.loads(bytes(result["result"]).decode("utf-8"))

    def post(self, url: str, path: str, body: Any) -> httpx.Response:
        return self.client.post(url + path, json=body)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def call_function_params(account_id: str, method: str, args: dict[str, Any] | None = None,
                         finality: str = "final") -> dict[str, Any]:
    return {
        "request_type": "call_function",
        "finality": finality,
        "account_id": account_id,
        "method_name": method,
        "args_base64": b64(json.dumps(args or {}).encode()),
    }
