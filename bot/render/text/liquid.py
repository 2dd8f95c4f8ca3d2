"""Console text of `liquid`: each position, its exits (instant or by waiting) and its pending unstake."""

from __future__ import annotations

from bot.near.units import format_near
from bot.render.action_text import ready_lines
from bot.render.text.base import duration, render_text, when
from bot.render.text.unbonding import unbonding_verdict
from bot.services.results import LiquidPosition, LiquidResult


def _tokens(amount: int, symbol: str) -> str:
    return f"{format_near(amount, unit=False)} {symbol}"  # stNEAR, LiNEAR and rNEAR have 24 decimals


def _liquid_lines(p: LiquidPosition, result: LiquidResult) -> list[str]:
    lines = [
        f"  {p.provider} ({p.contract_id}): {_tokens(p.token_balance, p.symbol)} ≈ {format_near(p.near_value_yocto)} "
        f"(1 {p.symbol} = {format_near(p.price_yocto, 6, unit=False)} NEAR)"
    ]
    if p.token_balance > 0:
        if p.instant_exit == "liquid_unstake" and p.instant_receive_yocto is not None:
            fee = p.instant_fee_yocto or 0
            percent = f", {100 * fee / p.near_value_yocto:.2f}%" if p.near_value_yocto else ""
            lines.append(
                f"    exit now: liquid_unstake pays ≈ {format_near(p.instant_receive_yocto)} "
                f"(fee {format_near(fee)}{percent}); the fee moves with the pool's liquidity"
            )
        elif p.instant_exit == "liquid_unstake":
            lines.append("    exit now: liquid_unstake (no quote could be read right now)")
        else:
            lines.append(
                f"    exit now: swap {p.symbol} for NEAR on a DEX (instant, costs a swap fee and price impact; "
                "not quoted here)"
            )
        wait = (
            f"    or wait: unstake now ({p.wait_epochs} epochs), withdraw the full value from epoch "
            f"{result.current_epoch + p.wait_epochs}"
        )
        if p.wait_estimated_unix is not None:
            wait += f" (≈ {when(p.wait_estimated_unix)}, in about {duration(p.wait_estimated_unix - result.head_unix)})"
        lines.append(wait)
    if p.pending_unstake_yocto is None:
        lines.append("    pending unstake: unknown (the contract has no view for it)")
    elif p.pending_unstake_yocto > 0 and p.unbonding is not None:
        verdict = unbonding_verdict(p.unbonding, result.current_epoch)
        if p.unbonding.available_epoch is None and not p.unbonding.can_withdraw and p.unbonding.source_note:
            verdict += f" (unlock epoch unknown: {p.unbonding.source_note})"
        lines.append(f"    pending unstake: {format_near(p.pending_unstake_yocto)} — {verdict}")
    for note in p.notes:
        lines.append(f"    note: {note}")
    return lines


@render_text.register
def _(result: LiquidResult) -> str:
    lines = [f"Liquid staking for {result.account_id} (epoch {result.current_epoch})"]
    if not result.positions:
        lines.append("  no liquid-staking tokens or pending unstakes found")
    for position in result.positions:
        lines.extend(_liquid_lines(position, result))
    for problem in result.provider_problems:
        lines.append(f"  ! {problem.pool_id}: {problem.message}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines + ready_lines(result))
