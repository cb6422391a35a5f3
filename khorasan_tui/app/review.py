"""Review a document's suggested ties: accept, reject or edit each, then save them
all as one undoable edit (the document too, when it is new).

The suggestions come from `khorasan_tui.ingest` and are worked out in a worker,
afresh each time a document is reviewed. A suggestion between known actors
that matches an existing tie only adds this document's citation to it; new
names become actors when a suggestion that needs them is accepted.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..edit import EditError, ValidationError, check_date
from ..ingest import Analysis, Mention, NewDocument, Suggestion, analyse, ingest_command
from ..model import KINDS, SOURCE_GRADES, STATUS_GLYPHS, TIE_TYPES, kind_label
from ..validate import DocumentTexts
from .editing import STATUS_OPTIONS, TIE_TYPE_OPTIONS, Field, FormScreen
from .registry import register_help
from .render import grade_label, safe, safe_block
from .rowlist import RowList

ACCEPTED = "✓"
REJECTED = "✗"
PENDING = "·"
UNGRADED = "-"


class ReviewList(RowList):
    """The suggestions: enter accepts the highlighted one."""

    BINDINGS = [Binding("enter", "select", "Accept", show=True)]


class ReviewScreen(Screen):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("space", "accept", "Accept", show=False),
        Binding("x", "reject", "Reject"),
        Binding("e", "edit", "Edit"),
        Binding("A", "accept_known", "Accept corroborations"),
        Binding("ctrl+s", "save", "Save accepted"),
    ]

    DEFAULT_CSS = """
    #review-title { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    #review-list { height: 1fr; border: round $panel-lighten-2; }
    #review-list:focus { border: double $accent; }
    #review-preview { height: auto; max-height: 9; padding: 0 1; border: round $panel-lighten-2; }
    """

    def __init__(self, source_id: str | None = None, document: NewDocument | None = None) -> None:
        super().__init__(id="review")
        if (source_id is None) == (document is None):
            raise ValueError("review either a stored document or a new one")
        self.source_id = source_id
        self.document = document
        self.analysis: Analysis | None = None
        self.suggestions: list[Suggestion] = []
        self.decisions: dict[int, str] = {}  # index -> ACCEPTED or REJECTED
        self.kinds: dict[str, str] = {}  # new name -> kind chosen in an edit
        self.saved = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-title", markup=False)
        yield ReviewList(id="review-list", empty_text="Reading the document…")
        yield Static("", id="review-preview", markup=False)
        yield Footer()

    @property
    def editor(self):
        return self.app.editor

    @property
    def title_text(self) -> str:
        if self.document is not None:
            return self.document.title
        source = self.editor.data.sources.get(self.source_id)
        return source.title if source else str(self.source_id)

    @property
    def grade(self) -> str:
        if self.document is not None:
            return (
                f"grade {self.document.grade} ({SOURCE_GRADES[self.document.grade]})"
                if self.document.grade
                else "ungraded"
            )
        return grade_label(self.editor.data.sources.get(self.source_id))

    def on_mount(self) -> None:
        self._title("reading…")
        self.query_one("#review-list", RowList).focus()
        self._analyse()

    def _document_text(self) -> tuple[str | None, str | None]:
        if self.document is not None:
            return self.document.text, self.document.published
        source = self.editor.data.sources.get(self.source_id)
        text = DocumentTexts(self.editor.data).raw(self.source_id)
        return text, source.published if source else None

    @work(thread=True, exclusive=True, group="review")
    def _analyse(self) -> None:
        text, published = self._document_text()
        if text is None:
            self.app.call_from_thread(self._failed, "the document's text cannot be read")
            return
        analysis = analyse(text, self.editor.graph, published=published)
        self.app.call_from_thread(self._ready, analysis)

    def _failed(self, message: str) -> None:
        self._title(message)
        self.query_one("#review-list", RowList).empty_text = message
        self.query_one("#review-list", RowList).refresh()

    def _ready(self, analysis: Analysis) -> None:
        self.analysis = analysis
        ties = self.editor.data.ties
        # A stored document's own citations are already there: nothing to review.
        fresh = [
            s
            for s in analysis.suggestions
            if not (
                s.existing_tie in ties
                and any(c.source == self.source_id and c.quote == s.quote for c in ties[s.existing_tie].citations)
            )
        ]
        # Surest first; corroborations of existing ties before new ties at equal confidence.
        self.suggestions = sorted(fresh, key=lambda s: (-s.confidence, s.existing_tie is None))
        self.decisions.clear()
        self._refill()

    def _title(self, note: str = "") -> None:
        title = Text(f"Review: {safe(self.title_text)}", style="bold")
        title.append(f"   {self.grade}", style="dim")
        if self.analysis is not None:
            accepted = sum(1 for d in self.decisions.values() if d == ACCEPTED)
            rejected = sum(1 for d in self.decisions.values() if d == REJECTED)
            a = self.analysis
            title.append(
                f"\n{len(self.suggestions)} suggestions · {accepted} accepted · {rejected} rejected · "
                f"{len(a.known_counts())} known actors · {len(a.new_names)} new names · {len(a.ambiguous)} ambiguous",
                style="dim",
            )
        if note:
            title.append(f"   {note}", style="italic")
        self.query_one("#review-title", Static).update(title)

    def _refill(self, keep: str | None = None) -> None:
        def render(index: int, width: int) -> Text:
            return self._row(index)

        row_list = self.query_one("#review-list", RowList)
        row_list.empty_text = "No ties suggested: the document relates no two actors the engine can see"
        row_list.set_rows([str(i) for i in range(len(self.suggestions))], render, keep_key=keep)
        self._title()

    def _row(self, index: int) -> Text:
        s = self.suggestions[index]
        mark = self.decisions.get(index, PENDING)
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        row.append(f"{mark} ", style="bold")
        row.append(f"{s.confidence:.2f} ", style="dim")
        row.append(f"{STATUS_GLYPHS.get(s.status, '?')} ", style="bold")
        row.append_text(_end(s.source))
        row.append(f" —{TIE_TYPES[s.type].forward}→ ", style="dim")
        row.append_text(_end(s.target))
        row.append("  ❝ corroborates" if s.existing_tie else "  new tie", style="dim")
        return row

    @on(RowList.Selected, "#review-list")
    def _selected(self) -> None:
        self.action_accept()

    @on(RowList.Highlighted, "#review-list")
    def _preview(self, event: RowList.Highlighted) -> None:
        self._show_preview(int(event.key))

    def _show_preview(self, index: int) -> None:
        s = self.suggestions[index]
        text = Text()
        text.append_text(_end(s.source))
        text.append(f" {TIE_TYPES[s.type].forward} ", style="bold")
        text.append_text(_end(s.target))
        status = f"  {STATUS_GLYPHS.get(s.status, '?')} {s.status}"
        if s.claimant is not None:
            status += f" by {safe(s.claimant.name)}"
        text.append(status)
        if s.start or s.end:
            text.append(f"  {s.start or ''}–{s.end or ''}", style="dim")
        text.append(f"\n“{safe_block(s.quote)}”", style="italic")
        text.append(f"\n▤ {safe(self.title_text)} · {self.grade}", style="dim")
        if s.existing_tie:
            text.append(f" · adds a citation to tie {safe(s.existing_tie)}", style="dim")
        for end in (s.source, s.target):
            if end.actor_id is None:
                kind = self.kinds.get(end.name, end.kind)
                text.append(
                    f"\nnew actor on acceptance: {safe(end.name)} ({kind_label(kind)}; e changes it)", style="dim"
                )
        self.query_one("#review-preview", Static).update(text)

    # -- decisions ----------------------------------------------------------------------
    def _current(self) -> int | None:
        key = self.query_one("#review-list", RowList).cursor_key
        return int(key) if key is not None else None

    def _decide(self, decision: str) -> None:
        index = self._current()
        if index is None:
            return
        self.decisions[index] = decision
        row_list = self.query_one("#review-list", RowList)
        self._refill(keep=str(index))
        row_list.action_cursor_down()

    def action_accept(self) -> None:
        self._decide(ACCEPTED)

    def action_reject(self) -> None:
        self._decide(REJECTED)

    def action_accept_known(self) -> None:
        for index, s in enumerate(self.suggestions):
            if s.existing_tie and index not in self.decisions:
                self.decisions[index] = ACCEPTED
        self._refill(keep=str(self._current()) if self._current() is not None else None)

    def action_edit(self) -> None:
        index = self._current()
        if index is None:
            return

        def edited(changed: bool | None) -> None:
            if changed:
                self.suggestions[index] = form.result
                self.kinds.update(form.kinds)
                self.decisions[index] = ACCEPTED
                self._refill(keep=str(index))
                self._show_preview(index)

        form = SuggestionFormScreen(self.editor, self.suggestions[index], self.kinds)
        self.app.push_screen(form, edited)

    def action_save(self) -> None:
        accepted = [s for i, s in enumerate(self.suggestions) if self.decisions.get(i) == ACCEPTED]
        if self.document is None and not accepted:
            self.app.notify("Nothing accepted yet: enter accepts a suggestion.", severity="warning")
            return
        editor = self.editor

        def save():
            return editor.commit(
                lambda: ingest_command(
                    editor,
                    accepted=accepted,
                    document=self.document,
                    source_id=self.source_id,
                    kinds=self.kinds,
                )
            )

        def done(command, error: EditError | None) -> None:
            if error is not None:
                self.app.notify(str(error), title="Not saved", severity="error", timeout=8)
                return
            self.saved = True
            self.app.notify(f"Saved as one step (u undoes it): {command.description}", title="Saved")
            self.app.pop_screen()

        if self.app.run_edit(save, done):
            self.app.notify("Saving…", title="Review")

    def action_close(self) -> None:
        if self.app.saving:  # the review closes once what is being written is saved
            self.app.bell()
            return
        if any(d == ACCEPTED for d in self.decisions.values()):
            self.app.notify("Accepted suggestions were not saved (ctrl+s saves them).", severity="warning")
        self.app.pop_screen()


def _end(end: Mention) -> Text:
    text = Text(safe(end.name), style="bold" if end.actor_id is None else "")
    if end.actor_id is None:
        text.append(" (new)", style="italic")
    return text


class SuggestionFormScreen(FormScreen):
    """`e` in the review: change a suggestion's type, direction, status, claimant, dates,
    or the kind a new name gets; saving the form accepts the suggestion."""

    title_text = "Edit the suggested tie"
    writes_store = False  # accepting a suggestion; the review's ctrl+s saves

    def __init__(self, editor, suggestion: Suggestion, kinds: dict[str, str]) -> None:
        super().__init__(editor)
        self.suggestion = suggestion
        self.kinds = dict(kinds)
        self.result = suggestion

    def build_fields(self) -> list[Field]:
        s = self.suggestion
        fields = [
            Field(
                "type",
                "Type",
                widget="select",
                optional=False,
                value=s.type,
                options=TIE_TYPE_OPTIONS,
            ),
            Field(
                "direction",
                "Direction",
                widget="select",
                optional=False,
                value="as",
                options=[
                    (f"{safe(s.source.name)} → {safe(s.target.name)}", "as"),
                    (f"{safe(s.target.name)} → {safe(s.source.name)}", "swap"),
                ],
            ),
            Field(
                "status",
                "Status",
                widget="select",
                optional=False,
                value=s.status,
                options=STATUS_OPTIONS,
            ),
            Field(
                "claimant",
                "Claimant (name, alias or id; claimed ties)",
                value=s.claimant.name if s.claimant else "",
                validate=self.editor.check_actor_ref,
            ),
            Field("start", "Start", value=s.start or "", validate=lambda v: check_date(v.strip(), "start")),
            Field("end", "End", value=s.end or "", validate=lambda v: check_date(v.strip(), "end")),
        ]
        for role, end in (("source", s.source), ("target", s.target)):
            if end.actor_id is None:
                fields.append(
                    Field(
                        f"kind_{role}",
                        f"Kind of the new actor {safe(end.name)}",
                        widget="select",
                        optional=False,
                        value=self.kinds.get(end.name, end.kind),
                        options=[(kind_label(k), k) for k in KINDS],
                    )
                )
        return fields

    def submit(self) -> str:
        s = self.suggestion
        source, target = (s.source, s.target) if self.value("direction") == "as" else (s.target, s.source)
        claimant = s.claimant
        claimant_text = self.value("claimant").strip()
        if not claimant_text:
            claimant = None
        elif claimant is None or claimant_text != claimant.name:
            try:
                actor = self.editor.resolve_actor(claimant_text)
            except EditError as exc:
                raise ValidationError({"claimant": str(exc)}) from None
            claimant = Mention(0, 0, actor.name, actor.id, actor.name, actor.kind)
        problems = {}
        for name in ("start", "end"):
            problem = check_date(self.value(name).strip() or None, name)
            if problem:
                problems[name] = problem
        if problems:
            raise ValidationError(problems)
        existing = s.existing_tie
        tie_type = self.value("type")
        if tie_type != s.type or (source, target) != (s.source, s.target):
            existing = None  # no longer the tie it matched
        for role, end in (("source", s.source), ("target", s.target)):
            if end.actor_id is None:
                self.kinds[end.name] = self.value(f"kind_{role}")
        self.result = dataclasses.replace(
            s,
            source=source,
            target=target,
            type=tie_type,
            status=self.value("status"),
            claimant=claimant,
            start=self.value("start").strip() or None,
            end=self.value("end").strip() or None,
            existing_tie=existing,
        )
        return "Suggestion changed and accepted; ctrl+s in the review saves"


class AddDocumentScreen(FormScreen):
    """A new document's text (a file, or pasted) and what is known of it; its ties
    are reviewed next, and nothing is saved before the review saves."""

    title_text = "Add a document: its full text, then review what it says"
    writes_store = False  # the review that follows saves

    def build_fields(self) -> list[Field]:
        return [
            Field("title", "Title", optional=False),
            Field("path", "Text file (a path), or paste the text below"),
            Field("text", "Text (pasted; the whole document, not a quote)", widget="text"),
            Field(
                "published",
                "Published",
                placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                validate=lambda v: check_date(v.strip(), "published"),
            ),
            Field("publisher", "Publisher"),
            Field("url", "URL"),
            Field(
                "grade",
                "Source grade (Admiralty)",
                widget="select",
                optional=False,
                value=UNGRADED,
                options=[("not graded yet", UNGRADED), *((f"{g}: {d}", g) for g, d in SOURCE_GRADES.items())],
            ),
        ]

    def submit(self) -> str:
        path = self.value("path").strip()
        text = self.value("text")
        if path:
            try:
                text = Path(path).expanduser().read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValidationError(
                    {"path": f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"}
                ) from None
        if not text.strip():
            raise ValidationError({"text": "give a file path or paste the document's full text"})
        document = NewDocument(
            title=self.value("title").strip(),
            text=text.replace("\r\n", "\n"),
            publisher=self.value("publisher").strip() or None,
            published=self.value("published").strip() or None,
            url=self.value("url").strip() or None,
            grade=None if self.value("grade") == UNGRADED else self.value("grade"),
        )
        problems = document.problems()
        if problems:
            raise ValidationError(problems)
        self.document = document
        return "Reading the document for review"


def open_add_document(app) -> None:
    """The add-document form, then the review of the new document."""
    form = AddDocumentScreen(app.editor)

    def added(ok: bool | None) -> None:
        if ok:
            app.push_screen(ReviewScreen(document=form.document))

    app.push_screen(form, added)


register_help("Review suggested ties (i)", ReviewScreen)
