"""The SQLite backend's own promises: the data it keeps beside the records
(degrees, per-type and per-document counts, the names, merged ids and their
text indexes) always says what the records say, whatever edits ran; the file
is told by its header; writes happen only inside the write path's transaction."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from khorasan_tui.edit import EditError, Editor
from khorasan_tui.graph import Graph, SqlGraph
from khorasan_tui.model import normalize_key
from khorasan_tui.sqlstore import derived_counts_problems, is_sqlite, iter_json_chunks, write_sqlite
from khorasan_tui.store import StoreError, load_store

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    shutil.copytree(DATA / "sources", folder / "sources")
    write_sqlite(load_store(DATA / "khorasan.json"), folder / "khorasan.sqlite")
    return folder


@pytest.fixture
def sqlite_copy(sqlite_template: Path, tmp_path: Path) -> Path:
    shutil.copytree(sqlite_template, tmp_path / "store")
    return tmp_path / "store" / "khorasan.sqlite"


def kept_names(path: Path) -> tuple[list, list, list, list]:
    """What the file keeps about names, and what the records say it should keep."""
    conn = sqlite3.connect(path)
    try:
        names = sorted(conn.execute("SELECT key, actor_id, name FROM names"))
        merged = sorted(conn.execute("SELECT old_id, actor_id FROM merged"))
        trigram = sorted(conn.execute("SELECT names.key FROM names_fts JOIN names ON names.rowid = names_fts.rowid"))
        summaries = sorted(
            conn.execute(
                "SELECT actors.id, summaries_fts.summary FROM summaries_fts"
                " JOIN actors ON actors.rowid = summaries_fts.rowid"
            )
        )
    finally:
        conn.close()
    return names, merged, trigram, summaries


def expected_names(path: Path) -> tuple[list, list, list, list]:
    data = load_store(path)
    names, merged, summaries = set(), [], []
    for actor in data.actors.values():
        for name in actor.names:
            if normalize_key(name):
                names.add((normalize_key(name), actor.id, name))
        merged += [(old, actor.id) for old in actor.merged_ids]
        if actor.summary:
            summaries.append((actor.id, actor.summary))
    data.backend.close()
    return sorted(names), sorted(merged), sorted((k,) for k, _, _ in names), sorted(summaries)


def test_a_file_is_told_by_its_header(sqlite_copy: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "store" / "plain.json"
    shutil.copyfile(sqlite_copy, renamed)
    assert is_sqlite(renamed)
    assert isinstance(Graph(load_store(renamed)), SqlGraph)
    assert not is_sqlite(DATA / "khorasan.json")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert not is_sqlite(fifo)  # never opened, so never blocks


def test_a_sqlite_file_that_is_no_store_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a Khorasan store"):
        load_store(other)


def test_a_write_outside_the_write_path_is_refused(sqlite_copy: Path) -> None:
    data = load_store(sqlite_copy)
    actor = data.actors["iskp"]
    with pytest.raises(RuntimeError, match="transaction"):
        data.actors["iskp"] = actor


def test_a_new_store_is_in_wal_mode(sqlite_copy: Path) -> None:
    conn = sqlite3.connect(sqlite_copy)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_tampered_count_is_found(sqlite_copy: Path) -> None:
    conn = sqlite3.connect(sqlite_copy)
    conn.execute("UPDATE actors SET degree = degree + 1 WHERE id = 'iskp'")
    conn.commit()
    conn.close()
    data = load_store(sqlite_copy)
    assert derived_counts_problems(data.backend) == ["the kept degree counts differ from the ties"]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["alias", "actor", "tie", "rm-tie", "rm-actor", "merge", "rename", "undo"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_kept_data_always_matches_the_records(sqlite_template: Path, tmp_path_factory, operations) -> None:
    folder = tmp_path_factory.mktemp("prop")
    shutil.copytree(sqlite_template, folder / "store")
    path = folder / "store" / "khorasan.sqlite"
    before = b"".join(iter_json_chunks(load_store(path)))
    editor = Editor(load_store(path))
    done = 0
    for operation, number in operations:
        ids = sorted(editor.data.actors)
        pick = ids[number % len(ids)]
        other = ids[(number * 7 + 3) % len(ids)]
        try:
            if operation == "alias":
                editor.add_alias(pick, f"Alias number {number}")
            elif operation == "actor":
                editor.add_actor(f"Test actor {number}", "group", summary=f"made for test {number}")
            elif operation == "tie":
                tie = next(iter(editor.data.ties.values()))
                citation = tie.citations[0]
                editor.add_tie(pick, "cooperates_with", other, quote=citation.quote, source_id=citation.source)
            elif operation == "rm-tie":
                tie_ids = sorted(editor.data.ties)
                editor.delete_tie(tie_ids[number % len(tie_ids)])
            elif operation == "rm-actor":
                editor.delete_actor(pick)
            elif operation == "merge" and pick != other:
                editor.merge_actors(pick, other)
            elif operation == "rename":
                editor.edit_actor(pick, name=f"Renamed {number}", summary=f"renamed summary {number}")
            elif operation == "undo" and editor.can_undo:
                editor.undo()
            else:
                continue
            done += 1
        except EditError:
            pass  # a refused edit (a rule, a warning) must leave everything as it was: checked below
        assert derived_counts_problems(editor.data.backend) == []
        assert kept_names(path) == expected_names(path)
    if done:
        event("edits saved")
    while editor.can_undo:
        editor.undo()
    assert b"".join(iter_json_chunks(load_store(path))) == before
