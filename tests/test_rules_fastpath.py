"""The rulebook's fast paths never clear a record the rules would refuse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khorasan_tui import rules
from khorasan_tui.model import KINDS, STATUSES, TIE_TYPES, Actor, Citation, Tie

SOURCES = {"doc": object()}
KIND_OF = {"a": "group", "b": "person", "e": "event", "p": "place"}

text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Name", "", " ", "x" * 301, "ISK\u200bP", "a\nb", "\x1b[31m", "[b]x[/b]", "Ж" * 20_001]),
)
date = st.one_of(st.none(), st.sampled_from(["2015", "2020-03", "2020-02-30", "2021-13", "later", "1999-12-31"]))
citation = st.builds(
    Citation,
    source=st.sampled_from(["doc", "nowhere"]),
    quote=text,
    credibility=st.one_of(st.none(), st.integers(0, 7)),
)


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        Actor,
        id=st.sampled_from(["a", "ok-id", "Bad Id", "x" * 81]),
        name=text,
        kind=st.sampled_from([*KINDS, "alien"]),
        aliases=st.lists(text, max_size=3),
        summary=text,
        born=date,
        died=date,
        citations=st.lists(citation, max_size=2),
        possible_duplicate_of=st.sampled_from([None, "a", "b"]),
    )
)
def test_a_clean_actor_has_no_problem(actor):
    if rules._actor_clean(actor, SOURCES):
        assert rules.actor_problems(actor, SOURCES) == []


@settings(max_examples=300, deadline=None)
@given(
    st.builds(
        Tie,
        id=st.sampled_from(["a--leads--b", "bad id", "x" * 301]),
        type=st.sampled_from([*TIE_TYPES, "likes"]),
        source=st.sampled_from([*KIND_OF, "missing"]),
        target=st.sampled_from([*KIND_OF, "missing"]),
        status=st.sampled_from([*STATUSES, "rumoured"]),
        claimant=st.sampled_from([None, "a", "missing"]),
        role=st.one_of(st.none(), text),
        start=date,
        end=date,
        summary=text,
        citations=st.lists(citation, max_size=2),
        note=text,
    )
)
def test_a_clean_tie_has_no_problem(tie):
    if rules._tie_clean(tie, KIND_OF, SOURCES):
        assert rules.tie_problems(tie, KIND_OF, SOURCES) == []
