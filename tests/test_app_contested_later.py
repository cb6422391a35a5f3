"""A big store's contested claims are worked out after its first paint, in a
worker; the ⚡ marks and the contested screen follow when they are ready."""

from __future__ import annotations

import asyncio
import threading

from khorasan_tui.app import main
from khorasan_tui.app.contested_screen import ContestedScreen
from khorasan_tui.app.main import make_app
from khorasan_tui.app.render import CONTESTED_GLYPH

from .apphelpers import BUNDLED, screen_text, until


async def test_contested_claims_follow_a_big_stores_first_paint(monkeypatch):
    release = threading.Event()
    on_ui_thread: list[bool] = []
    real = main.contested

    def held_back(graph):
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        if not on_ui_thread[-1]:
            release.wait(30)  # never on the UI thread: that would hang the test instead of failing it
        return real(graph)

    monkeypatch.setattr(main, "THREADED_FINDINGS", 0)  # the bundled store counts as big
    monkeypatch.setattr(main, "contested", held_back)
    app = make_app(BUNDLED)
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.loaded.wait(), timeout=60)
        app.open_actor("taliban")
        await pilot.pause()
        # Painted with its ties while the findings are still being worked out.
        assert app.findings_pending and not app.contested_ids
        text = screen_text(app)
        assert "Taliban" in text and CONTESTED_GLYPH not in text
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ContestedScreen))
        assert "Looking for contested claims" in screen_text(app)
        release.set()
        await until(pilot, lambda: not app.findings_pending)
        await pilot.pause()
        assert on_ui_thread == [False]
        screen = app.screen
        assert isinstance(screen, ContestedScreen) and screen.actor_id == "taliban" and screen.findings
        assert "Looking for contested claims" not in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.explorer)
        assert CONTESTED_GLYPH in screen_text(app)
