"""The rulebook: every entry point refuses the same bad record with the same words,
and every rule in `rules` is exercised by a test that fails without it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from khorasan_tui import rules
from khorasan_tui.cli import main
from khorasan_tui.documents import document_path_problems
from khorasan_tui.edit import EditError, Editor
from khorasan_tui.model import TIE_TYPES, Actor, Citation, Source, Tie
from khorasan_tui.store import StoreError, load_store
from khorasan_tui.storedata import StoreData

from .store_writer import DOC_ID, QUOTES, make_store

LONG = "A" * 301
QUOTE = QUOTES[3]  # "The Taliban fight ISKP in Nangarhar and Kunar."
KINDS = {"iskp": "group", "taliban": "group", "shahab-al-muhajir": "person", "kabul": "place"}

# Files from other tools carry stray zero-width and control characters: the CSV
# importer removes them and reports each removal by line (tests/test_hostile_csv.py),
# so a stored name never holds one; it has nothing left to refuse.
CSV_CLEANS = "the CSV importer cleans invisible and control characters, reporting each by line"


def tie_message(tie_fields: dict[str, Any], field_name: str) -> str:
    """The rulebook's message for one field of a tie built from `tie_fields`."""
    tie = Tie.from_dict({"citations": [{"source": DOC_ID, "quote": QUOTE}], **tie_fields})
    found = [p.message for p in rules.tie_problems(tie, KINDS) if p.field == field_name and p.severity == rules.ERROR]
    assert len(found) == 1, found
    return found[0]


def tie_record(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "bad-tie",
        "type": "hostile_to",
        "source": "taliban",
        "target": "iskp",
        "status": "reported",
        "citations": [{"source": DOC_ID, "quote": QUOTE}],
    }
    return {**base, **fields}


def tie_argv(a: str, tie_type: str, b: str, *extra: str) -> list[str]:
    return ["add-tie", a, tie_type, b, "--source", DOC_ID, "--quote", QUOTE, *extra]


CSV_HEADER = "source,target,type,status,start,end,quote\n"


def csv_row(
    source: str, target: str, tie_type: str = "hostile_to", status: str = "", start: str = "", end: str = ""
) -> str:
    return CSV_HEADER + f"{source},{target},{tie_type},{status},{start},{end},{QUOTE}\n"


@dataclass
class Bad:
    """One bad record and how each entry point is asked to take it.

    A cell holding a `Skip` says why that entry point cannot express the record.
    """

    label: str
    message: str  # the rulebook's own words
    table: str  # where the record goes in a store file
    record: dict[str, Any] | None  # None: `raw_store` builds the file itself
    cli: list[list[str]] | Skip
    csv: str | Skip
    editor: Callable[[Editor], Any]
    raw_store: Callable[[dict], None] | None = None
    validate_exit: int = 1


@dataclass
class Skip:
    why: str


def _duplicate_actor(doc: dict) -> None:
    actors = doc["actors"]
    clash = dict(next(iter(actors.values())))
    clash["name"] = "Another name entirely"
    clash["aliases"] = []
    actors[str(max(int(k) for k in actors) + 1)] = clash


MATRIX = [
    Bad(
        "over-long name",
        rules.check_name(LONG),
        "actors",
        {"id": "long-name", "name": LONG, "kind": "group"},
        [["add-actor", LONG, "--kind", "group"], ["add-alias", "iskp", LONG]],
        csv_row(LONG, "ISKP"),
        lambda ed: ed.add_actor(LONG, "group"),
    ),
    Bad(
        "zero-width space in a name",
        rules.check_name("Nangarhar\u200bShura"),
        "actors",
        {"id": "nangarhar-shura", "name": "Nangarhar\u200bShura", "kind": "group"},
        [["add-actor", "Nangarhar\u200bShura", "--kind", "group"], ["add-alias", "iskp", "Nangarhar\u200bShura"]],
        Skip(CSV_CLEANS),
        lambda ed: ed.add_actor("Nangarhar\u200bShura", "group"),
    ),
    Bad(
        "bidi override in a name",
        rules.check_name("Nangarhar\u202eShura"),
        "actors",
        {"id": "nangarhar-shura", "name": "Nangarhar\u202eShura", "kind": "group"},
        [["add-actor", "Nangarhar\u202eShura", "--kind", "group"], ["add-alias", "iskp", "Nangarhar\u202eShura"]],
        Skip(CSV_CLEANS),
        lambda ed: ed.add_alias("iskp", "Nangarhar\u202eShura"),
    ),
    Bad(
        "start after end",
        rules.check_date_order("2020", "2019"),
        "ties",
        tie_record(start="2020", end="2019"),
        [tie_argv("taliban", "hostile_to", "iskp", "--start", "2020", "--end", "2019")],
        csv_row("Taliban", "ISKP", start="2020", end="2019"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID, start="2020", end="2019"),
    ),
    Bad(
        "claimed without claimant",
        tie_message(
            {"id": "t", "type": "hostile_to", "source": "taliban", "target": "iskp", "status": "claimed"}, "claimant"
        ),
        "ties",
        tie_record(status="claimed"),
        [tie_argv("taliban", "hostile_to", "iskp", "--status", "claimed")],
        csv_row("Taliban", "ISKP", status="claimed"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID, status="claimed"),
    ),
    Bad(
        "unknown tie type",
        rules.check_tie_type("befriends"),
        "ties",
        tie_record(type="befriends"),
        Skip("argparse's choices refuse an unknown type (exit 2, its own wording) before the rulebook is asked"),
        csv_row("Taliban", "ISKP", tie_type="befriends"),
        lambda ed: ed.add_tie("taliban", "befriends", "iskp", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "dangling end",
        tie_message({"id": "t", "type": "hostile_to", "source": "taliban", "target": "ghost"}, "target"),
        "ties",
        tie_record(target="ghost"),
        Skip("the CLI resolves names to actors: a missing one is 'not found' before any tie exists"),
        Skip("the importer creates an actor for every new name, so no tie can point to a missing one"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "ghost", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "self-tie",
        tie_message({"id": "t", "type": "hostile_to", "source": "iskp", "target": "iskp"}, "target"),
        "ties",
        tie_record(source="iskp", target="iskp"),
        [tie_argv("iskp", "hostile_to", "IS-K")],
        csv_row("ISKP", "Islamic State-Khorasan"),
        lambda ed: ed.add_tie("iskp", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "duplicate id",
        rules.duplicate_id("actors", "iskp"),
        "actors",
        None,
        [["add-actor", "Another name entirely", "--kind", "group", "--id", "iskp"]],
        Skip("the importer makes every new id itself, always a free one"),
        lambda ed: ed.add_actor("Another name entirely", "group", actor_id="iskp"),
        raw_store=_duplicate_actor,
        # A store with two records under one id cannot even be read into memory:
        # validate says so as it does for any unusable store (exit 2).
        validate_exit=2,
    ),
    Bad(
        "type that does not fit its ends",
        rules.check_ends("negotiates_with", "group", "place"),
        "ties",
        tie_record(type="negotiates_with", target="kabul"),
        [tie_argv("taliban", "negotiates_with", "kabul")],
        csv_row("Taliban", "Kabul", tie_type="negotiates_with"),
        lambda ed: ed.add_tie("taliban", "negotiates_with", "kabul", quote=QUOTE, source_id=DOC_ID),
    ),
]

ENTRY_POINTS = ["load", "validate", "cli", "csv", "editor"]


def _inject(path: Path, bad: Bad) -> None:
    doc = orjson.loads(path.read_bytes())
    if bad.raw_store is not None:
        bad.raw_store(doc)
    else:
        table = doc[bad.table]
        table[str(max(int(k) for k in table) + 1)] = bad.record
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("bad", MATRIX, ids=[b.label for b in MATRIX])
def test_every_entry_point_refuses_a_bad_record_with_the_rulebooks_words(bad: Bad, entry: str, tmp_path, capsys):
    assert bad.message, "the rulebook must have something to say about this record"
    path = make_store(tmp_path)
    if entry in ("load", "validate"):
        _inject(path, bad)
    before = path.read_bytes()

    if entry == "load":
        with pytest.raises(StoreError) as refused:
            load_store(path)
        assert bad.message in refused.value.problem
    elif entry == "validate":
        code = main(["validate", "--db", str(path)])
        out, err = capsys.readouterr()
        assert code == bad.validate_exit
        assert bad.message in out + err
    elif entry == "cli":
        if isinstance(bad.cli, Skip):
            pytest.skip(bad.cli.why)
        for argv in bad.cli:
            code = main([*argv, "--db", str(path)])
            out, err = capsys.readouterr()
            assert code in (1, 2), (argv, out, err)
            assert bad.message in err, (argv, err)
            assert path.read_bytes() == before
    elif entry == "csv":
        if isinstance(bad.csv, Skip):
            pytest.skip(bad.csv.why)
        csv_file = tmp_path / "rows.csv"
        csv_file.write_text(bad.csv, encoding="utf-8")
        code = main(["import", "csv", str(csv_file), "--db", str(path), "--source-title", "Rows", "--json"])
        out, err = capsys.readouterr()
        if code == 0:  # the row was rejected: nothing imported, the reason is the rulebook's
            report = orjson.loads(out)
            assert report["imported_ties"] == 0
            assert any(bad.message in r["reason"] for r in report["rejected"]), report["rejected"]
        else:  # the import was refused as a whole
            assert code == 2, err
            assert bad.message in err
        assert path.read_bytes() == before
    else:
        editor = Editor.open(path)
        with pytest.raises(EditError) as refused:
            bad.editor(editor)
        assert bad.message in str(refused.value)
    assert path.read_bytes() == before, "a refused record must leave the store as it was"


# -- one test per rule: each fails if its rule is taken out -------------------------------------


def _errors(problems: list[rules.Problem], field_name: str) -> list[str]:
    return [p.message for p in problems if p.field == field_name and p.severity == rules.ERROR]


@pytest.mark.parametrize(
    ("check", "bad", "good"),
    [
        (lambda v: rules.check_text(v), "x" * (rules.MAX_NAME + 1), "x" * rules.MAX_NAME),
        (lambda v: rules.check_text(v), 42, "text"),
        (lambda v: rules.check_text(v, required=True), "   ", "a"),
        (lambda v: rules.check_text(v), "bell\x07", "plain"),
        (lambda v: rules.check_text(v), "two\nlines", "one line"),
        (lambda v: rules.check_text(v, multiline=True), "esc\x1b[31m", "two\nlines\tand a tab"),
        (rules.check_name, "\u200b", "ISKP"),
        (rules.check_name, "--", "IS-K"),
        (rules.check_name, "ISK\u200dP", "ISKP"),
        (rules.check_name, "\ufeffISKP", "ISKP"),
        (rules.check_name, "ISKP\u00ad", "ISKP"),
        (rules.check_kind, "militia", "group"),
        (rules.check_tie_type, "befriends", "leads"),
        (rules.check_status, "rumoured", "alleged"),
        (rules.check_date, "2020-13", "2020-12"),
        (rules.check_date, "March 2020", "2020-03-25"),
        (rules.check_date, 2020, None),
        (lambda v: rules.check_date_order(*v), ("2021-03", "2021-02"), ("2021-02", "2021-03")),
        (lambda v: rules.check_date_order(*v), ("2021-03-02", "2021-03-01"), ("2021", "2021-03")),
        (rules.check_actor_id, "ISKP", "iskp"),
        (rules.check_actor_id, "-iskp", "iskp-2"),
        (rules.check_actor_id, "a" * (rules.MAX_ACTOR_ID + 1), "a" * rules.MAX_ACTOR_ID),
        (lambda v: rules.check_record_id(v, rules.MAX_TIE_ID), "a/b", "a--leads--b"),
        (lambda v: rules.check_record_id(v, 10), "a" * 11, "a" * 10),
        (rules.check_quote, "  ", "a quote"),
        (rules.check_quote, "q" * (rules.MAX_QUOTE + 1), "q\nq"),
        (rules.check_quote, "zero\u200bwidth", "plain"),
        (rules.check_grade, "G", "b"),
        (rules.check_credibility, 7, 6),
        (rules.check_credibility, True, 1),
        (rules.check_document_path, "/etc/passwd", "sources/a.txt"),
        (rules.check_document_path, "C:/x.txt", "sources/C.txt"),
        (rules.check_document_path, "~/x.txt", "sources/~x.txt"),
        (rules.check_document_path, "sources/../../x.txt", "sources/..x.txt"),
        (rules.check_document_path, "..\\x.txt", "x.txt"),
        (rules.check_document_path, "p" * (rules.MAX_PATH + 1), None),
        (lambda v: rules.check_distinct_ends(*v), ("iskp", "iskp"), ("iskp", "taliban")),
        (lambda v: rules.check_actor_exists(v, KINDS), "ghost", "iskp"),
    ],
)
def test_field_rule_refuses_the_bad_value_and_passes_the_good(check, bad, good):
    assert check(bad), f"{bad!r} must be refused"
    assert check(good) is None, f"{good!r} must pass"


def test_invisible_characters_are_named_by_code():
    assert rules.check_name("ISK\u200bP\u202e") == "contains control or invisible characters (U+200B, U+202E)"
    assert rules.forbidden_characters("a\tb", multiline=True) == []
    assert rules.forbidden_characters("a\tb") == ["U+0009"]


def _actor(**fields: Any) -> Actor:
    return Actor(**{"id": "iskp", "name": "Islamic State-Khorasan", "kind": "group", **fields})


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"name": LONG}, "name"),
        ({"name": "Nangarhar\u202eShura"}, "name"),
        ({"kind": "militia"}, "kind"),
        ({"aliases": ["ok", "IS\u200bK"]}, "aliases"),
        ({"aliases": ["ok", "x" * 301]}, "aliases"),
        ({"aliases": [f"alias {n}" for n in range(rules.MAX_ALIASES + 1)]}, "aliases"),
        ({"summary": "s" * (rules.MAX_SUMMARY + 1)}, "summary"),
        ({"born": "yesterday"}, "born"),
        ({"founded": "2015-00"}, "founded"),
        ({"died": "soon"}, "died"),
        ({"ended": "2020-02-30x"}, "ended"),
        ({"founded": "2016", "ended": "2015"}, "ended"),
        ({"born": "1980", "died": "1979"}, "died"),
        ({"possible_duplicate_of": "iskp"}, "possible_duplicate_of"),
        ({"citations": [Citation("nowhere", "a quote")]}, "citation 1"),
        ({"citations": [Citation(DOC_ID, "")]}, "citation 1"),
        ({"citations": [Citation(DOC_ID, "a quote", credibility=9)]}, "citation 1"),
        ({"citations": [Citation(DOC_ID, "q")] * (rules.MAX_CITATIONS + 1)}, "citations"),
    ],
)
def test_actor_rule(fields, field_name):
    sources = {DOC_ID: object()}
    assert _errors(rules.actor_problems(_actor(**fields), sources), field_name)
    assert rules.actor_problems(_actor(), sources) == []


def _tie(**fields: Any) -> Tie:
    base = {
        "id": "taliban--hostile_to--iskp",
        "type": "hostile_to",
        "source": "taliban",
        "target": "iskp",
        "citations": [Citation(DOC_ID, QUOTE)],
    }
    return Tie(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"id": "a tie"}, "id"),
        ({"type": "befriends"}, "type"),
        ({"status": "rumoured"}, "status"),
        ({"target": "taliban"}, "target"),
        ({"source": "ghost"}, "source"),
        ({"target": "ghost"}, "target"),
        ({"type": "leads", "source": "kabul"}, "type"),
        ({"status": "claimed", "claimant": "ghost"}, "claimant"),
        ({"status": "claimed"}, "claimant"),
        ({"role": "r" * (rules.MAX_ROLE + 1)}, "role"),
        ({"role": "chief\x1b"}, "role"),
        ({"start": "2020-1"}, "start"),
        ({"end": "20201"}, "end"),
        ({"start": "2021", "end": "2020-12"}, "end"),
        ({"summary": "s" * (rules.MAX_SUMMARY + 1)}, "summary"),
        ({"note": "n\u202e"}, "note"),
        ({"citations": []}, "citations"),
        ({"citations": [Citation("nowhere", QUOTE)]}, "citation 1"),
        ({"citations": [Citation(DOC_ID, " ")]}, "citation 1"),
        ({"citations": [Citation(DOC_ID, QUOTE, credibility=0)]}, "citation 1"),
    ],
)
def test_tie_rule(fields, field_name):
    sources = {DOC_ID: object()}
    assert _errors(rules.tie_problems(_tie(**fields), KINDS, sources), field_name)
    assert rules.tie_problems(_tie(), KINDS, sources) == []


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"id": "../x"}, "id"),
        ({"title": ""}, "title"),
        ({"title": "t" * (rules.MAX_TITLE + 1)}, "title"),
        ({"publisher": "p\u200b"}, "publisher"),
        ({"published": "recently"}, "published"),
        ({"retrieved": "2020-99"}, "retrieved"),
        ({"published_note": "n\x1b"}, "published_note"),
        ({"path": "/etc/passwd"}, "path"),
        ({"url": "u" * (rules.MAX_URL + 1)}, "url"),
        ({"language": "l" * 41}, "language"),
        ({"grade": "Z"}, "grade"),
    ],
)
def test_source_rule(fields, field_name):
    source = Source(**{"id": DOC_ID, "title": "A report", "path": "sources/a.txt", **fields})
    assert _errors(rules.source_problems(source), field_name)
    assert rules.source_problems(Source(DOC_ID, "A report", path="sources/a.txt")) == []


def _store(*actors: Actor, ties: tuple[Tie, ...] = ()) -> list[rules.Problem]:
    sources = {DOC_ID: Source(DOC_ID, "A report", path="sources/a.txt")}
    return rules.errors(rules.store_problems({a.id: a for a in actors}, {t.id: t for t in ties}, sources))


@pytest.mark.parametrize(
    "other_name",
    [
        "islamic state-khorasan",
        "Islamic State Khorasan",
        "Islámic  State-Khorasan",
        "Islamic State\u200b-Khorasan",
        "ISLAMIC STATE KHORASAN",
    ],
)
def test_store_rule_names_that_fold_together_collide(other_name):
    first = _actor()
    second = Actor("second", "Second Group", "group", aliases=[other_name])
    problems = [p for p in _store(first, second) if p.where == "names"]
    assert len(problems) == 1
    assert problems[0].message == "'islamicstatekhorasan' names several actors: iskp, second"
    assert _store(first, Actor("second", "Second Group", "group")) == []


def test_store_rule_merged_ids_collide_with_an_id_or_another_merged_id():
    keep = _actor(merged_ids=["taliban"])
    assert _errors(_store(keep, Actor("taliban", "Taliban", "group")), "merged_ids") == [
        "'taliban' is also taliban's id"
    ]
    twice = Actor("other", "Other", "group", merged_ids=["old-iskp"])
    assert _errors(_store(_actor(merged_ids=["old-iskp"]), twice), "merged_ids") == ["'old-iskp' is also iskp's id"]
    assert _store(_actor(merged_ids=["old-iskp"]), Actor("other", "Other", "group", merged_ids=["older"])) == []


def test_store_rule_possible_duplicate_of_must_exist():
    assert _errors(_store(_actor(possible_duplicate_of="ghost")), "possible_duplicate_of") == [
        "names missing actor 'ghost'"
    ]


def test_store_rule_checks_every_tie_against_the_actors():
    tie = _tie(target="ghost")
    assert _errors(_store(_actor(), Actor("taliban", "Taliban", "group"), ties=(tie,)), "target") == [
        "points to missing actor 'ghost'"
    ]


def test_change_rules_refuse_names_taken_and_references_to_removed_actors():
    actors = {"iskp": _actor(), "taliban": Actor("taliban", "Taliban", "group", aliases=["I SKP"])}
    owners = {"iskp": ["iskp"], "islamicstatekhorasan": ["iskp"]}
    problems = rules.change_problems(actors, {}, {}, actor_ids=["taliban"], name_owners=owners)
    assert [(p.field, p.message) for p in problems] == [("aliases", "'I SKP' already names iskp")]
    ties = {"t": _tie()}
    gone = rules.change_problems({"iskp": _actor()}, ties, {DOC_ID: object()}, actor_ids=["taliban"])
    assert [p.message for p in gone] == ["refers to a deleted actor"]
    marked = {"iskp": _actor(possible_duplicate_of="taliban")}
    assert [p.message for p in rules.change_problems(marked, {}, {}, actor_ids=["taliban"])] == [
        "names a deleted actor"
    ]


def test_document_path_rule_resolves_symlinks(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "outside.txt", tmp_path / "store" / "inside.txt")
    data = StoreData(path=tmp_path / "store" / "khorasan.json")
    data.sources["doc"] = Source("doc", "A report", path="inside.txt")
    assert [p.message for p in document_path_problems(data)] == ["'inside.txt' leads outside the store's folder"]
    (tmp_path / "store" / "real.txt").write_text("fine", encoding="utf-8")
    data.sources["doc"] = Source("doc", "A report", path="real.txt")
    assert document_path_problems(data) == []


# Which ends each tie type accepts: (source kind, target kind) pairs that fit and that do not.
ACTOR, PERSON, EVENT, PLACE, STATE = "group", "person", "event", "place", "state"
ENDS: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    "carried_out": ([(ACTOR, EVENT), (STATE, EVENT)], [(EVENT, EVENT), (ACTOR, ACTOR), (PLACE, EVENT)]),
    "targeted": ([(EVENT, ACTOR), (EVENT, PLACE)], [(ACTOR, ACTOR), (PLACE, EVENT)]),
    "located_in": ([(EVENT, PLACE), (ACTOR, STATE), (PLACE, PLACE)], [(ACTOR, ACTOR), (ACTOR, EVENT)]),
    "operates_in": ([(ACTOR, PLACE), (ACTOR, STATE)], [(EVENT, PLACE), (ACTOR, ACTOR), (PLACE, PLACE)]),
    "recruits_from": ([(ACTOR, ACTOR), (ACTOR, PLACE)], [(ACTOR, EVENT), (EVENT, ACTOR), (PLACE, ACTOR)]),
    "succeeded": ([(EVENT, EVENT), (PERSON, PERSON)], [(EVENT, PERSON), (PERSON, EVENT), (PLACE, PLACE)]),
}
ACTOR_TO_ACTOR = ([(ACTOR, PERSON), (STATE, ACTOR)], [(ACTOR, EVENT), (EVENT, ACTOR), (ACTOR, PLACE), (PLACE, ACTOR)])


@pytest.mark.parametrize("tie_type", list(TIE_TYPES))
def test_check_ends_for_every_tie_type(tie_type):
    fits, misfits = ENDS.get(tie_type, ACTOR_TO_ACTOR)
    for source_kind, target_kind in fits:
        assert rules.check_ends(tie_type, source_kind, target_kind) is None, (source_kind, target_kind)
    for source_kind, target_kind in misfits:
        message = rules.check_ends(tie_type, source_kind, target_kind)
        assert message and message.startswith(f"'{tie_type}' cannot link"), (source_kind, target_kind)


def test_change_rules_refuse_an_id_a_merged_actor_still_answers_to():
    keep = _actor(merged_ids=["old-iskp"])
    newcomer = Actor("old-iskp", "Old Group", "group")
    actors = {"iskp": keep, "old-iskp": newcomer}
    problems = rules.change_problems(actors, {}, {}, actor_ids=["old-iskp"], merged_from={"old-iskp": "iskp"})
    assert [(p.where, p.message) for p in problems] == [("actor iskp", rules.merged_id_taken("old-iskp", "old-iskp"))]
    # A merge: the keeper takes over the ids of the actor it absorbed, which is gone.
    merged = {"iskp": _actor(merged_ids=["old-iskp", "older"])}
    assert (
        rules.change_problems(merged, {}, {}, actor_ids=["iskp", "old-iskp"], merged_from={"older": "old-iskp"}) == []
    )
    clash = {"iskp": _actor(merged_ids=["taliban"]), "taliban": Actor("taliban", "Taliban", "group")}
    assert [p.message for p in rules.change_problems(clash, {}, {}, actor_ids=["iskp"], merged_from={})] == [
        rules.merged_id_taken("taliban", "taliban")
    ]
