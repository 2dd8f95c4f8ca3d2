"""Discord's side of verified roles: give and take a member's role over REST (works from any process, whatever
shard the server is on), and check before a rule is saved that the bot may manage the role.

Discord's rules (discord-api-docs resources/guild.mdx "Add/Remove Guild Member Role", topics/permissions.mdx
"Permission Hierarchy"): the bot needs Manage Roles, and may only give roles positioned below its own highest role;
roles managed by an integration (a bot's own role, a booster role) cannot be given at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.render.safe import Md, md
from bot.roles.keeper import Outcome

log = logging.getLogger(__name__)
UNKNOWN_MEMBER, UNKNOWN_ROLE = 10007, 10011


class DiscordRoles:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> Outcome:
        return await self._change(self.client.http.add_role, guild_id, user_id, role_id, reason)

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> Outcome:
        return await self._change(self.client.http.remove_role, guild_id, user_id, role_id, reason)

    @staticmethod
    async def _change(
        call: Callable[..., Awaitable[object]], guild_id: int, user_id: int, role_id: int, reason: str
    ) -> Outcome:
        try:
            await call(guild_id, user_id, role_id, reason=reason)
        except discord.NotFound as exc:
            return "member_gone" if exc.code == UNKNOWN_MEMBER else "role_gone"
        except discord.Forbidden:
            return "forbidden"
        return "ok"


def role_problem(guild: discord.Guild, role: discord.Role) -> Md | None:
    """What stops the bot from managing `role` in `guild`, with the fix; None when it can."""
    me = guild.me
    if role.is_default():
        return Md("@everyone is every member's role: pick a role members can gain and lose.")
    if role.managed:
        return md("{} is managed by an integration (a bot's or a booster role), so no bot can give it. Create a "
                  "role of your own for it.", role.name)
    if me is None or not me.guild_permissions.manage_roles:
        return Md("I need the **Manage Roles** permission to give and take roles. Server Settings → Roles → my role "
                  "→ turn on Manage Roles, then add the rule again.")
    if role >= me.top_role:
        return md("{} is at or above my highest role ({}), and Discord lets a bot manage only roles below its own. "
                  "Server Settings → Roles: drag my role above {}, then add the rule again.",
                  role.name, me.top_role.name, role.name)
    return None
