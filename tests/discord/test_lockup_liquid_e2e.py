"""/lockup (with its release chart) and /liquid through the real client, the fake Discord and the sandbox."""

from __future__ import annotations

import json

from bot.discord_app import StakingBot
from bot.near.account_id import lockup_account_id
from bot.near.units import format_near
from bot.sandbox import ThreadedSandbox

from .fake_discord import FakeDiscord

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def contract_view(sandbox: ThreadedSandbox, account_id: str, method: str, args: dict | None = None) -> object:
    height = sandbox.chain.final_height()  # the bot reads lockups at the final block
    raw = sandbox.run_on_loop(
        lambda: sandbox.chain.view_call(account_id, method, json.dumps(args or {}).encode(), block_height=height)
    )
    return json.loads(raw)


async def test_lockup_shows_exact_balances_and_a_small_release_chart(
    fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox
) -> None:
    lockup_id = lockup_account_id("vera.near")
    locked = int(contract_view(sandbox, lockup_id, "get_locked_amount"))
    liquid = int(contract_view(sandbox, lockup_id, "get_liquid_owners_balance"))
    record = await fake.slash("lockup", {"account": "vera.near"})
    assert record.ephemeral
    balances = record.embed["fields"][0]["value"]
    assert f"locked **{format_near(locked)}**" in balances and f"transferable **{format_near(liquid)}**" in balances
    exact = (await fake.click(record.message, "All details")).text()
    assert f"locked: `{locked}`" in exact and f"transferable: `{liquid}`" in exact
    assert record.embed["description"].startswith(f"⏳ **{format_near(locked)} locked")
    assert "vesting cliff" in record.text()
    (upload,) = record.message.uploads
    assert upload["filename"] == "lockup.png"
    assert upload["data"].startswith(PNG_SIGNATURE)
    assert len(upload["data"]) < 200_000
    assert record.embed["image"]["url"] == "attachment://lockup.png"
    assert f"https://nearblocks.io/address/{lockup_id}" in record.message.urls


async def test_lockup_with_transfers_disabled_says_what_to_do(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("lockup", {"account": "gina.near"})
    assert "records the transfers vote" in record.embed["description"]
    assert "check_transfers_vote" not in record.text()  # the holder's words; the method is in the details
    assert "check_transfers_vote" in (await fake.click(record.message, "All details")).text()
    # the step that fixes it and moves the NEAR out is ready: the vote first, then the transfer
    assert [b["label"] for b in record.message.buttons][:3] == [
        "Step 1: record the transfers vote", "Step 2: move the NEAR", "Details"]


async def test_lockup_projection_and_bad_time(fake: FakeDiscord, bot: StakingBot) -> None:
    later = await fake.slash("lockup", {"account": "lena.near", "at": "2027-07-01"})
    assert "projected" in later.embed["description"]
    assert "Fully unlocked" in later.embed["description"]
    bad = await fake.slash("lockup", {"account": "lena.near", "at": "next tuesday"})
    assert bad.ephemeral
    assert "Traceback" not in bad.text()
    assert "2027-01-01" in bad.text()  # says what to type instead


async def test_liquid_lists_each_provider(fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox) -> None:
    stnear = int(contract_view(sandbox, "meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))
    record = await fake.slash("liquid", {"account": "alice.near"})
    names = [f["name"] for f in record.embed["fields"]]
    assert names == ["Meta Pool (meta-pool.near)", "LiNEAR (linear-protocol.near)"]
    assert format_near(stnear).removesuffix(" NEAR") + " stNEAR" in record.embed["fields"][0]["value"]
    assert "instant exit now" in record.embed["fields"][0]["value"]
    assert "DEX swap" in record.embed["fields"][1]["value"]
    bob = await fake.slash("liquid", {"account": "bob.near"})
    assert "unstaking" in bob.embed["description"]
