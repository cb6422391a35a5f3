"""The edit library (validation, undo/redo, saving) and the CLI edit commands."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from khorasan_tui.cli import main
from khorasan_tui.edit import (
    KEEP,
    AmbiguousActor,
    EditConflict,
    EditError,
    Editor,
    NewSource,
    UnknownItem,
    ValidationError,
    check_date,
    check_date_order,
    check_kind,
    check_quote_text,
    check_status,
    check_tie_type,
)
from khorasan_tui.model import KINDS, STATUSES, TIE_TYPES
from khorasan_tui.store import StoreError, load_store, save_store
from khorasan_tui.validate import validate

from . import store_writer
from .store_writer import DOC_ID, DOC_TEXT, QUOTES, make_store


def errors(data) -> list[str]:
    return [str(p) for p in validate(data) if p.level == "error"]


@pytest.fixture
def path(tmp_path) -> Path:
    return make_store(tmp_path)


@pytest.fixture
def editor(path) -> Editor:
    return Editor.open(path)


@pytest.fixture
def bundled(bundled_store_copy) -> Path:
    """A copy of the bundled store to edit (see conftest)."""
    return bundled_store_copy


# -- field checks ------------------------------------------------------------------------------


def test_vocabulary_and_date_checks_return_a_message_or_none():
    assert check_kind("person") is None and "choose from" in check_kind("alien")
    assert check_kind(["person"]) is not None
    assert check_tie_type("leads") is None and "leads" in check_tie_type("boss_of")
    assert check_status("alleged") is None and check_status("rumoured")
    assert check_date("") is None and check_date(None) is None
    assert check_date("2020") is None and check_date("2020-02-29") is None
    assert "YYYY" in check_date("2021-02-29") and check_date("20") and check_date("2020-1")
    assert check_date_order("2020", "2019") and check_date_order("2019", "2020") is None
    assert "empty" in check_quote_text("   ")


def test_actor_reference_check_names_the_candidates(editor):
    assert editor.check_actor_ref("ISKP") is None
    assert editor.check_actor_ref("iskp") is None
    assert "no actor matches" in editor.check_actor_ref("Zzqxv")
    assert editor.check_actor_ref("") == "name an actor"
    editor.add_actor("Haqqani Madrasa", "organization")
    message = editor.check_actor_ref("Haqqani")
    assert "several actors" in message and "haqqani-network" in message and "haqqani-madrasa" in message
    with pytest.raises(AmbiguousActor) as caught:
        editor.resolve_actor("Haqqani")
    assert {a.id for a in caught.value.candidates} == {"haqqani-network", "haqqani-madrasa"}


def test_quote_checks_against_the_document_text(editor):
    assert editor.check_quote(QUOTES[1], DOC_ID) is None
    assert editor.check_quote("The  new head\nof ISKP", DOC_ID) is None  # whitespace may differ
    assert "does not occur" in editor.check_quote("The old head of ISKP", DOC_ID)
    assert "empty" in editor.check_quote("", DOC_ID)
    assert "no document" in editor.check_quote("x", "nope")
    assert editor.check_quote("joined", text="He joined in 2020.") is None
    assert "does not occur" in editor.check_quote("left", text="He joined in 2020.")


def test_name_and_alias_checks_fold_case_and_punctuation(editor):
    assert "already names" in editor.check_new_name("is k")  # IS-K is an alias of ISKP
    assert editor.check_new_name("ISKP", actor_id="iskp") is None  # its own name
    assert "already goes by" in editor.check_alias("iskp", "iskp")
    assert "already names" in editor.check_alias("taliban", "Haqqanis")
    assert editor.check_alias("taliban", "Islamic Emirate") is None
    assert "letter or digit" in editor.check_alias("taliban", "--")


# -- operations --------------------------------------------------------------------------------


def test_add_actor_saves_at_once_and_undo_redo_replays_it(editor, path):
    original = path.read_bytes()
    heard = []
    unsubscribe = editor.subscribe(heard.append)
    actor = editor.add_actor(
        " Abu Omar Khorasani ", "person", aliases=["Abu Omar", "", "abu omar"], summary="A leader.\r\n", born="1970"
    )
    assert actor.id == "abu-omar-khorasani"
    assert actor.name == "Abu Omar Khorasani" and actor.aliases == ["Abu Omar"] and actor.summary == "A leader."
    assert load_store(path).actors["abu-omar-khorasani"] == actor
    assert heard[-1].action == "do" and heard[-1].actor_ids == {"abu-omar-khorasani"}
    assert editor.undo_description == "add actor Abu Omar Khorasani"
    assert editor.resolve_actor("Abu Omar").id == actor.id  # the graph was reindexed
    editor.undo()
    assert path.read_bytes() == original
    assert "abu-omar-khorasani" not in editor.graph.actors and editor.can_redo
    editor.redo()
    assert load_store(path).actors["abu-omar-khorasani"] == actor
    unsubscribe()
    editor.add_actor("Another", "person")
    assert [c.action for c in heard] == ["do", "undo", "redo"]
    assert not editor.can_redo


def test_add_actor_reports_every_bad_field(editor, path):
    raw = path.read_bytes()
    with pytest.raises(ValidationError) as caught:
        editor.add_actor("IS-K", "alien", aliases=["Taliban"], born="1990-13", died="1980", summary="ok")
    problems = caught.value.problems
    assert set(problems) == {"name", "kind", "aliases", "born"}
    assert "Islamic State-Khorasan (iskp)" in problems["name"]
    with pytest.raises(ValidationError) as caught:
        editor.add_actor("Someone", "person", born="1990", died="1980")
    assert "after" in caught.value.problems["died"]
    with pytest.raises(ValidationError, match="taken"):
        editor.add_actor("Someone", "person", actor_id="iskp")
    with pytest.raises(ValidationError, match="lower-case"):
        editor.add_actor("Someone", "person", actor_id="Bad Id")
    assert path.read_bytes() == raw and not editor.can_undo
    assert editor.add_actor("Kabul Police", "agency", actor_id="kabul-police.1").id == "kabul-police.1"


def test_ids_are_slugs_made_unique(editor):
    assert editor.add_actor("Kabul Province", "place").id == "kabul-province"
    assert editor.add_actor("Kabul: Province", "place").id == "kabul-province-2"
    assert editor.add_actor("Шура", "group").id == "actor"


def test_edit_actor_changes_only_what_is_given(editor, path):
    editor.edit_actor("kabul", name="Kabul City", aliases=["Kabul"], summary="Capital.", founded="1747")
    kabul = load_store(path).actors["kabul"]
    assert (kabul.name, kabul.aliases, kabul.summary, kabul.founded, kabul.kind) == (
        "Kabul City",
        ["Kabul"],
        "Capital.",
        "1747",
        "place",
    )
    editor.edit_actor("kabul", founded=None)
    assert load_store(path).actors["kabul"].founded is None
    depth = len(editor._undo)
    editor.edit_actor("kabul", summary=KEEP, name="Kabul City")  # nothing changes: no history entry
    assert len(editor._undo) == depth
    with pytest.raises(ValidationError, match="already names"):
        editor.edit_actor("kabul", aliases=["Kabul", "Haqqanis"])
    with pytest.raises(UnknownItem):
        editor.edit_actor("nobody", summary="x")
    editor.undo()
    editor.undo()
    assert load_store(path).actors["kabul"].name == "Kabul"


def store_with(folder: Path, change) -> Path:
    data = store_writer.small_store_data()
    change(data)
    (folder / "sources").mkdir()
    (folder / "sources" / f"{DOC_ID}.txt").write_text(DOC_TEXT)
    save_store(data, folder / "khorasan.json", check_conflict=False, check=False)
    return folder / "khorasan.json"


def test_a_store_breaking_the_rulebook_is_refused_for_editing_untouched(tmp_path):
    def spoil(data):
        data.actors["kabul"].born = "long ago"

    path = store_with(tmp_path, spoil)
    raw = path.read_bytes()
    with pytest.raises(StoreError, match=r"actor kabul: born: 'long ago' is not a date"):
        Editor.open(path)
    assert path.read_bytes() == raw


def test_add_alias(editor, path):
    actor = editor.add_alias("taliban", "  Islamic Emirate ")
    assert actor.aliases == ["Islamic Emirate"]
    assert load_store(path).actors["taliban"].aliases == ["Islamic Emirate"]
    with pytest.raises(ValidationError, match="already goes by"):
        editor.add_alias("taliban", "islamic-emirate")
    with pytest.raises(UnknownItem):
        editor.add_alias("nobody", "X")


def test_add_tie_citing_an_existing_document(editor, path):
    tie = editor.add_tie(
        "taliban",
        "hostile_to",
        "iskp",
        quote=f"  {QUOTES[3]}  ",
        source_id=DOC_ID,
        start="2020",
        end="2021-06",
        role="rival",
        status="reported",
    )
    assert tie.id == "taliban--hostile_to--iskp--2"  # the first such tie already exists
    assert tie.citations[0].quote == QUOTES[3]
    saved = load_store(path)
    assert saved.ties[tie.id] == tie
    assert errors(saved) == []
    assert tie.id in {t.id for t in editor.graph.ties_of("taliban")}


def test_add_tie_refuses_bad_input(editor, path):
    raw = path.read_bytes()
    good = {"quote": QUOTES[3], "source_id": DOC_ID}
    cases = [
        (
            lambda: editor.add_tie("taliban", "hostile_to", "taliban", **good),
            ValidationError,
            "ties an actor to itself",
        ),
        (lambda: editor.add_tie("taliban", "boss_of", "iskp", **good), ValidationError, "unknown tie type"),
        (lambda: editor.add_tie("taliban", "hostile_to", "iskp", status="maybe", **good), ValidationError, "status"),
        (
            lambda: editor.add_tie("taliban", "hostile_to", "iskp", start="2021", end="2020", **good),
            ValidationError,
            "after",
        ),
        (lambda: editor.add_tie("taliban", "hostile_to", "iskp", quote="", source_id=DOC_ID), ValidationError, "empty"),
        (
            lambda: editor.add_tie("taliban", "hostile_to", "iskp", quote="Taliban love ISKP", source_id=DOC_ID),
            ValidationError,
            "does not occur",
        ),
        (lambda: editor.add_tie("taliban", "hostile_to", "iskp", quote="x"), ValidationError, "cite a document"),
        (
            lambda: editor.add_tie(
                "taliban", "hostile_to", "iskp", quote="x", source_id=DOC_ID, new_source=NewSource("T")
            ),
            ValidationError,
            "not both",
        ),
        (lambda: editor.add_tie("nobody", "hostile_to", "iskp", **good), UnknownItem, "nobody"),
        (lambda: editor.add_tie("taliban", "hostile_to", "iskp", quote="x", source_id="nope"), UnknownItem, "known"),
        (lambda: editor.add_tie("taliban", "hostile_to", "iskp", claimant="nobody", **good), UnknownItem, "claimant"),
        (
            lambda: editor.add_tie(
                "taliban", "hostile_to", "iskp", quote="x", new_source=NewSource("", published="soon")
            ),
            ValidationError,
            "title",
        ),
    ]
    for attempt, error, words in cases:
        with pytest.raises(error, match=words):
            attempt()
    assert path.read_bytes() == raw and not editor.can_undo


def test_add_tie_with_a_new_document_stores_its_text_and_undo_removes_it(editor, path):
    folder = path.parent / "sources"
    before = set(folder.iterdir())
    tie = editor.add_tie(
        "haqqani-network",
        "cooperates_with",
        "taliban",
        quote="close  partners",
        new_source=NewSource(
            " Kabul Times ",
            publisher="KT",
            published="2022-01",
            text="The Haqqanis and the Taliban are close partners.\nMore text.",
        ),
        status="claimed",
        claimant="iskp",
    )
    source_id = tie.citations[0].source
    source = editor.data.sources[source_id]
    assert source_id.startswith("001_") and source.path == f"sources/{source_id}.txt"
    assert (source.title, source.publisher, source.published) == ("Kabul Times", "KT", "2022-01")
    text_file = path.parent / source.path
    assert text_file.read_text().startswith("The Haqqanis and the Taliban")
    assert errors(load_store(path)) == []

    quote_only = editor.add_tie(
        "iskp", "operates_in", "kabul", quote="ISKP threatens Kabul.", new_source=NewSource("A statement")
    )
    quote_file = path.parent / editor.data.sources[quote_only.citations[0].source].path
    assert quote_file.read_text() == "ISKP threatens Kabul.\n"
    assert errors(load_store(path)) == []

    editor.undo()
    editor.undo()
    assert set(folder.iterdir()) == before
    assert source_id not in load_store(path).sources
    editor.redo()
    assert text_file.exists() and errors(load_store(path)) == []


def test_delete_tie_and_undo(editor, path):
    original = path.read_bytes()
    removed = editor.delete_tie("taliban--hostile_to--iskp")
    assert removed.type == "hostile_to"
    assert "taliban--hostile_to--iskp" not in load_store(path).ties
    assert editor.graph.ties_of("taliban") == []
    with pytest.raises(UnknownItem):
        editor.delete_tie("taliban--hostile_to--iskp")
    editor.undo()
    assert path.read_bytes() == original


def test_delete_actor_says_first_what_goes_with_it(tmp_path):
    path = store_with(tmp_path, lambda data: setattr(data.actors["haqqani-network"], "possible_duplicate_of", "iskp"))
    editor = Editor.open(path)
    original = path.read_bytes()
    editor.add_tie(
        "taliban", "hostile_to", "haqqani-network", quote=QUOTES[3], source_id=DOC_ID, status="claimed", claimant="iskp"
    )
    editor.edit_actor("kabul", summary="x")
    impact = editor.deletion_impact("iskp")
    assert impact.tie_count == 3
    # A claim needs its claimant: the ties it claims go with it, and it says so.
    assert [t.id for t in impact.claims] == ["taliban--hostile_to--haqqani-network"]
    assert "and 1 tie it claims" in impact.describe()
    assert [a.id for a in impact.duplicates] == ["haqqani-network"]
    done = editor.delete_actor("iskp", confirmed=impact)
    assert done.tie_ids == impact.tie_ids
    saved = load_store(path)
    assert "iskp" not in saved.actors and "taliban--hostile_to--haqqani-network" not in saved.ties
    assert saved.actors["haqqani-network"].possible_duplicate_of is None
    assert errors(saved) == []
    editor.undo()
    restored = load_store(path)
    assert restored.actors["haqqani-network"].possible_duplicate_of == "iskp"
    assert restored.ties["taliban--hostile_to--haqqani-network"].claimant == "iskp"
    while editor.can_undo:
        editor.undo()
    assert path.read_bytes() == original


def test_delete_actor_refuses_when_its_ties_changed_since_confirmed(editor, path):
    impact = editor.deletion_impact("taliban")
    editor.add_tie("taliban", "hostile_to", "haqqani-network", quote=QUOTES[3], source_id=DOC_ID)
    with pytest.raises(EditConflict, match="now has 2 ties"):
        editor.delete_actor("taliban", confirmed=impact)
    assert "taliban" in load_store(path).actors


def test_undo_and_redo_bookkeeping(editor):
    with pytest.raises(EditError, match="nothing to undo"):
        editor.undo()
    with pytest.raises(EditError, match="nothing to redo"):
        editor.redo()
    editor.add_actor("One", "person")
    editor.add_actor("Two", "person")
    editor.undo()
    assert editor.redo_description == "add actor Two" and editor.undo_description == "add actor One"
    editor.add_actor("Three", "person")
    assert not editor.can_redo  # a new edit forgets the undone ones


def test_an_editor_without_a_file_edits_in_memory():
    editor = Editor(store_writer.small_store_data())
    editor.add_actor("Someone", "person")
    editor.undo()
    assert "someone" not in editor.data.actors


def test_edits_on_a_copy_of_the_bundled_store_add_no_errors(bundled):
    original = bundled.read_bytes()
    editor = Editor.open(bundled)
    before = set(errors(editor.data))
    quote = editor.data.ties[next(iter(editor.data.ties))].citations[0]
    actor = editor.add_actor("A Test Commander", "person", aliases=["Test Commander"])
    editor.add_tie(actor.id, "member_of", "haqqani-network", quote=quote.quote, source_id=quote.source)
    editor.add_alias(actor.id, "T. Commander")
    assert set(errors(load_store(bundled))) <= before
    editor.delete_actor("haqqani-network")
    assert set(errors(load_store(bundled))) <= before
    while editor.can_undo:
        editor.undo()
    assert bundled.read_bytes() == original


# -- CLI ---------------------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_actor_alias_tie_and_rm(path, capsys):
    db = ["--db", str(path)]
    code, out, _ = run(
        capsys, "add-actor", "Abu Test", "--kind", "person", "--alias", "A. Test", "--summary", "[b]x", *db
    )
    assert code == 0 and "Abu Test" in out and "abu-test" in out
    code, out, _ = run(capsys, "add-alias", "Abu Test", "Tester", *db, "--json")
    assert code == 0 and json.loads(out)["actor"]["aliases"] == ["A. Test", "Tester"]
    code, out, _ = run(
        capsys,
        "add-tie",
        "Abu Test",
        "member_of",
        "ISKP",
        "--source",
        DOC_ID,
        "--quote",
        QUOTES[1],
        "--start",
        "2020",
        "--status",
        "alleged",
        "--claimant",
        "Taliban",
        *db,
        "--json",
    )
    tie = json.loads(out)["tie"]
    assert code == 0 and tie["id"] == "abu-test--member_of--iskp" and tie["claimant"] == "taliban"
    code, out, err = run(capsys, "rm", "abu-test--member_of--iskp", *db)
    assert code == 2 and "give --yes" in err, "not on a terminal: nothing goes without --yes"
    assert "abu-test--member_of--iskp" in load_store(path).ties
    code, out, _ = run(capsys, "rm", "abu-test--member_of--iskp", "--yes", *db)
    assert code == 0 and "Removed tie" in out
    code, out, _ = run(capsys, "rm", "abu-test", "--yes", *db, "--json")
    assert code == 0 and json.loads(out)["removed"] == "actor"
    assert "abu-test" not in load_store(path).actors
    assert errors(load_store(path)) == []


def test_cli_db_given_before_the_command_is_the_one_edited(path, capsys):
    code, _, _ = run(capsys, "--db", str(path), "add-actor", "Before Flag", "--kind", "person")
    assert code == 0 and "before-flag" in load_store(path).actors


def test_cli_edit_errors_exit_with_the_documented_codes(path, capsys):
    db = ["--db", str(path)]
    raw = path.read_bytes()
    run(capsys, "add-actor", "Haqqani Madrasa", "--kind", "organization", *db)
    raw = path.read_bytes()
    cases = [
        (("add-actor", "ISKP", "--kind", "group"), 2, "already names"),
        (("add-actor", "X", "--kind", "group", "--id", "Not An Id"), 2, "lower-case"),
        (("add-actor", "X", "--kind", "alien"), 2, "invalid choice"),
        (("add-tie", "Taliban", "hostile_to", "Haqqani", "--source", DOC_ID, "--quote", QUOTES[3]), 3, "ambiguous"),
        (("add-tie", "Taliban", "hostile_to", "Zzqxv", "--source", DOC_ID, "--quote", QUOTES[3]), 1, "no actor"),
        (("add-tie", "Taliban", "hostile_to", "ISKP", "--source", "nope", "--quote", QUOTES[3]), 1, "no document"),
        (("add-tie", "Taliban", "hostile_to", "ISKP", "--source", DOC_ID, "--quote", "made up"), 2, "does not occur"),
        (
            (
                "add-tie",
                "Taliban",
                "hostile_to",
                "ISKP",
                "--source",
                DOC_ID,
                "--quote",
                QUOTES[3],
                "--end",
                "2020-02-30",
            ),
            2,
            "not a date",
        ),
        (
            ("add-tie", "Taliban", "hostile_to", "Taliban", "--source", DOC_ID, "--quote", QUOTES[3]),
            2,
            "ties an actor to itself",
        ),
        (("add-alias", "Zzqxv", "X"), 1, "no actor"),
        (("add-alias", "Taliban", "Haqqanis"), 2, "already names"),
        (("add-alias", "Taliban", "bad\x1bname"), 2, "control"),
        (("rm", "Taliban"), 1, "did you mean Taliban (id taliban)"),
        (("rm", "nothing-here"), 1, "no actor or tie"),
    ]
    for argv, expected, words in cases:
        code, _, err = run(capsys, *argv, *db)
        assert (code, words in err) == (expected, True), (argv, err)
        assert "Traceback" not in err
    code, _, err = run(capsys, "--read-only", "rm", "iskp", "--yes", *db)
    assert code == 2 and "read-only" in err
    code, out, _ = run(
        capsys, "add-tie", "Taliban", "hostile_to", "Haqqani", "--source", DOC_ID, "--quote", QUOTES[3], *db, "--json"
    )
    assert code == 3 and json.loads(out)["ambiguous"] is True
    assert path.read_bytes() == raw


def test_cli_edits_on_a_copy_of_the_bundled_store(bundled, capsys):
    db = ["--db", str(bundled)]
    code, out, err = run(capsys, "validate", *db, "--json")
    assert code == 0, err
    before = json.loads(out)
    assert before["valid"] is True
    code, out, err = run(capsys, "ties", "haqqani-network", *db, "--json")
    assert code == 0, err
    first = json.loads(out)[0]["citations"][0]
    code, out, err = run(
        capsys,
        "add-tie",
        "ISKP",
        "hostile_to",
        "haqqani-network",
        "--source",
        first["source"],
        "--quote",
        first["quote"],
        *db,
    )
    assert code == 0, err
    assert "Islamic State-Khorasan" in out
    code, out, err = run(capsys, "validate", *db, "--json")
    assert code == 0, err
    after = json.loads(out)
    assert after["valid"] is True
    assert after["ties"] == before["ties"] + 1
    assert len(load_store(bundled).ties) == after["ties"]


# -- properties --------------------------------------------------------------------------------

names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
safe_names = st.text(st.characters(whitelist_categories=("L", "N", "Zs", "P", "S")), min_size=1, max_size=12)
dates = st.one_of(st.none(), st.sampled_from(["2015", "2020-03", "2021-08-26", "1999-12", "2020-13", "soon", ""]))
quotes = st.one_of(st.sampled_from(QUOTES), st.sampled_from(["", "not in the text", "ISKP", "Kabul"]))


class EditSequences(RuleBasedStateMachine):
    """Random edits, valid or not, through one Editor on a real file."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="khorasan-edit-"))
        self.path = make_store(self.folder)
        self.original = self.path.read_bytes()
        self.editor = Editor.open(self.path)

    def teardown(self) -> None:
        try:
            while self.editor.can_undo:
                self.editor.undo()
            assert self.path.read_bytes() == self.original
            assert sorted(p.name for p in (self.folder / "sources").iterdir()) == [f"{DOC_ID}.txt"]
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def attempt(self, edit) -> None:
        """Run an edit; a refused one must change nothing at all."""
        before = self.path.read_bytes()
        snapshot = self.editor.data.to_tinydb()
        try:
            edit()
        except (ValidationError, UnknownItem) as exc:
            assert str(exc)
            assert self.path.read_bytes() == before
            assert self.editor.data.to_tinydb() == snapshot

    def pick(self, data, table: str) -> str:
        items = sorted(getattr(self.editor.data, table))
        return data.draw(st.sampled_from(items)) if items else "missing"

    @rule(
        name=names,
        kind=st.sampled_from([*KINDS, "alien"]),
        aliases=st.lists(names, max_size=3),
        summary=names,
        born=dates,
    )
    def add_actor(self, name, kind, aliases, summary, born):
        self.attempt(lambda: self.editor.add_actor(name, kind, aliases=aliases, summary=summary, born=born))

    @rule(data=st.data(), name=st.one_of(st.just(KEEP), safe_names), founded=dates, ended=dates)
    def edit_actor(self, data, name, founded, ended):
        actor_id = self.pick(data, "actors")
        self.attempt(lambda: self.editor.edit_actor(actor_id, name=name, founded=founded, ended=ended))

    @rule(data=st.data(), alias=names)
    def add_alias(self, data, alias):
        actor_id = self.pick(data, "actors")
        self.attempt(lambda: self.editor.add_alias(actor_id, alias))

    @rule(
        data=st.data(),
        tie_type=st.sampled_from(list(TIE_TYPES)),
        status=st.sampled_from(list(STATUSES)),
        quote=quotes,
        new_document=st.booleans(),
        start=dates,
        end=dates,
    )
    def add_tie(self, data, tie_type, status, quote, new_document, start, end):
        a, b = self.pick(data, "actors"), self.pick(data, "actors")
        citation = (
            {"new_source": NewSource("New doc", text=data.draw(st.sampled_from([None, DOC_TEXT])))}
            if new_document
            else {"source_id": DOC_ID}
        )
        self.attempt(
            lambda: self.editor.add_tie(a, tie_type, b, quote=quote, status=status, start=start, end=end, **citation)
        )

    @rule(data=st.data())
    def delete_tie(self, data):
        tie_id = self.pick(data, "ties")
        self.attempt(lambda: self.editor.delete_tie(tie_id))

    @rule(data=st.data())
    def delete_actor(self, data):
        actor_id = self.pick(data, "actors")
        self.attempt(lambda: self.editor.delete_actor(actor_id))

    @precondition(lambda self: self.editor.can_undo)
    @rule()
    def undo(self):
        self.editor.undo()

    @precondition(lambda self: self.editor.can_redo)
    @rule()
    def redo(self):
        self.editor.redo()

    @invariant()
    def store_is_valid_and_round_trips(self):
        assert errors(self.editor.data) == []
        saved = load_store(self.path)
        for table in ("actors", "ties", "sources"):
            assert getattr(saved, table) == getattr(self.editor.data, table)
        assert saved.meta == self.editor.data.meta


EditSequences.TestCase.settings = settings(
    max_examples=50, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_random_edit_sequences_keep_the_store_valid_and_undo_restores_it = EditSequences.TestCase


def test_the_bundled_store_is_never_edited_the_first_edit_copies_it(capsys, monkeypatch, tmp_path):
    from khorasan_tui.store import bundled_store_path, default_store_path, user_store_path

    bundled = bundled_store_path()
    before = bundled.read_bytes()
    assert default_store_path() == bundled
    code, out, err = run(capsys, "add-alias", "iskp", "Khorasan Wilayah Test")
    assert code == 0, err
    copy = user_store_path()
    assert "bundled store is read-only" in err and str(copy) in err
    assert bundled.read_bytes() == before
    assert "Khorasan Wilayah Test" in load_store(copy).actors["iskp"].aliases
    assert (copy.parent / "sources").is_dir(), "the documents come along, so quotes stay checkable"
    assert default_store_path() == copy, "later commands open the user's copy"
    code, out, _ = run(capsys, "stats")
    assert f"file: {copy}" in out
    # KHORASAN_DB names the store to open, whatever copies exist.
    monkeypatch.setenv("KHORASAN_DB", str(tmp_path / "elsewhere.json"))
    assert default_store_path() == tmp_path / "elsewhere.json"


def test_cli_add_actor_names_a_near_existing_actor(path, capsys):
    code, out, _ = run(capsys, "add-actor", "Haqqani Netwerk", "--kind", "group", "--db", str(path))
    assert code == 0
    assert "note: Haqqani Network (haqqani-network) has a close name" in out
    assert "khorasan merge haqqani-network haqqani-netwerk" in out
    code, out, _ = run(capsys, "add-actor", "Somebody Else Entirely", "--kind", "person", "--db", str(path), "--json")
    assert code == 0 and json.loads(out)["possible_duplicates"] == []


def test_two_first_edits_of_the_bundled_store_both_land_in_the_one_copy(tmp_path):
    from khorasan_tui.store import bundled_store_path

    copy = tmp_path / "user" / "khorasan.json"
    first = Editor.open(bundled_store_path(), copy_edits_to=copy)
    second = Editor.open(bundled_store_path(), copy_edits_to=copy)  # the app, and a terminal beside it
    first.add_actor("First Racer", "person")
    second.add_actor("Second Racer", "person")
    saved = load_store(copy).actors
    assert "first-racer" in saved and "second-racer" in saved, "the second switched to the copy, never copied over it"


def test_a_refused_first_edit_leaves_no_copy_behind(tmp_path, capsys):
    from khorasan_tui.store import bundled_store_path, default_store_path, user_store_path

    code, _, err = run(capsys, "add-actor", "ISKP", "--kind", "group")
    assert code == 2 and "already names" in err
    assert not user_store_path().exists(), "nothing was saved, so nothing was copied"
    assert default_store_path() == bundled_store_path()


def test_a_merge_is_not_refused_for_warnings_that_were_already_there(tmp_path, capsys, bundled_store_copy):
    db = ["--db", str(bundled_store_copy)]
    before = json.loads(run(capsys, "validate", "--json", *db)[1])["warnings"]
    assert run(capsys, "add-actor", "Taliban Shadow Test", "--kind", "group", "--id", "tst", *db)[0] == 0
    code, _, err = run(
        capsys,
        "add-tie",
        "haibatullah-akhundzada",
        "member_of",
        "tst",
        "--source",
        "002_7cc125320d65fb31",
        "--quote",
        "Mawlawi Haibatullah Akhundzada took over",
        *db,
    )
    assert code == 0, err
    code, _, err = run(capsys, "merge", "taliban", "tst", "--yes", *db)
    assert code == 0, err
    after = json.loads(run(capsys, "validate", "--json", *db)[1])["warnings"]
    assert set(after) <= set(before) | {w for w in after if "tst" in w or "Taliban Shadow" in w}
