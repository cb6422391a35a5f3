"""`khorasan validate`: the rulebook over a whole store, plus what needs the documents.

The rules themselves live in `rules` (the same ones that loading, the editor
and the importers apply); this adds the checks that read files: every quote
must occur verbatim in the document it cites, and every document's text must
be there to check it against. Lints (warnings) point curators at ties worth
a second look.
"""

from __future__ import annotations

from . import rules
from .documents import DocumentTexts, document_path_problems, squash_whitespace
from .rules import Problem
from .storedata import StoreData

__all__ = ["Problem", "DocumentTexts", "squash_whitespace", "validate", "summary_counts", "is_valid"]


def validate(data: StoreData) -> list[Problem]:
    problems = rules.store_problems(data.actors, data.ties, data.sources)
    problems += document_path_problems(data)
    problems += quote_problems(data, DocumentTexts(data))
    problems += _lints(data)
    backend = getattr(data, "backend", None)
    if backend is not None:
        from .sqlstore import derived_counts_problems

        problems += [Problem(rules.ERROR, "store", "", text) for text in derived_counts_problems(backend)]
    return problems


def quote_problems(data: StoreData, texts: DocumentTexts) -> list[Problem]:
    """Every quote must occur verbatim (whitespace aside) in the document it cites."""
    problems: list[Problem] = []
    for source in data.sources.values():
        if not source.path:
            problems.append(
                Problem(rules.WARNING, f"source {source.id}", "path", "has no text file; its quotes cannot be checked")
            )
        elif texts.squashed(source.id) is None and source.id in texts.refused:
            problems.append(Problem(rules.ERROR, f"source {source.id}", "path", texts.refused[source.id]))
    records = [(f"actor {a.id}", a.citations) for a in data.actors.values()]
    records += [(f"tie {t.id}", t.citations) for t in data.ties.values()]
    for where, citations in records:
        for i, citation in enumerate(citations, 1):
            source = data.sources.get(citation.source)
            if source is None or not source.path or not citation.quote.strip():
                continue  # the rulebook names these
            text = texts.squashed(citation.source)
            if text is None:
                problems.append(
                    Problem(rules.ERROR, where, f"citation {i}", f"the text of {citation.source!r} cannot be read")
                )
            elif squash_whitespace(citation.quote) not in text:
                problems.append(
                    Problem(
                        rules.ERROR,
                        where,
                        f"citation {i}",
                        f"quote not found verbatim in {citation.source}: {citation.quote[:80]!r}",
                    )
                )
    return problems


def _lints(data: StoreData) -> list[Problem]:
    """The curators' lints, as the rulebook's warnings: they never block a change."""
    from . import lints

    return [Problem(rules.WARNING, w.where, w.field, w.message) for w in lints.lint(data)]


def summary_counts(data: StoreData) -> dict[str, int]:
    quotes = sum(len(a.citations) for a in data.actors.values()) + sum(len(t.citations) for t in data.ties.values())
    return {
        "actors": len(data.actors),
        "ties": len(data.ties),
        "sources": len(data.sources),
        "quotes": quotes,
    }


def is_valid(problems: list[Problem]) -> bool:
    return not any(p.level == "error" for p in problems)
