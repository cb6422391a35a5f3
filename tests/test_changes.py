"""changes: the undo record every write produces."""

from __future__ import annotations

import copy

import pytest

from khorasan_tui.changes import (
    ChangeConflict,
    Command,
    RecordChange,
    TextFile,
    command_from_json,
    command_to_json,
    diff,
)
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.storedata import StoreData


def store() -> StoreData:
    data = StoreData()
    data.actors["a"] = Actor("a", "Alpha", "group", ["A"], extra={"custom_notes": "kept"})
    data.actors["b"] = Actor("b", "Beta", "person")
    data.ties["b--leads--a"] = Tie("b--leads--a", "leads", "b", "a", citations=[Citation("doc", "Beta leads Alpha.")])
    data.sources["doc"] = Source("doc", "Doc", path="sources/doc.txt")
    return data


def test_diff_then_apply_and_revert_round_trip():
    before = store()
    after = copy.deepcopy(before)
    after.actors["a"].aliases.append("Alfa")
    del after.ties["b--leads--a"]
    after.actors["c"] = Actor("c", "Gamma", "state")
    changes = diff(before, after)
    assert {(c.table, c.key) for c in changes} == {("actors", "a"), ("ties", "b--leads--a"), ("actors", "c")}
    command = Command("edit", changes)
    working = copy.deepcopy(before)
    command.apply(working)
    assert working.actors == after.actors and working.ties == after.ties
    command.revert(working)
    assert working.actors == before.actors and working.ties == before.ties


def test_a_change_refuses_a_record_someone_else_changed():
    data = store()
    command = Command(
        "rename", [RecordChange("actors", "b", copy.deepcopy(data.actors["b"]), Actor("b", "Beta 2", "person"))]
    )
    data.actors["b"].summary = "changed meanwhile"
    with pytest.raises(ChangeConflict, match="actor 'b' was changed"):
        command.apply(data)
    assert data.actors["b"].name == "Beta", "all or nothing"


def test_a_deleted_record_comes_back_in_its_old_place():
    data = store()
    data.doc_ids["actors"] = {"a": 7, "b": 9}
    command = Command("delete", [RecordChange("actors", "a", copy.deepcopy(data.actors["a"]), None)])
    command.apply(data)
    assert "a" not in data.doc_ids["actors"]
    command.revert(data)
    assert data.doc_ids["actors"]["a"] == 7


def test_a_command_survives_the_journal_with_unknown_fields():
    data = store()
    command = Command(
        "add",
        [
            RecordChange("actors", "a", None, data.actors["a"]),
            RecordChange("ties", "b--leads--a", None, data.ties["b--leads--a"]),
        ],
        [TextFile("sources/doc.txt", "Beta leads Alpha.\n")],
    )
    again = command_from_json(command_to_json(command))
    assert again.description == "add" and again.files == command.files
    assert again.changes[0].after == data.actors["a"]
    assert again.changes[0].after.extra == {"custom_notes": "kept"}
    assert again.changes[1].after.citations == data.ties["b--leads--a"].citations
