"""NEAR account id validation (near-staking.md §7), used to reject bad ids like nearcore's parser."""

from __future__ import annotations

import re

_ACCOUNT_ID = re.compile(r"^(([a-z\d]+[-_])*[a-z\d]+\.)*([a-z\d]+[-_])*[a-z\d]+$")


def is_valid_account_id(account_id: object) -> bool:
    return (
        isinstance(account_id, str)
        and 2 <= len(account_id) <= 64
        and _ACCOUNT_ID.match(account_id) is not None
    )
