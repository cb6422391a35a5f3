"""The contract both backends keep, part 2: every graph query gives the same answer.

`Graph(data)` indexes a JSON store in memory; on a SQLite store it is a
`SqlGraph` that asks the file. Each test puts the same questions to both and
compares the answers, actor ids and tie ids in order.
"""

from __future__ import annotations

import pytest

from khorasan_tui.graph import Ambiguous, Graph, NotFound, SqlGraph, TieFilter
from khorasan_tui.model import normalize_key
from khorasan_tui.store import load_store

from .backends import BACKENDS, bundled_copy


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> tuple[Graph, Graph]:
    # Queries only: one pair of stores for the whole module.
    folder = tmp_path_factory.mktemp("graphs")
    json_graph, sql_graph = (Graph(load_store(bundled_copy(folder / b, b))) for b in BACKENDS)
    assert isinstance(sql_graph, SqlGraph) and not isinstance(json_graph, SqlGraph)
    yield json_graph, sql_graph
    sql_graph.data.backend.close()


def _both(graphs, ask, *args):
    """`ask(graph, *args)` of each graph: (JSON's answer, SQLite's)."""
    return tuple(ask(g, *args) for g in graphs)


def _resolved(graph: Graph, query: str) -> tuple:
    try:
        return ("found", graph.resolve(query).id)
    except Ambiguous as exc:
        return ("ambiguous", [a.id for a in exc.candidates])
    except NotFound as exc:
        return ("not found", [a.id for a in exc.candidates])


RESOLVE = [
    "iskp",  # an id
    "ISKP",  # a name, folded
    "  Islamic State-Khorasan ",
    "Abdullah Orakzai",  # an alias
    "faroqqi",
    "pakistan-tribal-areas",  # an id a merge left behind
    "afghan-security-forces",
    "Orakzai",  # a word several names hold: ambiguous
    "Haqqani",
    "Haqani Netwark",  # typos
    "Sirajudin Haqani",
    "Talibn",
    "sirajuddin",  # part of one name
    "Zzqxv",  # nothing like it
    "no-such-actor-or-tie",  # close to no name by three letters in a row, but to NATO by rapidfuzz's measure
    "",
    "[@click=app.quit]",
    "al qaeda",
    "AQ",
    "a",  # in a hundred names: every one is a candidate on both
    "al",
    "ha",
    "q",
    # What SQL would read as patterns or syntax is text to both.
    "isk%",
    "is_k",
    "%",
    'haqqani" OR "taliban',
    "kabul*",
    "\\",
]


@pytest.mark.parametrize("query", RESOLVE)
def test_resolve_gives_the_same_actor_or_the_same_refusal(graphs, query):
    json_answer, sql_answer = _both(graphs, lambda g: _resolved(g, query))
    assert sql_answer == json_answer


def test_resolve_covers_every_name_and_alias_and_merged_id(graphs):
    json_graph, _ = graphs
    queries = {q for a in json_graph.actors.values() for q in (a.id, *a.names, *a.merged_ids)}
    for query in sorted(queries):
        json_answer, sql_answer = _both(graphs, _resolved, query)
        assert sql_answer == json_answer, query
    assert _resolved(json_graph, "Haqani Netwark") == ("found", "haqqani-network")
    assert _resolved(json_graph, "pakistan-tribal-areas") == ("found", "fata")
    assert _resolved(json_graph, "Orakzai")[0] == "ambiguous"


def _hits(graph: Graph, text: str, kind: str | None, limit: int) -> list[tuple[str, float, str]]:
    return [(h.actor_id, h.score, h.matched) for h in graph.search(text, kind=kind, limit=limit)]


# Queries where both backends must agree: names, aliases and their parts, typos,
# and summary words that are whole words (the SQLite store matches summaries by word).
SEARCH = [
    ("isk", None),
    ("haqqani", None),
    ("haqqani", "person"),
    ("haqqani", "group"),
    ("orakzai", None),
    ("orakzai", "person"),
    ("kabul", None),
    ("kabul", "event"),
    ("taliban", "state"),
    ("al-qaeda", None),
    ("Haqani Netwark", None),
    ("sirajudin", None),
    ("airport", None),
    ("suicide", None),
    ("pakistan", None),
    ("", None),
    ("", "person"),
    ("q", None),
    ("zzqxv", None),
    ("lashkar", "group"),
    # What a full-text query would read as its own syntax is text to both.
    ('"haqqani"', None),
    ("isis-k", None),
    ("taliban*", None),
    ("kabul AND airport", None),
    ("NEAR(kabul airport)", None),
    ("haqqani's", None),
    ("100%", None),
    ("_", None),
    ("x_y", None),
]


@pytest.mark.parametrize("text, kind", SEARCH)
def test_search_ranks_the_same_hits(graphs, text, kind):
    if not normalize_key(text):
        # No text lists every actor (of the kind): the in-memory graph in file
        # order, the SQLite one most connected first, for its paged list.
        json_ids, sql_ids = _both(graphs, lambda g: sorted(h.actor_id for h in g.search(text, kind=kind, limit=10_000)))
        assert sql_ids == json_ids and json_ids
        return
    json_hits, sql_hits = _both(graphs, lambda g: _hits(g, text, kind, 50))
    assert sql_hits == json_hits
    json_few, sql_few = _both(graphs, lambda g: _hits(g, text, kind, 3))
    assert sql_few == json_few


def test_search_finds_actors_by_a_whole_word_of_their_summary_in_both(graphs):
    json_graph, _ = graphs
    actor = next(a for a in json_graph.actors.values() if a.summary and len(a.summary.split()) > 3)
    word = max(actor.summary.split(), key=len).strip(".,;:()\"'")
    json_hits, sql_hits = _both(graphs, lambda g: _hits(g, word, None, 200))
    assert sql_hits == json_hits
    assert actor.id in [h[0] for h in json_hits]


def test_search_of_a_summary_differs_where_documented_a_word_fragment(graphs):
    """The documented difference: SQLite matches summaries by word (full-text
    index, a prefix of the last word allowed), the in-memory search any substring."""
    json_graph, sql_graph = graphs
    actor = next(a for a in json_graph.actors.values() if a.summary and "Afghanistan" in a.summary)
    fragment = "fghanista"  # inside a word, not at its start
    json_ids = {h.actor_id for h in json_graph.search(fragment, limit=500, fuzzy=False)}
    sql_ids = {h.actor_id for h in sql_graph.search(fragment, limit=500, fuzzy=False)}
    names_hit = {h.actor_id for h in json_graph.search(fragment, limit=500, fuzzy=False) if h.matched != "summary"}
    assert actor.id in json_ids
    assert sql_ids == names_hit, "SQLite finds names containing a fragment, but summaries only by word"
    assert sql_ids < json_ids
    # A prefix of a word is a match in both.
    prefix_hits = _both(graphs, lambda g: {h.actor_id for h in g.search("Afghanis", limit=500, fuzzy=False)})
    assert actor.id in prefix_hits[0] and actor.id in prefix_hits[1]


FILTERS = {
    "all": TieFilter(),
    "types": TieFilter.of(types=["leads", "member_of"]),
    "statuses": TieFilter.of(statuses=["alleged", "claimed"]),
    "as-of-2016": TieFilter.of(as_of="2016"),
    "as-of-day": TieFilter.of(as_of="2021-08-26"),
    "document": TieFilter.of(document="002_7cc125320d65fb31"),
    "exclude-types": TieFilter.of(exclude_types=["located_in", "operates_in"]),
}


@pytest.mark.parametrize("tie_filter", FILTERS.values(), ids=FILTERS.keys())
def test_per_actor_queries_agree_for_every_actor(graphs, tie_filter):
    json_graph, sql_graph = graphs
    for actor_id in json_graph.actors:
        for ask in (
            lambda g, a: [t.id for t in g.ties_of(a, tie_filter)],
            lambda g, a: [t.to_dict() for t in g.ties_of(a, tie_filter)],
            lambda g, a: g.type_counts(a, tie_filter),
            lambda g, a: list(g.type_counts(a, tie_filter)),
            lambda g, a: g.neighbours(a, tie_filter),
            lambda g, a: sorted(g.reach(a, 2, tie_filter)),
            lambda g, a: [sorted(part) for part in g.neighbourhood(a, 1, tie_filter)],
        ):
            json_answer, sql_answer = _both(graphs, ask, actor_id)
            assert sql_answer == json_answer, actor_id
    for actor_id in json_graph.actors:
        assert sql_graph.degree(actor_id) == json_graph.degree(actor_id), actor_id
        assert sql_graph.documents_of(actor_id) == json_graph.documents_of(actor_id), actor_id
    assert sql_graph.degree("no-such-actor") == json_graph.degree("no-such-actor") == 0
    assert sql_graph.ties_of("no-such-actor") == json_graph.ties_of("no-such-actor") == []


def test_ties_between_and_the_lazy_indexes_agree(graphs):
    json_graph, sql_graph = graphs
    pairs = [("iskp", "taliban"), ("haqqani-network", "sirajuddin-haqqani"), ("iskp", "iskp"), ("iskp", "nobody")]
    for a, b in pairs:
        json_answer, sql_answer = _both(graphs, lambda g, x, y: [t.id for t in g.ties_between(x, y)], a, b)
        assert sql_answer == json_answer, (a, b)
    for kind in ("leads", "hostile_to", "family", "no-such-type"):
        assert sql_graph.by_type.get(kind, []) == json_graph.by_type.get(kind, []), kind
    for doc in json_graph.data.sources:
        assert sorted(sql_graph.by_document.get(doc, [])) == sorted(json_graph.by_document.get(doc, [])), doc
    for key in ("iskp", "haqqanis", "orakzai", "nobody"):
        assert sql_graph.alias_index.get(key, []) == json_graph.alias_index.get(key, []), key
    for old in ("pakistan-tribal-areas", "afghan-security-forces", "iskp", "nobody"):
        assert sql_graph.merged.get(old) == json_graph.merged.get(old), old
        assert (old in sql_graph.merged) == (old in json_graph.merged)


@pytest.mark.parametrize("n", [1, 10, 500])
def test_most_connected_agrees(graphs, n):
    json_answer, sql_answer = _both(graphs, lambda g: g.most_connected(n))
    assert sql_answer == json_answer


def _routes(graph: Graph, a: str, b: str, tie_filter: TieFilter, max_length: int | None) -> list:
    return [
        (r.actors, [[t.id for t in hop] for hop in r.hops], [[t.to_dict() for t in hop] for hop in r.hops])
        for r in graph.shortest_routes(a, b, tie_filter, max_length)
    ]


PATHS = [
    ("iskp", "sirajuddin-haqqani", TieFilter(), None),
    ("aslam-farooqi", "sirajuddin-haqqani", TieFilter(), None),
    ("aslam-farooqi", "sirajuddin-haqqani", TieFilter(), 2),
    ("aslam-farooqi", "sirajuddin-haqqani", TieFilter.of(statuses=["reported"]), 4),
    ("iskp", "taliban", TieFilter.of(statuses=["disputed"]), None),
    ("iskp", "taliban", TieFilter.of(types=["cooperates_with", "allied_with", "supports"]), None),
    ("iskp", "haqqani-network", TieFilter.of(as_of="2016"), None),
    ("iskp", "haqqani-network", TieFilter.of(document="002_7cc125320d65fb31"), None),
    ("taliban", "shahab-al-muhajir", TieFilter.of(exclude_types=["hostile_to"]), None),
    ("iskp", "iskp", TieFilter(), None),
    ("iskp", "no-such-actor", TieFilter(), None),
]


@pytest.mark.parametrize("a, b, tie_filter, max_length", PATHS, ids=[f"{p[0]}-{p[1]}-{i}" for i, p in enumerate(PATHS)])
def test_shortest_routes_and_paths_agree(graphs, a, b, tie_filter, max_length):
    json_routes, sql_routes = _both(graphs, lambda g: _routes(g, a, b, tie_filter, max_length))
    assert sql_routes == json_routes
    json_paths, sql_paths = _both(
        graphs, lambda g: [[t.id for t in p] for p in g.shortest_paths(a, b, tie_filter, max_length, limit=7)]
    )
    assert sql_paths == json_paths


def test_routes_from_every_actor_to_a_hub_agree(graphs):
    json_graph, _ = graphs
    for actor_id in json_graph.actors:
        json_routes, sql_routes = _both(graphs, _routes, actor_id, "iskp", TieFilter(), None)
        assert [r[:2] for r in sql_routes] == [r[:2] for r in json_routes], actor_id


@pytest.mark.parametrize(
    "name, exclude",
    [
        ("Haqqani Netwrk", None),
        ("Haqqani Network", "haqqani-network"),
        ("Sirajuddin Haqani", None),
        ("Islamic State Khorasan", None),
        ("Talibann", None),
        ("abc", None),
        ("Someone Entirely New", None),
    ],
)
def test_near_names_agree(graphs, name, exclude):
    json_answer, sql_answer = _both(graphs, lambda g: [(a.id, s) for a, s in g.near_names(name, exclude)])
    assert sql_answer == json_answer


MANY_ROUTES = [
    ("badaruddin-haqqani", "sikh-community"),
    ("badaruddin-haqqani", "dasht-e-barchi-hospital-attack-2020"),
    ("khalil-haqqani", "mumbai"),
    ("sayed-ul-shuhada-high-school", "farooqi-faction"),
    ("foreign-extremists", "farooqi-faction"),
]


def _limited_routes(graph: Graph, a: str, b: str, limit: int) -> list:
    return [(r.actors, [[t.id for t in hop] for hop in r.hops]) for r in graph.shortest_routes(a, b, limit=limit)]


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_a_limited_route_search_finds_the_same_routes_first(graphs, limit):
    """With fewer routes asked for than there are, which ones come back depends
    on the order ties are walked: file order on both backends."""
    json_graph, _ = graphs
    ids = list(json_graph.actors)
    pairs = MANY_ROUTES + [(a, b) for a in ids[::7] for b in ids[3::11]]
    many = 0
    for a, b in pairs:
        json_routes, sql_routes = _both(graphs, _limited_routes, a, b, limit)
        assert sql_routes == json_routes, (a, b)
        many += len(json_graph.shortest_routes(a, b)) > limit
    assert many >= 5, "the sample holds pairs with more routes than the limit"
