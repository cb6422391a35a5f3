"""The rulebook: every entry point refuses the same bad record with the same words,
and every rule in `rules` is exercised by a test that fails without it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

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


def tie_message(tie_fields: dict[str, Any], field_name: str) -> str:
    """The rulebook's message for one field of a tie built from `tie_fields`."""
    tie = Tie.from_dict({"citations": [{"source": DOC_ID, "quote": QUOTE}], **tie_fields})
    found = [p.message for p in rules.tie_problems(tie, KINDS) if p.field == field_name and p.severity == rules.ERROR]
    assert len(found) == 1, found
    return found[0]


def tie_record(**fields: Any) -> dict[str, Any]:
    base = {"id": "bad-tie", "type": "hostile_to", "source": "taliban", "target": "iskp", "status": "reported",
            "citations": [{"source": DOC_ID, "quote": QUOTE}]}
    return {**base, **fields}


def tie_argv(a: str, tie_type: str, b: str, *extra: str) -> list[str]:
    return ["add-tie", a, tie_type, b, "--source", DOC_ID, "--quote", QUOTE, *extra]


CSV_HEADER = "source,target,type,status,start,end,quote\n"


def csv_row(source: str, target: str, tie_type: str = "hostile_to", status: str = "", start: str = "",
            end: str = "") -> str:
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
        "over-long name", rules.check_name(LONG), "actors",
        {"id": "long-name", "name": LONG, "kind": "group"},
        [["add-actor", LONG, "--kind", "group"], ["add-alias", "iskp", LONG]],
        csv_row(LONG, "ISKP"),
        lambda ed: ed.add_actor(LONG, "group"),
    ),
    Bad(
        "zero-width space in a name", rules.check_name("Nangarhar\u200bShura"), "actors",
        {"id": "nangarhar-shura", "name": "Nangarhar\u200bShura", "kind": "group"},
        [["add-actor", "Nangarhar\u200bShura", "--kind", "group"], ["add-alias", "iskp", "Nangarhar\u200bShura"]],
        csv_row("Nangarhar\u200bShura", "ISKP"),
        lambda ed: ed.add_actor("Nangarhar\u200bShura", "group"),
    ),
    Bad(
        "bidi override in a name", rules.check_name("Nangarhar\u202eShura"), "actors",
        {"id": "nangarhar-shura", "name": "Nangarhar\u202eShura", "kind": "group"},
        [["add-actor", "Nangarhar\u202eShura", "--kind", "group"], ["add-alias", "iskp", "Nangarhar\u202eShura"]],
        csv_row("Nangarhar\u202eShura", "ISKP"),
        lambda ed: ed.add_alias("iskp", "Nangarhar\u202eShura"),
    ),
    Bad(
        "start after end", rules.check_date_order("2020", "2019"), "ties",
        tie_record(start="2020", end="2019"),
        [tie_argv("taliban", "hostile_to", "iskp", "--start", "2020", "--end", "2019")],
        csv_row("Taliban", "ISKP", start="2020", end="2019"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID, start="2020", end="2019"),
    ),
    Bad(
        "claimed without claimant", tie_message({"id": "t", "type": "hostile_to", "source": "taliban",
                                                 "target": "iskp", "status": "claimed"}, "claimant"), "ties",
        tie_record(status="claimed"),
        [tie_argv("taliban", "hostile_to", "iskp", "--status", "claimed")],
        csv_row("Taliban", "ISKP", status="claimed"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID, status="claimed"),
    ),
    Bad(
        "unknown tie type", rules.check_tie_type("befriends"), "ties",
        tie_record(type="befriends"),
        Skip("argparse's choices refuse an unknown type (exit 2, its own wording) before the rulebook is asked"),
        csv_row("Taliban", "ISKP", tie_type="befriends"),
        lambda ed: ed.add_tie("taliban", "befriends", "iskp", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "dangling end", tie_message({"id": "t", "type": "hostile_to", "source": "taliban", "target": "ghost"},
                                    "target"), "ties",
        tie_record(target="ghost"),
        Skip("the CLI resolves names to actors: a missing one is 'not found' before any tie exists"),
        Skip("the importer creates an actor for every new name, so no tie can point to a missing one"),
        lambda ed: ed.add_tie("taliban", "hostile_to", "ghost", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "self-tie", tie_message({"id": "t", "type": "hostile_to", "source": "iskp", "target": "iskp"}, "target"),
        "ties",
        tie_record(source="iskp", target="iskp"),
        [tie_argv("iskp", "hostile_to", "IS-K")],
        csv_row("ISKP", "Islamic State-Khorasan"),
        lambda ed: ed.add_tie("iskp", "hostile_to", "iskp", quote=QUOTE, source_id=DOC_ID),
    ),
    Bad(
        "duplicate id", rules.duplicate_id("actors", "iskp"), "actors", None,
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
        rules.check_ends("negotiates_with", "group", "place"), "ties",
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
