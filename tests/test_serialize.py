"""serialize: the JSON shapes `--json`, exports and scripts share."""

from __future__ import annotations

import orjson

from khorasan_tui.analysis import contested
from khorasan_tui.graph import Graph
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.serialize import actor_json, actor_ref, finding_json, path_json, tie_json
from khorasan_tui.storedata import StoreData


def graph() -> Graph:
    data = StoreData()
    data.sources["d1"] = Source("d1", "One")
    data.sources["d2"] = Source("d2", "Two")
    data.actors["a"] = Actor("a", "Alpha", "group", ["A"], extra={"custom_notes": "kept"})
    data.actors["b"] = Actor("b", "Beta", "group")
    data.actors["c"] = Actor("c", "Gamma", "person", died="2013")
    ties = [
        Tie("a--cooperates_with--b", "cooperates_with", "a", "b", citations=[Citation("d1", "they cooperate")]),
        Tie("a--hostile_to--b", "hostile_to", "a", "b", citations=[Citation("d2", "they fight")]),
        Tie(
            "c--leads--a",
            "leads",
            "c",
            "a",
            end="2013",
            note="end from general knowledge",
            citations=[Citation("d1", "Gamma leads Alpha")],
        ),
        Tie(
            "c--leads--a--2",
            "leads",
            "c",
            "a",
            status="claimed",
            claimant="b",
            citations=[Citation("d2", "Beta says Gamma leads Alpha")],
        ),
    ]
    data.ties.update({t.id: t for t in ties})
    return Graph(data)


def test_an_actor_keeps_unknown_fields_and_gets_its_counts():
    g = graph()
    data = actor_json(g, g.actors["a"])
    assert data["custom_notes"] == "kept"
    assert data["degree"] == 4 and data["tie_counts"]["leads"] == 2
    assert data["died"] is None and sorted(data["documents"]) == ["d1", "d2"]
    assert actor_ref(g, "missing") == {"id": "missing", "name": "missing", "kind": None}


def test_a_tie_carries_its_note_claimant_and_agreeing_documents():
    g = graph()
    data = tie_json(g, g.ties["c--leads--a"])
    assert data["note"] == "end from general knowledge" and data["end"] == "2013"
    assert data["source"] == {"id": "c", "name": "Gamma", "kind": "person"}
    assert data["agreeing_documents"] == ["d1", "d2"], "a report and a claim of the same tie agree"
    claimed = tie_json(g, g.ties["c--leads--a--2"])
    assert (claimed["claimant"], claimed["claimant_name"]) == ("b", "Beta")
    orjson.dumps(data)  # every value is plain JSON


def test_a_path_lists_routes_hops_and_ties():
    g = graph()
    routes = g.shortest_routes("c", "b")
    data = path_json(g, g.actors["c"], g.actors["b"], routes, limit=1)
    assert data["length"] == 2 and data["routes_found"] == len(routes) and data["complete"]
    (route,) = data["routes"]
    assert [a["id"] for a in route["actors"]] == ["c", "a", "b"]
    first_hop = route["hops"][0]
    assert {t["wording"] for t in first_hop["ties"]} == {"leads"}


def test_a_finding_names_both_sides_and_explains_itself():
    g = graph()
    finding = next(f for f in contested(g) if {f.a, f.b} == {"a", "b"})
    data = finding_json(g, finding)
    assert data["explanation"] and len(data["sides"]) == 2
    assert {d for side in data["sides"] for d in side["documents"]} == {"d1", "d2"}
    assert {t["id"] for t in data["ties"]} == {"a--cooperates_with--b", "a--hostile_to--b"}
