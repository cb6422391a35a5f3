"""Documents screen and the review of suggested ties, driven through Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select, TextArea

from khorasan_tui.app.documents import DocumentReaderScreen, DocumentsScreen, wrap_offsets
from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.main import make_app
from khorasan_tui.app.review import ACCEPTED, REJECTED, AddDocumentScreen, ReviewScreen, SuggestionFormScreen
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.ingest import NewDocument
from khorasan_tui.store import load_store

from .apphelpers import ready, screen_text, until

DOC = "000_f7d597f755b0e798"


@pytest.fixture
def store(bundled_store_copy) -> Path:
    return bundled_store_copy


def ties_of(path: Path) -> dict:
    return {k: v.to_dict() for k, v in load_store(path).ties.items()}


def test_wrap_offsets_cover_the_text_in_order():
    text = "one two three four five six\n\nseven eightnineteneleven"
    lines = wrap_offsets(text, 10)
    assert [text[s:e] for s, e in lines] == ["one two", "three four", "five six", "", "seven", "eightninet", "eneleven"]


async def test_documents_list_read_search_at_80x24(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        shown = screen_text(app)
        assert "5 documents" in shown and "ties" in shown and "ungraded" in shown
        rows = app.screen.query_one("#documents-list", RowList)
        assert list(rows.keys) == sorted(load_store(store).sources)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentReaderScreen))
        reader = app.screen
        assert reader.quoted_line_numbers, "quoted passages are marked"
        first = reader.query_one("#reader-lines", RowList).cursor
        assert first in reader.quoted_line_numbers
        assert reader.query_one("#reader-ties", RowList).row_count >= 1
        await pilot.press("n")
        assert reader.query_one("#reader-lines", RowList).cursor != first
        # enter on a line goes to the ties its quote supports; enter on a tie jumps there.
        await pilot.press("enter")
        ties = reader.query_one("#reader-ties", RowList)
        assert ties.has_focus
        tie = app.graph.ties[ties.cursor_key]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert app.current == tie.source
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await pilot.press("slash", *"Sworn enemies")
        await until(pilot, lambda: app.screen.hits is not None and len(app.screen.hits) >= 2)
        assert {h.source_id for h in app.screen.hits} >= {"002_7cc125320d65fb31", "004_587b15208d2c7068"}
        assert "Sworn enemies" in screen_text(app) or "sworn enemies" in screen_text(app)
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, DocumentReaderScreen))
        assert app.screen.focus_span is not None


@pytest.mark.parametrize("in_a_worker", [False, True], ids=["small-store", "big-store-save-in-a-worker"])
async def test_review_accept_reject_and_one_undo(store, in_a_worker, monkeypatch):
    from khorasan_tui.app import main as app_main

    if in_a_worker:
        monkeypatch.setattr(app_main, "THREADED_SAVE", 0)
    before = ties_of(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        saving: list[bool] = []
        app.watch(app, "saving", lambda value: saving.append(value), init=False)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.analysis is not None)
        review = app.screen
        assert review.suggestions
        assert "grade" in screen_text(app) or "ungraded" in screen_text(app)
        new_ties = [i for i, s in enumerate(review.suggestions) if not s.existing_tie]
        known = [i for i, s in enumerate(review.suggestions) if s.existing_tie]
        assert new_ties and known
        rows = review.query_one("#review-list", RowList)
        rows.cursor = new_ties[0]
        await pilot.press("enter")
        rows.cursor = new_ties[1]
        await pilot.press("x")
        rows.cursor = known[0]
        await pilot.press("enter")
        assert review.decisions == {new_ties[0]: ACCEPTED, new_ties[1]: REJECTED, known[0]: ACCEPTED}
        accepted_new = review.suggestions[new_ties[0]]
        rejected = review.suggestions[new_ties[1]]
        corroborated = review.suggestions[known[0]].existing_tie
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        after = ties_of(store)
        added = set(after) - set(before)
        assert len(added) == 1
        (tie_id,) = added
        assert after[tie_id]["type"] == accepted_new.type
        assert after[tie_id]["citations"] == [{"source": DOC, "quote": accepted_new.quote}]
        assert len(after[corroborated]["citations"]) == len(before[corroborated]["citations"]) + 1
        assert not any(
            t["type"] == rejected.type and t["citations"][0]["quote"] == rejected.quote
            for k, t in after.items()
            if k not in before
        )
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        await pilot.press("u")
        await until(pilot, lambda: ties_of(store) == before)
        # the review's save and the undo went through the worker only on a big store
        assert saving == ([True, False, True, False] if in_a_worker else [])


async def test_a_new_document_with_new_names_is_one_undoable_step(store):
    text = (
        "Mullah Abdul Rahman, a commander of the Tehrik-e-Jihad Front, was arrested in Kunar.\n"
        "The Haqqani network is led by Sirajuddin Haqqani.\n"
    )
    path = store.parent / "report.txt"
    path.write_text(text, encoding="utf-8")
    before = load_store(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddDocumentScreen))
        form = app.screen
        form.query_one("#input-title", Input).value = "[bold]Field report"
        form.query_one("#input-text", TextArea).text = "Sirajuddin Haqqani leads the Haqqani Network."
        form.query_one("#input-grade", Select).value = "C"
        # A quote alone is not a document: the file's full text wins over the pasted line.
        form.query_one("#input-path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.analysis is not None)
        review = app.screen
        assert review.document == NewDocument(title="[bold]Field report", text=text, grade="C")
        assert "[bold]Field report" in screen_text(app), "titles are data, not markup"
        rows = review.query_one("#review-list", RowList)
        index = next(
            i
            for i, s in enumerate(review.suggestions)
            if {s.source.name, s.target.name} == {"Mullah Abdul Rahman", "Tehrik-e-Jihad Front"}
        )
        rows.cursor = index
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, SuggestionFormScreen))
        app.screen.query_one("#input-type", Select).value = "member_of"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert review.decisions[index] == ACCEPTED and review.suggestions[index].type == "member_of"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        after = load_store(store)
        (source_id,) = set(after.sources) - set(before.sources)
        assert after.sources[source_id].grade == "C"
        assert (store.parent / after.sources[source_id].path).read_text(encoding="utf-8") == text
        names = {a.name: a for a in after.actors.values()}
        assert names["Mullah Abdul Rahman"].kind == "person"
        assert names["Tehrik-e-Jihad Front"].kind == "group"
        new_tie = next(t for t in after.ties.values() if t.source == names["Mullah Abdul Rahman"].id)
        assert (new_tie.type, new_tie.target) == ("member_of", names["Tehrik-e-Jihad Front"].id)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        await pilot.press("u")
        await until(pilot, lambda: set(load_store(store).sources) == set(before.sources))
        restored = load_store(store)
        assert set(restored.actors) == set(before.actors)
        assert set(restored.ties) == set(before.ties)
        assert not (store.parent / after.sources[source_id].path).exists()
