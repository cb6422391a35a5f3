"""Editing in the app: forms that check as you type, atomic saves, undo/redo."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static, TextArea

from khorasan_tui.app.editing import ActorFormScreen, ConfirmScreen, TieFormScreen
from khorasan_tui.app.explorer import ExplorerScreen
from khorasan_tui.app.main import make_app
from khorasan_tui.app.rowlist import RowList
from khorasan_tui.documents import read_document
from khorasan_tui.store import load_store
from khorasan_tui.validate import is_valid, validate

from .apphelpers import BUNDLED, ready, screen_text, until


@pytest.fixture
def store(bundled_store_copy) -> Path:
    """The store the app edits: a copy of the bundled one (see conftest)."""
    return bundled_store_copy


def check_text(screen, name: str) -> str:
    return str(screen.query_one(f"#check-{name}", Static).render())


async def test_add_actor_validates_as_you_type_then_saves_and_undoes(store):
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        form = app.screen
        await pilot.press(*"Nangarhar Shura")
        form.query_one("#input-born", Input).value = "2020-13"
        await pilot.pause()
        assert "not a date" in check_text(form, "born")
        unsaved = store.read_bytes()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ActorFormScreen), "a bad date must block the save"
        assert store.read_bytes() == unsaved, "a blocked save writes nothing"
        assert "nangarhar-shura" not in load_store(store).actors
        form.query_one("#input-born", Input).value = "2019"
        form.query_one("#input-aliases", Input).value = "NS; Shura of Nangarhar"
        await pilot.pause()
        assert "not a date" not in check_text(form, "born")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen) and app.current == "nangarhar-shura")
        saved = load_store(store)
        assert saved.actors["nangarhar-shura"].aliases == ["NS", "Shura of Nangarhar"]
        assert app.current == "nangarhar-shura"
        await pilot.press("u")
        await until(pilot, lambda: "nangarhar-shura" not in load_store(store).actors)
        assert app.current != "nangarhar-shura"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "nangarhar-shura" in load_store(store).actors)


async def test_duplicate_name_is_refused_next_to_the_field(store):
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        await pilot.press(*"al-Qaida")
        await pilot.pause()
        assert "✗" in check_text(app.screen, "name")


async def test_new_tie_requires_a_verbatim_quote_and_saves(store):
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        app.open_actor("jundullah")
        await pilot.pause()
        before = len(load_store(store).ties)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TieFormScreen))
        form = app.screen
        form.query_one("#input-to", Input).value = "Ttp"
        form.query_one("#input-type", Select).value = "cooperates_with"
        form.query_one("#input-status", Select).value = "reported"
        form.query_one("#input-source", Select).value = "003_50cd16d63b8cd570"
        form.query_one("#input-quote", TextArea).text = "words that are not in the document"
        await pilot.pause()
        assert "✗" in check_text(form, "quote")
        assert "Tehrik-e-Taliban Pakistan" in check_text(form, "to")
        unsaved = store.read_bytes()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TieFormScreen), "a quote not in the document must block the save"
        assert store.read_bytes() == unsaved, "a blocked save writes nothing"
        assert len(load_store(store).ties) == before
        form.query_one(
            "#input-quote", TextArea
        ).text = "including the Jundullah, an anti-Shiite group operating mainly against Iran, and the Ttp"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        saved = load_store(store)
        assert len(saved.ties) == before + 1
        assert is_valid(validate(saved))
        assert any(
            t.source == "jundullah" and t.target == "ttp" and t.type == "cooperates_with" for t in saved.ties.values()
        )


async def test_new_tie_with_a_new_document(store):
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TieFormScreen))
        form = app.screen
        form.query_one("#input-to", Input).value = "Russia"
        form.query_one("#input-type", Select).value = "hostile_to"
        form.query_one("#input-source", Select).value = "__new__"
        await pilot.pause()
        assert form.query_one("#field-title").display
        form.query_one("#input-title", Input).value = "Field notes"
        form.query_one("#input-quote", TextArea).text = "ISKP declared war on Russia."
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        saved = load_store(store)
        new = [s for s in saved.sources.values() if s.title == "Field notes"]
        assert len(new) == 1
        assert is_valid(validate(saved))


async def test_delete_tie_and_actor_ask_first(store):
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        app.open_actor("jundullah")
        await pilot.pause()
        ties = app.screen.query_one("#tie-list", RowList)
        ties.focus()
        await pilot.pause()
        tie_id = ties.cursor_key
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert tie_id in load_store(store).ties
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: tie_id not in load_store(store).ties)
        app.screen.query_one("#actor-list").focus()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith("Delete Jundullah and ")
        assert "(s)" not in app.screen.question + app.screen.detail
        await pilot.press("y")
        await until(pilot, lambda: "jundullah" not in load_store(store).actors)
        assert app.current != "jundullah"
        await pilot.press("u")
        await until(pilot, lambda: "jundullah" in load_store(store).actors)
        # An actor that claims ties it is not an end of: they go too (a claim needs its claimant), and the question says so.
        claimant = next(t.claimant for t in app.graph.ties.values() if t.claimant not in (None, t.source, t.target))
        app.open_actor(claimant)
        app.screen.query_one("#actor-list").focus()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "it claims" in app.screen.question
        await pilot.press("n")


async def test_read_only_hides_editing_keys(store):
    original = store.read_bytes()
    app = make_app(store, read_only=True)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        assert "read-only" in app.sub_title
        assert app.check_action("add_actor", ()) is False
        await pilot.press("a", "n", "d", "u")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert load_store(store).ties.keys() == load_store(BUNDLED).ties.keys()
    assert store.read_bytes() == original, "a read-only session never writes the store"


async def test_undo_after_another_process_saved_keeps_the_app_alive(store):
    """Add a tie, let another writer save (a CLI command), undo: the app reloads,
    reverts the tie and repaints without tripping over the ids that changed."""
    from khorasan_tui.cli import main

    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        data = app.editor.data
        source = next(iter(data.sources.values()))
        quote = read_document(data, source).split()[:6]
        tie = app.editor.add_tie("iskp", "cooperates_with", "uzbekistan", quote=" ".join(quote), source_id=source.id)
        await pilot.pause()
        assert main(["--db", str(store), "add-alias", "taliban", "TB"]) == 0
        await pilot.press("u")
        await until(pilot, lambda: tie.id not in load_store(store).ties)
        await ready(app, pilot)
        assert app.is_running
        assert "TB" in app.graph.actors["taliban"].aliases
        assert tie.id not in app.graph.ties
        assert "uzbekistan" not in [t.other("iskp") for t in app.graph.ties_of("iskp") if t.type == "cooperates_with"]


async def test_another_programs_save_is_picked_up_keeping_the_users_place(store):
    from textual.widgets._toast import Toast

    from khorasan_tui.cli import main

    app = make_app(store)
    async with app.run_test(size=(100, 36), notifications=True) as pilot:
        await ready(app, pilot)
        app.open_actor("haqqani-network")
        app.set_filters(None, None, ["reported"])
        app.set_as_of("2021")
        await pilot.pause()
        ties = app.screen.query_one("#tie-list", RowList)
        ties.focus()
        ties.action_last()
        await pilot.pause()
        place = ties.cursor_key
        assert main(["--db", str(store), "add-alias", "taliban", "TB"]) == 0
        await until(pilot, lambda: "TB" in app.graph.actors["taliban"].aliases)
        await ready(app, pilot)
        assert app.current == "haqqani-network"
        assert app.tie_statuses == frozenset({"reported"}) and app.as_of == "2021"
        assert ties.cursor_key == place and ties.has_focus
        toasts = " ".join(toast.render().plain for toast in app.screen.query(Toast))
        assert "changed by another program" in toasts


async def test_escape_asks_before_throwing_away_a_filled_in_form_and_q_never_quits_it(store):
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        await pilot.press("escape")  # nothing typed: closes at once
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        form = app.screen
        await pilot.press(*"Nangarhar Shura q")  # q while typing is a letter
        assert form.query_one("#input-name", Input).value == "Nangarhar Shura q"
        form.query_one("#input-kind", Select).focus()
        await pilot.press("q")  # not typing, but the form holds unsaved input
        await pilot.pause()
        assert app.is_running and app.screen is form
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Discard changes?" in app.screen.question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#input-name", Input).value == "Nangarhar Shura q"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert "nangarhar-shura-q" not in load_store(store).actors


async def test_a_document_date_typed_exactly_is_not_shown_as_an_estimate(store):
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TieFormScreen))
        form = app.screen
        form.query_one("#input-to", Input).value = "Russia"
        form.query_one("#input-type", Select).value = "hostile_to"
        form.query_one("#input-source", Select).value = "__new__"
        await pilot.pause()
        form.query_one("#input-title", Input).value = "Field notes"
        form.query_one("#input-published", Input).value = "2023-05-01"
        form.query_one("#input-quote", TextArea).text = "ISKP declared war on Russia."
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        app.open_actor("russia")
        await pilot.pause()
        detail = screen_text(app)
        assert "Field notes" in detail and "2023-05-01" in detail
        assert "~2023-05-01" not in detail
        # the bundled documents' dates are estimates with a note: those keep their ~
        app.open_actor("jundullah")
        await pilot.pause()
        assert "~20" in screen_text(app)


async def test_a_store_broken_by_another_program_is_kept_out_until_it_is_fixed(store):
    from khorasan_tui.cli import main

    original = store.read_bytes()
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        store.write_bytes(b"{half a file")
        await until(pilot, lambda: app._unreadable_stat is not None)
        assert app.is_running and "iskp" in app.graph.actors
        store.write_bytes(original)
        assert main(["--db", str(store), "add-alias", "taliban", "TB"]) == 0
        await until(pilot, lambda: "TB" in app.graph.actors["taliban"].aliases)


async def test_the_first_edit_of_the_bundled_store_goes_to_the_users_copy(tmp_path):
    from khorasan_tui.store import bundled_store_path

    bundled = bundled_store_path()
    before = bundled.read_bytes()
    copy = tmp_path / "user" / "khorasan.json"
    app = make_app(bundled, copy_edits_to=copy)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        assert str(bundled.name) in app.title
        app.editor.add_alias("iskp", "Khorasan Wilayah Test")
        await pilot.pause()
        assert app.editor.path == copy and "user/khorasan.json" in app.title
        app.editor.undo()
        await pilot.pause()
    assert bundled.read_bytes() == before, "never edited in place"
    assert "Khorasan Wilayah Test" not in load_store(copy).actors["iskp"].aliases
    assert (copy.parent / "sources").is_dir()


async def test_merge_a_duplicate_into_the_current_actor_then_undo_restores_the_file(store):
    from khorasan_tui.app.help import help_rows
    from khorasan_tui.app.merge import MergePickerScreen
    from khorasan_tui.edit import Editor
    from khorasan_tui.graph import Graph

    # A duplicate of ISKP under another name, with a tie of its own, saved by another editor.
    data = load_store(store)
    editor = Editor(data, Graph(data))
    editor.add_actor("Wilayat Khurasan Duplicate", "group")
    tie = next(
        t
        for t in data.ties.values()
        if "iskp" in (t.source, t.target) and data.actors[t.other("iskp")].kind == "group" and t.citations
    )
    citation = tie.citations[0]
    editor.add_tie(
        "wilayat-khurasan-duplicate", "allied_with", tie.other("iskp"), quote=citation.quote, source_id=citation.source
    )
    before = store.read_bytes()
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        app.open_actor("iskp")
        await pilot.pause()
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, MergePickerScreen))
        await pilot.press(*"Wilayat Khurasan Dup")
        await pilot.pause()
        assert app.screen.query_one("#merge-suggest", RowList).cursor_key == "wilayat-khurasan-duplicate"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question + " " + app.screen.detail
        assert "Wilayat Khurasan Duplicate" in question and "move" in question
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert store.read_bytes() == before, "declining writes nothing"
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, MergePickerScreen))
        await pilot.press(*"Wilayat Khurasan Dup", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: "wilayat-khurasan-duplicate" not in load_store(store).actors)
        merged = load_store(store)
        assert "Wilayat Khurasan Duplicate" in merged.actors["iskp"].aliases
        assert "wilayat-khurasan-duplicate" in merged.actors["iskp"].merged_ids
        assert app.graph.resolve("wilayat-khurasan-duplicate").id == "iskp"
        assert app.current == "iskp"
        await pilot.press("u")
        await until(pilot, lambda: "wilayat-khurasan-duplicate" in load_store(store).actors)
        assert store.read_bytes() == before, "undo restores the file byte for byte"
        assert ("M", "Merge another actor into this one") in help_rows(None, app.keymap)
        assert "Merge actors" in [command.title for command in app.get_system_commands(app.screen)]


async def test_a_big_store_saves_in_a_worker_showing_saving_with_editing_keys_off(store, monkeypatch):
    from khorasan_tui.app import main as app_main

    monkeypatch.setattr(app_main, "THREADED_SAVE", 0)  # the bundled store counts as big
    app = make_app(store)
    async with app.run_test(size=(100, 36)) as pilot:
        await ready(app, pilot)
        seen: list[tuple[bool, bool | None, str]] = []
        app.watch(
            app,
            "saving",
            lambda saving: seen.append((saving, app.check_action("delete", ()), app.sub_title)),
            init=False,
        )
        app.open_actor("jundullah")
        await pilot.pause()
        app.screen.query_one("#actor-list").focus()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: not app.saving)
        assert "jundullah" not in load_store(store).actors
        assert seen[0] == (True, False, seen[0][2]) and "Saving…" in seen[0][2], seen
        assert seen[-1][:2] == (False, True) and "Saving…" not in app.sub_title
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "jundullah" in load_store(store).actors and not app.saving)
        # a form saves the same way: the form says "Saving…", then closes
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ActorFormScreen))
        await pilot.press(*"Nangarhar Shura", "ctrl+s")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: isinstance(app.screen, ExplorerScreen) and not app.saving)
        assert "nangarhar-shura" in load_store(store).actors and app.current == "nangarhar-shura"
        assert [s[0] for s in seen[-2:]] == [True, False]
