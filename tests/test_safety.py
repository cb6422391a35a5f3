"""Saving safely: crashes mid-save, hostile files, two writers, backups, read-only."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from khorasan_tui import store as store_module
from khorasan_tui.cli import main
from khorasan_tui.edit import (
    EditConflict,
    EditError,
    Editor,
    ReadOnlyError,
    SaveError,
    UnknownItem,
    is_writable,
)
from khorasan_tui.store import StoreError, load_store, locked
from khorasan_tui.validate import validate

from . import store_writer
from .store_writer import make_store

WRITER = Path(store_writer.__file__)  # also run as a script: a second writer process


def errors(data) -> list[str]:
    return [str(p) for p in validate(data) if p.level == "error"]


def writer(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=WRITER.parent,
    )


# -- crashes -------------------------------------------------------------------------------


def test_sigkill_at_random_moments_of_saving_always_leaves_a_readable_valid_store(tmp_path):
    path = make_store(tmp_path, padding=600)  # ~400 kB, so kills often land inside a write
    rng = random.Random(20240607)
    saves = 0
    for _ in range(30):
        proc = writer("loop", str(path))
        ready = proc.stdout.readline()
        assert ready.strip() == b"ready", proc.stderr.read().decode()
        time.sleep(rng.uniform(0.0, 0.12))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        saves += out.count(b"saved")
        data = load_store(path)  # raises if the file were torn
        assert errors(data) == []
        backup = path.with_name(path.name + ".bak")
        if backup.exists():
            load_store(backup)
    assert saves > 0  # the writer did get to save, so kills hit a busy writer


# -- hostile and broken files ----------------------------------------------------------------


def _valid_bytes(tmp_path: Path) -> bytes:
    return make_store(tmp_path / "valid").read_bytes()


def _doc(tmp_path: Path) -> dict:
    return orjson.loads(_valid_bytes(tmp_path))


def _mutated(tmp_path: Path, change) -> bytes:
    doc = _doc(tmp_path)
    change(doc)
    return orjson.dumps(doc)


BROKEN = {
    "not JSON": lambda t: b"this is not a store\n",
    "truncated": lambda t: _valid_bytes(t)[: len(_valid_bytes(t)) // 2],
    "empty": lambda t: b"",
    "only whitespace": lambda t: b"  \n\t\n",
    "invalid UTF-8": lambda t: b'{"meta": {"1": {"schema_version": 1, "name": "\xff\xfe"}}}',
    "top level is a list": lambda t: b"[1, 2, 3]",
    "deeply nested": lambda t: b"[" * 100_000 + b"]" * 100_000,
    "wrong schema version": lambda t: _mutated(t, lambda d: d["meta"]["1"].update(schema_version=99)),
    "no meta table": lambda t: _mutated(t, lambda d: d.pop("meta")),
    "no actors table": lambda t: _mutated(t, lambda d: d.pop("actors")),
    "duplicate actor ids": lambda t: _mutated(t, lambda d: d["actors"].update({"99": d["actors"]["1"]})),
    "tie to a missing actor": lambda t: _mutated(t, lambda d: d["ties"]["1"].update(target="nobody")),
    "unknown kind": lambda t: _mutated(t, lambda d: d["actors"]["1"].update(kind="alien")),
    "name is a number": lambda t: _mutated(t, lambda d: d["actors"]["1"].update(name=42)),
    "aliases is a string": lambda t: _mutated(t, lambda d: d["actors"]["1"].update(aliases="ISKP")),
    "quote is a number": lambda t: _mutated(t, lambda d: d["ties"]["1"]["citations"][0].update(quote=7)),
    "record is a list": lambda t: _mutated(t, lambda d: d["ties"].update({"1": ["x"]})),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_store_is_refused_with_a_clear_message_and_left_untouched(tmp_path, case, capsys):
    raw = BROKEN[case](tmp_path)
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    with pytest.raises(StoreError) as caught:
        Editor.open(path)
    assert str(path) in str(caught.value) and caught.value.problem
    code = main(["add-actor", "Someone", "--kind", "person", "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot open store" in err and "Traceback" not in err
    assert main(["rm", "iskp", "--db", str(path)]) == 2
    assert path.read_bytes() == raw
    assert not path.with_name(path.name + ".bak").exists()


def test_a_directory_or_a_missing_file_is_refused(tmp_path, capsys):
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(StoreError, match="directory"):
        Editor.open(folder)
    assert main(["add-alias", "x", "y", "--db", str(folder)]) == 2
    assert "directory" in capsys.readouterr().err
    with pytest.raises(StoreError, match="no such file"):
        Editor.open(tmp_path / "missing.json")
    assert main(["add-actor", "X", "--kind", "group", "--db", str(tmp_path / "missing.json")]) == 2
    assert not (tmp_path / "missing.json").exists()
    assert list(folder.iterdir()) == []


# Markup that must stay text. Control and invisible characters and oversized
# strings are refused at load instead (see the refusal test below).
HOSTILE = "[bold red]<b>&amp;</b>[@click=app.quit]x[/]"


def _spoilt_doc(tmp_path: Path, suffix: str, huge: str | None = None) -> dict:
    doc = _doc(tmp_path)

    def spoil(value):
        if isinstance(value, str):
            return value + suffix
        if isinstance(value, list):
            return [spoil(v) for v in value]
        if isinstance(value, dict):
            return {k: spoil(v) for k, v in value.items()}
        return value

    for table in ("actors", "ties"):
        for key, record in doc[table].items():
            keep = {k: v for k, v in record.items() if k not in ("name", "summary", "aliases", "role")}
            doc[table][key] = {**spoil(record), **keep}
    for record in doc["sources"].values():
        record["title"] += suffix
    if huge is not None:
        doc["actors"]["1"]["summary"] = huge
    return doc


def _hostile_store(tmp_path: Path) -> Path:
    """A loadable store with markup in every free-text field and strings at the limits."""
    doc = _spoilt_doc(tmp_path, HOSTILE, huge="Ж" * 20_000)
    path = tmp_path / "hostile.json"
    path.write_bytes(orjson.dumps(doc))
    return path


def test_markup_and_long_strings_survive_load_edit_and_save(tmp_path, capsys):
    path = _hostile_store(tmp_path)
    before = load_store(path)
    editor = Editor.open(path)
    iskp_id = next(a for a in editor.data.actors if a.startswith("iskp"))
    editor.add_alias(iskp_id, "[link=x]click[/link] <script>")
    after = load_store(path)
    assert after.ties == before.ties and after.sources == before.sources
    assert after.actors[iskp_id].summary == before.actors[iskp_id].summary
    assert after.actors[iskp_id].aliases[-1] == "[link=x]click[/link] <script>"
    for other in before.actors:
        if other != iskp_id:
            assert after.actors[other] == before.actors[other]
    editor.undo()
    assert load_store(path).actors == before.actors

    assert main(["show", iskp_id, "--db", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "[bold red]<b>&amp;</b>" in shown  # markup printed literally
    assert main(["rm", next(iter(before.ties)), "--yes", "--db", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "[bold red]" in printed


@pytest.mark.parametrize(
    ("suffix", "huge", "expected"),
    [
        ("\x1b[31m", None, "contains control or invisible characters (U+001B)"),
        ("\u202e", None, "contains control or invisible characters (U+202E)"),
        ("\u200b", None, "contains control or invisible characters (U+200B)"),
        ("", "Ж" * 20_001, "summary: is too long (20,001 characters; at most 20,000)"),
    ],
)
def test_control_invisible_and_oversized_strings_are_refused_at_load(tmp_path, capsys, suffix, huge, expected):
    path = tmp_path / "refused.json"
    path.write_bytes(orjson.dumps(_spoilt_doc(tmp_path, suffix, huge)))
    raw = path.read_bytes()
    with pytest.raises(StoreError, match=re.escape(expected)):
        load_store(path)
    assert main(["show", "iskp", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and ("actor " in err or "source " in err)
    assert "\x1b" not in err and "\u202e" not in err
    assert path.read_bytes() == raw


def test_hostile_input_to_edits_is_refused_and_changes_nothing(tmp_path):
    path = make_store(tmp_path)
    raw = path.read_bytes()
    editor = Editor.open(path)
    for bad in ("Evil\x1b[2J", "tab\there", "x" * 10_000, "", "   ", "---"):
        with pytest.raises(EditError):
            editor.add_actor(bad, "person")
        with pytest.raises(EditError):
            editor.add_alias("iskp", bad)
    with pytest.raises(EditError):
        editor.add_actor("Fine", "person", summary="x" * 100_000)
    assert path.read_bytes() == raw
    assert not editor.can_undo


# -- two writers -----------------------------------------------------------------------------


def test_a_stale_editor_reloads_and_reapplies_an_edit_that_still_applies(tmp_path):
    path = make_store(tmp_path)
    first, second = Editor.open(path), Editor.open(path)
    heard = []
    second.subscribe(heard.append)
    first.add_actor("Abu Omar", "person")
    second.add_actor("Abu Bakr", "person")
    data = load_store(path)
    assert {"abu-omar", "abu-bakr"} <= set(data.actors)
    assert [c.action for c in heard] == ["reload", "do"]
    assert "abu-omar" in second.graph.actors  # the UI's graph now shows the other save
    assert errors(data) == []


def test_a_stale_edit_that_no_longer_applies_is_refused_and_never_overwrites(tmp_path):
    path = make_store(tmp_path)
    first, second = Editor.open(path), Editor.open(path)
    first.delete_actor("taliban")
    theirs = path.read_bytes()
    with pytest.raises(EditConflict, match="someone else saved"):
        second.add_alias("taliban", "Islamic Emirate")
    with pytest.raises(UnknownItem):  # now that it has seen the other save
        second.add_tie("taliban", "hostile_to", "kabul", quote=store_writer.QUOTES[3], source_id=store_writer.DOC_ID)
    assert path.read_bytes() == theirs
    assert "taliban" not in second.data.actors


def test_undo_refuses_when_someone_else_changed_the_same_record(tmp_path):
    path = make_store(tmp_path)
    mine = Editor.open(path)
    mine.edit_actor("kabul", summary="Capital of Afghanistan.")
    theirs = Editor.open(path)
    theirs.edit_actor("kabul", summary="The capital.")
    saved = path.read_bytes()
    with pytest.raises(EditConflict, match="cannot undo"):
        mine.undo()
    assert path.read_bytes() == saved
    assert not mine.can_undo


def test_an_edit_refuses_to_overwrite_a_file_someone_broke(tmp_path):
    path = make_store(tmp_path)
    editor = Editor.open(path)
    path.write_bytes(b"{ half a store")
    with pytest.raises(SaveError, match="can no longer be read"):
        editor.add_actor("Someone", "person")
    assert path.read_bytes() == b"{ half a store"


def test_two_processes_editing_one_store_lose_nothing(tmp_path):
    path = make_store(tmp_path)
    procs = [writer("race", str(path), tag, "25") for tag in ("alpha", "beta")]
    for proc in procs:
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
    for proc in procs:
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert json.loads(out)["tag"]
    data = load_store(path)
    for tag in ("alpha", "beta"):
        for n in range(25):
            assert f"{tag}-actor-{n}" in data.actors
            assert f"{tag} alias {n}" in data.actors["iskp"].aliases
    assert errors(data) == []


def test_an_edit_while_another_process_holds_the_lock_fails_cleanly(tmp_path):
    path = make_store(tmp_path)
    editor = Editor.open(path)
    raw = path.read_bytes()
    holder = writer("hold", str(path))
    try:
        assert holder.stdout.readline().strip() == b"locked"
        lock = locked(path)
        old_timeout, lock.timeout = lock.timeout, 0.2
        try:
            with pytest.raises(SaveError, match="another program"):
                editor.add_actor("Someone", "person")
        finally:
            lock.timeout = old_timeout
    finally:
        holder.kill()
        holder.communicate()
    assert path.read_bytes() == raw
    editor.add_actor("Someone", "person")  # and works once the lock is free
    assert "someone" in load_store(path).actors


# -- atomic saves and backups ----------------------------------------------------------------


def test_each_save_keeps_the_previous_version_as_backup_and_leaves_no_temp_files(tmp_path):
    path = make_store(tmp_path)
    editor = Editor.open(path)
    for n in range(3):
        previous = path.read_bytes()
        editor.add_actor(f"Person {n}", "person")
        assert path.with_name(path.name + ".bak").read_bytes() == previous
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_file_and_editor_as_they_were(tmp_path, monkeypatch, failing):
    path = make_store(tmp_path)
    editor = Editor.open(path)
    editor.add_actor("Kept", "person")
    raw = path.read_bytes()
    actors = dict(editor.data.actors)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module.os, failing, disk_full)
    with pytest.raises(SaveError, match="No space left"):
        editor.add_actor("Lost", "person")
    with pytest.raises(SaveError):
        editor.undo()
    monkeypatch.undo()
    assert path.read_bytes() == raw
    assert editor.data.actors == actors
    assert editor.undo_description == "add actor Kept"
    # (a failed backup rotation may leave ".bak.tmp", a link the next save replaces)
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") and ".bak." not in p.name] == []
    editor.undo()  # the history survived the failures
    assert "kept" not in load_store(path).actors


# -- read-only -------------------------------------------------------------------------------


def test_a_read_only_editor_refuses_every_edit(tmp_path):
    path = make_store(tmp_path)
    raw = path.read_bytes()
    editor = Editor(load_store(path), read_only=True)
    attempts = [
        lambda: editor.add_actor("X", "person"),
        lambda: editor.edit_actor("iskp", summary="x"),
        lambda: editor.add_alias("iskp", "Y"),
        lambda: editor.add_tie("taliban", "hostile_to", "kabul", quote="Kabul", source_id=store_writer.DOC_ID),
        lambda: editor.delete_tie("taliban--hostile_to--iskp"),
        lambda: editor.delete_actor("iskp"),
    ]
    for attempt in attempts:
        with pytest.raises(ReadOnlyError, match="read-only"):
            attempt()
    assert editor.check_alias("iskp", "Y") is None  # checks still work for a read-only form
    assert path.read_bytes() == raw


def test_is_writable(tmp_path):
    path = make_store(tmp_path)
    assert is_writable(path)
    assert is_writable(tmp_path / "new.json")
    assert not is_writable(tmp_path)
    assert not is_writable(tmp_path / "no-such-folder" / "store.json")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anything")
def test_a_read_only_file_opens_read_only(tmp_path, capsys):
    path = make_store(tmp_path)
    path.chmod(0o444)
    try:
        assert not is_writable(path)
        editor = Editor.open(path)
        assert editor.read_only
        with pytest.raises(ReadOnlyError, match="not writable"):
            editor.add_actor("X", "person")
        assert main(["add-actor", "X", "--kind", "person", "--db", str(path)]) == 2
        assert "not writable" in capsys.readouterr().err
    finally:
        path.chmod(0o644)


def test_a_store_the_user_cannot_write_opens_read_only(tmp_path, monkeypatch, capsys):
    path = make_store(tmp_path)
    raw = path.read_bytes()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    assert not is_writable(path)
    editor = Editor.open(path)
    assert editor.read_only and not editor.can_undo
    with pytest.raises(ReadOnlyError, match="not writable"):
        editor.add_alias("iskp", "Wilayat Khorasan")
    assert main(["add-alias", "iskp", "Wilayat Khorasan", "--db", str(path)]) == 2
    assert "not writable" in capsys.readouterr().err
    assert not Editor.open(path, read_only=False).read_only  # the caller may insist (and then fail on save)
    assert path.read_bytes() == raw
