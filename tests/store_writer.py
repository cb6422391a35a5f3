"""A small valid store for the edit and safety tests, and a writer process.

Imported by the tests for `make_store`; run as a script it edits a store the
way a second analyst would:

    store_writer.py loop PATH          save edits forever (to be killed)
    store_writer.py race PATH TAG N    N edits racing another writer (after a line on stdin)
    store_writer.py hold PATH          hold the store's lock until killed
"""

from __future__ import annotations

import sys
from pathlib import Path

from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, locked, save_store

DOC_ID = "000_0123456789abcdef"
DOC_TEXT = """Islamic State-Khorasan (ISKP) was founded in January 2015.
The new head of ISKP is Shahab Al-Muhajir, a former commander of the Haqqani Network.
According to the report, the Haqqani Network allegedly provides ISKP with safe houses in Kabul.
The Taliban fight ISKP in Nangarhar and Kunar.
ISKP claimed the attack on Kabul airport on 26 August 2021.
"""
QUOTES = [
    "Islamic State-Khorasan (ISKP) was founded in January 2015.",
    "The new head of ISKP is Shahab Al-Muhajir",
    "the Haqqani Network allegedly provides ISKP with safe houses in Kabul.",
    "The Taliban fight ISKP in Nangarhar and Kunar.",
    "ISKP claimed the attack on Kabul airport",
]


def small_store_data(padding: int = 0) -> StoreData:
    """Five actors, three ties, one document; `padding` extra actors make the file bigger."""
    data = StoreData()
    data.meta["name"] = "test store"
    cite = lambda n: [Citation(DOC_ID, QUOTES[n])]  # noqa: E731
    for actor in [
        Actor(
            "iskp",
            "Islamic State-Khorasan",
            "group",
            ["ISKP", "IS-K"],
            "Islamic State's branch.",
            founded="2015-01",
            citations=cite(0),
        ),
        Actor("shahab-al-muhajir", "Shahab Al-Muhajir", "person", [], "Head of ISKP."),
        Actor("haqqani-network", "Haqqani Network", "group", ["Haqqanis"]),
        Actor("taliban", "Taliban", "group"),
        Actor("kabul", "Kabul", "place"),
    ]:
        data.actors[actor.id] = actor
    for n in range(padding):
        data.actors[f"padding-{n}"] = Actor(
            f"padding-{n}",
            f"Padding Actor {n}",
            "person",
            [f"PA{n}"],
            "A filler actor to make saves slower. " * 8,
            citations=cite(0),
        )
    for tie in [
        Tie("shahab-al-muhajir--leads--iskp", "leads", "shahab-al-muhajir", "iskp", start="2020", citations=cite(1)),
        Tie(
            "haqqani-network--supports--iskp",
            "supports",
            "haqqani-network",
            "iskp",
            status="alleged",
            citations=cite(2),
        ),
        Tie("taliban--hostile_to--iskp", "hostile_to", "taliban", "iskp", citations=cite(3)),
    ]:
        data.ties[tie.id] = tie
    data.sources[DOC_ID] = Source(DOC_ID, "A report on ISKP", "Test Press", "2021-09", path=f"sources/{DOC_ID}.txt")
    return data


def make_store(folder: Path, padding: int = 0) -> Path:
    folder = Path(folder)
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "sources" / f"{DOC_ID}.txt").write_text(DOC_TEXT, encoding="utf-8")
    path = folder / "khorasan.json"
    save_store(small_store_data(padding), path, check_conflict=False)
    return path


def _loop(path: Path) -> None:
    from khorasan_tui.edit import Editor, NewSource

    editor = Editor.open(path)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        actor = editor.add_actor(f"Writer Actor {n}", "person", summary="written in a loop " * 50)
        print("saved", flush=True)
        editor.add_tie(actor.id, "member_of", "iskp", quote=QUOTES[1], source_id=DOC_ID)
        print("saved", flush=True)
        if n % 3 == 0:
            editor.add_tie(
                actor.id,
                "member_of",
                "taliban",
                quote="joined",
                new_source=NewSource(f"Note {n}", text=f"He joined {n}."),
            )
            print("saved", flush=True)
        editor.edit_actor(actor.id, summary=f"edited {n}", born="1990")
        print("saved", flush=True)
        if n % 2 == 0:
            editor.undo()
            print("saved", flush=True)
        editor.delete_actor(actor.id)
        print("saved", flush=True)


def _race(path: Path, tag: str, count: int) -> None:
    import time

    import orjson

    from khorasan_tui.edit import Change, Editor

    editor = Editor.open(path)
    reloads = 0

    def heard(change: Change) -> None:
        nonlocal reloads
        reloads += change.action == "reload"

    editor.subscribe(heard)
    print("ready", flush=True)
    sys.stdin.readline()  # start together with the other writer
    for n in range(count):
        editor.add_actor(f"{tag} actor {n}", "person")
        time.sleep(0.003)  # let the other writer's lock polling in
        editor.add_alias("iskp", f"{tag} alias {n}")
        time.sleep(0.003)
    print(orjson.dumps({"tag": tag, "reloads": reloads}).decode(), flush=True)


def _hold(path: Path) -> None:
    import time

    with locked(path):
        print("locked", flush=True)
        while True:
            time.sleep(1)


def main(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    if mode == "loop":
        _loop(path)
    elif mode == "race":
        _race(path, argv[2], int(argv[3]))
    elif mode == "hold":
        _hold(path)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
