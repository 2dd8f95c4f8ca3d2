"""House of Stake and global-contract lockups through the real discord.py client, the fake Discord and the sandbox:
/lockup, /status with a linked lockup, /unbonding and /diagnose with veNEAR unlocks, /venear with wallet links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from bot.discord_app import StakingBot
from bot.near.units import format_near
from bot.sandbox import ThreadedSandbox
from bot.sandbox.venear import GLOBAL_LOCKUP_ID, NEW_LOCKUPS

from .fake_discord import FakeDiscord
from .test_lockup_liquid_e2e import contract_view

HANA, IVY = NEW_LOCKUPS["venear_staked"], NEW_LOCKUPS["venear_ready"]


async def test_house_of_stake_lockup_in_discord(fake: FakeDiscord, bot: StakingBot, sandbox: ThreadedSandbox) -> None:
    free = int(contract_view(sandbox, HANA.lockup_id, "get_venear_liquid_balance"))
    stamp = int(contract_view(sandbox, HANA.lockup_id, "get_venear_unlock_timestamp"))
    record = await fake.slash("lockup", {"account": HANA.owner_id})
    assert record.ephemeral and record.embed["title"] == "House of Stake lockup of hana.near"
    unlock = -(-stamp // 10**9)
    assert f"<t:{unlock}:R>" in record.embed["description"]  # the unlock time as a Discord timestamp
    balances = record.embed["fields"][0]["value"]
    assert "yocto" not in balances and "locked for veNEAR **600 NEAR**" in balances
    assert f"transferable: `{free}`" in (await fake.click(record.message, "All details")).text()
    assert "transferable now" in balances and format_near(free) in record.embed["description"]

    unbonding = await fake.slash("unbonding", {"account": HANA.owner_id})
    names = [f["name"] for f in unbonding.embed["fields"]]
    assert f"veNEAR unlock · {HANA.lockup_id}" in names

    diagnosis = await fake.slash("diagnose", {"account": IVY.owner_id})
    assert "end_unlock_near" not in diagnosis.text()  # "finish the unlock", with the method behind Details
    assert "end_unlock_near" in (await fake.click(diagnosis.message, "All details")).text()


async def test_venear_actions_give_wallet_links(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("venear", {"action": "end-unlock", "account": IVY.owner_id})
    assert record.ephemeral and "end_unlock_near" in record.text()
    (sign,) = [u for u in record.message.urls if u.startswith("https://app.mynearwallet.com/sign")]
    assert parse_qs(urlparse(sign).query)["transactions"]
    refused = await fake.slash("venear", {"action": "end-unlock", "account": HANA.owner_id})
    assert "Invalid unlock time" in refused.text() and "Traceback" not in refused.text()
    transfer = await fake.slash("transfer", {"amount": "all", "account": IVY.owner_id})
    assert "end_unlock_near" in transfer.text() and "transfer" in transfer.text()


async def test_a_linked_global_lockup_joins_its_owners_answers(fake: FakeDiscord, bot: StakingBot) -> None:
    before = await fake.slash("status", {"account": "nina.near"})
    assert GLOBAL_LOCKUP_ID not in before.text()
    linked = await fake.slash("account link", {"account": GLOBAL_LOCKUP_ID})
    assert "It is a lockup of `nina.near`" in linked.text()
    await fake.slash("account link", {"account": "nina.near"})
    status = await fake.slash("status", {"account": "nina.near"})
    assert f"Lockup {GLOBAL_LOCKUP_ID}" in [f["name"] for f in status.embed["fields"]]
    unbonding = await fake.slash("unbonding", {"account": "nina.near"})
    assert GLOBAL_LOCKUP_ID in unbonding.text()
    lockup = await fake.slash("lockup", {"account": GLOBAL_LOCKUP_ID})
    assert "global contract" in lockup.text()
