"""Embed renderers and Discord's limits, checked with the same validator the fake Discord applies."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.near.units import YOCTO_PER_NEAR
from bot.render.details import details_embed
from bot.render.discord_limits import Link, SafeEmbed, embed_size, fit_embed, fit_links
from bot.render.embeds import Rendered, nearblocks_url, render_embed
from bot.render.safe import Md, checked_url, esc, md, plain
from bot.services.results import (
    DelegationEntry,
    ErrorResult,
    LiquidHolding,
    LockupSummary,
    PoolProblem,
    Result,
    StatusResult,
    UnbondingEntry,
    UnbondingResult,
)

from .fake_discord import validate_message

NEAR = YOCTO_PER_NEAR
HOUR = 3600


def problems(embed: discord.Embed, view: discord.ui.View | None = None) -> list[str]:
    body: dict[str, Any] = {"embeds": [embed.to_dict()]}
    if view is not None:
        body["components"] = view.to_components()
    return validate_message(body)


def status(**overrides: Any) -> StatusResult:
    values: dict[str, Any] = dict(
        account_id="alice.near", amount_yocto=5 * NEAR + 123, locked_yocto=0, storage_usage_bytes=182,
        storage_cost_yocto=182 * 10**19, available_yocto=5 * NEAR, has_contract=False, delegations=[],
        total_staked_yocto=0, total_unstaked_yocto=0, delegations_complete=True, block_height=100,
    )
    values.update(overrides)
    return StatusResult(**values)


def entry(**overrides: Any) -> UnbondingEntry:
    values: dict[str, Any] = dict(
        pool_id="bravo.poolv1.near", unstaked_yocto=300 * NEAR, staked_yocto=0, can_withdraw=False,
        available_epoch=102, available_epoch_source="state", estimated_available_unix=1_800_000_000,
        estimate_earliest_unix=1_800_000_000 - 2520, estimate_latest_unix=1_800_000_000 + 2520, epochs_left=2,
    )
    values.update(overrides)
    return UnbondingEntry(**values)


def unbonding(*entries: UnbondingEntry) -> UnbondingResult:
    return UnbondingResult(account_id="alice.near", current_epoch=100, epoch_length=43_200, avg_block_seconds=0.6,
                           head_unix=1_800_000_000 - 50_400,
                           entries=list(entries), pools_complete=True)


# -- limits ------------------------------------------------------------------------------------------------------


def test_more_than_25_fields_fold_into_a_note() -> None:
    embed = SafeEmbed(title=Md("t"))
    for i in range(30):
        embed.add_field(name=md("pool-{}.poolv1.near", i), value=Md("staked 1 NEAR"))
    fitted = fit_embed(embed)
    assert len(fitted.fields) == 25
    assert fitted.fields[-1].value == "6 more not shown (Discord's size limit)."
    assert problems(fitted) == []


def test_long_texts_are_clipped_with_an_ellipsis() -> None:
    embed = SafeEmbed(title=esc("T" * 300, limit=300), description=esc("d" * 5000, limit=5000))
    embed.add_field(name=esc("n" * 300, limit=300), value=esc("v" * 2000, limit=2000))
    embed.set_footer(text=plain("{}", "f" * 3000))
    fitted = fit_embed(embed)
    assert len(fitted.title or "") == 256 and (fitted.title or "").endswith("…")
    assert len(fitted.fields[0].value or "") == 1024 and len(fitted.fields[0].name or "") == 256
    assert embed_size(fitted.to_dict()) <= 6000
    assert problems(fitted) == []


def test_the_6000_total_drops_fields_from_the_end_and_says_so() -> None:
    embed = SafeEmbed(title=Md("t"), description=esc("d" * 1000))
    for i in range(20):
        embed.add_field(name=md("field {}", i), value=esc("v" * 1000))
    fitted = fit_embed(embed)
    assert embed_size(fitted.to_dict()) <= 6000
    assert fitted.fields[0].value == "v" * 1000  # the first fields stay whole
    assert "more not shown" in (fitted.fields[-1].value or "")
    assert problems(fitted) == []


def test_empty_field_values_become_a_dash() -> None:
    embed = SafeEmbed(title=Md("t")).add_field(name=Md(""), value=Md(""))
    fitted = fit_embed(embed)
    assert (fitted.fields[0].name, fitted.fields[0].value) == ("—", "—")


def test_only_escaped_text_reaches_an_embed() -> None:
    with pytest.raises(TypeError):
        fit_embed(discord.Embed(title="t"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SafeEmbed(title="[x](https://evil.example)")  # type: ignore[arg-type]
    embed = SafeEmbed(title=Md("t"))
    for sneak in (lambda: embed.add_field(name=Md("n"), value="plain str"),  # type: ignore[arg-type]
                  lambda: setattr(embed, "description", "plain str"),
                  lambda: embed.set_footer(text=Md("markdown is not shown in a footer")),  # type: ignore[arg-type]
                  lambda: embed.set_image(url="https://evil.example/x.png")):
        with pytest.raises(TypeError):
            sneak()
    with pytest.raises(TypeError):
        Link("a button", "https://evil.example")  # type: ignore[arg-type]


async def test_links_fit_discord_buttons() -> None:
    too_long = checked_url("https://nearblocks.io/address/" + "a" * 500)
    links = [Link("L" * 100, checked_url("https://nearblocks.io/address/a.near")), Link("long", too_long)]
    links += [Link(f"pool {i}", checked_url(f"https://nearblocks.io/address/p{i}.near")) for i in range(30)]
    fitted = fit_links(links)
    assert len(fitted) == 25 and all(len(link.url) <= 512 for link in fitted)
    assert len(fitted[0].label) == 80
    view = Rendered(discord.Embed(title="t"), links).view()
    assert view is not None
    rows = view.to_components()
    assert len(rows) == 5 and all(len(row["components"]) == 5 for row in rows)
    assert all(b["style"] == 5 and "custom_id" not in b for row in rows for b in row["components"])
    assert problems(discord.Embed(title="t"), view) == []
    assert checked_url("ftp://nearblocks.io/x") is None and checked_url("https://evil.example/") is None
    assert Rendered(discord.Embed(title="t"), [Link("long", too_long)]).view() is None


# -- renderers ---------------------------------------------------------------------------------------------------


async def test_huge_status_still_renders_within_limits() -> None:
    delegations = [
        DelegationEntry(pool_id=f"pool-number-{i:03d}.poolv1.near", staked_yocto=i * NEAR, unstaked_yocto=i,
                        can_withdraw=i % 2 == 0)
        for i in range(1, 60)
    ]
    result = status(
        delegations=delegations, total_staked_yocto=sum(d.staked_yocto for d in delegations),
        pool_problems=[PoolProblem(pool_id=f"p{i}.near", kind="x", message="m" * 300) for i in range(10)],
        notes=["n" * 500] * 10,
    )
    rendered = render_embed(result)
    assert problems(rendered.embed, rendered.view()) == []
    assert len(rendered.embed.fields) == 25
    assert len(rendered.links) == 5


def test_amounts_truncate_and_exact_yocto_is_one_click_away() -> None:
    result = status(amount_yocto=2 * NEAR - 1, available_yocto=2 * NEAR - 1)
    rendered = render_embed(result)
    embed = rendered.embed
    assert "balance **1.99999 NEAR**" in (embed.fields[0].value or "")  # never rounded up to 2
    assert embed.footer.text == ("Block 100 · pools checked: every pool the staking index lists · exact amounts "
                                 "under All details")
    assert rendered.details is result  # "All details" shows the exact amounts
    exact = [f.value or "" for f in details_embed(result).fields if f.name == "Exact amounts (yoctoNEAR)"]
    assert f"balance: `{2 * NEAR - 1}`" in exact[0]


def test_status_with_lockup_and_liquid_staking() -> None:
    result = status(
        lockup=LockupSummary(lockup_id="abc.lockup.near", locked_yocto=10 * NEAR, owners_balance_yocto=20 * NEAR,
                             liquid_owners_balance_yocto=5 * NEAR, transfers_enabled=False, staking_pool_id=None),
        liquid=[LiquidHolding(contract_id="meta-pool.near", provider="Meta Pool", symbol="stNEAR",
                              token_balance=3 * NEAR, near_value_yocto=4 * NEAR, pending_unstake_yocto=NEAR,
                              can_withdraw=True)],
    )
    fields = {f.name: f.value or "" for f in render_embed(result).embed.fields}
    assert "still locked 10 NEAR" in fields["Lockup abc.lockup.near"]
    assert "transfers not enabled yet" in fields["Lockup abc.lockup.near"]
    assert "3 stNEAR ≈ 4 NEAR" in fields["Meta Pool (meta-pool.near)"]
    assert "unstaking 1 NEAR (withdrawable now)" in fields["Meta Pool (meta-pool.near)"]


def test_unbonding_verdict_gives_epochs_and_hours() -> None:
    # The service's estimate window is ±5 % of the remaining time: 2 × 2520 s ↔ 14 h to go.
    rendered = render_embed(unbonding(entry()))
    assert rendered.embed.description == (
        "⏳ **300 NEAR not yet withdrawable: ready in 2 epochs (~14 h)** (epoch 102)"
    )
    assert rendered.embed.colour == discord.Colour(0xF1C40F)
    value = rendered.embed.fields[0].value or ""
    assert "`▰▰▰▰▱▱▱▱` 2 of 4 epochs" in value
    assert "<t:1800000000:R> (<t:1800000000:f>)" in value
    assert "yocto" not in value  # the exact amount is under All details
    exact = "".join(f.value or "" for f in details_embed(unbonding(entry())).fields)
    assert f"unstaked in bravo.poolv1.near: `{300 * NEAR}`" in exact


def test_unbonding_ready_and_dust() -> None:
    ready = entry(can_withdraw=True, epochs_left=0, estimated_available_unix=None, estimate_earliest_unix=None,
                  estimate_latest_unix=None, available_epoch=99)
    dust = entry(pool_id="dust.poolv1.near", unstaked_yocto=2, can_withdraw=True, epochs_left=0)
    rendered = render_embed(unbonding(ready, dust))
    assert rendered.embed.description == "✅ **300 NEAR withdrawable now**"
    assert "share-rounding dust" in (rendered.embed.fields[1].value or "")
    assert render_embed(unbonding(dust)).embed.description.startswith("Nothing is unbonding")  # type: ignore[union-attr]


def test_unbonding_with_unknown_epoch_says_the_latest_possible() -> None:
    unknown = entry(available_epoch=None, available_epoch_source="unknown", estimated_available_unix=None,
                    estimate_earliest_unix=None, latest_possible_epoch=104, epochs_left=4,
                    source_note="the pool's storage could not be read")
    value = render_embed(unbonding(unknown)).embed.fields[0].value or ""
    assert "epoch 104 at the latest" in value and "could not be read" in value


def test_unbonding_unlocked_but_not_payable_says_why() -> None:
    note = "The unlock epoch 99 has come, but Rhea has not yet run its settlement for it."
    settling = entry(pool_id="lst.rhealab.near", available_epoch=99, available_epoch_source="contract",
                     estimated_available_unix=None, estimate_earliest_unix=None, estimate_latest_unix=None,
                     epochs_left=None, waiting_for="settlement", waiting_note=note)
    rendered = render_embed(unbonding(settling))
    assert "withdrawable now" not in (rendered.embed.description or "")
    assert "waiting for the contract to pay out" in (rendered.embed.description or "")
    assert note in (rendered.embed.fields[0].value or "")
    assert problems(rendered.embed) == []


def test_errors_are_short_and_kind() -> None:
    down = render_embed(ErrorResult(error_kind="rpc_unavailable", message="Could not reach a NEAR RPC node", exit_code=3))
    assert down.embed.title == "Cannot reach the NEAR network right now"
    assert "Nothing is wrong with your account" in (down.embed.description or "")
    assert down.embed.footer.text == "Detail: Could not reach a NEAR RPC node"
    internal = render_embed(ErrorResult(error_kind="internal", message="Something went wrong on our side.",
                                        exit_code=1, incident_id="abcd1234"))
    assert "Incident id: `abcd1234`" in (internal.embed.description or "")
    assert down.links == [] and internal.links == []


def test_result_without_an_embed_falls_back_to_a_code_block() -> None:
    class Unusual(Result):
        answer: int = 42

    embed = render_embed(Unusual()).embed
    assert (embed.description or "").startswith("```") and '"answer": 42' in (embed.description or "")


@pytest.mark.parametrize(("network", "base"), [("mainnet", "https://nearblocks.io"),
                                               ("testnet", "https://testnet.nearblocks.io")])
def test_nearblocks_links_per_network(network: str, base: str) -> None:
    assert nearblocks_url("alice.near", network) == f"{base}/address/alice.near"
    assert render_embed(status(), network=network).links[0].url == f"{base}/address/alice.near"
