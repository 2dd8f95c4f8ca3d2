"""The lockup contract's stored STATE: typed model and an exact borsh codec.

Layout: near-staking.md §4.7 (core-contracts `lockup/src/lib.rs` `LockupContract`, `lockup/src/types.rs`), identical
from v2.0.0 to v3.1.0. The value lives under the storage key ``STATE`` (base64 ``U1RBVEU=``) and is read with
``view_state``. Amounts are int yoctoNEAR, timestamps and durations int nanoseconds; nothing is ever a float.

`decode_lockup_state` raises only `LockupStateError` (a ValueError) on bad input; `encode_lockup_state` is its exact
inverse, so ``encode_lockup_state(decode_lockup_state(raw)) == raw`` for every valid ``raw``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

STATE_KEY = b"STATE"
STATE_KEY_BASE64 = "U1RBVEU="  # near-staking.md §4.7

U8_MAX = 2**8 - 1
U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1


class LockupStateError(ValueError):
    """Lockup STATE bytes (or a state being built/encoded) are not a valid `LockupContract` value."""


# --- model -----------------------------------------------------------------------------------------------------
# Member names equal the contract's JSON names (`get_termination_status`, near-staking.md §4.3).


class TerminationStatus(IntEnum):
    """`TerminationStatus` (types.rs); the value is the borsh tag."""

    VestingTerminatedWithDeficit = 0
    UnstakingInProgress = 1
    EverythingUnstaked = 2
    WithdrawingFromStakingPoolInProgress = 3
    ReadyToWithdraw = 4
    WithdrawingFromAccountInProgress = 5


class TransactionStatus(IntEnum):
    """Staking-pool call status (types.rs); Busy while a pool call's callback is pending (near-staking.md §4.4)."""

    Idle = 0
    Busy = 1


def _check_int(value: Any, maximum: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LockupStateError(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise LockupStateError(f"{what} = {value} is out of range 0..{maximum}")
    return int(value)


def _check_opt_int(value: Any, maximum: int, what: str) -> int | None:
    return None if value is None else _check_int(value, maximum, what)


def _check_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise LockupStateError(f"{what} must be a str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LockupStateError(f"{what} is not encodable as UTF-8: {exc}") from None
    if len(value.encode("utf-8")) > U32_MAX:
        raise LockupStateError(f"{what} is longer than a borsh string can be")
    return value


def _check_enum(value: Any, enum: type[IntEnum], what: str) -> Any:
    if isinstance(value, bool):
        raise LockupStateError(f"{what} must be a {enum.__name__}")
    try:
        return enum(value)
    except (ValueError, TypeError):
        raise LockupStateError(f"{what} = {value!r} is not a valid {enum.__name__}") from None


@dataclass(frozen=True, slots=True)
class TransfersEnabled:
    """Borsh tag 0: transfers were enabled at `transfers_timestamp` (ns)."""

    transfers_timestamp: int

    def __post_init__(self) -> None:
        _check_int(self.transfers_timestamp, U64_MAX, "transfers_timestamp")


@dataclass(frozen=True, slots=True)
class TransfersDisabled:
    """Borsh tag 1: transfers still disabled; the owner must call `check_transfers_vote` (near-staking.md §4.6)."""

    transfer_poll_account_id: str

    def __post_init__(self) -> None:
        _check_str(self.transfer_poll_account_id, "transfer_poll_account_id")


TransfersInformation = TransfersEnabled | TransfersDisabled


@dataclass(frozen=True, slots=True)
class LockupInformation:
    lockup_amount: int
    termination_withdrawn_tokens: int
    lockup_duration: int
    release_duration: int | None
    lockup_timestamp: int | None
    transfers_information: TransfersInformation

    def __post_init__(self) -> None:
        _check_int(self.lockup_amount, U128_MAX, "lockup_amount")
        _check_int(self.termination_withdrawn_tokens, U128_MAX, "termination_withdrawn_tokens")
        _check_int(self.lockup_duration, U64_MAX, "lockup_duration")
        _check_opt_int(self.release_duration, U64_MAX, "release_duration")
        _check_opt_int(self.lockup_timestamp, U64_MAX, "lockup_timestamp")
        if not isinstance(self.transfers_information, TransfersEnabled | TransfersDisabled):
            raise LockupStateError("transfers_information must be TransfersEnabled or TransfersDisabled")


@dataclass(frozen=True, slots=True)
class VestingNone:
    """Borsh tag 0: no vesting."""


@dataclass(frozen=True, slots=True)
class VestingHash:
    """Borsh tag 1: private schedule, only sha256(borsh(schedule, salt)) is stored; ignored by `get_locked_amount`."""

    hash: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.hash, bytes | bytearray | memoryview):
            raise LockupStateError("VestingHash.hash must be bytes")
        object.__setattr__(self, "hash", bytes(self.hash))
        if len(self.hash) > U32_MAX:
            raise LockupStateError("VestingHash.hash is longer than a borsh Vec<u8> can be")


@dataclass(frozen=True, slots=True)
class VestingSchedule:
    """Borsh tag 2 (also the `vesting_schedule` view argument). The contract never validates start<=cliff<=end."""

    start_timestamp: int
    cliff_timestamp: int
    end_timestamp: int

    def __post_init__(self) -> None:
        _check_int(self.start_timestamp, U64_MAX, "start_timestamp")
        _check_int(self.cliff_timestamp, U64_MAX, "cliff_timestamp")
        _check_int(self.end_timestamp, U64_MAX, "end_timestamp")

    @property
    def is_valid(self) -> bool:
        """`VestingSchedule::assert_valid` (types.rs): start <= cliff <= end and start < end."""
        return self.start_timestamp <= self.cliff_timestamp <= self.end_timestamp and (
            self.start_timestamp < self.end_timestamp
        )


@dataclass(frozen=True, slots=True)
class Terminating:
    """Borsh tag 3: the foundation terminated vesting; `unvested_amount` stays locked until withdrawn."""

    unvested_amount: int
    status: TerminationStatus

    def __post_init__(self) -> None:
        _check_int(self.unvested_amount, U128_MAX, "unvested_amount")
        object.__setattr__(self, "status", _check_enum(self.status, TerminationStatus, "termination status"))


VestingInformation = VestingNone | VestingHash | VestingSchedule | Terminating
_VESTING_TYPES = (VestingNone, VestingHash, VestingSchedule, Terminating)


@dataclass(frozen=True, slots=True)
class StakingInformation:
    staking_pool_account_id: str
    status: TransactionStatus
    deposit_amount: int

    def __post_init__(self) -> None:
        _check_str(self.staking_pool_account_id, "staking_pool_account_id")
        object.__setattr__(self, "status", _check_enum(self.status, TransactionStatus, "staking status"))
        _check_int(self.deposit_amount, U128_MAX, "deposit_amount")


@dataclass(frozen=True, slots=True)
class LockupState:
    """The whole `LockupContract` struct, fields in borsh order (near-staking.md §4.7)."""

    owner_account_id: str
    lockup_information: LockupInformation
    vesting_information: VestingInformation = field(default_factory=VestingNone)
    staking_pool_whitelist_account_id: str = "lockup-whitelist.near"
    staking_information: StakingInformation | None = None
    foundation_account_id: str | None = None

    def __post_init__(self) -> None:
        _check_str(self.owner_account_id, "owner_account_id")
        if not isinstance(self.lockup_information, LockupInformation):
            raise LockupStateError("lockup_information must be a LockupInformation")
        if not isinstance(self.vesting_information, _VESTING_TYPES):
            raise LockupStateError(
                "vesting_information must be VestingNone/VestingHash/VestingSchedule/Terminating"
            )
        _check_str(self.staking_pool_whitelist_account_id, "staking_pool_whitelist_account_id")
        if self.staking_information is not None and not isinstance(
            self.staking_information, StakingInformation
        ):
            raise LockupStateError("staking_information must be a StakingInformation or None")
        if self.foundation_account_id is not None:
            _check_str(self.foundation_account_id, "foundation_account_id")

    # Convenience views mirroring the contract getters (getters.rs).
    @property
    def transfers_enabled(self) -> bool:
        """`are_transfers_enabled`."""
        return isinstance(self.lockup_information.transfers_information, TransfersEnabled)

    @property
    def known_deposited_balance(self) -> int:
        """`get_known_deposited_balance`: the pool deposit as last recorded (0 without a pool)."""
        return 0 if self.staking_information is None else self.staking_information.deposit_amount

    @property
    def staking_pool_account_id(self) -> str | None:
        """`get_staking_pool_account_id`."""
        return None if self.staking_information is None else self.staking_information.staking_pool_account_id

    @property
    def termination_status(self) -> TerminationStatus | None:
        """`get_termination_status`."""
        vesting = self.vesting_information
        return vesting.status if isinstance(vesting, Terminating) else None

    @property
    def terminated_unvested_balance(self) -> int:
        """`get_terminated_unvested_balance`."""
        vesting = self.vesting_information
        return vesting.unvested_amount if isinstance(vesting, Terminating) else 0


# --- borsh encoding --------------------------------------------------------------------------------------------


def _u8(value: int) -> bytes:
    return value.to_bytes(1, "little")


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def _u128(value: int) -> bytes:
    return value.to_bytes(16, "little")


def _bytes_vec(data: bytes) -> bytes:
    return _u32(len(data)) + data


def _string(text: str) -> bytes:
    return _bytes_vec(text.encode("utf-8"))


def _opt_u64(value: int | None) -> bytes:
    return b"\x00" if value is None else b"\x01" + _u64(value)


def encode_lockup_state(state: LockupState) -> bytes:
    """Borsh bytes of `state`, exactly as the contract stores them under key ``STATE`` (near-staking.md §4.7)."""
    if not isinstance(state, LockupState):
        raise LockupStateError(f"expected a LockupState, got {type(state).__name__}")
    info = state.lockup_information
    out = [
        _string(state.owner_account_id),
        _u128(info.lockup_amount),
        _u128(info.termination_withdrawn_tokens),
        _u64(info.lockup_duration),
        _opt_u64(info.release_duration),
        _opt_u64(info.lockup_timestamp),
    ]
    transfers = info.transfers_information
    if isinstance(transfers, TransfersEnabled):
        out.append(b"\x00" + _u64(transfers.transfers_timestamp))
    else:
        out.append(b"\x01" + _string(transfers.transfer_poll_account_id))
    vesting = state.vesting_information
    if isinstance(vesting, VestingNone):
        out.append(b"\x00")
    elif isinstance(vesting, VestingHash):
        out.append(b"\x01" + _bytes_vec(vesting.hash))
    elif isinstance(vesting, VestingSchedule):
        out.append(
            b"\x02"
            + _u64(vesting.start_timestamp)
            + _u64(vesting.cliff_timestamp)
            + _u64(vesting.end_timestamp)
        )
    else:
        out.append(b"\x03" + _u128(vesting.unvested_amount) + _u8(int(vesting.status)))
    out.append(_string(state.staking_pool_whitelist_account_id))
    staking = state.staking_information
    if staking is None:
        out.append(b"\x00")
    else:
        out.append(b"\x01" + _string(staking.staking_pool_account_id) + _u8(int(staking.status)))
        out.append(_u128(staking.deposit_amount))
    out.append(
        b"\x00" if state.foundation_account_id is None else b"\x01" + _string(state.foundation_account_id)
    )
    return b"".join(out)


# --- borsh decoding --------------------------------------------------------------------------------------------


class BorshReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise LockupStateError(
                f"lockup STATE is truncated: {what} needs {size} bytes at offset {self.pos}, "
                f"only {len(self.data) - self.pos} left"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def uint(self, size: int, what: str) -> int:
        return int.from_bytes(self.take(size, what), "little")

    def tag(self, what: str, count: int) -> int:
        at = self.pos
        value = self.uint(1, what)
        if value >= count:
            raise LockupStateError(
                f"lockup STATE has invalid {what} tag {value} at offset {at} (expected 0..{count - 1})"
            )
        return value

    def option(self, what: str) -> bool:
        return self.tag(f"Option tag of {what}", 2) == 1

    def byte_vec(self, what: str) -> bytes:
        length = self.uint(4, f"length of {what}")
        return self.take(length, what)

    def string(self, what: str) -> str:
        at = self.pos
        raw = self.byte_vec(what)
        try:
            return raw.decode("utf-8")  # borsh String = u32 length + UTF-8, validated like Rust's from_utf8
        except UnicodeDecodeError:
            raise LockupStateError(f"lockup STATE {what} at offset {at} is not valid UTF-8") from None


def decode_lockup_state(raw: bytes | bytearray | memoryview) -> LockupState:
    """Decode the borsh value stored under ``STATE``. Raises `LockupStateError` on any malformed input."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise LockupStateError(f"lockup STATE must be bytes, got {type(raw).__name__}")
    r = BorshReader(bytes(raw))
    owner = r.string("owner_account_id")
    lockup_amount = r.uint(16, "lockup_amount")
    withdrawn = r.uint(16, "termination_withdrawn_tokens")
    lockup_duration = r.uint(8, "lockup_duration")
    release_duration = r.uint(8, "release_duration") if r.option("release_duration") else None
    lockup_timestamp = r.uint(8, "lockup_timestamp") if r.option("lockup_timestamp") else None
    transfers: TransfersInformation
    if r.tag("transfers_information", 2) == 0:
        transfers = TransfersEnabled(r.uint(8, "transfers_timestamp"))
    else:
        transfers = TransfersDisabled(r.string("transfer_poll_account_id"))
    vesting: VestingInformation
    kind = r.tag("vesting_information", 4)
    if kind == 0:
        vesting = VestingNone()
    elif kind == 1:
        vesting = VestingHash(r.byte_vec("vesting hash"))
    elif kind == 2:
        vesting = VestingSchedule(
            r.uint(8, "start_timestamp"), r.uint(8, "cliff_timestamp"), r.uint(8, "end_timestamp")
        )
    else:
        unvested = r.uint(16, "unvested_amount")
        vesting = Terminating(
            unvested, TerminationStatus(r.tag("termination status", len(TerminationStatus)))
        )
    whitelist = r.string("staking_pool_whitelist_account_id")
    staking = None
    if r.option("staking_information"):
        pool = r.string("staking_pool_account_id")
        status = TransactionStatus(r.tag("staking status", len(TransactionStatus)))
        staking = StakingInformation(pool, status, r.uint(16, "deposit_amount"))
    foundation = r.string("foundation_account_id") if r.option("foundation_account_id") else None
    if r.pos != len(r.data):
        raise LockupStateError(
            f"lockup STATE has {len(r.data) - r.pos} trailing bytes after offset {r.pos}; not a lockup contract state?"
        )
    return LockupState(
        owner_account_id=owner,
        lockup_information=LockupInformation(
            lockup_amount=lockup_amount,
            termination_withdrawn_tokens=withdrawn,
            lockup_duration=lockup_duration,
            release_duration=release_duration,
            lockup_timestamp=lockup_timestamp,
            transfers_information=transfers,
        ),
        vesting_information=vesting,
        staking_pool_whitelist_account_id=whitelist,
        staking_information=staking,
        foundation_account_id=foundation,
    )


def decode_lockup_state_base64(value: str) -> LockupState:
    """Decode the base64 ``value`` that `view_state` returns for key ``STATE``."""
    if not isinstance(value, str):
        raise LockupStateError("the base64 STATE value must be a str")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise LockupStateError("the STATE value is not valid base64") from None
    return decode_lockup_state(raw)
