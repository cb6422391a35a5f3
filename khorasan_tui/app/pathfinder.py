"""`p`: every shortest chain of ties between two actors, hop by hop, with the
quote behind each hop; options narrow the tie types, statuses and length."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from ..diagram import tie_glyph
from ..graph import Graph, SearchHit, TieFilter
from ..model import (
    COOPERATIVE_TYPES,
    KIND_GLYPHS,
    TIE_TYPES,
    Tie,
    status_label,
)
from ..pathtext import Hop, hop_facts, path_hops, paths_text
from .registry import register_help
from .render import CITATION_GLYPH, actor_row, safe, safe_block, when
from .rowlist import RowList
from .timeline_screen import AnalysisScreen, as_of_note, open_analysis

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
    ("all statuses", None),
    ("reported only", frozenset({"reported"})),
    ("reported or alleged", frozenset({"reported", "alleged"})),
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
    """A name box; up and down move through the matches listed under it."""

    BINDINGS = [
        Binding("down", "suggest(1)", "Next match", show=False),
        Binding("up", "suggest(-1)", "Previous match", show=False),
        Binding("enter", "submit", "Choose", show=True),
    ]

    def action_suggest(self, step: int) -> None:
        suggestions = self.screen.query_one("#path-suggest", RowList)
        if step > 0:
            suggestions.action_cursor_down()
        else:
            suggestions.action_cursor_up()


class PathFinderScreen(AnalysisScreen):
    BINDINGS = [
        Binding("T", "cycle_types", "Types"),
        Binding("S", "cycle_statuses", "Status"),
        Binding("plus,equals_sign", "longer", "Longer", key_display="+", show=False),
        Binding("minus", "shorter", "Shorter", key_display="-", show=False),
        Binding("o", "pick_types", "Pick types", show=False),
        Binding("r", "swap", "Swap ends", show=False),
        Binding("y", "copy", "Copy"),
        Binding("s", "sources", "Sources", show=False),
    ]

    def __init__(self, start: str | None = None, end: str | None = None) -> None:
        super().__init__(id="pathfinder")
        self.ends: list[str | None] = [start, end]
        self.type_preset = 0
        self.custom_types: frozenset[str] | None = None
        self.status_preset = 0
        self.max_length: int | None = DEFAULT_MAX_LENGTH
        self.paths: list[list[Tie]] = []
        self.hops: list[list[Hop]] = []
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
        if typing:
            self._active_input = 0 if focused.id == "path-from" else 1
            self._suggest(focused.value)

    def _suggest(self, text: str) -> None:
        graph = self.khorasan.graph
        if text.strip():
            hits = graph.search(text, limit=SUGGESTIONS)
        else:
            hits = [SearchHit(a, 0.0, graph.actors[a].name) for a, _ in graph.most_connected(SUGGESTIONS)]

        def render(index: int, width: int) -> Text:
            hit = hits[index]
            return actor_row(graph, graph.actors[hit.actor_id], width, matched=hit.matched)

        self.query_one("#path-suggest", RowList).set_rows([h.actor_id for h in hits], render)

    @on(Input.Changed, "#path-from, #path-to")
    def _typed(self, event: Input.Changed) -> None:
        index = 0 if event.input.id == "path-from" else 1
        self.ends[index] = None
        self._suggest(event.value)
        self._clear_results()

    @on(Input.Submitted, "#path-from, #path-to")
    def _submitted(self, event: Input.Submitted) -> None:
        index = 0 if event.input.id == "path-from" else 1
        actor_id = self.query_one("#path-suggest", RowList).cursor_key
        if actor_id is None:
            self.notify("No actor matches that name.", severity="warning")
            return
        self.choose(index, actor_id)

    @on(RowList.Selected, "#path-suggest")
    def _suggestion_selected(self, event: RowList.Selected) -> None:
        self.choose(self._active_input, event.key)

    def choose(self, index: int, actor_id: str) -> None:
        graph = self.khorasan.graph
        self.ends[index] = actor_id
        self._set_input("#path-from" if index == 0 else "#path-to", graph.actors[actor_id].name)
        other = 1 - index
        if self.ends[other] is None:
            self.query_one("#path-to" if other else "#path-from", EndpointInput).focus()
            return
        self.find()
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
        self.paths = []
        self.hops = []
        self.query_one("#path-results", RowList).set_rows([], lambda i, w: Text(""))
        self.query_one("#path-status", Static).update(Text("Choose both ends: type a name, enter picks it.", style="dim"))
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
        self.paths = graph.shortest_paths(start, end, self.tie_filter, self.max_length)
        self.hops = [path_hops(start, path) for path in self.paths]
        rows: list[tuple[str, int, int]] = []
        keys: list[str | None] = []
        for i, hops in enumerate(self.hops):
            keys.append(None)
            rows.append(("path", i, -1))
            for j in range(len(hops)):
                keys.append(f"{i}:{j}")
                rows.append(("hop", i, j))
                keys.append(None)
                rows.append(("quote", i, j))

        def render(index: int, width: int) -> Text:
            kind, i, j = rows[index]
            if kind == "path":
                return self._path_header(i)
            if kind == "hop":
                return self._hop_row(self.hops[i], j)
            return self._quote_row(self.hops[i], j)

        self.query_one("#path-results", RowList).set_rows(keys, render)
        status = Text()
        names = f"{safe(graph.actors[start].name)} → {safe(graph.actors[end].name)}"
        if self.paths:
            hops = len(self.paths[0])
            status.append(f"{len(self.paths)} shortest path(s) of {hops} hop(s): ", style="bold")
            status.append(names)
            if len(self.paths) >= 200:
                status.append("  (first 200)", style="dim")
        else:
            status.append("No path: ", style="bold")
            status.append(names)
            status.append("  — try longer paths (+), other types (T) or statuses (S)", style="dim")
            self.query_one("#path-detail", Static).update(Text(""))
        self.query_one("#path-status", Static).update(status)

    def _path_header(self, i: int) -> Text:
        graph = self.khorasan.graph
        start = graph.actors[self.ends[0]]
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"── Path {i + 1} of {len(self.paths)} from ", style="bold")
        text.append(f"{KIND_GLYPHS.get(start.kind, '?')} {safe(start.name)}", style="bold")
        return text

    def _hop_row(self, hops: list[Hop], j: int) -> Text:
        graph = self.khorasan.graph
        hop = hops[j]
        tie = hop.tie
        target = graph.actors[hop.to_id]
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append("└ " if j == len(hops) - 1 else "├ ", style="dim")
        row.append(f"{tie_glyph(tie.type)} {hop.wording}", style="italic")
        if hop.wording != tie.type.replace("_", " "):
            row.append(f" ({tie.type})", style="dim")
        row.append(" → ")
        row.append(f"{KIND_GLYPHS.get(target.kind, '?')} ", style="bold")
        row.append(safe(target.name), style="bold")
        tail = f"  {status_label(tie.status)}"
        span = when(tie.start, tie.end)
        if span:
            tail += f"  {span}"
        row.append(tail, style="dim" if tie.status == "reported" else "")
        return row

    def _quote_row(self, hops: list[Hop], j: int) -> Text:
        graph = self.khorasan.graph
        tie = hops[j].tie
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        # header rows get no cursor margin in RowList, so indent by its width
        row.append("  │   " if j < len(hops) - 1 else "      ", style="dim")
        if not tie.citations:
            row.append("no citation", style="italic dim")
            return row
        first = tie.citations[0]
        source = graph.data.sources.get(first.source)
        row.append(f"{CITATION_GLYPH} “{safe(first.quote)}”", style="italic")
        row.append(f" — {safe(source.title if source else first.source)}", style="dim")
        if len(tie.citations) > 1:
            row.append(f" +{len(tie.citations) - 1}", style="dim")
        return row

    def current_hop(self) -> Hop | None:
        key = self.query_one("#path-results", RowList).cursor_key
        if key is None or not self.hops:
            return None
        i, j = (int(part) for part in key.split(":"))
        return self.hops[i][j]

    @on(RowList.Highlighted, "#path-results")
    def _hop_highlighted(self, event: RowList.Highlighted) -> None:
        hop = self.current_hop()
        if hop is None:
            return
        graph = self.khorasan.graph
        text = Text()
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
        return paths_text(self.khorasan.graph, start, end, self.paths, self.options_summary())

    def action_copy(self) -> None:
        if not (self.ends[0] and self.ends[1]):
            self.notify("Choose both ends first.", severity="warning")
            return
        text = self.plain_text()
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(self.paths)} path(s) with their citations ({len(text.splitlines())} lines).")


class TypePicker(ModalScreen[frozenset[str] | None]):
    """`o`: tick the tie types a path may use."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
        Binding("a", "apply", "Apply", show=False),
    ]

    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__()
        self.allowed = allowed

    def compose(self) -> ComposeResult:
        with Vertical(id="type-picker"):
            yield Label("Tie types a path may use · space toggles · a or ctrl+s applies")
            yield SelectionList(
                *[
                    Selection(Text(f"{tie_glyph(t)} {t}" + (" (cooperative)" if t in COOPERATIVE_TYPES else "")), t, t in self.allowed)
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
