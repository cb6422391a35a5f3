"""`t`: events and dated ties in date order, and `@`, the dialog that sets the
"as of" date every view obeys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, Static

from ..analysis import TimelineEntry, as_of_entries, entries_between, parse_span, tie_title, timeline
from ..diagram import tie_glyph
from ..graph import Graph
from ..model import KIND_GLYPHS, STATUS_GLYPHS, Tie, is_partial_date, plural, status_label
from .analysis_screen import AnalysisScreen, as_of_note, open_analysis
from .messages import AsOfChanged
from .registry import register_help
from .render import CITATION_GLYPH, citation_copy, safe, safe_block, tie_copy
from .rowlist import RowList

if TYPE_CHECKING:
    from .main import KhorasanApp


# A SQLite store's whole timeline shows this many entries of a span at a time.
TIMELINE_WINDOW = 2_000


class AsOfDialog(ModalScreen[None]):
    """`@`: type an "as of" date; an empty date clears it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Cancel", id="as-of.cancel")]

    def compose(self) -> ComposeResult:
        app = self.app
        with Vertical(id="as-of-dialog"):
            yield Label("As of (YYYY, YYYY-MM or YYYY-MM-DD) · empty clears · esc cancels")
            yield Input(value=app.as_of or "", placeholder="e.g. 2020 or 2021-08-26", id="as-of-input")
            yield Static("", id="as-of-error", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#as-of-input", Input)
        box.focus()
        box.select_all()  # typing replaces the current date

    @on(Input.Submitted, "#as-of-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value and not is_partial_date(value):
            self.query_one("#as-of-error", Static).update(Text(f"{safe(value)!r} is not a date", style="bold"))
            return
        self.app.post_message(AsOfChanged(value or None))
        self.app.pop_screen()


# -- the timeline --------------------------------------------------------------------


def entry_glyph(graph: Graph, entry: TimelineEntry) -> str:
    if entry.kind == "event":
        return KIND_GLYPHS["event"]
    tie = graph.ties.get(entry.id)
    return tie_glyph(tie.type) if tie else "?"


def document_label(graph: Graph, doc_id: str) -> str:
    source = graph.data.sources.get(doc_id)
    return safe(source.title if source else doc_id)


class SpanDialog(ModalScreen[tuple[str | None, str | None] | None]):
    """`/` in the timeline: a year, a month, a day or a span of them; empty shows everything."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="span.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="span-dialog"):
            yield Label("Year, month or span: 2020 · 2018..2020 · 2019.. · empty: all")
            yield Input(value=self.current, placeholder="e.g. 2020 or 2018..2021", id="span-input")
            yield Static("", id="span-error", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#span-input", Input)
        box.focus()
        box.select_all()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#span-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            span = parse_span(event.value)
        except ValueError as exc:
            self.query_one("#span-error", Static).update(Text(safe(str(exc)), style="bold"))
            return
        self.dismiss(span)


class TimelineScreen(AnalysisScreen):
    BINDINGS = [
        Binding("slash", "jump", "Year/span", key_display="/", id="timeline.span"),
        Binding("v", "toggle_scope", "Actor/all", id="timeline.toggle-scope"),
        Binding("o", "open_actor", "Open actor", id="timeline.open-actor"),
        Binding("s", "sources", "Sources", id="timeline.sources"),
        Binding("y", "copy", "Copy", id="timeline.copy"),
    ]

    def __init__(self, actor_id: str | None = None) -> None:
        super().__init__(id="timeline")
        self.actor_id = actor_id
        self.entries: list[TimelineEntry] = []
        self.span: tuple[str | None, str | None] = (None, None)
        # per scope (an actor, everything, or a SQLite store's span), before the as-of filter
        self._built: dict[object, list[TimelineEntry]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="timeline-status", markup=False)
        yield Static("", id="timeline-as-of", markup=False)
        yield RowList(id="timeline-list", empty_text="No dated events or ties")
        yield Static("", id="timeline-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#timeline-list", RowList).focus()

    def as_of_changed(self) -> None:
        self.fill(to_date=True)

    def _span_words(self) -> str:
        first, last = self.span
        if first is not None and first == last:
            return f"in {first}"
        return " ".join(words for words in (first and f"from {first}", last and f"until {last}") if words)

    def fill(self, to_date: bool = False, to_start: bool = False) -> None:
        app = self.khorasan
        graph = app.graph
        row_list = self.query_one("#timeline-list", RowList)
        current = self.current_entry()
        keep_id = current.id if current is not None else None
        windowed = graph.lazy and self.actor_id is None
        if windowed:
            # A SQLite store's whole timeline is never built: the span's first
            # entries are read by date from its indexes, again for each span.
            scope_key = ("span", *self.span)
            if scope_key not in self._built:
                self._built[scope_key] = timeline(
                    graph, None, date_from=self.span[0], date_to=self.span[1], limit=TIMELINE_WINDOW
                )
            self.entries = as_of_entries(self._built[scope_key], app.as_of)
        else:
            if self.actor_id not in self._built:
                # Building a timeline reads every tie in scope (seconds on a big
                # store); stepping the date only re-filters what was built.
                self._built[self.actor_id] = timeline(graph, self.actor_id)
            self.entries = entries_between(as_of_entries(self._built[self.actor_id], app.as_of), *self.span)
        # A year header, each entry, and an event's ties under it (keys "entry:tie").
        keys: list[str | None] = []
        rows: list[tuple[str, object]] = []
        year = None
        for index, entry in enumerate(self.entries):
            if entry.date[:4] != year:
                year = entry.date[:4]
                keys.append(None)
                rows.append(("year", year))
            keys.append(str(index))
            rows.append(("entry", entry))
            for number, tie in enumerate(entry.ties):
                keys.append(f"{index}:{number}")
                rows.append(("tie", (entry, tie, number == len(entry.ties) - 1)))

        def render(index: int, width: int) -> Text:
            kind, value = rows[index]
            if kind == "year":
                return Text(f"── {value} ", style="bold", no_wrap=True, end="")
            if kind == "tie":
                return self._tie_row(*value, width)  # type: ignore[misc]
            return self._entry_row(value, width)  # type: ignore[arg-type]

        target = None
        if keep_id is not None and not (to_date or to_start):
            target = next((str(i) for i, e in enumerate(self.entries) if e.id == keep_id), None)
        if to_start and self.entries:
            target = "0"
        elif (target is None or to_date) and app.as_of and self.entries:
            # nothing after the date is listed, so the entries nearest it are the last ones
            target = str(len(self.entries) - 1)
        row_list.set_rows(keys, render, keep_key=target)
        scope = "everything"
        if self.actor_id and self.actor_id in graph.actors:
            scope = safe(graph.actors[self.actor_id].name)
        status = Text(f"Timeline of {scope}", style="bold")
        span = self._span_words()
        if span:
            status.append(f" {span}", style="bold reverse")
        status.append(f" · {plural(len(self.entries), 'entry', 'entries')}", style="bold")
        if windowed and len(self._built[scope_key]) >= TIMELINE_WINDOW:
            status.append(" (the first of the span: / narrows it)", style="bold")
        scope_key = "everything)" if self.actor_id else "this actor only)"
        status.append(f"  (/ year or span · v: {scope_key}", style="dim")
        self.query_one("#timeline-status", Static).update(status)
        self.query_one("#timeline-as-of", Static).update(as_of_note(app.as_of))
        if not self.entries:
            self.query_one("#timeline-detail", Static).update(Text("Nothing dated here.", style="italic"))

    def _entry_row(self, entry: TimelineEntry, width: int) -> Text:
        graph = self.khorasan.graph
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append(f"{entry.date:<10} ", style="bold")
        row.append(entry_glyph(graph, entry) + " ", style="bold")
        row.append(safe(entry.title), style="bold" if entry.kind == "event" else "")
        if entry.status and entry.status != "reported":
            row.append(f" {STATUS_GLYPHS.get(entry.status, '?')}")
        self._documents_tail(row, entry.documents, width)
        return row

    def _tie_row(self, entry: TimelineEntry, tie: Tie, last: bool, width: int) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append(" " * 10 + (" └ " if last else " ├ "), style="dim")
        row.append(f"{tie_glyph(tie.type)} {safe(tie_title(self.khorasan.graph, tie, entry.id))}")
        if tie.status != "reported":
            row.append(f" {STATUS_GLYPHS.get(tie.status, '?')}")
        self._documents_tail(row, list(dict.fromkeys(c.source for c in tie.citations)), width)
        return row

    def _documents_tail(self, row: Text, docs: list[str], width: int) -> None:
        if not docs:
            return
        graph = self.khorasan.graph
        # the first document by name when there is room, else how many; the detail lists them all
        if width >= 100:
            label = document_label(graph, docs[0])
            label = label if len(label) <= 28 else label[:27] + "…"
            tail = f"  ▤ {label}" + (f" +{len(docs) - 1}" if len(docs) > 1 else "")
        else:
            tail = f"  ▤{len(docs)}"
        if row.cell_len + len(tail) > width:
            row.truncate(max(width - len(tail), 12), overflow="ellipsis")
        row.pad_right(max(width - row.cell_len - len(tail), 0))
        row.append(tail, style="dim")

    def _cursor(self) -> tuple[TimelineEntry, Tie | None] | None:
        # The list's cursor, not a message's key: a message may predate the last refill.
        key = self.query_one("#timeline-list", RowList).cursor_key
        if key is None:
            return None
        index, _, tie_number = key.partition(":")
        if int(index) >= len(self.entries):
            return None
        entry = self.entries[int(index)]
        return entry, entry.ties[int(tie_number)] if tie_number else None

    def current_entry(self) -> TimelineEntry | None:
        cursor = self._cursor()
        return cursor[0] if cursor else None

    @on(RowList.Highlighted, "#timeline-list")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        cursor = self._cursor()
        if cursor is None:
            return
        entry, tie = cursor
        graph = self.khorasan.graph
        text = Text()
        text.append(f"{entry.date} ", style="bold")
        text.append(safe(entry.title), style="bold")
        if tie is not None:
            text.append(f"\n{tie_glyph(tie.type)} {safe(tie_title(graph, tie, entry.id))}", style="bold")
            text.append(f"  {status_label(tie.status)}", style="dim")
            citations = tie.citations
        else:
            if entry.status:
                text.append(f"  {status_label(entry.status)}", style="dim")
            names = [safe(graph.actors[a].name) for a in entry.actor_ids if a in graph.actors]
            if names:
                text.append("\nActors: ", style="dim")
                text.append(", ".join(names), style="dim")
            citations = entry.citations
        for citation in citations:
            text.append(f"\n{CITATION_GLYPH} ", style="bold")
            text.append(f"“{safe_block(citation.quote)}”", style="italic")
            text.append(f"  — ▤ {document_label(graph, citation.source)}", style="dim")
        if not citations:
            text.append("\nNo citation.", style="italic")
        self.query_one("#timeline-detail", Static).update(text)

    @on(RowList.Selected, "#timeline-list")
    def _selected(self, event: RowList.Selected) -> None:
        from .sources import DocumentScreen

        cursor = self._cursor()
        if cursor is None:
            return
        entry, tie = cursor
        citations = tie.citations if tie is not None else entry.citations
        if citations:
            self.app.push_screen(DocumentScreen(citations[0]))
        else:
            self.notify("This entry cites no document.", severity="warning")

    def action_jump(self) -> None:
        first, last = self.span
        current = first if first is not None and first == last else f"{first or ''}..{last or ''}".strip(".")

        def chosen(span: tuple[str | None, str | None] | None) -> None:
            if span is not None:
                self.span = span
                self.fill(to_start=True)

        self.app.push_screen(SpanDialog(current), chosen)

    def action_toggle_scope(self) -> None:
        if self.actor_id is None:
            self.actor_id = self.khorasan.current
        else:
            self.actor_id = None
        self.fill()

    def action_open_actor(self) -> None:
        cursor = self._cursor()
        if cursor is None:
            return
        entry, tie = cursor
        if tie is not None:
            self.open_actor_and_close(tie.other(entry.id))
            return
        if entry.kind == "event":
            self.open_actor_and_close(entry.id)
            return
        others = [a for a in entry.actor_ids if a != self.actor_id]
        self.open_actor_and_close(others[0] if others else entry.actor_ids[0])

    def action_copy(self) -> None:
        """y: the highlighted entry, dated, with every quote and its document, as plain text."""
        cursor = self._cursor()
        if cursor is None:
            self.notify("Nothing is highlighted.", severity="warning")
            return
        entry, tie = cursor
        graph = self.khorasan.graph
        if tie is None and entry.kind == "tie":
            tie = graph.ties.get(entry.id)
        if tie is not None:
            ends = (tie.source, tie.target)
            seen_from = next((a for a in (entry.id, self.actor_id) if a in ends), tie.source)
            text = f"{entry.date}  {tie_copy(graph, tie, seen_from)}"
        else:
            lines = [f"{entry.date}  {safe(entry.title)}"]
            lines += [f"  {citation_copy(graph, c)}" for c in entry.citations] or ["  (no citation)"]
            text = "\n".join(lines) + "\n"
        self.app.copy_text(text, "the entry with its quotes and documents")

    def action_sources(self) -> None:
        from .sources import SourcesScreen

        cursor = self._cursor()
        if cursor is None:
            return
        entry, tie = cursor
        graph = self.khorasan.graph
        if tie is not None:
            self.app.push_screen(SourcesScreen(entry.id, tie.id))
        elif entry.kind == "tie" and entry.id in graph.ties:
            tie = graph.ties[entry.id]
            end = self.actor_id if self.actor_id in (tie.source, tie.target) else tie.source
            self.app.push_screen(SourcesScreen(end, entry.id))
        else:
            self.app.push_screen(SourcesScreen(entry.id))


register_help("Timeline (t)", TimelineScreen)
register_help("Timeline: year or span (/)", SpanDialog)
register_help("As-of date (@)", AsOfDialog)


def open_timeline(app: KhorasanApp) -> None:
    if app.graph is None or isinstance(app.screen, TimelineScreen):
        return
    open_analysis(app, TimelineScreen(app.current))
