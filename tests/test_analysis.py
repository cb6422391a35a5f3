"""Timeline and contested claims: the library on small hand-made graphs, the
CLI through its entry point, and the cases the bundled store must show."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from khorasan_tui import analysis
from khorasan_tui.analysis import contested, contested_tie_ids, event_date, tie_title, timeline
from khorasan_tui.cli import main
from khorasan_tui.graph import Graph
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, default_store_path, load_store, save_store


def actor(actor_id: str, kind: str = "group", **dates) -> Actor:
    name = actor_id.replace("-", " ").title()
    return Actor(id=actor_id, name=name, kind=kind, citations=[Citation("doc1", f"about {name}")], **dates)


def tie(source: str, tie_type: str, target: str, doc: str = "doc1", n: int = 1, **fields) -> Tie:
    tie_id = f"{source}--{tie_type}--{target}" + (f"--{n}" if n > 1 else "")
    quote = f"{source} {tie_type} {target} per {doc}"
    return Tie(id=tie_id, type=tie_type, source=source, target=target, citations=[Citation(doc, quote)], **fields)


def make_graph(actors: list[Actor], ties: list[Tie]) -> Graph:
    data = StoreData(
        actors={a.id: a for a in actors},
        ties={t.id: t for t in ties},
        sources={d: Source(id=d, title=f"Document {d}") for d in ("doc1", "doc2", "doc3")},
    )
    return Graph(data)


def timeline_graph() -> Graph:
    actors = [
        actor("alpha"),
        actor("beta"),
        actor("gamma"),
        actor("kabul", kind="place"),
        actor("big-attack", kind="event", founded="2020-03-25"),
        actor("year-event", kind="event", founded="2020"),
        actor("born-event", kind="event", born="2019-06"),
        actor("tie-dated-event", kind="event"),  # dated only through its ties
        actor("undated-event", kind="event"),
    ]
    ties = [
        tie("alpha", "carried_out", "big-attack", start="2020-03-25"),
        tie("alpha", "allied_with", "beta", start="2020-03"),
        tie("alpha", "hostile_to", "gamma", start="2018", end="2019"),
        tie("beta", "carried_out", "tie-dated-event"),
        tie("tie-dated-event", "located_in", "kabul", start="2021-02"),
        tie("gamma", "carried_out", "tie-dated-event", start="2021-05", status="alleged"),
        tie("beta", "operates_in", "kabul"),  # undated: never on the timeline
        tie("beta", "carried_out", "undated-event"),
        tie("gamma", "leads", "beta", end="2017"),
    ]
    return make_graph(actors, ties)


# -- timeline ------------------------------------------------------------------------


def test_timeline_orders_partial_dates_year_before_month_before_day():
    entries = timeline(timeline_graph())
    dates = [e.date for e in entries]
    assert dates == sorted(dates, key=lambda d: tuple(int(p) for p in d.split("-")) + (0,) * (3 - len(d.split("-"))))
    position = {e.id: i for i, e in enumerate(entries)}
    assert position["year-event"] < position["alpha--allied_with--beta"] < position["big-attack"]
    assert position["born-event"] < position["year-event"]
    # The ties that point at an event are told under it, not as entries of their own.
    assert "alpha--carried_out--big-attack" not in position


def test_timeline_leaves_out_undated_things():
    ids = {e.id for e in timeline(timeline_graph())}
    assert "undated-event" not in ids
    assert "beta--operates_in--kabul" not in ids
    assert "beta--carried_out--undated-event" not in ids


def test_event_dated_by_its_earliest_dating_tie():
    graph = timeline_graph()
    date, dating_tie = event_date(graph, "tie-dated-event")
    assert date == "2021-02"
    assert dating_tie is not None and dating_tie.id == "tie-dated-event--located_in--kabul"
    assert event_date(graph, "big-attack") == ("2020-03-25", None)
    assert event_date(graph, "born-event") == ("2019-06", None)
    assert event_date(graph, "undated-event") == (None, None)


def test_event_entry_lists_the_event_and_its_actors_and_its_documents():
    entry = next(e for e in timeline(timeline_graph()) if e.id == "big-attack")
    assert entry.kind == "event"
    assert entry.title == "Big Attack"
    assert entry.actor_ids[0] == "big-attack" and "alpha" in entry.actor_ids
    assert entry.documents == ["doc1"]


def test_an_event_appears_once_with_its_ties_under_it():
    entries = timeline(timeline_graph())
    event = next(e for e in entries if e.id == "tie-dated-event")
    assert [e.id for e in entries].count("tie-dated-event") == 1
    assert {t.id for t in event.ties} == {
        "beta--carried_out--tie-dated-event",
        "gamma--carried_out--tie-dated-event",
        "tie-dated-event--located_in--kabul",
    }
    assert not {t.id for t in event.ties} & {e.id for e in entries}
    graph = timeline_graph()
    alleged = graph.ties["gamma--carried_out--tie-dated-event"]
    assert tie_title(graph, alleged) == "Gamma carried out Tie Dated Event (alleged)"
    assert tie_title(graph, alleged, "tie-dated-event") == "carried out by Gamma (alleged)"


def test_tie_titles_read_as_sentences():
    titles = {e.id: e.title for e in timeline(timeline_graph())}
    assert titles["alpha--allied_with--beta"] == "Alpha allied with Beta"
    assert titles["alpha--hostile_to--gamma"] == "Alpha hostile to Gamma, until 2019"
    assert titles["gamma--leads--beta"] == "Gamma leads Beta: ended"


def test_timeline_for_one_actor_keeps_its_ties_and_its_events():
    ids = {e.id for e in timeline(timeline_graph(), "beta")}
    assert "alpha--allied_with--beta" in ids
    assert "tie-dated-event" in ids  # beta carried it out
    assert "gamma--leads--beta" in ids
    assert "big-attack" not in ids  # alpha's event, not beta's
    assert "alpha--hostile_to--gamma" not in ids


def test_timeline_of_an_event_includes_itself():
    entries = timeline(timeline_graph(), "tie-dated-event")
    assert [e.id for e in entries] == ["tie-dated-event"]
    assert "gamma--carried_out--tie-dated-event" in {t.id for t in entries[0].ties}


def test_as_of_hides_ties_not_yet_started_or_already_ended_and_later_events():
    ids = {e.id for e in timeline(timeline_graph(), as_of="2020-03")}
    assert "alpha--allied_with--beta" in ids  # started 2020-03
    assert "year-event" in ids and "born-event" in ids
    assert "big-attack" in ids  # a day inside the as-of month
    assert "alpha--hostile_to--gamma" not in ids  # ended 2019
    assert "gamma--leads--beta" not in ids  # ended 2017
    assert "tie-dated-event" not in ids  # 2021
    early = {e.id for e in timeline(timeline_graph(), as_of="2018-06")}
    assert "alpha--hostile_to--gamma" in early
    assert "year-event" not in early


def test_as_of_shows_nothing_dated_after_it():
    graph = timeline_graph()
    # gamma led beta until 2017 (no start known): listed under 2017, that end lies ahead of 2016
    early = timeline(graph, as_of="2016")
    assert "gamma--leads--beta" not in {e.id for e in early}
    assert all(e.date <= "2016" for e in early)
    assert all(e.end is None or e.end[:4] <= "2016" for e in early)
    entries = timeline(graph, as_of="2018-06")
    hostile = next(e for e in entries if e.id == "alpha--hostile_to--gamma")
    assert hostile.title == "Alpha hostile to Gamma" and hostile.end is None  # ends 2019: not yet
    assert "gamma--leads--beta" not in {e.id for e in entries}  # ended 2017
    assert "gamma--leads--beta" in {e.id for e in timeline(graph, as_of="2017-03")}  # ending that year
    # an event's ties that had not begun yet are not told under it
    late = tie("gamma", "targeted", "big-attack", start="2022")
    graph.data.ties[late.id] = late
    graph.reindex()
    [attack] = [e for e in timeline(graph, as_of="2021") if e.id == "big-attack"]
    assert late.id not in {t.id for t in attack.ties}
    assert late.id in {t.id for t in next(e for e in timeline(graph) if e.id == "big-attack").ties}


def test_a_span_of_dates_keeps_what_happened_in_it():
    graph = timeline_graph()
    in_2020 = timeline(graph, date_from="2020", date_to="2020")
    assert {e.id for e in in_2020} == {"year-event", "alpha--allied_with--beta", "big-attack"}
    assert {e.id for e in timeline(graph, date_from="2020-03", date_to="2020-03")} >= {"year-event", "big-attack"}
    # a tie ending in the span counts, one that ended before it does not
    assert "alpha--hostile_to--gamma" in {e.id for e in timeline(graph, date_from="2019", date_to="2019")}
    assert "alpha--hostile_to--gamma" not in {e.id for e in in_2020}
    later = {e.id for e in timeline(graph, date_from="2021")}
    assert later == {"tie-dated-event"}
    assert {e.id for e in timeline(graph, date_to="2017")} == {"gamma--leads--beta"}


def test_malformed_dates_are_treated_as_undated():
    graph = make_graph(
        [actor("a"), actor("b"), actor("e", kind="event", founded="spring 2020")],
        [tie("a", "allied_with", "b", start="2020s"), tie("a", "carried_out", "e", start="2020-04")],
    )
    entries = timeline(graph)
    assert [(e.id, e.date) for e in entries] == [("e", "2020-04")]


# -- contested -----------------------------------------------------------------------


def _by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_cooperation_beside_hostility_from_different_documents_is_contested_once_per_pair():
    graph = make_graph(
        [actor("alpha"), actor("beta"), actor("gamma")],
        [
            tie("beta", "supports", "alpha"),
            tie("alpha", "cooperates_with", "beta", doc="doc2"),
            tie("beta", "hostile_to", "alpha", doc="doc3"),
            tie("alpha", "hostile_to", "gamma", doc="doc2"),  # hostility alone is no contest
        ],
    )
    (finding,) = contested(graph)
    assert finding.rule == analysis.RULE_COOPERATION_VS_HOSTILITY
    assert (finding.a, finding.b) == ("alpha", "beta")
    assert finding.reason.startswith("cooperation vs hostility")
    assert set(finding.tie_ids) == {"beta--supports--alpha", "alpha--cooperates_with--beta", "beta--hostile_to--alpha"}
    cooperation, hostility = finding.sides
    assert hostility.tie_ids == ["beta--hostile_to--alpha"] and hostility.documents == ["doc3"]
    assert cooperation.documents == ["doc1", "doc2"]
    assert finding.explanation == (
        "Documents doc1 (Document doc1) and doc2 (Document doc2) say Alpha and Beta cooperate; "
        "doc3 (Document doc3) says they are hostile"
    )


def test_one_documents_statements_never_make_a_contest():
    graph = make_graph(
        [actor("alpha"), actor("beta"), actor("group"), actor("one", kind="person"), actor("two", kind="person")],
        [
            tie("alpha", "allied_with", "beta", doc="doc1"),
            tie("alpha", "hostile_to", "beta", doc="doc1"),
            tie("one", "leads", "group", doc="doc2"),
            tie("two", "leads", "group", doc="doc2"),
            tie("alpha", "supports", "group", doc="doc3"),
            tie("alpha", "supports", "group", doc="doc3", n=2, status="alleged"),
            tie("beta", "supports", "group", doc="doc3", status="disputed"),
            tie("beta", "supports", "group", doc="doc3", n=2),
        ],
    )
    assert contested(graph) == []
    # the same statements from two documents are contests, one per rule
    moved = make_graph(
        list(graph.actors.values()),
        [
            tie("alpha", "allied_with", "beta", doc="doc1"),
            tie("alpha", "hostile_to", "beta", doc="doc2"),
            tie("one", "leads", "group", doc="doc2"),
            tie("two", "leads", "group", doc="doc3"),
            tie("alpha", "supports", "group", doc="doc3"),
            tie("alpha", "supports", "group", doc="doc1", n=2, status="alleged"),
            tie("beta", "supports", "group", doc="doc3", status="disputed"),
            tie("beta", "supports", "group", doc="doc1", n=2),
        ],
    )
    assert [f.rule for f in contested(moved)] == list(analysis.RULES)


def test_a_tie_citing_two_documents_contests_a_tie_citing_one_of_them():
    both = tie("alpha", "cooperates_with", "beta")
    both.citations.append(Citation("doc2", "alpha cooperates_with beta per doc2"))
    graph = make_graph([actor("alpha"), actor("beta")], [both, tie("alpha", "hostile_to", "beta", doc="doc2")])
    (finding,) = contested(graph)
    assert finding.sides[0].documents == ["doc1"]  # doc2 is on both sides: it does not contest itself
    assert finding.sides[1].documents == ["doc2"]


@pytest.mark.parametrize(
    ("cooperation", "hostility", "contest"),
    [
        (("2015", "2018"), ("2019", None), False),  # cooperation ended before hostility began
        (("2020", None), (None, "2019"), False),  # hostility ended before cooperation began
        (("2019", "2021"), ("2021", None), False),  # a change within the year
        (("2015", "2020"), ("2019", None), True),
        ((None, None), (None, None), True),  # both undated
        ((None, None), ("2019", "2020"), True),  # an undated tie may be any time
    ],
)
def test_cooperation_and_hostility_contest_only_when_they_overlap(cooperation, hostility, contest):
    graph = make_graph(
        [actor("alpha"), actor("beta")],
        [
            tie("alpha", "cooperates_with", "beta", start=cooperation[0], end=cooperation[1]),
            tie("alpha", "hostile_to", "beta", doc="doc2", start=hostility[0], end=hostility[1]),
        ],
    )
    assert bool(contested(graph)) is contest


def test_a_disputed_hostility_is_no_hostility():
    graph = make_graph(
        [actor("alpha"), actor("beta")],
        [tie("alpha", "cooperates_with", "beta"), tie("alpha", "hostile_to", "beta", doc="doc2", status="disputed")],
    )
    assert contested(graph) == []


def test_only_cooperative_types_count_against_hostility():
    graph = make_graph(
        [actor("alpha"), actor("beta")],
        [
            tie("alpha", "affiliated_with", "beta"),
            tie("alpha", "negotiates_with", "beta"),
            tie("alpha", "hostile_to", "beta", doc="doc2"),
        ],
    )
    assert contested(graph) == []


def leaders_graph(*leads: Tie, extra: tuple[Tie, ...] = (), died: dict[str, str] | None = None) -> Graph:
    died = died or {}
    people = {t.source for t in leads} | {t.source for t in extra} | {t.target for t in extra}
    actors = [actor("group")] + [actor(p, kind="person", died=died.get(p)) for p in sorted(people - {"group"})]
    return make_graph(actors, [*leads, *extra])


def test_two_undated_leaders_of_one_group_are_rivals_named_after_the_group():
    graph = leaders_graph(tie("siraj", "leads", "group"), tie("mali", "leads", "group", doc="doc2"))
    (finding,) = contested(graph)
    assert finding.rule == analysis.RULE_RIVAL_LEADERS
    assert (finding.a, finding.b, finding.group) == ("mali", "siraj", "group")
    assert finding.reason == "rival leaders of Group"
    assert finding.tie_ids == ["mali--leads--group", "siraj--leads--group"]
    assert [s.title for s in finding.sides] == ["Mali leads Group", "Siraj leads Group"]
    assert (
        finding.explanation
        == "Document doc2 (Document doc2) says Mali leads Group; doc1 (Document doc1) says Siraj does"
    )
    assert finding.involves("group") and finding.involves("mali")


@pytest.mark.parametrize(
    ("first", "second", "rivals"),
    [
        ((None, "2015"), ("2016", None), False),  # the earlier leader's end date removes the overlap
        (("2010", "2016-05-21"), ("2016-05", None), False),  # handover within the month
        (("2010", "2018"), ("2016", None), True),
        (("2010", None), ("2016", "2017"), True),
        ((None, None), ("2016", "2017"), True),
        (("2020", None), (None, "2020"), False),  # handover within the year
    ],
)
def test_leads_conflict_only_when_the_spans_overlap(first, second, rivals):
    graph = leaders_graph(
        tie("one", "leads", "group", start=first[0], end=first[1]),
        tie("two", "leads", "group", doc="doc2", start=second[0], end=second[1]),
    )
    assert bool(_by_rule(contested(graph), analysis.RULE_RIVAL_LEADERS)) is rivals


def test_a_dead_leader_is_no_rival_of_a_later_one():
    leads = (tie("old", "leads", "group"), tie("new", "leads", "group", doc="doc2", start="2019"))
    assert contested(leaders_graph(*leads, died={"old": "2018-09"})) == []
    assert contested(leaders_graph(*leads))  # alive, the old leader is a rival


def test_successors_deputies_and_the_same_person_are_not_rivals():
    graph = leaders_graph(
        tie("first", "leads", "group"),
        tie("second", "leads", "group", doc="doc2"),
        tie("third", "leads", "group", doc="doc3"),
        tie("third", "leads", "group", doc="doc2", n=2),
        tie("aide", "leads", "group", doc="doc3", role="deputy leader"),
        extra=(tie("third", "succeeded", "second"), tie("second", "succeeded", "first")),
    )
    assert contested(graph) == []


def test_a_leaders_dated_tie_stands_for_its_undated_mention():
    graph = leaders_graph(
        tie("old", "leads", "group", start="2010", end="2016-05-21"),
        tie("new", "leads", "group", doc="doc2", start="2016-05"),
        tie("new", "leads", "group", doc="doc3", n=2),  # undated mention of the same leadership
    )
    assert contested(graph) == []


def status_graph(*ties: Tie) -> Graph:
    return make_graph([actor("alpha"), actor("beta"), actor("claimant", kind="person")], list(ties))


def test_reported_by_one_document_and_alleged_by_another():
    graph = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("alpha", "supports", "beta", doc="doc2", n=2, status="alleged"),
    )
    (finding,) = contested(graph)
    assert finding.rule == analysis.RULE_REPORTED_VS_ALLEGED
    assert (finding.a, finding.b) == ("alpha", "beta")
    assert finding.reason == "reported vs alleged (supports)"
    assert finding.tie_ids == ["alpha--supports--beta", "alpha--supports--beta--2"]
    assert finding.explanation == (
        "Document doc1 (Document doc1) reports as fact that Alpha supports Beta; doc2 (Document doc2) only alleges it"
    )


def test_stated_by_one_document_and_disputed_by_another():
    graph = status_graph(
        tie("alpha", "hostile_to", "beta", doc="doc1"),
        tie("beta", "hostile_to", "alpha", doc="doc2", status="claimed", claimant="claimant"),
        tie("alpha", "hostile_to", "beta", doc="doc3", n=2, status="disputed"),
    )
    (finding,) = contested(graph)
    assert finding.rule == analysis.RULE_DISPUTED
    stated, disputed = finding.sides
    assert stated.documents == ["doc1", "doc2"] and disputed.documents == ["doc3"]
    assert disputed.tie_ids == ["alpha--hostile_to--beta--2"]
    assert finding.explanation == (
        "Documents doc1 (Document doc1) and doc2 (Document doc2) say Alpha is hostile to Beta; "
        "doc3 (Document doc3) disputes it"
    )


def test_a_report_and_a_claim_agree():
    graph = status_graph(
        tie("alpha", "cooperates_with", "beta", doc="doc1"),
        tie("beta", "cooperates_with", "alpha", doc="doc2", status="claimed", claimant="claimant"),
        tie("alpha", "supports", "beta", doc="doc1", status="alleged"),
        tie("alpha", "supports", "beta", doc="doc2", n=2, status="claimed", claimant="claimant"),
    )
    assert contested(graph) == []


def test_status_contests_are_direction_aware_for_directed_types_only():
    directed = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("beta", "supports", "alpha", doc="doc2", status="alleged"),
    )
    assert contested(directed) == []
    undirected = status_graph(
        tie("alpha", "cooperates_with", "beta", doc="doc1"),
        tie("beta", "cooperates_with", "alpha", doc="doc2", status="alleged"),
    )
    (finding,) = contested(undirected)
    assert finding.reason == "reported vs alleged (cooperates_with)"


def test_one_document_hedging_what_it_also_reports_is_no_contest():
    graph = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("alpha", "supports", "beta", doc="doc1", n=2, status="alleged"),
        tie("alpha", "supports", "beta", doc="doc2", n=3),
    )
    assert contested(graph) == []


def test_findings_filter_by_actor_and_contested_tie_ids():
    graph = make_graph(
        [actor("alpha"), actor("beta"), actor("gamma"), actor("lead-a", kind="person"), actor("lead-b", kind="person")],
        [
            tie("alpha", "allied_with", "beta"),
            tie("alpha", "hostile_to", "beta", doc="doc2"),
            tie("lead-a", "leads", "gamma"),
            tie("lead-b", "leads", "gamma", doc="doc2"),
            tie("alpha", "supports", "gamma"),  # not contested
        ],
    )
    assert len(contested(graph)) == 2
    assert [f.rule for f in contested(graph, "gamma")] == [analysis.RULE_RIVAL_LEADERS]
    assert [f.rule for f in contested(graph, "beta")] == [analysis.RULE_COOPERATION_VS_HOSTILITY]
    assert contested_tie_ids(graph) == {
        "alpha--allied_with--beta",
        "alpha--hostile_to--beta",
        "lead-a--leads--gamma",
        "lead-b--leads--gamma",
    }


def test_explanations_name_a_few_documents_and_count_the_rest():
    sources = {f"{n:03}_x": Source(id=f"{n:03}_x", title=f"Title number {n} " + "long " * 10) for n in range(5)}
    ties = [tie("alpha", "hostile_to", "beta", doc=doc, n=i + 1) for i, doc in enumerate(sorted(sources)[1:])]
    ties.append(tie("alpha", "allied_with", "beta", doc="000_x"))
    data = StoreData(
        actors={a.id: a for a in (actor("alpha"), actor("beta"))}, ties={t.id: t for t in ties}, sources=sources
    )
    (finding,) = contested(Graph(data))
    assert finding.explanation == (
        "Document 000 (Title number 0 long long long long long…) says Alpha and Beta cooperate; "
        "001 (Title number 1 long long long long long…), 002 (Title number 2 long long long long long…), "
        "003 (Title number 3 long long long long long…) and 1 more say they are hostile"
    )


# -- corroboration -------------------------------------------------------------------


def test_documents_saying_the_same_thing_corroborate_it():
    graph = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("alpha", "supports", "beta", doc="doc2", n=2),
        tie("alpha", "supports", "beta", doc="doc3", n=3, status="claimed", claimant="claimant"),
        tie("beta", "supports", "alpha", doc="doc3"),  # the other way round: another claim
    )
    first = graph.ties["alpha--supports--beta"]
    assert analysis.corroboration(graph, first) == ["doc1", "doc2", "doc3"]
    assert analysis.corroboration(graph, graph.ties["beta--supports--alpha"]) == ["doc3"]
    assert contested(graph) == []


def test_contesting_statuses_do_not_corroborate():
    graph = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("alpha", "supports", "beta", doc="doc2", n=2, status="alleged"),
        tie("alpha", "supports", "beta", doc="doc3", n=3, status="disputed"),
    )
    for tie_id, agreeing in [
        ("alpha--supports--beta", ["doc1"]),
        ("alpha--supports--beta--2", ["doc2"]),
        ("alpha--supports--beta--3", ["doc3"]),
    ]:
        assert analysis.corroboration(graph, graph.ties[tie_id]) == agreeing


def test_corroboration_follows_the_store_after_a_reindex():
    graph = status_graph(tie("alpha", "supports", "beta", doc="doc1"))
    first = graph.ties["alpha--supports--beta"]
    assert analysis.corroboration(graph, first) == ["doc1"]
    second = tie("alpha", "supports", "beta", doc="doc2", n=2)
    graph.ties[second.id] = second
    graph.reindex()  # what every edit does
    assert analysis.corroboration(graph, first) == ["doc1", "doc2"]


# -- CLI -----------------------------------------------------------------------------


@pytest.fixture
def small_store(tmp_path):
    graph = make_graph(
        [
            actor("alpha"),
            actor("beta"),
            Actor(id="tricky", name="[bold]Tricky[31m", kind="group"),
            actor("strike", kind="event", founded="2020-05"),
        ],
        [
            tie("alpha", "carried_out", "strike", start="2020-05"),
            tie("alpha", "allied_with", "beta", start="2019"),
            tie("alpha", "hostile_to", "beta", doc="doc2", start="2021", end="2022"),
            tie("tricky", "allied_with", "alpha", start="2020"),
        ],
    )
    path = tmp_path / "store.json"
    save_store(graph.data, path, check_conflict=False)
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_timeline_json(small_store, capsys):
    code, out, _ = run_cli(capsys, "timeline", "--db", str(small_store), "--json")
    assert code == 0
    entries = json.loads(out)
    assert [e["date"] for e in entries] == ["2019", "2020", "2020-05", "2021"]
    strike = entries[2]
    assert set(strike) >= {"date", "kind", "id", "title", "actors", "citations", "ties"}
    assert strike["kind"] == "event" and strike["id"] == "strike"
    assert {"id": "alpha", "name": "Alpha", "kind": "group"} in strike["actors"]
    assert strike["citations"] == [{"source": "doc1", "quote": "about Strike"}]
    assert [t["id"] for t in strike["ties"]] == ["alpha--carried_out--strike"]
    assert all(e["ties"] == [] for e in entries if e["kind"] == "tie")


def test_cli_timeline_from_to_is_what_happened_then(small_store, capsys):
    code, out, _ = run_cli(capsys, "timeline", "--from", "2020", "--to", "2020", "--db", str(small_store), "--json")
    assert code == 0
    assert [e["id"] for e in json.loads(out)] == ["tricky--allied_with--alpha", "strike"]
    code, out, _ = run_cli(capsys, "timeline", "alpha", "--from", "2020-05", "--to", "2020", "--db", str(small_store))
    assert code == 0
    assert "Timeline of Alpha from 2020-05 to 2020: 2 entries" in out  # '2020' overlaps 2020-05
    assert "Strike" in out and "↳ carried out by Alpha" in out
    assert out.count("carried out") == 1, "the event once, its tie under it"
    code, _, err = run_cli(capsys, "timeline", "--from", "2021", "--to", "2020", "--db", str(small_store))
    assert code == 2 and "--from 2021 is after --to 2020" in err
    code, _, err = run_cli(capsys, "timeline", "--from", "May 2020", "--db", str(small_store))
    assert code == 2 and "--from" in err and "not a date" in err


def test_cli_timeline_for_a_name_as_of_a_date(small_store, capsys):
    code, out, _ = run_cli(capsys, "timeline", "Beta", "--as-of", "2020-01", "--db", str(small_store), "--json")
    assert code == 0
    assert [e["id"] for e in json.loads(out)] == ["alpha--allied_with--beta"]


def test_cli_timeline_plain_table(small_store, capsys):
    code, out, _ = run_cli(capsys, "timeline", "--db", str(small_store))
    assert code == 0
    assert "date" in out and "what" in out and "document" in out
    assert "Strike" in out and "↳ carried out by Alpha" in out
    assert "[bold]Tricky" in out  # store text printed literally...
    assert "\x1b" not in out  # ...and never styled by it


def test_cli_timeline_rejects_bad_dates_and_unknown_names(small_store, capsys):
    code, _, err = run_cli(capsys, "timeline", "--as-of", "2020-13", "--db", str(small_store))
    assert code == 2 and "not a date" in err
    code, _, err = run_cli(capsys, "timeline", "nobody-at-all", "--db", str(small_store))
    assert code == 1 and "no actor matches" in err


def test_cli_contested_json(small_store, capsys):
    code, out, _ = run_cli(capsys, "contested", "--db", str(small_store), "--json")
    assert code == 0
    (finding,) = json.loads(out)
    assert finding["a"] == {"id": "alpha", "name": "Alpha"}
    assert finding["b"] == {"id": "beta", "name": "Beta"}
    assert finding["reason"].startswith("cooperation vs hostility")
    assert (
        finding["explanation"]
        == "Document doc1 (Document doc1) says Alpha and Beta cooperate; doc2 (Document doc2) says they are hostile"
    )
    assert [s["documents"] for s in finding["sides"]] == [["doc1"], ["doc2"]]
    assert [s["ties"] for s in finding["sides"]] == [["alpha--allied_with--beta"], ["alpha--hostile_to--beta"]]
    assert [t["id"] for t in finding["ties"]] == ["alpha--allied_with--beta", "alpha--hostile_to--beta"]
    assert finding["ties"][0]["source"]["kind"] == "group"  # serialize.tie_json shape
    assert finding["ties"][1]["citations"][0]["source"] == "doc2"


def test_cli_ties_json_names_the_agreeing_documents(tmp_path, capsys):
    graph = status_graph(
        tie("alpha", "supports", "beta", doc="doc1"),
        tie("alpha", "supports", "beta", doc="doc2", n=2, status="claimed", claimant="claimant"),
        tie("alpha", "supports", "beta", doc="doc3", n=3, status="alleged"),
    )
    path = tmp_path / "store.json"
    save_store(graph.data, path, check_conflict=False)
    code, out, _ = run_cli(capsys, "ties", "alpha", "--type", "supports", "--db", str(path), "--json")
    assert code == 0
    agreeing = {t["id"]: t["agreeing_documents"] for t in json.loads(out)}
    assert agreeing == {
        "alpha--supports--beta": ["doc1", "doc2"],
        "alpha--supports--beta--2": ["doc1", "doc2", "doc3"],
        "alpha--supports--beta--3": ["doc2", "doc3"],
    }


def test_cli_contested_filtered_and_plain(small_store, capsys):
    code, out, _ = run_cli(capsys, "contested", "tricky", "--db", str(small_store), "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run_cli(capsys, "contested", "--db", str(small_store))
    assert code == 0
    assert "Alpha (alpha) ↔ Beta (beta): cooperation vs hostility" in out
    assert (
        "  Document doc1 (Document doc1) says Alpha and Beta cooperate; doc2 (Document doc2) says they are hostile\n"
        in out
    )
    assert "“alpha hostile_to beta per doc2” (doc2)" in out
    assert "“alpha allied_with beta per doc1” (doc1)" in out


def test_cli_rich_output_on_a_terminal(small_store, capsys, monkeypatch):
    class FakeTerminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["timeline", "--db", str(small_store)]) == 0
    assert main(["contested", "--db", str(small_store)]) == 0
    text = screen.getvalue()
    assert "carried out by Alpha" in text
    assert "cooperation vs hostility" in text
    assert "[bold]Tricky" in text and "\x1b[31m" not in text


def test_cli_through_the_module_entry_point(small_store):
    result = subprocess.run(
        [sys.executable, "-m", "khorasan_tui", "contested", "--db", str(small_store), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["a"]["id"] == "alpha"


# -- the bundled store ---------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Graph:
    return Graph(load_store(default_store_path()))


def _pairs(findings, rule):
    return {frozenset((f.a, f.b)) for f in findings if f.rule == rule}


def test_bundled_iskp_and_taliban_cooperate_and_fight(bundled):
    pairs = _pairs(contested(bundled, "iskp"), analysis.RULE_COOPERATION_VS_HOSTILITY)
    assert frozenset(("iskp", "taliban")) in pairs
    (finding,) = [
        f
        for f in contested(bundled, "taliban")
        if f.rule == analysis.RULE_COOPERATION_VS_HOSTILITY and {f.a, f.b} == {"iskp", "taliban"}
    ]
    cooperation, hostility = finding.sides
    assert cooperation.documents and hostility.documents
    assert cooperation.documents != hostility.documents
    assert "cooperate" in finding.explanation and "hostile" in finding.explanation


def test_bundled_iskp_and_haqqani_network_are_contested(bundled):
    # The bundled documents disagree on how sure ISKP's ties to the Haqqani Network
    # are (no hostile_to tie between them yet, so by another rule than the one above;
    # that rule itself is tested on hand-made graphs).
    pair = frozenset(("iskp", "haqqani-network"))
    findings = [f for f in contested(bundled) if frozenset((f.a, f.b)) == pair]
    assert findings
    between = {t.id for t in bundled.ties_between("iskp", "haqqani-network")}
    for finding in findings:
        assert len(finding.tie_ids) >= 2 and set(finding.tie_ids) <= between, finding
    # the actor filter finds the pair from either side
    for actor_id in pair:
        assert any(frozenset((f.a, f.b)) == pair for f in contested(bundled, actor_id)), actor_id


def test_bundled_rival_heads_of_the_haqqani_network(bundled):
    rivals = [
        f
        for f in contested(bundled, "haqqani-network")
        if f.rule == analysis.RULE_RIVAL_LEADERS and f.group == "haqqani-network"
    ]
    (finding,) = [f for f in rivals if {f.a, f.b} == {"sirajuddin-haqqani", "haji-mali-khan"}]
    assert all(f.reason == "rival leaders of Haqqani Network" for f in rivals)
    # each leader comes from a document of its own, and the explanation says which
    assert not set(finding.sides[0].documents) & set(finding.sides[1].documents)
    assert "Sirajuddin Haqqani" in finding.explanation and "Haji Mali Khan" in finding.explanation


def test_bundled_contested_ties_exist_and_timeline_is_ordered(bundled):
    ids = contested_tie_ids(bundled)
    assert ids and ids <= set(bundled.ties)
    entries = timeline(bundled)
    assert entries
    keys = [analysis.timeline_sort_key(e) for e in entries]
    assert keys == sorted(keys)
    assert any(e.kind == "event" for e in entries) and any(e.kind == "tie" for e in entries)


def test_visible_sides_keep_only_ties_active_on_the_date():
    from khorasan_tui.analysis import visible_sides
    from khorasan_tui.graph import active_at

    graph = Graph(load_store(default_store_path()))
    findings = contested(graph)
    assert findings
    for finding in findings:
        assert visible_sides(graph, finding, None) == finding.sides
        for as_of in ("2001", "2015-06", "2021-08-26"):
            sides = visible_sides(graph, finding, as_of)
            if sides is None:
                continue
            for side, whole in zip(sides, finding.sides):
                assert side.tie_ids and set(side.tie_ids) <= set(whole.tie_ids)
                assert all(active_at(graph.ties[t].start, graph.ties[t].end, as_of) for t in side.tie_ids)
                assert set(side.documents) <= set(whole.documents)


def test_an_undated_leadership_holds_from_its_document_not_before():
    from khorasan_tui.analysis import contested as find_contested
    from khorasan_tui.model import Actor, Citation, Source, Tie
    from khorasan_tui.storedata import StoreData

    data = StoreData()
    data.sources["old"] = Source("old", "Old", published="2010")
    data.sources["new"] = Source("new", "New", published="2021-08")
    data.sources["also"] = Source("also", "Also new", published="2021-09")
    for actor_id, kind in (("group", "group"), ("founder", "person"), ("son", "person"), ("uncle", "person")):
        data.actors[actor_id] = Actor(actor_id, actor_id.title(), kind)
    data.ties["founder--leads--group"] = Tie(
        "founder--leads--group", "leads", "founder", "group", end="2018", citations=[Citation("old", "q")]
    )
    data.ties["son--leads--group"] = Tie("son--leads--group", "leads", "son", "group", citations=[Citation("new", "q")])
    data.ties["uncle--leads--group"] = Tie(
        "uncle--leads--group", "leads", "uncle", "group", citations=[Citation("also", "q")]
    )
    pairs = {frozenset((f.a, f.b)) for f in find_contested(Graph(data)) if f.rule == "rival_leaders"}
    assert frozenset(("founder", "son")) not in pairs, "a 2021 article's head succeeds a leadership ended in 2018"
    assert frozenset(("son", "uncle")) in pairs, "two heads named by 2021 articles are rivals"


def test_the_haqqani_founder_is_no_rival_of_the_heads_named_after_his_death():
    from khorasan_tui.analysis import contested as find_contested

    graph = Graph(load_store(default_store_path()))
    pairs = {frozenset((f.a, f.b)) for f in find_contested(graph) if f.rule == "rival_leaders"}
    assert frozenset(("haji-mali-khan", "sirajuddin-haqqani")) in pairs
    assert frozenset(("jalaluddin-haqqani", "sirajuddin-haqqani")) not in pairs
    assert frozenset(("jalaluddin-haqqani", "haji-mali-khan")) not in pairs
