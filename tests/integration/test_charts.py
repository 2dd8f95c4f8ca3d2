"""Lockup release charts: each drawn on its own matplotlib Figure (no pyplot state), so charts drawn at the same
time in worker threads (the Discord layer renders off the event loop) never mix."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

from bot.render.charts import lockup_chart_png
from bot.services.chain import Chain
from bot.services.lockup import get_lockup


async def test_charts_drawn_at_once_are_the_charts_drawn_alone(chain: Chain) -> None:
    results = [await get_lockup(chain, owner) for owner in ("lena.near", "ivan.near", "vera.near", "sam.near")]
    alone = [lockup_chart_png(result) for result in results]
    assert all(png is not None and png.startswith(b"\x89PNG") for png in alone)
    assert len(set(alone)) == len(alone)  # four different charts
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lockup_chart_png, results * 5))
    assert together == alone * 5
    assert "matplotlib.pyplot" not in sys.modules  # the object API only: no global figure state
