"""Recognising and reading one lockup of either kind, and its staking pool's delegation, pinned to one block
(finding an owner's lockups: finding.py).

Kinds (mainnet-2026.md §2, §3):
- "foundation": the core-contracts lockup family, at `<40 hex>.lockup.near` (derived from the owner) or, deployed
  from the global lockup contract, at **any** account id (nothing on chain leads from the owner to it);
- "venear": a House of Stake lockup at `<40 hex>.venear.dao`, deployed by the veNEAR contract, whose
  `get_lockup_account_id` names it.

A lockup is recognised by its code (local or global hash), else by its storage decoding as one of the two
layouts. Reads for one answer use one block (the chain pinned with `Chain.at_final`): the account, its `STATE`, (for
answers about now) the contract's own balance views and the block itself, whose timestamp is "now", all in the
same round trip.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

from bot.near import errors
from bot.near.account_id import AccountIdError, is_lockup_account_id, is_valid_account_id, lockup_account_id
from bot.near.epochs import read_epoch_at
from bot.near.liquid import LiquidProvider, providers_for, read_position
from bot.near.liquid_readiness import new_unstake_wait
from bot.near.lockup import (
    LOCKUP_VERSIONS,
    STATE_KEY,
    LockupState,
    LockupStateError,
    LockupVersion,
    decode_lockup_state,
    lockup_version,
)
from bot.near.models import AccountView, ViewStateResult
from bot.near.venear import (
    VENEAR_LOCKUP_CODE_HASHES,
    VenearLockupState,
    decode_venear_lockup_state,
    is_venear_lockup_id,
)
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.results import LockupPoolBalance

LockupKind = Literal["foundation", "venear"]

FOUNDATION_VIEWS = {"locked": "get_locked_amount", "owners": "get_owners_balance", "liquid": "get_liquid_owners_balance"}
# house-of-stake lockup-contract getters.rs and venear.rs.
VENEAR_VIEWS = {
    "locked": "get_venear_locked_balance",
    "pending": "get_venear_pending_balance",
    "unlock": "get_venear_unlock_timestamp",
    "venear_liquid": "get_venear_liquid_balance",
    "owners": "get_owners_balance",
    "liquid": "get_liquid_owners_balance",
}


class NoLockup(errors.NearError):
    """The owner has no lockup the bot can find."""

    kind = "no_lockup"
    bad_input = True

    def __init__(self, account_id: str, lockup_id: str, network: str, *, searched: Sequence[str] = ()) -> None:
        if account_id == lockup_id:
            text = f"The lockup account {lockup_id} does not exist on {network}."
        elif len(searched) > 1:
            text = (
                f"{account_id} has no lockup on {network} that the bot can find: neither {' nor '.join(searched)} "
                "exists. A lockup deployed from the global lockup contract can live at any account id: name it, "
                "e.g. `lockup <lockup-account>`."
            )
        else:
            text = (
                f"{account_id} has no lockup on {network}: its lockup account would be {lockup_id}, and that "
                "account does not exist."
            )
        super().__init__(text)
        self.account_id = account_id
        self.lockup_id = lockup_id


class NotALockup(errors.NearError):
    """The account exists but does not hold a lockup contract."""

    kind = "not_a_lockup"
    bad_input = True

    def __init__(self, account_id: str, why: str) -> None:
        super().__init__(f"{account_id} is not a lockup contract: {why}")
        self.account_id = account_id


class LockupStateUnreadable(errors.NearError):
    """A known lockup code whose STATE cannot be decoded, or a state the contract itself could not compute."""

    kind = "lockup_state_unreadable"

    def __init__(self, account_id: str, why: str) -> None:
        super().__init__(f"The lockup {account_id} could not be read: {why}")
        self.account_id = account_id


@dataclasses.dataclass(frozen=True)
class LockupRead:
    """A core-contracts family lockup ("foundation"), read at one block."""

    owner_given: str | None
    lockup_id: str
    block_height: int
    now_ns: int
    account: AccountView
    state: LockupState
    version: LockupVersion
    views: dict[str, int] | None = None
    views_error: str | None = None
    kind: LockupKind = "foundation"

    @property
    def owner_id(self) -> str:
        return self.state.owner_account_id

    @property
    def staking_pool_id(self) -> str | None:
        return self.state.staking_pool_account_id


@dataclasses.dataclass(frozen=True)
class VenearRead:
    """A House of Stake lockup, read at one block."""

    owner_given: str | None
    lockup_id: str
    block_height: int
    now_ns: int
    account: AccountView
    state: VenearLockupState
    release: str | None  # house-of-stake-contracts release of its code hash, None when not recognised
    views: dict[str, int] | None = None
    views_error: str | None = None
    kind: LockupKind = "venear"

    @property
    def owner_id(self) -> str:
        return self.state.owner_account_id

    @property
    def staking_pool_id(self) -> str | None:
        return None if self.state.staking is None else self.state.staking.pool_id


AnyLockupRead = LockupRead | VenearRead


def resolve_lockup_ids(text: str, network: str) -> tuple[str | None, str]:
    """(owner id or None, the derived `.lockup.near` id): a lockup id is used as given."""
    account_id = parse_account(text)
    if is_lockup_account_id(account_id, network) or is_venear_lockup_id(account_id, network):
        return None, account_id
    try:
        return account_id, lockup_account_id(account_id, network)
    except AccountIdError as exc:
        raise errors.InvalidInput(str(exc)) from exc


# --- recognising a lockup ----------------------------------------------------------------------------------------


def _state_bytes(state: ViewStateResult) -> bytes | None:
    return next((item.value_bytes for item in state.values if item.key_bytes == STATE_KEY), None)


def classify(
    lockup_id: str, account: AccountView, raw: bytes | None, network: str
) -> tuple[LockupKind, LockupState | VenearLockupState]:
    """Which lockup this is, and its decoded state; NotALockup / LockupStateUnreadable otherwise."""
    if not account.has_contract:
        raise NotALockup(lockup_id, "it has no contract deployed.")
    code = account.effective_code_hash
    known_foundation = code in LOCKUP_VERSIONS
    known_venear = code in VENEAR_LOCKUP_CODE_HASHES
    attempts: list[LockupKind]
    if known_foundation:
        attempts = ["foundation"]
    elif known_venear or is_venear_lockup_id(lockup_id, network):
        attempts = ["venear", "foundation"] if not known_venear else ["venear"]
    else:
        attempts = ["foundation", "venear"]
    problems = []
    for kind in attempts:
        try:
            if raw is None:
                raise LockupStateError("the contract has no STATE entry")
            state = decode_lockup_state(raw) if kind == "foundation" else decode_venear_lockup_state(raw)
        except LockupStateError as exc:
            problems.append(str(exc))
            continue
        if not is_valid_account_id(state.owner_account_id):  # chain text is never trusted: it becomes a signer
            problems.append("its stored owner is not a valid account id")
            continue
        return kind, state
    if known_foundation or known_venear:
        raise LockupStateUnreadable(lockup_id, f"its STATE does not decode ({problems[0]}).")
    shown = code or f"global contract of {account.global_contract_account_id}"
    raise NotALockup(
        lockup_id, f"its code ({shown}) is not a known lockup version and its storage is not a lockup's "
        f"({problems[0]})."
    )


async def contract_views(chain: Chain, lockup_id: str, methods: dict[str, str]) -> dict[str, int]:
    values = await asyncio.gather(*(chain.rpc.view_function(lockup_id, method, {}) for method in methods.values()))
    out: dict[str, int] = {}
    for (name, method), value in zip(methods.items(), values, strict=True):
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise errors.MalformedResponse(f"{lockup_id}.{method} returned {str(value)[:40]!r}, not a number string.")
        out[name] = int(value)
    return out


def views_for(kind: LockupKind) -> dict[str, str]:
    return FOUNDATION_VIEWS if kind == "foundation" else VENEAR_VIEWS


@dataclasses.dataclass(frozen=True)
class RawReads:
    account: AccountView | BaseException
    state: ViewStateResult | BaseException
    views: dict[str, int] | BaseException | None


async def fetch_candidate(chain: Chain, lockup_id: str, views: dict[str, str] | None) -> RawReads:
    account, state, read_views = await asyncio.gather(
        chain.rpc.view_account(lockup_id),
        chain.rpc.view_state(lockup_id, STATE_KEY),
        contract_views(chain, lockup_id, views) if views else _no_views(),
        return_exceptions=True,
    )
    return RawReads(account, state, read_views)


async def _no_views() -> None:
    return None


def build_read(
    lockup_id: str, owner_given: str | None, height: int, now_ns: int, raw: RawReads, network: str
) -> AnyLockupRead:
    """The typed read from one candidate's raw reads; raises NoLockup (missing account) or NotALockup."""
    if isinstance(raw.account, errors.AccountNotFound):
        raise NoLockup(owner_given or lockup_id, lockup_id, network) from raw.account
    if isinstance(raw.account, BaseException):
        raise raw.account
    account = raw.account
    if isinstance(raw.state, errors.StateTooLarge):
        raise NotALockup(lockup_id, "its storage is far larger than a lockup contract's.") from raw.state
    if isinstance(raw.state, BaseException):
        raise raw.state
    kind, state = classify(lockup_id, account, _state_bytes(raw.state), network)
    views: dict[str, int] | None = None
    views_error: str | None = None
    if isinstance(raw.views, errors.NearError):
        views_error = raw.views.message
    elif isinstance(raw.views, BaseException):
        raise raw.views
    elif isinstance(raw.views, dict) and set(raw.views) == set(views_for(kind)):
        views = raw.views
    if kind == "foundation":
        assert isinstance(state, LockupState)
        code = account.effective_code_hash
        return LockupRead(owner_given, lockup_id, height, now_ns, account, state, lockup_version(code), views,
                          views_error)
    assert isinstance(state, VenearLockupState)
    release = VENEAR_LOCKUP_CODE_HASHES.get(account.effective_code_hash or "")
    return VenearRead(owner_given, lockup_id, height, now_ns, account, state, release, views, views_error)


async def with_contract_views(chain: Chain, read: AnyLockupRead) -> AnyLockupRead:
    """Add the contract's own views when the kind was only known after the first read (one more round trip)."""
    if read.views is not None or read.views_error is not None:
        return read
    try:
        views = await contract_views(chain, read.lockup_id, views_for(read.kind))
    except errors.NearError as exc:
        return dataclasses.replace(read, views_error=exc.message)
    return dataclasses.replace(read, views=views)


async def answer_block(chain: Chain) -> tuple[int, int]:
    """(height, timestamp ns) of the block every figure of a lockup answer is read at: the block `chain` is pinned
    to (`Chain.at_final`). Asked together with the first reads, it costs no round trip of its own."""
    block = await chain.rpc.block()
    return block.header.height, block.header.timestamp


async def read_lockup_at(
    chain: Chain, lockup_id: str, owner_given: str | None, *, with_views: bool, expected: LockupKind | None = None,
) -> AnyLockupRead:
    chain = chain.at_final()
    raw, (height, now_ns) = await asyncio.gather(
        fetch_candidate(chain, lockup_id, views_for(expected) if with_views and expected else None), answer_block(chain)
    )
    read = build_read(lockup_id, owner_given, height, now_ns, raw, chain.network)
    return await with_contract_views(chain, read) if with_views else read


def deployment_fields(read: AnyLockupRead) -> dict[str, Any]:
    account = read.account
    return {
        "deployment": account.deployment,
        "global_contract_hash": account.global_contract_hash,
        "global_contract_account_id": account.global_contract_account_id,
    }


# --- the lockup's delegation ------------------------------------------------------------------------------------


async def read_pool(chain: Chain, pool_id: str, lockup_id: str, height: int) -> LockupPoolBalance:
    """The lockup's delegation in `pool_id` at block `height`: `get_account`, and for a liquid-staking contract its
    own readiness rule and unlock epoch too (read_liquid_pool)."""
    provider = next((p for p in providers_for(chain.network) if p.contract_id == pool_id), None)
    if provider is not None:
        return await read_liquid_pool(chain, provider, lockup_id, height)
    data: Any = await chain.rpc.view_function(pool_id, "get_account", {"account_id": lockup_id}, block_id=height)
    return _pool_balance(pool_id, data)


def _pool_balance(pool_id: str, data: Any) -> LockupPoolBalance:
    if not isinstance(data, dict) or not isinstance(data.get("can_withdraw"), bool):
        raise errors.MalformedResponse(f"{pool_id}.get_account returned an unexpected shape.")
    amounts = []
    for name in ("staked_balance", "unstaked_balance"):
        value = data.get(name)
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise errors.MalformedResponse(f"{pool_id}.get_account returned {name} in an unexpected form.")
        amounts.append(int(value))
    staked, unstaked = amounts
    return LockupPoolBalance(
        pool_id=pool_id,
        staked_yocto=staked,
        unstaked_yocto=unstaked,
        total_yocto=staked + unstaked,
        can_withdraw=data["can_withdraw"],
    )


async def read_liquid_pool(chain: Chain, provider: LiquidProvider, lockup_id: str, height: int) -> LockupPoolBalance:
    """A lockup staked through a liquid-staking contract (mainnet-2026.md §3): the amounts from its `get_account`
    (what the lockup's withdraw_all_from_staking_pool and refresh read), whether it would pay now by the provider's own
    rule and the unlock epoch its account view names (read_position, as `liquid` and `withdraw` read them), and how
    long a new unstake waits (new_unstake_wait), all at the answer's block (`chain` pinned to `height`). Round trip
    2 of the answer reads all of them; the provider's withdraw check, once the unlock epoch has come, is a third."""
    rpc = chain.rpc
    # A caller whose chain is not pinned to the lockup's block (an offer made outside an answer) pins it there.
    rpc = rpc.at_final() if rpc.pinned_height == height else rpc.at_block(await rpc.block(block_id=height))
    contract = provider.contract_id
    data, position, epoch_at = await asyncio.gather(
        rpc.view_function(contract, "get_account", {"account_id": lockup_id}, block_id=height),
        # Meta Pool's live unstake delay (4 or 8) is read with its exit quote (`with_exit`).
        read_position(rpc, provider, lockup_id, with_settlement=True, with_exit=provider.key == "metapool"),
        read_epoch_at(rpc),
    )
    balance = _pool_balance(contract, data)
    pending, readiness = position.pending, position.readiness
    waiting = pending is not None and pending.amount > 0 and not readiness.withdrawable
    unknown = ("; ".join(position.notes) or None) if pending is None else None
    wait = new_unstake_wait(provider, epoch_at.validators.epoch_height, live_delay=position.current_delay_epochs,
                            settlements=position.settlements)
    return balance.model_copy(update={
        # LiNEAR and Rhea keep get_account's unstaked and the account view's pending in one record (LN/RN account.rs).
        "can_withdraw": readiness.withdrawable,
        "available_epoch": pending.unlock_epoch if pending is not None and pending.amount > 0 else None,
        "waiting_for": readiness.waiting_for if waiting else None,
        "waiting_note": readiness.reason if waiting else unknown,
        "unstake_wait_epochs": wait.epochs,
        "unstake_wait_note": wait.note,
    })


async def pool_of(chain: Chain, read: AnyLockupRead, notes: list[str]) -> LockupPoolBalance | None:
    """The lockup's delegation in its selected pool; None (and a note) when there is none or it cannot be read."""
    pool_id = read.staking_pool_id
    if pool_id is None:
        return None
    try:
        return await read_pool(chain, pool_id, read.lockup_id, read.block_height)
    except errors.NearError as exc:
        notes.append(f"The pool {pool_id} could not be read for this lockup ({exc.message}).")
        return None
