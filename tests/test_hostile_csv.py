"""`import csv` against hostile files made here: formula cells, unbalanced quotes,
control and invisible characters, UTF-16, oversized fields."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import orjson
import pytest

from khorasan_tui.cli import main
from khorasan_tui.model import Actor
from khorasan_tui.store import StoreData, load_store, save_store
from khorasan_tui.validate import is_valid, validate

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]")


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir()
    data = StoreData(path=folder / "store.json")
    for actor in [
        Actor("iskp", "Islamic State-Khorasan", "group", aliases=["ISKP"]),
        Actor("taliban", "Taliban", "group"),
        Actor("pakistan", "Pakistan", "state"),
    ]:
        data.actors[actor.id] = actor
    save_store(data)
    return data.path


def run(capsys, db: Path, file: Path, *extra: str) -> tuple[int, dict]:
    code = main(["import", "csv", str(file), "--db", str(db), "--source-title", "Hostile", "--json", *extra])
    out, err = capsys.readouterr()
    return code, (orjson.loads(out) if code == 0 else {"err": err})


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reasons(report: dict) -> dict[int, str]:
    return {r["line"]: r["reason"] for r in report["rejected"]}


def test_formula_cells_are_data_and_leave_guarded(capsys, db: Path, tmp_path: Path) -> None:
    file = write(
        tmp_path,
        'source,target,type\n"=HYPERLINK(""http://x"",""y"")",Taliban,hostile_to\n\'@SUM(1),Pakistan,operates_in\n',
    )
    code, report = run(capsys, db, file)
    assert code == 0 and report["imported_ties"] == 2
    names = {a["name"] for a in report["new_actors"]}
    # Stored as written (our own export's leading ' is taken off again) ...
    assert names == {'=HYPERLINK("http://x","y")', "@SUM(1)"}
    # ... and neutralised again on the way out.
    assert main(["export", "--db", str(db), "--format", "csv"]) == 0
    nodes = list(csv.DictReader(io.StringIO(capsys.readouterr().out.split("\n\n")[0])))
    labels = {row["label"] for row in nodes}
    assert "'@SUM(1)" in labels and '\'=HYPERLINK("http://x","y")' in labels


def test_unbalanced_quote_is_reported_by_line_and_the_rest_is_read(capsys, db: Path, tmp_path: Path) -> None:
    file = write(
        tmp_path,
        'source,target,type\nISKP,Taliban,hostile_to\n"ISKP,Pakistan,operates_in\n'
        "Taliban,Pakistan,negotiates_with\nPakistan,Taliban,supports\n",
    )
    code, report = run(capsys, db, file)
    assert code == 0
    assert report["rows"] == 4 and report["imported_ties"] == 3
    assert list(reasons(report)) == [3] and "unbalanced quote" in reasons(report)[3]


def test_control_characters_are_removed_and_reported(capsys, db: Path, tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "source,target,type,quote\nIS\x1bKP\x07,Taliban,hostile_to,they \x00fight\n"
        "Pakistan,Tali\x1b]0;pwned\x07ban,supports,aid\n",
    )
    code, report = run(capsys, db, file)
    assert code == 0 and report["imported_ties"] == 2
    # ESC goes; what followed it is plain text that no terminal obeys.
    assert [a["name"] for a in report["new_actors"]] == ["Tali]0;pwnedban"]
    cleaned = {c["line"]: c["removed"] for c in report["cleaned"]}
    assert set(cleaned) == {2, 3}
    assert cleaned[2] == ["U+0000 NUL", "U+0007 BEL", "U+001B ESC"]
    store = load_store(db)
    assert store.ties["iskp--hostile_to--taliban"].citations[0].quote == "they fight"
    kept = (db.parent / store.sources["in"].path).read_text(encoding="utf-8")
    assert not CONTROL.search(kept)
    assert is_valid(validate(store))


@pytest.mark.parametrize(
    "encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")]
)
def test_encoding_is_read_from_the_byte_order_mark(capsys, db: Path, tmp_path: Path, encoding: str, bom: bytes) -> None:
    file = tmp_path / "unicode.csv"
    file.write_bytes(bom + "source,target,type,quote\nISKP,Taliban,hostile_to,ضد طالبان\n".encode(encoding))
    code, report = run(capsys, db, file)
    assert code == 0 and report["encoding"] == encoding and report["imported_ties"] == 1
    assert load_store(db).ties["iskp--hostile_to--taliban"].citations[0].quote == "ضد طالبان"


def test_oversized_fields_refuse_their_row_by_line_and_field(capsys, db: Path, tmp_path: Path) -> None:
    long_quote = "x" * 10_001
    file = write(
        tmp_path,
        f"source,target,type,quote\n{'A' * 100_000},Taliban,hostile_to,q\n"
        f"ISKP,Taliban,hostile_to,{long_quote}\nISKP,Pakistan,operates_in,fine\n",
    )
    code, report = run(capsys, db, file)
    assert code == 0 and report["imported_ties"] == 1
    why = reasons(report)
    assert "source: is too long (100,000 characters; at most 300)" in why[2]
    assert "quote: is too long (10,001 characters; at most 10,000)" in why[3]


def test_zero_width_and_bidi_names(capsys, db: Path, tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "source,target,type\n\u200b\u200b,Taliban,hostile_to\nIS\u200bKP,Pakistan,operates_in\n"
        "\u202enabilaT,Pakistan,negotiates_with\n",
    )
    code, report = run(capsys, db, file)
    assert code == 0
    assert "no source actor" in reasons(report)[2]
    # An invisible character cannot disguise a name as a new actor ...
    assert "iskp--operates_in--pakistan" in report["ties"]
    # ... and a right-to-left override is removed, not obeyed (the letters stay as written).
    assert [(a["id"], a["name"]) for a in report["new_actors"]] == [("nabilat", "nabilaT")]
    assert {c["line"] for c in report["cleaned"]} == {2, 3, 4}


def test_report_on_a_terminal_has_no_control_characters(capsys, db: Path, tmp_path: Path) -> None:
    file = write(tmp_path, "source,target,type\nEvil\x1b[2J\u202e,Taliban,xx\x1b\n")
    assert main(["import", "csv", str(file), "--db", str(db), "--source-title", "t\x1b", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert not CONTROL.search(out + err)


def test_runaway_field_past_the_csv_limit_is_reported_and_reading_goes_on(capsys, db: Path, tmp_path: Path) -> None:
    # 200,000 characters in one quoted cell: past the quote limit, and past the csv
    # module's field limit unless something in the process raised it.
    file = write(
        tmp_path,
        f'source,target,type,quote\nISKP,Taliban,hostile_to,"{"y" * 200_000}"\nISKP,Pakistan,operates_in,fine\n',
    )
    code, report = run(capsys, db, file)
    assert code == 0 and report["ties"] == ["iskp--operates_in--pakistan"]
    assert list(reasons(report)) == [2]
    assert re.search(r"field larger than field limit|quote: is too long \(200,000 characters", reasons(report)[2])


def test_alias_longer_than_300_refuses_the_ftm_row(capsys, db: Path, tmp_path: Path) -> None:
    entities = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Abu A"], "alias": ["z" * 301]}},
        {"id": "m1", "schema": "Membership", "properties": {"member": ["p1"], "organization": ["o1"]}},
        {"id": "o1", "schema": "Organization", "properties": {"name": ["Taliban"]}},
    ]
    file = write(tmp_path, "\n".join(orjson.dumps(e).decode() for e in entities) + "\n", name="e.ftm.json")
    code = main(["import", "ftm", str(file), "--db", str(db), "--source-title", "t", "--json"])
    report = orjson.loads(capsys.readouterr().out)
    assert code == 0 and report["imported_ties"] == 0
    assert "alias: is too long (301 characters; at most 300)" in reasons(report)[2]


def test_claimant_column(capsys, db: Path, tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "source,target,type,status,claimant\nISKP,Taliban,allied_with,claimed,ISKP\n"
        "ISKP,Pakistan,operates_in,reported,Taliban\n",
    )
    code, report = run(capsys, db, file)
    assert code == 0 and report["ties"] == ["iskp--allied_with--taliban"]
    assert "status is reported, not claimed" in reasons(report)[3]
    assert load_store(db).ties["iskp--allied_with--taliban"].claimant == "iskp"
