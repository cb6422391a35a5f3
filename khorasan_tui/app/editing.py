"""Forms for analysts' edits: add or edit an actor, add a tie with its citation,
delete with a confirmation. Every field is checked as it is typed, with the
problem written next to it; saving goes through `edit.Editor` (atomic, locked,
undoable)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ..edit import (
    AmbiguousActor,
    EditError,
    Editor,
    NewSource,
    UnknownItem,
    ValidationError,
    check_date,
    check_date_order,
    check_kind,
)
from ..model import KINDS, STATUS_GLYPHS, STATUSES, TIE_TYPES, kind_label
from .render import safe

# The choices of a tie's type and status, in every form that asks for them.
TIE_TYPE_OPTIONS = [(f"{t} ({spec.forward} / {spec.backward})", t) for t, spec in TIE_TYPES.items()]
STATUS_OPTIONS = [(f"{STATUS_GLYPHS[s]} {s}: {d}", s) for s, d in STATUSES.items()]

NEW_SOURCE = "__new__"
OK_MARK = "✓"
BAD_MARK = "✗"

Validator = Callable[[str], "str | None"]


@dataclass
class Field:
    name: str
    label: str
    widget: str = "input"  # "input", "select" or "text"
    options: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    placeholder: str = ""
    validate: Validator | None = None
    optional: bool = True


class FormScreen(ModalScreen[bool]):
    """A column of labelled fields with a live check under each one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]

    title_text = "Form"
    writes_store = True  # False for a form whose submit only changes what is on screen

    def __init__(self, editor: Editor) -> None:
        super().__init__()
        self.editor = editor
        self.fields: list[Field] = []

    def build_fields(self) -> list[Field]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        self.fields = self.build_fields()
        with Vertical(classes="form-dialog"):
            yield Static(Text(safe(self.title_text), style="bold"), classes="form-title")
            with VerticalScroll(classes="form-body"):
                for f in self.fields:
                    with Vertical(classes="form-field", id=f"field-{f.name}"):
                        yield Label(Text(f.label + ("" if f.optional else " *")))
                        if f.widget == "select":
                            # A required select starts on its first option: Textual refuses a blank one.
                            initial = f.value or (Select.BLANK if f.optional else f.options[0][1])
                            yield Select(f.options, value=initial, id=f"input-{f.name}", allow_blank=f.optional)
                        elif f.widget == "text":
                            area = TextArea(f.value, id=f"input-{f.name}", soft_wrap=True, show_line_numbers=False)
                            yield area
                        else:
                            yield Input(f.value, placeholder=f.placeholder, id=f"input-{f.name}")
                        yield Static("", id=f"check-{f.name}", classes="form-check", markup=False)
            yield Static("", id="form-status", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button("Save (ctrl+s)", id="form-save", variant="primary")
                yield Button("Cancel (esc)", id="form-cancel")

    def on_mount(self) -> None:
        for f in self.fields:
            self.check_field(f.name)
        self._initial = {f.name: self.value(f.name) for f in self.fields}
        first = self.fields[0].name if self.fields else None
        if first:
            self.query_one(f"#input-{first}").focus()

    @property
    def has_unsaved_input(self) -> bool:
        """Whether any field differs from what the form opened with."""
        initial = getattr(self, "_initial", {})
        return any(self.value(name) != value for name, value in initial.items())

    # -- values and checks -----------------------------------------------------------
    def value(self, name: str) -> str:
        widget = self.query_one(f"#input-{name}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.BLANK else str(widget.value)
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value  # type: ignore[attr-defined]

    def field_spec(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def show_problem(self, name: str, problem: str | None) -> None:
        try:
            check = self.query_one(f"#check-{name}", Static)
        except Exception:
            self.show_status(f"{name}: {problem}" if problem else "")
            return
        if problem:
            check.update(Text(f"{BAD_MARK} {safe(problem)}", style="bold"))
            check.add_class("-bad")
        else:
            check.update(Text(safe(self.hint(name)), style="dim"))
            check.remove_class("-bad")

    def hint(self, name: str) -> str | None:
        return None

    def check_field(self, name: str) -> str | None:
        spec = self.field_spec(name)
        value = self.value(name)
        problem = None
        if not value.strip():
            if not spec.optional:
                problem = f"{spec.label} is required"
        elif spec.validate is not None:
            problem = spec.validate(value)
        self.show_problem(name, problem)
        return problem

    def show_status(self, message: str, bad: bool = True) -> None:
        status = self.query_one("#form-status", Static)
        status.update(
            Text(f"{BAD_MARK if bad and message else ''} {safe(message)}".strip(), style="bold" if bad else "")
        )

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("input-"):
            self.field_changed(event.input.id.removeprefix("input-"))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("input-"):
            self.field_changed(event.select.id.removeprefix("input-"))

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id and event.text_area.id.startswith("input-"):
            self.field_changed(event.text_area.id.removeprefix("input-"))

    def field_changed(self, name: str) -> None:
        if any(f.name == name for f in self.fields):
            self.check_field(name)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.app.saving:  # what is being written stays; the form closes when it is
            self.app.bell()
            return
        if not self.has_unsaved_input:
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(
            ConfirmScreen("Discard changes?", "What you typed is lost.", yes="Discard (y)", no="Keep editing (n)"),
            answered,
        )

    def action_save(self) -> None:
        # The live checks only inform; the Editor decides. It also knows which
        # fields did not change (an old clash in the store must not block an edit).
        if not self.writes_store:
            try:
                message = self.submit()
            except EditError as exc:
                self._saved(None, exc)
                return
            self._saved(message, None)
            return
        # The app runs it: at once on a small store, in a worker with "Saving…" on a big one.
        if self.app.run_edit(self.submit, self._saved):
            self.show_status("Saving…", bad=False)

    def _saved(self, message: str | None, error: EditError | None) -> None:
        if isinstance(error, ValidationError):
            for name, problem in error.problems.items():
                self.show_problem(name, problem)
        if error is not None:
            self.show_status(str(error))
            return
        self.app.notify(message, title="Saved")
        self.dismiss(True)

    def submit(self) -> str:
        raise NotImplementedError


def split_aliases(text: str) -> list[str]:
    return [a.strip() for a in text.replace("\n", ";").split(";") if a.strip()]


class ActorFormScreen(FormScreen):
    """`a` adds an actor, `e` edits the current one."""

    def __init__(self, editor: Editor, actor_id: str | None = None) -> None:
        super().__init__(editor)
        self.actor_id = actor_id
        actor = editor.data.actors.get(actor_id) if actor_id else None
        self.title_text = f"Edit {actor.name}" if actor else "Add an actor"

    def build_fields(self) -> list[Field]:
        actor = self.editor.data.actors.get(self.actor_id) if self.actor_id else None

        def date_field(name: str) -> Field:
            return Field(
                name,
                name.capitalize(),
                value=(getattr(actor, name) or "") if actor else "",
                placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                validate=lambda v, n=name: check_date(v.strip(), n),
            )

        return [
            Field(
                "name",
                "Name",
                value=actor.name if actor else "",
                optional=False,
                validate=lambda v: self.editor.check_new_name(v, self.actor_id),
            ),
            Field(
                "kind",
                "Kind",
                widget="select",
                options=[(kind_label(k), k) for k in KINDS],
                value=actor.kind if actor else "group",
                optional=False,
                validate=check_kind,
            ),
            Field(
                "aliases",
                "Aliases (separate with ;)",
                value="; ".join(actor.aliases) if actor else "",
                validate=self._check_aliases,
            ),
            Field("summary", "Summary", widget="text", value=actor.summary if actor else ""),
            date_field("born"),
            date_field("founded"),
            date_field("died"),
            date_field("ended"),
        ]

    def _check_aliases(self, text: str) -> str | None:
        for alias in split_aliases(text):
            problem = self.editor.check_new_name(alias, self.actor_id, label=f"alias {alias!r}")
            if problem:
                return problem
        return None

    def hint(self, name: str) -> str | None:
        if name == "name" and self.actor_id is None:
            from ..model import slugify

            value = self.value("name").strip()
            return f"id will be {slugify(value)}" if value else None
        return None

    def field_changed(self, name: str) -> None:
        super().field_changed(name)
        if name in ("born", "died", "founded", "ended"):
            problem = check_date_order(
                self.value("born") or self.value("founded"), self.value("died") or self.value("ended"), "start", "end"
            )
            if problem:
                self.show_problem(name, problem)

    def submit(self) -> str:
        values = {f.name: self.value(f.name) for f in self.fields}
        dates = {k: values[k].strip() or None for k in ("born", "founded", "died", "ended")}
        if self.actor_id is None:
            actor = self.editor.add_actor(
                values["name"].strip(),
                values["kind"],
                aliases=split_aliases(values["aliases"]),
                summary=values["summary"],
                **dates,
            )
            self.result_actor = actor.id
            return f"Added {actor.name}"
        actor = self.editor.edit_actor(
            self.actor_id,
            name=values["name"].strip(),
            kind=values["kind"],
            aliases=split_aliases(values["aliases"]),
            summary=values["summary"],
            **dates,
        )
        self.result_actor = actor.id
        return f"Saved {actor.name}"


class TieFormScreen(FormScreen):
    """`n`: a new tie from the current actor, with a required citation."""

    title_text = "New tie"

    def __init__(self, editor: Editor, from_id: str) -> None:
        super().__init__(editor)
        self.from_id = from_id
        self.title_text = f"New tie from {editor.data.actors[from_id].name}"

    def build_fields(self) -> list[Field]:
        # Select parses a str prompt as markup: a document title goes in as Text.
        sources = [(Text(f"▤ {safe(s.title)[:60]}"), s.id) for s in self.editor.data.sources.values()]
        sources.append(("＋ a new document…", NEW_SOURCE))
        return [
            Field("to", "Other actor (name, alias or id)", optional=False, validate=self.editor.check_actor_ref),
            Field(
                "type",
                "Type",
                widget="select",
                options=TIE_TYPE_OPTIONS,
                value="cooperates_with",
                optional=False,
            ),
            Field(
                "direction",
                "Direction (for directed types)",
                widget="select",
                options=[("this actor → other", "out"), ("other → this actor", "in")],
                value="out",
                optional=False,
            ),
            Field(
                "status",
                "Status",
                widget="select",
                options=STATUS_OPTIONS,
                value="reported",
                optional=False,
            ),
            Field("claimant", "Claimant (who asserts it; for claimed ties)", validate=self.editor.check_actor_ref),
            Field("role", "Role (e.g. head of intelligence, uncle)"),
            Field(
                "start",
                "Start",
                placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                validate=lambda v: check_date(v.strip(), "start"),
            ),
            Field(
                "end", "End", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", validate=lambda v: check_date(v.strip(), "end")
            ),
            Field("source", "Document cited", widget="select", options=sources, optional=False),
            Field("title", "New document: title"),
            Field("publisher", "New document: publisher (only if the text shows it)"),
            Field("published", "New document: published", validate=lambda v: check_date(v.strip(), "published")),
            Field(
                "quote", "Quote (verbatim from the document)", widget="text", optional=False, validate=self._check_quote
            ),
        ]

    def hint(self, name: str) -> str | None:
        if name == "to":
            text = self.value("to").strip()
            if text:
                try:
                    actor = self.editor.resolve_actor(text)
                    return f"{OK_MARK} {actor.name} ({actor.id}, {actor.kind})"
                except EditError:
                    return None
            return "type a name; the best match is shown here"
        if name == "type":
            spec = TIE_TYPES.get(self.value("type"))
            if spec is not None:
                return "directed: reads source → target" if spec.directed else "undirected"
        return None

    def _check_quote(self, text: str) -> str | None:
        source = self.value("source") if self.is_mounted else ""
        return self.editor.check_quote(text, source if source and source != NEW_SOURCE else None)

    def field_changed(self, name: str) -> None:
        super().field_changed(name)
        if name == "source":
            self.check_field("quote")
            is_new = self.value("source") == NEW_SOURCE
            for field_name in ("title", "publisher", "published"):
                self.query_one(f"#field-{field_name}").display = is_new
        if name in ("start", "end"):
            problem = check_date_order(self.value("start").strip() or None, self.value("end").strip() or None)
            if problem:
                self.show_problem("end", problem)

    def on_mount(self) -> None:
        super().on_mount()
        for field_name in ("title", "publisher", "published"):
            self.query_one(f"#field-{field_name}").display = False

    def check_field(self, name: str) -> str | None:
        if name == "title" and self.value("source") == NEW_SOURCE and not self.value("title").strip():
            self.show_problem("title", "a new document needs a title")
            return "a new document needs a title"
        return super().check_field(name)

    def submit(self) -> str:
        try:
            other = self.editor.resolve_actor(self.value("to"))
        except (AmbiguousActor, UnknownItem) as exc:
            raise ValidationError({"to": str(exc)}) from None
        claimant_text = self.value("claimant").strip()
        claimant = self.editor.resolve_actor(claimant_text).id if claimant_text else None
        source = self.value("source")
        new_source = None
        if source == NEW_SOURCE:
            new_source = NewSource(
                title=self.value("title").strip(),
                publisher=self.value("publisher").strip() or None,
                published=self.value("published").strip() or None,
            )
            source = None
        tie_type = self.value("type")
        spec = TIE_TYPES[tie_type]
        a, b = (self.from_id, other.id)
        if spec.directed and self.value("direction") == "in":
            a, b = b, a
        tie = self.editor.add_tie(
            a,
            tie_type,
            b,
            quote=self.value("quote").strip(),
            source_id=source,
            new_source=new_source,
            status=self.value("status"),
            claimant=claimant,
            role=self.value("role").strip() or None,
            start=self.value("start").strip() or None,
            end=self.value("end").strip() or None,
        )
        self.result_tie = tie.id
        return f"Added: {self.editor.data.actors[tie.source].name} {spec.forward} {self.editor.data.actors[tie.target].name}"


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no, with the consequences spelled out."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.answer-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.answer-no"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Delete (y)", no: str = "Keep (n)") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-dialog confirm-dialog"):
            yield Static(Text(safe(self.question), style="bold"))
            if self.detail:
                yield Static(Text(safe(self.detail)))
            with Horizontal(classes="form-buttons"):
                yield Button(Text(self.yes), id="confirm-yes", variant="error")
                yield Button(Text(self.no), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
