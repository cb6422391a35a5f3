"""FollowTheMoney: `export --format ftm` writes entities followthemoney accepts;
`import ftm` reads them (and OpenSanctions-style streams) through the CSV importer's checks."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from khorasan_tui.cli import main
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, load_store, save_store
from khorasan_tui.validate import is_valid, validate


def ftm_model():
    """followthemoney's own model, to check what we write against it. Its
    PyICU dependency builds from source (ICU headers), so it is an extra of
    its own (`ftm-check`, installed by .ci/run); without it these checks skip."""
    return pytest.importorskip("followthemoney").model


BUNDLED = Path(__file__).resolve().parent.parent / "data" / "khorasan.json"


def export_ftm(capsys, db: Path, *extra: str) -> list[dict]:
    assert main(["export", "--db", str(db), "--format", "ftm", *extra]) == 0
    out = capsys.readouterr().out
    return [orjson.loads(line) for line in out.splitlines()]


def assert_followthemoney_accepts(entity: dict) -> None:
    proxy = ftm_model().get_proxy(entity, cleaned=False)
    proxy.schema.validate(entity)  # raises InvalidData on a missing required property or a bad value
    # Cleaning keeps every value: nothing we write is dropped or rewritten.
    assert proxy.to_dict()["properties"] == entity["properties"], entity["id"]


def test_bundled_store_exports_valid_entities(capsys) -> None:
    entities = export_ftm(capsys, BUNDLED)
    for entity in entities:
        assert_followthemoney_accepts(entity)
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities)
    iskp = by_id["khorasan-actor-iskp"]
    assert iskp["schema"] == "Organization" and iskp["properties"]["keywords"] == ["group"]
    schemata = {e["schema"] for e in entities}
    assert {
        "Person",
        "Organization",
        "PublicBody",
        "Event",
        "Address",
        "Document",
        "Directorship",
        "Membership",
        "UnknownLink",
    } <= schemata
    # Every tie's ends and proofs are entities in the same stream.
    store = load_store(BUNDLED)
    for entity in entities:
        if entity["id"].startswith("khorasan-tie-"):
            props = entity["properties"]
            refs = [
                v
                for name, values in props.items()
                for v in values
                if ftm_model().get(entity["schema"]).properties[name].type.name == "entity"
            ]
            assert all(ref in by_id for ref in refs), entity["id"]
            assert props["proof"] and all(by_id[p]["schema"] == "Document" for p in props["proof"])
            tie = store.ties[props["recordId"][0]]
            assert all(c.quote in props["description"][0] for c in tie.citations)


def test_tie_mapping_dates_provenance_and_status(capsys, tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    text = "Emir leads Front. Emir is brother of Deputy. Front is hostile to State.\n"
    (tmp_path / "sources" / "d.txt").write_text(text, encoding="utf-8")
    data = StoreData(path=tmp_path / "s.json")
    data.sources["d"] = Source(
        "d", "Report", publisher="Monitor", published="2021-05", path="sources/d.txt", url="https://example.org/report"
    )
    for actor in [
        Actor("emir", "Emir", "person", born="1970"),
        Actor("deputy", "Deputy", "person"),
        Actor("front", "Front", "group", aliases=["The Front"], founded="2014"),
        Actor("state", "State", "state"),
    ]:
        data.actors[actor.id] = actor
    ties = [
        Tie(
            "emir--leads--front",
            "leads",
            "emir",
            "front",
            start="2015",
            end="2020-03",
            citations=[Citation("d", "Emir leads Front.")],
        ),
        Tie(
            "emir--family--deputy",
            "family",
            "emir",
            "deputy",
            role="brother",
            citations=[Citation("d", "Emir is brother of Deputy.")],
        ),
        Tie(
            "front--hostile_to--state",
            "hostile_to",
            "front",
            "state",
            status="alleged",
            citations=[Citation("d", "Front is hostile to State.")],
        ),
    ]
    for tie in ties:
        data.ties[tie.id] = tie
    save_store(data)
    entities = {e["id"]: e for e in export_ftm(capsys, data.path)}
    for entity in entities.values():
        assert_followthemoney_accepts(entity)
    lead = entities["khorasan-tie-emir--leads--front"]
    assert lead["schema"] == "Directorship"
    assert lead["properties"]["director"] == ["khorasan-actor-emir"]
    assert lead["properties"]["startDate"] == ["2015"] and lead["properties"]["endDate"] == ["2020-03"]
    assert lead["properties"]["sourceUrl"] == ["https://example.org/report"]
    assert lead["properties"]["publisher"] == ["Monitor"]
    assert "Emir leads Front." in lead["properties"]["description"][0]
    family = next(e for e in entities.values() if e["schema"] == "Family")
    assert family["properties"]["relationship"] == ["family of: brother"]
    hostile = next(e for e in entities.values() if e["properties"].get("recordId") == ["front--hostile_to--state"])
    assert hostile["schema"] == "UnknownLink" and hostile["properties"]["status"] == ["alleged"]
    assert hostile["properties"]["role"] == ["hostile to"]
    assert entities["khorasan-actor-state"]["schema"] == "PublicBody"
    assert entities["khorasan-actor-front"]["properties"]["incorporationDate"] == ["2014"]
    # Deterministic: a second export is the same text.
    assert main(["export", "--db", str(data.path), "--format", "ftm"]) == 0
    once = capsys.readouterr().out
    assert main(["export", "--db", str(data.path), "--format", "ftm"]) == 0
    assert capsys.readouterr().out == once


def empty_store(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = StoreData(path=folder / "store.json")
    data.actors["iskp"] = Actor("iskp", "Islamic State-Khorasan", "group", aliases=["ISKP"])
    save_store(data)
    return data.path


def test_round_trip_keeps_tie_types_statuses_and_kinds(capsys, tmp_path: Path) -> None:
    stream = tmp_path / "bundled.ftm.json"
    assert main(["export", "--db", str(BUNDLED), "--format", "ftm", "-o", str(stream)]) == 0
    capsys.readouterr()
    db = empty_store(tmp_path / "target")
    # The bundled store carries a few lint warnings (past cues with no end): an import lists them.
    code = main(["import", "ftm", str(stream), "--db", str(db), "--source-title", "Round trip", "--json"])
    report = orjson.loads(capsys.readouterr().out)
    assert code == 0 and report["saved"] and report["rejected"] == []
    assert {n["schema"] for n in report["ftm"]["not_mapped"]} == {"Document"}
    original, imported = load_store(BUNDLED), load_store(db)
    assert sorted(t.type for t in imported.ties.values()) == sorted(t.type for t in original.ties.values())
    assert sorted(t.status for t in imported.ties.values()) == sorted(t.status for t in original.ties.values())

    def claimants(store) -> list[str]:
        return sorted(store.actors[t.claimant].name for t in store.ties.values() if t.claimant)

    assert claimants(imported) == claimants(original)
    # ISKP's entity matched the existing actor by name; its ties hang on it.
    assert any(t.source == "iskp" or t.target == "iskp" for t in imported.ties.values())
    haqqani = next(a for a in imported.actors.values() if a.name == "Haqqani Network")
    assert haqqani.kind == "group"
    assert {a.kind for a in imported.actors.values()} == {a.kind for a in original.actors.values()}
    problems = validate(imported)
    assert is_valid(problems), [str(p) for p in problems]


OPENSANCTIONS_STYLE = [
    {
        "id": "NK-a1",
        "schema": "Person",
        "properties": {"name": ["Abu Example"], "alias": ["Abu Ex"], "topics": ["sanction"]},
    },
    {"id": "NK-b2", "schema": "Organization", "properties": {"name": ["Example Front"]}},
    {
        "id": "NK-c3",
        "schema": "Membership",
        "properties": {"member": ["NK-a1"], "organization": ["NK-b2"], "startDate": ["2016-04"], "role": ["commander"]},
    },
    {"id": "NK-d4", "schema": "Sanction", "properties": {"entity": ["NK-a1"], "authority": ["Some Council"]}},
    {"id": "NK-e5", "schema": "Vessel", "properties": {"name": ["MV Boat"]}},
    {"id": "NK-f6", "schema": "UnknownLink", "properties": {"subject": ["NK-b2"], "object": ["NK-e5"]}},
    {"id": "NK-g7", "schema": "Ownership", "properties": {"owner": ["NK-b2"], "asset": ["NK-e5"]}},
    {"id": "NK-h8", "schema": "Associate", "properties": {"person": ["NK-a1"], "associate": ["NK-zz"]}},
    {"id": "NK-i9", "schema": "Person", "properties": {"name": ["Lone Person"]}},
]


def test_opensanctions_style_stream_maps_what_it_can_and_says_what_it_cannot(capsys, tmp_path: Path) -> None:
    stream = tmp_path / "entities.ftm.json"
    lines = [orjson.dumps(e).decode() for e in OPENSANCTIONS_STYLE]
    stream.write_text("\n".join([*lines[:3], "not json", *lines[3:]]) + "\n", encoding="utf-8")
    db = empty_store(tmp_path / "target")
    before = db.read_bytes()
    argv = ["import", "ftm", str(stream), "--db", str(db), "--source-title", "Sanctions list"]
    code = main([*argv, "--dry-run", "--json"])
    report = orjson.loads(capsys.readouterr().out)
    assert code == 0 and report["dry_run"] and not report["saved"]
    assert db.read_bytes() == before
    assert report["imported_ties"] == 1
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert "not a JSON entity" in reasons[4]
    assert "Vessel" in reasons[7]  # UnknownLink to a vessel
    assert "not in the file" in reasons[9]  # Associate naming an entity the file lacks
    not_mapped = {n["schema"]: n["count"] for n in report["ftm"]["not_mapped"]}
    assert not_mapped == {"Ownership": 1, "Sanction": 1, "Vessel": 1}
    assert report["ftm"]["actors_without_ties"] == 1  # Lone Person

    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Ownership" in out and "no tie type here means ownership" in out
    store = load_store(db)
    (tie,) = store.ties.values()
    assert tie.type == "member_of" and tie.role == "commander" and tie.start == "2016-04"
    person = store.actors[tie.source]
    assert person.name == "Abu Example" and person.kind == "person" and person.aliases == ["Abu Ex"]
    assert store.actors[tie.target].kind == "group"  # --default-kind for an Organization
    # The stream is kept as the source and the tie quotes its own line.
    kept = (db.parent / store.sources[tie.citations[0].source].path).read_text(encoding="utf-8")
    assert tie.citations[0].quote in kept and '"NK-c3"' in tie.citations[0].quote
    assert is_valid(validate(store))


def test_a_file_that_is_not_ftm_is_a_usage_error(capsys, tmp_path: Path) -> None:
    stream = tmp_path / "x.json"
    stream.write_text("source,target,type\nA,B,leads\n", encoding="utf-8")
    db = empty_store(tmp_path / "target")
    assert main(["import", "ftm", str(stream), "--db", str(db), "--source-title", "t"]) == 2
    assert "no FtM entity" in capsys.readouterr().err
