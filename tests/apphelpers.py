"""Shared helpers for Pilot tests of the Textual app."""

from __future__ import annotations

import asyncio
import html
import io
import re
from pathlib import Path

from rich.console import Console

from khorasan_tui.app.main import KhorasanApp
from khorasan_tui.app.rowlist import RowList

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "khorasan.json"


async def ready(app: KhorasanApp, pilot) -> None:
    """Wait until the store has loaded and the panes have painted.

    Every wait has a time limit: a crash during start-up never sets `loaded`,
    and a stuck worker never completes; either must fail the test, not hang it.
    """
    await asyncio.wait_for(app.loaded.wait(), timeout=60)
    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), timeout=60)
    await pilot.pause()


def focus_tie(app: KhorasanApp, predicate) -> str:
    """Focus the relationship pane and put its cursor on the first tie for which
    `predicate(tie)` holds; return that tie's key."""
    rows = app.screen.query_one("#tie-list", RowList)
    rows.focus()
    for index, key in enumerate(rows.keys):
        if key is not None and predicate(app.graph.ties[key]):
            rows.cursor = index
            return key
    raise AssertionError("no such tie in the relationship pane")


def screen_text(app: KhorasanApp) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = "".join(lines)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).replace("\xa0", " ")


def screen_lines(app: KhorasanApp) -> list[str]:
    """What the terminal shows, one string per row, so a test can find where a
    text sits (to click it) or whether it fits on its line."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


async def until(pilot, predicate, timeout: float = 15.0) -> None:
    """Pause until `predicate()` holds: screens and saves settle at their own pace
    on a loaded machine, so tests wait for the state rather than a fixed time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
        await pilot.pause(0.05)
