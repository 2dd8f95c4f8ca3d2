"""Issue one-time verification links and accept the signed answer, exactly as NEP-413 says.

The link's token is random (256 bits), stored only as its SHA-256, expires after `LINK_TTL_SECONDS` and works once.
An answer is accepted when (1) the signature is a valid ed25519 signature of the NEP-413 payload the bot issued
(its message, its nonce, its recipient), (2) the public key is a full-access key of the account at the final block
(`view_access_key`), and (3) the session is unused, unexpired and holds that nonce, checked and closed in one
transaction. Nothing secret is ever received: only a public key, an account id and a signature.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.near import errors
from bot.near.account_id import is_valid_account_id
from bot.near.nep413 import SignatureProblem, SignedMessage, verify_signature
from bot.services.chain import Chain
from bot.storage import MAX_LINKED_ACCOUNTS, Completed, Storage, VerificationRefused, VerifySession
from bot.storage.base import now_ms

log = logging.getLogger(__name__)
LINK_TTL_SECONDS = 600
MAX_MESSAGE_FIELD = 100


@dataclass(frozen=True)
class IssuedLink:
    url: str
    expires_unix: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify_message(user_id: int, recipient: str, account_id: str | None) -> str:
    """The text the wallet shows and signs. ASCII only, so every wallet's borsh encodes it alike (tests/unit/
    test_nep413.py): the Discord user is named by id, never by display name."""
    which = f"the NEAR account {account_id}" if account_id else "my NEAR account"
    return (f"I prove that I own {which} for Discord user {user_id} on {recipient}. "
            "Signing sends no transaction, costs nothing and gives no access to my account.")


def page_url(base_url: str, token: str) -> str:
    return f"{base_url}/verify/{token}"


class VerificationService:
    def __init__(self, storage: Storage, chain: Chain, *, base_url: str, recipient: str,
                 on_verified: Callable[[Completed], Awaitable[None]] | None = None) -> None:
        self.storage = storage
        self.chain = chain
        self.base_url = base_url
        self.recipient = recipient
        self.on_verified = on_verified

    async def issue(self, user_id: int, guild_id: int | None, account_id: str | None) -> IssuedLink:
        token = secrets.token_urlsafe(32)
        await self.storage.create_verify_session(
            token_hash(token), user_id, guild_id=guild_id, account_id=account_id, nonce=os.urandom(32),
            message=verify_message(user_id, self.recipient, account_id), ttl_ms=LINK_TTL_SECONDS * 1000,
        )
        return IssuedLink(page_url(self.base_url, token), now_ms() // 1000 + LINK_TTL_SECONDS)

    async def open_session(self, token: str) -> VerifySession:
        """The session behind a link, or VerificationRefused saying why it cannot be used."""
        session = await self.storage.verify_session(token_hash(token)) if _plausible(token) else None
        if session is None:
            raise VerificationRefused("This verification link is not valid. Ask for a new one with /account verify.")
        if session.used:
            raise VerificationRefused("This link was used already: each link works once. Ask for a new one.")
        if session.expires_ms <= now_ms():
            raise VerificationRefused("This link has expired. Ask for a new one with /account verify.")
        return session

    async def complete(self, token: str, signed: SignedMessage) -> Completed:
        session = await self.open_session(token)
        try:
            block_height = await self._check(token, session, signed)
        except VerificationRefused:
            await self.storage.refuse_attempt(token_hash(token))
            raise
        completed = await self.storage.complete_verification(
            token_hash(token), session.nonce, signed.account_id, signed.public_key, block_height,
            max_linked=MAX_LINKED_ACCOUNTS,
        )
        log.info("user %s verified %s", completed.account.user_id, completed.account.account_id)
        if self.on_verified is not None:
            try:
                await self.on_verified(completed)
            except Exception:  # the proof is stored; roles are kept true at the next pass anyway
                log.exception("roles could not be updated right after a verification")
        return completed

    async def _check(self, token: str, session: VerifySession, signed: SignedMessage) -> int:
        account_id = signed.account_id
        if not isinstance(account_id, str) or not is_valid_account_id(account_id):
            raise VerificationRefused("The wallet did not return a valid NEAR account id.")
        if session.account_id is not None and account_id != session.account_id:
            raise VerificationRefused(
                f"This link is for {session.account_id}, but the wallet signed as {account_id}. "
                "Switch accounts in your wallet, or ask for a link without an account.")
        try:
            verify_signature(signed, session.message, session.nonce, self.recipient,
                             (None, page_url(self.base_url, token)))
        except SignatureProblem as exc:
            raise VerificationRefused(str(exc)) from None
        try:
            key = await self.chain.rpc.view_access_key(account_id, signed.public_key)
        except errors.UnknownAccessKey:
            raise VerificationRefused(
                f"The key that signed is not a key of {account_id}, so it does not prove you own that account.") from None
        except errors.AccountNotFound:
            raise VerificationRefused(f"{account_id} does not exist on {self.chain.network}.") from None
        if not key.full_access:
            # NEP-413: only a full-access key proves ownership (anyone can ask a user to add a function-call key).
            raise VerificationRefused(
                "That key is a function-call key (the kind apps add), not a full-access key of the account. "
                "Sign with the wallet that holds the account itself.")
        return key.block_height


def _plausible(token: str) -> bool:
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)
