"""Copy the seed documents into data/sources/, repairing known mojibake.

Document 004 was saved as UTF-8, decoded as Thai code page 874 and re-encoded:
a curly quote U+201C (bytes E2 80 9C) shows as "โ€œ" and U+201D (E2 80 9D, where
0x9D has no cp874 glyph and was dropped) as "โ€". We reverse exactly those.
"""

from __future__ import annotations

import sys
from pathlib import Path

MOJIBAKE = (("โ€œ", "\u201c"), ("โ€", "\u201d"))


def repair(text: str) -> str:
    for broken, fixed in MOJIBAKE:
        text = text.replace(broken, fixed)
    return text


def main(seeds: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for doc in sorted(seeds.glob("*.txt")):
        text = repair(doc.read_text(encoding="utf-8"))
        (out / doc.name).write_text(text, encoding="utf-8")
        print(f"{doc.name}: {len(text)} chars")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "seeds"
    main(seeds, root / "data" / "sources")
