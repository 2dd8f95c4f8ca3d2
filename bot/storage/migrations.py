"""Versioned schema migrations, applied in order at start (and by `python -m bot migrate`).

Never edit a released migration: add a new one. Each runs in its own transaction with its version bump.
"""

from __future__ import annotations

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
]

LATEST_VERSION = MIGRATIONS[-1][0]
