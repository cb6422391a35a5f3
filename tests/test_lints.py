"""Lints: warnings about valid but doubtful knowledge, on small stores built in code."""

from __future__ import annotations

import pytest

from khorasan_tui import lints
from khorasan_tui.lints import Lint, lint
from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.store import StoreData, default_store_path, load_store


def actor(actor_id: str, *aliases: str, kind: str = "group") -> Actor:
    return Actor(id=actor_id, name=actor_id.title(), kind=kind, aliases=list(aliases))


def tie(
    tie_id: str, tie_type: str, quote: str, source: str = "a", target: str = "b", doc: str = "doc1", **fields
) -> Tie:
    return Tie(id=tie_id, type=tie_type, source=source, target=target, citations=[Citation(doc, quote)], **fields)


def store(ties: list[Tie] = (), actors: list[Actor] | None = None) -> StoreData:
    actors = actors if actors is not None else [actor("a"), actor("b"), actor("c")]
    return StoreData(
        actors={a.id: a for a in actors},
        ties={t.id: t for t in ties},
        sources={d: Source(id=d, title=d) for d in ("doc1", "doc2")},
    )


# -- a past role without an end date ---------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "cue"),
    [
        ("B's former commander A", "former"),
        ("A was formerly with B", "formerly"),  # "was" comes later in the list
        ("A, once a member of B", "once"),
        ("A led B until his arrest", "until"),
        ("A, who had died in 2018, led B", "had died"),
        ("an ex-member of B", "ex-"),
        ("the late A led B", "the late"),
    ],
)
def test_a_past_role_cue_without_an_end_date_is_flagged(quote, cue):
    found = lints.past_role_without_end(store([tie("t", "member_of", quote)]))
    assert found == [Lint("tie t", "end", f'its quote says "{cue}", a past role, but the tie has no end date')]


def test_a_past_role_with_an_end_date_or_a_one_off_act_or_a_present_quote_is_not_flagged():
    data = store(
        [
            tie("ended", "leads", "the former leader A", end="2018"),
            tie("act", "carried_out", "A was responsible for the attack"),
            tie("present", "leads", "A leads B in late 2021"),  # "late" without "the" is a date
            tie("inside", "leads", "A is the wasp of B"),  # cues are whole words
        ]
    )
    assert lints.past_role_without_end(data) == []


# -- one quote, two readings -------------------------------------------------------------


def test_one_quote_read_as_cooperation_and_hostility_is_flagged():
    quote = "A and B fought together against C"
    data = store([tie("coop", "cooperates_with", quote), tie("fight", "hostile_to", quote, source="b", target="a")])
    (found,) = lints.one_quote_two_readings(data)
    assert found.where == "tie coop" and found.field == "type"
    assert found.message == "one quote of doc1 is read as cooperation and as hostility by coop, fight"


def test_one_quote_read_with_two_statuses_is_flagged():
    quote = "A reportedly supports B"
    data = store([tie("sure", "supports", quote), tie("hedged", "affiliated_with", quote, status="alleged")])
    (found,) = lints.one_quote_two_readings(data)
    assert found.field == "status"
    assert found.message == "one quote of doc1 is read as alleged and reported by sure, hedged"


def test_one_quote_about_different_pairs_or_documents_may_say_several_things():
    quote = "A fights B but backs C, reportedly"
    data = store(
        [
            tie("fight", "hostile_to", quote),
            tie("back", "supports", quote, target="c", status="alleged"),
            tie("elsewhere", "cooperates_with", quote, doc="doc2"),  # the same words in another document
            tie("again", "hostile_to", quote),  # the same reading twice is no conflict
        ]
    )
    assert lints.one_quote_two_readings(data) == []


# -- aliases that are phrases --------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("the group", '"the" and the common word "group"'),
        ("the new Afghanistan", '"the" and the common word "new"'),
        ("Sikh gurdwara was attacked", 'it has the verb "was"'),
        ("one led by Ustad Moawya", 'it has the verb "led"'),
        ("leaked internal audio message", "4 words, all lower-case"),
    ],
)
def test_an_alias_that_is_a_phrase_is_flagged(alias, reason):
    found = lints.phrase_aliases(store(actors=[actor("x", alias)]))
    assert found == [Lint("actor x", "aliases", f'alias "{alias}" looks like a phrase, not a name: {reason}')]


@pytest.mark.parametrize(
    "alias", ["the Taliban", "the al-Qaeda network", "IS", "ISKP", "Haqqanis", "al-qaida", "peace talks", "the West"]
)
def test_names_are_not_phrases(alias):
    assert lints.phrase_aliases(store(actors=[actor("x", alias)])) == []


# -- all of them -----------------------------------------------------------------------------


def test_lint_runs_every_lint_without_touching_files():
    data = store(
        [
            tie("old", "leads", "the former head A"),
            tie("coop", "allied_with", "A with B"),
            tie("war", "hostile_to", "A with B"),
        ],
        actors=[actor("a", "the group"), actor("b"), actor("c")],
    )
    assert data.path is None  # no folder to read documents from: a lint that tried would fail
    assert [w.field for w in lint(data)] == ["end", "type", "aliases"]
    assert all(isinstance(w, tuple) and len(w) == 3 for w in lint(data))


def test_every_warning_on_the_bundled_store_names_a_record_and_its_field():
    data = load_store(default_store_path())
    for where, field, message in lint(data):
        kind, _, record_id = where.partition(" ")
        assert record_id in {"tie": data.ties, "actor": data.actors}[kind], where
        assert field in {"end", "type", "status", "aliases"} and message
