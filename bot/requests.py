"""One typed request per command: what a person asked for, already split into its parts.

The console and `ask` parse a typed line into a request (bot/grammar.py); the Discord cogs build it from their
options (field names are the slash options' names, so tests/unit/test_command_registry.py can check one against the
other); bot/registry.py runs it. Nothing here reads the chain: account ids and amounts are checked by the services
(and, in Discord, by the option transformers before anything is deferred).

Amounts stay the words the person typed (`"10"`, `"5 NEAR"`, `"all"`, `"3 stNEAR"`): what they mean depends on
where they go (NEAR for a pool or a lockup, the held token for a liquid-staking unstake), which only the planner
knows once it has read the chain.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

VenearWord = Literal["lock", "unlock", "end-unlock", "relock"]


class CommandRequest(BaseModel):
    """Base of every request; `command` is the command's name (the registry key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    command: ClassVar[str]


class EpochRequest(CommandRequest):
    command: ClassVar[str] = "epoch"


class PoolRequest(CommandRequest):
    command: ClassVar[str] = "pool"
    pool: str


class StatusRequest(CommandRequest):
    """`lockups`: lockup accounts named with `--lockup`; `linked`: the Discord user's other linked accounts (a
    lockup among them that belongs to `account` joins the answer, the rest is ignored quietly)."""

    command: ClassVar[str] = "status"
    account: str
    pools: tuple[str, ...] = ()
    lockups: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()
    scan: bool = False


class UnbondingRequest(CommandRequest):
    command: ClassVar[str] = "unbonding"
    account: str
    pool: str | None = None
    lockups: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()
    scan: bool = False


class DiagnoseRequest(CommandRequest):
    """`pools`: pools named (or linked in a support message), checked next to the index and the validator set."""

    command: ClassVar[str] = "diagnose"
    account: str
    pools: tuple[str, ...] = ()
    lockups: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()


class LiquidRequest(CommandRequest):
    command: ClassVar[str] = "liquid"
    account: str


class LockupRequest(CommandRequest):
    """`at`: Unix seconds to project to (assuming no new transactions), None for now."""

    command: ClassVar[str] = "lockup"
    account: str
    at: int | None = None


class ExplainRequest(CommandRequest):
    command: ClassVar[str] = "explain"
    topic: str


class StakeRequest(CommandRequest):
    """`lockup`: which lockup (implies `from_lockup`)."""

    command: ClassVar[str] = "stake"
    account: str
    pool: str
    amount: str
    from_lockup: bool = False
    lockup: str | None = None


class UnstakeRequest(CommandRequest):
    command: ClassVar[str] = "unstake"
    account: str
    pool: str
    amount: str
    instant: bool = False
    from_lockup: bool = False
    lockup: str | None = None


class WithdrawRequest(CommandRequest):
    """`amount` None: all that is withdrawable."""

    command: ClassVar[str] = "withdraw"
    account: str
    pool: str
    amount: str | None = None
    from_lockup: bool = False
    lockup: str | None = None


class TransferRequest(CommandRequest):
    """`account`: the lockup owner; `to`: the receiver (default the owner)."""

    command: ClassVar[str] = "transfer"
    account: str
    amount: str
    to: str | None = None
    lockup: str | None = None


class VenearRequest(CommandRequest):
    """`amount` None: all that the action can take (the contract's optional amount is left out)."""

    command: ClassVar[str] = "venear"
    action: VenearWord
    account: str
    amount: str | None = None
    lockup: str | None = None


ActionRequest = StakeRequest | UnstakeRequest | WithdrawRequest | TransferRequest | VenearRequest
