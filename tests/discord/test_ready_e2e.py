"""From answer to action in one click, through the real client, the fake Discord and the sandbox chain.

`/diagnose` (and the other answers that recommend a step) carries each step ready to sign: a button whose link is
byte for byte the one the matching action command gives, decoded by `@near-js/transactions` (after MyNearWallet's own
query parsing) into exactly the transactions that command's planner builds. "Details" answers with the technical
side in a second ephemeral message. Answers about someone else's account carry no such button.
"""

from __future__ import annotations

import json

import pytest

from bot.discord_app import StakingBot
from bot.near.account_id import lockup_account_id
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.venear import NEW_LOCKUPS
from bot.services.actions import plan_withdraw
from bot.services.chain import Chain
from bot.services.lockup_transfer import plan_lockup_transfer
from bot.services.results import ActionResult
from tests.integration.test_actions import assert_tx_means, decode_with_near_js

from .fake_discord import USER_ID, FakeDiscord, FakeDiscordError, Message, user_object

ALPHA = SCENARIO.pool_id("alpha")
LINEAR = "linear-protocol.near"
IVY = NEW_LOCKUPS["venear_ready"]
LENA_VENEAR = NEW_LOCKUPS["venear_side"]
SIGN_PREFIX = "https://app.mynearwallet.com/sign?transactions="
METHODS = ("withdraw_all", "end_unlock_near", "transfer", "check_transfers_vote", "refresh_staking_pool_balance")


def sign_buttons(message: Message) -> list[dict]:
    return [b for b in message.buttons if (b.get("url") or "").startswith(SIGN_PREFIX)]


def button(message: Message, label: str) -> dict:
    return next(b for b in message.buttons if b.get("label") == label)


def assert_decodes_to(urls: list[str], planned: ActionResult) -> None:
    """The links, decoded independently, are exactly the planner's transactions, in order."""
    decoded = [tx for link in decode_with_near_js(urls) for tx in link["transactions"]]
    assert len(decoded) == len(planned.transactions)
    for meant, got in zip(planned.transactions, decoded, strict=True):
        assert_tx_means(planned, meant, got)


async def test_diagnose_withdrawable_pool_is_one_click_from_the_wallet(
    fake: FakeDiscord, bot: StakingBot, chain: Chain
) -> None:
    record = await fake.slash("diagnose", {"account": "bob.near"})
    assert record.ephemeral
    first = record.embed["fields"][0]
    assert first["name"] == "👉 500 NEAR ready to withdraw from alpha.poolv1.near"
    assert "👉 Withdraw 500 NEAR from alpha.poolv1.near to bob.near — it is ready." in first["value"]
    [sign] = sign_buttons(record.message)
    assert sign["label"] == "Withdraw 500 NEAR" and len(sign["url"]) <= 512
    command = await fake.slash("withdraw", {"account": "bob.near", "pool": ALPHA})
    assert sign["url"] == button(command.message, "Sign in MyNearWallet")["url"]  # the same bytes as /withdraw
    assert_decodes_to([sign["url"]], await plan_withdraw(chain, "bob.near", ALPHA))

    main = record.text()
    assert not any(m in main for m in METHODS) and "gas" not in main.lower() and "yocto" not in main.lower()
    details = await fake.click(record.message, "Details")
    assert details.ephemeral and details.embed["title"] == "Withdraw: bob.near → alpha.poolv1.near"
    assert "method `withdraw_all`" in details.text() and "gas 175 TGas" in details.text()
    assert "exactly 500000000000000000000000002 yocto" in details.text()
    everything = await fake.click(record.message, "All details")
    assert "alpha.poolv1.near.withdraw_all({}) deposit 0 NEAR (0 yocto), gas 175 TGas" in everything.text()
    assert "withdraw_unstaked" in everything.text()  # Meta Pool's method, named in the technical text only


async def test_lockup_transferable_near_moves_with_the_transfer_commands_own_links(
    fake: FakeDiscord, bot: StakingBot, chain: Chain
) -> None:
    record = await fake.slash("diagnose", {"account": "lena.near"})
    labels = [b["label"] for b in sign_buttons(record.message)]
    assert labels == ["Move 3,130.13679 NEAR to your wallet", "Move 150 NEAR to your wallet"]
    foundation = await fake.slash("transfer", {"account": "lena.near", "amount": "all"})
    venear = await fake.slash("transfer", {"account": "lena.near", "amount": "all", "lockup": LENA_VENEAR.lockup_id})
    for label, answer in zip(labels, (foundation, venear), strict=True):
        assert button(record.message, label)["url"] == button(answer.message, "Sign in MyNearWallet")["url"]
    planned = await plan_lockup_transfer(chain, "lena.near", "all")
    assert planned.receiver_id == "lena.near" and planned.lockup_id == lockup_account_id("lena.near")
    assert_decodes_to([button(record.message, labels[0])["url"]], planned)


async def test_house_of_stake_lockup_after_its_unlock(fake: FakeDiscord, bot: StakingBot, chain: Chain) -> None:
    record = await fake.slash("diagnose", {"account": IVY.owner_id})
    # Finishing the unlock and moving everything out: two transactions, too long for one button, so one per step.
    step_1, step_2 = button(record.message, "Step 1: finish the veNEAR unlock"), button(record.message,
                                                                                     "Step 2: move the NEAR")
    assert "👉 Move 498 NEAR out of your lockup" in record.text()
    assert "2 steps in your wallet, in order: finish the veNEAR unlock, then move the NEAR." in record.text()
    command = await fake.slash("transfer", {"account": IVY.owner_id, "amount": "all", "lockup": IVY.lockup_id})
    assert [step_1["url"], step_2["url"]] == [button(command.message, f"Step {n} only")["url"] for n in (1, 2)]
    planned = await plan_lockup_transfer(chain, IVY.owner_id, "all", None, IVY.lockup_id)
    assert [c.method_name for tx in planned.transactions for c in tx.actions] == ["end_unlock_near", "transfer"]
    assert_decodes_to([step_1["url"], step_2["url"]], planned)
    # Finishing the unlock alone is offered too, next in usefulness, with the link /venear gives.
    end_unlock = await fake.slash("venear", {"action": "end-unlock", "account": IVY.owner_id})
    assert button(record.message, "Finish the unlock of 300 NEAR")["url"] == button(
        end_unlock.message, "Sign in MyNearWallet")["url"]


async def test_finished_liquid_staking_unstake(fake: FakeDiscord, bot: StakingBot, chain: Chain) -> None:
    record = await fake.slash("diagnose", {"account": "carol.near"})
    [sign] = sign_buttons(record.message)
    assert sign["label"] == "Withdraw 300.0007 NEAR"
    assert "Withdraw 300.0007 NEAR from LiNEAR to carol.near — it is ready." in record.text()
    command = await fake.slash("withdraw", {"account": "carol.near", "pool": LINEAR})
    assert sign["url"] == button(command.message, "Sign in MyNearWallet")["url"]
    assert_decodes_to([sign["url"]], await plan_withdraw(chain, "carol.near", LINEAR))
    # The other answers that show it carry the same step.
    for name in ("unbonding", "liquid"):
        other = await fake.slash(name, {"account": "carol.near"})
        assert [b["url"] for b in sign_buttons(other.message)] == [sign["url"]], name
        assert "👉 What to do now" in [f["name"] for f in other.embed["fields"]]


async def test_details_survive_a_restart_read_back_from_the_links(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("status", {"account": "bob.near"})
    bot.details = type(bot.details)()  # what a restart forgets
    details = await fake.click(record.message, "Details")
    assert details.embed["title"] == "What these buttons ask your wallet to sign"
    assert "method `withdraw_all`" in details.text() and "gas 175 TGas" in details.text()
    assert "sign-as bob.near" in details.text()
    gone = await fake.click(record.message, "All details")
    assert "no longer kept" in gone.text()


async def test_buttons_follow_discords_rules(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("diagnose", {"account": "bob.near"})
    with pytest.raises(FakeDiscordError, match="link button"):
        await fake.click(record.message, "Withdraw 500 NEAR")  # opens the wallet; Discord tells the bot nothing
    with pytest.raises(FakeDiscordError, match="ephemeral"):
        await fake.click(record.message, "Details", user_id=USER_ID + 1)
    await bot.sync_globally()  # outside the dev guild only global commands exist
    in_dm = await fake.slash("diagnose", {"account": "bob.near"}, guild=False)
    assert not in_dm.ephemeral and sign_buttons(in_dm.message)  # the user's own DM is personal too


async def test_answers_about_someone_elses_account_carry_no_button(fake: FakeDiscord, bot: StakingBot) -> None:
    target = fake.user_message("my 500 NEAR in alpha.poolv1.near is stuck, account bob.near", user_object(USER_ID + 9))
    record = await fake.context_menu("Diagnose this", target, user_id=USER_ID)
    assert record.ephemeral and record.embed["title"] == "Diagnosis: bob.near"
    assert sign_buttons(record.message) == []
    assert "Run `/withdraw account:bob.near pool:alpha.poolv1.near`" in record.text()
    assert all(not b.get("label", "").startswith("Withdraw") for b in record.message.buttons)


async def test_json_carries_the_same_keys_as_the_action_command(fake: FakeDiscord, bot: StakingBot) -> None:
    assert bot.chain is not None
    from bot.commands import run_line
    from bot.render.json_out import to_json

    diagnosis = json.loads(to_json((await run_line(bot.chain, "diagnose bob.near"))[0]))
    withdraw = json.loads(to_json((await run_line(bot.chain, f"withdraw bob.near {ALPHA}"))[0]))
    action = diagnosis["cases"][0]["action"]
    assert action["command"] == f"withdraw bob.near {ALPHA}" and action["rank"] == 1 and action["planned"]
    for key in ("transactions", "links", "commands", "signer_id", "amount_yocto", "warnings"):
        assert action[key] == withdraw[key], key
