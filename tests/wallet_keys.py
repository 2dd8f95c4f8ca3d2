"""A throwaway test wallet: generated ed25519 keys that sign NEP-413 messages the way a wallet does.

Test-only. The bot itself never creates, receives or holds a private key; these keys exist only inside the test
process to play the user's wallet, and are never written anywhere.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import base58
from nacl.signing import SigningKey

from bot.near.nep413 import SignedMessage, payload_hash


@dataclass
class TestWallet:
    account_id: str
    key: SigningKey = field(default_factory=SigningKey.generate)
    __test__ = False  # not a pytest class

    @property
    def public_key(self) -> str:
        return "ed25519:" + base58.b58encode(bytes(self.key.verify_key)).decode()

    @property
    def secret_key(self) -> str:
        """near-js's "ed25519:<base58(seed ‖ public key)>" form, for the independent JS signer."""
        return "ed25519:" + base58.b58encode(bytes(self.key) + bytes(self.key.verify_key)).decode()

    def sign(self, message: str, nonce: bytes, recipient: str, callback_url: str | None = None,
             *, as_account: str | None = None) -> SignedMessage:
        signature = self.key.sign(payload_hash(message, nonce, recipient, callback_url)).signature
        return SignedMessage(account_id=as_account or self.account_id, public_key=self.public_key,
                             signature=base64.b64encode(signature).decode())
