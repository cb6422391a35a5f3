"""The app on a SQLite store: it asks for what it shows (a page of the ranked
actor list, one actor's ties), computes the contested claims and the timeline
by queries, edits through SQLite transactions and notices another program's
commit by the database's data version."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from khorasan_tui.analysis import contested
from khorasan_tui.app import explorer as explorer_module
from khorasan_tui.app import main as app_main
from khorasan_tui.app.contested_screen import ContestedScreen
from khorasan_tui.app.documents import DocumentReaderScreen, DocumentsScreen
from khorasan_tui.app.editing import ActorFormScreen
from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.main import make_app
from khorasan_tui.app.pathfinder import PathFinderScreen
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.app.timeline_screen import TimelineScreen
from khorasan_tui.edit import Editor
from khorasan_tui.graph import Graph
from khorasan_tui.sqlstore import open_sqlite, write_sqlite
from khorasan_tui.store import load_store

from .apphelpers import BUNDLED, ready, screen_text, until


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Path:
    """The bundled store converted to SQLite, its documents beside it."""
    shutil.copytree(BUNDLED.parent / "sources", tmp_path / "sources")
    return write_sqlite(load_store(BUNDLED), tmp_path / "khorasan.sqlite")


def detail_text(app) -> str:
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(app.explorer.query_one("#detail", Static).content)
    return console.export_text()


async def test_first_frame_lists_actors_a_page_at_a_time(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert app.graph.lazy
        actors = app.explorer.query_one("#actor-list", RowList)
        # Not a list of every id: a sequence that reads the ranked list by pages.
        assert not isinstance(actors.keys, list)
        assert actors.row_count == len(app.graph.actors)
        assert actors.cursor_key == app.current == "iskp"
        expected = [a for a, _ in app.graph.most_connected(5)]
        assert [actors.keys[i] for i in range(5)] == expected
        assert "Islamic State-Khorasan" in screen_text(app)
        # The header's counts come from a worker (a count of millions of ties reads a whole index).
        await until(pilot, lambda: "counting" not in app.sub_title)
        assert app.sub_title.startswith(f"{len(app.graph.actors)} actors · {len(app.graph.ties)} ties")
        # Moving down the list opens the next actor, as on a JSON store.
        await pilot.press("j")
        await until(pilot, lambda: app.current == actors.keys[1])
        # A kind filter pages through that kind only.
        await pilot.press("K")
        await until(pilot, lambda: app.kind_filter is not None)
        kind = app.kind_filter
        assert actors.row_count == sum(a.kind == kind for a in load_store(BUNDLED).actors.values())
        assert all(app.graph.actors[actors.keys[i]].kind == kind for i in range(min(actors.row_count, 10)))


async def test_search_finds_by_alias_and_empty_search_lists_everyone(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        actors = app.explorer.query_one("#actor-list", RowList)
        await pilot.press("slash", *"haqqani")
        await until(pilot, lambda: "haqqani-network" in list(actors.keys))
        assert actors.row_count < len(app.graph.actors)
        await pilot.press(*["backspace"] * 7)
        await until(pilot, lambda: actors.row_count == len(app.graph.actors))
        await pilot.press(*"orakzai", "enter")
        await until(pilot, lambda: app.current is not None and app.current != "iskp")
        assert "Orakzai" in " ".join(app.current_actor.names)


async def test_a_search_lists_the_best_hits_up_to_the_lazy_limit_in_a_worker(sqlite_store, monkeypatch):
    """On a SQLite store a search ranks by index and lists the best few (200; 3
    here), never counting the whole store on the UI thread per keystroke."""
    monkeypatch.setattr(explorer_module, "LAZY_SEARCH_LIMIT", 3)
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        actors = app.explorer.query_one("#actor-list", RowList)
        best = [h.actor_id for h in app.graph.search("al", limit=3)]
        await pilot.press("slash", *"al")
        await until(pilot, lambda: list(actors.keys) == best)
        assert len(app.graph.search("al", limit=50)) > 3
        status = app.explorer.query_one("#actors-status", Static).content
        assert str(status).startswith(f"best 3 of {len(app.graph.actors)}")


async def test_a_hubs_ties_are_ordered_from_columns_as_in_memory(sqlite_store, monkeypatch):
    # As if ISKP were a hub of thousands: its ties and counts come from workers.
    monkeypatch.setattr(explorer_module, "THREADED_TIES", 10)
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        ties = app.explorer.query_one("#tie-list", RowList)
        await until(pilot, lambda: ties.row_count > 0 and "Ties by type" in detail_text(app))
        memory = Graph(load_store(BUNDLED))
        in_memory = sorted(
            memory.ties_of("iskp"),
            key=lambda t: (t.type, t.wording_from("iskp"), memory.actors[t.other("iskp")].name.casefold(), t.id),
        )
        assert [k for k in ties.keys if k is not None] == [t.id for t in in_memory]
        assert "counting" not in detail_text(app)
        row = ties._render_row(1, 100).plain
        assert app.graph.actors[app.graph.ties[ties.keys[1]].other("iskp")].name in row
        # Filters apply to the light ties as to the full ones.
        await pilot.press("S")
        await until(pilot, lambda: app.tie_statuses is not None and ties.row_count > 0)
        (status,) = app.tie_statuses
        shown = [k for k in ties.keys if k is not None]
        assert shown == [t.id for t in in_memory if t.status == status]


async def test_path_finder_finds_the_parallel_ties(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PathFinderScreen))
        screen = app.screen
        await pilot.press(*"haqqani network")
        await until(pilot, lambda: screen.query_one("#path-suggest", RowList).cursor_key == "haqqani-network")
        await pilot.press("enter")
        await until(pilot, lambda: bool(screen.routes))
        [route] = screen.routes
        assert route.actors == ("iskp", "haqqani-network") and len(route.hops[0]) > 1
        # The routes carry the ties' quotes, not the light ties the search walked.
        assert all(t.citations for t in route.hops[0])


async def test_contested_claims_match_the_json_store(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        expected = contested(Graph(load_store(BUNDLED)))
        await until(pilot, lambda: len(app.contested_findings) == len(expected))
        assert app.contested_findings == expected
        app.open_actor("haqqani-network")
        await pilot.pause()
        await pilot.press("c", "v")
        await until(pilot, lambda: isinstance(app.screen, ContestedScreen) and app.screen.findings)
        assert len(app.screen.findings) == len(expected)
        assert "⚡" in screen_text(app)


async def test_timeline_of_the_whole_store_and_a_span(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        screen = app.screen
        own = len(screen.entries)
        assert own > 0
        await pilot.press("v")
        await until(pilot, lambda: screen.actor_id is None)
        from khorasan_tui.analysis import timeline

        assert [e.id for e in screen.entries] == [e.id for e in timeline(Graph(load_store(BUNDLED)))]
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"2020", "enter")
        await until(pilot, lambda: screen.span == ("2020", "2020"))
        assert screen.entries and all(
            e.date.startswith("2020") or (e.end or "").startswith("2020") for e in screen.entries
        )


async def test_documents_screen_lists_documents_and_marks_quotes(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        listed = app.screen.query_one("#documents-list", RowList)
        assert listed.row_count == len(app.graph.data.sources)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentReaderScreen))
        assert app.screen.passages, "the quotes of the document's ties are marked"


async def test_editing_an_actor_saves_in_sqlite_and_undoes(sqlite_store):
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        aliases = app.screen.query_one("#input-aliases", Input)
        aliases.value = aliases.value + "; Wilayat Khorasan Test"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        await until(pilot, lambda: "Wilayat Khorasan Test" in detail_text(app))
        assert "Wilayat Khorasan Test" in open_sqlite(sqlite_store).actors["iskp"].aliases
        # The names index is kept with the write: search finds the new alias.
        assert app.graph.resolve("Wilayat Khorasan Test").id == "iskp"
        await pilot.press("u")
        await until(pilot, lambda: "Wilayat Khorasan Test" not in detail_text(app))
        assert "Wilayat Khorasan Test" not in open_sqlite(sqlite_store).actors["iskp"].aliases


async def test_another_programs_commit_shows_without_a_reload(sqlite_store, monkeypatch):
    monkeypatch.setattr(app_main, "STORE_POLL", 0.1)
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        assert "Daesh Khorasan Test" not in detail_text(app)
        # Another process: the CLI, through its real entry point.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "khorasan_tui",
                "--db",
                str(sqlite_store),
                "add-alias",
                "iskp",
                "Daesh Khorasan Test",
            ],
            check=True,
            capture_output=True,
        )
        await until(pilot, lambda: "Daesh Khorasan Test" in detail_text(app))
        assert app.current == "iskp"
        # Another connection in this process counts as another program too.
        other = open_sqlite(sqlite_store)
        editor = Editor(other, Graph(other))
        editor.add_alias("iskp", "Second Connection Test")
        await until(pilot, lambda: "Second Connection Test" in detail_text(app))
        # And the app's own next edit builds on what they wrote.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        assert "Second Connection Test" in app.screen.query_one("#input-aliases", Input).value


async def test_as_of_steps_through_the_years_the_store_dates(sqlite_store):
    from khorasan_tui.analysis import year_span

    first, last = year_span(Graph(load_store(BUNDLED)))
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        # The years come from a scan of the date columns, in a worker; the step follows.
        await pilot.press("less_than_sign")
        await until(pilot, lambda: app.as_of == str(last))
        await pilot.press("less_than_sign")
        await until(pilot, lambda: app.as_of == str(last - 1))
        await pilot.press("greater_than_sign", "greater_than_sign")
        await until(pilot, lambda: app.as_of is None)
        assert first < last


async def test_a_record_no_rule_lets_in_ends_the_app_cleanly_naming_it(sqlite_store, capsys):
    """Another program wrote a tie whose type no rule knows: the app leaves with
    exit code 2 and a message naming the record when it first reads it, never
    a traceback, and never shows the record."""
    import sqlite3

    conn = sqlite3.connect(sqlite_store)
    tie_id = conn.execute("SELECT id FROM ties WHERE source = 'iskp' ORDER BY doc_id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE ties SET body = json_set(body, '$.type', 'loves') WHERE id = ?", (tie_id,))
    conn.commit()
    conn.close()
    app = make_app(sqlite_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.return_code is not None, timeout=30)
    assert app.return_code == 2
    message = " ".join(capsys.readouterr().err.split())
    assert message.startswith("cannot use store:") and "Traceback" not in message
    assert f"tie {tie_id}: type: unknown tie type 'loves'" in message
