"""Roles for the fake Discord: the guild's roles, members' roles, and the member-role endpoints with Discord's rules.

- PUT/DELETE /guilds/{guild}/members/{user}/roles/{role} answer 204 (discord-api-docs resources/guild.mdx "Add/Remove
  Guild Member Role": requires MANAGE_ROLES); a role not in the guild is 404 10011 Unknown Role, a user who is not a
  member 404 10007 Unknown Member.
- Without MANAGE_ROLES (or ADMINISTRATOR) on the bot's roles: 403 50013 Missing Permissions. The hierarchy
  (topics/permissions.mdx "Permission Hierarchy"): a bot grants and removes only roles positioned below its own
  highest role; positions tie-break by id. Above or equal: 403 50013. A role managed by an integration cannot be
  given or taken: 403 50013 (the code for that case is not documented; this fake uses Missing Permissions).
- GET /guilds/{guild}/roles lists the roles, @everyone first.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

MANAGE_ROLES = 1 << 28
ADMINISTRATOR = 1 << 3
_role_ids = itertools.count(1_800_000_000_000_000_001)


class FakeRoles:
    """Mixed into FakeDiscord (which supplies the guild, the bot's role and the error helpers)."""

    def _init_roles(self) -> None:
        self.guild_roles: dict[int, dict[str, Any]] = {}  # role id -> role object (GUILD_ID only)
        self.member_roles: dict[int, set[int]] = {}  # user id -> role ids given in GUILD_ID
        self.guild_members: set[int] = set()  # users in GUILD_ID (besides the bot); others get 10007
        self.bot_role_position = 1
        self.role_changes: list[tuple[str, int, int]] = []  # ("add"|"remove", user id, role id), as accepted

    def add_role(self, name: str, *, position: int, permissions: int = 0, managed: bool = False) -> int:
        """A role of the fake guild (before the bot connects: it is part of GUILD_CREATE)."""
        role_id = next(_role_ids)
        self.guild_roles[role_id] = {
            "id": str(role_id), "name": name, "permissions": str(permissions), "position": position, "color": 0,
            "hoist": False, "managed": managed, "mentionable": False, "flags": 0,
        }
        return role_id

    def roles_of(self, user_id: int) -> set[int]:
        return set(self.member_roles.get(user_id, set()))

    def _extra_roles(self) -> list[dict[str, Any]]:
        return list(self.guild_roles.values())

    def _bot_top(self, everyone_id: int) -> tuple[int, int]:
        bot_role: list[dict[str, Any]] = self._bot_role()  # type: ignore[attr-defined]
        if not bot_role:
            return (0, everyone_id)
        return (self.bot_role_position, int(bot_role[0]["id"]))

    def _role_refusal(self, guild_id: int, user_id: int, role_id: int) -> web.Response | None:
        from tests.discord.fake_discord import GUILD_ID, discord_error

        if guild_id != GUILD_ID or not self.bot_in_guild:  # type: ignore[attr-defined]
            return discord_error(403, 50001, "Missing Access")
        role = self.guild_roles.get(role_id)
        if role is None:
            return discord_error(404, 10011, "Unknown Role")
        if user_id not in self.guild_members:
            return discord_error(404, 10007, "Unknown Member")
        permissions = self._bot_guild_permissions()  # type: ignore[attr-defined]
        if not permissions & (MANAGE_ROLES | ADMINISTRATOR):
            return discord_error(403, 50013, "Missing Permissions")
        if (role["position"], role_id) >= self._bot_top(GUILD_ID) or role["managed"]:
            return discord_error(403, 50013, "Missing Permissions")
        return None

    async def _member_role(self, request: web.Request) -> web.Response:
        guild_id, user_id = int(request.match_info["guild"]), int(request.match_info["user_id"])
        role_id = int(request.match_info["role"])
        refused = self._role_refusal(guild_id, user_id, role_id)
        if refused is not None:
            return refused
        roles = self.member_roles.setdefault(user_id, set())
        if request.method == "PUT":
            roles.add(role_id)
            self.role_changes.append(("add", user_id, role_id))
        else:
            roles.discard(role_id)
            self.role_changes.append(("remove", user_id, role_id))
        return web.Response(status=204)

    async def _list_roles(self, request: web.Request) -> web.Response:
        from tests.discord.fake_discord import json_response

        refused = self._member_guild(request)  # type: ignore[attr-defined]
        if refused is not None:
            return refused
        return json_response(self._guild_create()["roles"])  # type: ignore[attr-defined]

    def add_role_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        path = prefix + "/guilds/{guild:\\d+}/members/{user_id:\\d+}/roles/{role:\\d+}"
        router.add_put(path, self._bot_route(self._member_role))  # type: ignore[attr-defined]
        router.add_delete(path, self._bot_route(self._member_role))  # type: ignore[attr-defined]
        router.add_get(prefix + "/guilds/{guild:\\d+}/roles", self._bot_route(self._list_roles))  # type: ignore[attr-defined]

    def resolved_roles(self, role_ids: list[int]) -> dict[str, Any]:
        from tests.discord.fake_discord import GUILD_ID

        everyone = self._guild_create()["roles"][0]  # type: ignore[attr-defined]
        known = {int(r["id"]): r for r in [everyone, *self._bot_role(), *self._extra_roles()]}  # type: ignore[attr-defined]
        missing = [r for r in role_ids if r not in known]
        if missing:
            raise AssertionError(f"no role {missing} in guild {GUILD_ID}")
        return {str(r): known[r] for r in role_ids}
