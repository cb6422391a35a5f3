"""Reading at 80x24: what must stay on screen, how keys move, help, copying."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input

from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.filters import FilterScreen, TickList
from khorasan_tui.app.help import HelpScreen, help_rows
from khorasan_tui.app.main import make_app
from khorasan_tui.app.pathfinder import PathFinderScreen
from khorasan_tui.app.render import when
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.app.sources import DocumentScreen, SourcesScreen

from .apphelpers import BUNDLED, focus_tie, ready, screen_lines, screen_text, until


async def test_the_highlighted_ties_status_claimant_and_dates_show_at_80x24():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        tie_id = focus_tie(app, lambda t: t.status == "claimed" and t.claimant and t.start)
        await pilot.pause()
        tie = app.graph.ties[tie_id]
        claimant = app.graph.actors[tie.claimant].name
        facts = f"◌ claimed by {claimant} · {when(tie.start, tie.end)}"
        assert any(facts in line for line in screen_lines(app)), facts


async def test_the_as_of_date_and_read_only_stay_on_the_breadcrumb_line_at_80_columns(bundled_store_copy):
    app = make_app(bundled_store_copy, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for actor_id in ("haqqani-network", "sirajuddin-haqqani", "jalaluddin-haqqani", "tehrik-i-taliban-pakistan"):
            app.open_actor(actor_id)
        app.set_as_of("2021")
        await pilot.pause()
        crumb = screen_lines(app)[1]
        assert "as of 2021" in crumb and "read-only" in crumb
        assert f"[{app.current_actor.name}]" in crumb  # the current crumb survives; old ones go first
        assert crumb.lstrip().startswith("…")


async def test_filter_lists_move_with_j_k_and_mark_ticks_without_colour():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterScreen))
        types = app.screen.query_one("#filter-types", TickList)
        assert types.has_focus and types.highlighted == 0
        await pilot.press("j", "j", "k")
        assert types.highlighted == 1
        await pilot.press("space")
        await pilot.pause()
        ticked = types.get_option_at_index(1).value
        lines = screen_lines(app)
        assert any(f"[x] {ticked}" in line for line in lines)
        assert any("[ ] " in line for line in lines)


async def test_browsing_the_list_back_and_forth_never_repeats_a_crumb():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert app.focused.id == "actor-list"
        await pilot.press("j", "k")
        await pilot.pause()
        entries = app.history.entries
        assert all(a != b for a, b in zip(entries, entries[1:])), entries
        assert app.current == "iskp" and entries == ["iskp"]


async def test_kind_cycle_opens_the_actor_the_list_highlights():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        for _ in range(2):  # group (ISKP stays), then person (ISKP is filtered out)
            await pilot.press("K")
            await pilot.pause()
            highlighted = app.screen.query_one("#actor-list", RowList).cursor_key
            assert highlighted == app.current
        assert app.graph.actors[app.current].kind == "person"
        assert app.current_actor.name in screen_text(app)


async def test_at_50x20_the_list_has_the_focus_so_j_moves():
    app = make_app(BUNDLED)
    async with app.run_test(size=(50, 20)) as pilot:
        await ready(app, pilot)
        assert app.focused.id == "actor-list"
        await pilot.press("j")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == ""
        assert app.current != "iskp"


async def test_the_detail_pane_scrolls_with_j_and_k():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        pane = app.screen.query_one("#detail-pane")
        pane.focus()
        await pilot.press("j", "j")
        await pilot.pause()
        assert pane.scroll_y > 0
        await pilot.press("k", "k")
        await pilot.pause()
        assert pane.scroll_y == 0


async def test_help_shows_the_screens_keys_first_and_never_raw_key_names():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PathFinderScreen))
        app.screen.query_one("#path-results").focus()
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = str(app.screen.query_one("#help-table").render())
        shown = [line.strip() for line in table.splitlines() if line.strip()]
        assert shown[0] == "Path finder (p)"
        assert shown.index("Everywhere") < shown.index("Explorer")
        assert any(line.startswith("+ / =") for line in shown)
    for key, _ in help_rows(ExplorerScreen()):
        assert not any(raw in key for raw in ("_sign", "square_bracket", "question_mark", "slash")), key


async def test_palette_entries_take_their_key_hints_from_the_bindings(private_app_config):
    private_app_config.write_text('[keys]\n"app.path-finder" = "ctrl+g"\n', encoding="utf-8")
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        # the palette reads help lines as markup
        commands = {str(c.title): Content.from_markup(c.help).plain for c in app.get_system_commands(app.screen)}
        assert commands["Path finder"].endswith("(ctrl+g)")
        assert commands["Timeline"].endswith("(t)")
        assert commands["Back"].endswith("([ / alt+left)")


async def test_y_copies_the_highlighted_tie_or_quote_with_its_citation_everywhere():
    app = make_app(BUNDLED)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await ready(app, pilot)
        app.open_actor("haqqani-network")
        await pilot.pause()
        tie_id = focus_tie(app, lambda t: t.type == "leads" and t.source == "sirajuddin-haqqani")
        citation = app.graph.ties[tie_id].citations[0]
        title = app.graph.data.sources[citation.source].title
        await pilot.press("y")
        await pilot.pause()
        copied = app.clipboard
        assert copied.startswith("Sirajuddin Haqqani — leads → Haqqani Network") or "Sirajuddin Haqqani" in copied
        assert citation.quote in copied and title in copied and f"id {citation.source}" in copied
        assert "Copied" in screen_text(app)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SourcesScreen))
        app.copy_to_clipboard("")
        await pilot.press("y")
        assert citation.quote in app.clipboard and f"id {citation.source}" in app.clipboard
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentScreen))
        app.copy_to_clipboard("")
        await pilot.press("y")
        assert citation.quote in app.clipboard and title in app.clipboard
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))


async def test_slash_then_fast_typing_lands_in_the_search_box():
    """Keys typed (or pasted) faster than the app handles '/' must not run other
    bindings from the list, such as 'a' (add actor)."""
    from textual import events

    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for char in "/orakzai/x":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await until(pilot, lambda: app.screen.query_one("#search", Input).value == "orakzai/x")
        assert isinstance(app.screen, ExplorerScreen)


async def test_j_then_tab_typed_fast_still_opens_the_next_actor():
    from textual import events

    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        second = app.screen.query_one("#actor-list", RowList).keys[1]
        for key in ("j", "tab"):
            app.post_message(events.Key(key, key if key == "j" else "\t"))
        await until(pilot, lambda: app.focused.id == "detail-pane")
        await pilot.pause()
        assert app.current == second
