"""The shipped knowledge base: valid, sourced verbatim, and holding the key facts.

Curators keep adding to the store, so these assert stable facts and lower
bounds, never exact counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from khorasan_tui.graph import Graph
from khorasan_tui.model import COOPERATIVE_TYPES
from khorasan_tui.store import default_store_path, load_store
from khorasan_tui.documents import read_document, squash_whitespace

STORE = default_store_path()


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph(load_store(STORE))


@pytest.fixture(scope="module")
def texts(graph) -> dict[str, str]:
    out = {}
    for source in graph.data.sources.values():
        text = read_document(graph.data, source)
        assert text is not None, f"{source.id} has no text file"
        out[source.id] = text
    return out


def test_validate_passes_through_the_real_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "khorasan_tui", "validate", "--json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    verdict = json.loads(result.stdout)
    assert verdict["valid"] is True
    assert verdict["errors"] == []


def test_every_tie_cites_a_quote_found_in_its_document(graph, texts):
    squashed = {doc: squash_whitespace(text) for doc, text in texts.items()}
    missing = []
    for tie in graph.ties.values():
        assert tie.citations, f"tie {tie.id} has no citation"
        for citation in tie.citations:
            if squash_whitespace(citation.quote) not in squashed.get(citation.source, ""):
                missing.append((tie.id, citation.source, citation.quote[:60]))
    assert missing == []


def test_every_actor_citation_is_verbatim(graph, texts):
    squashed = {doc: squash_whitespace(text) for doc, text in texts.items()}
    missing = [
        (actor.id, c.source, c.quote[:60])
        for actor in graph.actors.values()
        for c in actor.citations
        if squash_whitespace(c.quote) not in squashed.get(c.source, "")
    ]
    assert missing == []


def test_documents_have_no_mojibake(texts):
    assert "โ€" not in texts["004_587b15208d2c7068"]
    for doc, text in texts.items():
        for garbage in ("โ€", "â€", "\ufffd"):
            assert garbage not in text, f"{doc} contains {garbage!r}"


def test_size_lower_bounds(graph):
    assert len(graph.actors) >= 50
    assert len(graph.ties) >= 80
    assert len(graph.data.sources) >= 5


@pytest.mark.parametrize(
    "actor_id",
    [
        "iskp",
        "haqqani-network",
        "taliban",
        "al-qaeda",
        "aqis",
        "ttp",
        "lashkar-e-taiba",
        "jaish-e-mohammed",
        "isi",
        "sirajuddin-haqqani",
        "aslam-farooqi",
        "haji-mali-khan",
    ],
)
def test_key_actors_exist(graph, actor_id):
    assert actor_id in graph.actors


def test_key_kinds(graph):
    assert graph.actors["iskp"].kind == "group"
    assert graph.actors["sirajuddin-haqqani"].kind == "person"
    assert graph.actors["aslam-farooqi"].kind == "person"
    assert graph.actors["isi"].kind == "agency"


def test_key_aliases(graph):
    assert "Lashkar-e-Toiba" in graph.actors["lashkar-e-taiba"].aliases
    farooqi = graph.actors["aslam-farooqi"].aliases
    assert "Abdullah Orakzai" in farooqi
    assert "Faroqqi" in farooqi


def test_haqqani_network_leaders(graph):
    leaders = {t.source for t in graph.ties_of("haqqani-network") if t.type == "leads" and t.target == "haqqani-network"}
    assert {"sirajuddin-haqqani", "haji-mali-khan"} <= leaders


def test_iskp_and_the_taliban_are_both_hostile_and_cooperative(graph):
    types = {t.type for t in graph.ties_between("iskp", "taliban")}
    assert "hostile_to" in types
    assert types & COOPERATIVE_TYPES


def test_iskp_is_the_hub(graph):
    assert graph.degree("iskp") >= 20
    assert "haqqani-network" in graph.neighbours("iskp")
