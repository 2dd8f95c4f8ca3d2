"""Embeds of the chain-wide answers: the epoch and a pool."""

from __future__ import annotations

import discord

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    LINES,
    RED,
    Rendered,
    about,
    account_links,
    bar,
    finish,
    name,
    near,
    render_embed,
    ts,
    when,
)
from bot.render.safe import Md, Plain, esc, md, plain
from bot.render.text import duty_lines, role_text
from bot.services.results import EpochResult, PoolResult


@render_embed.register
def _(result: EpochResult, *, network: str = "mainnet") -> Rendered:
    percent = result.progress * 100
    left = result.estimated_end_unix - result.head_unix
    embed = SafeEmbed(
        title=md("Epoch {}", result.epoch_height),
        description=md(
            "**{p:.1f} % done, ends {end}** ({left})\n`{bar}` {p:.1f} %",
            p=percent, end=ts(result.estimated_end_unix, "R"), left=about(left),
            bar=bar(result.blocks_into_epoch, result.epoch_length),
        ),
        colour=BLUE,
    )
    embed.add_field(name=Md("Ends (estimate)"), value=when(result.estimated_end_unix), inline=False)
    embed.add_field(
        name=Md("Blocks"),
        value=md("{:,} of {:,} done\n{:,} left", result.blocks_into_epoch, result.epoch_length, result.blocks_left),
        inline=True,
    )
    embed.add_field(
        name=Md("Block time"),
        value=md("{:.3f} s on average\nover the last {:,} blocks", result.avg_block_seconds, result.sample_blocks),
        inline=True,
    )
    embed.add_field(
        name=Md("Chain head"),
        value=md("block {:,}, {}\nepoch started at block {:,}", result.head_height, ts(result.head_unix, "R"),
                 result.epoch_start_height),
        inline=False,
    )
    embed.set_footer(text=Plain(
        "The end time is an estimate from the measured block time; it moves if blocks speed up or slow down."
    ))
    return finish(embed)


def _pool_verdict(result: PoolResult) -> tuple[Md, discord.Colour]:
    v = result.validator
    if result.validator_status == "active":
        if v.in_next_epoch:
            verdict, colour = Md("🟢 **Active validator**, also in the next epoch"), GREEN
        else:
            verdict, colour = Md("🟠 **Active now, but not in the next epoch's validator set**"), AMBER
    elif result.validator_status == "kicked_out":
        verdict = md("🔴 **Kicked out of the validator set**: {}", v.kickout_reason or "reason unknown")
        colour = RED
    elif result.validator_status == "proposal":
        verdict = Md("🟡 **Proposed**: not validating this epoch") + (
            Md(", in the next epoch's set") if v.in_next_epoch else Md(""))
        colour = AMBER
    else:
        verdict, colour = Md("⚪ **Not validating this epoch**: delegations here earn no rewards now"), GREY
    if result.paused:
        verdict += Md("\n⏸️ **Staking is paused**: new stake here earns nothing until the owner resumes it")
        colour = RED
    return verdict, colour


@render_embed.register
def _(result: PoolResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _pool_verdict(result)
    v = result.validator
    embed = SafeEmbed(title=name(result.pool_id), description=verdict, colour=colour)
    embed.add_field(
        name=Md("Fee"), value=md("{:g} % ({}/{})", result.fee_percent, result.fee_numerator, result.fee_denominator),
        inline=True,
    )
    embed.add_field(name=Md("Total staked"), value=esc(near(result.total_staked_yocto, 2)), inline=True)
    if result.delegator_count is not None:
        embed.add_field(name=Md("Delegators"), value=md("{:,}", result.delegator_count), inline=True)
    # The owner is whatever text the contract returns: shown escaped, linked only when it is a valid account id.
    embed.add_field(name=Md("Owner"), value=name(result.owner_id), inline=True)
    embed.add_field(name=Md("Contract"), value=name(result.contract_kind), inline=True)
    embed.add_field(name=Md("Next epoch"), value=Md("in the set") if v.in_next_epoch else Md("**not** in the set"),
                    inline=True)
    if v.expected_blocks is not None:
        duties = [esc(line) for line in duty_lines(v)]
        embed.add_field(
            name=md("This epoch ({}): {}", result.epoch_height, role_text(v)),
            value=LINES.join(duties) if duties else Md("nothing expected of it yet"),
            inline=False,
        )
    embed.set_footer(text=plain("Epoch {} · total staked exactly {} yocto", result.epoch_height,
                                result.total_staked_yocto))
    pairs = [("Pool on NearBlocks", result.pool_id)]
    if result.owner_id != result.pool_id:
        pairs.append(("Owner on NearBlocks", result.owner_id))
    return finish(embed, account_links(pairs, network))
