"""The `status` embed: wallet, delegations, lockups and liquid-staking holdings of one account."""

from __future__ import annotations

import discord

from bot.near.units import format_near
from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    LINES,
    MAX_ACCOUNT_BUTTONS,
    Rendered,
    account_links,
    add_problems_and_notes,
    add_ready_field,
    finish,
    name,
    near,
    plural,
    render_embed,
)
from bot.render.lockup_kinds import deployment_line, lockup_summary_field
from bot.render.safe import Md, md, plain
from bot.render.text import SCAN_FOUND
from bot.services.delegations import DUST_YOCTO
from bot.services.results import StatusResult


def _status_verdict(result: StatusResult) -> tuple[Md, discord.Colour]:
    real = [d for d in result.delegations if d.unstaked_yocto > DUST_YOCTO]  # share-rounding dust is no news
    withdrawable = sum(d.unstaked_yocto for d in real if d.can_withdraw)
    unbonding = sum(d.unstaked_yocto for d in real if not d.can_withdraw)
    staked_pools = [d for d in result.delegations if d.staked_yocto]
    parts: list[Md] = []
    colour = BLUE
    if withdrawable:
        parts.append(md("💰 **{} withdrawable now**", near(withdrawable)))
        colour = GREEN
    if unbonding:
        parts.append(md("⏳ **{} unbonding** (see /unbonding)", near(unbonding)))
        colour = colour if withdrawable else AMBER
    if staked_pools:
        parts.append(md("**{} staked** in {}", near(result.total_staked_yocto), plural(len(staked_pools), "pool")))
    if not parts:
        partial = Md("") if result.delegations_complete else Md(" (some could not be read)")
        parts.append(md("No delegations found in {}", result.delegations_checked) + partial)
        colour = GREY
    return Md(" · ").join(parts), colour


def _delegation_value(d_staked: int, d_unstaked: int, can_withdraw: bool) -> Md:
    lines = [md("staked **{}**", near(d_staked))] if d_staked or not d_unstaked else []
    if 0 < d_unstaked <= DUST_YOCTO:
        lines.append(Md("unstaked: rounding dust (less than 0.00001 NEAR), nothing to do"))
    elif d_unstaked:
        state = Md("✅ withdrawable now") if can_withdraw else Md("⏳ unbonding, not yet withdrawable")
        lines.append(md("unstaked **{}**: {}", near(d_unstaked), state))
    return LINES.join(lines)


@render_embed.register
def _(result: StatusResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _status_verdict(result)
    embed = SafeEmbed(title=name(result.account_id), description=verdict, colour=colour)
    wallet = [
        md("balance **{}**", near(result.amount_yocto)),
        md("movable by the owner {}", near(result.available_yocto)) if result.lockup_of
        else md("spendable {}", near(result.available_yocto)),
        md("storage reserve {} ({:,} bytes)", near(result.storage_cost_yocto), result.storage_usage_bytes),
    ]
    if result.locked_yocto:
        wallet.append(md("locked as validator stake {}", near(result.locked_yocto)))
    embed.add_field(name=Md("Wallet"), value=LINES.join(wallet), inline=False)
    for d in result.delegations:
        missed = md("\n🔎 {}", SCAN_FOUND) if d.found_by == "scan" else Md("")
        embed.add_field(name=name(d.pool_id),
                        value=_delegation_value(d.staked_yocto, d.unstaked_yocto, d.can_withdraw) + missed)
    if len(result.delegations) > 1:
        embed.add_field(
            name=Md("All pools"),
            value=md("staked {}\nunstaked {}", near(result.total_staked_yocto), near(result.total_unstaked_yocto)),
        )
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name=Md("Contract"), value=deployment, inline=False)
    for lockup in result.lockups or ([result.lockup] if result.lockup else []):
        heading, value = lockup_summary_field(lockup)
        embed.add_field(name=heading, value=value, inline=False)
    for holding in result.liquid:
        value = md("{} {} ≈ {}", format_near(holding.token_balance, 5, unit=False), name(holding.symbol),
                   near(holding.near_value_yocto))
        if holding.pending_unstake_yocto:
            ready = Md(" (withdrawable now)") if holding.can_withdraw else Md("")
            value += md("\nunstaking {}{}", near(holding.pending_unstake_yocto), ready)
        embed.add_field(name=md("{} ({})", name(holding.provider), name(holding.contract_id)), value=value)
    add_ready_field(embed, result)
    add_problems_and_notes(embed, result.pool_problems, result.notes, "Notes")
    embed.set_footer(text=plain("Block {:,} · pools checked: {} · exact amounts under All details",
                                result.block_height, result.delegations_checked))
    pairs = [("Account on NearBlocks", result.account_id)] + [(d.pool_id, d.pool_id) for d in result.delegations]
    return finish(embed, account_links(pairs, network)[:MAX_ACCOUNT_BUTTONS], answer=result)
