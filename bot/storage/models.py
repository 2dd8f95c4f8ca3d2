"""Rows the storage layer hands out (plain frozen dataclasses, independent of the backend)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class StorageError(Exception):
    """A storage rule was broken (limits, unknown rows); the message is safe to show a user."""


@dataclass(frozen=True)
class LinkedAccount:
    account_id: str
    label: str | None
    is_default: bool


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    announcement_channel_id: int | None = None
    guard_enabled: bool = False
    support_channel_ids: list[int] = field(default_factory=list)
    guard_log_channel_id: int | None = None  # where the guard records what it removed (never the secret)


@dataclass(frozen=True)
class Subscription:
    id: int
    kind: str  # "unbonding" | "pool" | "epoch"
    user_id: int
    guild_id: int | None
    channel_id: int | None
    account_id: str | None
    pool_id: str | None
    due_epoch: int | None
    state: str
    disabled_reason: str | None
    last_seen: dict[str, Any] | None
    # An unbonding alert due at a time rather than an epoch (a House of Stake veNEAR unlock: the lockup is
    # `account_id`, usable from this Unix second on); None for every epoch-timed alert.
    due_unix: int | None = None

    @property
    def is_timed(self) -> bool:
        return self.due_unix is not None


@dataclass(frozen=True)
class OutboxItem:
    dedupe_key: str
    subscription_id: int | None
    destination: str  # "dm:<user_id>" or "channel:<channel_id>"
    payload: dict[str, Any]
    attempts: int
    # When a send of this row was first tried (ms since the Unix epoch; None = never): a send whose outcome is
    # unknown may have been posted then, so the nonce window and the history check count from it.
    first_try_ms: int | None = None
    guild_id: int | None = None  # epoch announcements: the server whose announcement channel this is


@dataclass(frozen=True)
class StorageHealth:
    """What `doctor` needs to know about a database, found without changing it (no migration, no file created)."""

    backend: str  # "sqlite", …
    location: str  # a path or a host/database name; never a password
    exists: bool  # False: not created yet (the bot creates it at first start)
    persistent: bool  # False for an in-memory database: everything is lost at exit
    readable: bool
    writable: bool
    schema_version: int | None  # None when it could not be read (or the database does not exist yet)
    latest_version: int  # the schema this version of the bot expects
    problem: str | None = None  # why it could not be opened or written, in the backend's words
    denied: bool = False  # the problem is access (permissions, read-only), not a damaged or foreign file


@dataclass(frozen=True)
class VerifySession:
    """A one-time verification link: bound to one Discord user, with the nonce the wallet must sign."""

    user_id: int
    guild_id: int | None  # the server /account verify was used in (its roles are checked at once)
    account_id: str | None  # the account the user named, or None: whichever account the wallet signs for
    nonce: bytes
    message: str
    expires_ms: int
    used: bool
    attempts: int


@dataclass(frozen=True)
class VerifiedAccount:
    account_id: str
    user_id: int
    public_key: str  # the full-access key that signed (public: it is on chain)
    block_height: int  # the block at which it was a full-access key of the account
    verified_at: int


@dataclass(frozen=True)
class RoleRule:
    id: int
    guild_id: int
    role_id: int
    kind: str  # "pool_stake" | "total_stake" | "locked" | "liquid"
    target_id: str | None  # the pool (pool_stake) or liquid-staking contract (liquid, optional)
    min_yocto: int
