"""Behaviour of the explorer, driven by the keyboard through Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.help import HelpScreen, binding_sections, help_rows, key_label
from khorasan_tui.app.main import make_app
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.app.sources import DocumentScreen, SourcesScreen, find_quote
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, load_store, save_store

from .apphelpers import BUNDLED, focus_tie, ready, screen_text, until


def tie_list(app) -> RowList:
    return app.screen.query_one("#tie-list", RowList)


async def test_starts_on_iskp_with_counts_in_header():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert app.current == "iskp"
        assert isinstance(app.screen, ExplorerScreen)
        assert f"{len(app.graph.actors)} actors" in app.sub_title
        text = screen_text(app)
        assert "Islamic State-Khorasan" in text
        assert "Relationships" in text


async def test_search_filters_as_you_type_and_enter_opens_best_match():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        assert app.focused.id == "search"
        await pilot.press(*"Faroqqi")
        await ready(app, pilot)
        actor_list = app.screen.query_one("#actor-list", RowList)
        assert actor_list.keys[0] == "aslam-farooqi"
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == "aslam-farooqi"
        assert app.focused.id == "tie-list"


async def test_search_shows_the_actor_whole_then_the_matched_alias():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"Abdullah Orakzai")
        await ready(app, pilot)
        assert app.screen.query_one("#actor-list", RowList).keys[0] == "aslam-farooqi"
        assert "☺ Aslam Farooqi aka Abdul" in screen_text(app)
        await pilot.press("escape")
        assert app.focused.id == "actor-list"


async def test_kind_filter_cycles_and_limits_the_list():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("K")  # group
        await pilot.pause()
        keys = [k for k in app.screen.query_one("#actor-list", RowList).keys]
        assert keys and all(app.graph.actors[k].kind == "group" for k in keys)


async def test_jump_along_a_tie_then_back_and_forward():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.open_actor("haqqani-network")
        await pilot.pause()
        focus_tie(app, lambda t: t.type == "leads" and t.source == "sirajuddin-haqqani")
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == "sirajuddin-haqqani"
        assert app.history.entries[-2:] == ["haqqani-network", "sirajuddin-haqqani"]
        await pilot.press("left_square_bracket")
        assert app.current == "haqqani-network"
        await pilot.press("right_square_bracket")
        assert app.current == "sirajuddin-haqqani"
        await pilot.press("alt+left")
        assert app.current == "haqqani-network"
        # a new jump truncates forward history, as in a browser
        focus_tie(app, lambda t: t.type == "leads" and t.source == "haji-mali-khan")
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == "haji-mali-khan"
        assert "sirajuddin-haqqani" not in app.history.entries[app.history.index :]
        assert not app.history.can_forward
        assert "[Haji Mali Khan]" in screen_text(app)  # the breadcrumb marks the current actor


async def test_sources_then_document_with_highlighted_quote():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.open_actor("haqqani-network")
        await pilot.pause()
        tie_id = focus_tie(app, lambda t: t.source == "sirajuddin-haqqani" and t.type == "leads")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        assert app.screen.tie_id == tie_id
        quote = app.graph.ties[tie_id].citations[0].quote
        assert quote[:30] in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        doc = app.screen
        assert doc.quote_line_numbers, "the quote must be found and marked"
        lines = doc.query_one("#document-lines", RowList)
        assert lines.cursor == doc.quote_line_numbers[0]
        shown = screen_text(app)
        assert "▶▶" in shown and "Sirajuddin" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ExplorerScreen)


async def test_sources_of_an_actor_include_its_ties_citations():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.open_actor("aslam-farooqi")
        app.screen.query_one("#actor-list").focus()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        expected = len(app.graph.actors["aslam-farooqi"].citations) + sum(
            len(t.citations) for t in app.graph.ties_of("aslam-farooqi")
        )
        assert len(app.screen.entries) == expected


async def test_status_and_type_filters_narrow_the_relationship_pane():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("S")  # reported only
        await pilot.pause()
        keys = [k for k in tie_list(app).keys if k]
        assert keys and all(app.graph.ties[k].status == "reported" for k in keys)
        await pilot.press("S")  # alleged only
        await pilot.pause()
        keys = [k for k in tie_list(app).keys if k]
        assert keys and all(app.graph.ties[k].status == "alleged" for k in keys)
        await pilot.press("x")
        await pilot.press("T")
        await pilot.pause()
        keys = [k for k in tie_list(app).keys if k]
        assert keys and len({app.graph.ties[k].type for k in keys}) == 1


async def test_filter_screen_applies_tie_types():
    from textual.widgets import SelectionList

    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        types = app.screen.query_one("#filter-types", SelectionList)
        types.select("hostile_to")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.tie_types == frozenset({"hostile_to"})
        keys = [k for k in tie_list(app).keys if k]
        assert keys and all(app.graph.ties[k].type == "hostile_to" for k in keys)


async def test_help_lists_every_binding():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Back" in screen_text(app)
        # what the help screen draws, not only the rows it is built from
        shown = str(app.screen.query_one("#help-table").render())
        shown_lines = [line.strip() for line in shown.splitlines()]
        rows = help_rows()
        for title, bindings in binding_sections():
            assert title in shown_lines, title
            for binding in bindings:
                assert binding.description, (title, binding.key)
                assert binding.description in shown, (title, binding.description)
                # the key and its description share a line
                label = key_label(binding)
                assert any(line.startswith(label) and line.endswith(binding.description) for line in shown_lines), (
                    label,
                    binding.description,
                )
                assert (label, binding.description) in rows
        for key in ("/", "[ / alt+left", "] / alt+right", "?", "q", "s", "enter"):
            assert any(k == key for k, _ in rows), key
            assert any(line.startswith(key + " ") for line in shown_lines), key
        await pilot.press("escape")
        assert isinstance(app.screen, ExplorerScreen)


async def test_palette_finds_an_actor_by_alias():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        await pilot.press(*"Mullah Omar")
        commands = palette.query_one(CommandList)

        def searched_and_highlighted() -> bool:
            # the palette's search runs in its workers; the list is final once they are done
            searching = any(w.node is palette and not w.is_finished for w in app.workers)
            return not searching and commands.highlighted is not None

        await until(pilot, searched_and_highlighted)
        highlighted = commands.get_option_at_index(commands.highlighted)
        assert str(highlighted.hit.text) == app.graph.actors["mohammed-omar"].name
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == "mohammed-omar"


HOSTILE = ["[@click=app.quit]x[/]", "[/bold]", "evil [31mred ]0;title", "[b]bold[/b] [link=http://x]y[/link]"]


def hostile_store(tmp_path: Path) -> Path:
    docs = tmp_path / "sources"
    docs.mkdir()
    quote = "[@click=app.quit]x[/] met [/bold] in [red]"
    (docs / "doc.txt").write_text(f"Intro. {quote}. End.", encoding="utf-8")
    data = StoreData(meta={"schema_version": 1, "name": "[bold]hostile"})
    data.sources["doc"] = Source("doc", "[/title]", publisher="[@click=app.bell]", path="sources/doc.txt")
    for i, name in enumerate(HOSTILE):
        data.actors[f"a{i}"] = Actor(
            f"a{i}",
            name,
            "group",
            aliases=[f"[/alias{i}]"],
            summary=f"summary {name}",
            citations=[Citation("doc", quote)],
        )
    for i in range(1, len(HOSTILE)):
        data.ties[f"t{i}"] = Tie(
            f"t{i}", "allied_with", "a0", f"a{i}", role="[/role]", citations=[Citation("doc", quote)]
        )
    path = tmp_path / "hostile.json"
    save_store(data, path, check_conflict=False)
    return path


async def test_hostile_names_show_literally_and_do_not_act(tmp_path):
    path = hostile_store(tmp_path)
    app = make_app(path, start_actor="a0")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        assert "[/bold]" in text
        assert "\x1b" not in text
        # click where the name is drawn: markup must not become an action
        await pilot.click("#actor-list", offset=(5, 0))
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DocumentScreen)
        assert "[@click=app.quit]x[/]" in screen_text(app)
        await pilot.press("escape", "escape")
        await pilot.press("slash", *"[/alias1]")
        await ready(app, pilot)
        assert app.is_running
        assert app.return_code is None


@pytest.mark.parametrize("size", [(80, 24), (40, 12), (120, 36)])
async def test_sizes_and_resizes_never_crash(size):
    app = make_app(BUNDLED)
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        for key in ["tab", "j", "enter", "tab", "k", "tab", "shift+tab", "left_square_bracket"]:
            await pilot.press(key)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.press("tab", "tab", "enter")
        await pilot.resize_terminal(30, 8)
        await pilot.pause()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert app.is_running


async def test_narrow_layout_shows_one_pane_at_a_time():
    app = make_app(BUNDLED)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        screen = app.screen
        assert screen.has_class("-narrow")
        actors_pane, right = screen.query_one("#actors-pane"), screen.query_one("#right")
        app.screen.query_one("#tie-list").focus()
        await pilot.pause()
        assert not screen.has_class("-show-actors")
        assert actors_pane.display is False and right.display is True
        app.screen.query_one("#actor-list").focus()
        await pilot.pause()
        assert screen.has_class("-show-actors")
        assert actors_pane.display is True and right.display is False


async def test_no_color_still_marks_cursor_and_status(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "▶" in text  # the cursor is a glyph, not only a colour
        assert "● " in text or "◐ " in text


async def test_unreadable_store_exits_cleanly_without_touching_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{not json")
    app = make_app(bad)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
    assert app.return_code == 2
    assert bad.read_bytes() == b"{not json"


def test_find_quote_tolerates_whitespace():
    text = "One line\nand   the next line here."
    start, end = find_quote(text, "and the next")
    assert text[start:end] == "and   the next"
    assert find_quote(text, "missing") is None


def test_bundled_store_loads_for_the_app():
    assert load_store(BUNDLED).actors


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "not-json"])
def test_app_entry_point_refuses_unusable_store_before_drawing(tmp_path, capsys, kind):
    from khorasan_tui.cli import main

    path = {
        "missing": tmp_path / "none.json",
        "directory": tmp_path,
        "empty": tmp_path / "e.json",
        "not-json": tmp_path / "n.json",
    }[kind]
    if kind == "empty":
        path.write_bytes(b"")
    if kind == "not-json":
        path.write_bytes(b"{oops")
    before = path.read_bytes() if path.is_file() else None
    assert main(["--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "cannot open store" in err and str(path) in err
    assert "Traceback" not in err
    if before is not None:
        assert path.read_bytes() == before
