"""Validated edits with undo and redo, each saved at once and atomically.

The app's forms and the CLI's edit commands both go through `Editor`:

* field checks (`check_*`) return a message or None, cheap enough to run on
  every keystroke;
* each operation validates its whole input, becomes a `Command` (records before
  and after, plus any source text file it creates), is applied to the
  in-memory store, checked again as a whole and saved under the store's lock;
* `undo` / `redo` replay commands backwards and forwards, and refuse when
  someone else has changed the same records meanwhile;
* listeners registered with `subscribe` hear of every change, so views refresh.

Another program may save the store while we hold it. Under the lock, before
every edit, the file's digest is compared with the one we read: if it changed,
the file is reloaded and the edit is validated again against what is there
now; it is saved only if it still applies, otherwise `EditConflict` says why.
Someone else's save is never overwritten. An `Editor` is not thread-safe:
call it from one thread at a time.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .graph import Ambiguous, Graph, NotFound
from .model import (
    KINDS,
    STATUSES,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    date_sort_key,
    is_partial_date,
    make_tie_id,
    new_actor_id,
    normalize_key,
)
from .store import (
    StoreData,
    StoreError,
    atomic_write,
    changed_since,
    check_structure,
    load_store,
    locked,
    save_store,
)
from .validate import DocumentTexts, squash_whitespace

# Limits keep one runaway paste from making the store or the screen unusable.
MAX_NAME = 300
MAX_SUMMARY = 20_000
MAX_QUOTE = 10_000
MAX_DOCUMENT = 20_000_000
UNDO_LIMIT = 200
SOURCES_FOLDER = "sources"

ACTOR_DATE_FIELDS = ("born", "founded", "died", "ended")

# One-line fields refuse every control character; multi-line ones allow tab and newline.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BLOCK_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ACTOR_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_SOURCE_NUMBER = re.compile(r"([0-9]+)_")


# -- errors ----------------------------------------------------------------------------


class EditError(Exception):
    """An edit that was refused. The message is written for the user; nothing was saved."""


class ReadOnlyError(EditError):
    """The editor was opened read-only."""


class ValidationError(EditError):
    """Input that fails its checks. `problems` maps each form field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems.items()))


class UnknownItem(EditError):
    """An actor, tie or document id that is not in the store."""

    def __init__(self, what: str, item_id: str, message: str | None = None) -> None:
        self.what = what
        self.item_id = item_id
        super().__init__(message or f"no {what} has id {item_id!r}")


class AmbiguousActor(EditError):
    def __init__(self, query: str, candidates: list[Actor]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} fits several actors: {_listing(candidates)}")


class EditConflict(EditError):
    """Someone else changed the store so that this edit (or undo) no longer applies."""


class SaveError(EditError):
    """The store could not be written (disk, permissions, lock); the file is as it was."""


def _listing(actors: Iterable[Actor]) -> str:
    return ", ".join(f"{a.name} ({a.id})" for a in actors)


# -- field checks: each returns a message, or None when the value is fine ---------------


def check_text(
    value: Any,
    label: str,
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int = MAX_NAME,
) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return f"{label} must be text"
    if required and not value.strip():
        return f"{label} is empty"
    if len(value) > max_length:
        return f"{label} is too long ({len(value):,} characters; at most {max_length:,})"
    if (_BLOCK_CONTROL if multiline else _LINE_CONTROL).search(value):
        return f"{label} contains control characters"
    return None


def check_name(value: Any, label: str = "name") -> str | None:
    problem = check_text(value, label, required=True)
    if problem:
        return problem
    if not normalize_key(value):
        return f"{label} {value.strip()!r} needs at least one letter or digit"
    return None


def check_kind(value: Any) -> str | None:
    if not isinstance(value, str) or value not in KINDS:
        return f"unknown kind {value!r}; choose from {', '.join(KINDS)}"
    return None


def check_tie_type(value: Any) -> str | None:
    if not isinstance(value, str) or value not in TIE_TYPES:
        return f"unknown tie type {value!r}; choose from {', '.join(TIE_TYPES)}"
    return None


def check_status(value: Any) -> str | None:
    if not isinstance(value, str) or value not in STATUSES:
        return f"unknown status {value!r}; choose from {', '.join(STATUSES)}"
    return None


def check_date(value: Any, label: str = "date") -> str | None:
    """Empty is fine (no date); otherwise a partial ISO date."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_partial_date(value):
        return f"{label} {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
    return None


def check_date_order(
    start: str | None, end: str | None, start_label: str = "start", end_label: str = "end"
) -> str | None:
    # Same rule as validate.validate, so that an accepted edit never fails validation.
    if start and end and is_partial_date(start) and is_partial_date(end):
        if date_sort_key(start) > date_sort_key(end):
            return f"{start_label} ({start}) is after {end_label} ({end})"
    return None


def check_quote_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "the quote is empty: copy the words from the document that state the tie"
    return check_text(value, "the quote", multiline=True, max_length=MAX_QUOTE)


def _optional(value: Any) -> Any:
    """Blank form fields mean 'no value'. Non-text passes through for the checks to name."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    return value or None


def _as_list(values: Iterable[str] | str | None) -> list[Any]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return list(values)


def _block(value: Any) -> Any:
    if not isinstance(value, str):
        return "" if value is None else value
    return value.replace("\r\n", "\n").strip()


def _put(problems: dict[str, str], name: str, message: str | None) -> None:
    if message and name not in problems:
        problems[name] = message


# -- commands --------------------------------------------------------------------------


_SINGULAR = {"actors": "actor", "ties": "tie", "sources": "document"}


@dataclass
class RecordChange:
    """One record of one table, before and after; None means absent."""

    table: str
    key: str
    before: Any
    after: Any
    # The record's TinyDB document id when it was last removed, so that undoing a
    # deletion puts it back in its old place in the file.
    doc_id: int | None = None


@dataclass(frozen=True, slots=True)
class TextFile:
    """A document text that exists while the command is applied (a new source's)."""

    relative_path: str
    content: str


@dataclass
class Command:
    description: str
    changes: list[RecordChange]
    files: list[TextFile] = field(default_factory=list)

    def apply(self, data: StoreData) -> None:
        _swap(data, self.changes, forward=True)

    def revert(self, data: StoreData) -> None:
        _swap(data, list(reversed(self.changes)), forward=False)

    def ids(self, table: str) -> frozenset[str]:
        return frozenset(c.key for c in self.changes if c.table == table)


def _swap(data: StoreData, changes: list[RecordChange], forward: bool) -> None:
    """Move each record from its expected state to its new one, all or nothing."""
    for change in changes:
        expected = change.before if forward else change.after
        current = getattr(data, change.table).get(change.key)
        if current != expected:
            what = _SINGULAR[change.table]
            if expected is None:
                state = "now exists"
            elif current is None:
                state = "no longer exists"
            else:
                state = "was changed"
            raise EditConflict(f"{what} {change.key!r} {state}")
    for change in changes:
        items: dict[str, Any] = getattr(data, change.table)
        doc_ids = data.doc_ids.setdefault(change.table, {})
        new = change.after if forward else change.before
        if new is None:
            change.doc_id = doc_ids.pop(change.key, change.doc_id)
            items.pop(change.key, None)
        else:
            if change.key not in items and change.doc_id is not None and change.doc_id not in doc_ids.values():
                doc_ids[change.key] = change.doc_id
            items[change.key] = copy.deepcopy(new)


# -- what the UI hears and passes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """Sent to listeners after every saved edit, undo, redo or reload."""

    action: str  # "do", "undo", "redo" or "reload"
    description: str
    actor_ids: frozenset[str] = frozenset()
    tie_ids: frozenset[str] = frozenset()
    source_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class NewSource:
    """A document to create with a tie's citation.

    `text` is the document's full text; without it the quote alone becomes the
    text file, so that the quote can still be checked.
    """

    title: str
    publisher: str | None = None
    published: str | None = None
    text: str | None = None
    published_note: str = ""


@dataclass(frozen=True, slots=True)
class DeletionImpact:
    """What deleting an actor takes with it; ask for this before confirming."""

    actor: Actor
    ties: tuple[Tie, ...]  # removed with the actor
    claims: tuple[Tie, ...]  # other ties that name it as claimant: the claimant is cleared
    duplicates: tuple[Actor, ...]  # actors marked as its possible duplicates: the mark is cleared

    @property
    def tie_count(self) -> int:
        return len(self.ties)

    @property
    def tie_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.ties)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # edit_actor's default: leave this field as it is


def is_writable(path: str | Path) -> bool:
    """Whether edits can be saved: the file, its folder (temp file, backup) and its lock."""
    path = Path(path).absolute()
    if path.is_dir():
        return False
    if path.exists() and not os.access(path, os.W_OK):
        return False
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return False
    lock = path.with_name(path.name + ".lock")
    if lock.exists() and not os.access(lock, os.W_OK):
        return False
    return True


# -- the editor ------------------------------------------------------------------------


class Editor:
    """Edits one store: validation, undo/redo, saving, and change notifications."""

    def __init__(
        self,
        data: StoreData,
        graph: Graph | None = None,
        *,
        read_only: bool = False,
        read_only_reason: str = "",
    ) -> None:
        if graph is not None and graph.data is not data:
            raise ValueError("graph must be built on data")
        self.graph = graph if graph is not None else Graph(data)
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._listeners: list[Callable[[Change], None]] = []
        self._texts = DocumentTexts(self.graph.data)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool | None = None) -> Editor:
        """Load a store for editing. `read_only=None` decides from the file's permissions.

        Raises `store.StoreError` when the file cannot be used.
        """
        data = load_store(path)
        reason = ""
        if read_only is None:
            read_only = not is_writable(path)
            if read_only:
                reason = f"{Path(path)} or its folder is not writable"
        return cls(data, read_only=read_only, read_only_reason=reason)

    @property
    def data(self) -> StoreData:
        return self.graph.data

    @property
    def path(self) -> Path | None:
        return self.data.path

    # -- listeners ------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call `listener` after each change; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # -- undo / redo state ----------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and not self.read_only

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and not self.read_only

    @property
    def undo_description(self) -> str | None:
        return self._undo[-1].description if self._undo else None

    @property
    def redo_description(self) -> str | None:
        return self._redo[-1].description if self._redo else None

    # -- lookups and field checks for forms -----------------------------------------
    def actor(self, actor_id: str) -> Actor:
        actor = self.data.actors.get(actor_id) if isinstance(actor_id, str) else None
        if actor is None:
            raise UnknownItem("actor", actor_id)
        return actor

    def tie(self, tie_id: str) -> Tie:
        tie = self.data.ties.get(tie_id) if isinstance(tie_id, str) else None
        if tie is None:
            raise UnknownItem("tie", tie_id)
        return tie

    def resolve_actor(self, text: str) -> Actor:
        """A typed name, alias or id to one actor (as `Graph.resolve` does)."""
        try:
            return self.graph.resolve(text)
        except Ambiguous as exc:
            raise AmbiguousActor(text, exc.candidates) from None
        except NotFound as exc:
            hint = f"; closest: {_listing(exc.candidates)}" if exc.candidates else ""
            raise UnknownItem("actor", text, f"no actor matches {text!r}{hint}") from None

    def check_actor_ref(self, text: str) -> str | None:
        if not isinstance(text, str) or not text.strip():
            return "name an actor"
        try:
            self.resolve_actor(text)
        except EditError as exc:
            return str(exc)
        return None

    def name_owners(self, name: str, exclude: str | None = None) -> list[Actor]:
        """Other actors that already go by `name` (compared as lookups compare)."""
        key = normalize_key(name)
        owners = self.graph.alias_index.get(key, []) if key else []
        return [self.data.actors[a] for a in owners if a != exclude and a in self.data.actors]

    def check_new_name(self, name: str, actor_id: str | None = None, label: str = "name") -> str | None:
        """A name or alias for `actor_id` (None: a new actor) that no other actor uses."""
        problem = check_name(name, label)
        if problem:
            return problem
        owners = self.name_owners(name, exclude=actor_id)
        if owners:
            return f"{name.strip()!r} already names {_listing(owners)}"
        return None

    def check_alias(self, actor_id: str, alias: str) -> str | None:
        problem = self.check_new_name(alias, actor_id, "alias")
        if problem:
            return problem
        actor = self.data.actors.get(actor_id)
        if actor is not None and normalize_key(alias) in {normalize_key(n) for n in actor.names}:
            return f"{actor.name} already goes by {alias.strip()!r}"
        return None

    def check_actor_id(self, actor_id: str) -> str | None:
        if not isinstance(actor_id, str) or not _ACTOR_ID.fullmatch(actor_id):
            return f"id {actor_id!r} must be lower-case letters, digits, '.', '_' or '-'"
        if len(actor_id) > MAX_NAME:
            return "id is too long"
        if actor_id in self.data.actors:
            return f"id {actor_id!r} is taken by {self.data.actors[actor_id].name}"
        return None

    def check_source(self, source_id: str) -> str | None:
        if source_id not in self.data.sources:
            known = ", ".join(self.data.sources) or "none"
            return f"no document {source_id!r}; known: {known}"
        if self._document_text(source_id) is None:
            return f"the text of {source_id} cannot be read, so no quote from it can be checked"
        return None

    def check_quote(self, quote: str, source_id: str | None = None, text: str | None = None) -> str | None:
        """The quote must occur verbatim (whitespace aside) in its document.

        Give `source_id` for an existing document, or `text` for a new one;
        with neither, only the quote itself is checked.
        """
        problem = check_quote_text(quote)
        if problem:
            return problem
        wanted = squash_whitespace(quote)
        if source_id is not None:
            problem = self.check_source(source_id)
            if problem:
                return problem
            if wanted not in (self._document_text(source_id) or ""):
                return f"the quote does not occur in {source_id}; copy it exactly from the document"
        elif text is not None and wanted not in squash_whitespace(text):
            return "the quote does not occur in the document's text"
        return None

    def _document_text(self, source_id: str, pending: dict[str, str] | None = None) -> str | None:
        """A document's text, whitespace squashed, read once per session."""
        if pending and source_id in pending:
            return squash_whitespace(pending[source_id])
        return self._texts.squashed(source_id)

    def deletion_impact(self, actor_id: str) -> DeletionImpact:
        actor = self.actor(actor_id)
        ties = tuple(t for t in self.data.ties.values() if actor_id in (t.source, t.target))
        gone = {t.id for t in ties}
        claims = tuple(t for t in self.data.ties.values() if t.claimant == actor_id and t.id not in gone)
        duplicates = tuple(
            a for a in self.data.actors.values() if a.possible_duplicate_of == actor_id and a.id != actor_id
        )
        return DeletionImpact(actor, ties, claims, duplicates)

    # -- operations -----------------------------------------------------------------
    def add_actor(
        self,
        name: str,
        kind: str,
        *,
        aliases: Iterable[str] = (),
        summary: str = "",
        born: str | None = None,
        founded: str | None = None,
        died: str | None = None,
        ended: str | None = None,
        actor_id: str | None = None,
    ) -> Actor:
        def build() -> Command:
            fields = {"born": born, "founded": founded, "died": died, "ended": ended}
            actor = self._checked_actor(None, name, kind, _as_list(aliases), summary, fields, _optional(actor_id))
            return Command(f"add actor {actor.name}", [RecordChange("actors", actor.id, None, actor)])

        command = self._commit(build, "do")
        return self.data.actors[command.changes[0].key]

    def edit_actor(
        self,
        actor_id: str,
        *,
        name: str = KEEP,
        kind: str = KEEP,
        aliases: Iterable[str] = KEEP,
        summary: str = KEEP,
        born: str | None = KEEP,
        founded: str | None = KEEP,
        died: str | None = KEEP,
        ended: str | None = KEEP,
    ) -> Actor:
        """Change some fields of an actor; fields left at KEEP stay as they are."""

        def build() -> Command | None:
            old = self.actor(actor_id)

            def pick(value: Any, current: Any) -> Any:
                return current if value is KEEP else value

            fields = {key: pick(value, getattr(old, key)) for key, value in
                      {"born": born, "founded": founded, "died": died, "ended": ended}.items()}
            new = self._checked_actor(
                old,
                pick(name, old.name),
                pick(kind, old.kind),
                _as_list(pick(aliases, old.aliases)),
                pick(summary, old.summary),
                fields,
                None,
            )
            if new == old:
                return None
            return Command(f"edit actor {new.name}", [RecordChange("actors", actor_id, copy.deepcopy(old), new)])

        self._commit(build, "do")
        return self.actor(actor_id)

    def add_alias(self, actor_id: str, alias: str) -> Actor:
        def build() -> Command:
            old = self.actor(actor_id)
            problem = self.check_alias(actor_id, alias)
            if problem:
                raise ValidationError({"alias": problem})
            new = copy.deepcopy(old)
            new.aliases.append(alias.strip())
            return Command(
                f"add alias {alias.strip()} to {old.name}", [RecordChange("actors", actor_id, copy.deepcopy(old), new)]
            )

        self._commit(build, "do")
        return self.actor(actor_id)

    def add_tie(
        self,
        from_id: str,
        tie_type: str,
        to_id: str,
        *,
        quote: str,
        source_id: str | None = None,
        new_source: NewSource | None = None,
        status: str = "reported",
        claimant: str | None = None,
        role: str | None = None,
        start: str | None = None,
        end: str | None = None,
        summary: str = "",
    ) -> Tie:
        """A tie `from_id` -> `to_id` citing an existing document or a new one.

        Directed types read from -> to ("leads": the person leads the group).
        """

        def build() -> Command:
            return self._tie_command(
                from_id, tie_type, to_id, quote, source_id, new_source, status, claimant, role, start, end, summary
            )

        command = self._commit(build, "do")
        tie_change = next(c for c in command.changes if c.table == "ties")
        return self.data.ties[tie_change.key]

    def delete_tie(self, tie_id: str) -> Tie:
        def build() -> Command:
            tie = copy.deepcopy(self.tie(tie_id))
            return Command(f"delete tie {tie_id}", [RecordChange("ties", tie_id, tie, None)])

        command = self._commit(build, "do")
        return command.changes[0].before

    def delete_actor(self, actor_id: str, *, confirmed: DeletionImpact | None = None) -> DeletionImpact:
        """Delete an actor, its ties, and references to it as claimant or duplicate.

        Pass the `deletion_impact` the user confirmed: if the actor's ties have
        changed since (another analyst's save), the deletion is refused.
        """

        def build() -> Command:
            impact = self.deletion_impact(actor_id)
            if confirmed is not None and impact.tie_ids != confirmed.tie_ids:
                raise EditConflict(
                    f"{impact.actor.name} now has {impact.tie_count} ties, not the {confirmed.tie_count} "
                    "you confirmed; look again before deleting"
                )
            changes = [RecordChange("ties", t.id, copy.deepcopy(t), None) for t in impact.ties]
            for tie in impact.claims:
                cleared = copy.deepcopy(tie)
                cleared.claimant = None
                changes.append(RecordChange("ties", tie.id, copy.deepcopy(tie), cleared))
            for other in impact.duplicates:
                unmarked = copy.deepcopy(other)
                unmarked.possible_duplicate_of = None
                changes.append(RecordChange("actors", other.id, copy.deepcopy(other), unmarked))
            changes.append(RecordChange("actors", actor_id, copy.deepcopy(impact.actor), None))
            plural = "tie" if impact.tie_count == 1 else "ties"
            return Command(f"delete actor {impact.actor.name} and {impact.tie_count} {plural}", changes)

        command = self._commit(build, "do")
        removed_ties = tuple(c.before for c in command.changes if c.table == "ties" and c.after is None)
        claims = tuple(c.before for c in command.changes if c.table == "ties" and c.after is not None)
        duplicates = tuple(c.before for c in command.changes if c.table == "actors" and c.key != actor_id)
        actor = next(c.before for c in command.changes if c.table == "actors" and c.key == actor_id)
        return DeletionImpact(actor, removed_ties, claims, duplicates)

    def undo(self) -> Change:
        if not self._undo:
            raise EditError("nothing to undo")
        command = self._undo[-1]
        try:
            self._commit(lambda: command, "undo")
        except EditConflict as exc:
            self._undo.pop()  # it can never apply again; older edits may still
            raise EditConflict(f"cannot undo {command.description}: {exc}") from None
        return Change("undo", command.description, command.ids("actors"), command.ids("ties"), command.ids("sources"))

    def redo(self) -> Change:
        if not self._redo:
            raise EditError("nothing to redo")
        command = self._redo[-1]
        try:
            self._commit(lambda: command, "redo")
        except EditConflict as exc:
            self._redo.pop()
            raise EditConflict(f"cannot redo {command.description}: {exc}") from None
        return Change("redo", command.description, command.ids("actors"), command.ids("ties"), command.ids("sources"))

    # -- reloading ------------------------------------------------------------------
    def changed_on_disk(self) -> bool:
        """Whether the file differs from what we last read or wrote."""
        return self.data.path is not None and changed_since(self.data.path, self.data.fingerprint)

    def reload(self, fresh: StoreData | None = None) -> None:
        """Read the file again (someone else saved it), or take `fresh`, the file as
        already read (by a worker thread). Undo history is kept: each undo still
        checks that its records are as it left them."""
        if self.data.path is None:
            return
        self._replace_data(fresh if fresh is not None else load_store(self.data.path))
        self._notify(Change("reload", f"reloaded {self.data.path.name}"))

    def _replace_data(self, fresh: StoreData) -> None:
        # In place, so that views holding `editor.graph` see the new store.
        self.graph.data = fresh
        self.graph.actors = fresh.actors
        self.graph.ties = fresh.ties
        self.graph.reindex()
        self._texts = DocumentTexts(fresh)

    # -- building and checking commands ---------------------------------------------
    def _checked_actor(
        self,
        old: Actor | None,
        name: str,
        kind: str,
        aliases: list[str],
        summary: str,
        dates: dict[str, str | None],
        actor_id: str | None,
    ) -> Actor:
        problems: dict[str, str] = {}
        own_id = old.id if old else None

        def kept(field_name: str, value: Any) -> bool:
            # Fields left as they were are not checked again: a problem already in
            # the store (for the curators) must not block an unrelated edit.
            return old is not None and value == getattr(old, field_name)

        if not kept("name", name):
            name_problem = check_name(name)
            if not name_problem and (old is None or normalize_key(name) != normalize_key(old.name)):
                name_problem = self.check_new_name(name, own_id)
            _put(problems, "name", name_problem)
            name = name.strip() if isinstance(name, str) else name
        if not kept("kind", kind):
            _put(problems, "kind", check_kind(kind))
        if kept("aliases", aliases):
            clean_aliases = list(aliases)
        else:
            old_keys = {normalize_key(n) for n in old.names} if old else set()
            clean_aliases = []
            seen = {normalize_key(name)} if isinstance(name, str) else set()
            for alias in aliases:
                if not isinstance(alias, str) or not alias.strip():
                    if alias is not None and not isinstance(alias, str):
                        _put(problems, "aliases", "an alias must be text")
                    continue
                alias = alias.strip()
                problem = check_name(alias, "alias")
                if not problem and normalize_key(alias) not in old_keys:
                    problem = self.check_new_name(alias, own_id, "alias")
                _put(problems, "aliases", problem)
                key = normalize_key(alias)
                if key and key not in seen:
                    seen.add(key)
                    clean_aliases.append(alias)
        if not kept("summary", summary):
            summary = _block(summary)
            _put(problems, "summary", check_text(summary, "summary", multiline=True, max_length=MAX_SUMMARY))
        clean_dates: dict[str, str | None] = {}
        for key, value in dates.items():
            if not kept(key, value):
                value = _optional(value)
                _put(problems, key, check_date(value, key))
            clean_dates[key] = value
        if not all(kept(key, value) for key, value in clean_dates.items()):
            start = clean_dates["born"] or clean_dates["founded"]
            end = clean_dates["died"] or clean_dates["ended"]
            order = check_date_order(start, end, "the start", "the end")
            _put(problems, "died" if clean_dates["died"] else "ended", order)
        if actor_id is not None:
            _put(problems, "id", self.check_actor_id(actor_id))
        if problems:
            raise ValidationError(problems)
        if old is None:
            new_id = actor_id or new_actor_id(name, self.data.actors)
            return Actor(id=new_id, name=name, kind=kind, aliases=clean_aliases, summary=summary, **clean_dates)
        new = copy.deepcopy(old)
        new.name = name
        new.kind = kind
        new.aliases = clean_aliases
        new.summary = summary
        for key, value in clean_dates.items():
            setattr(new, key, value)
        return new

    def _tie_command(
        self,
        from_id: str,
        tie_type: str,
        to_id: str,
        quote: str,
        source_id: str | None,
        new_source: NewSource | None,
        status: str,
        claimant: str | None,
        role: str | None,
        start: str | None,
        end: str | None,
        summary: str,
    ) -> Command:
        for actor_id in (from_id, to_id):
            if not isinstance(actor_id, str) or actor_id not in self.data.actors:
                raise UnknownItem("actor", str(actor_id))
        claimant = _optional(claimant)
        if claimant is not None and (not isinstance(claimant, str) or claimant not in self.data.actors):
            raise UnknownItem("actor", claimant, f"no actor has id {claimant!r} (claimant)")
        source_id = _optional(source_id)
        if source_id is not None and not isinstance(source_id, str):
            raise UnknownItem("document", str(source_id))
        if source_id is not None and new_source is not None:
            raise ValidationError({"source": "cite either an existing document or a new one, not both"})
        if source_id is not None and source_id not in self.data.sources:
            raise UnknownItem("document", source_id, self.check_source(source_id))

        problems: dict[str, str] = {}
        if from_id == to_id:
            problems["to"] = "a tie needs two different actors"
        _put(problems, "type", check_tie_type(tie_type))
        _put(problems, "status", check_status(status))
        role = _optional(role)
        _put(problems, "role", check_text(role, "role"))
        start = _optional(start)
        end = _optional(end)
        _put(problems, "start", check_date(start, "start"))
        _put(problems, "end", check_date(end, "end"))
        _put(problems, "end", check_date_order(start, end))
        summary = _block(summary)
        _put(problems, "summary", check_text(summary, "summary", multiline=True, max_length=MAX_SUMMARY))
        quote = quote.strip() if isinstance(quote, str) else quote

        changes: list[RecordChange] = []
        files: list[TextFile] = []
        if new_source is None and source_id is None:
            problems["source"] = "cite a document: an existing one or a new one with its title"
        elif new_source is not None:
            title = new_source.title.strip() if isinstance(new_source.title, str) else new_source.title
            _put(problems, "title", check_text(title, "title", required=True, max_length=MAX_NAME * 2))
            publisher = _optional(new_source.publisher)
            _put(problems, "publisher", check_text(publisher, "publisher"))
            published = _optional(new_source.published)
            _put(problems, "published", check_date(published, "published"))
            note = _block(new_source.published_note)
            _put(problems, "published_note", check_text(note, "note", multiline=True, max_length=MAX_SUMMARY))
            text = new_source.text
            if text is not None and not isinstance(text, str):
                problems["text"] = "the document's text must be text"
            elif text is not None and len(text) > MAX_DOCUMENT:
                problems["text"] = f"the document's text is too long (at most {MAX_DOCUMENT:,} characters)"
            _put(problems, "quote", self.check_quote(quote, text=text if isinstance(text, str) else None))
            if not problems:
                content = text if text is not None and text.strip() else quote
                if not content.endswith("\n"):
                    content += "\n"
                source_id = self._free_source_id(content)
                relative = f"{SOURCES_FOLDER}/{source_id}.txt"
                source = Source(
                    id=source_id,
                    title=title,
                    publisher=publisher,
                    published=published,
                    published_note=note,
                    path=relative,
                )
                changes.append(RecordChange("sources", source_id, None, source))
                files.append(TextFile(relative, content))
        else:
            _put(problems, "quote", self.check_quote(quote, source_id))
        if problems:
            raise ValidationError(problems)

        tie_id = make_tie_id(from_id, tie_type, to_id, self.data.ties)
        tie = Tie(
            id=tie_id,
            type=tie_type,
            source=from_id,
            target=to_id,
            status=status,
            claimant=claimant,
            role=role,
            start=start,
            end=end,
            summary=summary,
            citations=[Citation(source_id, quote)],
        )
        changes.append(RecordChange("ties", tie_id, None, tie))
        spec = TIE_TYPES[tie_type]
        names = (self.data.actors[from_id].name, self.data.actors[to_id].name)
        return Command(f"add tie {names[0]} {spec.forward} {names[1]}", changes, files)

    def _free_source_id(self, content: str) -> str:
        """'NNN_<hash>', numbered after the store's documents, like the bundled ones."""
        numbers = [int(m.group(1)) for s in self.data.sources if (m := _SOURCE_NUMBER.match(s))]
        number = max(numbers, default=len(self.data.sources) - 1) + 1
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        folder = self.data.folder / SOURCES_FOLDER
        while True:
            candidate = f"{number:03d}_{digest}"
            if candidate not in self.data.sources and not (folder / f"{candidate}.txt").exists():
                return candidate
            number += 1

    def _consistency_problems(self, command: Command, forward: bool, fresh: bool) -> list[str]:
        """Whole-store rules for the records a command just set.

        Only what the command introduces is checked, so problems already in the
        store (left for the curators) never block an unrelated edit. Undo and
        redo (`fresh` False) put back records that were in the store before, so
        they are checked for references only: a name clash or a quote that
        predates this session must not make an edit impossible to undo.
        """
        data = self.data
        problems: list[str] = []
        pending = {
            Path(f.relative_path).stem: f.content for f in command.files
        } if forward else {}
        removed_actors = {
            c.key for c in command.changes if c.table == "actors" and (c.after if forward else c.before) is None
        }
        for change in command.changes:
            old, new = (change.before, change.after) if forward else (change.after, change.before)
            if change.table == "actors":
                if new is None:
                    problems += self._removed_actor_problems(change.key)
                else:
                    problems += self._actor_problems(new, old, removed_actors, fresh)
            elif change.table == "ties" and new is not None:
                problems += self._tie_problems(new, old, pending, fresh)
            elif change.table == "sources" and new is None:
                citing = [t.id for t in data.ties.values() if any(c.source == change.key for c in t.citations)]
                citing += [a.id for a in data.actors.values() if any(c.source == change.key for c in a.citations)]
                if citing:
                    problems.append(f"document {change.key} is cited by {', '.join(citing[:5])}")
        try:
            check_structure(data)
        except StoreError as exc:
            problems.append(exc.problem)
        return problems

    def _actor_problems(self, actor: Actor, old: Actor | None, removed: set[str], fresh: bool) -> list[str]:
        def changed(name: str) -> bool:
            return fresh and (old is None or getattr(actor, name) != getattr(old, name))

        messages = [
            check_name(actor.name) if changed("name") else None,
            check_kind(actor.kind) if changed("kind") else None,
            *(check_date(getattr(actor, k), k) for k in ACTOR_DATE_FIELDS if changed(k)),
        ]
        if any(changed(k) for k in ACTOR_DATE_FIELDS):
            messages.append(check_date_order(actor.start, actor.end))
        old_keys = {normalize_key(n) for n in old.names} if old else set()
        for name in actor.names if fresh else ():
            if normalize_key(name) in old_keys:
                continue
            owners = [a for a in self.name_owners(name, exclude=actor.id) if a.id not in removed]
            if owners:
                messages.append(f"{name!r} already names {_listing(owners)}")
        if actor.possible_duplicate_of and actor.possible_duplicate_of not in self.data.actors:
            messages.append(f"possible duplicate of missing actor {actor.possible_duplicate_of!r}")
        return [f"actor {actor.id}: {m}" for m in messages if m]

    def _removed_actor_problems(self, actor_id: str) -> list[str]:
        users = [t.id for t in self.data.ties.values() if actor_id in (t.source, t.target, t.claimant)]
        users += [a.id for a in self.data.actors.values() if a.possible_duplicate_of == actor_id]
        if users:
            return [f"actor {actor_id} is still referred to by {', '.join(users[:5])}"]
        return []

    def _tie_problems(self, tie: Tie, old: Tie | None, pending: dict[str, str], fresh: bool) -> list[str]:
        def changed(*names: str) -> bool:
            return fresh and (old is None or any(getattr(tie, n) != getattr(old, n) for n in names))

        messages: list[str | None] = []
        for end in (tie.source, tie.target):
            if end not in self.data.actors:
                messages.append(f"actor {end!r} no longer exists")
        if tie.claimant is not None and tie.claimant not in self.data.actors:
            messages.append(f"claimant {tie.claimant!r} no longer exists")
        if changed("type"):
            messages.append(check_tie_type(tie.type))
        if changed("status"):
            messages.append(check_status(tie.status))
        if changed("source", "target") and tie.source == tie.target:
            messages.append("ties an actor to itself")
        if changed("start", "end"):
            messages += [check_date(tie.start, "start"), check_date(tie.end, "end")]
            messages.append(check_date_order(tie.start, tie.end))
        if changed("citations") and not tie.citations:
            messages.append("has no citation")
        old_citations = old.citations if old else []
        for citation in tie.citations if fresh else ():
            if citation in old_citations:
                continue
            if citation.source not in self.data.sources:
                messages.append(f"cites missing document {citation.source!r}")
            elif not citation.quote.strip():
                messages.append("has an empty quote")
            elif squash_whitespace(citation.quote) not in (self._document_text(citation.source, pending) or ""):
                messages.append(f"quote not found in {citation.source}")
        return [f"tie {tie.id}: {m}" for m in messages if m]

    # -- committing -----------------------------------------------------------------
    def _require_writable(self) -> None:
        if self.read_only:
            reason = f" ({self.read_only_reason})" if self.read_only_reason else ""
            raise ReadOnlyError(f"the store is open read-only{reason}; nothing can be changed")

    def _commit(self, build: Callable[[], Command | None], action: str) -> Command:
        """Build (validate) the command against the current file, apply it, save it."""
        from filelock import Timeout

        self._require_writable()
        forward = action != "undo"
        path = self.data.path
        reloaded = False
        command: Command | None = None
        try:
            if path is None:
                command = self._build(build, action, reloaded=False)
                if command is not None:
                    self._apply_checked(command, forward, action)
            else:
                lock = locked(path)
                try:
                    lock.acquire()
                except Timeout:
                    message = f"another program is saving {path} (it holds {lock.lock_file}); try again"
                    raise SaveError(message) from None
                except OSError as exc:
                    raise SaveError(f"cannot lock {path}: {exc.strerror or exc}") from None
                try:
                    # Under the lock nobody else can save, so one comparison with
                    # the file decides: build on what is there now.
                    if self.changed_on_disk():
                        self._reload_for_edit(path)
                        reloaded = True
                    command = self._build(build, action, reloaded)
                    if command is not None:
                        self._apply_checked(command, forward, action, reloaded)
                        self._save(command, forward, path)
                finally:
                    lock.release()
        finally:
            if reloaded:  # _replace_data re-indexed; a failed edit was unapplied
                self._notify(Change("reload", f"reloaded {path.name if path else 'store'}: changed by someone else"))
        if command is None:
            return Command("nothing changed", [])
        if action == "do":
            self._undo.append(command)
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()
        elif action == "undo":
            self._redo.append(self._undo.pop())
        else:
            self._undo.append(self._redo.pop())
        self.graph.reindex()
        self._notify(
            Change(action, command.description, command.ids("actors"), command.ids("ties"), command.ids("sources"))
        )
        return command

    def _build(self, build: Callable[[], Command | None], action: str, reloaded: bool) -> Command | None:
        try:
            return build()
        except (ValidationError, UnknownItem, AmbiguousActor, EditConflict) as exc:
            if reloaded and action == "do":
                raise EditConflict(
                    f"someone else saved {self.data.path.name if self.data.path else 'the store'} meanwhile "
                    f"and this edit no longer applies: {exc}"
                ) from None
            raise

    def _reload_for_edit(self, path: Path) -> None:
        try:
            fresh = load_store(path)
        except StoreError as exc:
            raise SaveError(
                f"someone else saved {path} and it can no longer be read ({exc.problem}); "
                "nothing was saved, so as not to overwrite it"
            ) from None
        self._replace_data(fresh)

    def _apply_checked(self, command: Command, forward: bool, action: str, reloaded: bool = False) -> None:
        if forward:
            command.apply(self.data)
        else:
            command.revert(self.data)
        problems = self._consistency_problems(command, forward, fresh=action == "do")
        if problems:
            self._unapply(command, forward)
            message = "; ".join(problems)
            if action == "do" and not reloaded:
                raise ValidationError({"edit": message})
            raise EditConflict(message)

    def _unapply(self, command: Command, forward: bool) -> None:
        if forward:
            command.revert(self.data)
        else:
            command.apply(self.data)

    def _save(self, command: Command, forward: bool, path: Path) -> None:
        """Write texts and store; on failure undo the change in memory and on disk."""
        written: list[Path] = []
        try:
            if forward:
                written = self._write_texts(command)
            # _commit holds the lock and has just compared the file with what we
            # read; a second comparison would read and hash the whole file again.
            save_store(self.data, check_conflict=False)
        except EditError:
            self._unapply(command, forward)
            raise
        except (StoreError, OSError) as exc:
            self._unapply(command, forward)
            self._remove_texts(written)
            reason = exc.problem if isinstance(exc, StoreError) else (exc.strerror or str(exc))
            raise SaveError(f"could not save {path}: {reason}; the file is unchanged") from None
        if not forward:
            self._remove_texts([self.data.folder / f.relative_path for f in command.files], command.files)

    def _write_texts(self, command: Command) -> list[Path]:
        """Write a new source's text before the store that cites it, so a crash
        between the two leaves at worst an unused file."""
        written: list[Path] = []
        try:
            for text_file in command.files:
                target = self.data.folder / text_file.relative_path
                payload = text_file.content.encode("utf-8")
                if target.exists():
                    if target.read_bytes() == payload:
                        continue
                    raise EditConflict(f"{text_file.relative_path} already exists with other text")
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, payload, backup=False)
                written.append(target)
                if self.data.path is not None and self.data.path.exists():
                    # mkstemp makes files private; share them as the store is shared.
                    try:
                        os.chmod(target, self.data.path.stat().st_mode & 0o666)
                    except OSError:
                        pass
                self._texts.forget(Path(text_file.relative_path).stem)
        except BaseException:
            self._remove_texts(written)
            raise
        return written

    def _remove_texts(self, paths: list[Path], expected: list[TextFile] | None = None) -> None:
        for index, target in enumerate(paths):
            try:
                if expected is not None and target.read_bytes() != expected[index].content.encode("utf-8"):
                    continue  # someone else's text now: leave it
                target.unlink()
            except OSError:
                pass
            self._texts.forget(target.stem)
