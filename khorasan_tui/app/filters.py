"""`f`: filter actors by kind and ties by type and status, all keyboard-driven."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Label, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from ..model import KINDS, STATUS_GLYPHS, STATUSES, TIE_TYPES, kind_label
from .messages import FiltersChanged


class TickList(SelectionList):
    """A SelectionList whose ticks read without colour ([x] / [ ]) and that moves with j/k."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="ticklist.down"),
        Binding("k", "cursor_up", "Up", show=False, id="ticklist.up"),
    ]

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        try:
            selection = self.get_option_at_index(round(self.scroll_offset.y) + y)
        except OptionDoesNotExist:
            return strip
        if len(segments) < 3:
            return strip
        # The first three segments are SelectionList's coloured button; the same
        # glyph whether ticked or not, so replace it with one that says which.
        mark = "[x]" if selection.value in self._selected else "[ ]"
        return Strip([Segment(mark, segments[1].style), *segments[3:]])


class FilterScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
        Binding("a", "apply", "Apply", show=False, id="filters.apply-a"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        with Vertical(id="filter-dialog"):
            yield Label("Filters — j/k move, space ticks, tab next list, ctrl+s applies, escape cancels")
            with Horizontal(id="filter-lists"):
                with Vertical():
                    yield Label("Actor kind (none = all)")
                    yield TickList(
                        *[Selection(Text(kind_label(k)), k, app.kind_filter == k) for k in KINDS],
                        id="filter-kinds",
                    )
                with Vertical():
                    yield Label("Tie types (none = all)")
                    yield TickList(
                        *[Selection(Text(t), t, bool(app.tie_types and t in app.tie_types)) for t in TIE_TYPES],
                        id="filter-types",
                    )
                with Vertical():
                    yield Label("Status (none = all)")
                    yield TickList(
                        *[
                            Selection(
                                Text(f"{STATUS_GLYPHS[s]} {s}"), s, bool(app.tie_statuses and s in app.tie_statuses)
                            )
                            for s in STATUSES
                        ],
                        id="filter-statuses",
                    )
            with Horizontal(id="filter-buttons"):
                yield Button("Apply", id="filter-apply", variant="primary")
                yield Button("Clear all", id="filter-clear")

    def on_mount(self) -> None:
        self.query_one("#filter-types").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "filter-clear":
            for selector in ("#filter-kinds", "#filter-types", "#filter-statuses"):
                self.query_one(selector, SelectionList).deselect_all()
        self.action_apply()

    def action_apply(self) -> None:
        kinds = self.query_one("#filter-kinds", SelectionList).selected
        types = self.query_one("#filter-types", SelectionList).selected
        statuses = self.query_one("#filter-statuses", SelectionList).selected
        # The actor list takes one kind at a time; the last ticked wins.
        kind = kinds[-1] if kinds else None
        self.app.post_message(FiltersChanged(kind, frozenset(types) or None, frozenset(statuses) or None))
        self.app.pop_screen()

    def action_cancel(self) -> None:
        self.app.pop_screen()
