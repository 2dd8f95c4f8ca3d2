"""Charts as small PNGs (matplotlib, imported on first use). Pure functions of a result: the Discord layer calls
them off the event loop, from worker threads, so each chart is its own `matplotlib.figure.Figure` drawn on its own
Agg canvas: no pyplot, no global figure state shared between two charts drawn at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.near.units import YOCTO_PER_NEAR
from bot.render.safe import clean
from bot.services.results import LockupResult

MAX_CHART_BYTES = 200_000


def _near_axis_value(yocto: int) -> float:
    # Plot coordinates only (a chart needs floats); every amount shown as text stays exact elsewhere.
    return yocto / YOCTO_PER_NEAR


def lockup_chart_png(result: LockupResult) -> bytes | None:
    """Locked, unlocked and transferable over time, with today, the cliff and the end of release marked."""
    if len(result.schedule) < 2:
        return None
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    times = [datetime.fromtimestamp(p.unix, UTC) for p in result.schedule]
    locked = [_near_axis_value(p.locked_yocto) for p in result.schedule]
    unlocked = [_near_axis_value(result.lockup_amount_yocto - p.locked_yocto) for p in result.schedule]
    liquid = [_near_axis_value(p.liquid_owners_balance_yocto) for p in result.schedule]

    figure = Figure(figsize=(8, 3.6), dpi=90)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.plot(times, locked, label="locked", color="#e74c3c", linewidth=2)  # type: ignore[arg-type]  # matplotlib's stubs omit datetime, which its date converter takes
    axes.plot(times, unlocked, label="unlocked", color="#2ecc71", linewidth=2)  # type: ignore[arg-type]  # matplotlib's stubs omit datetime, which its date converter takes
    axes.plot(times, liquid, label="transferable (no new transactions)", color="#3498db",  # type: ignore[arg-type]
              linestyle="--")
    marks = [(result.at_unix, "today" if not result.projected else "asked time", "#555555")]
    marks += [(m.unix, m.name.replace("_", " "), "#8e44ad") for m in result.milestones]
    for unix, label, colour in marks:
        moment = datetime.fromtimestamp(unix, UTC)
        if times[0] <= moment <= times[-1]:
            axes.axvline(moment, color=colour, linestyle=":", linewidth=1)  # type: ignore[arg-type]  # as above
            axes.annotate(label, (moment, axes.get_ylim()[1]), rotation=90, va="top", ha="right", fontsize=8,
                          parse_math=False)
    lockup_id = clean(result.lockup_id, limit=100)  # drawn as text: no hidden or unencodable characters
    title = f"{lockup_id[:12]}…{lockup_id[-12:]}" if len(lockup_id) > 25 else lockup_id
    if result.schedule_assumes_transfers_vote:
        title += " (after check_transfers_vote)"
    axes.set_title(title, fontsize=10, parse_math=False)  # an id is text, never mathtext
    axes.set_ylabel("NEAR")
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]  # unannotated in its stub
    axes.legend(fontsize=8, loc="center right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    data = buffer.getvalue()
    return data if len(data) <= MAX_CHART_BYTES else None
