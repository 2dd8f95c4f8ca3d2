"""Sandbox chain: a deterministic local NEAR JSON-RPC node + FastNEAR-compatible API for tests and demos.

Entry points: :class:`SandboxServer` (async), :class:`ThreadedSandbox` (sync helper),
:func:`run_forever` (CLI), :func:`build_default_scenario` / :data:`SCENARIO` (the world).
"""

from .chain import CallOutcome, SandboxChain, ValidatorRole
from .contracts import Contract, ContractPanic, Env, JsonContract, MethodNotFound
from .rpc import NodeOptions
from .scenario import SCENARIO, build_default_scenario
from .server import SandboxServer, run_forever
from .threaded import ThreadedSandbox
from .timeline import Timeline

__all__ = [
    "SCENARIO",
    "CallOutcome",
    "Contract",
    "ContractPanic",
    "Env",
    "JsonContract",
    "MethodNotFound",
    "NodeOptions",
    "SandboxChain",
    "SandboxServer",
    "ThreadedSandbox",
    "Timeline",
    "ValidatorRole",
    "build_default_scenario",
    "run_forever",
]
