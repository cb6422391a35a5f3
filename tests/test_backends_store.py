"""The contract both backends keep, part 1: what a store holds.

A SQLite store is the JSON store record for record: the same actors, ties and
sources (unknown fields and all), in the same order, under the same TinyDB
document ids, and converting it back gives the JSON file byte for byte.
"""

from __future__ import annotations

import json
import shutil

import pytest

from khorasan_tui.cli import main
from khorasan_tui.sqlstore import SqlStoreData, iter_json_chunks, write_sqlite
from khorasan_tui.store import encode_store, load_store
from khorasan_tui.storedata import TABLES

from . import hostile_corpus
from .backends import DATA, store_bytes, to_sqlite
from .store_writer import DOC_ID, make_store


def _records(data, table: str) -> dict[str, dict]:
    return {key: record.to_dict() for key, record in getattr(data, table).items()}


def test_both_backends_load_the_same_records_in_the_same_order(store_pair):
    json_data, sql_data = (load_store(p) for p in store_pair)
    assert isinstance(sql_data, SqlStoreData) and not isinstance(json_data, SqlStoreData)
    assert "iskp" in sql_data.actors and any(t.source == "haqqani-network" for t in sql_data.ties.values())
    for table in TABLES:
        mine, theirs = getattr(json_data, table), getattr(sql_data, table)
        assert len(theirs) == len(mine), table
        assert list(theirs) == list(mine), f"{table}: file order"
        assert _records(sql_data, table) == _records(json_data, table), table
        assert {k: sql_data.doc_ids[table][k] for k in mine} == json_data.doc_ids[table], f"{table}: document ids"
    assert sql_data.meta == json_data.meta
    assert sql_data.name == json_data.name
    assert sql_data.extra_tables == json_data.extra_tables


def test_a_sqlite_table_answers_like_a_dict(store_path):
    data = load_store(store_path)
    actors = data.actors
    assert actors["iskp"].name == "Islamic State-Khorasan"
    assert "iskp" in actors and "no-such-actor" not in actors and 7 not in actors
    assert actors.get("no-such-actor") is None
    with pytest.raises(KeyError):
        actors["no-such-actor"]
    assert [k for k, _ in actors.items()] == list(actors) == [a.id for a in actors.values()]
    assert len(list(actors)) == len(actors)


def test_a_sqlite_table_fetches_several_records_in_the_order_asked(store_pair):
    json_data, sql_data = (load_store(p) for p in store_pair)
    wanted = ["taliban", "iskp", "missing", "haqqani-network", "iskp"]
    found = sql_data.actors.get_many(wanted)
    assert list(found) == ["taliban", "iskp", "haqqani-network"]
    assert {k: v.to_dict() for k, v in found.items()} == {k: json_data.actors[k].to_dict() for k in found}


def test_json_to_sqlite_to_json_is_byte_exact(store_pair, tmp_path):
    original = (DATA / "khorasan.json").read_bytes()
    json_path, sql_path = store_pair
    assert encode_store(load_store(json_path)) == original
    sql_data = load_store(sql_path)
    assert b"".join(iter_json_chunks(sql_data)) == original
    assert encode_store(sql_data) == original, "to_tinydb keeps the file's order and ids"
    # ...and back: the SQLite store converted to a JSON file is the file it came from.
    back = tmp_path / "back.json"
    back.write_bytes(b"".join(iter_json_chunks(sql_data)))
    assert load_store(back).to_tinydb() == load_store(json_path).to_tinydb()
    # A second conversion from the SQLite store itself gives the same store again.
    again = write_sqlite(sql_data, tmp_path / "again.sqlite")
    assert store_bytes(again) == original


def test_doc_order_follows_document_ids_not_insertion(tmp_path):
    """TinyDB ids out of order in the file: both backends write them back sorted by id, identically."""
    path = make_store(tmp_path)
    doc = json.loads(path.read_bytes())
    doc["actors"] = {str(10 + i): record for i, record in enumerate(reversed(list(doc["actors"].values())))}
    path.write_text(json.dumps(doc), encoding="utf-8")
    sql_path = to_sqlite(path)
    json_data, sql_data = load_store(path), load_store(sql_path)
    assert list(sql_data.actors) == list(json_data.actors)
    assert encode_store(sql_data) == encode_store(json_data) == store_bytes(sql_path)


def test_unknown_fields_and_extra_tables_survive_conversion_and_edits(tmp_path, capsys):
    folder = tmp_path / "json"
    json_path = hostile_corpus.write_case(folder, hostile_corpus._extra_fields)
    sql_folder = tmp_path / "sqlite"
    shutil.copytree(folder / "sources", sql_folder / "sources")
    sql_path = to_sqlite(json_path, sql_folder / "khorasan.sqlite")
    assert store_bytes(sql_path) == encode_store(load_store(json_path))
    sql_data = load_store(sql_path)
    assert sql_data.extra_tables == {"extra_table": {"1": {"anything": [1, 2, {"x": None}]}}}
    assert sql_data.meta["future_setting"] == {"nested": [True, None, 1.5]}
    assert sql_data.actors["iskp"].extra["x_extension"] == {"score": 3, "tags": ["a", "b"]}
    sql_data.backend.close()
    for path in (json_path, sql_path):
        for argv in (
            ["add-alias", "iskp", "Daesh-K"],
            ["add-tie", "taliban", "cooperates_with", "haqqani-network", "--source", DOC_ID, "--quote", "ISKP"],
            ["rm", "taliban--hostile_to--iskp", "--yes"],
        ):
            assert main([*argv, "--db", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert store_bytes(sql_path) == store_bytes(json_path)
    doc = json.loads(store_bytes(sql_path))
    assert doc["extra_table"] == {"1": {"anything": [1, 2, {"x": None}]}}
    iskp = next(r for r in doc["actors"].values() if r["id"] == "iskp")
    assert iskp["x_extension"] == {"score": 3, "tags": ["a", "b"]} and "Daesh-K" in iskp["aliases"]
    assert any(c.get("x_page") == 12 for t in doc["ties"].values() for c in t["citations"])


def test_an_empty_store_converts_and_round_trips(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"actors": {}, "ties": {}, "sources": {}, "meta": {"1": {"schema_version": 1}}}))
    empty = encode_store(load_store(path))
    sql_path = to_sqlite(path, tmp_path / "empty.sqlite")
    data = load_store(sql_path)
    assert len(data.actors) == len(data.ties) == len(data.sources) == 0
    assert list(data.actors) == []
    assert b"".join(iter_json_chunks(data)) == empty


def test_stores_are_told_apart_by_their_header_not_their_name(tmp_path):
    shutil.copytree(DATA / "sources", tmp_path / "sources")
    disguised = to_sqlite(DATA / "khorasan.json", tmp_path / "store.json")
    assert isinstance(load_store(disguised), SqlStoreData)
    plain = tmp_path / "store.sqlite"
    shutil.copyfile(DATA / "khorasan.json", plain)
    assert not isinstance(load_store(plain), SqlStoreData)
    assert store_bytes(disguised) == store_bytes(plain)


def test_the_bundled_store_is_not_touched_by_a_conversion(tmp_path):
    before = (DATA / "khorasan.json").read_bytes()
    to_sqlite(DATA / "khorasan.json", tmp_path / "x.sqlite")
    assert (DATA / "khorasan.json").read_bytes() == before
    assert not list(DATA.glob("*.sqlite*")), "nothing is written beside the bundled store"


@pytest.mark.parametrize(
    "extra",
    [
        {"x_list": [1, 2, [3, {"a": None}]], "x_empty": {}, "x_empty_list": []},
        {"x_texts": ["naïve — “quoted” 🚩", ""], "x_numbers": {"big": 12345678901234567, "null": None, "f": 0.1}},
        {"x_nested": {"1": {"deep": {"deeper": [True, False]}}, "2": "two"}},
    ],
    ids=["lists", "scalars", "nested"],
)
def test_any_table_another_tool_added_round_trips_byte_for_byte(extra, tmp_path):
    path = make_store(tmp_path)
    doc = json.loads(path.read_bytes())
    doc.update(extra)
    next(iter(doc["meta"].values()))["x_setting"] = {"list": [], "map": {}, "text": "é"}
    next(iter(doc["actors"].values()))["x_extension"] = extra
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    canonical = encode_store(load_store(path))
    sql_path = to_sqlite(path)
    assert store_bytes(sql_path) == canonical
    assert encode_store(load_store(sql_path)) == canonical


def test_a_table_another_tool_added_that_is_a_number_is_kept_or_refused_cleanly(tmp_path, capsys):
    path = make_store(tmp_path)
    doc = json.loads(path.read_bytes())
    doc["x_count"] = 5
    path.write_text(json.dumps(doc), encoding="utf-8")
    code = main(["show", "iskp", "--db", str(path)])
    assert code in (0, 2) and "Traceback" not in capsys.readouterr().err
