"""`D`: every document, read in full with its quoted passages marked, searched in full.

The list shows each document's grade, date and how many ties cite it; enter
reads one (quoted passages underlined and flagged ❝ in the gutter, `n`/`N`
jump between them, the ties a passage supports listed below, enter on one
jumps to it in the explorer); `/` searches every document's text, hits shown
in context; `i` reviews a document's suggested ties (review.py), `a` adds a
new document from a file or pasted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ..graph import Graph
from ..model import CREDIBILITY, STATUS_GLYPHS, Citation, plural
from ..validate import DocumentTexts
from .messages import ActorOpened
from .registry import register_help
from .render import grade_label, safe, safe_block
from .rowlist import RowList
from .sources import find_quote

QUOTED_GUTTER = "❝ "
PLAIN_GUTTER = "  "
CONTEXT = 50  # characters either side of a search hit
MAX_HITS = 500


def credibility_label(citation: Citation) -> str:
    if citation.credibility is None:
        return ""
    return f"credibility {citation.credibility} ({CREDIBILITY.get(citation.credibility, '?')})"


@dataclass(frozen=True)
class Passage:
    """Where one citation's quote sits in its document's text."""

    start: int
    end: int
    citation: Citation
    tie_id: str | None  # None: an actor's own citation
    actor_id: str | None = None


def passages(graph: Graph, source_id: str, text: str) -> list[Passage]:
    """Every quote from this document that can be found in `text`, in text order."""
    found: list[Passage] = []
    tie_ids = graph.by_document.get(source_id, ())
    ties = graph.ties.get_many(tie_ids).values() if graph.lazy else (graph.ties[t] for t in tie_ids)
    for tie in ties:
        for citation in tie.citations:
            if citation.source == source_id:
                span = find_quote(text, citation.quote)
                if span:
                    found.append(Passage(span[0], span[1], citation, tie.id))
    for actor in _actors_citing(graph, source_id):
        for citation in actor.citations:
            if citation.source == source_id:
                span = find_quote(text, citation.quote)
                if span:
                    found.append(Passage(span[0], span[1], citation, None, actor.id))
    return sorted(found, key=lambda p: (p.start, p.end))


def _actors_citing(graph: Graph, source_id: str):
    """The actors that may cite a document themselves: all of them in memory; in
    a SQLite store, those whose record names it (one pass over the actors'
    records in SQLite, none parsed in Python)."""
    if not graph.lazy:
        return graph.actors.values()
    pattern = '%"source":' + orjson.dumps(source_id).decode().replace("%", "\\%").replace("_", "\\_") + "%"
    ids = [r[0] for r in graph.data.backend.query("SELECT id FROM actors WHERE body LIKE ? ESCAPE '\\'", (pattern,))]
    return graph.actors.get_many(ids).values()


@dataclass(frozen=True)
class Hit:
    source_id: str
    start: int
    end: int


def search_documents(graph: Graph, texts: DocumentTexts, query: str) -> list[Hit]:
    """Every place the words of `query` occur (any case, any spacing), in every document."""
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    hits: list[Hit] = []
    for source_id in graph.data.sources:
        text = texts.raw(source_id)
        if text is None:
            continue
        for match in pattern.finditer(safe_block(text)):
            hits.append(Hit(source_id, match.start(), match.end()))
            if len(hits) >= MAX_HITS:
                return hits
    return hits


def citing_ties(graph: Graph, source_id: str) -> int:
    return len(graph.by_document.get(source_id, ()))


class DocumentsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "search", "Search all", key_display="/"),
        Binding("i", "review", "Review ties"),
        Binding("a", "add", "Add document"),
    ]

    DEFAULT_CSS = """
    #documents-title { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    #documents-search { border: none; height: 1; padding: 0 1; display: none; }
    #documents-search.-on { display: block; }
    #documents-list { height: 1fr; border: round $panel-lighten-2; }
    #documents-list:focus { border: double $accent; }
    #documents-preview { height: auto; max-height: 8; padding: 0 1; border: round $panel-lighten-2; }
    """

    def __init__(self) -> None:
        super().__init__(id="documents")
        self.hits: list[Hit] | None = None  # None: the list shows documents

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="documents-title", markup=False)
        yield Input(
            placeholder="search every document (enter: to the hits, escape: back to the list)", id="documents-search"
        )
        yield RowList(id="documents-list", empty_text="No documents")
        yield Static("", id="documents-preview", markup=False)
        yield Footer()

    @property
    def graph(self) -> Graph:
        return self.app.graph

    def on_mount(self) -> None:
        self._texts = DocumentTexts(self.graph.data)
        self._unsubscribe = self.app.editor.subscribe(self._store_changed) if self.app.editor else None
        self.show_documents()
        self.query_one("#documents-list", RowList).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _store_changed(self, change) -> None:
        self._texts = DocumentTexts(self.graph.data)
        if self.hits is None:
            self.show_documents()

    # -- the document list ------------------------------------------------------------
    def show_documents(self, keep: str | None = None) -> None:
        self.hits = None
        sources = self.graph.data.sources
        title = Text(f"{len(sources)} documents", style="bold")
        title.append("   enter: read · /: search all · i: review suggested ties · a: add · escape: back", style="dim")
        self.query_one("#documents-title", Static).update(title)
        keys = list(sources)

        def render(index: int, width: int) -> Text:
            source = sources[keys[index]]
            row = Text(no_wrap=True, overflow="ellipsis", end="")
            row.append("▤ ", style="bold")
            row.append(f"[{source.grade or '-'}] ", style="bold")
            row.append(safe(source.title))
            row.append(
                f"  · {source.published or 'undated'} · {plural(citing_ties(self.graph, source.id), 'tie')}",
                style="dim",
            )
            return row

        self.query_one("#documents-list", RowList).set_rows(keys, render, keep_key=keep)

    @on(RowList.Highlighted, "#documents-list")
    def _preview(self, event: RowList.Highlighted) -> None:
        preview = self.query_one("#documents-preview", Static)
        if self.hits is not None:
            hit = self.hits[int(event.key)]
            preview.update(self._hit_text(hit, wide=True))
            return
        source = self.graph.data.sources.get(event.key)
        if source is None:
            return
        text = Text()
        text.append(safe(source.title), style="bold")
        meta = [
            grade_label(source),
            f"published {source.published}" if source.published else "undated",
            f"publisher: {safe(source.publisher)}" if source.publisher else "publisher not shown",
            f"{citing_ties(self.graph, source.id)} citing ties",
            f"id {source.id}",
        ]
        text.append("\n" + " · ".join(meta), style="dim")
        if source.url:
            text.append("\n" + safe(source.url), style="dim")
        preview.update(text)

    @on(RowList.Selected, "#documents-list")
    def _open(self, event: RowList.Selected) -> None:
        if self.hits is not None:
            hit = self.hits[int(event.key)]
            self.app.push_screen(DocumentReaderScreen(hit.source_id, focus=(hit.start, hit.end)))
        else:
            self.app.push_screen(DocumentReaderScreen(event.key))

    # -- search -----------------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#documents-search", Input)
        box.add_class("-on")
        box.focus()

    @on(Input.Changed, "#documents-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.show_hits(event.value)
        else:
            self.show_documents()

    @on(Input.Submitted, "#documents-search")
    def _search_submitted(self) -> None:
        self.query_one("#documents-list", RowList).focus()

    def show_hits(self, query: str) -> None:
        self.hits = search_documents(self.graph, self._texts, query)
        documents = len({h.source_id for h in self.hits})
        title = Text(f"{plural(len(self.hits), 'hit')} in {plural(documents, 'document')} for ", style="bold")
        title.append(f"“{safe(query)}”", style="bold italic")
        title.append("   enter: read there · escape: back to the documents", style="dim")
        self.query_one("#documents-title", Static).update(title)

        def render(index: int, width: int) -> Text:
            return self._hit_text(self.hits[index], wide=False)

        self.query_one("#documents-list", RowList).set_rows([str(i) for i in range(len(self.hits))], render)

    def _hit_text(self, hit: Hit, wide: bool) -> Text:
        raw = safe_block(self._texts.raw(hit.source_id) or "")
        reach = CONTEXT * (3 if wide else 1)
        before = raw[max(0, hit.start - reach) : hit.start].replace("\n", " ")
        after = raw[hit.end : hit.end + reach].replace("\n", " ")
        source = self.graph.data.sources[hit.source_id]
        row = Text(no_wrap=not wide, overflow="ellipsis", end="")
        if wide:
            row.append(safe(source.title) + f" · {grade_label(source)}\n", style="bold")
        else:
            row.append(f"[{source.grade or '-'}] {safe(source.title)[:24]}: ", style="dim")
        row.append("…" + before)
        row.append(raw[hit.start : hit.end].replace("\n", " "), style="reverse bold")
        row.append(after + "…")
        quoted = [p for p in passages(self.graph, hit.source_id, raw) if p.start < hit.end and hit.start < p.end]
        if quoted:
            ties = len({p.tie_id for p in quoted if p.tie_id})
            row.append(f"  ❝ in a quote ({plural(ties, 'tie')})", style="bold")
        return row

    def action_back(self) -> None:
        box = self.query_one("#documents-search", Input)
        if box.has_class("-on"):
            box.value = ""
            box.remove_class("-on")
            self.show_documents()
            self.query_one("#documents-list", RowList).focus()
            return
        self.app.pop_screen()

    # -- review and adding ------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("review", "add"):
            return not self.app.read_only and self.app.editor is not None
        return True

    def _current_source(self) -> str | None:
        key = self.query_one("#documents-list", RowList).cursor_key
        if key is None:
            return None
        return self.hits[int(key)].source_id if self.hits is not None else key

    def action_review(self) -> None:
        from .review import ReviewScreen

        source_id = self._current_source()
        if source_id is not None:
            self.app.push_screen(ReviewScreen(source_id=source_id))

    def action_add(self) -> None:
        from .review import open_add_document

        open_add_document(self.app)


class DocumentReaderScreen(Screen):
    """One document in full: quoted passages marked, the ties each supports below."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("n", "next_passage", "Next quote"),
        Binding("N", "previous_passage", "Prev quote"),
        Binding("tab", "switch", "Ties/text", show=False),
        Binding("i", "review", "Review ties"),
    ]

    DEFAULT_CSS = """
    #reader-title { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    #reader-lines { height: 1fr; padding: 0 1; }
    #reader-ties { height: 7; border: round $panel-lighten-2; }
    #reader-ties:focus { border: double $accent; }
    """

    def __init__(self, source_id: str, focus: tuple[int, int] | None = None) -> None:
        super().__init__(id="document-reader")
        self.source_id = source_id
        self.focus_span = focus
        self.lines: list[tuple[int, int]] = []  # (start, end) of each wrapped line in the text
        self.passages: list[Passage] = []
        self._wrapped_at: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="reader-title", markup=False)
        yield RowList(
            id="reader-lines", empty_text="(the document's text is not available)", highlight_cursor_row=False
        )
        yield RowList(id="reader-ties", empty_text="No tie cites this line")
        yield Footer()

    def on_mount(self) -> None:
        graph = self.app.graph
        source = graph.data.sources.get(self.source_id)
        raw = DocumentTexts(graph.data).raw(self.source_id)
        self.text = safe_block(raw or "")
        self.passages = passages(graph, self.source_id, self.text)
        self.styled = Text(self.text)
        for p in self.passages:
            self.styled.stylize("underline bold", p.start, p.end)
        if self.focus_span is not None:
            self.styled.stylize("reverse", *self.focus_span)
        title = Text(safe(source.title if source else self.source_id), style="bold")
        title.append(f"   {grade_label(source)} · {plural(len(self.passages), 'quoted passage')}", style="dim")
        if raw is None:
            title.append("   the text cannot be read", style="bold")
        title.append(
            "\n❝ and underline: quoted by a tie · n/N: next/previous quote · tab: its ties · enter: go", style="dim"
        )
        self.query_one("#reader-title", Static).update(title)
        self._layout()
        self.query_one("#reader-lines", RowList).focus()

    def on_resize(self) -> None:
        if getattr(self, "styled", None) is not None:
            self._layout()

    def _layout(self) -> None:
        """Wrap by hand so that each line knows its place in the text (for jumps)."""
        row_list = self.query_one("#reader-lines", RowList)
        # RowList draws its own cursor mark before our gutter.
        width = max(row_list.scrollable_content_region.width - len(QUOTED_GUTTER) - 3, 20)
        if width == self._wrapped_at:
            return
        self._wrapped_at = width
        self.lines = wrap_offsets(self.text, width)
        quoted = self._quoted_lines()

        def render(index: int, _: int) -> Text:
            start, end = self.lines[index]
            line = Text(QUOTED_GUTTER if index in quoted else PLAIN_GUTTER, style="bold", no_wrap=True, end="")
            line.append_text(self.styled[start:end])
            return line

        target = self._line_of(self.focus_span[0]) if self.focus_span else (min(quoted) if quoted else 0)
        row_list.set_rows([str(i) for i in range(len(self.lines))], render, keep_key=str(target))
        self._scroll_to(target)
        self._show_ties(target)

    def _quoted_lines(self) -> set[int]:
        return {i for i, (s, e) in enumerate(self.lines) if any(p.start < e and s < p.end for p in self.passages)}

    def _line_of(self, position: int) -> int:
        for index, (_start, end) in enumerate(self.lines):
            if position < end or index == len(self.lines) - 1:
                return index
        return 0

    def _scroll_to(self, index: int) -> None:
        row_list = self.query_one("#reader-lines", RowList)
        if not self.lines:
            return
        row_list.cursor = index
        height = row_list.scrollable_content_region.height
        row_list.scroll_to(y=max(index - max(height // 3, 1), 0), animate=False, immediate=True)

    @on(RowList.Highlighted, "#reader-lines")
    def _line_highlighted(self, event: RowList.Highlighted) -> None:
        self._show_ties(event.index)

    def _show_ties(self, index: int) -> None:
        graph = self.app.graph
        ties = self.query_one("#reader-ties", RowList)
        if not self.lines:
            ties.set_rows([], lambda i, w: Text(""), announce=False)
            return
        start, end = self.lines[index]
        here = [p for p in self.passages if p.start < end and start < p.end and p.tie_id in graph.ties]
        keys = list(dict.fromkeys(p.tie_id for p in here))
        by_tie = {p.tie_id: p for p in here}

        def render(i: int, width: int) -> Text:
            tie = graph.ties[keys[i]]
            row = Text(no_wrap=True, overflow="ellipsis", end="")
            row.append(f"{STATUS_GLYPHS.get(tie.status, '?')} ", style="bold")
            row.append(safe(graph.actors[tie.source].name))
            row.append(f" —{tie.wording_from(tie.source)}→ ", style="dim")
            row.append(safe(graph.actors[tie.target].name))
            row.append(f"  [{tie.status}]", style="dim")
            credibility = credibility_label(by_tie[keys[i]].citation)
            if credibility:
                row.append(f"  {credibility}", style="dim")
            return row

        ties.set_rows(keys, render, announce=False)

    @on(RowList.Selected, "#reader-ties")
    def _go_to_tie(self, event: RowList.Selected) -> None:
        tie = self.app.graph.ties.get(event.key)
        if tie is None:
            return
        explorer = self.app.explorer
        while self.app.screen is not explorer and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.app.post_message(ActorOpened(tie.source))

    @on(RowList.Selected, "#reader-lines")
    def _line_selected(self, event: RowList.Selected) -> None:
        ties = self.query_one("#reader-ties", RowList)
        if ties.row_count:
            ties.focus()

    def action_switch(self) -> None:
        lines, ties = self.query_one("#reader-lines", RowList), self.query_one("#reader-ties", RowList)
        (ties if lines.has_focus else lines).focus()

    def _step_passage(self, step: int) -> None:
        quoted = sorted(self._quoted_lines())
        if not quoted:
            self.app.bell()
            return
        current = self.query_one("#reader-lines", RowList).cursor
        # The next quoted line after the current run of quoted lines.
        candidates = (
            [i for i in quoted if (i > current and i - 1 not in quoted or i > current + 1)]
            if step > 0
            else [i for i in quoted if i < current and (i - 1 not in quoted)]
        )
        if not candidates:
            candidates = quoted if step > 0 else quoted[::-1]
        target = candidates[0] if step > 0 else candidates[-1]
        self._scroll_to(target)
        self.query_one("#reader-lines", RowList).focus()

    def action_next_passage(self) -> None:
        self._step_passage(1)

    def action_previous_passage(self) -> None:
        self._step_passage(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return not self.app.read_only and self.app.editor is not None
        return True

    def action_review(self) -> None:
        from .review import ReviewScreen

        self.app.push_screen(ReviewScreen(source_id=self.source_id))

    @property
    def quoted_line_numbers(self) -> list[int]:
        return sorted(self._quoted_lines())


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each line when `text` is wrapped at `width` on spaces;
    a line break always ends a line, and an overlong word is cut."""
    lines: list[tuple[int, int]] = []
    position = 0
    paragraphs = text.split("\n")
    if len(paragraphs) > 1 and paragraphs[-1] == "":
        paragraphs.pop()  # the final newline ends the last line; it starts none
    for paragraph in paragraphs:
        start, end = position, position + len(paragraph)
        position = end + 1
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:
                lines.append((start, start + width))
                start += width
            else:
                lines.append((start, cut))
                start = cut + 1
        lines.append((start, end))
    return lines


register_help("Documents (D)", DocumentsScreen)
register_help("A document's text", DocumentReaderScreen)
