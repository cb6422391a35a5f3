"""The contract both backends keep, part 5: two writers.

A JSON store is guarded by its lock file and its fingerprint; a SQLite store
by SQLite's own writer lock (BEGIN IMMEDIATE, waiting up to the busy timeout)
and its data version. Either way a writer waits or refuses cleanly, notices
what another program saved, builds on it, and never writes over it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from khorasan_tui import sqlstore, store
from khorasan_tui.cli import main
from khorasan_tui.edit import EditConflict, Editor
from khorasan_tui.store import load_store

from .backends import normalise, store_bytes

DOC_002 = "002_7cc125320d65fb31"
QUOTE_002 = "So do its intricate ties to the Pakistani military and intelligence community."


def run(capsys, argv: list[str], path: Path) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def short_waits(monkeypatch):
    """Writers give up after a fraction of a second instead of ten."""
    monkeypatch.setattr(sqlstore, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.2)


def test_a_sqlite_writer_waits_for_another_connections_transaction_then_says_so(store_pair, short_waits, capsys):
    sql_path = store_pair[1]
    before = store_bytes(sql_path)
    other = sqlite3.connect(sql_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE key = 'meta'")
    try:
        code, out, err = run(capsys, ["add-alias", "iskp", "Daesh-K"], sql_path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 2, err
    assert "another program is saving" in err and "Traceback" not in err
    assert store_bytes(sql_path) == before
    assert run(capsys, ["undo"], sql_path)[0] == 1, "nothing was remembered to undo"
    # Once the other program is done, the same edit goes through.
    code, _, err = run(capsys, ["add-alias", "iskp", "Daesh-K"], sql_path)
    assert code == 0, err
    assert "Daesh-K" in load_store(sql_path).actors["iskp"].aliases


def test_the_editor_on_a_busy_sqlite_store_refuses_and_keeps_its_state(store_pair, short_waits):
    sql_path = store_pair[1]
    editor = Editor.open(sql_path)
    other = sqlite3.connect(sql_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="another program is saving") as refused:
            editor.add_alias("iskp", "Daesh-K")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert type(refused.value).__name__ == "SaveFailed"
    assert "Daesh-K" not in editor.data.actors["iskp"].aliases and not editor.can_undo
    editor.add_alias("iskp", "Daesh-K")
    assert "Daesh-K" in load_store(sql_path).actors["iskp"].aliases


def test_a_writer_holding_the_stores_lock_makes_the_cli_refuse_on_both(store_path, short_waits, capsys):
    before = store_bytes(store_path)
    # Another program's lock: a separate lock object, as another process would hold.
    held = FileLock(str(Path(store_path).resolve()) + ".lock")
    with held:
        code, _, err = run(capsys, ["add-alias", "iskp", "Daesh-K"], store_path)
    assert code == 2 and "another program is editing" in err, err
    assert store_bytes(store_path) == before


def _other(path: Path) -> Editor:
    """Another program's editor on the same file (its own connection or its own read)."""
    return Editor.open(path)


def test_an_editor_notices_another_programs_save_and_builds_on_it(store_path):
    mine, theirs = Editor.open(store_path), _other(store_path)
    assert not mine.changed_on_disk()
    assert mine.graph.degree("iskp") > 0
    new = theirs.add_actor("Nangarhar Shura", "group", aliases=["NS"])
    theirs.add_tie(new.id, "allied_with", "iskp", quote=QUOTE_002, source_id=DOC_002)
    assert mine.changed_on_disk()
    reloads = []
    mine.subscribe(lambda change: reloads.append(change.action))
    mine.add_alias("iskp", "Daesh-K")  # a record the other program did not touch
    assert "reload" in reloads
    assert not mine.changed_on_disk()
    # Built on the fresh store: the other program's edits are kept, and this editor sees them.
    data = load_store(store_path)
    assert "nangarhar-shura" in data.actors and "Daesh-K" in data.actors["iskp"].aliases
    assert mine.resolve_actor("NS").id == "nangarhar-shura"
    assert "nangarhar-shura" in mine.graph.neighbours("iskp")
    # My undo takes back my edit only.
    mine.undo()
    data = load_store(store_path)
    assert "nangarhar-shura" in data.actors and "Daesh-K" not in data.actors["iskp"].aliases


def _conflicts(path: Path) -> list[str]:
    """Edits and undos of records another program changed meanwhile; the messages."""
    messages = []
    mine, theirs = Editor.open(path), _other(path)
    # Undo of a record someone else changed since.
    mine.add_alias("taliban", "Test Emirate")
    theirs.edit_actor("taliban", aliases=["Emirate"])
    with pytest.raises(EditConflict) as refused:
        mine.undo()
    messages.append(str(refused.value))
    # A deletion confirmed before someone else added a tie to the actor.
    impact = mine.deletion_impact("kabul-hotel")
    theirs.add_tie("kabul-hotel", "located_in", "kabul", quote=QUOTE_002, source_id=DOC_002, start="2021")
    with pytest.raises(EditConflict) as refused:
        mine.delete_actor("kabul-hotel", confirmed=impact)
    messages.append(str(refused.value))
    # An edit of a record someone else deleted.
    theirs.delete_actor("sikh-community")
    with pytest.raises(EditConflict) as refused:
        mine.edit_actor("sikh-community", summary="Changed.")
    messages.append(str(refused.value))
    # A merge confirmed before someone else changed what it would move.
    merge = mine.merge_impact("kabul", "kabul-airport")
    theirs.delete_tie(next(t.id for t in theirs.graph.ties_of("kabul-airport")))
    with pytest.raises(EditConflict) as refused:
        mine.merge_actors("kabul", "kabul-airport", confirmed=merge)
    messages.append(str(refused.value))
    return messages


def test_edits_of_records_another_program_changed_conflict_alike_on_both(store_pair):
    json_messages, sql_messages = (_conflicts(path) for path in store_pair)
    names = [(p.name, "<STORE>") for p in store_pair]
    same = [[m.replace(*names[0]).replace(*names[1]) for m in ms] for ms in (json_messages, sql_messages)]
    assert same[1] == same[0]
    assert "was changed" in json_messages[0]
    assert "now has" in json_messages[1]
    # Nothing the other program saved was lost, and no refused edit was saved.
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
    data = load_store(store_pair[0])
    assert data.actors["taliban"].aliases == ["Emirate"] and "kabul-hotel" in data.actors
    assert "sikh-community" not in data.actors and "kabul-airport" in data.actors


def test_cli_undo_of_a_record_changed_since_conflicts_then_older_changes_undo(store_pair, capsys):
    outputs = []
    for path in store_pair:
        assert run(capsys, ["add-alias", "iskp", "Daesh Khorasan"], path)[0] == 0
        assert run(capsys, ["add-alias", "taliban", "Test Emirate"], path)[0] == 0
        _other(path).edit_actor("taliban", aliases=["Emirate"])
        first = run(capsys, ["undo"], path)
        second = run(capsys, ["undo"], path)
        third = run(capsys, ["undo"], path)
        outputs.append(
            [(code, normalise(out, path), normalise(err, path)) for code, out, err in (first, second, third)]
        )
    assert outputs[1] == outputs[0]
    (code, _, err), (code2, out2, _), (code3, _, _) = outputs[0]
    assert code == 2 and "actor 'taliban' was changed" in err
    assert code2 == 0 and "Daesh Khorasan" in out2
    assert code3 == 1
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])
    assert load_store(store_pair[0]).actors["taliban"].aliases == ["Emirate"]


def test_a_sqlite_reader_sees_another_connections_commit_after_forgetting(store_pair):
    sql_path = store_pair[1]
    reader = load_store(sql_path)
    assert "Daesh-K" not in reader.actors["iskp"].aliases  # read, and kept
    assert not reader.backend.changed_by_others()
    _other(sql_path).add_alias("iskp", "Daesh-K")
    assert reader.backend.changed_by_others()
    reader.forget()
    reader.backend.mark_seen()
    assert "Daesh-K" in reader.actors["iskp"].aliases
    assert not reader.backend.changed_by_others()


def test_an_edit_of_a_record_another_program_changed_builds_on_their_version(store_pair):
    for path in store_pair:
        mine, theirs = Editor.open(path), _other(path)
        assert mine.data.actors["iskp"].summary  # read (and, on SQLite, cached) before the other save
        theirs.add_alias("iskp", "Daesh-K")
        mine.edit_actor("iskp", summary="Rewritten.")
        iskp = load_store(path).actors["iskp"]
        assert iskp.summary == "Rewritten." and "Daesh-K" in iskp.aliases, path.name
        assert mine.data.actors["iskp"].aliases == iskp.aliases
    assert store_bytes(store_pair[1]) == store_bytes(store_pair[0])


def test_an_editor_notices_a_save_by_another_process(store_path):
    mine = Editor.open(store_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    argv = [sys.executable, "-m", "khorasan_tui", "add-alias", "iskp", "Daesh-K", "--db", str(store_path)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert mine.changed_on_disk()
    mine.add_alias("taliban", "Test Emirate")
    assert "Daesh-K" in mine.data.actors["iskp"].aliases
    data = load_store(store_path)
    assert "Daesh-K" in data.actors["iskp"].aliases and "Test Emirate" in data.actors["taliban"].aliases
