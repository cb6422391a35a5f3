"""`c`: contested claims (analysis.contested), both sides of each with their
quotes and documents, side by side when the terminal is wide enough."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from ..analysis import Finding, Side, tie_title, visible_sides
from ..graph import Graph
from ..model import Tie, plural, status_label
from .analysis_screen import AnalysisScreen, as_of_note, open_analysis
from .registry import register_help
from .render import (
    CITATION_GLYPH,
    CONTESTED_GLYPH,
    safe,
    safe_block,
    when,
)
from .rowlist import RowList
from .sources import CitationEntry, CitationListScreen

if TYPE_CHECKING:
    from .main import KhorasanApp

TWO_COLUMNS_FROM = 70  # cells of width under which the two sides are stacked


def _name(graph: Graph, actor_id: str | None) -> str:
    if actor_id is None:
        return ""
    actor = graph.actors.get(actor_id)
    return safe(actor.name if actor else actor_id)


def finding_row(graph: Graph, finding: Finding) -> Text:
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(f"{CONTESTED_GLYPH} ", style="bold")
    row.append(_name(graph, finding.a), style="bold")
    row.append(" ↔ ")
    row.append(_name(graph, finding.b), style="bold")
    row.append(f" · {safe(finding.reason)}", style="dim")
    return row


def tie_account(graph: Graph, tie: Tie) -> Text:
    """One tie as told by its documents: what, status, when, every quote and its document."""
    text = Text()
    text.append("• ", style="bold")
    text.append(safe(tie_title(graph, tie)), style="bold")
    facts = status_label(tie.status)
    span = when(tie.start, tie.end)
    if span:
        facts += f" · {span}"
    text.append(f"\n  {facts}", style="dim")
    if not tie.citations:
        text.append("\n  no citation", style="italic")
    for citation in tie.citations:
        source = graph.data.sources.get(citation.source)
        text.append(f"\n  {CITATION_GLYPH} ", style="bold")
        text.append(f"“{safe_block(citation.quote)}”", style="italic")
        title = safe(source.title if source else citation.source)
        published = f", ~{source.published}" if source and source.published else ""
        text.append(f"\n    ▤ {title}{published}", style="dim")
    return text


def side_body(graph: Graph, side: Side) -> Text:
    body = Text()
    for i, tie_id in enumerate(side.tie_ids):
        if i:
            body.append("\n\n")
        body.append_text(tie_account(graph, graph.ties[tie_id]))
    return body


def finding_view(graph: Graph, finding: Finding, sides: tuple[Side, Side], width: int) -> RenderableType:
    heading = Text()
    heading.append(f"{CONTESTED_GLYPH} ", style="bold")
    heading.append(_name(graph, finding.a), style="bold")
    heading.append(" ↔ ")
    heading.append(_name(graph, finding.b), style="bold")
    heading.append(f" — {safe(finding.reason)}", style="")
    # Which documents say what, in a line that wraps: the sides below give the quotes.
    explanation = Text(safe(finding.explanation), style="italic")
    first, second = sides
    if width >= TWO_COLUMNS_FROM:
        table = Table(box=box.MINIMAL, expand=True, show_header=True, header_style="bold underline", pad_edge=False)
        table.add_column(Text(safe(first.title)), ratio=1)
        table.add_column(Text(safe(second.title)), ratio=1)
        table.add_row(side_body(graph, first), side_body(graph, second))
        return Group(heading, explanation, table)
    return Group(
        heading,
        explanation,
        Text(""),
        Text(f"① {safe(first.title)}", style="bold underline"),
        side_body(graph, first),
        Text(""),
        Text(f"② {safe(second.title)}", style="bold underline"),
        side_body(graph, second),
    )


class ContestedScreen(AnalysisScreen):
    BINDINGS = [
        Binding("v", "toggle_scope", "Actor/all", id="contested.toggle-scope"),
        Binding("o", "open_actor", "Open actor", id="contested.open-actor"),
    ]

    def __init__(self, actor_id: str | None = None, focus_tie: str | None = None) -> None:
        super().__init__(id="contested")
        self.actor_id = actor_id
        self.focus_tie = focus_tie
        self.findings: list[Finding] = []
        self.sides: list[tuple[Side, Side]] = []
        self.hidden_by_date = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="contested-status", markup=False)
        yield Static("", id="contested-as-of", markup=False)
        yield RowList(id="contested-list", empty_text="No contested claims")
        with VerticalScroll(id="contested-detail"):
            yield Static("", id="contested-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        graph = self.khorasan.graph
        if self.actor_id is not None and not self._in_scope() and not self.khorasan.findings_pending:
            self.notify(f"No contested claims involve {_name(graph, self.actor_id)}; showing all.")
            self.actor_id = None
        self.fill(focus_tie=self.focus_tie)
        self.query_one("#contested-list", RowList).focus()

    def as_of_changed(self) -> None:
        self.fill()

    def findings_changed(self) -> None:
        self.fill()

    def _in_scope(self) -> list[Finding]:
        """The app's findings (computed once per store version), for this scope."""
        findings = self.khorasan.contested_findings
        if self.actor_id is None:
            return list(findings)
        return [f for f in findings if f.involves(self.actor_id)]

    def fill(self, focus_tie: str | None = None) -> None:
        app = self.khorasan
        graph = app.graph
        row_list = self.query_one("#contested-list", RowList)
        keep = None
        index = self.current_index()
        if index is not None:
            keep = self._finding_key(self.findings[index])
        self.findings = []
        self.sides = []
        self.hidden_by_date = 0
        for finding in self._in_scope():
            sides = visible_sides(graph, finding, app.as_of)
            if sides is None:
                self.hidden_by_date += 1
                continue
            self.findings.append(finding)
            self.sides.append(sides)
        target = None
        for i, finding in enumerate(self.findings):
            if (focus_tie and focus_tie in finding.tie_ids) or (keep and self._finding_key(finding) == keep):
                target = str(i)
                break
        row_list.set_rows(
            [str(i) for i in range(len(self.findings))],
            lambda index, width: finding_row(graph, self.findings[index]),
            keep_key=target,
        )
        status = Text()
        if app.findings_pending:
            status.append("Looking for contested claims… ", style="italic")
        status.append(plural(len(self.findings), "contested claim"), style="bold")
        if self.actor_id:
            status.append(f" involving {_name(graph, self.actor_id)}", style="bold")
        if self.hidden_by_date:
            status.append(f" · {self.hidden_by_date} not yet or no longer true as of {app.as_of}", style="dim")
        status.append("  v: " + ("all" if self.actor_id else "this actor only"), style="dim")
        status.append(" · enter: quotes & documents · o: open actor · tab: scroll the sides", style="dim")
        self.query_one("#contested-status", Static).update(status)
        self.query_one("#contested-as-of", Static).update(as_of_note(app.as_of))
        if not self.findings:
            self.query_one("#contested-body", Static).update(Text("Nothing to compare.", style="italic"))

    @staticmethod
    def _finding_key(finding: Finding) -> tuple:
        return (finding.rule, finding.a, finding.b, finding.group, finding.reason)

    def current_index(self) -> int | None:
        # The list's cursor, not a message's key: a message may predate the last refill.
        key = self.query_one("#contested-list", RowList).cursor_key
        if key is None or int(key) >= len(self.findings):
            return None
        return int(key)

    def show_detail(self) -> None:
        index = self.current_index()
        if index is None:
            return
        detail = self.query_one("#contested-detail", VerticalScroll)
        width = max(detail.size.width - 2, 20) if detail.size.width else self.app.size.width - 2
        view = finding_view(self.khorasan.graph, self.findings[index], self.sides[index], width)
        self.query_one("#contested-body", Static).update(view)
        detail.scroll_home(animate=False)

    @on(RowList.Highlighted, "#contested-list")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        self.show_detail()

    @on(RowList.Selected, "#contested-list")
    def _selected(self, event: RowList.Selected) -> None:
        index = self.current_index()
        if index is None:
            return
        graph = self.khorasan.graph
        entries = []
        for side in self.sides[index]:
            for tie_id in side.tie_ids:
                tie = graph.ties[tie_id]
                context = f"{side.title}: {tie_title(graph, tie)}"
                entries.extend(CitationEntry(c, context) for c in tie.citations)
        heading = finding_row(graph, self.findings[index]).plain
        self.app.push_screen(CitationListScreen(heading, entries))

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.show_detail)

    def action_toggle_scope(self) -> None:
        app = self.khorasan
        if self.actor_id is None:
            if app.current is None:
                return
            self.actor_id = app.current
        else:
            self.actor_id = None
        self.fill()

    def action_open_actor(self) -> None:
        index = self.current_index()
        if index is None:
            return
        finding = self.findings[index]
        candidates = [a for a in (finding.group, finding.a, finding.b) if a and a != self.khorasan.current]
        if candidates:
            self.open_actor_and_close(candidates[0])


def open_contested(app: KhorasanApp) -> None:
    """From the explorer: the findings of the current actor, at the highlighted tie's."""
    if app.graph is None or isinstance(app.screen, ContestedScreen):
        return
    tie_id = app.explorer.current_tie_id() if app.screen is app.explorer else None
    open_analysis(app, ContestedScreen(app.current, focus_tie=tie_id))


register_help("Contested claims (c)", ContestedScreen)
register_help("Quotes of a contested claim", CitationListScreen)
