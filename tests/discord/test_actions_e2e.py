"""/stake, /unstake, /withdraw and /transfer through the real client, the fake Discord and the sandbox: an embed with
the exact action, link buttons (≤ 512 characters), the near-cli-rs command and a QR code PNG, ephemeral in servers."""

from __future__ import annotations

import io

import qrcode
from mnemonic import Mnemonic
from PIL import Image

from bot.discord_app import StakingBot
from bot.near.account_id import lockup_account_id

from .fake_discord import USER_ID, FakeDiscord
from .test_support_e2e import fragments, mnemonic, secret_key

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIGN_PREFIX = "https://app.mynearwallet.com/sign?transactions="


def sign_urls(urls: list[str]) -> list[str]:
    return [u for u in urls if u.startswith(SIGN_PREFIX)]


async def test_stake_answer_has_action_buttons_command_and_qr(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("stake", {"pool": "bravo.poolv1.near", "amount": "10.5", "account": "alice.near"})
    assert record.deferred and record.ephemeral  # personal: only the user sees it in a server
    embed = record.embed
    assert embed["title"] == "Stake: alice.near → bravo.poolv1.near"
    assert "Ready for your wallet" in embed["description"]
    assert "seed phrase" in embed["description"]  # the text says nobody needs a key
    step = embed["fields"][0]
    assert step["name"] == "The transaction: deposit_and_stake"
    assert "receiver `bravo.poolv1.near`" in step["value"] and "`10500000000000000000000000` yocto" in step["value"]
    assert "gas 125 TGas" in step["value"]
    cli = next(f for f in embed["fields"] if f["name"] == "Or sign with near-cli-rs")
    assert cli["value"].startswith("```\nnear contract call-function as-transaction bravo.poolv1.near deposit_and_stake")
    labels = [b["label"] for b in record.message.buttons]
    assert labels == ["Sign in MyNearWallet", "Wallet staking page"]
    (link,) = sign_urls(record.message.urls)
    assert len(link) <= 512
    (upload,) = record.message.uploads
    assert upload["filename"] == "mynearwallet-qr.png"
    assert upload["data"].startswith(PNG_SIGNATURE) and len(upload["data"]) < 20_000
    assert embed["image"]["url"] == "attachment://mynearwallet-qr.png"
    image = Image.open(io.BytesIO(upload["data"]))
    assert image.mode == "1" and 300 <= image.width <= 700  # small, one bit per pixel
    assert_qr_holds(upload["data"], link)


def assert_qr_holds(png: bytes, text: str) -> None:
    """Every module of the image (sampled at its centre) equals the QR matrix of `text` built independently."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.open(io.BytesIO(png)).convert("L")
    box = image.width // len(matrix)
    assert image.width == box * len(matrix) == image.height
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            pixel = image.getpixel((column * box + box // 2, row * box + box // 2))
            assert (pixel < 128) == dark, (row, column)


async def test_lockup_stake_puts_the_long_link_in_text_and_steps_on_buttons(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash(
        "stake", {"pool": "bravo.poolv1.near", "amount": "100", "account": "lena.near", "from_lockup": True}
    )
    embed = record.embed
    lockup = lockup_account_id("lena.near")
    assert [f["name"] for f in embed["fields"][:2]] == [
        "Step 1 of 2: select_staking_pool", "Step 2 of 2: deposit_and_stake"
    ]
    assert f"receiver `{lockup}`" in embed["fields"][0]["value"]
    assert "[Sign all 2 steps in MyNearWallet](" in embed["description"]  # ~700 chars: no button can hold it
    assert [b["label"] for b in record.message.buttons] == ["Step 1 only", "Step 2 only", "Wallet staking page"]
    assert all(len(u) <= 512 for u in record.message.urls)
    cli = next(f for f in embed["fields"] if f["name"] == "Or sign with near-cli-rs")["value"]
    assert cli.index("select_staking_pool") < cli.index("deposit_and_stake")
    (upload,) = record.message.uploads
    assert upload["data"].startswith(PNG_SIGNATURE)


async def test_unstake_instant_and_refusals_are_explained(fake: FakeDiscord, bot: StakingBot) -> None:
    instant = await fake.slash(
        "unstake", {"pool": "meta-pool.near", "amount": "10", "account": "alice.near", "instant": True}
    )
    assert instant.embed["fields"][0]["name"] == "The transaction: liquid_unstake"
    assert "fee" in instant.text()
    refused = await fake.slash("withdraw", {"pool": "meta-pool.near", "account": "bob.near"})
    assert refused.ephemeral
    assert refused.embed["title"] == "Not prepared: this would fail or cost you"
    assert "epoch" in refused.embed["description"]
    assert not refused.message.uploads


async def test_transfer_from_a_lockup(fake: FakeDiscord, bot: StakingBot) -> None:
    record = await fake.slash("transfer", {"amount": "100", "account": "gina.near", "to": "alice.near"})
    assert record.ephemeral
    assert record.embed["title"] == "Transfer: gina.near → alice.near"
    assert [f["name"] for f in record.embed["fields"][:2]] == [
        "Step 1 of 2: check_transfers_vote", "Step 2 of 2: transfer"
    ]


async def test_unstake_autocompletes_the_accounts_own_pools(fake: FakeDiscord, bot: StakingBot) -> None:
    choices = await fake.autocomplete("unstake", {"account": "sam.near", "pool": ""}, focused="pool")
    values = [c["value"] for c in choices]
    assert "bravo.poolv1.near" in values  # the pool of sam's lockup
    assert "meta-pool.near" in values
    alice = await fake.autocomplete("withdraw", {"account": "alice.near", "pool": "a"}, focused="pool")
    assert "alpha.poolv1.near" in [c["value"] for c in alice]
    stake = await fake.autocomplete("stake", {"pool": "meta"}, focused="pool")
    assert stake[0]["value"] == "meta-pool.near"


async def test_a_bad_amount_is_refused_before_the_defer(fake: FakeDiscord, bot: StakingBot) -> None:
    """The planner's own reason, at once and only to the user: nothing was deferred or read from the chain."""
    reads = bot.chain.rpc.stats.http_requests
    record = await fake.slash("stake", {"pool": "bravo.poolv1.near", "amount": "1,5", "account": "alice.near"})
    assert record.response_type == 4 and record.ephemeral and not record.deferred
    assert record.embed["title"] == "That doesn't look right" and "1,5" in record.text()
    everything = await fake.slash("stake", {"pool": "bravo.poolv1.near", "amount": "all", "account": "alice.near"})
    assert everything.response_type == 4 and "is not a number" in everything.text()
    liquid = await fake.slash("unstake", {"pool": "meta-pool.near", "amount": "0", "account": "alice.near"})
    assert liquid.response_type == 4 and "more than zero" in liquid.text()
    assert bot.chain.rpc.stats.http_requests == reads
    tokens = await fake.slash("unstake", {"pool": "meta-pool.near", "amount": "1 stNEAR", "account": "alice.near"})
    assert tokens.deferred and tokens.embed["title"].startswith("Unstake")  # the planner reads tokens there


async def test_a_secret_in_an_option_is_never_read_or_echoed(fake: FakeDiscord, bot: StakingBot) -> None:
    for secret in (mnemonic(12), secret_key()):
        record = await fake.slash("transfer", {"amount": secret, "account": "gina.near"})
        assert record.response_type == 4 and record.ephemeral and not record.deferred
        assert record.embed["title"] == "Keep that secret"
        assert all(piece not in record.text() for piece in fragments(secret))


def damaged_secrets() -> list[str]:
    """Near-misses that must not be echoed either (the missing part can be guessed), short enough for an account
    option (Discord's picker takes at most 64 characters): 62 characters of a key without its prefix, and 12 short
    word-list words with a wrong checksum."""
    checker = Mnemonic("english")
    short = [w for w in checker.wordlist if len(w) <= 4]
    phrase = next(p for i in range(len(short) - 12) if not checker.check(p := " ".join(short[i : i + 12])))
    return [secret_key().removeprefix("ed25519:")[:62], phrase]


async def test_a_damaged_secret_in_any_command_is_never_read_or_echoed(fake: FakeDiscord, bot: StakingBot) -> None:
    for secret in damaged_secrets():
        for name, options in (("account link", {"account": secret}), ("alert pool", {"pool": secret}),
                              ("account unlink", {"account": secret}), ("status", {"account": secret})):
            record = await fake.slash(name, options)
            assert record.response_type == 4 and record.ephemeral and not record.deferred, name
            assert record.embed["title"] == "Keep that secret", name
            assert all(piece not in record.text() for piece in fragments(secret)), name
    assert await bot.linked_accounts(USER_ID) == []
