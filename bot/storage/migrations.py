"""Versioned schema migrations, applied in order at start (and by `python -m bot migrate`), for both backends.

Never edit a released migration: add a new one. Each runs in its own transaction with its version bump, under a
lock held for the migration (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), and the version is read
inside that transaction, so processes starting at once apply each migration exactly once.

The SQL is written once in SQLite's dialect; `for_dialect` turns it into PostgreSQL's: INTEGER becomes BIGINT
(Discord ids are 64-bit; SQLite's INTEGER already is) and the autoincrement key an identity column.
"""

from __future__ import annotations

import re

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "linked accounts and guild settings",
        """
        CREATE TABLE linked_accounts (
            user_id     INTEGER NOT NULL,
            account_id  TEXT    NOT NULL,
            label       TEXT,
            is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
            created_at  INTEGER NOT NULL,
            PRIMARY KEY (user_id, account_id)
        );
        CREATE UNIQUE INDEX one_default_per_user ON linked_accounts (user_id) WHERE is_default = 1;
        CREATE TABLE guild_settings (
            guild_id                INTEGER PRIMARY KEY,
            announcement_channel_id INTEGER,
            guard_enabled           INTEGER NOT NULL DEFAULT 0 CHECK (guard_enabled IN (0, 1)),
            updated_at              INTEGER NOT NULL
        );
        CREATE TABLE support_channels (
            guild_id   INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
            channel_id INTEGER NOT NULL,
            PRIMARY KEY (guild_id, channel_id)
        );
        """,
    ),
    (
        2,
        "alert subscriptions and the notification outbox",
        """
        CREATE TABLE subscriptions (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            kind           TEXT    NOT NULL CHECK (kind IN ('unbonding', 'pool', 'epoch')),
            user_id        INTEGER NOT NULL,
            guild_id       INTEGER,
            channel_id     INTEGER,
            account_id     TEXT,
            pool_id        TEXT,
            due_epoch      INTEGER,
            state          TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'done', 'disabled')),
            disabled_reason TEXT,
            last_seen      TEXT,
            created_at     INTEGER NOT NULL
        );
        CREATE INDEX subscriptions_due ON subscriptions (state, due_epoch);
        CREATE INDEX subscriptions_user ON subscriptions (user_id, state);
        CREATE TABLE outbox (
            dedupe_key     TEXT    PRIMARY KEY,
            subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
            destination    TEXT    NOT NULL,
            payload        TEXT    NOT NULL,
            state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts       INTEGER NOT NULL DEFAULT 0,
            last_error     TEXT,
            created_at     INTEGER NOT NULL,
            sent_at        INTEGER
        );
        CREATE INDEX outbox_pending ON outbox (state, created_at);
        CREATE TABLE user_notices (
            user_id    INTEGER NOT NULL,
            notice     TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, notice)
        );
        """,
    ),
    (
        3,
        "guard audit log channel",
        """
        ALTER TABLE guild_settings ADD COLUMN guard_log_channel_id INTEGER;
        """,
    ),
    (
        4,
        "outbox retries, claims and retention; scheduler leases and state",
        """
        ALTER TABLE outbox ADD COLUMN next_attempt_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claim_until_ms INTEGER;
        ALTER TABLE outbox ADD COLUMN first_try_ms INTEGER;
        ALTER TABLE outbox ADD COLUMN message_id INTEGER;
        ALTER TABLE outbox ADD COLUMN guild_id INTEGER;
        CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
        CREATE INDEX outbox_subscription ON outbox (subscription_id);
        CREATE TABLE leases (
            name       TEXT    PRIMARY KEY,
            holder     TEXT    NOT NULL,
            expires_ms INTEGER NOT NULL
        );
        CREATE TABLE scheduler_state (
            name  TEXT    PRIMARY KEY,
            value INTEGER NOT NULL
        )
        """,
    ),
    (
        5,
        "unbonding alerts due at a time: House of Stake veNEAR unlocks",
        """
        ALTER TABLE subscriptions ADD COLUMN due_unix INTEGER;
        CREATE INDEX subscriptions_due_unix ON subscriptions (state, due_unix)
        """,
    ),
    (
        6,
        "verified accounts (NEP-413) and role rules",
        """
        CREATE TABLE verify_sessions (
            token_hash  TEXT    PRIMARY KEY,
            user_id     INTEGER NOT NULL,
            guild_id    INTEGER,
            account_id  TEXT,
            nonce       TEXT    NOT NULL UNIQUE,
            message     TEXT    NOT NULL,
            attempts    INTEGER NOT NULL DEFAULT 0,
            expires_ms  INTEGER NOT NULL,
            used_ms     INTEGER,
            created_ms  INTEGER NOT NULL
        );
        CREATE INDEX verify_sessions_user ON verify_sessions (user_id, expires_ms);
        CREATE TABLE verified_accounts (
            account_id   TEXT    PRIMARY KEY,
            user_id      INTEGER NOT NULL,
            public_key   TEXT    NOT NULL,
            block_height INTEGER NOT NULL,
            verified_at  INTEGER NOT NULL
        );
        CREATE INDEX verified_accounts_user ON verified_accounts (user_id);
        CREATE TABLE role_rules (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id   INTEGER NOT NULL,
            role_id    INTEGER NOT NULL,
            kind       TEXT    NOT NULL CHECK (kind IN ('pool_stake', 'total_stake', 'locked', 'liquid')),
            target_id  TEXT,
            min_yocto  TEXT    NOT NULL,
            created_by INTEGER NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX role_rules_guild ON role_rules (guild_id);
        CREATE TABLE role_members (
            guild_id   INTEGER NOT NULL,
            user_id    INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (guild_id, user_id)
        );
        CREATE TABLE role_grants (
            guild_id   INTEGER NOT NULL,
            role_id    INTEGER NOT NULL,
            user_id    INTEGER NOT NULL,
            granted_at INTEGER NOT NULL,
            PRIMARY KEY (guild_id, role_id, user_id)
        )
        """,
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]
DIALECTS = ("sqlite", "postgresql")


def for_dialect(sql: str, dialect: str) -> list[str]:
    """The statements of one migration for `dialect` ("sqlite" or "postgresql")."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    if dialect == "postgresql":
        sql = sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        sql = re.sub(r"\bINTEGER\b", "BIGINT", sql)
    return [statement.strip() for statement in sql.split(";") if statement.strip()]
