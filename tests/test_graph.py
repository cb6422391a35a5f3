"""In-memory queries: name resolution, neighbours, shortest paths, search."""

from __future__ import annotations

import pytest

from khorasan_tui.graph import (
    ALL_TIES,
    Ambiguous,
    Graph,
    NotFound,
    TieFilter,
    active_at,
)
from khorasan_tui.model import Actor, Citation, Tie
from khorasan_tui.store import StoreData, default_store_path, load_store


def make_graph(actors: list[Actor], ties: list[tuple] = ()) -> Graph:
    """Ties as (type, source, target[, status[, citation source[, start, end]]])."""
    data = StoreData()
    data.actors = {a.id: a for a in actors}
    for n, spec in enumerate(ties, 1):
        tie_type, source, target, *rest = spec
        status = rest[0] if len(rest) > 0 else "reported"
        document = rest[1] if len(rest) > 1 else "doc"
        start = rest[2] if len(rest) > 2 else None
        end = rest[3] if len(rest) > 3 else None
        tie_id = f"t{n}"
        data.ties[tie_id] = Tie(
            tie_id, tie_type, source, target, status=status, start=start, end=end, citations=[Citation(document, "q")]
        )
    return Graph(data)


def people(*ids: str) -> list[Actor]:
    return [Actor(i, i.upper(), "person") for i in ids]


@pytest.fixture(scope="module")
def bundled() -> Graph:
    return Graph(load_store(default_store_path()))


@pytest.fixture
def names() -> Graph:
    return make_graph(
        [
            Actor("al-qaeda", "al Qaeda", "group", aliases=["Al-Qaeda", "AQ"]),
            Actor("aqis", "al-Qaeda in the Indian Subcontinent", "group", aliases=["AQIS"]),
            Actor("haqqani-network", "Haqqani Network", "group", aliases=["Haqqanis"]),
            Actor("iskp", "Islamic State-Khorasan", "group", aliases=["ISKP", "IS-K"]),
            Actor("iskp-haqqani-pact", "ISKP–Haqqani pact", "event"),
            Actor("isk", "Isk Person", "person"),
            Actor("farooqi", "Aslam Farooqi", "person", aliases=["Abdullah Orakzai", "Faroqqi"]),
            Actor("orakzai", "Orakzai Agency", "place"),
            Actor("khan-a", "Mali Khan", "person"),
            Actor("khan-b", "Mali Khan Jr", "person", aliases=["Mali Khan"]),
        ]
    )


# -- name resolution -----------------------------------------------------------------


@pytest.mark.parametrize("query", ["al Qaeda", "Al-Qaeda", "al-qaeda", "AL QAEDA", "  al qaeda  ", "Al–Qaeda", "AQ"])
def test_spellings_of_a_name_resolve_to_one_actor(names, query):
    assert names.resolve(query).id == "al-qaeda"


def test_alias_index_folds_spellings(names):
    assert names.alias_index["alqaeda"] == ["al-qaeda"]
    assert names.alias_index["iskp"] == ["iskp"]
    assert names.alias_index["abdullahorakzai"] == ["farooqi"]


def test_an_id_wins_over_a_name(names):
    # "isk" is an id, and also a substring of ISKP's names
    assert names.resolve("isk").id == "isk"


def test_an_exact_alias_wins_over_substrings(names):
    # "ISKP" is also inside "ISKP–Haqqani pact"
    assert names.resolve("ISKP").id == "iskp"
    assert names.resolve("is-k").id == "iskp"


def test_a_unique_substring_resolves(names):
    assert names.resolve("Khorasan").id == "iskp"
    assert names.resolve("indian subcontinent").id == "aqis"


def test_a_typo_resolves_by_fuzzy_match(names):
    assert names.resolve("Haqani Network").id == "haqqani-network"
    assert names.resolve("Haqqani Netwark").id == "haqqani-network"


def test_a_substring_shared_by_several_actors_is_ambiguous(names):
    with pytest.raises(Ambiguous) as caught:
        names.resolve("Orakzai")
    assert {a.id for a in caught.value.candidates} == {"farooqi", "orakzai"}
    assert caught.value.query == "Orakzai"


def test_an_alias_shared_by_two_actors_is_ambiguous(names):
    with pytest.raises(Ambiguous) as caught:
        names.resolve("mali khan")
    assert {a.id for a in caught.value.candidates} == {"khan-a", "khan-b"}


def test_not_found_suggests_close_names(names):
    with pytest.raises(NotFound) as caught:
        names.resolve("Hakkani Net")
    assert [a.id for a in caught.value.candidates][:1] == ["haqqani-network"]


def test_not_found_without_anything_close(names):
    with pytest.raises(NotFound) as caught:
        names.resolve("zzxxqqv")
    assert caught.value.candidates == []
    with pytest.raises(NotFound):
        names.resolve("   ")
    with pytest.raises(NotFound):
        names.resolve("--")


def test_bundled_spellings_and_typos(bundled):
    for query in ("al Qaeda", "Al-Qaeda", "al-qaeda"):
        assert bundled.resolve(query).id == "al-qaeda"
    assert bundled.resolve("Haqani Network").id == "haqqani-network"
    # the two-letter alias "AQ" sits inside both typos; it must not make them ambiguous
    assert bundled.resolve("Haqqani Netwark").id == "haqqani-network"
    assert bundled.resolve("Sirajudin Haqani").id == "sirajuddin-haqqani"
    assert bundled.resolve("Lashkar-e-Toiba").id == "lashkar-e-taiba"
    assert bundled.resolve("Abdullah Orakzai").id == "aslam-farooqi"
    assert bundled.resolve("Faroqqi").id == "aslam-farooqi"
    assert bundled.resolve("ISKP").id == "iskp"


def test_bundled_orakzai_is_ambiguous(bundled):
    with pytest.raises(Ambiguous) as caught:
        bundled.resolve("Orakzai")
    assert {"aslam-farooqi", "ziaurahman", "orakzai-agency"} <= {a.id for a in caught.value.candidates}


# -- neighbours and degrees -------------------------------------------------------------


@pytest.fixture
def web() -> Graph:
    """a=b twice (parallel), b-c, a-d, d-c (alleged, other document), c-e; f alone."""
    return make_graph(
        people("a", "b", "c", "d", "e", "f"),
        [
            ("leads", "a", "b"),
            ("member_of", "b", "a"),
            ("supports", "b", "c", "reported", "doc", "2015", "2018"),
            ("hostile_to", "a", "d"),
            ("supports", "d", "c", "alleged", "other", "2019"),
            ("cooperates_with", "c", "e"),
        ],
    )


def test_neighbours_are_distinct_and_walk_ties_both_ways(web):
    assert web.neighbours("a") == ["b", "d"]
    assert sorted(web.neighbours("c")) == ["b", "d", "e"]
    assert web.neighbours("f") == []
    assert web.neighbours("a", TieFilter.of(types=["hostile_to"])) == ["d"]


def test_ties_between_lists_parallel_ties_from_either_end(web):
    assert [t.id for t in web.ties_between("a", "b")] == ["t1", "t2"]
    assert [t.id for t in web.ties_between("b", "a")] == ["t1", "t2"]
    assert web.ties_between("a", "c") == []
    assert [t.id for t in web.ties_between("a", "b", TieFilter.of(types=["leads"]))] == ["t1"]


def test_degree_counts_ties_not_neighbours(web):
    assert web.degree("a") == 3
    assert web.degree("c") == 3
    assert web.degree("f") == 0
    assert web.most_connected(2) == [("a", 3), ("b", 3)]


def test_type_counts_and_documents(web):
    assert web.type_counts("c") == {"supports": 2, "cooperates_with": 1}
    assert web.documents_of("c") == ["doc", "other"]
    assert web.by_document["other"] == ["t5"]
    assert sorted(web.by_type["supports"]) == ["t3", "t5"]


def test_reindex_picks_up_a_new_tie(web):
    web.data.ties["new"] = Tie("new", "family", "e", "f", citations=[Citation("third", "q")])
    web.reindex()
    assert web.neighbours("f") == ["e"]
    assert web.degree("e") == 2
    assert web.by_document["third"] == ["new"]
    assert web.by_type["family"] == ["new"]


# -- shortest paths -------------------------------------------------------------------


def chains(graph: Graph, a: str, b: str, **kwargs) -> list[list[str]]:
    return sorted([t.id for t in path] for path in graph.shortest_paths(a, b, **kwargs))


def test_every_shortest_chain_with_parallel_ties_distinct(web):
    assert chains(web, "a", "c") == [["t1", "t3"], ["t2", "t3"], ["t4", "t5"]]


def test_chains_run_in_order_from_the_start(web):
    for route in web.shortest_routes("a", "e"):
        assert route.actors[0] == "a" and route.actors[-1] == "e" and len(route.hops) == 3
        for here, there, ties in zip(route.actors, route.actors[1:], route.hops):
            assert all({t.source, t.target} == {here, there} for t in ties)
    assert chains(web, "e", "a") == [["t6", "t3", "t1"], ["t6", "t3", "t2"], ["t6", "t5", "t4"]]


def test_paths_respect_a_type_filter(web):
    only = TieFilter.of(types=["hostile_to", "supports"])
    assert chains(web, "a", "c", tie_filter=only) == [["t4", "t5"]]
    without = TieFilter.of(exclude_types=["hostile_to"])
    assert chains(web, "a", "c", tie_filter=without) == [["t1", "t3"], ["t2", "t3"]]


def test_paths_respect_a_status_filter(web):
    assert chains(web, "a", "c", tie_filter=TieFilter.of(statuses=["reported"])) == [["t1", "t3"], ["t2", "t3"]]
    assert chains(web, "d", "c", tie_filter=TieFilter.of(statuses=["reported"])) == [
        ["t4", "t1", "t3"],
        ["t4", "t2", "t3"],
    ]


def test_paths_respect_a_date(web):
    assert chains(web, "a", "c", tie_filter=TieFilter.of(as_of="2020")) == [["t4", "t5"]]


def test_max_length(web):
    assert chains(web, "a", "e", max_length=2) == []
    assert len(chains(web, "a", "e", max_length=3)) == 3
    assert chains(web, "a", "b", max_length=1) == [["t1"], ["t2"]]


def test_no_path(web):
    assert web.shortest_paths("a", "f") == []
    assert web.shortest_paths("a", "a") == []
    assert web.shortest_paths("a", "e", TieFilter.of(types=["family"])) == []


def test_path_limit(web):
    assert len(web.shortest_paths("a", "c", limit=2)) == 2


def test_routes_group_parallel_ties_into_one_hop(web):
    routes = web.shortest_routes("a", "c")
    assert [r.actors for r in routes] == [("a", "b", "c"), ("a", "d", "c")]
    first = routes[0]
    assert [[t.id for t in ties] for ties in first.hops] == [["t1", "t2"], ["t3"]]
    assert (first.tie_count, first.combinations, first.weak_hops) == (3, 2, 0)
    # the route through d rests on an alleged tie: it comes after the reported one
    assert routes[1].weak_hops == 1
    assert web.shortest_routes("a", "c", limit=1) == routes[:1]


def test_disputed_ties_join_nothing_unless_asked_for():
    graph = make_graph(
        people("a", "b", "c"),
        [("supports", "a", "b", "disputed"), ("supports", "a", "c"), ("supports", "c", "b")],
    )
    assert [r.actors for r in graph.shortest_routes("a", "b")] == [("a", "c", "b")]
    assert chains(graph, "a", "b") == [["t2", "t3"]]
    asked = graph.shortest_routes("a", "b", TieFilter.of(statuses=["disputed"]))
    assert [r.actors for r in asked] == [("a", "b")]


def test_bundled_paths(bundled):
    direct = bundled.shortest_paths("sirajuddin-haqqani", "haqqani-network")
    assert direct and len(direct[0]) == 1
    iskp_to_taliban = bundled.shortest_paths("iskp", "taliban")
    assert len(iskp_to_taliban[0]) == 1
    assert len({p[0].id for p in iskp_to_taliban}) == len(iskp_to_taliban) > 1, "parallel ties are distinct chains"
    hostile = bundled.shortest_paths("iskp", "taliban", TieFilter.of(types=["hostile_to"]))
    assert hostile and all(p[0].type == "hostile_to" for p in hostile)


# -- search ---------------------------------------------------------------------------


@pytest.fixture
def searchable() -> Graph:
    return make_graph(
        [
            Actor("sirajuddin", "Sirajuddin Haqqani", "person"),
            Actor("network", "Haqqani Network", "group"),
            Actor("haqqani", "Haqqani", "person"),
            Actor("madrassa", "Darul Uloom", "organization", summary="a seminary tied to the haqqani family"),
            Actor("other", "Someone Else", "person"),
        ]
    )


def test_search_ranks_exact_then_prefix_then_substring_then_summary(searchable):
    hits = searchable.search("haqqani", fuzzy=False)
    assert [h.actor_id for h in hits] == ["haqqani", "network", "sirajuddin", "madrassa"]
    assert hits[0].score == 100.0
    assert hits[0].score > hits[1].score > hits[2].score > hits[3].score
    assert hits[3].matched == "summary"
    assert hits[1].matched == "Haqqani Network"


def test_search_matches_aliases_and_says_which(names):
    hits = names.search("Abdullah")
    assert hits[0].actor_id == "farooqi"
    assert hits[0].matched == "Abdullah Orakzai"


def test_search_kind_filter(searchable):
    assert [h.actor_id for h in searchable.search("haqqani", kind="group")] == ["network"]
    assert [h.actor_id for h in searchable.search("haqqani", kind="organization", fuzzy=False)] == ["madrassa"]
    assert searchable.search("haqqani", kind="state") == []


def test_search_finds_typos(searchable):
    assert searchable.search("Haqani Netwrk")[0].actor_id == "network"


def test_search_limit_and_empty_query(searchable):
    assert len(searchable.search("haqqani", limit=2)) == 2
    assert len(searchable.search("")) == 5
    assert [h.actor_id for h in searchable.search("", kind="group")] == ["network"]


def test_bundled_search(bundled):
    hits = bundled.search("Haqqani")
    assert hits[0].actor_id in {"haqqani-network", "sirajuddin-haqqani", "jalaluddin-haqqani"}
    assert "haqqani-network" in [h.actor_id for h in hits[:5]]
    assert bundled.search("ISKP")[0].actor_id == "iskp"


# -- neighbourhood and dates --------------------------------------------------------------


def test_neighbourhood_by_depth(web):
    actors, ties = web.neighbourhood("a", depth=0)
    assert actors == {"a"} and ties == set()
    actors, ties = web.neighbourhood("a", depth=1)
    assert actors == {"a", "b", "d"}
    assert ties == {"t1", "t2", "t4"}
    actors, ties = web.neighbourhood("a", depth=2)
    assert actors == {"a", "b", "c", "d"}
    assert ties == {"t1", "t2", "t3", "t4", "t5"}
    actors, _ = web.neighbourhood("a", depth=5)
    assert actors == {"a", "b", "c", "d", "e"}


def test_neighbourhood_adds_ties_among_the_outer_ring():
    graph = make_graph(people("a", "b", "c"), [("leads", "a", "b"), ("leads", "a", "c"), ("family", "b", "c")])
    assert graph.neighbourhood("a", 1) == ({"a", "b", "c"}, {"t1", "t2", "t3"})


def test_neighbourhood_with_a_filter(web):
    actors, ties = web.neighbourhood("a", 2, TieFilter.of(types=["hostile_to", "supports"]))
    assert actors == {"a", "d", "c"}
    assert ties == {"t4", "t5"}


def test_active_at_is_generous_with_partial_dates():
    assert active_at("2020", None, "2020-01-01")
    assert active_at(None, "2020", "2020-12-31")
    assert active_at("2020-03", "2020-03", "2020-03-15")
    assert not active_at("2021", None, "2020")
    assert not active_at(None, "2019", "2020")
    assert active_at(None, None, "1990")


def test_a_malformed_date_does_not_crash_a_date_filter():
    assert active_at("March 2020", "later", "2020")


def test_tie_filter_by_document_and_all_ties(web):
    assert [t.id for t in web.ties_of("c", TieFilter.of(document="other"))] == ["t5"]
    assert len(web.ties_of("c", ALL_TIES)) == 3


def test_short_aliases_do_not_pollute_fuzzy_matches(names):
    assert names.resolve("Haqqani Netwark").id == "haqqani-network"
    assert "al-qaeda" not in [h.actor_id for h in names.search("Haqqani Netwark")]
    # ...but a short typo still finds a short name
    assert "aqis" in [h.actor_id for h in names.search("AQS")]


def test_per_actor_summaries_follow_changes():
    """documents_of and type_counts are cached per actor; changes must show."""
    from khorasan_tui.graph import Graph
    from khorasan_tui.model import Actor, Citation, Tie
    from khorasan_tui.store import StoreData

    data = StoreData()
    for name in ("a", "b", "c"):
        data.actors[name] = Actor(name, name.upper(), "group")
    data.ties["t1"] = Tie("t1", "allied_with", "a", "b", citations=[Citation("d1", "q")])
    graph = Graph(data)
    assert graph.documents_of("a") == ["d1"]
    assert graph.type_counts("a") == {"allied_with": 1}
    data.ties["t2"] = Tie("t2", "hostile_to", "a", "c", citations=[Citation("d2", "q")])
    graph.reindex()
    assert graph.documents_of("a") == ["d1", "d2"]
    assert graph.type_counts("a") == {"allied_with": 1, "hostile_to": 1}
    del data.ties["t2"]
    graph.reindex()
    assert graph.documents_of("a") == ["d1"]
    graph.documents_of("a").append("mutated")  # callers get copies
    assert graph.documents_of("a") == ["d1"]


def test_an_index_built_while_an_edit_reindexes_is_built_again(web, monkeypatch):
    """The type, name and document indexes are built on first use, maybe in a
    worker while an edit reindexes: what that build produced is never kept."""
    real = Graph._build_by_type

    def edited_meanwhile(graph):
        index = real(graph)
        graph.data.ties["new"] = Tie("new", "family", "e", "f", citations=[Citation("third", "q")])
        graph.reindex()
        return index

    monkeypatch.setattr(Graph, "_build_by_type", edited_meanwhile)
    assert "family" not in web.by_type  # as the store stood when this build began
    monkeypatch.setattr(Graph, "_build_by_type", real)
    assert web.by_type["family"] == ["new"]
    web.build_deferred()
    assert web.by_document["third"] == ["new"] and web.alias_index
