"""`export --format stix`: one STIX 2.1 bundle the stix2 package accepts without custom content."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from khorasan_tui import stix as stix_export
from khorasan_tui.cli import main
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, load_store, save_store

stix2 = pytest.importorskip("stix2")

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "khorasan.json"


def export_stix(capsys, db: Path) -> str:
    assert main(["export", "--db", str(db), "--format", "stix"]) == 0
    return capsys.readouterr().out


def test_bundled_store_is_a_valid_bundle(capsys) -> None:
    text = export_stix(capsys, BUNDLED)
    bundle = stix2.parse(text, allow_custom=False)
    objects = {o.id: o for o in bundle.objects}
    store = load_store(BUNDLED)
    iskp = objects[stix_export.stix_id("threat-actor", "actor", "iskp")]
    assert iskp.name == store.actors["iskp"].name
    # Every tie is a relationship between objects of the bundle, with its quotes.
    relationships = [o for o in bundle.objects if o.type == "relationship"]
    assert len(relationships) == len(store.ties)
    for relationship in relationships:
        assert relationship.source_ref in objects and relationship.target_ref in objects
    types = {o.type for o in bundle.objects}
    assert {"threat-actor", "identity", "location", "incident", "report", "relationship"} <= types
    reports = [o for o in bundle.objects if o.type == "report"]
    assert {r.external_references[1].external_id for r in reports} == set(store.sources)
    for report in reports:
        assert all(ref in objects for ref in report.object_refs)
    # Re-exports are identical (ids and timestamps never come from the clock).
    assert export_stix(capsys, BUNDLED) == text


@pytest.fixture()
def small_store(tmp_path: Path) -> Path:
    (tmp_path / "sources").mkdir()
    text = (
        "ISKP carried out the attack. The attack targeted Kabul Police. ISKP is based in Nangarhar."
        " Rumour A. Rumour B.\n"
    )
    (tmp_path / "sources" / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "sources" / "g.txt").write_text("Rumour A.\n", encoding="utf-8")
    data = StoreData(path=tmp_path / "s.json")
    data.sources["d"] = Source(
        "d", "Report D", published="2021-05-03", path="sources/d.txt", url="https://example.org/d"
    )
    data.sources["g"] = Source("g", "Graded", published="2021", path="sources/g.txt", grade="A")
    for actor in [
        Actor("iskp", "ISKP", "group", aliases=["IS-K"], founded="2015"),
        Actor("attack", "The attack", "event"),
        Actor("police", "Kabul Police", "agency"),
        Actor("nangarhar", "Nangarhar", "place"),
        Actor("emir", "Emir", "person"),
    ]:
        data.actors[actor.id] = actor
    for tie in [
        Tie(
            "t1",
            "carried_out",
            "iskp",
            "attack",
            start="2021-05",
            end="2021-05",
            citations=[Citation("d", "ISKP carried out the attack.")],
        ),
        Tie("t2", "targeted", "attack", "police", citations=[Citation("d", "The attack targeted Kabul Police.")]),
        Tie(
            "t3",
            "located_in",
            "iskp",
            "nangarhar",
            status="alleged",
            citations=[Citation("d", "ISKP is based in Nangarhar.")],
        ),
        Tie(
            "t4", "supports", "emir", "iskp", status="claimed", claimant="iskp", citations=[Citation("d", "Rumour A.")]
        ),
        Tie("t5", "hostile_to", "emir", "police", status="disputed", citations=[Citation("d", "Rumour B.")]),
        Tie(
            "t6",
            "supports",
            "police",
            "emir",
            status="claimed",
            claimant="iskp",
            citations=[Citation("g", "Rumour A.", credibility=2)],
        ),
    ]:
        data.ties[tie.id] = tie
    save_store(data)
    return data.path


def test_types_relationships_and_confidence(capsys, small_store: Path) -> None:
    bundle = stix2.parse(export_stix(capsys, small_store), allow_custom=False)
    by_id = {o.id: o for o in bundle.objects}

    def obj(kind: str, our_id: str):
        return by_id[stix_export.stix_id(kind, "actor", our_id)]

    def rel(tie_id: str):
        return by_id[stix_export.stix_id("relationship", "tie", tie_id)]

    assert obj("threat-actor", "iskp").aliases == ["IS-K"]
    assert str(obj("threat-actor", "iskp").first_seen).startswith("2015-01-01")
    assert obj("identity", "police").identity_class == "organization"
    assert obj("identity", "emir").identity_class == "individual"
    assert obj("location", "nangarhar").region == "Nangarhar"
    assert obj("incident", "attack").name == "The attack"
    carried = rel("t1")
    # STIX says the incident is attributed to the group.
    assert carried.relationship_type == "attributed-to"
    assert carried.source_ref == obj("incident", "attack").id and carried.target_ref == obj("threat-actor", "iskp").id
    assert str(carried.start_time).startswith("2021-05-01") and str(carried.stop_time).startswith("2021-05-31")
    assert "ISKP carried out the attack." in carried.description
    assert carried.external_references[0].url == "https://example.org/d"
    assert rel("t2").relationship_type == "targets"
    assert rel("t3").relationship_type == "located-at"
    assert rel("t4").relationship_type == "related-to" and "claimed by ISKP" in rel("t4").description
    confidences = [rel(t).confidence for t in ("t1", "t3", "t4", "t5")]
    assert confidences == sorted(confidences, reverse=True) and len(set(confidences)) == 4
    # A graded document and a credible citation raise a claim's confidence.
    assert rel("t6").confidence > rel("t4").confidence
    report = by_id[stix_export.stix_id("report", "source", "d")]
    assert "“ISKP carried out the attack.”" in report.description
    assert str(report.published).startswith("2021-05-03")
    assert carried.id in report.object_refs


def test_ids_are_uuid5_of_our_ids(capsys, small_store: Path) -> None:
    data = orjson.loads(export_stix(capsys, small_store))
    ids = [o["id"] for o in data["objects"]]
    assert len(ids) == len(set(ids))
    assert stix_export.stix_id("threat-actor", "actor", "iskp") in ids
    assert stix_export.stix_id("threat-actor", "actor", "iskp").split("--")[1][14] == "5"  # UUID version 5
