"""Per-server settings: the epoch announcement channel, the support-channel guard and its log channel."""

from __future__ import annotations

import time
from typing import Any

from bot.storage.connection import SqlConnection, fetchone
from bot.storage.models import GuildSettings


class GuildStore(SqlConnection):
    """A server's settings; changing the announcement channel drops what was queued for the old one."""

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._one(
            "SELECT announcement_channel_id, guard_enabled, guard_log_channel_id FROM guild_settings WHERE guild_id = ?",
            guild_id,
        )
        if row is None:
            return GuildSettings(guild_id=guild_id)
        channels = [r[0] for r in await self.fetch(
            "SELECT channel_id FROM support_channels WHERE guild_id = ? ORDER BY channel_id", guild_id
        )]
        return GuildSettings(
            guild_id=guild_id, announcement_channel_id=row[0], guard_enabled=bool(row[1]), support_channel_ids=channels,
            guard_log_channel_id=row[2],
        )

    async def update_guild(self, guild_id: int, **changes: Any) -> GuildSettings:
        allowed = {"announcement_channel_id", "guard_enabled", "guard_log_channel_id"}
        unknown = set(changes) - allowed - {"support_channel_ids"}
        if unknown:
            raise ValueError(f"unknown guild settings: {sorted(unknown)}")
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?) ON CONFLICT (guild_id) DO NOTHING",
                guild_id, int(time.time()),
            )
            await fetchone(tx, f"SELECT guild_id FROM guild_settings WHERE guild_id = ?{self.for_update}", guild_id)
            for column in sorted(allowed & set(changes)):
                value = changes[column]
                value = int(value) if isinstance(value, bool) else value
                await tx.execute(
                    f"UPDATE guild_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",  # noqa: S608 - whitelisted
                    value, int(time.time()), guild_id,
                )
            if "announcement_channel_id" in changes:
                # Announcements queued for the old channel are not sent anywhere (the admin changed their mind).
                await tx.execute(
                    "DELETE FROM outbox WHERE guild_id = ? AND state = 'pending' AND destination != ?",
                    guild_id, f"channel:{changes['announcement_channel_id']}",
                )
                tx.notify("alerts")
            if "support_channel_ids" in changes:
                await tx.execute("DELETE FROM support_channels WHERE guild_id = ?", guild_id)
                for channel_id in changes["support_channel_ids"]:
                    await tx.execute(
                        "INSERT INTO support_channels (guild_id, channel_id) VALUES (?, ?)", guild_id, channel_id
                    )
        return await self.guild_settings(guild_id)

    async def announcement_channels(self) -> list[GuildSettings]:
        rows = await self.fetch(
            "SELECT guild_id FROM guild_settings WHERE announcement_channel_id IS NOT NULL ORDER BY guild_id"
        )
        return [await self.guild_settings(r[0]) for r in rows]
