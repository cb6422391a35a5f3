"""validate: the rulebook over a whole store, every quote against its document, and the lints."""

from __future__ import annotations

from khorasan_tui.model import Actor, Citation, Source, Tie
from khorasan_tui.storedata import StoreData
from khorasan_tui.validate import is_valid, summary_counts, validate


def store(tmp_path, quote: str = "Beta leads Alpha.") -> StoreData:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "doc.txt").write_text("Beta leads Alpha. Gamma is elsewhere.\n")
    data = StoreData(path=tmp_path / "store.json")
    data.actors["a"] = Actor("a", "Alpha", "group")
    data.actors["b"] = Actor("b", "Beta", "person")
    data.ties["b--leads--a"] = Tie("b--leads--a", "leads", "b", "a", citations=[Citation("doc", quote)])
    data.sources["doc"] = Source("doc", "Doc", path="sources/doc.txt")
    return data


def test_a_sound_store_is_valid(tmp_path):
    problems = validate(store(tmp_path))
    assert is_valid(problems), [str(p) for p in problems]
    assert summary_counts(store(tmp_path)) == {"actors": 2, "ties": 1, "sources": 1, "quotes": 1}


def test_a_quote_missing_from_its_document_is_an_error(tmp_path):
    problems = validate(store(tmp_path, quote="Beta founded Alpha."))
    assert not is_valid(problems)
    assert any(p.where == "tie b--leads--a" and "quote not found verbatim in doc" in p.message for p in problems)


def test_an_unreadable_document_is_named(tmp_path):
    data = store(tmp_path)
    data.sources["doc"].path = "sources/gone.txt"
    problems = validate(data)
    assert any(p.where == "source doc" and "missing" in p.message for p in problems)
    assert any("the text of 'doc' cannot be read" in p.message for p in problems)


def test_rulebook_errors_are_listed_all_at_once(tmp_path):
    data = store(tmp_path)
    data.actors["a"].name = "x" * 301
    data.ties["b--leads--a"].start, data.ties["b--leads--a"].end = "2020", "2019"
    messages = [str(p) for p in validate(data)]
    assert "error: actor a: name: is too long (301 characters; at most 300)" in messages
    assert "error: tie b--leads--a: end: the start (2020) is after the end (2019)" in messages


def test_lints_are_warnings_not_errors(tmp_path):
    data = store(tmp_path)
    data.actors["a"].aliases = ["the new group"]
    problems = validate(data)
    assert is_valid(problems)
    assert any(p.level == "warning" and p.field == "aliases" for p in problems)
