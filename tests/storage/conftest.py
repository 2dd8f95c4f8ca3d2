"""The storage suite runs every behaviour against both backends (`database_url` is a SQLite file, then a fresh
database on a real PostgreSQL server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage import Storage, open_storage


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = open_storage(database_url)
    await store.open()
    yield store
    await store.close()
