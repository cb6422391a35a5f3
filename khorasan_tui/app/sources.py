"""Citations in context: the quotes behind an actor or tie, and each document
shown in full, scrolled to the quote, with the quote marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..documents import DocumentRefused, read_document
from ..model import Citation, plural
from .render import citation_copy, citation_row, published_label, safe, safe_block
from .rowlist import RowList

QUOTE_OPEN = "▶▶"
QUOTE_CLOSE = "◀◀"


@dataclass(frozen=True)
class CitationEntry:
    citation: Citation
    context: str  # what the citation supports, e.g. "ISKP — led by — Shahab Al-Muhajir"
    note: str = ""  # the curator's note on the tie: a date from general knowledge is said to be one


class CitationListScreen(Screen):
    """Quotes with their documents; enter opens the document at the quote."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="sources.back"),
        Binding("y", "copy", "Copy", id="sources.copy"),
    ]

    def __init__(self, heading: str = "", entries: list[CitationEntry] | None = None, *, id: str = "citations") -> None:
        super().__init__(id=id)
        self.heading = heading
        self.entries: list[CitationEntry] = list(entries or [])

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="sources-title", markup=False)
        yield RowList(id="citation-list", empty_text="No citations")
        yield Static("", id="citation-preview", markup=False)
        yield Footer()

    def collect(self) -> None:
        """Fill `heading` and `entries` when they depend on the app's state."""

    def on_mount(self) -> None:
        self.collect()
        graph = self.app.graph
        title = Text(safe(self.heading), style="bold")
        title.append(
            f"   {plural(len(self.entries), 'citation')} · enter: open the document · escape: back", style="dim"
        )
        self.query_one("#sources-title", Static).update(title)

        def render(index: int, width: int) -> Text:
            citation = self.entries[index].citation
            return citation_row(graph, citation.quote, citation.source)

        row_list = self.query_one("#citation-list", RowList)
        row_list.set_rows([str(i) for i in range(len(self.entries))], render)
        row_list.focus()

    @on(RowList.Highlighted, "#citation-list")
    def _preview(self, event: RowList.Highlighted) -> None:
        entry = self.entries[int(event.key)]
        source = self.app.graph.data.sources.get(entry.citation.source)
        text = Text()
        text.append(safe(entry.context), style="bold")
        text.append("\n")
        text.append(f"“{safe_block(entry.citation.quote)}”", style="italic")
        text.append("\n")
        if entry.note:
            text.append(f"Curator's note (not from the document): {safe_block(entry.note)}\n", style="dim")
        if source:
            text.append("▤ ", style="bold")
            text.append(safe(source.title))
            meta = [f"publisher: {safe(source.publisher) if source.publisher else 'not shown in the text'}"]
            meta.append(f"published: {published_label(source)}" if source.published else "published: unknown")
            meta.append(f"id {source.id}")
            text.append("\n" + " · ".join(meta), style="dim")
            if source.published_note:
                text.append(f"\nDate estimate: {safe(source.published_note)}", style="dim")
        else:
            text.append(f"Unknown document {safe(entry.citation.source)}", style="bold")
        self.query_one("#citation-preview", Static).update(text)

    def action_copy(self) -> None:
        """y: the highlighted quote, what it supports, and its document."""
        key = self.query_one("#citation-list", RowList).cursor_key
        if key is None:
            self.notify("No quote is highlighted.", severity="warning")
            return
        entry = self.entries[int(key)]
        text = f"{safe(entry.context)}\n  {citation_copy(self.app.graph, entry.citation)}\n"
        self.app.copy_text(text, "the quote and its document")

    @on(RowList.Selected, "#citation-list")
    def _open(self, event: RowList.Selected) -> None:
        self.app.push_screen(DocumentScreen(self.entries[int(event.key)].citation))


class SourcesScreen(CitationListScreen):
    """`s`: the citations of the highlighted tie, or of an actor and all its ties."""

    def __init__(self, actor_id: str, tie_id: str | None = None) -> None:
        super().__init__(id="sources")
        self.actor_id = actor_id
        self.tie_id = tie_id

    def collect(self) -> None:
        graph = self.app.graph
        actor = graph.actors[self.actor_id]
        if self.tie_id and self.tie_id in graph.ties:
            tie = graph.ties[self.tie_id]
            other = graph.actors[tie.other(self.actor_id)]
            self.heading = f"Sources for: {actor.name} — {tie.wording_from(self.actor_id)} — {other.name}"
            self.entries = [CitationEntry(c, self.heading, tie.note) for c in tie.citations]
            return
        self.heading = f"Sources for: {actor.name} (its own citations, then its ties')"
        self.entries = [CitationEntry(c, f"{actor.name} (actor)") for c in actor.citations]
        for tie in graph.ties_of(self.actor_id, self.app.tie_filter):
            other = graph.actors[tie.other(self.actor_id)]
            context = f"{actor.name} — {tie.wording_from(self.actor_id)} — {other.name} [{tie.status}]"
            self.entries.extend(CitationEntry(c, context, tie.note) for c in tie.citations)


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote sits in a document, tolerating differences in whitespace."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


class DocumentLines(RowList):
    """A document's wrapped lines: browsed, not opened, so enter is not offered."""

    BINDINGS = [Binding("enter", "select", "Open", show=False, id="document.select")]


class DocumentScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="document.back"),
        Binding("n", "next_mark", "Quote", show=True, id="document.next-mark"),
        Binding("y", "copy", "Copy", id="document.copy"),
    ]

    def __init__(self, citation: Citation) -> None:
        super().__init__(id="document")
        self.citation = citation
        self._lines: list[Text] = []
        self._quote_lines: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="document-title", markup=False)
        yield DocumentLines(id="document-lines", empty_text="(empty document)", highlight_cursor_row=False)
        yield Footer()

    def on_mount(self) -> None:
        graph = self.app.graph
        source = graph.data.sources.get(self.citation.source)
        raw = None
        refused = ""
        if source is not None:
            try:
                raw = read_document(graph.data, source)
            except OSError as exc:
                refused = str(exc) if isinstance(exc, DocumentRefused) else ""
        title = Text(safe(source.title if source else self.citation.source), style="bold")
        if raw is None:
            title.append(
                f"   the document's text is not available{': ' + safe(refused) if refused else ''}", style="dim"
            )
            raw = self.citation.quote
        self.document = Text(safe_block(raw))
        span = find_quote(self.document.plain, self.citation.quote)
        if span is None:
            title.append("   ⚠ quote not found in this text", style="bold")
        else:
            start, end = span
            # Markers make the quote visible without colour; reverse for everyone else.
            self.document = Text.assemble(
                self.document[:start],
                (f"{QUOTE_OPEN} ", "bold"),
                self.document[start:end].copy(),
                (f" {QUOTE_CLOSE}", "bold"),
                self.document[end:],
            )
            q_start = start + len(QUOTE_OPEN) + 1
            self.document.stylize("reverse bold", q_start, q_start + (end - start))
        title.append("   escape: back · n: jump to the quote", style="dim")
        self.query_one("#document-title", Static).update(title)
        self._layout_lines()
        self.query_one("#document-lines", RowList).focus()

    def on_resize(self) -> None:
        if getattr(self, "document", None) is not None:
            self._layout_lines()

    def _layout_lines(self) -> None:
        row_list = self.query_one("#document-lines", RowList)
        width = max(row_list.scrollable_content_region.width - 2, 20)
        if width == getattr(self, "_wrapped_at", None):
            return  # mount and the first resize ask for the same layout
        self._wrapped_at = width
        lines = self.document.wrap(self.app.console, width)
        self._lines = list(lines)
        self._quote_lines = [
            i
            for i, line in enumerate(self._lines)
            if QUOTE_OPEN in line.plain or any(str(span.style) == "reverse bold" for span in line.spans)
        ]

        def render(index: int, _: int) -> Text:
            return self._lines[index]

        row_list.set_rows([str(i) for i in range(len(self._lines))], render)
        self.action_next_mark()

    def action_copy(self) -> None:
        """y: the quote this document was opened at, with its citation."""
        self.app.copy_text(citation_copy(self.app.graph, self.citation) + "\n", "the quote and its document")

    def action_next_mark(self) -> None:
        if not self._quote_lines:
            return
        row_list = self.query_one("#document-lines", RowList)
        row_list.cursor = self._quote_lines[0]
        height = row_list.scrollable_content_region.height
        row_list.scroll_to(y=max(self._quote_lines[0] - max(height // 3, 1), 0), animate=False, immediate=True)

    @property
    def quote_line_numbers(self) -> list[int]:
        return list(self._quote_lines)
