"""The `liquid` embed: each liquid-staking position, its pending unstake and its exits."""

from __future__ import annotations

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    BLUE,
    GREY,
    LINES,
    Rendered,
    account_links,
    add_ready_field,
    finish,
    name,
    near,
    plural,
    render_embed,
    when,
)
from bot.render.safe import Md, md, prose
from bot.services.results import LiquidResult


@render_embed.register
def _(result: LiquidResult, *, network: str = "mainnet") -> Rendered:
    total = sum(p.near_value_yocto for p in result.positions)
    pending = sum(p.pending_unstake_yocto or 0 for p in result.positions)
    if not result.positions:
        verdict, colour = Md("No liquid-staking tokens or pending unstakes found"), GREY
    else:
        verdict, colour = md("💧 **{} in liquid-staking tokens**", near(total)), BLUE
        if pending:
            verdict += md(", {} unstaking", near(pending))
    embed = SafeEmbed(title=md("Liquid staking of {}", name(result.account_id)), description=verdict, colour=colour)
    for position in result.positions:
        symbol = name(position.symbol)
        lines = [
            md("{} {} ≈ **{}**", near(position.token_balance).removesuffix(" NEAR"), symbol,
               near(position.near_value_yocto)),
            md("price {} per {}", near(position.price_yocto), symbol),
        ]
        entry = position.unbonding
        if position.pending_unstake_yocto:
            if position.can_withdraw:
                lines.append(md("✅ {} unstaked: withdrawable now (a separate step)",
                                near(position.pending_unstake_yocto)))
            elif entry is not None and entry.waiting_note and entry.waiting_for != "epoch":
                lines.append(md("⏳ {} unlocked, not payable yet: {}", near(position.pending_unstake_yocto),
                                prose(entry.waiting_note)))
            elif entry is not None and entry.estimated_available_unix:
                lines.append(md(
                    "⏳ {} unstaking: epoch {}, {}", near(position.pending_unstake_yocto), entry.available_epoch,
                    when(entry.estimated_available_unix),
                ))
            else:
                lines.append(md("⏳ {} unstaking", near(position.pending_unstake_yocto)))
        if position.instant_exit == "liquid_unstake" and position.instant_receive_yocto is not None:
            lines.append(md(
                "instant exit now: {} (fee {}) vs waiting {}", near(position.instant_receive_yocto),
                near(position.instant_fee_yocto or 0), plural(position.wait_epochs, "epoch"),
            ))
        elif position.token_balance:
            lines.append(md("instant exit: a DEX swap (fees and slippage); or wait {}",
                            plural(position.wait_epochs, "epoch")))
        embed.add_field(name=md("{} ({})", name(position.provider), name(position.contract_id)), value=LINES.join(lines),
                        inline=False)
    add_ready_field(embed, result)
    for problem in result.provider_problems[:3]:
        embed.add_field(name=md("⚠ {}", name(problem.pool_id)), value=prose(problem.message), inline=False)
    return finish(embed, account_links([("Account on NearBlocks", result.account_id)], network), answer=result)
