"""The plain data layer: vocabularies, dates, name folding and (de)serialisation."""

from __future__ import annotations

import pytest

from khorasan_tui.model import (
    COOPERATIVE_TYPES,
    KIND_GLYPHS,
    KINDS,
    STATUS_GLYPHS,
    STATUSES,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    date_end_key,
    date_sort_key,
    is_partial_date,
    kind_label,
    make_tie_id,
    normalize_key,
    slugify,
    strip_control,
)

# -- vocabularies ---------------------------------------------------------------


def test_every_kind_has_a_glyph_and_a_label():
    assert set(KIND_GLYPHS) == set(KINDS)
    assert len(set(KIND_GLYPHS.values())) == len(KINDS), "kinds must be told apart without colour"
    assert all(kind_label(k) == f"{KIND_GLYPHS[k]} {k}" for k in KINDS)


def test_core_kinds_and_statuses():
    assert {"group", "person", "state", "agency", "organization", "event", "place"} <= set(KINDS)
    assert set(STATUSES) == {"reported", "alleged", "claimed", "disputed"}
    assert set(STATUS_GLYPHS) == set(STATUSES)
    assert len(set(STATUS_GLYPHS.values())) == len(STATUSES)


def test_tie_types_are_keyed_by_their_names_and_worded_both_ways():
    for name, spec in TIE_TYPES.items():
        assert spec.name == name
        assert spec.forward and spec.backward
        if not spec.directed:
            assert spec.forward == spec.backward, f"{name} is undirected, so it reads the same both ways"
    assert TIE_TYPES["leads"].directed
    assert not TIE_TYPES["hostile_to"].directed
    assert not TIE_TYPES["family"].directed


def test_cooperative_types():
    assert COOPERATIVE_TYPES == {"supports", "allied_with", "cooperates_with"}
    assert "hostile_to" not in COOPERATIVE_TYPES


# -- partial dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2015", "2020-03", "2020-03-25", "2020-02-29", "2000-02-29", "1999-12-31", "2021-01-01", "2021-04-30"],
)
def test_valid_partial_dates(value):
    assert is_partial_date(value)


@pytest.mark.parametrize(
    "value",
    [
        "2020-02-30",
        "2020-13",
        "2020-00",
        "2020-01-00",
        "2020-04-31",
        "2021-02-29",  # not a leap year
        "1900-02-29",  # century, not a leap year
        "2020-1",
        "2020-01-1",
        "20",
        "",
        "March 2020",
        "2020/03/25",
        "2020-03-25T00:00",
        "2020\n",  # "$" would let the newline through
        " 2020",
        "٢٠٢٠",  # Arabic-Indic digits are not ISO digits
    ],
)
def test_invalid_partial_dates(value):
    assert not is_partial_date(value)


def test_date_sort_key_orders_coarse_before_fine():
    ordered = ["2019-12-31", "2020", "2020-01", "2020-03", "2020-03-01", "2020-03-25", "2020-04", "2021"]
    shuffled = ordered[::-1]
    assert sorted(shuffled, key=date_sort_key) == ordered
    assert date_sort_key("2020") < date_sort_key("2020-03") < date_sort_key("2020-03-25") < date_sort_key("2021")


def test_missing_dates_sort_last():
    assert date_sort_key(None) > date_sort_key("9998-12-31")
    assert date_sort_key("") == date_sort_key(None)


def test_date_end_key_is_the_last_day_a_partial_date_can_mean():
    assert date_end_key("2020") == (2020, 12, 31)
    assert date_end_key("2020-03") >= (2020, 3, 31)
    assert date_end_key("2020-03") < date_sort_key("2020-04")
    assert date_end_key("2020-03-25") == (2020, 3, 25)


# -- names --------------------------------------------------------------------------


def test_normalize_key_folds_spelling_variants_together():
    variants = ["al Qaeda", "Al-Qaeda", "al-qaeda", "AL QAEDA", "al_qaeda", "Al–Qaeda", "  al  qaeda "]
    assert {normalize_key(v) for v in variants} == {"alqaeda"}


def test_normalize_key_strips_accents():
    assert normalize_key("Ḥaqqānī") == normalize_key("Haqqani")
    assert normalize_key("Café") == "cafe"


@pytest.mark.parametrize("apostrophe", ["'", "’", "‘", "`", "´"])
def test_normalize_key_ignores_apostrophes(apostrophe):
    assert normalize_key(f"Jama{apostrophe}at") == normalize_key("Jamaat") == "jamaat"


def test_normalize_key_keeps_letters_that_tell_names_apart():
    assert normalize_key("Lashkar-e-Taiba") != normalize_key("Lashkar-e-Toiba")
    assert normalize_key("ISKP") != normalize_key("ISK")


def test_slugify():
    assert slugify("Sirajuddin Haqqani") == "sirajuddin-haqqani"
    assert slugify("Tehrik-e-Taliban Pakistan (TTP)") == "tehrik-e-taliban-pakistan-ttp"
    assert slugify("  Ḥaqqānī  Network ") == "haqqani-network"
    assert slugify("al-Qa'ida") == "al-qa-ida"
    assert slugify("داعش") == "actor", "a name with no ASCII letters still gets a usable id"
    assert slugify("") == "actor"


def test_strip_control_removes_escape_sequences_but_keeps_text():
    hostile = "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J bell\x07 nul\x00 del\x7f"
    cleaned = strip_control(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert "\x00" not in cleaned and "\x7f" not in cleaned
    assert "red" in cleaned and "bell" in cleaned
    assert strip_control("[bold]x[/] ☺ ISKP – Ḥaqqānī") == "[bold]x[/] ☺ ISKP – Ḥaqqānī"
    # Invisible characters go too (a name must not hide or reorder itself); newlines stay.
    assert strip_control("ISK\u200bP\u202e") == "ISKP" and strip_control("a\nb") == "a\nb"


def test_strip_control_keeps_newlines_and_tabs():
    assert strip_control("a\nb\tc") == "a\nb\tc"


def test_make_tie_id_is_readable_and_unique():
    assert make_tie_id("a", "leads", "b", set()) == "a--leads--b"
    assert make_tie_id("a", "leads", "b", {"a--leads--b"}) == "a--leads--b--2"
    assert make_tie_id("a", "leads", "b", {"a--leads--b": 1, "a--leads--b--2": 1}) == "a--leads--b--3"


# -- records -------------------------------------------------------------------------


def test_actor_round_trip_with_every_field():
    actor = Actor(
        id="x",
        name="X",
        kind="person",
        aliases=["Ex", "Mr X"],
        summary="someone",
        born="1970",
        died="2020-03-25",
        citations=[Citation("doc", "X was born")],
        possible_duplicate_of="y",
    )
    assert Actor.from_dict(actor.to_dict()) == actor
    group = Actor(id="g", name="G", kind="group", founded="2015-01", ended="2021")
    assert Actor.from_dict(group.to_dict()) == group


def test_actor_to_dict_omits_empty_dates_but_keeps_lists():
    data = Actor(id="x", name="X", kind="group").to_dict()
    assert data == {"id": "x", "name": "X", "kind": "group", "aliases": [], "summary": "", "citations": []}


def test_actor_from_dict_fills_defaults():
    actor = Actor.from_dict({"id": "x", "name": "X", "kind": "group"})
    assert actor.aliases == [] and actor.summary == "" and actor.citations == []
    assert actor.start is None and actor.end is None
    assert actor.names == ["X"]


def test_actor_start_and_end_cover_people_and_groups():
    assert Actor("p", "P", "person", born="1970", died="2020").start == "1970"
    assert Actor("p", "P", "person", born="1970", died="2020").end == "2020"
    assert Actor("g", "G", "group", founded="2015", ended="2021").start == "2015"
    assert Actor("g", "G", "group", founded="2015", ended="2021").end == "2021"


def test_tie_round_trip():
    tie = Tie(
        id="a--supports--b",
        type="supports",
        source="a",
        target="b",
        status="claimed",
        claimant="c",
        role="logistics",
        start="2020",
        end="2021-06",
        summary="a helps b",
        citations=[Citation("doc", "a helps b"), Citation("doc2", "indeed")],
    )
    assert Tie.from_dict(tie.to_dict()) == tie
    minimal = Tie.from_dict({"id": "t", "type": "leads", "source": "a", "target": "b"})
    assert minimal.status == "reported" and minimal.citations == []
    assert Tie.from_dict(minimal.to_dict()) == minimal


def test_source_round_trip():
    source = Source(
        "doc", "A title", publisher="P", published="2021-09", published_note="estimated", path="sources/doc.txt"
    )
    assert Source.from_dict(source.to_dict()) == source
    assert Source.from_dict({"id": "doc"}).title == "doc"


def test_citation_round_trip():
    citation = Citation("doc", "a quote with “curly” marks")
    assert Citation.from_dict(citation.to_dict()) == citation


def test_wording_from_both_ends_of_a_directed_tie():
    tie = Tie("t", "leads", "sirajuddin", "haqqani")
    assert tie.directed
    assert tie.wording_from("sirajuddin") == "leads"
    assert tie.wording_from("haqqani") == "led by"
    assert tie.other("sirajuddin") == "haqqani"
    assert tie.other("haqqani") == "sirajuddin"
    member = Tie("m", "member_of", "farooqi", "iskp")
    assert member.wording_from("farooqi") == "member of"
    assert member.wording_from("iskp") == "has member"


def test_wording_from_an_undirected_tie_reads_the_same_both_ways():
    tie = Tie("t", "hostile_to", "iskp", "taliban")
    assert not tie.directed
    assert tie.wording_from("iskp") == tie.wording_from("taliban") == "hostile to"


def test_wording_of_an_unknown_type_is_its_name():
    tie = Tie("t", "mystery", "a", "b")
    assert tie.wording_from("a") == tie.wording_from("b") == "mystery"
    assert tie.directed
