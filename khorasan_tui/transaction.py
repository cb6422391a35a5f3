"""The one write path: how any change reaches disk.

The editor (app forms and CLI edits), the importers, ingest and merges all
hand a `Command` to `WritePath.commit`, which:

1. takes the store's lock (named after the file's real path, so writers using
   different paths or symlinks to one store exclude each other);
2. compares the file with what was read and, if someone else saved meanwhile,
   reloads it and builds the change again on what is there now;
3. applies the change in memory and holds every record it touched to the
   rulebook (and every new quote to its document);
4. writes new document texts, then the store, atomically; on any failure it
   removes what it wrote and puts the records back as they were;
5. removes temp files that crashed saves of this store left behind.

Someone else's save is never overwritten, and a change is saved whole or not
at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import rules
from .changes import ChangeConflict, Command
from .documents import DocumentTexts, squash_whitespace
from .model import normalize_key
from .store import StoreError, atomic_write, changed_since, load_store, locked, save_store
from .storedata import StoreData


class WriteError(Exception):
    """A change that was not saved. The message is written for the user."""


class SaveFailed(WriteError):
    """The store could not be written (disk, permissions, lock); the file is as it was."""


class Conflict(WriteError):
    """Someone else changed the store so that this change no longer applies."""


class WarningsAdded(WriteError):
    """The change is valid but would add lint warnings; saved only when allowed."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        self.problems = problems
        super().__init__(
            "it would add "
            + ("a warning" if len(problems) == 1 else f"{len(problems)} warnings")
            + ": "
            + "; ".join(f"{p.where}: {p.text}" for p in problems)
        )


class RuleBroken(WriteError):
    """The change would break the rulebook; `problems` says where."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.where}: {p.text}" for p in problems))


@dataclass(frozen=True, slots=True)
class Outcome:
    command: Command | None  # None: the change turned out to change nothing
    reloaded: bool  # the file had been saved by someone else and was read again


class WritePath:
    """Commits changes to one store. Not thread-safe: one caller at a time.

    `on_reload` receives a freshly read store when someone else saved the file
    (the caller re-points its indexes); `name_owners` gives the current alias
    index (folded name -> actor ids) for name-collision checks, `merged_from`
    the ids actors keep from merges (old id -> actor id).
    """

    def __init__(
        self,
        data: StoreData,
        *,
        on_reload: Callable[[StoreData], None] | None = None,
        name_owners: Callable[[], Mapping[str, list[str]]] | None = None,
        merged_from: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self.data = data
        self.texts = DocumentTexts(data)
        self._on_reload = on_reload
        self._name_owners = name_owners
        self._merged_from = merged_from

    def changed_on_disk(self) -> bool:
        backend = getattr(self.data, "backend", None)
        if backend is not None:
            return backend.changed_by_others()
        return self.data.path is not None and changed_since(self.data.path, self.data.fingerprint)

    def replace_data(self, fresh: StoreData) -> None:
        self.data = fresh
        self.texts = DocumentTexts(fresh)
        if self._on_reload is not None:
            self._on_reload(fresh)

    def reload(self) -> None:
        if self.data.path is not None:
            self.replace_data(load_store(self.data.path))

    # -- committing -------------------------------------------------------------------------
    def commit(
        self,
        build: Callable[[], Command | None],
        *,
        forward: bool = True,
        fresh: bool = True,
        allow_warnings: bool = True,
    ) -> Outcome:
        """Build the command against the current file, apply it, check it, save it.

        `forward` False reverts the command (undo). `fresh` True for a new
        edit: its new quotes are checked against their documents (undo and
        redo put back what was checked when it was made). Without
        `allow_warnings`, a new edit that would add lint warnings to the records
        it touches is refused (WarningsAdded) and nothing is saved.
        """
        backend = getattr(self.data, "backend", None)
        if backend is not None:
            return self._commit_sql(backend, build, forward, fresh, allow_warnings)
        from filelock import Timeout

        path = self.data.path
        if path is None:
            command = build()
            if command is not None:
                self._apply_checked(command, forward, fresh, allow_warnings)
            return Outcome(command, False)
        lock = locked(path)
        try:
            lock.acquire()
        except Timeout:
            raise SaveFailed(f"another program is saving {path} (it holds {lock.lock_file}); try again") from None
        except OSError as exc:
            raise SaveFailed(f"cannot lock {path}: {exc.strerror or exc}") from None
        reloaded = False
        try:
            # Under the lock nobody else can save, so one comparison with the
            # file decides: build on what is there now.
            if self.changed_on_disk():
                try:
                    fresh_data = load_store(path)
                except StoreError as exc:
                    raise SaveFailed(
                        f"someone else saved {path} and it can no longer be read ({exc.problem}); "
                        "nothing was saved, so as not to overwrite it"
                    ) from None
                self.replace_data(fresh_data)
                reloaded = True
            command = self._build_checked(build, forward, fresh, allow_warnings)
            if command is not None:
                self._save(command, forward, path)
            return Outcome(command, reloaded)
        except WriteError as exc:
            exc.reloaded = reloaded  # type: ignore[attr-defined]
            raise
        finally:
            lock.release()

    def _commit_sql(self, backend, build, forward: bool, fresh: bool, allow_warnings: bool) -> Outcome:
        """The same steps in one SQLite transaction: BEGIN IMMEDIATE takes the
        writer's lock (waiting up to the busy timeout), the change is written
        and checked inside it, and COMMIT makes it durable; any refusal rolls
        back. Another program's commit is noticed by the data version, and only
        what was read is forgotten: nothing is reloaded."""
        import sqlite3

        path = self.data.path
        reloaded = False
        written: list[Path] = []
        try:
            with backend.transaction():
                if backend.changed_by_others():
                    self.data.forget()
                    self.texts = DocumentTexts(self.data)
                    if self._on_reload is not None:
                        self._on_reload(self.data)
                    reloaded = True
                command = self._build_checked(build, forward, fresh, allow_warnings)
                if command is not None and forward:
                    written = self._write_texts(command)
            backend.mark_seen()
        except WriteError as exc:
            self._remove_texts(written)
            exc.reloaded = reloaded  # type: ignore[attr-defined]
            raise
        except sqlite3.OperationalError as exc:
            self._remove_texts(written)
            if "locked" in str(exc) or "busy" in str(exc):
                raise SaveFailed(f"another program is saving {path}; try again") from None
            raise SaveFailed(f"could not save {path}: {exc}; the store is unchanged") from None
        except sqlite3.DatabaseError as exc:
            self._remove_texts(written)
            raise SaveFailed(f"could not save {path}: {exc}; the store is unchanged") from None
        if command is not None and not forward:
            self._remove_texts([self.data.folder / f.relative_path for f in command.files], command)
        return Outcome(command, reloaded)

    def _build_checked(self, build, forward: bool, fresh: bool, allow_warnings: bool) -> Command | None:
        """Build the command on what the store holds now, apply it and check it (both backends)."""
        try:
            command = build()
        except ChangeConflict as exc:
            raise Conflict(str(exc)) from None
        if command is not None:
            self._apply_checked(command, forward, fresh, allow_warnings)
        return command

    def _apply_checked(self, command: Command, forward: bool, fresh: bool, allow_warnings: bool = True) -> None:
        watch_lints = fresh and forward and not allow_warnings
        lints_before = set(self._lint_problems(command)) if watch_lints else set()
        try:
            if forward:
                command.apply(self.data)
            else:
                command.revert(self.data)
        except ChangeConflict as exc:
            raise Conflict(str(exc)) from None
        problems = rules.errors(self.problems_of(command, forward, fresh))
        if problems:
            self._unapply(command, forward)
            raise RuleBroken(problems)
        if watch_lints:
            added = [p for key, p in self._lint_problems(command).items() if key not in lints_before]
            if added:
                self._unapply(command, forward)
                raise WarningsAdded(added)

    def _lint_problems(self, command: Command) -> dict[str, rules.Problem]:
        """The lints over the records a command touches (and the ties between
        the same actors, which one lint compares), keyed by their text."""
        from . import lints

        data = self.data
        actors = {k: data.actors[k] for k in command.ids("actors") if k in data.actors}
        ties = {k: data.ties[k] for k in command.ids("ties") if k in data.ties}
        # The pairs a tie joins before and after the change alike (a merge moves
        # ties to another pair), so the checks before and after see the same ties.
        pairs = {
            frozenset((record.source, record.target))
            for change in command.changes
            if change.table == "ties"
            for record in (change.before, change.after)
            if record is not None
        }
        if pairs:
            ends = {end for pair in pairs for end in pair}
            ties.update({t.id: t for t in data.ties_touching(ends) if frozenset((t.source, t.target)) in pairs})
        view = StoreData(actors=actors, ties=ties, sources=data.sources, path=data.path)
        found = [rules.Problem(rules.WARNING, w.where, w.field, w.message) for w in lints.lint(view)]
        return {str(p): p for p in found}

    def warnings_of(self, command: Command) -> list[rules.Problem]:
        """The lint warnings on the records `command` touched, as they are now."""
        return list(self._lint_problems(command).values())

    def problems_of(self, command: Command, forward: bool, fresh: bool) -> list[rules.Problem]:
        """The rulebook over the records `command` touched, as they are now."""
        data = self.data
        owners = self._name_owners() if self._name_owners is not None else None
        if owners is not None:
            owners = _NamesNow(owners, data, command.ids("actors"))
        tie_ids = set(command.ids("ties"))
        rekinded = {
            c.key
            for c in command.changes
            if c.table == "actors" and c.before is not None and c.after is not None and c.before.kind != c.after.kind
        }
        if rekinded:
            # A new kind must still fit every tie of the actor (no 'leads' to an event).
            tie_ids.update(t.id for t in data.ties_touching(rekinded))
        problems = rules.change_problems(
            data.actors,
            data.ties,
            data.sources,
            actor_ids=command.ids("actors"),
            tie_ids=tie_ids,
            source_ids=command.ids("sources"),
            name_owners=owners,
            merged_from=self._merged_from() if self._merged_from is not None else None,
            referrers=data.referrers,
        )
        for change in command.changes:
            if change.table == "sources" and change.key not in data.sources:
                citing = data.records_citing(change.key)
                if citing:
                    problems.append(
                        rules.Problem(rules.ERROR, f"source {change.key}", "", f"is cited by {', '.join(citing[:5])}")
                    )
        if fresh and forward:
            problems += self._quote_problems(command)
        return problems

    def _quote_problems(self, command: Command) -> list[rules.Problem]:
        """New citations must quote their documents verbatim (pending texts included)."""
        # The texts this command writes, by the id of the document whose path names them.
        by_path = {f.relative_path: squash_whitespace(f.content) for f in command.files}
        pending = {
            c.key: by_path[c.after.path]
            for c in command.changes
            if c.table == "sources" and c.after is not None and c.after.path in by_path
        }
        problems: list[rules.Problem] = []
        for change in command.changes:
            if change.table not in ("ties", "actors") or change.after is None:
                continue
            old = change.before.citations if change.before is not None else []
            for i, citation in enumerate(change.after.citations, 1):
                if citation in old or citation.source not in self.data.sources or not citation.quote.strip():
                    continue
                text = pending.get(citation.source)
                if text is None:
                    text = self.texts.squashed(citation.source)
                where = f"{change.table[:-1]} {change.key}"
                if text is None:
                    why = self.texts.refused.get(citation.source, "it cannot be read")
                    problems.append(
                        rules.Problem(
                            rules.ERROR,
                            where,
                            f"citation {i}",
                            f"the text of {citation.source} cannot be checked: {why}",
                        )
                    )
                elif squash_whitespace(citation.quote) not in text:
                    problems.append(
                        rules.Problem(
                            rules.ERROR,
                            where,
                            f"citation {i}",
                            f"the quote does not occur in {citation.source}; copy it exactly from the document",
                        )
                    )
        return problems

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
            # The lock is held and the file was just compared with what we
            # read; the records the command touched were just checked.
            save_store(self.data, check_conflict=False, check=False, known_valid=True)
        except WriteError:
            self._unapply(command, forward)
            raise
        except (StoreError, OSError) as exc:
            self._unapply(command, forward)
            self._remove_texts(written)
            reason = exc.problem if isinstance(exc, StoreError) else (exc.strerror or str(exc))
            raise SaveFailed(f"could not save {path}: {reason}; the file is unchanged") from None
        if not forward:
            self._remove_texts([self.data.folder / f.relative_path for f in command.files], command)

    def _write_texts(self, command: Command) -> list[Path]:
        """Write a new source's text before the store that cites it, so a crash
        between the two leaves at worst an unused file."""
        written: list[Path] = []
        try:
            for text_file in command.files:
                problem = rules.check_document_path(text_file.relative_path)
                if problem:
                    raise SaveFailed(f"document path {problem}")
                target = self.data.folder / text_file.relative_path
                # The lexical rule cannot see a symlinked folder (sources -> /etc).
                folder = os.path.realpath(self.data.folder)
                if os.path.commonpath([folder, os.path.realpath(target.parent)]) != folder:
                    raise SaveFailed(f"{text_file.relative_path} leads outside the store's folder")
                payload = text_file.content.encode("utf-8")
                if os.path.lexists(target):
                    # Never follow a symlink someone left there to compare what it points to.
                    if not target.is_symlink() and target.is_file() and target.read_bytes() == payload:
                        continue
                    raise Conflict(f"{text_file.relative_path} already exists with other text")
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, payload, backup=False, follow_symlinks=False)
                written.append(target)
                if self.data.path is not None and self.data.path.exists():
                    # mkstemp makes files private; share them as the store is shared.
                    try:
                        os.chmod(target, self.data.path.stat().st_mode & 0o666)
                    except OSError:
                        pass
                self.texts.forget(Path(text_file.relative_path).stem)
        except BaseException:
            self._remove_texts(written)
            raise
        return written

    def _remove_texts(self, paths: list[Path], command: Command | None = None) -> None:
        for index, target in enumerate(paths):
            try:
                if command is not None and target.read_bytes() != command.files[index].content.encode("utf-8"):
                    continue  # someone else's text now: leave it
                target.unlink()
            except OSError:
                pass
            self.texts.forget(target.stem)


class _NamesNow(Mapping[str, list[str]]):
    """The alias index as it will be once the command is saved: an actor the
    command touched owns a name only if it still has it."""

    def __init__(self, index: Mapping[str, list[str]], data: StoreData, touched: frozenset[str]) -> None:
        self._index = index
        self._data = data
        self._touched = touched
        self._keys: dict[str, set[str]] = {}

    def _has(self, actor_id: str, key: str) -> bool:
        if actor_id not in self._touched:
            return actor_id in self._data.actors
        if actor_id not in self._keys:
            actor = self._data.actors.get(actor_id)
            self._keys[actor_id] = {normalize_key(n) for n in actor.names} if actor else set()
        return key in self._keys[actor_id]

    def get(self, key: str, default=None):  # type: ignore[override]
        owners = [a for a in self._index.get(key, ()) if self._has(a, key)]
        for actor_id in self._touched:
            if actor_id not in owners and self._has(actor_id, key):
                owners.append(actor_id)
        return owners

    def __getitem__(self, key: str) -> list[str]:
        return self.get(key)

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


# -- the CLI's undo journal ----------------------------------------------------------------

JOURNAL_LIMIT = 50


def journal_path(store_path: Path) -> Path:
    """Where the CLI keeps its recent changes to one store (beside it, hidden)."""
    real = Path(os.path.realpath(store_path))
    return real.with_name(f".{real.name}.journal")


JOURNAL_MAX_BYTES = 200_000_000


def read_journal(store_path: Path) -> list[dict]:
    """The remembered changes; none when the journal is not a plain file of
    sensible size. It sits in a folder that may come from someone else: a
    FIFO there would hang every edit, a symlink to /dev/zero fill memory."""
    import stat

    import orjson

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(journal_path(store_path), flags)
    except OSError:
        return []
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > JOURNAL_MAX_BYTES:
        os.close(fd)  # before fdopen, which refuses a directory with an exception
        return []
    with os.fdopen(fd, "rb") as handle:
        try:
            entries = orjson.loads(handle.read(JOURNAL_MAX_BYTES + 1))
        except (OSError, ValueError):
            return []
    return entries if isinstance(entries, list) else []


def write_journal(store_path: Path, entries: list[dict]) -> None:
    import orjson

    path = journal_path(store_path)
    if not entries:
        try:
            path.unlink()
        except OSError:
            pass
        return
    atomic_write(path, orjson.dumps(entries[-JOURNAL_LIMIT:]), backup=False, follow_symlinks=False)


def remember(store_path: Path, command: Command) -> None:
    """Record a saved CLI change so that `khorasan undo` can revert it later."""
    from .changes import command_to_json

    with locked(store_path):
        write_journal(store_path, [*read_journal(store_path), command_to_json(command)])
