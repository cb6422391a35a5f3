"""The analysis views: path finder, neighbourhood diagram, timeline with the
"as of" date, contested claims; their pure layout and text builders first,
then the screens driven by the keyboard through Textual's Pilot."""

from __future__ import annotations

import io
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from khorasan_tui.analysis import contested, parse_span, step_as_of, year_span
from khorasan_tui.app.contested_screen import ContestedScreen
from khorasan_tui.app.diagram_screen import DiagramScreen, DiagramView
from khorasan_tui.app.main import make_app
from khorasan_tui.app.pathfinder import PathFinderScreen
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.app.timeline_screen import TimelineScreen
from khorasan_tui.diagram import FOCUS_MARK, TIE_GLYPHS, layout, move_focus
from khorasan_tui.graph import Graph, active_at
from khorasan_tui.model import (
    COOPERATIVE_TYPES,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    date_sort_key,
)
from khorasan_tui.pathtext import paths_text, route_step
from khorasan_tui.store import StoreData, load_store, save_store

from .apphelpers import BUNDLED, focus_tie, ready, screen_text, until

HOSTILE_NAME = "[bold red]Evil[/] [31m[@click=app.quit]x[/]"


# -- small hand-made graphs -----------------------------------------------------------


def actor(actor_id: str, kind: str = "group", name: str | None = None) -> Actor:
    return Actor(id=actor_id, name=name or actor_id.replace("-", " ").title(), kind=kind)


def tie(source: str, tie_type: str, target: str, status: str = "reported", **fields) -> Tie:
    quote = f"{source} {tie_type} {target}"
    return Tie(
        id=f"{source}--{tie_type}--{target}",
        type=tie_type,
        source=source,
        target=target,
        status=status,
        citations=[Citation("doc1", quote)],
        **fields,
    )


def make_data(actors: list[Actor], ties: list[Tie]) -> StoreData:
    return StoreData(
        actors={a.id: a for a in actors},
        ties={t.id: t for t in ties},
        sources={"doc1": Source(id="doc1", title="Document one", published="2021")},
    )


def hub_graph(spokes: int = 12) -> Graph:
    """A hub with many hostile neighbours, a leader, a parent group and one second-ring actor."""
    actors = [actor("hub"), actor("leader", "person"), actor("parent"), actor("far")]
    actors += [actor(f"enemy-{i:02d}") for i in range(spokes)]
    ties = [tie("leader", "leads", "hub"), tie("hub", "faction_of", "parent"), tie("parent", "allied_with", "far")]
    ties += [tie("hub", "hostile_to", f"enemy-{i:02d}") for i in range(spokes)]
    return Graph(make_data(actors, ties))


def chain_data() -> StoreData:
    """a -leads-> b -allied-> c, and a longer family route a - x - y - c."""
    actors = [actor("a", "person"), actor("b"), actor("c"), actor("x", "person"), actor("y", "person")]
    ties = [
        tie("a", "leads", "b", start="2019"),
        tie("b", "allied_with", "c", status="alleged"),
        tie("a", "family", "x"),
        tie("x", "family", "y"),
        tie("y", "family", "c"),
    ]
    return make_data(actors, ties)


# -- diagram.py -------------------------------------------------------------------------


def test_diagram_draws_the_centre_its_groups_and_caps_big_ones():
    graph = hub_graph(spokes=12)
    diagram = layout(graph, "hub", width=78, cap=4)
    text = "\n".join(diagram.lines())
    assert "╔" in text and "╢ ⚑ Hub" in text and "╚" in text
    assert "hostile to (12)" in text
    assert "… and 8 more" in text
    assert "led by (1)" in text and "faction of (1)" in text
    # edges carry their type's glyph and direction, and the legend explains them
    assert TIE_GLYPHS["hostile_to"] in text and TIE_GLYPHS["leads"] in text
    assert "Legend:" in text and f"{TIE_GLYPHS['hostile_to']} hostile_to" in text
    assert all(cell_len(line) <= 78 for line in diagram.lines())
    hostile = next(g for g in diagram.groups if g.tie_type == "hostile_to")
    assert (hostile.total, hostile.shown, hostile.hidden) == (12, 4, 8)


def test_diagram_expanding_a_group_and_depth_two():
    graph = hub_graph(spokes=12)
    expanded = layout(graph, "hub", cap=4, expanded=frozenset({"hostile_to:hostile to"}))
    assert "more" not in "\n".join(expanded.lines()[: expanded.legend_start])
    depth_one = layout(graph, "hub", depth=1)
    depth_two = layout(graph, "hub", depth=2)
    assert "far" not in {n.actor_id for n in depth_one.nodes}
    far = [n for n in depth_two.nodes if n.actor_id == "far"]
    assert far and far[0].depth == 2


def test_diagram_nodes_focus_and_moves():
    graph = hub_graph(spokes=3)
    diagram = layout(graph, "hub", width=78)
    assert diagram.nodes[0].actor_id == "hub"
    runs = diagram.runs(diagram.nodes[0].row, focus=0)
    focused = "".join(text for text, style in runs if style == "focus")
    assert focused.startswith(FOCUS_MARK) and "Hub" in focused
    # every move lands on a node and comes back
    right = move_focus(diagram, 0, "right")
    left = move_focus(diagram, 0, "left")
    assert diagram.nodes[right].column == 2 and diagram.nodes[left].column == 0
    assert move_focus(diagram, right, "left") == 0
    below = move_focus(diagram, right, "down")
    assert diagram.nodes[below].row > diagram.nodes[right].row
    assert move_focus(diagram, below, "up") == right
    nxt = move_focus(diagram, 0, "next")
    assert diagram.nodes[nxt].group != ""
    assert move_focus(diagram, nxt, "previous") == 0


def test_diagram_narrow_puts_every_group_on_one_side():
    diagram = layout(hub_graph(spokes=3), "hub", width=50)
    assert {n.column for n in diagram.nodes} == {1, 2}
    assert all(cell_len(line) <= 60 for line in diagram.lines())


def test_diagram_shows_hostile_names_as_plain_characters():
    graph = Graph(make_data([actor("hub"), actor("evil", name=HOSTILE_NAME)], [tie("hub", "hostile_to", "evil")]))
    text = "\n".join(layout(graph, "hub").lines())
    assert "\x1b" not in text
    assert "[bold red]Evil" in text


def test_diagram_of_iskp_caps_its_many_ties():
    graph = Graph(load_store(BUNDLED))
    diagram = layout(graph, "iskp", width=78)
    text = "\n".join(diagram.lines())
    assert "Islamic" in text and "more" in text
    assert max(cell_len(line) for line in diagram.lines()) <= 78
    assert len(diagram.nodes) < graph.degree("iskp")


# -- pathtext.py ------------------------------------------------------------------------


def test_route_steps_read_each_tie_from_the_actor_walked_from():
    graph = Graph(chain_data())
    [route] = graph.shortest_routes("c", "a")
    hops = [hop for step in range(len(route.hops)) for hop in route_step(route, step)]
    assert [(h.from_id, h.wording, h.to_id) for h in hops] == [("c", "allied with", "b"), ("b", "led by", "a")]


def test_paths_text_lists_routes_hops_ties_quotes_and_documents():
    data = chain_data()
    parallel = tie("a", "member_of", "b", start="2018")
    data.ties[parallel.id] = parallel
    graph = Graph(data)
    routes = graph.shortest_routes("a", "c")
    text = paths_text(graph, "a", "c", routes, "all tie types")
    assert text.startswith("Shortest routes from A (a) to C (c)")
    assert "Options: all tie types" in text
    assert "1 route of 2 hops" in text and "Route 1 of 1: A → B → C" in text
    assert "1. A → B (2 ties)" in text and "2. B → C (1 tie)" in text
    assert "- leads · status: reported · from 2019" in text and "- member of · status: reported" in text
    assert "- allied with · status: alleged" in text
    assert "“a leads b” [1]" in text and "“a member_of b” [1]" in text
    assert "[1] Document one (published ~2021, id doc1)" in text


def test_paths_text_without_a_path_says_so():
    graph = Graph(chain_data())
    text = paths_text(graph, "a", "c", [], "")
    assert "No chain of ties connects them" in text


# -- as of and contested sides ------------------------------------------------------------


def test_stepping_the_as_of_year():
    assert step_as_of(None, -1, (2015, 2024)) == "2024"
    assert step_as_of(None, 1, (2015, 2024)) is None
    assert step_as_of("2020-03-05", -1, (2015, 2024)) == "2019"
    assert step_as_of("2015", -1, (2015, 2024)) == "2015"
    assert step_as_of("2024", 1, (2015, 2024)) is None
    assert step_as_of("2020", 1, None) == "2020"
    assert year_span(Graph(chain_data())) == (2019, 2019)


def test_rival_leaders_split_into_one_side_per_leader():
    graph = Graph(load_store(BUNDLED))
    finding = next(
        f
        for f in contested(graph)
        if f.group == "haqqani-network" and {f.a, f.b} == {"sirajuddin-haqqani", "haji-mali-khan"}
    )
    first, second = finding.sides
    assert all(graph.ties[t].source == finding.a for t in first.tie_ids)
    assert all(graph.ties[t].source == finding.b for t in second.tie_ids)
    assert "leads Haqqani Network" in first.title


def test_the_quote_strip_says_how_many_documents_agree():
    from khorasan_tui.app.render import tie_detail

    same = tie("a", "supports", "b")
    other = tie("a", "supports", "b", status="claimed", claimant="a")
    other.id, other.citations = "a--supports--b--2", [Citation("doc2", "a supports b")]
    alone = tie("b", "hostile_to", "c")
    graph = Graph(make_data([actor("a"), actor("b"), actor("c")], [same, other, alone]))
    facts, quote = tie_detail(graph, same).plain.split("\n", 1)
    assert facts.endswith(" · 2 documents agree") and quote.startswith("❝ “a supports b”")
    facts, quote = tie_detail(graph, alone).plain.split("\n", 1)
    assert "agree" not in facts and quote.startswith("❝ “b hostile_to c”")


# -- the screens ----------------------------------------------------------------------------


def store_file(tmp_path: Path, data: StoreData) -> Path:
    path = tmp_path / "store.json"
    save_store(data, path, check_conflict=False)
    return path


def rows_text(row_list: RowList, width: int = 200) -> list[str]:
    return [row_list._render_row(i, width).plain for i in range(row_list.row_count)]


def rendered(content, width: int = 80) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


async def test_path_finder_shows_hops_copies_and_opens_an_actor():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PathFinderScreen)
        assert screen.ends[0] == "iskp"
        assert app.focused.id == "path-to"
        await pilot.press(*"haqqani network")
        await pilot.pause()
        suggestions = screen.query_one("#path-suggest", RowList)
        assert suggestions.display and suggestions.cursor_key == "haqqani-network"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.ends == ["iskp", "haqqani-network"]
        # the parallel ties between ISKP and the Haqqani Network are one route of one hop
        [route] = screen.routes
        assert route.actors == ("iskp", "haqqani-network") and len(route.hops[0]) > 1
        results = screen.query_one("#path-results", RowList)
        assert app.focused is results
        lines = rows_text(results)
        assert lines[0].startswith("── Route 1 of 1: ")
        assert any(f"({len(route.hops[0])} ties)" in line for line in lines)
        assert sum("●" in line for line in lines) >= 2
        assert any("❝" in line for line in lines)
        text = screen_text(app)
        assert "1 route of 1 hop" in text and "as of" in text and "(s)" not in text

        await pilot.press("y")
        assert app.clipboard.startswith("Shortest routes from Islamic State-Khorasan (iskp) to Haqqani Network")
        assert "“" in app.clipboard and "Documents" in app.clipboard

        # options narrow the chains: cooperative only, then reported only
        await pilot.press("T")
        ties = [t for r in screen.routes for hop in r.hops for t in hop]
        assert ties and all(t.type in COOPERATIVE_TYPES for t in ties)
        await pilot.press("S")
        ties = [t for r in screen.routes for hop in r.hops for t in hop]
        assert ties and all(t.status == "reported" for t in ties)
        assert "cooperative ties only" in screen.options_summary()

        target = screen.current_hop().to_id
        await pilot.press("enter")
        await pilot.pause()
        assert app.current == target == "haqqani-network"
        assert not isinstance(app.screen, PathFinderScreen)


async def test_path_finder_names_typed_after_picking_an_end_never_fire_keys():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        await pilot.press(*"haqqani network", "enter")
        await pilot.pause()
        assert screen.ends == ["iskp", "haqqani-network"] and screen.routes
        assert "Copy" in screen_text(app)
        # change the first end: picking it leads to the second end's box, not the results
        screen.query_one("#path-from").focus()
        await pilot.pause()
        await pilot.press(*"aslam farooqi", "enter")
        await pilot.pause()
        assert screen.ends[0] == "aslam-farooqi"
        assert app.focused.id == "path-to"
        assert "Copy" not in screen_text(app), "letter keys are text here, not shown as bindings"
        await pilot.press(*"Haqani")  # q, and neither T nor y act
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.query_one("#path-to").value == "Haqani"
        assert screen.type_preset == 0 and app.clipboard == ""
        await pilot.press("enter")
        await pilot.pause()
        assert screen.ends[1] is not None and app.focused.id == "path-results"

        # letters typed outside the boxes while an end is missing go into its box
        screen.query_one("#path-to").focus()
        await pilot.press(*"sira")
        screen.query_one("#path-results").focus()
        await pilot.pause()
        await pilot.press(*"jq")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.query_one("#path-to").value == "sirajq"
        assert app.focused.id == "path-to"


async def test_path_finder_never_walks_disputed_ties_unless_asked(tmp_path):
    data = chain_data()
    for extra in (tie("a", "member_of", "b"), tie("a", "supports", "c", status="disputed")):
        data.ties[extra.id] = extra
    app = make_app(store_file(tmp_path, data), start_actor="a")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        screen.choose(1, "c")
        await pilot.pause()
        [route] = screen.routes
        assert route.actors == ("a", "b", "c") and [len(h) for h in route.hops] == [2, 1]
        lines = rows_text(screen.query_one("#path-results", RowList))
        assert lines[0].startswith("── Route 1 of 1: ")
        assert any("1. A → " in line and "(2 ties)" in line for line in lines)
        assert sum("led by" in line or "leads" in line or "member of" in line for line in lines) >= 2
        while "disputed too" not in screen.options_summary():
            await pilot.press("S")
        [route] = screen.routes
        assert route.actors == ("a", "c") and route.hops[0][0].status == "disputed"


async def test_path_finder_limits_length_and_excludes_types(tmp_path):
    app = make_app(store_file(tmp_path, chain_data()), start_actor="a")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        screen.choose(1, "c")
        await pilot.pause()
        assert [len(r.hops) for r in screen.routes] == [2]
        await pilot.press("S")  # reported only: the alleged alliance drops out, the family route remains
        assert [len(r.hops) for r in screen.routes] == [3]
        await pilot.press("minus", "minus", "minus", "minus")  # at most 2 hops
        assert screen.max_length == 2 and screen.routes == []
        assert "No path" in screen_text(app)
        await pilot.press("r")
        assert screen.ends == ["c", "a"]
        await pilot.press("plus", "o")  # tick types off in the picker
        await pilot.pause()
        await pilot.press("space", "a")  # untick `leads`, apply
        await pilot.pause()
        assert screen.custom_types == frozenset(TIE_TYPES) - {"leads"}
        assert "no leads" in screen.options_summary()
        assert [len(r.hops) for r in screen.routes] == [3]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PathFinderScreen)


async def test_diagram_draws_caps_moves_and_recentres():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DiagramScreen)
        view = screen.query_one(DiagramView)
        assert view.focused_node.actor_id == "iskp"
        lines = view.diagram.lines()
        assert any("╢ ⚑ Islamic" in line for line in lines) and any("╔" in line for line in lines)
        assert any("… and" in line and "more" in line for line in lines)
        text = screen_text(app)
        assert "Islamic" in text and "╔" in text and "as of" in text

        await pilot.press("right")
        node = view.focused_node
        assert node.column == 2 and node.actor_id not in (None, "iskp")
        await pilot.press("down")
        assert view.focused_node.row > node.row
        await pilot.press("up")
        assert view.focused_node == node

        await pilot.press("enter")
        await pilot.pause()
        assert app.current == node.actor_id == screen.centre
        assert view.focused_node.actor_id == node.actor_id
        assert view.diagram.centre == node.actor_id

        await pilot.press("2")
        assert screen.depth == 2 and any(n.depth == 2 for n in view.diagram.nodes)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DiagramScreen)
        assert app.current == node.actor_id


async def test_diagram_expands_a_capped_group(tmp_path):
    graph = hub_graph(12)
    data = make_data(list(graph.actors.values()), list(graph.ties.values()))
    app = make_app(store_file(tmp_path, data), start_actor="hub")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        view = app.screen.query_one(DiagramView)
        more = next(i for i, n in enumerate(view.diagram.nodes) if n.actor_id is None)
        view.set_focus_index(more)
        await pilot.press("enter")
        await pilot.pause()
        assert all(n.actor_id is not None for n in view.diagram.nodes)
        assert view.focused_node.actor_id.startswith("enemy-")


async def test_timeline_order_and_as_of_steps_hide_ties_everywhere():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        total = len([k for k in app.explorer.query_one("#tie-list", RowList).keys if k])
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        assert screen.actor_id == "iskp" and screen.entries
        dates = [date_sort_key(e.date) for e in screen.entries]
        assert dates == sorted(dates)
        await pilot.press("v")
        assert screen.actor_id is None
        assert len(screen.entries) >= len(app.graph.by_type.get("carried_out", [])) // 2

        first, last = year_span(app.graph)
        await pilot.press("less_than_sign")
        assert app.as_of == str(last)
        await pilot.press("less_than_sign")
        assert app.as_of == str(last - 1)
        await pilot.press("greater_than_sign")
        assert app.as_of == str(last)
        assert "as of" in screen_text(app)

        # type a date: the relationship pane keeps only the ties active then
        await pilot.press("at")
        await pilot.pause()
        await pilot.press(*"2016", "enter")
        await pilot.pause()
        assert app.as_of == "2016"
        assert screen.entries
        for entry in screen.entries:
            if entry.kind == "event":
                assert date_sort_key(entry.date) <= (2016, 12, 31)
            else:
                tie_then = app.graph.ties[entry.id]
                assert active_at(tie_then.start, tie_then.end, "2016")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.explorer
        keys = [k for k in app.explorer.query_one("#tie-list", RowList).keys if k]
        assert 0 < len(keys) < total
        assert all(active_at(app.graph.ties[k].start, app.graph.ties[k].end, "2016") for k in keys)
        assert "as of 2016" in app.sub_title
        assert "as of 2016" in screen_text(app)

        await pilot.press("greater_than_sign")  # app-wide: works on the main screen too
        assert app.as_of == "2017"
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("x")
        assert app.as_of is None
        keys = [k for k in app.explorer.query_one("#tie-list", RowList).keys if k]
        assert len(keys) == total


def test_parse_span():
    assert parse_span("2020") == ("2020", "2020")
    assert parse_span(" 2018..2020 ") == parse_span("2018 to 2020") == parse_span("2018-2020") == ("2018", "2020")
    assert parse_span("2020-03 2020-05-01") == ("2020-03", "2020-05-01")
    assert parse_span("2020..") == ("2020", None) and parse_span("..2020-05") == (None, "2020-05")
    assert parse_span("") == (None, None)
    for bad in ("20", "..", "2021..2020", "spring 2020", "2020-13", "2018 2019 2020"):
        try:
            parse_span(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


async def test_timeline_what_happened_in_a_year_with_each_event_once():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        await pilot.press("v")  # everything
        assert "/ Year/span" in screen_text(app)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"2020", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.span == ("2020", "2020")
        assert screen.entries
        for entry in screen.entries:
            assert entry.date.startswith("2020") or (entry.end or "").startswith("2020")
        arrests = [e for e in screen.entries if e.kind == "event" and "Arrest of Aslam Farooqi" in e.title]
        assert len(arrests) == 1 and len(arrests[0].ties) > 1
        assert not {t.id for t in arrests[0].ties} & {e.id for e in screen.entries}
        lines = rows_text(screen.query_one("#timeline-list", RowList))
        assert sum("Arrest of Aslam Farooqi" in line for line in lines) == 1, "its ties read from the event"
        assert any("targeted Aslam Farooqi" in line for line in lines)
        assert "in 2020" in screen_text(app)

        # a tie under its event: o opens the actor at its other end
        rows = screen.query_one("#timeline-list", RowList)
        rows.cursor = next(i for i, line in enumerate(lines) if "targeted Aslam Farooqi" in line)
        await pilot.pause()
        assert "targeted Aslam Farooqi" in str(screen.query_one("#timeline-detail").render())

        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"later", "enter")
        await pilot.pause()
        assert "not a date" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.span == ("2020", "2020")
        await pilot.press("slash", "backspace", "enter")
        await pilot.pause()
        assert screen.span == (None, None)
        assert any(not e.date.startswith("2020") for e in screen.entries)

        # as of 2016: nothing dated later, not even an ending
        await pilot.press("at")
        await pilot.pause()
        await pilot.press(*"2016", "enter")
        await pilot.pause()
        assert screen.entries
        assert all(date_sort_key(e.date) <= (2016, 12, 31) for e in screen.entries)
        assert all(e.end is None or date_sort_key(e.end) <= (2016, 12, 31) for e in screen.entries)
        assert not any("Farooqi" in e.title for e in screen.entries)
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is app.explorer


async def test_timeline_enter_opens_the_document_and_o_the_actor(tmp_path):
    app = make_app(store_file(tmp_path, chain_data()), start_actor="a")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert [e.id for e in screen.entries] == ["a--leads--b"]
        await pilot.press("enter")
        await pilot.pause()
        from khorasan_tui.app.sources import DocumentScreen

        assert isinstance(app.screen, DocumentScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert app.current == "b" and app.screen is app.explorer


async def test_contested_shows_haqqani_leadership_and_iskp_taliban():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContestedScreen)
        assert screen.actor_id == "iskp"
        assert all(f.involves("iskp") for f in screen.findings)
        pairs = [{f.a, f.b} for f in screen.findings]
        assert {"iskp", "taliban"} in pairs
        assert "Taliban" in screen_text(app)

        await pilot.press("v")
        assert screen.actor_id is None
        rows = screen.query_one("#contested-list", RowList)
        index = next(
            i
            for i, f in enumerate(screen.findings)
            if f.group == "haqqani-network" and {f.a, f.b} == {"sirajuddin-haqqani", "haji-mali-khan"}
        )
        rows.cursor = index
        await pilot.pause()
        body = rendered(screen.query_one("#contested-body").content)
        assert "Sirajuddin Haqqani" in body and "Haji Mali Khan" in body
        assert "leads Haqqani Network" in body and "❝" in body and "▤" in body
        # wide enough for the two sides side by side
        assert "│" in body

        await pilot.press("enter")
        await pilot.pause()
        assert "citation" in screen_text(app)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is app.explorer


async def test_contested_from_a_highlighted_tie_and_stacked_when_narrow():
    app = make_app(BUNDLED)
    async with app.run_test(size=(60, 30)) as pilot:
        await ready(app, pilot)
        app.open_actor("taliban")
        await pilot.pause()
        tie_id = focus_tie(app, lambda t: t.id in app.contested_ids and t.type == "hostile_to")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContestedScreen) and screen.actor_id == "taliban"
        assert tie_id in screen.findings[screen.current_index()].tie_ids
        body = rendered(screen.query_one("#contested-body").content, width=60)
        assert "① " in body and "② " in body


async def test_contested_as_of_hides_findings_with_a_side_not_yet_true():
    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("c", "v")
        screen = app.screen
        before = len(screen.findings)
        app.set_as_of("1990")
        await pilot.pause()
        assert len(screen.findings) + screen.hidden_by_date == before
        for sides in screen.sides:
            for side in sides:
                assert side.tie_ids
                assert all(active_at(app.graph.ties[t].start, app.graph.ties[t].end, "1990") for t in side.tie_ids)
                cited = {c.source for t in side.tie_ids for c in app.graph.ties[t].citations}
                assert side.documents and set(side.documents) <= cited


async def test_hostile_names_stay_text_in_every_view(tmp_path):
    actors = [actor("hub"), actor("evil", name=HOSTILE_NAME), actor("ally")]
    hostile = tie("hub", "hostile_to", "evil", start="2020")
    ties = [hostile, tie("hub", "cooperates_with", "evil", start="2020"), tie("evil", "allied_with", "ally")]
    data = make_data(actors, ties)
    # from another document, or the two ties would be one document's nuance, not a contest
    data.sources["doc2"] = Source(id="doc2", title="Document two")
    hostile.citations = [Citation("doc2", "hub hostile_to evil")]
    app = make_app(store_file(tmp_path, data), start_actor="hub")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for key, screen_type in {"g": DiagramScreen, "t": TimelineScreen, "c": ContestedScreen}.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            assert "[bold red]Evil" in screen_text(app), key
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        app.screen.choose(1, "ally")
        await pilot.pause()
        assert "[bold red]Evil" in screen_text(app)
        assert app.is_running


async def test_analysis_views_in_palette_and_help():
    from khorasan_tui.app.help import binding_sections

    app = make_app(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Path finder", "Neighbourhood diagram", "Timeline", "Contested claims", "Clear as-of date"} <= titles
        sections = dict(binding_sections())
        assert "Path finder (p)" in sections and "Neighbourhood diagram (g)" in sections
        assert "Timeline (t)" in sections and "Contested claims (c)" in sections
        # one analysis view replaces another, so escape always returns to the explorer
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.explorer


def test_every_tie_type_has_a_distinct_narrow_glyph():
    assert set(TIE_GLYPHS) == set(TIE_TYPES)
    assert len(set(TIE_GLYPHS.values())) == len(TIE_GLYPHS)
    assert all(cell_len(g) == 1 for g in TIE_GLYPHS.values())


async def test_y_copies_the_highlighted_timeline_entry_and_path_tie_with_their_quotes(tmp_path):
    data = chain_data()
    app = make_app(store_file(tmp_path, data), start_actor="a")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen))
        await pilot.press("y")
        leads = data.ties["a--leads--b"]
        quote = leads.citations[0].quote
        assert app.clipboard.startswith("2019  ")
        assert "→" in app.clipboard and f"“{quote}”" in app.clipboard and leads.citations[0].source in app.clipboard
        await pilot.press("escape")
        await pilot.pause()
        app.copy_to_clipboard("")
        await pilot.press("p", *"c")
        await until(pilot, lambda: isinstance(app.screen, PathFinderScreen))
        screen = app.screen
        await pilot.press("enter")
        await until(pilot, lambda: screen.routes)
        results = screen.query_one("#path-results", RowList)
        results.cursor = next(i for i, key in enumerate(results.keys) if key and key.count(":") == 2)
        await pilot.pause()
        await pilot.press("y")
        hop = screen.current_hop()
        assert app.clipboard.splitlines()[0].endswith(f"→ {data.actors[hop.to_id].name}")
        assert all(f"“{c.quote}”" in app.clipboard for c in hop.tie.citations)
        assert "Shortest routes" not in app.clipboard
        results.cursor = 0
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard.startswith("Shortest routes")


async def test_enter_in_an_empty_to_box_waits_for_a_name_and_q_then_types():
    from khorasan_tui.app.pathfinder import PathFinderScreen

    app = make_app(BUNDLED, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PathFinderScreen))
        await pilot.press("enter")  # nothing typed in To yet
        await pilot.pause()
        assert app.screen.ends[1] is None and app.focused.id == "path-to"
        await pilot.press(*"Haqani")
        await pilot.pause()
        assert app.is_running, "the q of Haqani is a letter, not quit"
        assert app.focused.value == "Haqani"
