"""The main screen: actor list, detail pane, relationship pane, breadcrumb.

Panes post messages up; this screen wires them together and asks the app to
move between actors, so history lives in one place.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ..graph import Graph, SearchHit, TieFilter
from ..model import KINDS, STATUS_GLYPHS, plural
from .messages import ActorOpened, AsOfChanged, FiltersChanged
from .render import (
    Tallies,
    actor_detail,
    actor_row,
    actor_tallies,
    crop_left,
    safe,
    tie_copy,
    tie_detail,
    tie_row,
    type_header,
)
from .rowlist import RowList

if TYPE_CHECKING:
    from .main import KhorasanApp


# Above this many ties an actor's list is filtered and ordered in a worker thread.
THREADED_TIES = 2_000


# How many best hits a search of a SQLite store lists (typing more narrows them).
LAZY_SEARCH_LIMIT = 200


class RankedActors(Sequence[str]):
    """Every actor of a lazy (SQLite) store, or every one of a kind, most
    connected first: the actor list's keys, read a page at a time as the list
    shows them, so a million actors cost one count and a page or two."""

    PAGE = 200
    PAGES_KEPT = 64

    def __init__(self, graph: Graph, kind: str | None) -> None:
        self.graph = graph
        self.kind = kind
        self._len = graph.ranked_count(kind)
        self._pages: OrderedDict[int, list[str]] = OrderedDict()

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        number, offset = divmod(index, self.PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self.graph.ranked_page(number * self.PAGE, self.PAGE, self.kind)
            self._pages[number] = page
            if len(self._pages) > self.PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        if offset >= len(page):
            raise IndexError(index)  # fewer actors now: a refill is on its way
        return page[offset]

    def index(self, key: str, start: int = 0, stop: int | None = None) -> int:
        position = self.graph.ranked_position(key, self.kind)
        if position is None or not start <= position < (self._len if stop is None else stop):
            raise ValueError(key)
        return position


class RankedHits(Sequence[SearchHit]):
    """`RankedActors` as the search hits of an empty query."""

    def __init__(self, keys: RankedActors) -> None:
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return SearchHit(self.keys[index], 0.0, "")


class SearchBox(Input):
    BINDINGS = [
        Binding("escape", "leave", "Leave search", show=True, id="search.leave"),
        Binding("down", "leave", "To list", show=False, id="search.to-list"),
    ]

    def action_leave(self) -> None:
        self.screen.query_one("#actor-list", RowList).focus()


class DetailPane(VerticalScroll):
    """The detail pane scrolls with j/k as the lists move with them."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.up"),
    ]


class ExplorerScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-medium"), (120, "-wide")]

    BINDINGS = [
        # priority: run before the keys typed after it are routed (to the list,
        # where "a" would add an actor), so "/orakzai" typed fast lands in the box.
        Binding("slash", "search", "Search", key_display="/", id="explorer.search", priority=True),
        Binding("tab", "focus_next_pane", "Next pane", show=False, id="explorer.focus-next-pane"),
        Binding("shift+tab", "focus_previous_pane", "Prev pane", show=False, id="explorer.focus-previous-pane"),
        Binding("f", "filters", "Filter", id="explorer.filters"),
        Binding("K", "cycle_kind", "Kind", show=False, id="explorer.cycle-kind"),
        Binding("T", "cycle_tie_type", "Tie type", show=False, id="explorer.cycle-tie-type"),
        Binding("S", "cycle_status", "Status", show=False, id="explorer.cycle-status"),
        Binding("x", "clear_filters", "Clear filters and as-of date", show=False, id="explorer.clear-filters"),
        Binding("y", "copy", "Copy tie", show=False, id="explorer.copy"),
    ]

    def __init__(self) -> None:
        super().__init__(id="explorer")
        self._hits: Sequence[SearchHit] = []
        # Hubs' counts and documents worked out in a worker (lazy stores), until the store changes.
        self._tallies: dict[str, Tallies] = {}
        self._store_version = 0
        self._reader: Graph | None = None  # see _worker_graph
        self._reader_of = None

    @property
    def khorasan(self) -> KhorasanApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="breadcrumb", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="actors-pane", classes="pane"):
                yield SearchBox(placeholder="/ search names and aliases", id="search")
                yield Static("", id="actors-status", markup=False)
                yield RowList(id="actor-list", empty_text="No actor matches")
            with Vertical(id="right"):
                with DetailPane(id="detail-pane", classes="pane"):
                    yield Static("Loading the store…", id="detail", markup=False)
                with Vertical(id="ties-pane", classes="pane"):
                    yield Static("", id="ties-status", markup=False)
                    yield RowList(id="tie-list", empty_text="No ties")
                    yield Static("", id="tie-quote", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#actors-pane").border_title = "Actors"
        self.query_one("#detail-pane").border_title = "Detail"
        self.query_one("#ties-pane").border_title = "Relationships"
        # Shown first, so the focus can land on the list even in the one-pane
        # layout (a hidden list cannot take it, and the search box would: j types).
        self.add_class("-show-actors")
        self.query_one("#actor-list").focus()

    def on_resize(self) -> None:
        self._update_breadcrumb()

    # -- filling the panes ---------------------------------------------------------
    def show_loading(self, message: str) -> None:
        self.query_one("#detail", Static).update(Text(message))

    def refresh_all(self) -> None:
        """After the store changed: same query, same highlighted actor if it is still there."""
        self._tallies.clear()
        self._store_version += 1
        if self._reader is not None:
            self._reader.data.forget()
            self._reader.reindex()
        self.rerun_search(keep=self.query_one("#actor-list", RowList).cursor_key)
        self.show_current()

    def rerun_search(self, keep: str | None = None) -> None:
        self.run_search(self.query_one("#search", Input).value, keep)

    def follow_list_cursor(self) -> None:
        """After the actor list was refilled by a filter: the actor it highlights is the current one."""
        key = self.query_one("#actor-list", RowList).cursor_key
        if key is not None and key != self.khorasan.current:
            self.post_message(ActorOpened(key, from_list=True))

    def show_current(self) -> None:
        app = self.khorasan
        actor = app.current_actor
        detail = self.query_one("#detail", Static)
        if actor is None:
            detail.update(Text("No actor selected. Press / to search."))
            self.query_one("#tie-list", RowList).set_rows([], lambda i, w: Text(""))
            self._update_breadcrumb()
            return
        graph = app.graph
        tallies = self._tallies.get(actor.id)
        # A hub of a lazy store: its counts and documents are ~100 ms of queries, so a worker's.
        pending = tallies is None and graph.lazy and graph.degree(actor.id) > THREADED_TIES
        detail.update(actor_detail(graph, actor, tallies, pending=pending))
        if pending:
            # After this frame: the worker's Python would compete with painting it.
            self.call_after_refresh(self._tallies_in_thread, self._worker_graph(), actor.id, self._store_version)
        self.query_one("#detail-pane").scroll_home(animate=False)
        self._fill_ties(actor.id)
        self._update_breadcrumb()

    @work(thread=True, exclusive=True, group="tallies")
    def _tallies_in_thread(self, graph: Graph, actor_id: str, version: int) -> None:
        tallies = actor_tallies(graph, actor_id)
        self.app.call_from_thread(self._tallies_ready, actor_id, version, tallies)

    def _worker_graph(self) -> Graph:
        """The graph a worker reads a hub from: on a lazy store, one over a
        connection of its own, so that its long queries never hold the
        connection the screen paints from; the app's graph otherwise."""
        graph = self.khorasan.graph
        if not graph.lazy:
            return graph
        if self._reader is None or self._reader_of is not graph.data:
            from ..sqlstore import open_sqlite

            self._reader = Graph(open_sqlite(graph.data.path))
            self._reader_of = graph.data
        return self._reader

    def _tallies_ready(self, actor_id: str, version: int, tallies: Tallies) -> None:
        if version != self._store_version:
            return  # counted before the store changed; the refill counts again
        if len(self._tallies) > 32:
            self._tallies.clear()
        self._tallies[actor_id] = tallies
        app = self.khorasan
        actor = app.current_actor
        if actor is not None and actor.id == actor_id:
            self.query_one("#detail", Static).update(actor_detail(app.graph, actor, tallies))

    def _fill_ties(self, actor_id: str) -> None:
        app = self.khorasan
        tie_list = self.query_one("#tie-list", RowList)
        keep = tie_list.cursor_key if getattr(self, "_ties_for", None) == actor_id else None
        self._ties_for = actor_id
        degree = app.graph.degree(actor_id)
        if degree > THREADED_TIES:
            # A hub's thousands of ties take tens of ms to filter and order:
            # do it off the UI thread so the jump itself stays instant.
            tie_list.set_rows([], lambda i, w: Text(""))
            self.query_one("#ties-status", Static).update(Text(f"ordering {degree} ties…", style="dim"), layout=False)
            self.query_one("#tie-quote", Static).update(Text(""))
            self.call_after_refresh(self._order_ties_in_thread, self._worker_graph(), actor_id, app.tie_filter, keep)
            return
        self._show_ties(actor_id, self._order_ties(app.graph, actor_id, app.tie_filter), keep)

    def _order_ties(
        self, graph: Graph, actor_id: str, tie_filter: TieFilter
    ) -> tuple[list[str | None], list[tuple[str, str]], dict[str, int]]:
        """Row keys (None for a type header), rows and counts per type, grouped by type."""
        if graph.lazy and tie_filter.document is None:
            # A hub's ties by their columns and the other ends' names, no quote
            # parsed: the rows read their ties' bodies as they are shown.
            named = [(t, name or "") for t, name, _ in graph.tie_rows(actor_id) if tie_filter.accepts(t)]
            named.sort(key=lambda tn: (tn[0].type, tn[0].wording_from(actor_id), tn[1], tn[0].id))
            ties = [t for t, _ in named]
        else:
            ties = graph.ties_of(actor_id, tie_filter)
            ties.sort(
                key=lambda t: (t.type, t.wording_from(actor_id), graph.actors[t.other(actor_id)].name.casefold(), t.id)
            )
        keys: list[str | None] = []
        rows: list[tuple[str, str]] = []
        current_type = None
        counts: dict[str, int] = {}
        for tie in ties:
            counts[tie.type] = counts.get(tie.type, 0) + 1
        for tie in ties:
            if tie.type != current_type:
                current_type = tie.type
                keys.append(None)
                rows.append(("header", tie.type))
            keys.append(tie.id)
            rows.append(("tie", tie.id))
        return keys, rows, counts

    @work(thread=True, exclusive=True, group="ties")
    def _order_ties_in_thread(self, graph: Graph, actor_id: str, tie_filter: TieFilter, keep: str | None) -> None:
        ordered = self._order_ties(graph, actor_id, tie_filter)
        self.app.call_from_thread(self._ties_ordered, actor_id, tie_filter, ordered, keep)

    def _ties_ordered(self, actor_id: str, tie_filter: TieFilter, ordered, keep: str | None) -> None:
        app = self.khorasan
        if app.current != actor_id or self._ties_for != actor_id or app.tie_filter != tie_filter:
            return  # the user has moved on; a newer fill is on its way
        self._show_ties(actor_id, ordered, keep)

    def _show_ties(self, actor_id: str, ordered, keep: str | None) -> None:
        app = self.khorasan
        graph = app.graph
        keys, rows, counts = ordered
        contested = app.contested_ids

        def render(index: int, width: int) -> Text:
            kind, value = rows[index]
            if kind == "header":
                return type_header(value, counts[value])
            tie = graph.ties.get(value)
            if tie is None:  # gone in a reload since this list was filled; a refill follows
                return Text("")
            return tie_row(graph, tie, actor_id, width, contested=value in contested)

        tie_list = self.query_one("#tie-list", RowList)
        tie_list.set_rows(keys, render, keep_key=keep, announce=False)
        self._show_tie_quote(tie_list.cursor_key)
        total = graph.degree(actor_id)
        shown = len(keys) - len(counts)
        status = Text(f"{shown} of {plural(total, 'tie')}", style="bold")
        status.append(f"  ·  {app.filter_summary()}", style="dim")
        self.query_one("#ties-status", Static).update(status, layout=False)
        if not shown:
            self.query_one("#tie-quote", Static).update(Text(""))

    def _update_breadcrumb(self) -> None:
        """'… › ISKP › [Taliban]   ([ back · as of 2021 · read-only)': the marks on
        the right always show; a long trail loses its oldest crumbs first."""
        app = self.khorasan
        crumb = Text(no_wrap=True, overflow="ellipsis", end="")
        history = app.history
        if not history.entries:
            crumb.append("Start: choose an actor", style="dim")
        start = max(0, history.index - 6)
        if start > 0:
            crumb.append("… › ", style="dim")
        for i in range(start, len(history.entries)):
            actor = app.graph.actors.get(history.entries[i]) if app.graph else None
            name = safe(actor.name) if actor else safe(history.entries[i])
            if i == history.index:
                crumb.append(f"[{name}]", style="bold reverse")
            else:
                crumb.append(name, style="dim" if i > history.index else "")
            if i < len(history.entries) - 1:
                crumb.append(" › ", style="dim")
        marks = []
        if history.can_back:
            marks.append("[ back")
        if history.can_forward:
            marks.append("] fwd")
        if app.as_of:
            marks.append(f"as of {app.as_of}")
        if app.read_only:
            marks.append("read-only")
        tail = Text("   (" + " · ".join(marks) + ")" if marks else "", style="dim", end="")
        breadcrumb = self.query_one("#breadcrumb", Static)
        room = breadcrumb.content_region.width - tail.cell_len
        if breadcrumb.content_region.width and crumb.cell_len > room:
            crumb = crop_left(crumb, max(room, 1))
        crumb.append_text(tail)
        breadcrumb.update(crumb, layout=False)

    def current_tie_id(self) -> str | None:
        tie_list = self.query_one("#tie-list", RowList)
        if tie_list.has_focus:
            return tie_list.cursor_key
        return None

    def action_copy(self) -> None:
        """y: the highlighted tie with every quote and its document, as plain text."""
        app = self.khorasan
        tie_id = self.query_one("#tie-list", RowList).cursor_key
        tie = app.graph.ties.get(tie_id) if app.graph and tie_id else None
        if tie is None or app.current is None:
            self.notify("No tie is highlighted.", severity="warning")
            return
        app.copy_text(tie_copy(app.graph, tie, app.current), "the tie with its quotes and documents")

    # -- search --------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._hits:
            self.post_message(ActorOpened(self._hits[0].actor_id))
            self.query_one("#tie-list", RowList).focus()
        else:
            self.notify("No actor matches that search.", severity="warning")

    def run_search(self, text: str, keep: str | None = None) -> None:
        app = self.khorasan
        if app.graph is None:
            return
        if app.graph.lazy and not text.strip():
            # Every actor, ranked: a count and the page on screen, on this thread.
            keys = RankedActors(app.graph, app.kind_filter)
            self._show_hits(text, RankedHits(keys), keys, keep)
        elif app.graph.lazy or len(app.graph.actors) > 20_000:
            # (lazy first: counting a SQLite store's actors reads a whole index)
            self._search_in_thread(text, app.kind_filter, keep)
        else:
            self._show_hits(text, self._find(text, app.kind_filter, limit=len(app.graph.actors)), None, keep)

    def _find(self, text: str, kind: str | None, limit: int) -> list[SearchHit]:
        graph = self.khorasan.graph
        if not text.strip():
            # No query: every actor, most connected first, so hubs are one key away.
            actors = [a for a in graph.actors.values() if kind in (None, a.kind)]
            actors.sort(key=lambda a: (-graph.degree(a.id), a.name.casefold()))
            return [SearchHit(a.id, 0.0, a.name) for a in actors]
        return graph.search(text, kind=kind, limit=limit)

    @work(thread=True, exclusive=True, group="search")
    def _search_in_thread(self, text: str, kind: str | None, keep: str | None) -> None:
        # Ranking every actor of a big store takes a few hundred ms: here, not on the UI thread.
        # A SQLite store ranks by index and stops once it has the best `limit`:
        # 200 keeps a keystroke near 10 ms at a million actors (5,000: ~100 ms).
        hits = self._find(text, kind, limit=LAZY_SEARCH_LIMIT if self.khorasan.graph.lazy else 5_000)
        keys = [h.actor_id for h in hits]
        self.app.call_from_thread(self._show_hits, text, hits, keys, keep)

    def _show_hits(
        self,
        text: str,
        hits: Sequence[SearchHit],
        keys: Sequence[str] | None = None,
        keep: str | None = None,
    ) -> None:
        app = self.khorasan
        self._hits = hits
        graph = app.graph

        def render(index: int, width: int) -> Text:
            hit = hits[index]
            actor = graph.actors.get(hit.actor_id)
            return actor_row(graph, actor, width, matched=hit.matched) if actor else Text("")

        actor_list = self.query_one("#actor-list", RowList)
        if keep is None and not text.strip():
            keep = app.current
        keys = keys if keys is not None else [h.actor_id for h in hits]
        actor_list.set_rows(keys, render, keep_key=keep, announce=False)
        # A SQLite store's search stops at the best LAZY_SEARCH_LIMIT: say so, not "200 of 1,000,000".
        capped = graph.lazy and text.strip() and len(hits) >= LAZY_SEARCH_LIMIT
        status = Text(f"{'best ' if capped else ''}{len(hits)} of {len(graph.actors)}", style="bold")
        status.append(f"  kind: {app.kind_filter or 'all'} (K)", style="dim")
        # One line of fixed height: no need to lay the whole screen out again.
        self.query_one("#actors-status", Static).update(status, layout=False)

    # -- list events ---------------------------------------------------------------
    @on(RowList.Highlighted, "#actor-list")
    def _actor_highlighted(self, event: RowList.Highlighted) -> None:
        # Only a user's move announces itself (refills pass announce=False); the
        # focus may already be elsewhere when this arrives ("j" then tab, typed fast).
        self.post_message(ActorOpened(event.key, from_list=True))

    @on(RowList.Selected, "#actor-list")
    def _actor_selected(self, event: RowList.Selected) -> None:
        self.post_message(ActorOpened(event.key))
        self.query_one("#tie-list", RowList).focus()

    @on(RowList.Highlighted, "#tie-list")
    def _tie_highlighted(self, event: RowList.Highlighted) -> None:
        self._show_tie_quote(event.key)

    def _show_tie_quote(self, tie_id: str | None) -> None:
        app = self.khorasan
        tie = app.graph.ties.get(tie_id) if tie_id else None
        if tie is not None:
            self.query_one("#tie-quote", Static).update(tie_detail(app.graph, tie))

    @on(RowList.Selected, "#tie-list")
    def _tie_selected(self, event: RowList.Selected) -> None:
        app = self.khorasan
        tie = app.graph.ties.get(event.key)
        if tie is not None and app.current:
            self.post_message(ActorOpened(tie.other(app.current)))

    # -- actions -------------------------------------------------------------------
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:  # (has_focus lags until the Focus event is handled)
            # The binding has priority, so in the box "/" must be typed for it: queued
            # behind the letters typed before it, not inserted ahead of them.
            search._forward_event(events.Key("slash", "/"))
            return
        # At once: Widget.focus would wait until the keys already typed were routed.
        self.set_focus(search)
        search.select_all()

    PANES = ("#actor-list", "#detail-pane", "#tie-list")

    def _focused_pane_index(self) -> int:
        focused = self.focused
        for i, selector in enumerate(self.PANES):
            pane = self.query_one(selector)
            if focused is pane or (focused is not None and pane in focused.ancestors):
                return i
        if focused is self.query_one("#search"):
            return 0
        return -1

    def action_focus_next_pane(self) -> None:
        self._cycle_pane(1)

    def action_focus_previous_pane(self) -> None:
        self._cycle_pane(-1)

    def _cycle_pane(self, step: int) -> None:
        index = self._focused_pane_index()
        order = list(self.PANES)
        target = order[(index + step) % len(order)] if index >= 0 else order[0]
        if self.has_class("-narrow"):
            self.set_class(target == "#actor-list", "-show-actors")
        self.query_one(target).focus()

    def on_descendant_focus(self) -> None:
        if self.has_class("-narrow"):
            in_actors = self._focused_pane_index() == 0
            self.set_class(in_actors, "-show-actors")

    def action_filters(self) -> None:
        from .filters import FilterScreen

        self.app.push_screen(FilterScreen())

    def action_cycle_kind(self) -> None:
        kinds = [None, *KINDS]
        app = self.khorasan
        kind = kinds[(kinds.index(app.kind_filter) + 1) % len(kinds)]
        self.post_message(FiltersChanged(kind, app.tie_types, app.tie_statuses))

    def action_cycle_tie_type(self) -> None:
        app = self.khorasan
        present = sorted(app.graph.type_counts(app.current)) if app.current else []
        options: list[str | None] = [None, *present]
        current = next(iter(app.tie_types)) if app.tie_types and len(app.tie_types) == 1 else None
        nxt = options[(options.index(current) + 1) % len(options)] if current in options else None
        self.post_message(FiltersChanged(app.kind_filter, frozenset({nxt}) if nxt else None, app.tie_statuses))

    def action_cycle_status(self) -> None:
        app = self.khorasan
        options: list[str | None] = [None, *STATUS_GLYPHS]
        current = next(iter(app.tie_statuses)) if app.tie_statuses and len(app.tie_statuses) == 1 else None
        nxt = options[(options.index(current) + 1) % len(options)] if current in options else None
        self.post_message(FiltersChanged(app.kind_filter, app.tie_types, frozenset({nxt}) if nxt else None))

    def action_clear_filters(self) -> None:
        self.post_message(FiltersChanged(None, None, None))
        if self.khorasan.as_of:
            self.post_message(AsOfChanged(None))
