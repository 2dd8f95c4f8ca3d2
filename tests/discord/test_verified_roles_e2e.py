"""Verified roles end to end: an admin adds a rule in the loopback Discord, a member opens the one-time page in a real
headless Chromium, signs with a loopback stand-in for MyNearWallet (its redirect protocol, a throwaway test key),
the role appears; the stake is withdrawn on the sandbox chain, the next epoch passes, and the role is taken back."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import discord
import pytest
from aiohttp import web

from bot.discord_app import StakingBot
from bot.sandbox import ThreadedSandbox
from tests.discord.conftest import StartBot, eventually, make_settings
from tests.discord.fake_discord import GUILD_ID, OWNER_ID, USER_ID, FakeDiscord
from tests.discord.fake_roles import MANAGE_ROLES
from tests.wallet_keys import TestWallet

JS_DIR = Path(__file__).resolve().parents[1] / "js"
CHROMIUM = "/usr/bin/chromium"
NEAR = 10**24
POOL = "alpha.poolv1.near"
MEMBER = "dana.near"


def need_browser() -> None:
    ready = shutil.which("node") and (JS_DIR / "node_modules" / "playwright-core").is_dir() and Path(CHROMIUM).exists()
    if not ready:
        if os.environ.get("CI"):
            pytest.fail("Chromium, Node.js and tests/js/node_modules are required in CI (.ci/run installs them)")
        pytest.skip("headless Chromium or playwright-core not installed (apt-get install chromium; scripts/test)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def fake_wallet() -> AsyncIterator[tuple[str, TestWallet]]:
    """MyNearWallet's redirect flow (mynearwallet SignMessageWrapper.js): /sign-message?message&nonce&recipient&
    callbackUrl&state, signed with the callback URL in the payload, answered at callbackUrl#accountId&signature&
    publicKey&state. The key is a throwaway one made here; it signs without asking, as a user pressing Approve."""
    wallet = TestWallet(MEMBER)

    async def sign(request: web.Request) -> web.Response:
        q = request.query
        signed = wallet.sign(q["message"], base64.b64decode(q["nonce"]), q["recipient"], q["callbackUrl"])
        fragment = "&".join(f"{k}={quote(v, safe='')}" for k, v in [
            ("accountId", signed.account_id), ("signature", signed.signature), ("publicKey", signed.public_key),
            ("state", q["state"])])
        # Location set as is (the wallet's encodeURIComponent output), not re-normalised by the server library.
        return web.Response(status=302, headers={"Location": f"{q['callbackUrl']}#{fragment}"})

    app = web.Application()
    app.router.add_get("/sign-message", sign)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", wallet
    await runner.cleanup()


def open_in_chromium(url: str) -> dict:
    done = subprocess.run(["node", str(JS_DIR / "verify_page.mjs"), url, CHROMIUM], capture_output=True, text=True,
                          timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def chain_call(sandbox: ThreadedSandbox, signer: str, method: str, deposit: int = 0) -> None:
    outcome = sandbox.run_on_loop(lambda: sandbox.chain.call(signer, POOL, method, {}, deposit))
    assert outcome.ok, outcome.to_json()


async def test_the_role_follows_a_wallet_verified_stake(
        fake: FakeDiscord, start_bot: StartBot, sandbox: ThreadedSandbox,
        fake_wallet: tuple[str, TestWallet]) -> None:
    need_browser()
    wallet_url, wallet = fake_wallet
    sandbox.run_on_loop(lambda: sandbox.chain.create_account(MEMBER, 500 * NEAR))
    sandbox.run_on_loop(lambda: sandbox.chain.access_keys.add(MEMBER, wallet.public_key, "FullAccess"))
    chain_call(sandbox, MEMBER, "deposit_and_stake", 150 * NEAR)
    fake.bot_role_permissions, fake.bot_role_position = MANAGE_ROLES, 3
    delegator = fake.add_role("Delegator", position=1)
    above = fake.add_role("Moderators", position=5)
    fake.guild_members.add(USER_ID)
    port = free_port()
    settings = make_settings(sandbox, public_base_url=f"http://127.0.0.1:{port}", web_port=port,
                             mynearwallet_url=wallet_url)
    bot: StakingBot = await start_bot(settings_=settings)

    # The fake enforces Discord's rules itself: above the bot's highest role, a user who is not a member.
    with pytest.raises(discord.Forbidden):
        await bot.http.add_role(GUILD_ID, USER_ID, above)
    with pytest.raises(discord.NotFound) as gone:
        await bot.http.add_role(GUILD_ID, OWNER_ID + 1, delegator)
    assert gone.value.code == 10007 and fake.roles_of(USER_ID) == set()

    refused = await fake.slash("roles rule add", {"role": above, "condition": "staked with a pool",
                                                 "minimum": "100", "pool": POOL}, user_id=OWNER_ID)
    assert "drag my role above" in refused.text() and "Moderators" in refused.text()
    added = await fake.slash("roles rule add", {"role": delegator, "condition": "staked with a pool",
                                               "minimum": "100", "pool": POOL}, user_id=OWNER_ID)
    assert added.embed["title"] == "Role rule added", added.text()

    asked = await fake.slash("account verify", {})
    assert asked.ephemeral and "never see or ask for your keys" in asked.text()
    [link] = asked.message.urls
    assert link.startswith(f"http://127.0.0.1:{port}/verify/")

    seen = await asyncio.to_thread(open_in_chromium, link)  # the bot and the wallet answer on this loop
    assert seen["mentionsKeys"] and "Sign with MyNearWallet" in seen["buttons"]
    assert seen["kind"] == "ok" and f"{MEMBER} is verified" in seen["status"], seen
    assert "#" not in seen["address"]  # the signature left the address bar
    await eventually(lambda: delegator in fake.roles_of(USER_ID), what="the Delegator role")
    assert [v.account_id for v in await bot.storage.verified_accounts(USER_ID)] == [MEMBER]

    chain_call(sandbox, MEMBER, "unstake_all")
    sandbox.advance(epochs=4)
    chain_call(sandbox, MEMBER, "withdraw_all")
    sandbox.advance(epochs=1)
    bot.poke_alerts()  # the scheduler wakes for the new epoch and keeps roles true
    await eventually(lambda: delegator not in fake.roles_of(USER_ID), timeout=30, what="the role taken back")
    assert ("remove", USER_ID, delegator) in fake.role_changes
