"""The verification page, served by the bot process itself (aiohttp) when PUBLIC_BASE_URL is set.

GET  /verify/{token}            the page (the session's message, nonce and recipient, for the wallet to sign)
POST /verify/{token}            {"accountId", "publicKey", "signature"} -> {"ok", "title", "text"}
GET  /verify/static/{file}      the page's script and style (bundled in the repository, never from a CDN)
GET  /healthz                   "ok"

Every answer forbids framing and caching and sends no referrer; the page runs only the bot's own script.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.near import errors
from bot.near.nep413 import SignedMessage
from bot.near.wallet_links import MYNEARWALLET
from bot.storage import VerificationRefused
from bot.verify.service import VerificationService, page_url

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"verify.js": "text/javascript", "verify.css": "text/css"}
MAX_BODY = 4096
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self' https:; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify your NEAR account</title><link rel="stylesheet" href="/verify/static/verify.css"></head>
<body><main>
<h1>{title}</h1>
<p class="lead">{lead}</p>
{body}
<p class="keys"><strong>This bot never sees your keys or seed phrase.</strong> Your wallet signs a message (no
transaction, no fee, no access to your account) and only the signature, your account id and its public key come
back. Never type a seed phrase or private key into any page or chat.</p>
</main></body></html>
"""
SIGN_BODY = """<div class="message"><span>Message to sign</span><code>{message}</code>
<span>Recipient</span><code>{recipient}</code></div>
<div id="wallets"><button id="mnw" type="button">Sign with MyNearWallet</button>
<div id="injected"></div></div>
<p id="status" role="status" aria-live="polite"></p>
<script type="application/json" id="config">{config}</script>
<script src="/verify/static/verify.js"></script>
"""


def _json_for_script(value: dict[str, Any]) -> str:
    """JSON inside <script>: no "</script>" or "<!--" can close it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, lead: str, body: str = "", status: int = 200) -> web.Response:
    text = PAGE.format(title=html.escape(title), lead=html.escape(lead), body=body)
    return web.Response(text=text, content_type="text/html", status=status, headers=HEADERS)


def verify_app(service: VerificationService, *, network: str, wallet_url: str | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    wallet = wallet_url or MYNEARWALLET[network]

    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            session = await service.open_session(token)
        except VerificationRefused as exc:
            return _page("This link cannot be used", str(exc), status=410)
        config = {
            "message": session.message, "recipient": service.recipient,
            "nonce": base64.b64encode(session.nonce).decode(), "callbackUrl": page_url(service.base_url, token),
            "network": network, "walletUrl": wallet, "submitUrl": f"/verify/{token}", "accountId": session.account_id,
        }
        body = SIGN_BODY.format(message=html.escape(session.message), recipient=html.escape(service.recipient),
                                config=_json_for_script(config))
        lead = "Sign this message with your NEAR wallet to prove you own the account. It links it to your Discord user."
        return _page("Verify your NEAR account", lead, body)

    async def submit(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            signed = SignedMessage(str(body["accountId"]), str(body["publicKey"]), str(body["signature"]))
        except (ValueError, KeyError, TypeError, web.HTTPException):
            return _answer(False, "Not understood", "The page sent something I could not read. Reload and try again.")
        try:
            completed = await service.complete(request.match_info["token"], signed)
        except VerificationRefused as exc:
            return _answer(False, "Not verified", str(exc))
        except errors.NearError as exc:
            log.info("verification postponed: %s", exc.message)
            return _answer(False, "Try again in a minute", "I could not reach the NEAR network to check the key.")
        return _answer(True, "Verified", f"{completed.account.account_id} is verified for your Discord account. "
                       "You can close this page; server roles follow what the account holds.")

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(body=(STATIC / name).read_bytes(), content_type=STATIC_FILES[name],
                            headers={**HEADERS, "Cache-Control": "public, max-age=300"})

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok", headers=HEADERS)

    app.router.add_get("/verify/static/{name}", static)
    app.router.add_get("/verify/{token}", show)
    app.router.add_post("/verify/{token}", submit)
    app.router.add_get("/healthz", healthz)
    return app


def _answer(ok: bool, title: str, text: str) -> web.Response:
    return web.json_response({"ok": ok, "title": title, "text": text}, status=200 if ok else 400, headers=HEADERS)


class VerifyServer:
    """The page's HTTP server inside the bot process."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        self._runner = web.AppRunner(self.app, access_log=None)  # a link's token must not land in a log
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        # The bound port when 0 was asked. aiohttp types `_server` as AbstractServer; it is an asyncio.Server.
        sockets = site._server.sockets if site._server else []  # type: ignore[attr-defined]  # noqa: SLF001
        return sockets[0].getsockname()[1] if sockets else self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
