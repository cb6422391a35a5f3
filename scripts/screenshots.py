"""Drive the real app on the bundled store and save SVG screenshots.

Run: python scripts/screenshots.py   (writes into screenshots/)
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khorasan_tui.app.main import make_app  # noqa: E402
from khorasan_tui.app.rowlist import RowList  # noqa: E402

OUT = ROOT / "screenshots"


async def settle(app, pilot) -> None:
    await app.loaded.wait()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def cursor_to(app, predicate) -> None:
    rows = app.screen.query_one("#tie-list", RowList)
    for index, key in enumerate(rows.keys):
        if key is not None and predicate(app.graph.ties[key]):
            rows.cursor = index
            return
    raise SystemExit("screenshot script: expected tie not found")


async def shoot(name: str, size: tuple[int, int], steps) -> None:
    app = make_app(ROOT / "data" / "khorasan.json")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await steps(app, pilot)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        print(f"screenshots/{name}.svg")


async def main_view(app, pilot) -> None:
    app.screen.query_one("#tie-list").focus()


async def jump(app, pilot) -> None:
    app.open_actor("haqqani-network")
    await pilot.pause()
    app.screen.query_one("#tie-list").focus()
    cursor_to(app, lambda t: t.type == "leads" and t.source == "sirajuddin-haqqani")
    await pilot.press("enter")
    await pilot.pause()
    app.screen.query_one("#tie-list").focus()


async def sources(app, pilot) -> None:
    app.open_actor("haqqani-network")
    await pilot.pause()
    app.screen.query_one("#tie-list").focus()
    cursor_to(app, lambda t: t.type == "leads" and t.source == "haji-mali-khan")
    await pilot.press("s")
    await pilot.pause()


async def document(app, pilot) -> None:
    await sources(app, pilot)
    await pilot.press("enter")
    await pilot.pause()


async def search(app, pilot) -> None:
    await pilot.press("slash", *"orakzai")
    await settle(app, pilot)


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    await shoot("main-iskp", (120, 36), main_view)
    await shoot("main-iskp-80x24", (80, 24), main_view)
    await shoot("jump-sirajuddin", (120, 36), jump)
    await shoot("search-orakzai", (100, 30), search)
    await shoot("sources", (120, 36), sources)
    await shoot("document", (120, 36), document)
    for extra in EXTRA:
        await shoot(*extra)


async def path_finder(app, pilot) -> None:
    await pilot.press("p", *"Sirajuddin")
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)


async def diagram(app, pilot) -> None:
    await pilot.press("g")
    await pilot.pause()


async def timeline(app, pilot) -> None:
    await pilot.press("t")
    await pilot.pause()


async def contested(app, pilot) -> None:
    app.open_actor("haqqani-network")
    await pilot.pause()
    await pilot.press("c")
    await pilot.pause()


EXTRA: list = [
    ("path-finder", (120, 36), path_finder),
    ("diagram-iskp", (120, 36), diagram),
    ("timeline-iskp", (120, 36), timeline),
    ("contested-haqqani", (120, 36), contested),
]

if __name__ == "__main__":
    asyncio.run(main())
