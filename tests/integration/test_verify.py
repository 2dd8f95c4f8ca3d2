"""The verification page's server against the sandbox chain, posting what a wallet would: a good proof is accepted
once; a wrong nonce, a function-call key, another account's key, a foreign signature, an expired link and a replay
are refused with a clear message, and nothing is verified by them."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.sandbox import ThreadedSandbox
from bot.services.chain import Chain
from bot.storage import Storage
from bot.verify.service import VerificationService, token_hash
from bot.verify.web import VerifyServer, verify_app
from tests.wallet_keys import TestWallet

USER = 1_500_000_000_000_000_005
RECIPIENT = "bot.example.org"


@dataclass
class Page:
    service: VerificationService
    http: httpx.AsyncClient
    sandbox: ThreadedSandbox

    async def link(self, account_id: str | None = None) -> tuple[str, str]:
        issued = await self.service.issue(USER, None, account_id)
        return issued.url, issued.url.rsplit("/", 1)[1]

    async def session_of(self, token: str):  # noqa: ANN201
        session = await self.service.storage.verify_session(token_hash(token))
        assert session is not None
        return session

    def key(self, wallet: TestWallet, permission: object = "FullAccess") -> None:
        self.sandbox.run_on_loop(lambda: self.sandbox.chain.access_keys.add(wallet.account_id, wallet.public_key,
                                                                            permission))

    async def post(self, url: str, signed) -> tuple[int, dict]:  # noqa: ANN001
        response = await self.http.post(url, json={"accountId": signed.account_id, "publicKey": signed.public_key,
                                                   "signature": signed.signature})
        return response.status_code, response.json()


@pytest.fixture
async def page(sandbox: ThreadedSandbox, chain: Chain, storage: Storage) -> AsyncIterator[Page]:
    service = VerificationService(storage, chain, base_url="http://placeholder", recipient=RECIPIENT)
    server = VerifyServer(verify_app(service, network="mainnet"), "127.0.0.1", 0)
    port = await server.start()
    service.base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        yield Page(service, http, sandbox)
    await server.stop()


async def signed_for(page: Page, wallet: TestWallet, token: str, *, callback: bool = True, **changes):  # noqa: ANN003, ANN201
    session = await page.session_of(token)
    url = f"{page.service.base_url}/verify/{token}" if callback else None
    return wallet.sign(changes.get("message", session.message), changes.get("nonce", session.nonce),
                       changes.get("recipient", RECIPIENT), url, as_account=changes.get("as_account"))


async def test_a_full_access_key_proves_the_account_once(page: Page) -> None:
    wallet = TestWallet("alice.near")
    page.key(wallet)
    url, token = await page.link()
    shown = await page.http.get(url)
    assert shown.status_code == 200 and "never sees your keys" in shown.text
    assert shown.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    config = re.search(r'<script type="application/json" id="config">(.*?)</script>', shown.text, re.S)
    assert config and base64.b64encode((await page.session_of(token)).nonce).decode() in config.group(1)
    signed = await signed_for(page, wallet, token)
    status, body = await page.post(url, signed)
    assert (status, body["ok"]) == (200, True) and "alice.near is verified" in body["text"]
    assert [v.account_id for v in await page.service.storage.verified_accounts(USER)] == ["alice.near"]
    status, body = await page.post(url, signed)  # the same answer again
    assert status == 400 and "used already" in body["text"]
    assert (await page.http.get(url)).status_code == 410


async def test_a_pop_up_signature_without_callback_url_is_accepted(page: Page) -> None:
    wallet = TestWallet("bob.near")
    page.key(wallet)
    url, token = await page.link("bob.near")
    status, _ = await page.post(url, await signed_for(page, wallet, token, callback=False))
    assert status == 200


@pytest.mark.parametrize(("case", "expected"), [
    ("wrong_nonce", "does not match"),
    ("wrong_message", "does not match"),
    ("wrong_recipient", "does not match"),
    ("function_call_key", "function-call key"),
    ("other_accounts_key", "not a key of alice.near"),
    ("foreign_signature", "does not match"),
    ("wrong_account_for_link", "This link is for bob.near"),
])
async def test_refusals(page: Page, case: str, expected: str) -> None:
    wallet = TestWallet("alice.near")
    page.key(wallet, {"FunctionCall": {"allowance": None, "receiver_id": "alpha.poolv1.near", "method_names": []}}
             if case == "function_call_key" else "FullAccess")
    url, token = await page.link("bob.near" if case == "wrong_account_for_link" else None)
    session = await page.session_of(token)
    changes = {
        "wrong_nonce": {"nonce": bytes(32)}, "wrong_message": {"message": session.message + " "},
        "wrong_recipient": {"recipient": "evil.example"},
    }.get(case, {})
    signed = await signed_for(page, wallet, token, **changes)
    if case == "other_accounts_key":  # a real full-access key, but of bob.near, claimed for alice.near
        bob = TestWallet("bob.near")
        page.key(bob)
        signed = bob.sign(session.message, session.nonce, RECIPIENT, as_account="alice.near")
    if case == "foreign_signature":
        forged = TestWallet("mallory.near").sign(session.message, session.nonce, RECIPIENT)
        signed = type(signed)("alice.near", wallet.public_key, forged.signature)
    status, body = await page.post(url, signed)
    assert status == 400 and body["ok"] is False and expected in body["text"], body
    assert await page.service.storage.verified_accounts(USER) == []
    assert (await page.session_of(token)).attempts == 1  # counted against the link


async def test_an_expired_link_is_refused(page: Page) -> None:
    wallet = TestWallet("alice.near")
    page.key(wallet)
    url, token = await page.link()
    session = await page.session_of(token)
    await page.service.storage.create_verify_session(  # the same user's link, made already expired
        token_hash("x" * 43), USER, guild_id=None, account_id=None, nonce=b"\x01" * 32, message=session.message,
        ttl_ms=-1)
    expired = f"{page.service.base_url}/verify/{'x' * 43}"
    status, body = await page.post(expired, wallet.sign(session.message, b"\x01" * 32, RECIPIENT))
    assert status == 400 and "expired" in body["text"]
    assert (await page.http.get(expired)).status_code == 410


async def test_garbage_is_refused_kindly(page: Page) -> None:
    url, _ = await page.link()
    for body in (b"not json", b"{}", b'{"accountId": 1}', b"x" * 10_000):
        response = await page.http.post(url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 413)
    assert (await page.http.get(url.rsplit("/", 1)[0] + "/<script>")).status_code == 410
    assert (await page.http.get(url.rsplit("/", 2)[0] + "/verify/static/../../settings.py")).status_code == 404
