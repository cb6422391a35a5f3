#!/usr/bin/env python
"""How much of the knowledge base the ingest engine finds again on its own.

    python bench/ingest_bench.py            every bundled document
    python bench/ingest_bench.py --db PATH  another store (its sources/ folder)
    python bench/ingest_bench.py --misses   also each removed tie not found whole: the
                                            curated type, status and quote against what
                                            was suggested for its two ends
    python bench/ingest_bench.py --wrong    also each wrong suggestion with its sentence

For each document: copy the store; remove the document, its citations, every
tie only it supports and every actor only it supports (no other citation, no
tie left); run the engine (khorasan_tui.ingest.analyse) on the document's text
against what is left; then compare.

* ends: removed ties that come back as a suggestion between the right two
  actors (a removed actor counts when a new name is one of its names, or a
  near spelling of one; a removed EVENT also when a new event name shares its
  words, see below);
* +type: ... and of the right type, turned the right way;
* +status: ... and with the right status too;
* wrong: suggestions whose two ends no tie of the document relates (neither a
  removed tie nor one the document still corroborates);
* right: the other suggestions.

Events: the curators name events themselves ("Kabul gurdwara attack (March 2020)"),
so a new event name rarely equals one of theirs. A new event name counts as a removed
event's when, for one of the event's names:
  - both name the same event noun ("attack" / "attacks", from ingest_cues.json
    event_nouns, a final s folded), and
  - every content word of the new name is in that name (content words: case-folded,
    not a function word of the cue lists -- determiners, event_stop, event_links,
    not_names -- not an event noun, not a year; words that spell a name of a
    non-event actor of the store count as that actor, so "the Islamic Emirate" is
    "the Taliban" and "the USA" is "the US"), at least one of them, and
  - the two share at least two words, the event noun counted: "propaganda video" is
    "ISKP propaganda video", "suicide attacks in Jalalabad" is "ISKP suicide attack in
    Jalalabad" but not "ISKP suicide attack in Kabul", "attacks against the Islamic
    Emirate" is not "ISKP attacks on the Taliban in Nangarhar and Kunar", and
  - their years, when both give one, agree.
(khorasan_tui.ingest.event_likeness; the engine uses it too, to know an event the
store holds by its description.) The best-named removed actor wins (the same name beats a near spelling beats shared
words). The bench prints how many removed events were found only by this rule.

Below the table, how well the confidence ranks: the share of (right, wrong) pairs of
suggestions where the right one has the higher confidence (ties count half; 50% is chance).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khorasan_tui.documents import read_document
from khorasan_tui.graph import Graph
from khorasan_tui.ingest import ActorIndex, Mention, analyse, event_likeness
from khorasan_tui.model import TIE_TYPES, Actor, Tie, normalize_key
from khorasan_tui.store import StoreData, load_store

NEAR_NAME = 88.0


@dataclass
class DocumentScore:
    document: str
    removed: int
    ends: int
    typed: int
    with_status: int
    suggestions: int
    right: int
    wrong: int
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, right)
    events_by_words: set[str] = field(default_factory=set)  # removed events found by shared words only

    def percent(self, n: int) -> str:
        return f"{100 * n / self.removed:.0f}%" if self.removed else "-"


def without_document(data: StoreData, doc: str) -> tuple[StoreData, list[Tie], dict[str, Actor], list[Tie]]:
    """A copy of the store without `doc`: the store, the removed ties, the removed
    actors and the ties that stay but lost `doc`'s citation."""
    stripped = StoreData(
        actors=copy.deepcopy(data.actors),
        ties=copy.deepcopy(data.ties),
        sources={k: v for k, v in data.sources.items() if k != doc},
        meta=dict(data.meta),
        path=data.path,
    )
    removed: list[Tie] = []
    corroborated: list[Tie] = []
    for tie_id in list(stripped.ties):
        tie = stripped.ties[tie_id]
        kept = [c for c in tie.citations if c.source != doc]
        if len(kept) == len(tie.citations):
            continue
        if kept:
            tie.citations = kept
            corroborated.append(tie)
        else:
            removed.append(data.ties[tie_id])
            del stripped.ties[tie_id]
    touched = {end for t in removed for end in (t.source, t.target)}
    in_use = {end for t in stripped.ties.values() for end in (t.source, t.target, t.claimant) if end}
    removed_actors: dict[str, Actor] = {}
    for actor_id in list(stripped.actors):
        actor = stripped.actors[actor_id]
        cited_here = any(c.source == doc for c in actor.citations)
        actor.citations = [c for c in actor.citations if c.source != doc]
        if (cited_here or actor_id in touched) and not actor.citations and actor_id not in in_use:
            removed_actors[actor_id] = data.actors[actor_id]
            del stripped.actors[actor_id]
    return stripped, removed, removed_actors, corroborated


def _words(name: str) -> set[str]:
    return {normalize_key(w) for w in re.findall(r"[^\W_]+", name) if normalize_key(w) not in ("the", "of", "s")}


def _name_score(name: str, actor: Actor) -> float:
    """How well a new name names an actor: the same name (3), a near spelling (2),
    or one name's words all within the other's (1, plus their overlap): "Mali Khan"
    for "Haji Mali Khan". 0: not this actor."""
    from rapidfuzz import fuzz

    key = normalize_key(name)
    words = _words(name)
    best = 0.0
    for other in actor.names:
        other_key = normalize_key(other)
        if other_key == key:
            return 3.0
        if fuzz.ratio(other_key, key) >= NEAR_NAME:
            best = max(best, 2.0)
            continue
        other_words = _words(other)
        shorter = min(words, other_words, key=len)
        if shorter and len("".join(shorter)) >= 3 and (words <= other_words or other_words <= words):
            best = max(best, 1.0 + len(words & other_words) / len(words | other_words))
    return best


def _end_id(end: Mention, removed_actors: dict[str, Actor], aliases: dict[str, str], by_words: set[str]) -> str | None:
    """The actor a suggestion's end stands for: known, or the removed one it names best
    (a removed event found by shared words only goes into `by_words`)."""
    if end.actor_id is not None:
        return end.actor_id
    scored = [(_name_score(end.name, actor), actor.id) for actor in removed_actors.values()]
    score, actor_id = max(scored, default=(0.0, None))
    if score > 0:
        return actor_id
    if end.kind != "event":
        return None
    events = [(event_likeness(end.name, a.names, aliases), a.id) for a in removed_actors.values() if a.kind == "event"]
    score, actor_id = max(events, default=(0.0, None))
    if score <= 0:
        return None
    by_words.add(actor_id)
    return actor_id


def score_document(data: StoreData, doc: str) -> DocumentScore:
    stripped, removed, removed_actors, corroborated = without_document(data, doc)
    graph = Graph(stripped)
    source = data.sources[doc]
    text = read_document(data, source)
    analysis = analyse(text, graph, published=source.published, index=ActorIndex(graph))

    def pair(a: str, b: str) -> frozenset[str]:
        return frozenset((a, b))

    supported_pairs = {pair(t.source, t.target) for t in [*removed, *corroborated]}
    found: list[tuple[str, str, str, str]] = []
    right = wrong = 0
    wrongs: list[str] = []
    confidences: list[tuple[float, bool]] = []
    by_words: set[str] = set()
    folded: dict[str, set[str]] = {}
    for actor in data.actors.values():
        if actor.kind != "event":
            for name in actor.names:
                folded.setdefault(normalize_key(name), set()).add(actor.id)
    aliases = {key: next(iter(ids)) for key, ids in folded.items() if len(ids) == 1}
    for s in analysis.suggestions:
        a = _end_id(s.source, removed_actors, aliases, by_words)
        b = _end_id(s.target, removed_actors, aliases, by_words)
        confidences.append((s.confidence, a is not None and b is not None and pair(a, b) in supported_pairs))
        if a is None or b is None or pair(a, b) not in supported_pairs:
            wrong += 1
            wrongs.append(
                f"{s.source.name} -{s.type}/{s.status}-> {s.target.name} [{s.cue or '-'} {s.confidence}]\n"
                f"    {text[slice(*analysis.sentences[s.sentence])]!r}"
            )
            continue
        right += 1
        found.append((a, b, s.type, s.status))
    ends = typed = with_status = 0
    misses: list[str] = []
    for tie in removed:
        directed = TIE_TYPES[tie.type].directed
        matches = [f for f in found if pair(f[0], f[1]) == pair(tie.source, tie.target)]
        hit = 0
        if matches:
            ends += 1
            hit = 1
            same_type = [
                f for f in matches if f[2] == tie.type and (not directed or (f[0], f[1]) == (tie.source, tie.target))
            ]
            if same_type:
                typed += 1
                hit = 2
                if any(f[3] == tie.status for f in same_type):
                    with_status += 1
                    continue
        label = ("no ends", "wrong type", "wrong status")[hit]
        got = "; ".join(f"{f[0]} -{f[2]}/{f[3]}-> {f[1]}" for f in matches) or "nothing"
        quotes = " | ".join(c.quote for c in tie.citations if c.source == doc)
        claimant = f" by {tie.claimant}" if tie.claimant else ""
        # "*": an end removed with the document, to be found as a new name
        source, target = (f"{end}*" if end in removed_actors else end for end in (tie.source, tie.target))
        misses.append(
            f"{label}: {source} -{tie.type}/{tie.status}{claimant}-> {target}\n"
            f"    suggested: {got}\n    quote: {quotes!r}"
        )
    return DocumentScore(
        doc,
        len(removed),
        ends,
        typed,
        with_status,
        len(analysis.suggestions),
        right,
        wrong,
        misses,
        wrongs,
        confidences,
        by_words,
    )


def ranking(scores: list[DocumentScore]) -> float:
    """The share of (right, wrong) pairs of suggestions where the right one is the surer."""
    right = [c for s in scores for c, ok in s.confidences if ok]
    wrong = [c for s in scores for c, ok in s.confidences if not ok]
    if not right or not wrong:
        return 0.0
    won = sum(1.0 if r > w else 0.5 if r == w else 0.0 for r in right for w in wrong)
    return won / (len(right) * len(wrong))


def run(db: Path) -> list[DocumentScore]:
    data = load_store(db)
    return [score_document(data, doc) for doc in sorted(data.sources)]


def table(scores: list[DocumentScore]) -> str:
    header = ("document", "removed ties", "ends", "+type", "+status", "suggestions", "right", "wrong")
    rows = [
        (
            s.document,
            str(s.removed),
            f"{s.ends} ({s.percent(s.ends)})",
            f"{s.typed} ({s.percent(s.typed)})",
            f"{s.with_status} ({s.percent(s.with_status)})",
            str(s.suggestions),
            str(s.right),
            str(s.wrong),
        )
        for s in scores
    ]
    total = DocumentScore(
        "all",
        *(
            sum(getattr(s, f) for s in scores)
            for f in ("removed", "ends", "typed", "with_status", "suggestions", "right", "wrong")
        ),
    )
    rows.append(
        (
            "all",
            str(total.removed),
            f"{total.ends} ({total.percent(total.ends)})",
            f"{total.typed} ({total.percent(total.typed)})",
            f"{total.with_status} ({total.percent(total.with_status)})",
            str(total.suggestions),
            str(total.right),
            str(total.wrong),
        )
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "khorasan.json")
    parser.add_argument("--misses", action="store_true", help="list every removed tie not found whole")
    parser.add_argument("--wrong", action="store_true", help="list every wrong suggestion")
    args = parser.parse_args(argv)
    scores = run(args.db)
    for score in scores:
        details = (score.misses if args.misses else []) + (score.wrongs if args.wrong else [])
        if details:
            print(f"== {score.document}")
            print("\n".join(details))
    print(table(scores))
    by_words = sorted(e for s in scores for e in s.events_by_words)
    print(
        f"events found by shared words (not by name): {len(by_words)}"
        + (f" ({', '.join(by_words)})" if by_words else "")
    )
    print(f"confidence: a right suggestion ranks above a wrong one in {100 * ranking(scores):.0f}% of pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
