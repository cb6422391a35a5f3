"""`g`: the current actor and its neighbours drawn with box-drawing characters
(layout in `khorasan_tui.diagram`), a focus to move between nodes, enter to
recentre."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Header, Static

from ..diagram import Diagram, Node, layout, move_focus, tie_glyph
from ..model import KIND_GLYPHS, plural
from .analysis_screen import AnalysisScreen, as_of_note, open_analysis
from .messages import ActorOpened
from .registry import register_help
from .render import safe

if TYPE_CHECKING:
    from .main import KhorasanApp

# Colour only repeats what glyphs and words already say.
STYLES: dict[str | None, Style] = {
    None: Style(),
    "focus": Style(reverse=True, bold=True),
    "centre": Style(bold=True),
    "centre-border": Style(bold=True),
    "border": Style(dim=True),
    "line": Style(dim=True),
    "name": Style(),
    "name2": Style(italic=True),
    "status": Style(bold=True),
    "more": Style(italic=True),
    "dim": Style(dim=True),
    "legend": Style(dim=True),
    "type-hostile": Style(color="red", bold=True),
    "type-cooperative": Style(color="green", bold=True),
    "type-structure": Style(color="cyan", bold=True),
    "type-action": Style(color="magenta", bold=True),
    "type-place": Style(color="yellow"),
    "type-other": Style(bold=True),
}


class DiagramView(ScrollView, can_focus=True):
    """Paints a `Diagram` line by line, scrolled in both directions."""

    DEFAULT_CSS = """
    DiagramView { overflow-x: auto; overflow-y: auto; }
    """

    # The arrows move the focus between nodes, not the scroll position
    # (ScrollView binds them to scrolling); scrolling follows the focus.
    BINDINGS = [
        Binding("up,k", "screen.move('up')", "Up", show=False, id="diagram.move-up"),
        Binding("down,j", "screen.move('down')", "Down", show=False, id="diagram.move-down"),
        Binding("left,h", "screen.move('left')", "Left", show=False, id="diagram.move-left"),
        Binding("right,l", "screen.move('right')", "Right", show=False, id="diagram.move-right"),
        Binding("home", "screen.focus_centre", "Centre", show=False, id="diagram.focus-centre"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.diagram: Diagram | None = None
        self.focus_index = 0

    def show(self, diagram: Diagram, focus_index: int) -> None:
        self.diagram = diagram
        self.focus_index = focus_index
        self.virtual_size = Size(diagram.width, diagram.height)
        self.refresh()

    def set_focus_index(self, index: int) -> None:
        self.focus_index = index
        self.refresh()
        self.scroll_to_node()

    def scroll_to_node(self) -> None:
        node = self.focused_node
        if node is None:
            return
        # a little room above and below, so neighbours of the node stay in sight
        region = Region(max(node.start - 1, 0), max(node.row - 1, 0), node.end - node.start + 1, 3)
        self.scroll_to_region(region, animate=False, immediate=True, force=True)

    @property
    def focused_node(self) -> Node | None:
        if self.diagram is None or not 0 <= self.focus_index < len(self.diagram.nodes):
            return None
        return self.diagram.nodes[self.focus_index]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        if self.diagram is None or row >= self.diagram.height:
            return Strip.blank(width, base)
        runs = self.diagram.runs(row, self.focus_index)
        segments = [Segment(text, base + STYLES.get(style, Style())) for text, style in runs]
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)


class DiagramScreen(AnalysisScreen):
    BINDINGS = [
        Binding("up,k", "move('up')", "Node above", show=False, id="diagram.move-up"),
        Binding("down,j", "move('down')", "Node below", show=False, id="diagram.move-down"),
        Binding("left,h", "move('left')", "Column to the left", show=False, id="diagram.move-left"),
        Binding("right,l", "move('right')", "Column to the right", show=False, id="diagram.move-right"),
        Binding("tab", "move('next')", "Next group", show=False, id="diagram.move-next"),
        Binding("shift+tab", "move('previous')", "Previous group", show=False, id="diagram.move-previous"),
        Binding("home", "focus_centre", "Back to the centre", show=False, id="diagram.focus-centre"),
        Binding("enter", "activate", "Recentre", id="diagram.activate"),
        Binding("2", "toggle_depth", "Depth 1/2", id="diagram.toggle-depth"),
    ]

    def __init__(self, centre: str) -> None:
        super().__init__(id="diagram")
        self.centre = centre
        self.depth = 1
        self.expanded: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="diagram-status", markup=False)
        yield Static("", id="diagram-as-of", markup=False)
        yield DiagramView(id="diagram-view")
        yield Static("", id="diagram-focus", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DiagramView).focus()
        self.rebuild()

    def on_resize(self, event: events.Resize) -> None:
        self.rebuild()

    @property
    def view(self) -> DiagramView:
        return self.query_one(DiagramView)

    def rebuild(self, focus_actor: str | None = None, focus_group: str | None = None) -> None:
        app = self.khorasan
        graph = app.graph
        if self.centre not in graph.actors:
            return
        view = self.view
        width = max(view.size.width - 2, 40)
        height = max(view.size.height, 10)
        old = view.focused_node
        diagram = layout(
            graph,
            self.centre,
            depth=self.depth,
            tie_filter=app.tie_filter,
            width=width,
            view_height=height,
            expanded=self.expanded,
        )
        index = 0
        if focus_actor is not None or old is not None:
            wanted_actor = focus_actor if focus_actor is not None else old.actor_id
            wanted_group = focus_group if focus_group is not None else old.group
            same_actor = [i for i, n in enumerate(diagram.nodes) if n.actor_id == wanted_actor]
            same_group = [i for i in same_actor if diagram.nodes[i].group == wanted_group]
            pick = same_group or same_actor or [i for i, n in enumerate(diagram.nodes) if n.group == wanted_group]
            index = pick[0] if pick else 0
        view.show(diagram, index)
        view.call_after_refresh(view.scroll_to_node)
        self._show_status(diagram)
        self._show_focus()

    def _show_status(self, diagram: Diagram) -> None:
        app = self.khorasan
        graph = app.graph
        actor = graph.actors[self.centre]
        # Counting only: reach() skips collecting the ties among the whole ring.
        actors = graph.reach(self.centre, self.depth, app.tie_filter)
        ties = len(graph.ties_of(self.centre, app.tie_filter))
        text = Text()
        text.append(f"{KIND_GLYPHS.get(actor.kind, '?')} {safe(actor.name)}", style="bold")
        if self.depth == 1:
            text.append(f" · {plural(ties, 'tie')} to {plural(len(actors) - 1, 'actor')}", style="bold")
        else:
            text.append(f" · {len(actors) - 1} actors within 2 hops", style="bold")
        text.append(f" · {len(diagram.groups)} groups · depth {self.depth} (2)", style="dim")
        if app.tie_types or app.tie_statuses:
            text.append(f" · filters: {app.filter_summary()}", style="dim")
        self.query_one("#diagram-status", Static).update(text)
        self.query_one("#diagram-as-of", Static).update(as_of_note(app.as_of))

    def _show_focus(self) -> None:
        view = self.view
        node = view.focused_node
        diagram = view.diagram
        graph = self.khorasan.graph
        text = Text(no_wrap=True, overflow="ellipsis")
        if node is None or diagram is None:
            self.query_one("#diagram-focus", Static).update(text)
            return
        group = next((g for g in diagram.groups if g.key == node.group), None)
        if node.actor_id is None and group is not None:
            text.append(f"… {group.hidden} more {group.wording}", style="bold")
            text.append(" · enter shows them all", style="dim")
        elif node.actor_id is not None:
            actor = graph.actors[node.actor_id]
            text.append(f"{KIND_GLYPHS.get(actor.kind, '?')} {safe(actor.name)}", style="bold")
            text.append(f" · {actor.kind} · {plural(graph.degree(actor.id), 'tie')}", style="dim")
            if node.depth == 0:
                text.append(" · the centre · enter: show it in the explorer", style="dim")
            elif node.depth == 1 and group is not None:
                centre = safe(graph.actors[self.centre].name)
                text.append(f" · {centre} {tie_glyph(group.tie_type)} {group.wording} {safe(actor.name)}")
                text.append(" · enter: recentre", style="dim")
            else:
                text.append(" · two hops away · enter: recentre", style="dim")
        self.query_one("#diagram-focus", Static).update(text)

    # -- keys ----------------------------------------------------------------------
    def action_move(self, direction: str) -> None:
        view = self.view
        if view.diagram is None:
            return
        index = move_focus(view.diagram, view.focus_index, direction)
        if index == view.focus_index and direction in ("up", "down"):
            # at the end of a column: scroll on, e.g. to the legend
            view.scroll_relative(y=-1 if direction == "up" else 1, animate=False)
            return
        view.set_focus_index(index)
        self._show_focus()

    def action_focus_centre(self) -> None:
        self.view.set_focus_index(0)
        self._show_focus()

    def action_activate(self) -> None:
        node = self.view.focused_node
        if node is None:
            return
        if node.actor_id is None:
            self.expanded = self.expanded | {node.group}
            diagram = self.view.diagram
            group = next(g for g in diagram.groups if g.key == node.group)
            first_new = group.members[group.shown].actor_id if group.hidden else None
            self.rebuild(focus_actor=first_new, focus_group=node.group)
            return
        if node.depth == 0:
            self.open_actor_and_close(node.actor_id)
            return
        self.recentre(node.actor_id)

    def recentre(self, actor_id: str) -> None:
        self.app.post_message(ActorOpened(actor_id))
        self.centre = actor_id
        self.expanded = frozenset()
        self.rebuild(focus_actor=actor_id, focus_group="")
        self.view.scroll_to(0, 0, animate=False, immediate=True)

    def action_toggle_depth(self) -> None:
        self.depth = 2 if self.depth == 1 else 1
        self.rebuild()

    def as_of_changed(self) -> None:
        self.rebuild()


def open_diagram(app: KhorasanApp) -> None:
    if app.graph is None or app.current is None or isinstance(app.screen, DiagramScreen):
        return
    open_analysis(app, DiagramScreen(app.current))


register_help("Neighbourhood diagram (g)", DiagramScreen)
