"""The undo record: one change to a store, as records before and after.

A `Command` is what every write produces, whoever makes it (the editor's
forms, the CLI, the importers, ingest, a merge): the records of each table
it sets, before and after, and the document texts it adds. Applying it moves
each record from its before-state to its after-state, all or nothing;
reverting does the opposite. Undo and redo are these two moves.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .storedata import TABLES, StoreData

_SINGULAR = {"actors": "actor", "ties": "tie", "sources": "document"}


class ChangeConflict(Exception):
    """The store no longer holds what a change expects to find."""


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
    # What the user should hear besides the description ("and 3 ties it claimed").
    notes: list[str] = field(default_factory=list)

    def apply(self, data: StoreData) -> None:
        _swap(data, self.changes, forward=True)

    def revert(self, data: StoreData) -> None:
        _swap(data, list(reversed(self.changes)), forward=False)

    def ids(self, table: str) -> frozenset[str]:
        return frozenset(c.key for c in self.changes if c.table == table)


def diff(before: StoreData, after: StoreData) -> list[RecordChange]:
    """The record changes that turn `before` into `after`.

    Records are compared by identity first (a planner that copies the store's
    dicts and replaces what it changes costs one `is` per record), then by value.
    """
    changes: list[RecordChange] = []
    for table in TABLES:
        old: dict[str, Any] = getattr(before, table)
        new: dict[str, Any] = getattr(after, table)
        for key, record in new.items():
            previous = old.get(key)
            if previous is record or previous == record:
                continue
            changes.append(RecordChange(table, key, copy.deepcopy(previous), copy.deepcopy(record)))
        for key, record in old.items():
            if key not in new:
                changes.append(RecordChange(table, key, copy.deepcopy(record), None))
    return changes


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
            raise ChangeConflict(f"{what} {change.key!r} {state}")
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


_RECORDS = {"actors": "Actor", "ties": "Tie", "sources": "Source"}


def command_to_json(command: Command) -> dict[str, Any]:
    """A command as plain JSON, for the CLI's undo journal."""
    return {
        "description": command.description,
        "changes": [
            {
                "table": c.table,
                "key": c.key,
                "before": c.before.to_dict() if c.before is not None else None,
                "after": c.after.to_dict() if c.after is not None else None,
                "doc_id": c.doc_id,
            }
            for c in command.changes
        ],
        "files": [{"path": f.relative_path, "content": f.content} for f in command.files],
    }


def command_from_json(data: dict[str, Any]) -> Command:
    from . import model

    def record(table: str, value: Any) -> Any:
        return None if value is None else getattr(model, _RECORDS[table]).from_dict(value)

    changes = [
        RecordChange(
            c["table"], c["key"], record(c["table"], c["before"]), record(c["table"], c["after"]), c.get("doc_id")
        )
        for c in data["changes"]
        if c["table"] in _RECORDS
    ]
    files = [TextFile(f["path"], f["content"]) for f in data.get("files", [])]
    return Command(str(data.get("description", "change")), changes, files)
