"""Drive the real app on the bundled store and save SVG screenshots.

Run: python scripts/screenshots.py   (writes into screenshots/)

The views are the ones the snapshot tests check (tests/views.py), so what the
README shows is what the suite pins.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khorasan_tui.app.main import make_app  # noqa: E402
from tests.views import ANALYSIS_VIEWS, VIEWS  # noqa: E402

OUT = ROOT / "screenshots"
WIDE = (120, 36)

# screenshot file name -> (view, terminal size)
SHOTS = {
    "main-iskp": (VIEWS["main"], WIDE),
    "main-iskp-80x24": (VIEWS["main"], (80, 24)),
    "jump-sirajuddin": (VIEWS["jump"], WIDE),
    "search-orakzai": (VIEWS["search"], (100, 30)),
    "sources": (VIEWS["sources"], WIDE),
    "document": (VIEWS["document"], WIDE),
    "path-finder": (ANALYSIS_VIEWS["path"], WIDE),
    "diagram-iskp": (ANALYSIS_VIEWS["diagram"], WIDE),
    "timeline-iskp": (ANALYSIS_VIEWS["timeline"], WIDE),
    "contested-haqqani": (ANALYSIS_VIEWS["contested"], WIDE),
}


async def shoot(name: str, view, size: tuple[int, int]) -> None:
    app = make_app(ROOT / "data" / "khorasan.json")
    async with app.run_test(size=size) as pilot:
        await view(pilot)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, (view, size) in SHOTS.items():
        await shoot(name, view, size)


if __name__ == "__main__":
    asyncio.run(main())
