"""The ingest engine (mentions, new names, suggestions), `khorasan ingest` and its stored step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khorasan_tui import ingest
from khorasan_tui.cli import main
from khorasan_tui.documents import read_document
from khorasan_tui.edit import Editor
from khorasan_tui.graph import Graph
from khorasan_tui.ingest import Cues, NewDocument, analyse, ingest_command, load_cues
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, load_store

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "khorasan.json"


def small_graph() -> Graph:
    """Actors spelled one way only, so that other spellings must be found as near ones."""
    actors = [
        Actor("iskp", "Islamic State-Khorasan", "group", aliases=["ISKP", "Isis-K"]),
        Actor("haqqani-network", "Haqqani Network", "group"),
        Actor("taliban", "Taliban", "group", aliases=["Islamic Emirate"]),
        Actor("ttp", "Tehrik-e-Taliban Pakistan", "group", aliases=["TTP"]),
        Actor("lashkar-e-taiba", "Lashkar-e-Taiba", "group", aliases=["LeT"]),
        Actor("al-qaeda", "al Qaeda", "group"),
        Actor("aslam-farooqi", "Aslam Farooqi", "person", aliases=["Abdullah Orakzai"]),
        Actor("ziaurahman", "Ziaurahman", "person", aliases=["Assadullah Orakzai"]),
        Actor("orakzai-agency", "Orakzai Agency", "place"),
        Actor("sirajuddin-haqqani", "Sirajuddin Haqqani", "person"),
        Actor("pakistan", "Pakistan", "state"),
        Actor("kabul", "Kabul", "place"),
    ]
    ties = [
        Tie(
            "sirajuddin-haqqani--leads--haqqani-network",
            "leads",
            "sirajuddin-haqqani",
            "haqqani-network",
            citations=[Citation("doc", "q")],
        ),
    ]
    data = StoreData(
        actors={a.id: a for a in actors},
        ties={t.id: t for t in ties},
        sources={"doc": Source("doc", "A document")},
    )
    return Graph(data)


def ids(mentions) -> set[str]:
    return {m.actor_id for m in mentions if m.actor_id}


def only(analysis, source: str, target: str):
    found = [
        s
        for s in analysis.suggestions
        if {s.source.actor_id or s.source.name, s.target.actor_id or s.target.name} == {source, target}
    ]
    assert len(found) == 1, [(s.source.name, s.type, s.target.name) for s in analysis.suggestions]
    return found[0]


# -- cue data -------------------------------------------------------------------------------


def test_cue_file_loads_and_names_only_known_types():
    cues = load_cues()
    assert any(c.type == "leads" and c.phrase == "led by" and c.order == "backward" for c in cues.relations)
    assert "allegedly" in cues.hedges
    raw = json.loads(Path(ingest.__file__).with_name("ingest_cues.json").read_text(encoding="utf-8"))
    raw["relations"].append({"type": "befriends", "order": "forward", "phrases": ["pals with"]})
    with pytest.raises(ValueError, match="befriends"):
        Cues.from_dict(raw)


@pytest.mark.parametrize(
    ("sentence", "source", "tie_type", "target"),
    [
        ("The Haqqani Network is led by Sirajuddin Haqqani.", "sirajuddin-haqqani", "leads", "haqqani-network"),
        ("Sirajuddin Haqqani is the head of the Haqqani Network.", "sirajuddin-haqqani", "leads", "haqqani-network"),
        ("Lashkar-e-Taiba provided weapons to the Taliban.", "lashkar-e-taiba", "supports", "taliban"),
        ("The Taliban was backed by Pakistan.", "pakistan", "supports", "taliban"),
        ("ISKP and the Taliban are sworn enemies.", "iskp", "hostile_to", "taliban"),
        ("The Taliban held talks with Pakistan.", "taliban", "negotiates_with", "pakistan"),
        ("ISKP split from the TTP.", "iskp", "emerged_from", "ttp"),
        ("ISKP recruits trained at Lashkar-e-Taiba camps.", "lashkar-e-taiba", "supports", "iskp"),
        ("ISKP has cooperated with al Qaeda.", "iskp", "cooperates_with", "al-qaeda"),
        ("The TTP was helped by Pakistan.", "pakistan", "supports", "ttp"),
        ("The Taliban suffered defections to ISKP.", "iskp", "recruits_from", "taliban"),
        ("The Haqqani Network benefited from safe havens within Pakistan.", "pakistan", "supports", "haqqani-network"),
        ("Pakistan provided safe havens to the Taliban.", "pakistan", "supports", "taliban"),
        ("Al Qaeda has two branches in the region: the regular one and the TTP.", "ttp", "faction_of", "al-qaeda"),
    ],
)
def test_cue_words_give_type_and_direction(sentence, source, tie_type, target):
    suggestion = only(analyse(sentence, small_graph()), source, target)
    assert (suggestion.type, suggestion.source.actor_id, suggestion.target.actor_id) == (tie_type, source, target)
    assert suggestion.status == "reported"
    assert suggestion.quote == sentence
    assert 0 <= suggestion.confidence <= 1


def test_an_existing_tie_is_corroborated_not_repeated():
    graph = small_graph()
    suggestion = only(
        analyse("Sirajuddin Haqqani leads the Haqqani Network.", graph), "sirajuddin-haqqani", "haqqani-network"
    )
    assert suggestion.existing_tie == "sirajuddin-haqqani--leads--haqqani-network"
    other = only(analyse("ISKP has cooperated with al Qaeda.", graph), "iskp", "al-qaeda")
    assert other.existing_tie is None


# -- status -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("ISKP allegedly cooperated with the Haqqani Network.", "alleged"),
        ("ISKP perhaps cooperated with the Haqqani Network.", "alleged"),
        ("It cannot be excluded that ISKP cooperated with the Haqqani Network.", "alleged"),
        ("ISKP is said to cooperate with the Haqqani Network.", "alleged"),
        ("ISKP seems to cooperate with the Haqqani Network.", "alleged"),
        ("ISKP reportedly cooperated with the Haqqani Network.", "alleged"),
        ("It's often said that ISKP cooperates with the Haqqani Network.", "disputed"),
        ("ISKP cooperated with the Haqqani Network.", "reported"),
    ],
)
def test_hedges_and_framing_set_the_status(sentence, status):
    assert only(analyse(sentence, small_graph()), "iskp", "haqqani-network").status == status


@pytest.mark.parametrize(
    "sentence",
    [
        "According to Pakistan, the Taliban backed the TTP.",
        "Pakistan said the Taliban backed the TTP.",
        "Pakistan accused the Taliban of having backed the TTP.",
    ],
)
def test_claims_name_their_claimant(sentence):
    suggestion = only(analyse(sentence, small_graph()), "taliban", "ttp")
    assert suggestion.status == "claimed"
    assert suggestion.claimant is not None and suggestion.claimant.actor_id == "pakistan"


def test_a_claim_in_mid_sentence_covers_what_follows_it():
    analysis = analyse(
        "The TTP fought against the Taliban and according to Pakistan was backed by Lashkar-e-Taiba.", small_graph()
    )
    assert only(analysis, "ttp", "taliban").status == "reported"
    backed = only(analysis, "ttp", "lashkar-e-taiba")
    assert backed.status == "claimed" and backed.claimant.actor_id == "pakistan"
    closing = only(
        analyse("ISKP has close ties to the Haqqani Network, a report by Pakistan says.", small_graph()),
        "iskp",
        "haqqani-network",
    )
    assert closing.status == "claimed" and closing.claimant.actor_id == "pakistan"


def test_a_claim_of_responsibility_is_the_perpetrators_claim_of_that_tie_only():
    analysis = analyse("The attack on the Taliban in Kabul was claimed by ISKP.", small_graph())
    attack = "attack on the Taliban in Kabul"
    claim = only(analysis, "iskp", attack)
    assert (claim.type, claim.status, claim.claimant.actor_id) == ("carried_out", "claimed", "iskp")
    assert only(analysis, attack, "kabul").status == "reported"
    # The event's object is its target, not its perpetrator.
    target = only(analysis, attack, "taliban")
    assert (target.type, target.source.name, target.status) == ("targeted", attack, "reported")


def test_a_cue_ending_in_a_preposition_relates_what_follows_it():
    analysis = analyse("Sirajuddin Haqqani met the Taliban emissary to al Qaeda.", small_graph())
    assert only(analysis, "taliban", "al-qaeda").type == "affiliated_with"
    assert only(analysis, "sirajuddin-haqqani", "taliban").type != "affiliated_with"


def test_a_hedge_does_not_reach_over_an_aside():
    text = (
        "In all likelihood, ISKP was helped by Aslam Farooqi, uncle of Sirajuddin Haqqani and Ziaurahman "
        "(the sons of Abdullah Orakzai)."
    )
    analysis = analyse(text, small_graph())
    assert only(analysis, "iskp", "aslam-farooqi").status == "alleged"
    assert only(analysis, "sirajuddin-haqqani", "ziaurahman").status == "reported"


def test_regarded_as_hedges():
    analysis = analyse(
        "Sirajuddin Haqqani, regarded as the Taliban emissary to al Qaeda, visited Kabul.", small_graph()
    )
    assert only(analysis, "sirajuddin-haqqani", "taliban").status == "alleged"


def test_the_title_before_a_speaker_is_theirs():
    analysis = analyse("Lashkar-e-Taiba spokesman Aslam Farooqi says ISKP fought the Taliban.", small_graph())
    assert only(analysis, "aslam-farooqi", "lashkar-e-taiba").type == "member_of"
    assert only(analysis, "iskp", "taliban").type == "hostile_to"


def test_dates_come_from_the_sentence_and_the_publication_year():
    graph = small_graph()
    on_day = only(
        analyse("On May 8, ISKP attacked the Taliban in Kabul.", graph, published="2021-09"), "iskp", "taliban"
    )
    assert on_day.start == "2021-05-08"
    in_month = only(analyse("In March 2020, ISKP attacked the Taliban.", graph), "iskp", "taliban")
    assert in_month.start == "2020-03"
    span = only(analyse("Between 2019 and 2021 ISKP fought the Taliban.", graph), "iskp", "taliban")
    assert (span.start, span.end) == ("2019", "2021")
    undated = only(analyse("ISKP fought the Taliban.", graph), "iskp", "taliban")
    assert (undated.start, undated.end) == (None, None)


def test_a_pronoun_stands_for_the_previous_subject():
    text = "Sirajuddin Haqqani is a proscribed terrorist. He also has close ties to al Qaeda."
    suggestion = only(analyse(text, small_graph()), "sirajuddin-haqqani", "al-qaeda")
    assert suggestion.type == "affiliated_with"
    assert suggestion.quote == "He also has close ties to al Qaeda."


def test_they_stands_for_all_the_listed_subjects():
    analysis = analyse("ISKP and the TTP met in Kabul. They are sworn enemies of al Qaeda.", small_graph())
    for group in ("iskp", "ttp"):
        suggestion = only(analysis, group, "al-qaeda")
        assert suggestion.type == "hostile_to"
        assert suggestion.quote == "They are sworn enemies of al Qaeda."
    assert "hostile_to" not in types_between(analysis, "iskp", "ttp")
    together = analyse("ISKP and the TTP met in Kabul. These groups are intertwined.", small_graph())
    assert "affiliated_with" in types_between(together, "iskp", "ttp")


def test_sentences_keep_abbreviations_whole():
    text = "The U.S. Special Representative met Gen. Smith in Kabul. ISKP fought the Taliban."
    assert [text[s:e] for s, e in ingest.split_sentences(text)] == [
        "The U.S. Special Representative met Gen. Smith in Kabul.",
        "ISKP fought the Taliban.",
    ]


# -- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "actor_id"),
    [
        ("Aslam Faroqqi", "aslam-farooqi"),
        ("Lashkar-e-Toiba", "lashkar-e-taiba"),
        ("al-Qaeda", "al-qaeda"),
        ("Al Qaeda", "al-qaeda"),
        ("Tehrik-e-Taliban Pakistan", "ttp"),
        ("Tehrik e Taliban Pakistan", "ttp"),
        ("Haqqani network", "haqqani-network"),
    ],
)
def test_mentions_tolerate_spellings(spelling, actor_id):
    analysis = analyse(f"Officials said {spelling} was active there.", small_graph())
    assert actor_id in ids(analysis.mentions)


def test_words_are_not_taken_for_acronyms():
    analysis = analyse("Let us say this is true. It is not a plan; let it be.", small_graph())
    assert not ids(analysis.mentions)


def test_a_name_that_fits_several_actors_is_reported_not_guessed():
    analysis = analyse("Training camps in Orakzai were named by officials.", small_graph())
    assert not ids(analysis.mentions) & {"aslam-farooqi", "ziaurahman", "orakzai-agency"}
    (entry,) = [a for a in analysis.ambiguous if a.text == "Orakzai"]
    assert set(entry.candidates) == {"aslam-farooqi", "ziaurahman", "orakzai-agency"}
    payload = analysis.to_json(small_graph())
    assert {c["id"] for c in payload["ambiguous"][0]["candidates"]} == set(entry.candidates)


def test_new_names_get_a_kind_and_noise_is_left_out():
    text = (
        "However, Mullah Abdul Rahman, a commander of the Tehrik-e-Jihad Front, was arrested in Zabul province "
        "in March. Monday was quiet. The Jamaat-ul-Ahrar Brigade later claimed it."
    )
    analysis = analyse(text, small_graph())
    kinds = {m.name: m.kind for m in analysis.new_names}
    assert kinds["Mullah Abdul Rahman"] == "person"
    assert kinds["Tehrik-e-Jihad Front"] == "group"
    assert kinds["Zabul province"] == "place"
    assert kinds["Jamaat-ul-Ahrar Brigade"] == "group"
    for noise in ("However", "March", "Monday", "The"):
        assert noise not in kinds
    suggestion = only(analysis, "Mullah Abdul Rahman", "Tehrik-e-Jihad Front")
    assert suggestion.source.actor_id is None and suggestion.source.name == "Mullah Abdul Rahman"
    assert suggestion.type in ("leads", "member_of")


# -- pairing rules ----------------------------------------------------------------------------------


def types_between(analysis, a: str, b: str) -> set[str]:
    return {
        s.type
        for s in analysis.suggestions
        if {s.source.actor_id or s.source.name, s.target.actor_id or s.target.name} == {a, b}
    }


def test_an_event_names_its_perpetrator_and_a_bystander_is_not_one():
    analysis = analyse("Two weeks after the ISKP attack on Kabul prison, Pakistan closed the border.", small_graph())
    attack = "ISKP attack on Kabul prison"
    perpetrator = only(analysis, "iskp", attack)
    assert (perpetrator.type, perpetrator.source.actor_id) == ("carried_out", "iskp")
    assert not types_between(analysis, "pakistan", attack)
    # The "attack on" inside the event's name relates the event's parties, not ISKP and Pakistan.
    assert "hostile_to" not in types_between(analysis, "iskp", "pakistan")


def test_a_place_is_never_a_party_and_acts_need_a_word_of_place():
    assert only(analyse("ISKP attacked the Taliban in Kabul.", small_graph()), "iskp", "kabul").type == "operates_in"
    assert not types_between(analyse("ISKP attacked Kabul.", small_graph()), "iskp", "kabul")
    assert not types_between(analyse("Kabul worries about ISKP.", small_graph()), "iskp", "kabul")


def test_a_name_in_an_aside_is_not_where_the_places_are():
    text = (
        "ISKP, helped by the Haqqani Network for many years now, runs its training camps in Kabul and Orakzai Agency."
    )
    analysis = analyse(text, small_graph())
    for place in ("kabul", "orakzai-agency"):
        assert only(analysis, "iskp", place).type == "operates_in"
        assert not types_between(analysis, "haqqani-network", place)
    plain = analyse("ISKP met the Haqqani Network in Kabul.", small_graph())
    assert only(plain, "haqqani-network", "kabul").type == "operates_in"


def test_a_name_in_an_aside_does_not_take_the_main_verb():
    analysis = analyse("ISKP, helped by the Haqqani Network, fought the Taliban.", small_graph())
    assert only(analysis, "iskp", "taliban").type == "hostile_to"
    assert only(analysis, "haqqani-network", "iskp").type == "supports"
    assert not types_between(analysis, "haqqani-network", "taliban")


def test_a_new_name_in_an_event_keeps_its_own_name_and_a_role_makes_a_person():
    analysis = analyse("Revenge for the killing of Rahimullah, head of ISKP intelligence, is a motive.", small_graph())
    kinds = {m.name: m.kind for m in analysis.new_names}
    assert kinds["Rahimullah"] == "person"
    assert kinds["killing of Rahimullah"] == "event"
    target = only(analysis, "killing of Rahimullah", "Rahimullah")
    assert (target.type, target.source.name) == ("targeted", "killing of Rahimullah")
    # The head of ISKP's intelligence is a member of ISKP, not its leader.
    role = only(analysis, "Rahimullah", "iskp")
    assert (role.source.name, role.type) == ("Rahimullah", "member_of")
    assert only(analyse("Aslam Farooqi is the head of ISKP.", small_graph()), "aslam-farooqi", "iskp").type == "leads"


def test_people_are_located_groups_operate():
    person = only(analyse("Sirajuddin Haqqani strolled into Kabul.", small_graph()), "sirajuddin-haqqani", "kabul")
    assert (person.type, person.source.actor_id) == ("located_in", "sirajuddin-haqqani")
    group = only(analyse("The TTP is operated from Kabul.", small_graph()), "ttp", "kabul")
    assert (group.type, group.source.actor_id) == ("operates_in", "ttp")


def test_no_group_emerges_from_a_person_and_isis_names_a_group():
    assert "emerged_from" not in types_between(
        analyse("ISKP can be traced to Aslam Farooqi.", small_graph()), "iskp", "aslam-farooqi"
    )
    kinds = {m.name: m.kind for m in analyse("Officials said the Isis Levant split.", small_graph()).new_names}
    assert kinds["Isis Levant"] == "group"


def test_planning_an_attack_with_someone_is_taking_part():
    analysis = analyse("The Kabul prison attack was planned with the Haqqani Network.", small_graph())
    suggestion = only(analysis, "haqqani-network", "Kabul prison attack")
    assert (suggestion.type, suggestion.source.actor_id) == ("carried_out", "haqqani-network")


def test_items_of_a_list_are_tied_to_the_subject_not_to_each_other():
    analysis = analyse("ISKP has ties with the TTP, Lashkar-e-Taiba and al Qaeda.", small_graph())
    for other in ("ttp", "lashkar-e-taiba", "al-qaeda"):
        assert only(analysis, "iskp", other).type == "affiliated_with"
    assert not types_between(analysis, "ttp", "lashkar-e-taiba")
    assert not types_between(analysis, "lashkar-e-taiba", "al-qaeda")
    # Words after the list still relate its items, and a comma alone is an apposition, not a list.
    reciprocal = analyse("In Kabul, the TTP and al Qaeda are sworn enemies.", small_graph())
    assert only(reciprocal, "ttp", "al-qaeda").type == "hostile_to"
    apposition = analyse("Pakistan arrested the founder of the TTP, Aslam Farooqi.", small_graph())
    assert types_between(apposition, "ttp", "aslam-farooqi")


def test_a_role_in_an_apposition_belongs_to_its_bearer():
    analysis = analyse("Pakistan arrested Aslam Farooqi, the head of ISKP.", small_graph())
    head = only(analysis, "aslam-farooqi", "iskp")
    assert (head.type, head.source.actor_id) == ("leads", "aslam-farooqi")
    assert "leads" not in types_between(analysis, "aslam-farooqi", "pakistan")
    founder = analyse("Sirajuddin Haqqani met the founder of the TTP, Aslam Farooqi.", small_graph())
    assert only(founder, "aslam-farooqi", "ttp").type == "founded"
    assert "founded" not in types_between(founder, "sirajuddin-haqqani", "ttp")


def test_names_of_bodies_and_affiliations_in_brackets():
    text = (
        "Officials said Sirajuddin Haqqani (Utrecht University) met the Afghan Army and the Pakistan Air Force "
        "in Kabul."
    )
    analysis = analyse(text, small_graph())
    names = {m.name: m.kind for m in analysis.new_names}
    assert names.get("Utrecht University") == "organization"  # not another name of Sirajuddin
    assert names.get("Afghan Army") == "agency"
    assert names.get("Pakistan Air Force") == "agency"
    assert "pakistan" not in ids(analysis.mentions)
    initials = analyse("Officials met the head of the U.S. Army Central Command.", small_graph())
    assert "U.S. Army Central Command" in {m.name for m in initials.new_names}


def test_a_speakers_affiliation_in_brackets_is_theirs():
    text = "“ISKP fought the Taliban,” says Aslam Farooqi (Utrecht University)."
    analysis = analyse(text, small_graph())
    assert only(analysis, "aslam-farooqi", "Utrecht University").type == "member_of"


# -- JSON contract ------------------------------------------------------------------------------

END_KNOWN = {"id", "name"}
END_NEW = {"name", "new"}


def _check_end(end) -> None:
    assert set(end) in (END_KNOWN, END_NEW)
    assert isinstance(end["name"], str)
    if "new" in end:
        assert end["new"] is True
    else:
        assert isinstance(end["id"], str)


def _check_contract(payload) -> None:
    assert set(payload) >= {"document", "mentions", "ambiguous", "new_names", "suggestions"}
    assert isinstance(payload["document"], dict)
    for m in payload["mentions"]:
        assert set(m) == {"actor", "count", "quote"}
        assert set(m["actor"]) == {"id", "name", "kind"}
        assert isinstance(m["count"], int) and m["count"] >= 1 and isinstance(m["quote"], str)
    for a in payload["ambiguous"]:
        assert set(a) == {"text", "candidates"}
        assert all(set(c) == {"id", "name"} for c in a["candidates"]) and len(a["candidates"]) >= 2
    for n in payload["new_names"]:
        assert set(n) == {"name", "kind", "count", "quote"}
        assert isinstance(n["count"], int)
    for s in payload["suggestions"]:
        assert set(s) == {
            "source",
            "target",
            "type",
            "status",
            "claimant",
            "start",
            "end",
            "quote",
            "existing_tie",
            "confidence",
        }
        _check_end(s["source"])
        _check_end(s["target"])
        if s["claimant"] is not None:
            _check_end(s["claimant"])
        assert isinstance(s["type"], str) and isinstance(s["status"], str) and isinstance(s["quote"], str)
        assert s["start"] is None or isinstance(s["start"], str)
        assert s["existing_tie"] is None or isinstance(s["existing_tie"], str)
        assert isinstance(s["confidence"], float) and 0 <= s["confidence"] <= 1


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def store(bundled_store_copy) -> Path:
    return bundled_store_copy


NEW_TEXT = (
    "The head of the Haqqani network is Sirajuddin Haqqani, who is a proscribed terrorist.\n"
    "Mullah Abdul Rahman, a commander of the Tehrik-e-Jihad Front, was arrested in Kunar on May 8.\n"
)


def test_dry_run_prints_the_contract_and_stores_nothing(store, tmp_path, capsys):
    document = tmp_path / "report.txt"
    document.write_text(NEW_TEXT, encoding="utf-8")
    before = store.read_bytes()
    files = sorted(p.name for p in (store.parent / "sources").iterdir())
    code = main(
        [
            "ingest",
            str(document),
            "--title",
            "Report",
            "--published",
            "2022-01",
            "--grade",
            "B",
            "--url",
            "https://example.org/r",
            "--dry-run",
            "--json",
            "--db",
            str(store),
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"document", "mentions", "ambiguous", "new_names", "suggestions"}
    _check_contract(payload)
    assert payload["document"]["id"] is None and payload["document"]["grade"] == "B"
    assert any(s["existing_tie"] == "sirajuddin-haqqani--leads--haqqani-network" for s in payload["suggestions"])
    assert {"name": "Tehrik-e-Jihad Front", "new": True} in [s["target"] for s in payload["suggestions"]] + [
        s["source"] for s in payload["suggestions"]
    ]
    assert store.read_bytes() == before
    assert sorted(p.name for p in (store.parent / "sources").iterdir()) == files


def test_dry_run_table_and_usage_errors(store, tmp_path, capsys):
    document = tmp_path / "report.txt"
    document.write_text(NEW_TEXT, encoding="utf-8")
    assert main(["ingest", str(document), "--title", "Report", "--dry-run", "--db", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Suggested ties" in out and "Sirajuddin Haqqani" in out and "not stored" in out
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["ingest", str(empty), "--title", "x", "--dry-run", "--db", str(store)]) == 2
    assert main(["ingest", str(tmp_path / "missing.txt"), "--title", "x", "--db", str(store)]) == 1
    assert main(["ingest", str(document), "--title", "x", "--published", "May", "--db", str(store)]) == 2
    assert main(["ingest", str(document), "--title", "x", "--grade", "Z", "--db", str(store)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_ingest_stores_the_document_and_accept_known_cites_it(store, tmp_path, capsys):
    document = tmp_path / "report.txt"
    document.write_text(NEW_TEXT, encoding="utf-8")
    before = load_store(store)
    code = main(
        [
            "ingest",
            str(document),
            "--title",
            "Report",
            "--grade",
            "B",
            "--url",
            "https://example.org/r",
            "--published",
            "2022-01",
            "--accept-known",
            "--json",
            "--db",
            str(store),
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    _check_contract(payload)
    after = load_store(store)
    (new_id,) = set(after.sources) - set(before.sources)
    source = after.sources[new_id]
    assert (source.title, source.grade, source.url, source.published) == (
        "Report",
        "B",
        "https://example.org/r",
        "2022-01",
    )
    assert (store.parent / source.path).read_text(encoding="utf-8") == NEW_TEXT
    assert payload["document"]["id"] == new_id
    leads = after.ties["sirajuddin-haqqani--leads--haqqani-network"]
    assert any(c.source == new_id and c.quote in NEW_TEXT for c in leads.citations)
    assert set(payload["cited_ties"]) >= {"sirajuddin-haqqani--leads--haqqani-network"}
    # Only citations: no new tie, no new actor without review.
    assert set(after.ties) == set(before.ties) and set(after.actors) == set(before.actors)
    # Storing the same text twice is refused.
    assert main(["ingest", str(document), "--title", "Again", "--db", str(store)]) == 2
    assert "already stored" in capsys.readouterr().err


def test_without_accept_known_only_the_document_is_added(store, monkeypatch, capsys):
    """Read from standard input ("-"); the ties stay exactly as they were."""
    import io
    import sys

    before = load_store(store)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NEW_TEXT.encode("utf-8"))))
    assert main(["ingest", "-", "--title", "Piped", "--db", str(store)]) == 0
    assert "stored as" in capsys.readouterr().out
    after = load_store(store)
    (new_id,) = set(after.sources) - set(before.sources)
    assert (store.parent / after.sources[new_id].path).read_text(encoding="utf-8") == NEW_TEXT
    assert {k: v.to_dict() for k, v in after.ties.items()} == {k: v.to_dict() for k, v in before.ties.items()}


def test_the_stored_step_is_one_undo(store):
    editor = Editor.open(store)
    before = store.read_bytes()
    before_data = load_store(store)
    analysis = analyse(NEW_TEXT, editor.graph, published="2022-01")
    accepted = [s for s in analysis.suggestions if s.existing_tie or s.source.actor_id is None]
    assert any(s.source.actor_id is None for s in accepted), "a new name must be among the accepted"
    document = NewDocument(title="Report", text=NEW_TEXT, grade="C")
    command = editor.commit(lambda: ingest_command(editor, accepted=accepted, document=document))
    after = load_store(store)
    assert set(after.actors) > set(before_data.actors)
    assert len(after.ties) > len(before_data.ties)
    (new_id,) = set(after.sources) - set(before_data.sources)
    text_file = store.parent / after.sources[new_id].path
    assert text_file.exists()
    assert "add document Report" in command.description
    editor.undo()
    restored = load_store(store)
    assert {k: v.to_dict() for k, v in restored.ties.items()} == {k: v.to_dict() for k, v in before_data.ties.items()}
    assert set(restored.actors) == set(before_data.actors)
    assert set(restored.sources) == set(before_data.sources)
    assert not text_file.exists()
    editor.redo()
    assert new_id in load_store(store).sources and text_file.exists()
    assert before != store.read_bytes()


def test_an_accepted_event_name_becomes_an_event_actor(store):
    editor = Editor.open(store)
    text = "Haqqani Network was raided by the Taliban in 2019, months after talks failed."
    analysis = analyse(text, editor.graph, published="2020-02")
    event = "raid of Haqqani Network (2019)"
    accepted = [s for s in analysis.suggestions if event in (s.source.name, s.target.name)]
    assert {s.type for s in accepted} >= {"targeted", "carried_out"}
    document = NewDocument(title="Raid", text=text)
    editor.commit(lambda: ingest_command(editor, accepted=accepted, document=document))
    after = load_store(store)
    (actor,) = [a for a in after.actors.values() if a.name == event]
    assert actor.kind == "event"
    kinds = {t.type for t in after.ties.values() if actor.id in (t.source, t.target)}
    assert kinds >= {"targeted", "carried_out"}


def test_every_suggestion_quotes_its_document_verbatim():
    graph = Graph(load_store(BUNDLED))
    for source in graph.data.sources.values():
        text = read_document(graph.data, source)
        analysis = analyse(text, graph, published=source.published)
        assert analysis.suggestions
        for s in analysis.suggestions:
            assert s.quote in text
            assert s.source.key != s.target.key


def test_measurement_slice_one_document_meets_a_floor():
    """A fast slice of bench/ingest_bench.py: remove one document and find its ties again."""
    import importlib.util
    import sys

    path = Path(__file__).resolve().parent.parent / "bench" / "ingest_bench.py"
    spec = importlib.util.spec_from_file_location("ingest_bench", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules["ingest_bench"] = bench  # dataclasses look their module up
    spec.loader.exec_module(bench)
    data = load_store(BUNDLED)
    score = bench.score_document(data, "000_f7d597f755b0e798")
    assert score.removed > 0
    assert score.ends / score.removed >= 0.5
    assert score.right >= score.wrong * 0.5
