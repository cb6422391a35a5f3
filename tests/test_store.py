"""Persistence: the store file round-trips, stays a TinyDB database with small
diffs, saves atomically, and refuses unusable files without touching them."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from pathlib import Path

import orjson
import pytest
import tinydb

from khorasan_tui import store as store_module
from khorasan_tui.model import SCHEMA_VERSION, Actor, Citation, Source, Tie
from khorasan_tui.store import (
    StoreConflict,
    StoreData,
    StoreError,
    default_store_path,
    load_store,
    locked,
    open_tinydb,
    save_store,
)

BUNDLED = default_store_path()


def small_store() -> StoreData:
    data = StoreData(meta={"schema_version": SCHEMA_VERSION, "name": "test store"})
    data.actors = {
        "iskp": Actor(
            "iskp",
            "Islamic State-Khorasan",
            "group",
            aliases=["ISKP", "IS-K"],
            summary="a group",
            founded="2015-01",
            citations=[Citation("doc", "ISKP was founded")],
        ),
        "taliban": Actor("taliban", "Taliban", "group"),
        "farooqi": Actor("farooqi", "Aslam Farooqi", "person", aliases=["Abdullah Orakzai"], born="1975"),
    }
    data.ties = {
        "farooqi--leads--iskp": Tie(
            "farooqi--leads--iskp",
            "leads",
            "farooqi",
            "iskp",
            start="2019",
            end="2020-04",
            citations=[Citation("doc", "Farooqi leads ISKP")],
        ),
        "iskp--hostile_to--taliban": Tie(
            "iskp--hostile_to--taliban",
            "hostile_to",
            "iskp",
            "taliban",
            status="claimed",
            claimant="taliban",
            role="rival",
            summary="they fight",
            citations=[Citation("doc", "they fight")],
        ),
    }
    data.sources = {"doc": Source("doc", "A document", publisher="P", published="2021", path="sources/doc.txt")}
    return data


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "store.json"
    save_store(small_store(), path)
    return path


def read_doc(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


def write_doc(path: Path, doc: dict) -> None:
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


# -- round trips and format ------------------------------------------------------------


def test_save_then_load_gives_the_same_store(saved):
    original = small_store()
    loaded = load_store(saved)
    assert loaded.actors == original.actors
    assert loaded.ties == original.ties
    assert loaded.sources == original.sources
    assert loaded.meta == original.meta
    assert list(loaded.actors) == list(original.actors), "file order is kept"
    assert loaded.path == saved
    assert loaded.fingerprint is not None


def test_bundled_store_round_trips(tmp_path):
    copy = tmp_path / "khorasan.json"
    original = load_store(BUNDLED)
    save_store(original, copy)
    again = load_store(copy)
    assert again.actors == original.actors
    assert again.ties == original.ties
    assert again.sources == original.sources
    assert again.meta == original.meta


def test_the_file_is_a_plain_tinydb_database(saved):
    db = tinydb.TinyDB(saved)
    try:
        actors = db.table("actors").all()
        assert {a["id"] for a in actors} == {"iskp", "taliban", "farooqi"}
        assert db.table("ties").get(tinydb.Query().type == "hostile_to")["claimant"] == "taliban"
        assert db.table("meta").all()[0]["schema_version"] == SCHEMA_VERSION
        assert {"actors", "ties", "sources", "meta"} <= db.tables()
    finally:
        db.close()


def test_open_tinydb_reads_the_store(saved):
    db = open_tinydb(saved)
    assert len(db.table("ties")) == 2
    db.close()


def test_layout_is_stable_and_indented(saved, tmp_path):
    first = saved.read_bytes()
    assert first.startswith(b'{\n  "actors": {\n    "1": {\n      "id": "iskp",')
    assert first.endswith(b"}\n")
    save_store(load_store(saved))
    assert saved.read_bytes() == first, "saving an unchanged store rewrites identical bytes"
    other = tmp_path / "other.json"
    save_store(small_store(), other)
    assert other.read_bytes() == first, "the same store always serialises the same way"


def test_adding_an_actor_changes_only_a_few_lines(tmp_path):
    path = tmp_path / "khorasan.json"
    shutil.copyfile(BUNDLED, path)
    save_store(load_store(path), path)  # start from this code's own layout
    before = path.read_text(encoding="utf-8").splitlines()
    data = load_store(path)
    data.actors["new-actor"] = Actor("new-actor", "New Actor", "person")
    save_store(data)
    after = path.read_text(encoding="utf-8").splitlines()
    changes = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line for line in changes if line.startswith("-")]
    assert len(changes) <= 15, changes
    assert len(removed) <= 1, removed  # at most the comma after the previous record


def test_removed_records_keep_the_others_document_ids(saved):
    data = load_store(saved)
    ids_before = dict(data.doc_ids["actors"])
    del data.actors["taliban"]
    del data.ties["iskp--hostile_to--taliban"]
    save_store(data)
    actors_table = read_doc(saved)["actors"]
    assert {k: v["id"] for k, v in actors_table.items()} == {
        str(ids_before["iskp"]): "iskp",
        str(ids_before["farooqi"]): "farooqi",
    }


# -- atomic save -------------------------------------------------------------------------


def test_save_leaves_no_temp_files_and_keeps_a_backup(saved):
    first = saved.read_bytes()
    data = load_store(saved)
    data.actors["taliban"].summary = "changed"
    save_store(data)
    backup = saved.with_name(saved.name + ".bak")
    assert backup.read_bytes() == first
    assert b"changed" in saved.read_bytes()
    leftovers = [p.name for p in saved.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert {p.name for p in saved.parent.iterdir()} <= {"store.json", "store.json.bak", "store.json.lock"}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_permissions_and_new_files_follow_the_umask(saved, tmp_path):
    assert stat.S_IMODE(saved.stat().st_mode) == 0o666 & ~store_module._UMASK
    saved.chmod(0o640)
    save_store(load_store(saved))
    assert stat.S_IMODE(saved.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_save_writes_through_a_symlink(saved, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(saved)
    data = load_store(link)
    data.actors["taliban"].summary = "via the link"
    save_store(data)
    assert link.is_symlink()
    assert load_store(saved).actors["taliban"].summary == "via the link"
    data.actors["taliban"].summary = "again"
    save_store(data)  # the fingerprint follows the link too: no false conflict
    assert load_store(saved).actors["taliban"].summary == "again"


def test_save_inside_the_callers_lock_does_not_deadlock(saved):
    data = load_store(saved)
    with locked(saved):
        data.actors["taliban"].summary = "locked edit"
        save_store(data)
    assert load_store(saved).actors["taliban"].summary == "locked edit"


def test_save_refuses_a_broken_store_and_writes_nothing(saved):
    before = saved.read_bytes()
    data = load_store(saved)
    data.ties["x"] = Tie("x", "leads", "farooqi", "nobody")
    with pytest.raises(StoreError, match="nobody"):
        save_store(data)
    assert saved.read_bytes() == before


# -- conflicts ---------------------------------------------------------------------------


def test_conflict_when_the_file_changes_under_us(saved):
    data = load_store(saved)
    other = load_store(saved)
    other.actors["taliban"].summary = "someone else's edit"
    save_store(other)
    theirs = saved.read_bytes()
    data.actors["iskp"].summary = "my edit"
    with pytest.raises(StoreConflict) as caught:
        save_store(data)
    assert isinstance(caught.value, StoreError)
    assert str(saved) in str(caught.value)
    assert saved.read_bytes() == theirs, "the other analyst's save survives"


def test_no_conflict_when_only_the_timestamp_changed(saved):
    data = load_store(saved)
    os.utime(saved, ns=(1, 1))
    data.actors["iskp"].summary = "my edit"
    save_store(data)
    assert load_store(saved).actors["iskp"].summary == "my edit"


def test_conflict_check_can_be_skipped(saved):
    data = load_store(saved)
    saved.write_bytes(saved.read_bytes().replace(b'"Taliban"', b'"Taleban"'))
    save_store(data, check_conflict=False)
    assert load_store(saved).actors["taliban"].name == "Taliban"


def test_saving_twice_from_one_load_is_not_a_conflict(saved):
    data = load_store(saved)
    data.actors["iskp"].summary = "one"
    save_store(data)
    data.actors["iskp"].summary = "two"
    save_store(data)
    assert load_store(saved).actors["iskp"].summary == "two"


# -- unusable files ------------------------------------------------------------------------


def corrupt(mutate):
    def apply(doc: dict) -> dict:
        mutate(doc)
        return doc

    return apply


BROKEN_DOCUMENTS = {
    "missing actors table": (corrupt(lambda d: d.pop("actors")), "actors"),
    "missing meta table": (corrupt(lambda d: d.pop("meta")), "meta"),
    "wrong schema version": (corrupt(lambda d: d["meta"]["1"].update(schema_version=99)), "schema version 99"),
    "no schema version": (corrupt(lambda d: d["meta"]["1"].pop("schema_version")), "schema version"),
    "dangling actor in a tie": (corrupt(lambda d: d["ties"]["1"].update(target="ghost")), "ghost"),
    "unknown tie type": (corrupt(lambda d: d["ties"]["1"].update(type="loves")), "loves"),
    "unknown status": (corrupt(lambda d: d["ties"]["1"].update(status="rumoured")), "rumoured"),
    "unknown kind": (corrupt(lambda d: d["actors"]["1"].update(kind="tribe")), "tribe"),
    "duplicate actor id": (corrupt(lambda d: d["actors"]["2"].update(id="iskp")), "duplicate id 'iskp'"),
    "duplicate tie id": (
        corrupt(lambda d: d["ties"]["2"].update(id=d["ties"]["1"]["id"])),
        "duplicate id 'farooqi--leads--iskp'",
    ),
    "actor without a name": (corrupt(lambda d: d["actors"]["1"].pop("name")), "name"),
    "tie without a target": (corrupt(lambda d: d["ties"]["1"].pop("target")), "target"),
    "record that is not an object": (corrupt(lambda d: d["actors"].update({"9": "iskp"})), "record 9"),
    "table that is not an object": (corrupt(lambda d: d.update(ties=[])), "ties"),
    "non-numeric document id": (corrupt(lambda d: d["sources"].update({"x": d["sources"].pop("1")})), "'x'"),
    "name that is a number": (corrupt(lambda d: d["actors"]["1"].update(name=5)), "name"),
    "aliases that are a string": (corrupt(lambda d: d["actors"]["1"].update(aliases="ISKP")), "aliases"),
    "tie end that is a list": (corrupt(lambda d: d["ties"]["1"].update(source=["farooqi"])), "source"),
    "citation that is a string": (corrupt(lambda d: d["ties"]["1"].update(citations=["quote"])), "citation"),
}


@pytest.mark.parametrize("case", list(BROKEN_DOCUMENTS))
def test_broken_store_is_refused_by_name_and_left_untouched(saved, case):
    mutate, expected = BROKEN_DOCUMENTS[case]
    write_doc(saved, mutate(read_doc(saved)))
    before = saved.read_bytes()
    with pytest.raises(StoreError) as caught:
        load_store(saved)
    message = str(caught.value)
    assert str(saved) in message
    assert expected in message
    assert saved.read_bytes() == before
    assert not saved.with_name(saved.name + ".bak").exists()


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{", "UTF-16"),
        (b"\xfe\xff{", "UTF-16"),
        (b"\xc3{", "not valid JSON"),
        (b"[1, 2]", "top level"),
        (b"{}", "meta"),
        (b"actors,ties\n1,2\n", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path, raw, expected):
    path = tmp_path / "store.json"
    path.write_bytes(raw)
    with pytest.raises(StoreError) as caught:
        load_store(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.json"]


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(StoreError, match="directory") as caught:
        load_store(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(StoreError, match="no such file") as caught:
        load_store(path)
    assert str(path) in str(caught.value)
    assert not path.exists()


def test_store_error_carries_path_and_problem(tmp_path):
    path = tmp_path / "store.json"
    path.write_bytes(b"")
    with pytest.raises(StoreError) as caught:
        load_store(path)
    assert caught.value.path == path
    assert "empty" in caught.value.problem


# -- checks at load: what is checked, and what a verdict saves ------------------------------


def test_a_repeated_key_is_found_in_the_canonical_layout_too(tmp_path):
    from khorasan_tui.store import encode_store

    raw = encode_store(load_store(BUNDLED))
    start = raw.index(b'\n      "name"')
    end = raw.index(b"\n", start + 1)
    doubled = raw[:end] + raw[start:end] + raw[end:]
    path = tmp_path / "store.json"
    path.write_bytes(doubled)
    with pytest.raises(StoreError, match="the key 'name' occurs twice in one object"):
        load_store(path)


def test_a_verdict_is_kept_per_content_and_never_for_a_changed_file(tmp_path, monkeypatch):
    from khorasan_tui import rules, store

    path = tmp_path / "store.json"
    shutil.copyfile(BUNDLED, path)
    monkeypatch.setattr(store, "_VERDICT_MIN_BYTES", 0)  # the bundled store is below the size that uses it
    calls = []
    real = store.check_structure
    monkeypatch.setattr(store, "check_structure", lambda data: (calls.append(1), real(data)))
    load_store(path)
    load_store(path)
    assert len(calls) == 1, "the second load of the same bytes trusts the first check"
    data = load_store(path, check=False)
    data.actors["iskp"].name = "Renamed ISKP"
    path.write_bytes(store.encode_store(data))
    load_store(path)
    assert len(calls) == 2, "changed bytes are checked again"
    monkeypatch.setattr(rules, "RULES_VERSION", rules.RULES_VERSION + 1)
    load_store(path)
    assert len(calls) == 3, "a new rulebook checks again"


def test_a_store_breaking_the_rules_is_refused_however_often_it_is_opened(tmp_path):
    from khorasan_tui import store

    data = load_store(BUNDLED, check=False)
    data.actors["iskp"].name = "x" * 301
    path = tmp_path / "store.json"
    path.write_bytes(store.encode_store(data))
    for _ in range(2):
        with pytest.raises(StoreError, match=r"actor iskp: name: is too long \(301 characters; at most 300\)"):
            load_store(path)


def test_a_trusted_store_still_has_its_document_paths_checked(tmp_path, monkeypatch):
    from khorasan_tui import store

    monkeypatch.setattr(store, "_VERDICT_MIN_BYTES", 0)
    path = tmp_path / "store.json"
    shutil.copyfile(BUNDLED, path)
    shutil.copytree(BUNDLED.parent / "sources", tmp_path / "sources")
    load_store(path)  # checked and remembered
    doc = next(tmp_path.joinpath("sources").iterdir())
    doc.unlink()
    doc.symlink_to("/etc/passwd")
    with pytest.raises(StoreError, match="leads outside the store's folder"):
        load_store(path)


def test_loading_leaves_the_collector_as_it_found_it_with_nothing_frozen():
    import gc

    was_enabled = gc.isenabled()
    gc.unfreeze()  # an app test in this process may have frozen what it loaded
    gc.enable()
    try:
        load_store(BUNDLED)
        assert gc.isenabled() and gc.get_freeze_count() == 0, "what the load built stays collectable"
        gc.disable()
        load_store(BUNDLED)
        assert not gc.isenabled(), "a caller's paused collector stays paused"
    finally:
        if was_enabled:
            gc.enable()
