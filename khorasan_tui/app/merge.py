"""`M`: merge another actor into the current one (a duplicate under another
name): pick it with the path finder's type-ahead, read what the merge does,
confirm. `edit.Editor.merge_actors` does the work; `u` undoes it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..graph import Graph
from .pathfinder import ActorSuggester, EndpointInput, show_actor_suggestions
from .registry import register_help
from .render import safe
from .rowlist import RowList


class MergePickerScreen(ModalScreen[str | None]):
    """Type a name; up/down move through the matches, enter picks, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="merge.cancel")]

    def __init__(self, graph: Graph, keep_id: str) -> None:
        super().__init__()
        self.graph = graph
        self.keep_id = keep_id

    def compose(self) -> ComposeResult:
        keep = self.graph.actors[self.keep_id]
        with Vertical(id="merge-dialog"):
            question = Text(f"Merge which actor into {safe(keep.name)}?", style="bold")
            question.append("\n↑ ↓ move through the matches · enter picks · esc cancels", style="dim")
            yield Label(question)
            yield EndpointInput(
                placeholder="the duplicate's name or alias",
                id="merge-input",
                suggester=ActorSuggester(self.graph),
                suggestions="#merge-suggest",
            )
            yield RowList(id="merge-suggest", empty_text="No actor matches")
            yield Static("", id="merge-error", markup=False)

    def on_mount(self) -> None:
        self._suggest("")
        self.query_one("#merge-input", Input).focus()

    def _suggest(self, text: str) -> None:
        show_actor_suggestions(self.graph, self.query_one("#merge-suggest", RowList), text, leave_out=self.keep_id)

    @on(Input.Changed, "#merge-input")
    def _typed(self, event: Input.Changed) -> None:
        self._suggest(event.value)

    @on(Input.Submitted, "#merge-input")
    def _submitted(self) -> None:
        self._pick(self.query_one("#merge-suggest", RowList).cursor_key)

    @on(RowList.Selected, "#merge-suggest")
    def _selected(self, event: RowList.Selected) -> None:
        self._pick(event.key)

    def _pick(self, actor_id: str | None) -> None:
        if actor_id is None:
            self.query_one("#merge-error", Static).update(Text("No actor matches that name.", style="bold"))
            return
        self.dismiss(actor_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


register_help("Merge: pick the actor (M)", MergePickerScreen)
