"""Shared helpers for Pilot tests of the Textual app."""

from __future__ import annotations

import asyncio
import html
import re

from khorasan_tui.app.main import KhorasanApp


async def ready(app: KhorasanApp, pilot) -> None:
    """Wait until the store has loaded and the panes have painted."""
    await asyncio.wait_for(app.loaded.wait(), timeout=60)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: KhorasanApp) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = "".join(lines)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).replace("\xa0", " ")
