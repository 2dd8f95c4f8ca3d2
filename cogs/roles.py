"""/roles rule add | list | remove (Manage Roles) and /roles check [member]: server roles that follow what members'
verified NEAR accounts hold (bot/roles). Thin: the rules live in storage, the checks in bot/roles and
bot/discord/roles.py.
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.options import AccountId, personal_cooldown, pool_autocomplete
from bot.discord.respond import show
from bot.discord.roles import role_problem
from bot.discord_app import StakingBot
from bot.near import errors
from bot.near.liquid import providers_for
from bot.near.pools import get_pool_facts
from bot.near.units import AmountError, format_near, parse_near_amount
from bot.render.discord_limits import SafeEmbed
from bot.render.embeds import BLUE, GREEN, GREY, error_embed, finish
from bot.render.safe import Md, code, md, plain
from bot.roles.keeper import MemberCheck
from bot.roles.rules import amount_for, rule_text
from bot.storage import Storage, StorageError

Condition = Literal["staked with a pool", "staked in total", "locked in a lockup or for veNEAR",
                    "liquid-staking tokens"]
KINDS = {"staked with a pool": "pool_stake", "staked in total": "total_stake",
         "locked in a lockup or for veNEAR": "locked", "liquid-staking tokens": "liquid"}


class Roles(commands.Cog):
    roles = app_commands.Group(
        name="roles", description="Roles that follow what members' verified NEAR accounts hold",
        allowed_installs=app_commands.AppInstallationType(guild=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )
    # Discord hides commands by permission only at the top level; /roles check is for every member, so the rule
    # subcommands check Manage Roles themselves.
    rule = app_commands.Group(name="rule", description="Rules that give a role (Manage Roles)", parent=roles)

    def __init__(self, bot: StakingBot) -> None:
        self.bot = bot

    @property
    def storage(self) -> Storage:
        return self.bot.storage

    @rule.command(name="add", description="Give a role to members whose verified accounts meet a condition")
    @app_commands.describe(
        role="The role to give (I must be allowed to manage it)", condition="What to measure",
        minimum="At least this many NEAR, e.g. 100", pool="The pool (for 'staked with a pool'), or a liquid-staking "
        "contract (for 'liquid-staking tokens', optional)")
    @app_commands.autocomplete(pool=pool_autocomplete)
    @app_commands.checks.has_permissions(manage_roles=True)
    async def add(self, interaction: discord.Interaction[StakingBot], role: discord.Role, condition: Condition,
                  minimum: app_commands.Range[str, 1, 60], pool: AccountId | None = None) -> None:
        assert interaction.guild is not None
        problem = role_problem(interaction.guild, role)
        if problem is not None:
            await show(interaction, error_embed(problem, title="I cannot manage that role"))
            return
        try:
            min_yocto = parse_near_amount(minimum)
        except AmountError as exc:
            await show(interaction, error_embed(str(exc), title="Not an amount"))
            return
        kind = KINDS[condition]
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = await self._target(interaction, kind, pool)
        if target is False:
            return
        try:
            saved = await self.storage.add_role_rule(interaction.guild.id, role.id, kind, target or None, min_yocto,
                                                     interaction.user.id)
        except StorageError as exc:
            await show(interaction, error_embed(str(exc)))
            return
        text = md("Members get {} while their verified accounts hold {} (rule #{}). I check every member who "
                  "verified here at each new epoch (about 12 hours) and right after they verify or unlink, and take "
                  "the role back when it is no longer true. Members prove their accounts with `/account verify`.",
                  role.name, rule_text(saved), saved.id)
        await show(interaction, finish(SafeEmbed(title=Md("Role rule added"), description=text, colour=GREEN)))

    async def _target(self, interaction: discord.Interaction[StakingBot], kind: str, pool: str | None) -> str | None | Literal[False]:
        """The rule's pool or liquid-staking contract, checked on chain; False after telling the admin why not."""
        liquid = {p.contract_id for p in providers_for(self.bot.chain.network)}
        if kind == "pool_stake":
            if pool is None:
                await show(interaction, error_embed(Md("Name the pool: `pool:` is required for 'staked with a pool'.")))
                return False
            try:
                await get_pool_facts(self.bot.chain.rpc, pool)
            except errors.NearError as exc:
                await show(interaction, error_embed(exc.message, title="Not a staking pool"))
                return False
            return pool
        if kind == "liquid" and pool is not None and pool not in liquid:
            await show(interaction, error_embed(md("{} is not a liquid-staking contract I read ({}).", code(pool),
                                                   ", ".join(sorted(liquid))), title="Not a liquid-staking token"))
            return False
        return pool if kind == "liquid" else None

    @rule.command(name="list", description="This server's role rules")
    @app_commands.checks.has_permissions(manage_roles=True)
    async def list_(self, interaction: discord.Interaction[StakingBot]) -> None:
        assert interaction.guild_id is not None
        rules = await self.storage.role_rules(interaction.guild_id)
        if not rules:
            text = Md("No role rules yet. Add one with `/roles rule add`.")
        else:
            text = Md("\n").join(md("#{} {}: {}", r.id, _role_name(interaction.guild, r.role_id), rule_text(r))
                                  for r in rules)
        embed = SafeEmbed(title=Md("Role rules"), description=text, colour=GREY)
        embed.set_footer(text=plain("Checked at each epoch for members who verified here with /account verify."))
        await show(interaction, finish(embed))

    @rule.command(name="remove", description="Remove a role rule (the roles already given stay)")
    @app_commands.describe(rule_id="The rule's number, from /roles rule list")
    @app_commands.checks.has_permissions(manage_roles=True)
    async def remove(self, interaction: discord.Interaction[StakingBot], rule_id: int) -> None:
        assert interaction.guild_id is not None
        removed = await self.storage.remove_role_rule(interaction.guild_id, rule_id)
        if removed is None:
            await show(interaction, error_embed(md("There is no rule #{} in this server.", rule_id), title="No such rule"))
            return
        text = md("Removed rule #{} ({}). Members who have {} keep it until you take it away; I no longer "
                  "give or take it for this rule.", removed.id, rule_text(removed),
                  _role_name(interaction.guild, removed.role_id))
        await show(interaction, finish(SafeEmbed(title=Md("Role rule removed"), description=text, colour=GREY)))

    @roles.command(name="check", description="Check your roles now (or a member's, with Manage Roles)")
    @app_commands.describe(member="A member to check (needs Manage Roles); default: you")
    @personal_cooldown()
    async def check(self, interaction: discord.Interaction[StakingBot], member: discord.Member | None = None) -> None:
        assert interaction.guild_id is not None and self.bot.roles is not None
        target = member.id if member is not None else interaction.user.id
        perms = interaction.permissions
        if target != interaction.user.id and not perms.manage_roles:
            await show(interaction, error_embed(Md("Checking another member needs the Manage Roles permission.")))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if target == interaction.user.id:
            await self.storage.add_role_member(interaction.guild_id, target)  # they ask for roles here
        await self.bot.roles.keep(user_ids=[target])
        checks = await self.bot.roles.check([(interaction.guild_id, target)])
        await show(interaction, finish(_check_embed(interaction.guild, checks[0] if checks else None)))


def _role_name(guild: discord.Guild | None, role_id: int) -> str:
    role = guild.get_role(role_id) if guild is not None else None
    return f"@{role.name}" if role is not None else f"a deleted role ({role_id})"


def _check_embed(guild: discord.Guild | None, check: MemberCheck | None) -> SafeEmbed:
    if check is None:
        return SafeEmbed(title=Md("No role rules here"), description=Md("This server has no role rules."), colour=GREY)
    if not check.accounts:
        text = Md("No verified NEAR account. `/account verify` proves one with a wallet signature.")
        return SafeEmbed(title=Md("Nothing verified yet"), description=text, colour=GREY)
    if check.problem is not None or check.holdings is None:
        text = md("I could not read the accounts just now ({}). Roles stay as they are; try again in a minute.",
                  check.problem or "no answer")
        return SafeEmbed(title=Md("Try again"), description=text, colour=GREY)
    lines = [md("{} {}: {} (has {})", Md("✅") if met else Md("❌"), _role_name(guild, rule.role_id), rule_text(rule),
                format_near(amount_for(rule, check.holdings))) for rule, met in check.met]
    accounts = ", ".join(check.accounts)
    text = md("Verified: {}. Figures from block {}.\n", accounts, check.block_height) + Md("\n").join(lines)
    return SafeEmbed(title=Md("Role check"), description=text, colour=BLUE)


async def setup(bot: StakingBot) -> None:
    await bot.add_cog(Roles(bot))
