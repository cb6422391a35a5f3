"""The app's main views, each reached as a user would: the SVG snapshots
(tests/test_snapshots.py) and the README screenshots (scripts/screenshots.py)
both drive the app through these, so the two never drift apart."""

from __future__ import annotations

from .apphelpers import focus_tie, ready


async def on_iskp(pilot) -> None:
    await ready(pilot.app, pilot)


async def after_jump(pilot) -> None:
    app = pilot.app
    await ready(app, pilot)
    app.open_actor("haqqani-network")
    await pilot.pause()
    focus_tie(app, lambda t: t.type == "leads" and t.source == "sirajuddin-haqqani")
    await pilot.press("enter")
    await pilot.pause()


async def on_sources(pilot) -> None:
    app = pilot.app
    await ready(app, pilot)
    app.open_actor("haqqani-network")
    await pilot.pause()
    focus_tie(app, lambda t: t.type == "leads" and t.source == "haji-mali-khan")
    await pilot.press("s")
    await pilot.pause()


async def on_document(pilot) -> None:
    await on_sources(pilot)
    await pilot.press("enter")
    await pilot.pause()


def steady_cursor(app) -> None:
    """A blinking cursor is drawn or not depending on the machine's load: a
    snapshot must not depend on it."""
    app.focused.cursor_blink = False


async def on_search(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("slash", *"orakzai")
    steady_cursor(pilot.app)
    await ready(pilot.app, pilot)


async def on_help(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("question_mark")
    await pilot.pause()


async def on_path(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("p", *"Sirajuddin")
    await pilot.pause()
    await pilot.press("enter")
    await ready(pilot.app, pilot)


async def on_diagram(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("g")
    await pilot.pause()


async def on_timeline(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("t")
    await pilot.pause()


async def on_contested(pilot) -> None:
    await ready(pilot.app, pilot)
    pilot.app.open_actor("haqqani-network")
    await pilot.pause()
    await pilot.press("c")
    await pilot.pause()


async def on_tie_form(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("n", *"Taliban")
    steady_cursor(pilot.app)
    await pilot.pause()


ANALYSIS_VIEWS = {
    "path": on_path,
    "diagram": on_diagram,
    "timeline": on_timeline,
    "contested": on_contested,
    "tie-form": on_tie_form,
}

VIEWS = {
    "main": on_iskp,
    "jump": after_jump,
    "search": on_search,
    "sources": on_sources,
    "document": on_document,
    "help": on_help,
}
