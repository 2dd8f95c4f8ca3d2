"""The `lockup` embed: a core-contracts lockup's balances, release milestones and chart, or a House of
Stake lockup's veNEAR side."""

from __future__ import annotations

import discord

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    AMBER,
    GREEN,
    LINES,
    RED,
    Rendered,
    account_links,
    bar,
    finish,
    name,
    near,
    render_embed,
    when,
)
from bot.render.lockup_kinds import add_lockup_actions, add_venear_fields, deployment_line, venear_verdict
from bot.render.safe import Md, code, md, plain, prose
from bot.services.results import LockupResult


def _lockup_verdict(result: LockupResult) -> tuple[Md, discord.Colour]:
    transferable = result.liquid_owners_balance_yocto
    if not result.transfers_enabled:
        return Md("🔒 **All locked until the lockup records the transfers vote** (one call from you: see below)"), RED
    if result.locked_yocto == 0:
        return md("✅ **Fully unlocked: {} transferable**", near(transferable)), GREEN
    return md("⏳ **{} locked, {} transferable now**", near(result.locked_yocto), near(transferable)), AMBER


@render_embed.register
def _(result: LockupResult, *, network: str = "mainnet") -> Rendered:
    if result.venear is not None:
        return _venear_lockup(result, network)
    verdict, colour = _lockup_verdict(result)
    embed = SafeEmbed(title=md("Lockup of {}", name(result.owner_id)),
                      description=md("{}\n{}", verdict, _lockup_moment(result)), colour=colour)
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name=Md("Contract"), value=md("{} runs a {}", code(result.lockup_id), deployment), inline=False)
    done = result.lockup_amount_yocto - min(result.locked_yocto, result.lockup_amount_yocto)
    embed.add_field(
        name=Md("Balances"),
        value=md(
            "locked **{}**\nowner's balance **{}**\ntransferable **{}**\n`{}` unlocked of {}",
            near(result.locked_yocto), near(result.owners_balance_yocto), near(result.liquid_owners_balance_yocto),
            bar(done, result.lockup_amount_yocto), near(result.lockup_amount_yocto, 2),
        ),
        inline=False,
    )
    account = md("on the lockup account {}", near(result.account_balance_yocto))
    if result.staking_pool_id:
        account += md("; staked through {} (counted: {})", name(result.staking_pool_id),
                      near(result.known_deposited_yocto))
    embed.add_field(name=Md("Where the tokens are"), value=account, inline=False)
    if result.fully_unlocked_unix:
        caveat = Md(" (once the transfers vote is recorded)") if result.unlock_assumes_transfers_vote else Md("")
        embed.add_field(name=Md("Fully unlocked"), value=when(result.fully_unlocked_unix) + caveat, inline=False)
    if result.milestones:
        embed.add_field(
            name=Md("Next milestones"),
            value=LINES.join(
                md("{}: {}, then {} locked", m.name.replace("_", " "), when(m.unix), near(m.locked_after_yocto))
                for m in result.milestones[:4]
            ),
            inline=False,
        )
    add_lockup_actions(embed, result)
    if result.disagreement:
        embed.add_field(name=Md("⚠ Contract and computation differ"), value=prose(result.disagreement), inline=False)
    embed.set_footer(text=plain(
        "Contract {} · storage minimum {} · you sign any change in your own wallet", result.version,
        near(result.min_balance_for_storage_yocto, 1),
    ))
    files: list[tuple[str, bytes]] = []
    from bot.render.charts import lockup_chart_png  # matplotlib loads only when a chart is drawn

    chart = lockup_chart_png(result)
    if chart is not None:
        files.append(("lockup.png", chart))
        embed.set_image(url="attachment://lockup.png")
    rendered = finish(embed, account_links([("Lockup on NearBlocks", result.lockup_id)], network), answer=result)
    rendered.files = files
    return rendered


def _lockup_moment(result: LockupResult) -> Md:
    return md("at {} (projected, no new transactions)", when(result.at_unix)) if result.projected else Md("now")


def _venear_lockup(result: LockupResult, network: str) -> Rendered:
    verdict, colour = venear_verdict(result)
    embed = SafeEmbed(title=md("House of Stake lockup of {}", name(result.owner_id)),
                      description=md("{}\n{}", verdict, _lockup_moment(result)), colour=colour)
    add_venear_fields(embed, result)
    add_lockup_actions(embed, result)
    if result.disagreement:
        embed.add_field(name=Md("⚠ Contract and computation differ"), value=prose(result.disagreement), inline=False)
    if result.other_lockups:
        embed.add_field(name=Md("Your other lockups"), value=Md(", ").join(code(x) for x in result.other_lockups),
                        inline=False)
    embed.set_footer(text=plain(
        "Contract {} · storage deposit {} · you sign any change in your own wallet", result.version,
        near(result.min_balance_for_storage_yocto, 1),
    ))
    return finish(embed, account_links([("Lockup on NearBlocks", result.lockup_id)], network), answer=result)
