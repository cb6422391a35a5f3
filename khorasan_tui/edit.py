"""The editor's operations: validated edits with undo and redo, each saved at once.

The app's forms and the CLI's edit commands both go through `Editor`:

* field checks (`check_*`) are the rulebook's (`rules`), worded for a form's
  labels, cheap enough to run on every keystroke;
* each operation validates its input and becomes a `changes.Command` (records
  before and after, plus any document text it creates);
* `transaction.WritePath` applies it, holds what it touched to the rulebook
  and saves it under the store's lock, reloading first when someone else
  saved: the one write path, shared with the importers, ingest and merges;
* `undo` / `redo` replay commands backwards and forwards, and refuse when
  someone else has changed the same records meanwhile;
* listeners registered with `subscribe` hear of every change, so views refresh.

An `Editor` is not thread-safe: call it from one thread at a time.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rules
from .changes import Command, RecordChange, TextFile
from .documents import squash_whitespace
from .graph import Ambiguous, Graph, NotFound
from .model import (
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    make_tie_id,
    new_actor_id,
    normalize_key,
)
from .store import StoreError, load_store
from .storedata import StoreData
from .transaction import Conflict, RuleBroken, SaveFailed, WriteError, WritePath

# The rulebook's limits, under the names forms and tests have always used.
MAX_NAME = rules.MAX_NAME
MAX_SUMMARY = rules.MAX_SUMMARY
MAX_QUOTE = rules.MAX_QUOTE
MAX_DOCUMENT = rules.MAX_DOCUMENT_BYTES
UNDO_LIMIT = 200
SOURCES_FOLDER = "sources"

ACTOR_DATE_FIELDS = rules.ACTOR_DATE_FIELDS

_SOURCE_NUMBER = re.compile(r"([0-9]+)_")


# -- errors ----------------------------------------------------------------------------

EditError = WriteError  # an edit that was refused; the message is for the user; nothing was saved
EditConflict = Conflict  # someone else changed the store so that this edit (or undo) no longer applies
SaveError = SaveFailed  # the store could not be written; the file is as it was


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


def _listing(actors: Iterable[Actor]) -> str:
    return ", ".join(f"{a.name} ({a.id})" for a in actors)


# -- field checks for forms: the rulebook's, with the form's label -------------------------


def _labelled(label: str, message: str | None) -> str | None:
    return f"{label} {message}" if message else None


def check_text(
    value: Any,
    label: str,
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int = MAX_NAME,
) -> str | None:
    return _labelled(label, rules.check_text(value, required=required, multiline=multiline, max_length=max_length))


def check_name(value: Any, label: str = "name") -> str | None:
    return _labelled(label, rules.check_name(value))


def check_kind(value: Any) -> str | None:
    return rules.check_kind(value)


def check_tie_type(value: Any) -> str | None:
    return rules.check_tie_type(value)


def check_status(value: Any) -> str | None:
    return rules.check_status(value)


def check_date(value: Any, label: str = "date") -> str | None:
    return _labelled(label, rules.check_date(value))


def check_date_order(
    start: str | None, end: str | None, start_label: str = "start", end_label: str = "end"
) -> str | None:
    return rules.check_date_order(start, end)


def check_quote_text(value: Any) -> str | None:
    return _labelled("the quote", rules.check_quote(value))


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


# -- what the UI hears and passes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """Sent to listeners after every saved edit, undo, redo or reload."""

    action: str  # "do", "undo", "redo", "reload" or "moved" (edits now go to a copy)
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
    claims: tuple[Tie, ...]  # other ties that name it as claimant: removed too (a claim needs its claimant)
    duplicates: tuple[Actor, ...]  # actors marked as its possible duplicates: the mark is cleared

    @property
    def tie_count(self) -> int:
        return len(self.ties)

    @property
    def all_ties(self) -> tuple[Tie, ...]:
        return self.ties + self.claims

    @property
    def tie_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.all_ties)

    def describe(self) -> str:
        """'Taliban and its 45 ties, and 21 ties it claims'."""
        text = f"{self.actor.name} and {_count(self.tie_count, 'tie')}"
        if self.claims:
            text += f", and {_count(len(self.claims), 'tie')} it claims (a claim needs its claimant)"
        return text


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


@dataclass(frozen=True, slots=True)
class MergeImpact:
    """What merging `other` into `keep` does; ask for this before confirming."""

    keep: Actor
    other: Actor
    repointed: tuple[Tie, ...]  # ties of `other` that move to `keep`
    folded: tuple[Tie, ...]  # of those, ties that duplicate one of keep's: their citations join it
    dropped: tuple[Tie, ...]  # ties between the two: they would tie keep to itself
    claims: tuple[Tie, ...]  # ties that name `other` as claimant: they name keep

    def describe(self) -> str:
        parts = [f"merge {self.other.name} ({self.other.id}) into {self.keep.name} ({self.keep.id})"]

        def verb(n: int, one: str, many: str) -> str:
            return one if n == 1 else many

        moved, folded, dropped, claims = len(self.repointed), len(self.folded), len(self.dropped), len(self.claims)
        parts.append(f"{_count(moved, 'tie')} {verb(moved, 'moves', 'move')}")
        if folded:
            parts.append(f"{_count(folded, 'tie')} {verb(folded, 'joins', 'join')} an existing tie")
        if dropped:
            parts.append(f"{_count(dropped, 'tie')} between the two {verb(dropped, 'goes', 'go')}")
        if claims:
            parts.append(f"{_count(claims, 'claim')} {verb(claims, 'changes', 'change')} claimant")
        return "; ".join(parts)


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
    real = Path(os.path.realpath(path))
    lock = real.with_name(real.name + ".lock")
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
        copy_edits_to: Path | None = None,
    ) -> None:
        if graph is not None and graph.data is not data:
            raise ValueError("graph must be built on data")
        self.graph = graph if graph is not None else Graph(data)
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        # The bundled store is read-only (a reinstall would drop edits made in
        # the package): the first edit copies it here and edits the copy.
        self.copy_edits_to = copy_edits_to
        # False: a new edit that would add lint warnings is refused (the CLI,
        # unless --allow-warnings); the app saves it and shows the warnings.
        self.allow_warnings = True
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._listeners: list[Callable[[Change], None]] = []
        self._writes = WritePath(
            self.graph.data,
            on_reload=self._replace_data,
            name_owners=lambda: self.graph.alias_index,
            merged_from=lambda: self.graph.merged,
        )

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool | None = None, copy_edits_to: Path | None = None) -> Editor:
        """Load a store for editing. `read_only=None` decides from the file's permissions
        (or, with `copy_edits_to`, from those of the copy's folder).

        Raises `store.StoreError` when the file cannot be used.
        """
        data = load_store(path)
        reason = ""
        if read_only is None:
            target = copy_edits_to if copy_edits_to is not None else Path(path)
            read_only = not (is_writable(target) or (copy_edits_to is not None and not target.parent.exists()))
            if read_only:
                reason = f"{target} or its folder is not writable"
        return cls(data, read_only=read_only, read_only_reason=reason, copy_edits_to=copy_edits_to)

    def _copy_before_first_edit(self) -> list[Path]:
        """Move to the user's own copy of a read-only store, once, before writing.

        Under the copy's lock: when another process (a second terminal, the
        app) made the copy meanwhile, this editor switches to it and builds on
        what it holds, never copies over it. Returns the files it created."""
        from .store import copy_store, load_store, locked

        target, self.copy_edits_to = self.copy_edits_to, None
        source = self.data.path
        if target is None or source is None:
            return []
        target = Path(target).absolute()
        created: list[Path] = []
        try:
            with locked(target):
                if target.is_file():
                    self._writes.replace_data(load_store(target))
                else:
                    created = copy_store(source, target)
                    self.data.path = target
        except (OSError, StoreError) as exc:
            self.copy_edits_to = target
            reason = exc.problem if isinstance(exc, StoreError) else (exc.strerror or exc)
            raise SaveError(f"cannot use your copy of the read-only store at {target}: {reason}") from None
        self._notify(Change("moved", f"the bundled store is read-only; edits now go to {target}"))
        return created

    def _take_back_copy(self, created: list[Path], source: Path) -> None:
        """The first edit failed: remove the copy it made, so the bundled store
        stays the one that opens (and a later update to it is seen)."""
        for path in reversed(created):
            try:
                path.unlink()
            except OSError:
                pass
        self.copy_edits_to = self.data.path
        self.data.path = source

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
    def last_command(self) -> Command | None:
        """The change saved last in this session (what `undo` would take back)."""
        return self._undo[-1] if self._undo else None

    def warnings_of(self, command: Command) -> list[rules.Problem]:
        """The curators' lints on what `command` touched (an import lists them)."""
        return self._writes.warnings_of(command)

    def undo_command(self, command: Command) -> Change:
        """Undo a change saved in an earlier session (the CLI's journal)."""
        self._undo.append(command)
        return self.undo()

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
        problem = rules.check_actor_id(actor_id)
        if problem:
            return f"id {problem}"
        if actor_id in self.data.actors or actor_id in self.graph.merged:
            owner = self.data.actors.get(actor_id) or self.data.actors[self.graph.merged[actor_id]]
            return f"id: {rules.duplicate_id('actors', actor_id)} (taken by {owner.name})"
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

    def _document_text(self, source_id: str) -> str | None:
        """A document's text, whitespace squashed, read once per session."""
        return self._writes.texts.squashed(source_id)

    def deletion_impact(self, actor_id: str) -> DeletionImpact:
        actor = self.actor(actor_id)
        ties = tuple(self.graph.ties_of(actor_id))
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

            fields = {
                key: pick(value, getattr(old, key))
                for key, value in {"born": born, "founded": founded, "died": died, "ended": ended}.items()
            }
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

    # -- batches built elsewhere (ingest: a document with its actors, ties and citations) --
    def free_source_id(self, content: str) -> str:
        """The id a new document with this text would get ('NNN_<hash>')."""
        return self._free_source_id(content)

    def delete_tie(self, tie_id: str) -> Tie:
        def build() -> Command:
            tie = copy.deepcopy(self.tie(tie_id))
            return Command(f"delete tie {tie_id}", [RecordChange("ties", tie_id, tie, None)])

        command = self._commit(build, "do")
        return command.changes[0].before

    def delete_actor(self, actor_id: str, *, confirmed: DeletionImpact | None = None) -> DeletionImpact:
        """Delete an actor, its ties, the ties it is the claimant of, and its
        possible-duplicate marks: the store stays valid, with nothing dangling.

        Pass the `deletion_impact` the user confirmed: if the actor's ties have
        changed since (another analyst's save), the deletion is refused.
        """

        def build() -> Command:
            impact = self.deletion_impact(actor_id)
            if confirmed is not None and impact.tie_ids != confirmed.tie_ids:
                raise EditConflict(
                    f"{impact.actor.name} now has {_count(len(impact.all_ties), 'tie')}, not the "
                    f"{len(confirmed.all_ties):,} you confirmed; look again before deleting"
                )
            changes = [RecordChange("ties", t.id, copy.deepcopy(t), None) for t in impact.all_ties]
            for other in impact.duplicates:
                unmarked = copy.deepcopy(other)
                unmarked.possible_duplicate_of = None
                changes.append(RecordChange("actors", other.id, copy.deepcopy(other), unmarked))
            changes.append(RecordChange("actors", actor_id, copy.deepcopy(impact.actor), None))
            return Command(f"delete actor {impact.describe()}", changes)

        self._commit(build, "do")
        command = self._undo[-1]
        gone = {c.key: c.before for c in command.changes if c.table == "ties"}
        actor = next(c.before for c in command.changes if c.table == "actors" and c.key == actor_id)
        claims = tuple(t for t in gone.values() if t.claimant == actor_id and actor_id not in (t.source, t.target))
        ties = tuple(t for t in gone.values() if actor_id in (t.source, t.target))
        duplicates = tuple(c.before for c in command.changes if c.table == "actors" and c.key != actor_id)
        return DeletionImpact(actor, ties, claims, duplicates)

    def merge_impact(self, keep_id: str, other_id: str) -> MergeImpact:
        keep, other = self.actor(keep_id), self.actor(other_id)
        if keep_id == other_id:
            raise ValidationError({"other": "an actor cannot be merged into itself"})
        existing = {_tie_key(t, keep_id, keep_id) for t in self.graph.ties_of(keep_id)}
        repointed, folded, dropped = [], [], []
        for tie in self.graph.ties_of(other_id):
            if keep_id in (tie.source, tie.target):
                dropped.append(tie)
                continue
            repointed.append(tie)
            if _tie_key(tie, other_id, keep_id) in existing:
                folded.append(tie)
        claims = tuple(t for t in self.data.ties.values() if t.claimant == other_id and t not in dropped)
        return MergeImpact(keep, other, tuple(repointed), tuple(folded), tuple(dropped), claims)

    def merge_actors(self, keep_id: str, other_id: str, *, confirmed: MergeImpact | None = None) -> MergeImpact:
        """Merge `other` into `keep`: its ties move (a tie keep already has gains
        the other's citations instead), its names become keep's aliases, its
        citations join keep's, its id keeps resolving to keep. One undoable step."""

        def build() -> Command:
            impact = self.merge_impact(keep_id, other_id)
            if confirmed is not None and {t.id for t in impact.repointed} != {t.id for t in confirmed.repointed}:
                raise EditConflict(f"{impact.other.name}'s ties changed since you confirmed; look again before merging")
            changes: list[RecordChange] = []
            by_key = {_tie_key(t, keep_id, keep_id): t for t in self.graph.ties_of(keep_id)}
            joined: dict[str, Tie] = {}
            for tie in impact.repointed:
                key = _tie_key(tie, other_id, keep_id)
                if key in by_key:
                    target = joined.setdefault(by_key[key].id, copy.deepcopy(by_key[key]))
                    target.citations += [c for c in tie.citations if c not in target.citations]
                    changes.append(RecordChange("ties", tie.id, copy.deepcopy(tie), None))
                    continue
                moved = copy.deepcopy(tie)
                moved.source = keep_id if tie.source == other_id else tie.source
                moved.target = keep_id if tie.target == other_id else tie.target
                if moved.claimant == other_id:
                    moved.claimant = keep_id
                changes.append(RecordChange("ties", tie.id, copy.deepcopy(tie), moved))
            for tie in impact.dropped:
                changes.append(RecordChange("ties", tie.id, copy.deepcopy(tie), None))
            for tie_id, tie in joined.items():
                changes.append(RecordChange("ties", tie_id, copy.deepcopy(self.data.ties[tie_id]), tie))
            touched = {c.key for c in changes}
            for tie in impact.claims:
                if tie.id not in touched:
                    claimed = copy.deepcopy(tie)
                    claimed.claimant = keep_id
                    changes.append(RecordChange("ties", tie.id, copy.deepcopy(tie), claimed))
            for actor in self.data.actors.values():
                if actor.possible_duplicate_of == other_id and actor.id != other_id:
                    marked = copy.deepcopy(actor)
                    marked.possible_duplicate_of = None if actor.id == keep_id else keep_id
                    changes.append(RecordChange("actors", actor.id, copy.deepcopy(actor), marked))
            keep = copy.deepcopy(
                next((c.after for c in changes if c.key == keep_id and c.table == "actors"), impact.keep)
            )
            other = impact.other
            seen = {normalize_key(n) for n in keep.names}
            for name in other.names:
                if normalize_key(name) not in seen:
                    seen.add(normalize_key(name))
                    keep.aliases.append(name)
            keep.citations += [c for c in other.citations if c not in keep.citations]
            keep.merged_ids = [*keep.merged_ids, other_id, *[m for m in other.merged_ids if m not in keep.merged_ids]]
            keep.summary = keep.summary or other.summary
            for key in ACTOR_DATE_FIELDS:
                if not getattr(keep, key) and getattr(other, key):
                    setattr(keep, key, getattr(other, key))
            if keep.possible_duplicate_of == other_id:
                keep.possible_duplicate_of = None
            changes = [c for c in changes if not (c.table == "actors" and c.key == keep_id)]
            changes.append(RecordChange("actors", keep_id, copy.deepcopy(self.data.actors[keep_id]), keep))
            changes.append(RecordChange("actors", other_id, copy.deepcopy(other), None))
            return Command(impact.describe(), changes)

        impact = self.merge_impact(keep_id, other_id) if confirmed is None else confirmed
        self._commit(build, "do")
        return impact

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
        return self._writes.changed_on_disk()

    def reload(self, fresh: StoreData | None = None) -> None:
        """Read the file again (someone else saved it), or take `fresh`, the file as
        already read (by a worker thread). Undo history is kept: each undo still
        checks that its records are as it left them."""
        if self.data.path is None:
            return
        if fresh is not None:
            self._writes.replace_data(fresh)
        else:
            self._writes.reload()
        self._notify(Change("reload", f"reloaded {self.data.path.name}"))

    def _replace_data(self, fresh: StoreData) -> None:
        # In place, so that views holding `editor.graph` see the new store.
        self.graph.data = fresh
        self.graph.actors = fresh.actors
        self.graph.ties = fresh.ties
        self.graph.reindex()

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
                # The rule sees what was typed: str.strip() also eats U+001C-U+001F,
                # which would let a control character the name field refuses pass here.
                problem = check_name(alias, "alias")
                alias = alias.strip()
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
            # Never an id a merged-away actor had: it still opens the actor that absorbed it.
            new_id = actor_id or new_actor_id(name, lambda i: i in self.data.actors or i in self.graph.merged)
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
        for end_field, actor_id in (("source", from_id), ("target", to_id)):
            missing = rules.check_actor_exists(
                actor_id if isinstance(actor_id, str) else str(actor_id), self.data.actors
            )
            if missing:
                raise UnknownItem("actor", str(actor_id), f"{end_field}: {missing}")
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
        _put(problems, "to", rules.check_distinct_ends(from_id, to_id))
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

    # -- committing -----------------------------------------------------------------
    def _require_writable(self) -> None:
        if self.read_only:
            reason = f" ({self.read_only_reason})" if self.read_only_reason else ""
            raise ReadOnlyError(f"the store is open read-only{reason}; nothing can be changed")

    def commit(self, build: Callable[[], Command | None]) -> Command:
        """Save a change built elsewhere (an importer, ingest) as one undoable step.

        `build` runs under the store's lock on what the file holds now, so it
        must read the store through this editor when it runs, not before.
        """
        return self._commit(build, "do")

    def _commit(self, build: Callable[[], Command | None], action: str) -> Command:
        """Build (validate) the command against the current file, apply it, save it."""
        self._require_writable()
        copied: list[Path] = []
        original = self.data.path
        if self.copy_edits_to is not None:
            copied = self._copy_before_first_edit()
        reloaded = False
        try:
            outcome = self._writes.commit(
                build, forward=action != "undo", fresh=action == "do", allow_warnings=self.allow_warnings
            )
            reloaded = outcome.reloaded
        except WriteError as exc:
            reloaded = getattr(exc, "reloaded", False)
            if isinstance(exc, RuleBroken):
                exc = ValidationError({"edit": str(exc)}) if action == "do" and not reloaded else EditConflict(str(exc))
            if (
                reloaded
                and action == "do"
                and isinstance(exc, (ValidationError, UnknownItem, AmbiguousActor, Conflict))
            ):
                exc = EditConflict(
                    f"someone else saved {self.data.path.name if self.data.path else 'the store'} meanwhile "
                    f"and this edit no longer applies: {exc}"
                )
            if copied and original is not None:
                self._take_back_copy(copied, original)
            raise exc from None
        except BaseException:
            if copied and original is not None:
                self._take_back_copy(copied, original)
            raise
        finally:
            if reloaded:
                path = self.data.path
                self._notify(Change("reload", f"reloaded {path.name if path else 'store'}: changed by someone else"))
        command = outcome.command
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


def _tie_key(tie: Tie, old: str, new: str) -> tuple:
    """What makes two ties the same claim once `old` is read as `new`."""
    source = new if tie.source == old else tie.source
    target = new if tie.target == old else tie.target
    if not tie.directed:
        source, target = sorted((source, target))
    claimant = new if tie.claimant == old else tie.claimant
    return (tie.type, source, target, tie.status, claimant, (tie.role or "").casefold(), tie.start, tie.end)
