"""`p`: every shortest chain of ties between two actors, hop by hop, with the
quote behind each hop; options narrow the tie types, statuses and length."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from ..diagram import tie_glyph
from ..graph import Graph, Route, SearchHit, TieFilter
from ..model import (
    COOPERATIVE_TYPES,
    KIND_GLYPHS,
    STATUSES,
    TIE_TYPES,
    plural,
    status_label,
)
from ..pathtext import Hop, hop_facts, paths_text, route_step, routes_summary
from .analysis_screen import AnalysisScreen, as_of_note, open_analysis
from .registry import register_help
from .render import CITATION_GLYPH, actor_row, safe, safe_block, tie_copy, when
from .rowlist import RowList

if TYPE_CHECKING:
    from .main import KhorasanApp

# (label, only these types or None for all, never these types)
TYPE_PRESETS: list[tuple[str, frozenset[str] | None, frozenset[str]]] = [
    ("all tie types", None, frozenset()),
    ("cooperative ties only", frozenset(COOPERATIVE_TYPES), frozenset()),
    ("no family ties", None, frozenset({"family"})),
    ("no place ties", None, frozenset({"located_in", "operates_in"})),
    ("no family or place ties", None, frozenset({"family", "located_in", "operates_in"})),
]
STATUS_PRESETS: list[tuple[str, frozenset[str] | None]] = [
    ("all statuses but disputed", None),  # paths never walk disputed ties unless asked
    ("reported only", frozenset({"reported"})),
    ("reported or alleged", frozenset({"reported", "alleged"})),
    ("any status, disputed too", frozenset(STATUSES)),
]
DEFAULT_MAX_LENGTH = 6
LONGEST_MAX_LENGTH = 12
SUGGESTIONS = 8


class ActorSuggester(Suggester):
    """Completes a name or alias inline (right arrow accepts)."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.graph = graph

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        for hit in self.graph.search(value, limit=5, fuzzy=False):
            if hit.matched != "summary" and hit.matched.casefold().startswith(value):
                return safe(hit.matched)
        return None


class EndpointInput(Input):
    """A name box; up and down move through the matches listed under it (the
    RowList `suggestions` names, filled by `show_actor_suggestions`)."""

    BINDINGS = [
        Binding("down", "suggest(1)", "Next match", show=False, id="path.next-match"),
        Binding("up", "suggest(-1)", "Previous match", show=False, id="path.previous-match"),
        Binding("enter", "submit", "Choose", show=True, id="path.choose"),
    ]

    def __init__(self, *args, suggestions: str = "#path-suggest", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions

    def type_in(self, text: str) -> None:
        """Focus this box and add `text` after what it holds (focusing alone would select it all)."""
        self.select_on_focus = False
        self.focus()
        self.cursor_position = len(self.value)
        self.insert_text_at_cursor(text)

    def on_blur(self) -> None:
        self.select_on_focus = True

    def action_suggest(self, step: int) -> None:
        suggestions = self.screen.query_one(self.suggestions, RowList)
        if step > 0:
            suggestions.action_cursor_down()
        else:
            suggestions.action_cursor_up()


def show_actor_suggestions(graph: Graph, suggestions: RowList, text: str, leave_out: str | None = None) -> None:
    """The best matches for `text` (the most connected actors for no text), but `leave_out`."""
    if text.strip():
        hits = graph.search(text, limit=SUGGESTIONS + 1)
    else:
        hits = [SearchHit(a, 0.0, graph.actors[a].name) for a, _ in graph.most_connected(SUGGESTIONS + 1)]
    hits = [h for h in hits if h.actor_id != leave_out][:SUGGESTIONS]

    def render(index: int, width: int) -> Text:
        hit = hits[index]
        return actor_row(graph, graph.actors[hit.actor_id], width, matched=hit.matched)

    suggestions.set_rows([h.actor_id for h in hits], render)


class PathFinderScreen(AnalysisScreen):
    # Single letters typed into a name box are text, never these actions: hidden meanwhile.
    OPTION_ACTIONS = frozenset(
        {"cycle_types", "cycle_statuses", "longer", "shorter", "pick_types", "swap", "copy", "sources"}
    )
    BINDINGS = [
        Binding("T", "cycle_types", "Types", id="path.cycle-types"),
        Binding("S", "cycle_statuses", "Status", id="path.cycle-statuses"),
        Binding("plus,equals_sign", "longer", "Longer", key_display="+", show=False, id="path.longer"),
        Binding("minus", "shorter", "Shorter", key_display="-", show=False, id="path.shorter"),
        Binding("o", "pick_types", "Pick types", show=False, id="path.pick-types"),
        Binding("r", "swap", "Swap ends", show=False, id="path.swap"),
        Binding("y", "copy", "Copy", id="path.copy"),
        Binding("s", "sources", "Sources", show=False, id="path.sources"),
    ]

    def __init__(self, start: str | None = None, end: str | None = None) -> None:
        super().__init__(id="pathfinder")
        self.ends: list[str | None] = [start, end]
        self.type_preset = 0
        self.custom_types: frozenset[str] | None = None
        self.status_preset = 0
        self.max_length: int | None = DEFAULT_MAX_LENGTH
        self.routes: list[Route] = []
        self._active_input = 1

    # -- layout --------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        graph = self.khorasan.graph
        yield Header()
        with Horizontal(id="path-ends"):
            yield Label("From ", classes="path-label")
            yield EndpointInput(placeholder="a name or alias", id="path-from", suggester=ActorSuggester(graph))
            yield Label(" To ", classes="path-label")
            yield EndpointInput(placeholder="a name or alias", id="path-to", suggester=ActorSuggester(graph))
        yield Static("", id="path-options", markup=False)
        yield Static("", id="path-as-of", markup=False)
        yield RowList(id="path-suggest", empty_text="No actor matches")
        with Vertical(id="path-body"):
            yield Static("", id="path-status", markup=False)
            yield RowList(id="path-results", empty_text="No path to show")
            yield Static("", id="path-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        graph = self.khorasan.graph
        for index, selector in enumerate(("#path-from", "#path-to")):
            actor_id = self.ends[index]
            if actor_id in graph.actors:
                self._set_input(selector, graph.actors[actor_id].name)
        self._show_options()
        if self.ends[0] and self.ends[1]:
            self.find()
            self.query_one("#path-results", RowList).focus()
        else:
            self._clear_results()
            self.query_one("#path-to" if self.ends[0] else "#path-from", EndpointInput).focus()

    def _set_input(self, selector: str, value: str) -> None:
        box = self.query_one(selector, EndpointInput)
        with box.prevent(Input.Changed):
            box.value = safe(value)
        # show a long name from its start; focusing selects it all, so typing replaces it
        box.cursor_position = 0

    # -- choosing the ends ---------------------------------------------------------
    def on_descendant_focus(self) -> None:
        focused = self.focused
        typing = isinstance(focused, EndpointInput)
        self.set_class(typing, "-typing")
        self.refresh_bindings()
        if typing:
            self._active_input = 0 if focused.id == "path-from" else 1
            self._suggest(focused.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.OPTION_ACTIONS and isinstance(self.focused, Input))

    def on_key(self, event: events.Key) -> None:
        # While an end is missing a name is expected: letters and digits typed
        # outside the boxes go into one, rather than firing bindings (q quits).
        if isinstance(self.focused, Input) or None not in self.ends:
            return
        if not (event.character and event.character.isalnum()):
            return
        index = self._active_input if self.ends[self._active_input] is None else self.ends.index(None)
        event.stop()
        event.prevent_default()
        self.query_one("#path-to" if index else "#path-from", EndpointInput).type_in(event.character)

    def _suggest(self, text: str) -> None:
        show_actor_suggestions(self.khorasan.graph, self.query_one("#path-suggest", RowList), text)

    @on(Input.Changed, "#path-from, #path-to")
    def _typed(self, event: Input.Changed) -> None:
        index = 0 if event.input.id == "path-from" else 1
        self.ends[index] = None
        self._suggest(event.value)
        self._clear_results()

    @on(Input.Submitted, "#path-from, #path-to")
    def _submitted(self, event: Input.Submitted) -> None:
        index = 0 if event.input.id == "path-from" else 1
        if self.ends[index] is None and not event.value.strip():
            # The suggestions still show the other box's matches: an empty box
            # must not take one of them (enter in an empty To box once picked
            # From again and dropped the focus into the results).
            self.notify("Type a name or alias first.", severity="warning")
            return
        # An end shown unchanged (picked or pre-filled) is confirmed as it is.
        actor_id = self.ends[index] or self.query_one("#path-suggest", RowList).cursor_key
        if actor_id is None:
            self.notify("No actor matches that name.", severity="warning")
            return
        self.choose(index, actor_id)

    @on(RowList.Selected, "#path-suggest")
    def _suggestion_selected(self, event: RowList.Selected) -> None:
        self.choose(self._active_input, event.key)

    def choose(self, index: int, actor_id: str) -> None:
        graph = self.khorasan.graph
        if self.ends[1 - index] == actor_id:
            self.notify("From and To are the same actor: choose another.", severity="warning")
            return
        self.ends[index] = actor_id
        self._set_input("#path-from" if index == 0 else "#path-to", graph.actors[actor_id].name)
        self.find()
        # From, then To, then the results, like a form: picking From never drops
        # the focus into the results, where the next name typed would fire keys.
        if index == 0 or self.ends[0] is None:
            self.query_one("#path-to" if index == 0 else "#path-from", EndpointInput).focus()
        else:
            self.query_one("#path-results", RowList).focus()

    # -- options -------------------------------------------------------------------
    @property
    def tie_filter(self) -> TieFilter:
        if self.custom_types is not None:
            types, exclude = self.custom_types, frozenset()
        else:
            _, types, exclude = TYPE_PRESETS[self.type_preset]
        _, statuses = STATUS_PRESETS[self.status_preset]
        return TieFilter(types=types, exclude_types=exclude, statuses=statuses, as_of=self.khorasan.as_of)

    def options_summary(self) -> str:
        if self.custom_types is not None:
            left_out = sorted(set(TIE_TYPES) - self.custom_types)
            if len(left_out) < len(self.custom_types):
                types = "no " + ", ".join(left_out)
            else:
                types = "only " + ", ".join(sorted(self.custom_types))
        else:
            types = TYPE_PRESETS[self.type_preset][0]
        length = f"at most {self.max_length} hops" if self.max_length else "any length"
        parts = [types, STATUS_PRESETS[self.status_preset][0], length]
        if self.khorasan.as_of:
            parts.append(f"as of {self.khorasan.as_of}")
        return " · ".join(parts)

    def _show_options(self) -> None:
        text = Text()
        text.append("Options ", style="bold")
        text.append("(T o S + - r y)", style="dim")
        text.append(": " + self.options_summary())
        self.query_one("#path-options", Static).update(text)
        self.query_one("#path-as-of", Static).update(as_of_note(self.khorasan.as_of))

    def _options_changed(self) -> None:
        self._show_options()
        if self.ends[0] and self.ends[1]:
            self.find()

    def action_cycle_types(self) -> None:
        if self.custom_types is not None:
            self.custom_types = None
            self.type_preset = 0
        else:
            self.type_preset = (self.type_preset + 1) % len(TYPE_PRESETS)
        self._options_changed()

    def action_cycle_statuses(self) -> None:
        self.status_preset = (self.status_preset + 1) % len(STATUS_PRESETS)
        self._options_changed()

    def action_longer(self) -> None:
        if self.max_length is None:
            self.bell()
            return
        self.max_length = None if self.max_length >= LONGEST_MAX_LENGTH else self.max_length + 1
        self._options_changed()

    def action_shorter(self) -> None:
        if self.max_length == 1:
            self.bell()
            return
        self.max_length = LONGEST_MAX_LENGTH if self.max_length is None else self.max_length - 1
        self._options_changed()

    def action_pick_types(self) -> None:
        if self.custom_types is not None:
            allowed = self.custom_types
        else:
            _, types, exclude = TYPE_PRESETS[self.type_preset]
            allowed = frozenset(t for t in TIE_TYPES if (types is None or t in types) and t not in exclude)

        def picked(types: frozenset[str] | None) -> None:
            if types is None:
                return
            if types == frozenset(TIE_TYPES) or not types:
                self.custom_types = None
                self.type_preset = 0
            else:
                self.custom_types = types
            self._options_changed()

        self.app.push_screen(TypePicker(allowed), picked)

    def action_swap(self) -> None:
        self.ends.reverse()
        graph = self.khorasan.graph
        for index, selector in enumerate(("#path-from", "#path-to")):
            actor_id = self.ends[index]
            self._set_input(selector, graph.actors[actor_id].name if actor_id else "")
        self._options_changed()

    def as_of_changed(self) -> None:
        self._options_changed()

    # -- results -------------------------------------------------------------------
    def _clear_results(self) -> None:
        self.routes = []
        self.query_one("#path-results", RowList).set_rows([], lambda i, w: Text(""))
        self.query_one("#path-status", Static).update(
            Text("Choose both ends: type a name, enter picks it.", style="dim")
        )
        self.query_one("#path-detail", Static).update(Text(""))

    def find(self) -> None:
        graph = self.khorasan.graph
        start, end = self.ends
        if start is None or end is None:
            self._clear_results()
            return
        if start == end:
            self._clear_results()
            self.query_one("#path-status", Static).update(Text("Both ends are the same actor.", style="bold"))
            return
        self.routes = graph.shortest_routes(start, end, self.tie_filter, self.max_length)
        # One header per route, one row per hop, its ties under it.
        rows: list[tuple[int, int, int]] = []
        keys: list[str | None] = []
        for r, route in enumerate(self.routes):
            keys.append(None)
            rows.append((r, -1, -1))
            for h, ties in enumerate(route.hops):
                keys.append(f"{r}:{h}")
                rows.append((r, h, -1))
                for t in range(len(ties)):
                    keys.append(f"{r}:{h}:{t}")
                    rows.append((r, h, t))

        def render(index: int, width: int) -> Text:
            r, h, t = rows[index]
            if h < 0:
                return self._route_header(r)
            if t < 0:
                return self._hop_row(r, h)
            return self._tie_row(r, h, t)

        self.query_one("#path-results", RowList).set_rows(keys, render)
        status = Text()
        names = f"{safe(graph.actors[start].name)} → {safe(graph.actors[end].name)}"
        if self.routes:
            status.append(f"{routes_summary(self.routes)}: ", style="bold")
            status.append(names)
        else:
            status.append("No path: ", style="bold")
            status.append(names)
            status.append("  — try longer paths (+), other types (T) or statuses (S)", style="dim")
            self.query_one("#path-detail", Static).update(Text(""))
        self.query_one("#path-status", Static).update(status)

    def _route_header(self, r: int) -> Text:
        graph = self.khorasan.graph
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"── Route {r + 1} of {len(self.routes)}: ", style="bold")
        for i, actor_id in enumerate(self.routes[r].actors):
            actor = graph.actors[actor_id]
            if i:
                text.append(" → ", style="dim")
            text.append(f"{KIND_GLYPHS.get(actor.kind, '?')} {safe(actor.name)}", style="bold")
        return text

    def _hop_row(self, r: int, h: int) -> Text:
        graph = self.khorasan.graph
        route = self.routes[r]
        target = graph.actors[route.actors[h + 1]]
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append(f"{h + 1}. ", style="bold")
        row.append(f"{safe(graph.actors[route.actors[h]].name)} → ")
        row.append(f"{KIND_GLYPHS.get(target.kind, '?')} {safe(target.name)}", style="bold")
        row.append(f"  ({plural(len(route.hops[h]), 'tie')})", style="dim")
        return row

    def _tie_row(self, r: int, h: int, t: int) -> Text:
        hop = route_step(self.routes[r], h)[t]
        tie = hop.tie
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append("   └ " if t == len(self.routes[r].hops[h]) - 1 else "   ├ ", style="dim")
        row.append(f"{tie_glyph(tie.type)} {hop.wording}", style="italic")
        if hop.wording != tie.type.replace("_", " "):
            row.append(f" ({tie.type})", style="dim")
        row.append(f"  {status_label(tie.status)}", style="dim" if tie.status == "reported" else "")
        span = when(tie.start, tie.end)
        if span:
            row.append(f"  {span}", style="dim")
        if tie.citations:
            row.append(f"  {CITATION_GLYPH} “{safe(tie.citations[0].quote)}”", style="italic dim")
        else:
            row.append("  no citation", style="italic dim")
        return row

    def current_hop(self) -> Hop | None:
        """The highlighted tie, or on a hop's row its first tie."""
        key = self.query_one("#path-results", RowList).cursor_key
        if key is None or not self.routes:
            return None
        r, h, *t = (int(part) for part in key.split(":"))
        return route_step(self.routes[r], h)[t[0] if t else 0]

    @on(RowList.Highlighted, "#path-results")
    def _hop_highlighted(self, event: RowList.Highlighted) -> None:
        key = self.query_one("#path-results", RowList).cursor_key
        if key is None or not self.routes:
            return
        graph = self.khorasan.graph
        r, h, *t = (int(part) for part in key.split(":"))
        hops = route_step(self.routes[r], h)
        text = Text()
        if not t:
            text.append(safe(graph.actors[hops[0].from_id].name), style="bold")
            text.append(" → ")
            text.append(safe(graph.actors[hops[0].to_id].name), style="bold")
            text.append(f": {plural(len(hops), 'tie')}", style="dim")
            for hop in hops:
                text.append(f"\n{tie_glyph(hop.tie.type)} {hop.wording}", style="italic")
                text.append(f" · {safe(hop_facts(graph, hop))}", style="dim")
            self.query_one("#path-detail", Static).update(text)
            return
        hop = hops[t[0]]
        text.append(safe(graph.actors[hop.from_id].name), style="bold")
        text.append(f" — {hop.wording} → ", style="italic")
        text.append(safe(graph.actors[hop.to_id].name), style="bold")
        text.append(f"\n{safe(hop_facts(graph, hop))}", style="dim")
        for citation in hop.tie.citations:
            source = graph.data.sources.get(citation.source)
            text.append(f"\n{CITATION_GLYPH} ", style="bold")
            text.append(f"“{safe_block(citation.quote)}”", style="italic")
            text.append(f" — ▤ {safe(source.title if source else citation.source)}", style="dim")
        self.query_one("#path-detail", Static).update(text)

    @on(RowList.Selected, "#path-results")
    def _hop_selected(self, event: RowList.Selected) -> None:
        hop = self.current_hop()
        if hop is not None:
            self.open_actor_and_close(hop.to_id)

    def action_sources(self) -> None:
        from .sources import SourcesScreen

        hop = self.current_hop()
        if hop is not None and self.query_one("#path-results", RowList).has_focus:
            self.app.push_screen(SourcesScreen(hop.from_id, hop.tie.id))

    def plain_text(self) -> str:
        start, end = self.ends
        return paths_text(self.khorasan.graph, start, end, self.routes, self.options_summary())

    def action_copy(self) -> None:
        """y: the highlighted tie with its quotes; on a route or hop line, every route."""
        if not (self.ends[0] and self.ends[1]):
            self.notify("Choose both ends first.", severity="warning")
            return
        key = self.query_one("#path-results", RowList).cursor_key
        hop = self.current_hop()
        if key is not None and key.count(":") == 2 and hop is not None:
            self.khorasan.copy_text(
                tie_copy(self.khorasan.graph, hop.tie, hop.from_id), "the tie with its quotes and documents"
            )
            return
        text = self.plain_text()
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Copied {plural(len(self.routes), 'route')} with their citations"
            f" ({plural(len(text.splitlines()), 'line')})."
        )


class TypePicker(ModalScreen[frozenset[str] | None]):
    """`o`: tick the tie types a path may use."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="path-types.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="path-types.apply"),
        Binding("a", "apply", "Apply", show=False, id="path-types.apply-a"),
    ]

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__()
        self.allowed = allowed

    def compose(self) -> ComposeResult:
        with Vertical(id="type-picker"):
            yield Label("Tie types a path may use · space toggles · a or ctrl+s applies")
            yield SelectionList(
                *[
                    Selection(
                        Text(f"{tie_glyph(t)} {t}" + (" (cooperative)" if t in COOPERATIVE_TYPES else "")),
                        t,
                        t in self.allowed,
                    )
                    for t in TIE_TYPES
                ],
                id="type-picker-list",
            )
            yield Button("Apply", id="type-picker-apply", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#type-picker-list").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        self.dismiss(frozenset(self.query_one("#type-picker-list", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_path_finder(app: KhorasanApp) -> None:
    if app.graph is None or isinstance(app.screen, PathFinderScreen):
        return
    open_analysis(app, PathFinderScreen(app.current))


register_help("Path finder (p)", PathFinderScreen)
register_help("Path finder name boxes", EndpointInput)
register_help("Path finder type picker", TypePicker)
