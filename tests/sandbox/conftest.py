"""Fixtures for the sandbox chain tests: real HTTP against servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.sandbox import ThreadedSandbox

from .sandbox_testlib import Rpc


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[ThreadedSandbox]:
    """One node on the default scenario; tests using it must not change chain state or faults."""
    with ThreadedSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox() -> Iterator[ThreadedSandbox]:
    """A fresh node per test, free to mutate."""
    with ThreadedSandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.fixture(scope="session")
def rpc(http: httpx.Client) -> Rpc:
    return Rpc(http)
