"""Typed errors the rest of the bot acts on. Each has a stable `kind` (used in JSON output) and a message
written for a person: what went wrong and what to do."""

from __future__ import annotations


class NearError(Exception):
    """Base of every chain-layer error the bot explains to a user."""

    kind = "near_error"
    #: bad_input errors exit with code 2 in the CLI, unreachable ones with 3.
    bad_input = False
    unreachable = False
    #: The block a node said this about (an account missing at that block, a contract panic there); None when the
    #: error is not an answer about a block (unreachable node, rate limit, malformed body).
    block_height: int | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(NearError):
    """Text typed by the user could not be read (amount, account id, time, command)."""

    kind = "invalid_input"
    bad_input = True


class AccountNotFound(NearError):
    kind = "account_not_found"
    bad_input = True

    def __init__(self, account_id: str) -> None:
        super().__init__(
            f"The account {account_id} does not exist on this network. Check the spelling "
            "(ids are lowercase, like alice.near) and the network (mainnet or testnet)."
        )
        self.account_id = account_id


class InvalidAccount(NearError):
    """The node refused the id itself (nearcore INVALID_ACCOUNT), which is not the same as "no such account"."""

    kind = "invalid_account"
    bad_input = True

    def __init__(self, account_id: str) -> None:
        shown = account_id if len(account_id) <= 80 else account_id[:77] + "..."
        super().__init__(
            f'"{shown}" is not a valid account id, says the NEAR node. Account ids are 2-64 characters of lowercase '
            'letters, digits and "-", "_" or "." between them, like alice.near.'
        )
        self.account_id = account_id


class NoContractCode(NearError):
    kind = "no_contract"
    bad_input = True

    def __init__(self, account_id: str) -> None:
        super().__init__(f"{account_id} has no contract deployed, so it cannot be a staking pool or lockup.")
        self.account_id = account_id


class MethodNotFound(NearError):
    """The contract exists but has no such method: usually 'this is not the contract you think'."""

    kind = "method_not_found"
    bad_input = True

    def __init__(self, account_id: str, method: str) -> None:
        super().__init__(f"The contract on {account_id} has no method {method}; it is not the kind of contract expected.")
        self.account_id = account_id
        self.method = method


class UnknownAccessKey(NearError):
    """The account has no access key with that public key at the block read (nearcore UNKNOWN_ACCESS_KEY)."""

    kind = "unknown_access_key"
    bad_input = True

    def __init__(self, account_id: str, public_key: str) -> None:
        super().__init__(f"{public_key} is not an access key of {account_id}.")
        self.account_id = account_id
        self.public_key = public_key


class ContractPanic(NearError):
    kind = "contract_panic"

    def __init__(self, account_id: str, method: str, panic_message: str) -> None:
        super().__init__(f"{account_id}.{method} failed: {panic_message}")
        self.account_id = account_id
        self.method = method
        self.panic_message = panic_message


class ContractExecutionError(NearError):
    kind = "contract_error"

    def __init__(self, account_id: str, method: str, detail: str) -> None:
        super().__init__(f"{account_id}.{method} could not run: {detail}")
        self.account_id = account_id
        self.method = method
        self.detail = detail


class StateTooLarge(NearError):
    """nearcore refuses non-paginated view_state above 50,000 bytes (near-staking.md §3.3)."""

    kind = "state_too_large"

    def __init__(self, account_id: str) -> None:
        super().__init__(f"The RPC node refused to show the storage of {account_id}: it is too large to view.")
        self.account_id = account_id


class BlockNotFound(NearError):
    kind = "block_not_found"

    def __init__(self, detail: str) -> None:
        super().__init__(f"The RPC node does not have that block ({detail}).")


class UnknownEpoch(NearError):
    kind = "unknown_epoch"


class RpcRequestRejected(NearError):
    """The node rejected the request itself (unknown RPC method, parse error): a node/version mismatch."""

    kind = "rpc_request_rejected"
    unreachable = True


class MalformedResponse(NearError):
    kind = "malformed_response"
    unreachable = True


class RpcUnavailable(NearError):
    """Every configured endpoint failed within the call's deadline."""

    kind = "rpc_unavailable"
    unreachable = True

    def __init__(self, message: str, attempts: list[str] | None = None) -> None:
        super().__init__(message)
        self.attempts = attempts or []


class RateLimited(RpcUnavailable):
    kind = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None, attempts: list[str] | None = None) -> None:
        super().__init__(message, attempts)
        self.retry_after = retry_after


class IndexerUnavailable(NearError):
    """The FastNEAR-compatible API could not be read; callers fall back and say the list may be partial."""

    kind = "indexer_unavailable"
    unreachable = True
