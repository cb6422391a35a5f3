"""The fast build of a store's tables gives exactly what the careful loop gives,
or steps aside: same objects, same refusals, same words, trusted or not."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import orjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from khorasan_tui import store
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, StoreError, encode_store, parse_store

VALUES = [None, "", "x", "reported", "group", 5, 0, False, True, [], ["a"], [5], {}, {"a": 1}]
CITATIONS = [
    [],
    [{"source": "doc", "quote": "q"}],
    [{"source": "doc", "quote": "q"}, {"source": "doc", "quote": "r", "credibility": 2}],
    [{"source": "doc", "quote": "q", "credibility": None}],
    [{"source": "doc", "quote": "q", "x": 1}],
    [{"source": "doc", "quote": "q", "extra": {}}],
    [{"quote": "q", "credibility": 1, "x": 1}],
    [{"source": "doc"}],
    [{"source": 5, "quote": "q"}],
    ["q"],
    [["source", "quote"]],
    "ab",
    None,
    {"source": "doc", "quote": "q"},
]
TIE = {
    "id": "a--leads--b",
    "type": "leads",
    "source": "a",
    "target": "b",
    "status": "reported",
    "claimant": None,
    "role": None,
    "start": None,
    "end": None,
    "summary": "",
    "citations": [{"source": "doc", "quote": "q"}],
}
ACTOR = {"id": "a", "name": "A", "kind": "group", "aliases": [], "summary": "", "citations": []}
ACTOR_FIELDS = ["born", "founded", "died", "ended", "possible_duplicate_of", "merged_ids", "aliases", "summary"]


def mutation(fields: list[str]) -> st.SearchStrategy:
    name = st.sampled_from([*fields, "note", "zzz", "extra", "citations"])
    return st.one_of(
        st.tuples(st.just("set"), name, st.sampled_from(VALUES)),
        st.tuples(st.just("cite"), st.just("citations"), st.sampled_from(CITATIONS)),
        st.tuples(st.just("drop"), name, st.none()),
        st.tuples(st.just("reverse"), st.none(), st.none()),
        st.tuples(st.just("replace"), st.none(), st.sampled_from(["a", [1], 5])),
    )


def record(base: dict, fields: list[str]) -> st.SearchStrategy:
    def apply(changes: list[tuple]) -> object:
        result: object = dict(base)
        for kind, key, value in changes:
            if not isinstance(result, dict):
                break
            if kind in ("set", "cite"):
                result[key] = value
            elif kind == "drop":
                result.pop(key, None)
            elif kind == "reverse":
                result = dict(reversed(result.items()))
            else:
                result = value
        return result

    # Most records stay plain, so that the fast build runs and is compared too.
    return st.lists(mutation(fields), max_size=3).map(apply)


def table(base: dict, fields: list[str], id_pool: list[str]) -> st.SearchStrategy:
    keys = st.sampled_from(["1", "2", "3", "01", "x", " 2", "9"])
    rows = st.lists(st.tuples(keys, record(base, fields), st.sampled_from(id_pool)), min_size=1, max_size=3)

    def build(entries: list[tuple]) -> dict:
        out: dict = {}
        for n, (key, row, record_id) in enumerate(entries, 1):
            if isinstance(row, dict) and "id" in row and row["id"] == base["id"]:
                row = {**row, "id": record_id}
            out[key if key not in out else str(len(out) + n + 10)] = row
        return out

    return rows.map(build)


def outcome(raw: bytes, trusted: bool) -> tuple:
    try:
        data = parse_store(raw, Path("/nowhere/store.json"), check=False, trusted=trusted)
    except StoreError as exc:
        return ("refused", exc.problem)
    doc_ids = {name: dict(ids) for name, ids in data.doc_ids.items()}
    return ("loaded", orjson.dumps(data.to_tinydb()), doc_ids)


@settings(max_examples=400, deadline=None)
@given(
    actors=table(ACTOR, ACTOR_FIELDS, ["a", "b", "a", ""]),
    ties=table(TIE, list(TIE), ["a--leads--b", "t2", "a--leads--b"]),
    trusted=st.booleans(),
)
# What from_dict changes where a trusted store's types are not looked at again.
@example(actors={"1": ACTOR}, ties={"1": {**TIE, "summary": 0}}, trusted=True)
@example(actors={"1": ACTOR}, ties={"1": {**TIE, "status": ""}}, trusted=True)
@example(actors={"1": ACTOR}, ties={"1": {**TIE, "note": False}}, trusted=True)
@example(actors={"1": {**ACTOR, "aliases": "ab"}}, ties={"1": TIE}, trusted=True)
@example(actors={"1": {**ACTOR, "merged_ids": None}}, ties={"1": TIE}, trusted=True)
@example(actors={"1": {**ACTOR, "summary": None}}, ties={"1": TIE}, trusted=True)
@example(actors={"1": ACTOR}, ties={"1": {**TIE, "id": 5}}, trusted=True)
def test_the_fast_build_gives_what_the_careful_loop_gives(actors, ties, trusted):
    doc = {
        "actors": actors,
        "ties": ties,
        "sources": {"1": {"id": "doc", "title": "D", "publisher": None, "published": None, "path": ""}},
        "meta": {"1": {"schema_version": 1}},
    }
    raw = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    fast = outcome(raw, trusted)
    with mock.patch.object(store, "_fast_table", lambda *args: None):
        careful = outcome(raw, trusted)
    assert fast == careful


def test_a_store_as_encode_store_writes_it_takes_the_fast_build():
    """Else the comparison above would only ever compare the careful loop with itself."""
    data = StoreData(meta={"schema_version": 1})
    data.actors = {
        "a": Actor("a", "A", "group", aliases=["AA"], founded="2015", citations=[Citation("doc", "q", 2)]),
        "b": Actor("b", "B", "person", born="1970", died="2020", merged_ids=["old-b"], possible_duplicate_of="a"),
    }
    data.ties = {
        "b--leads--a": Tie(
            "b--leads--a",
            "leads",
            "b",
            "a",
            role="head",
            start="2019",
            note="from a profile",
            citations=[Citation("doc", "q"), Citation("doc", "r", 1)],
        ),
        "a--hostile_to--b": Tie(
            "a--hostile_to--b",
            "hostile_to",
            "a",
            "b",
            status="claimed",
            claimant="b",
            summary="s",
            citations=[Citation("doc", "q")],
        ),
    }
    data.sources = {"doc": Source("doc", "D")}
    doc = orjson.loads(encode_store(data))
    for name in ("actors", "ties"):
        built = store._fast_table(name, doc[name], trusted=False)
        assert built is not None, name
        items, numbers = built
        assert items == getattr(data, name)
        assert numbers == data.doc_ids[name]
