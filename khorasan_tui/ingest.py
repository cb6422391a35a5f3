"""Read a new document against the store: who it names, who is new, what ties it suggests.

Nothing here writes: `analyse` returns an `Analysis` for the CLI's `ingest`
command and the app's review screen, which decide what to store. The cue
words (tie wording, hedges, claims, titles, noise) are data, in
`ingest_cues.json`, so that analysts can tune them without touching code.

Known actors are found with one Aho-Corasick automaton over every name and
alias folded as lookups fold them (`model.normalize_key`: case, hyphens,
"al-"/"al "), matched only on word boundaries; capitalised words it misses are
tried against the aliases with rapidfuzz (Faroqqi/Farooqi, Toiba/Taiba).
A word that fits several actors ("Orakzai") is reported as ambiguous, never
guessed. Sentences come from pysbd, which knows "U.S." and "Gen.".
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .graph import Graph
from .model import KINDS, TIE_TYPES, Tie, is_partial_date, normalize_key

# Near spellings: a fuzzy score this good names an actor on its own, or this
# good when the consonant skeletons agree (Faroqqi/Farooqi: "frq").
FUZZY_SURE = 88.0
FUZZY_WITH_SKELETON = 80.0
FUZZY_MIN_LENGTH = 5
# Names this short are acronyms ("IS", "LeT", "JeM"): matched with their case.
ACRONYM_LENGTH = 3
# How far (characters) a claim verb may sit from the one who makes the claim.
CLAIMANT_REACH = 90

PERSON_ONLY_TYPES = frozenset({"leads", "member_of", "founded"})
PLACE_TYPES = frozenset({"located_in", "operates_in"})
GROUP_ONLY_TYPES = frozenset({"faction_of", "emerged_from"})
PLACE_KINDS = frozenset({"place", "state"})


# -- cues ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    phrase: str
    type: str
    order: str  # "forward": the actor named first is the source; "backward": the second


@dataclass(frozen=True)
class Cues:
    relations: tuple[Cue, ...]
    hedges: tuple[str, ...]
    responsibility_claims: frozenset[str]
    claim_verbs: tuple[str, ...]
    speech_verbs: tuple[str, ...]
    claim_prefixes: tuple[str, ...]
    dispute_frames: tuple[str, ...]
    anaphors: tuple[str, ...]
    plural_anaphors: frozenset[str]
    person_titles: frozenset[str]
    person_context: frozenset[str]
    kind_words: dict[str, frozenset[str]]
    place_prepositions: frozenset[str]
    name_connectors: frozenset[str]
    not_names: frozenset[str]
    not_alone: frozenset[str]
    place_nouns: frozenset[str]
    facility_nouns: frozenset[str]
    agency_nouns: frozenset[str]
    event_nouns: frozenset[str]
    event_links: frozenset[str]
    object_pronouns: frozenset[str]
    time_words: frozenset[str]
    agent_nouns: dict[str, str]  # "murderers" -> "murder"
    event_verbs: dict[str, str]  # past participle -> the event noun: "arrested" -> "arrest"
    passive_auxiliaries: frozenset[str]
    collective_nouns: dict[str, str]  # plural noun -> the kind of what it names
    collective_generic: frozenset[str]
    determiners: frozenset[str]
    event_stop: frozenset[str]
    months: dict[str, int]
    weekdays: frozenset[str]
    generic_name_words: frozenset[str]
    demonyms: dict[str, str]  # "Pakistani" -> "Pakistan"
    followers: frozenset[str]
    weak_cues: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cues:
        relations = [
            Cue(phrase.casefold(), group["type"], group["order"])
            for group in data["relations"]
            for phrase in group["phrases"]
        ]
        unknown = {c.type for c in relations} - TIE_TYPES.keys()
        if unknown:
            raise ValueError(f"cue file names unknown tie types: {', '.join(sorted(unknown))}")
        kind_words = {kind: frozenset(words) for kind, words in data["kind_words"].items()}
        if kind_words.keys() - KINDS.keys():
            raise ValueError("cue file names unknown kinds")
        return cls(
            relations=tuple(relations),
            hedges=tuple(h.casefold() for h in data["hedges"]),
            responsibility_claims=frozenset(c.casefold() for c in data["responsibility_claims"]),
            claim_verbs=tuple(v.casefold() for v in data["claim_verbs"]),
            speech_verbs=tuple(v.casefold() for v in data["speech_verbs"]),
            claim_prefixes=tuple(p.casefold() for p in data["claim_prefixes"]),
            dispute_frames=tuple(f.casefold() for f in data["dispute_frames"]),
            anaphors=tuple(a.casefold() for a in data["anaphors"]),
            plural_anaphors=frozenset(a.casefold() for a in data["plural_anaphors"]),
            person_titles=frozenset(data["person_titles"]),
            person_context=frozenset(w.casefold() for w in data["person_context"]),
            kind_words=kind_words,
            place_prepositions=frozenset(data["place_prepositions"]),
            name_connectors=frozenset(data["name_connectors"]),
            not_names=frozenset(data["not_names"]),
            not_alone=frozenset(data["not_alone"]),
            place_nouns=frozenset(data["place_nouns"]),
            facility_nouns=frozenset(data["facility_nouns"]),
            agency_nouns=frozenset(data["agency_nouns"]),
            event_nouns=frozenset(data["event_nouns"]),
            event_links=frozenset(data["event_links"]),
            agent_nouns={k.casefold(): v for k, v in data["agent_nouns"].items()},
            time_words=frozenset(w.casefold() for w in [*data["time_words"], *data["weekdays"], *data["months"]]),
            object_pronouns=frozenset(w.casefold() for w in data["object_pronouns"]),
            event_verbs={k.casefold(): v for k, v in data["event_verbs"].items()},
            passive_auxiliaries=frozenset(w.casefold() for w in data["passive_auxiliaries"]),
            collective_nouns={noun: kind for kind, nouns in data["collective_nouns"].items() for noun in nouns},
            collective_generic=frozenset(data["collective_generic"]),
            determiners=frozenset(data["determiners"]),
            event_stop=frozenset(data["event_stop"]),
            months={k.casefold(): v for k, v in data["months"].items()},
            weekdays=frozenset(data["weekdays"]),
            generic_name_words=frozenset(data["generic_name_words"]),
            demonyms=dict(data["demonyms"]),
            followers=frozenset(data["followers"]),
            weak_cues=frozenset(data["weak_cues"]),
        )


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    text = resources.files("khorasan_tui").joinpath("ingest_cues.json").read_text(encoding="utf-8")
    return Cues.from_dict(json.loads(text))


# An adverb may sit inside a phrase: "provided precisely by", "led jointly by", "is widely said to".
_ADVERB = r"[^\W\d_]+ly"
_INNER_GAP = rf"\s+(?:{_ADVERB}\s+)?"


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    """One alternation of whole-word phrases, longest first; 'x*' matches any ending.
    Between the words of a phrase one adverb may stand."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        stem = phrase.endswith("*")
        body = re.escape(phrase.rstrip("*")).replace(r"\ ", _INNER_GAP)
        parts.append(body + (r"[\w-]*" if stem else ""))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    cues = load_cues()
    by_phrase: dict[str, Cue] = {}
    for cue in cues.relations:
        by_phrase.setdefault(cue.phrase.rstrip("*"), cue)
    return {
        "relations": _phrase_pattern([c.phrase for c in cues.relations]),
        "by_phrase": by_phrase,
        "stems": [(c.phrase.rstrip("*"), c) for c in cues.relations if c.phrase.endswith("*")],
        "hedges": _phrase_pattern(list(cues.hedges)),
        "claim_verbs": _phrase_pattern(list(cues.claim_verbs)),
        "speech_verbs": _phrase_pattern(list(cues.speech_verbs)),
        "claim_prefixes": _phrase_pattern(list(cues.claim_prefixes)),
        "disputes": _phrase_pattern(list(cues.dispute_frames)),
        "anaphors": _phrase_pattern([*cues.anaphors, *cues.plural_anaphors]),
    }


# -- sentences -------------------------------------------------------------------------


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a line break always ends one (headlines)."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        offset = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        for piece in segmenter.segment(chunk):
            start, end = offset + piece.start, offset + piece.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


# -- results ---------------------------------------------------------------------------


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    actor_id: str | None  # None: a name the store does not know
    name: str
    kind: str
    fuzzy: bool = False

    @property
    def key(self) -> str:
        return self.actor_id if self.actor_id is not None else "new:" + normalize_key(self.name)

    def end_json(self) -> dict[str, Any]:
        if self.actor_id is not None:
            return {"id": self.actor_id, "name": self.name}
        return {"name": self.name, "new": True}


@dataclass(slots=True)
class Ambiguity:
    text: str
    candidates: list[str]  # actor ids
    start: int


@dataclass(slots=True)
class Suggestion:
    source: Mention
    target: Mention
    type: str
    status: str
    claimant: Mention | None
    start: str | None
    end: str | None
    quote: str
    existing_tie: str | None
    confidence: float
    sentence: int
    cue: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source.end_json(),
            "target": self.target.end_json(),
            "type": self.type,
            "status": self.status,
            "claimant": self.claimant.end_json() if self.claimant else None,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "existing_tie": self.existing_tie,
            "confidence": self.confidence,
        }


@dataclass
class Analysis:
    text: str
    sentences: list[tuple[int, int]]
    mentions: list[Mention]
    ambiguous: list[Ambiguity]
    new_names: list[Mention]  # one per name, its first occurrence
    new_counts: dict[str, int]
    suggestions: list[Suggestion]
    document: dict[str, Any] = field(default_factory=dict)

    def known_counts(self) -> dict[str, list[Mention]]:
        grouped: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            if m.actor_id is not None:
                grouped[m.actor_id].append(m)
        return grouped

    def sentence_of(self, position: int) -> str:
        for start, end in self.sentences:
            if start <= position < end:
                return self.text[start:end]
        return ""

    def to_json(self, graph: Graph) -> dict[str, Any]:
        mentions = []
        for actor_id, found in sorted(self.known_counts().items(), key=lambda kv: (-len(kv[1]), kv[0])):
            actor = graph.actors[actor_id]
            mentions.append(
                {
                    "actor": {"id": actor.id, "name": actor.name, "kind": actor.kind},
                    "count": len(found),
                    "quote": self.sentence_of(found[0].start),
                }
            )
        ambiguous = []
        seen: set[str] = set()
        for amb in self.ambiguous:
            if amb.text in seen:
                continue
            seen.add(amb.text)
            ambiguous.append(
                {
                    "text": amb.text,
                    "candidates": [{"id": a, "name": graph.actors[a].name} for a in amb.candidates],
                }
            )
        new_names = [
            {
                "name": m.name,
                "kind": m.kind,
                "count": self.new_counts[normalize_key(m.name)],
                "quote": self.sentence_of(m.start),
            }
            for m in self.new_names
        ]
        return {
            "document": dict(self.document),
            "mentions": mentions,
            "ambiguous": ambiguous,
            "new_names": new_names,
            "suggestions": [s.to_json() for s in self.suggestions],
        }


# -- finding known actors --------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")
_WORD = re.compile(r"[^\W_](?:[\w’'\-]*[^\W_])?")
# Inside a name: spaces, hyphens, apostrophes, dots ("U.S."); never a line break or a comma.
_NAME_GAP = re.compile(r"[ \t\-‐‑–—'’.]*")


def _skeleton(key: str) -> str:
    """First letter and consonants, repeats folded: Faroqqi and Farooqi are both 'frq'."""
    if not key:
        return ""
    rest = re.sub(r"[aeiouy]", "", key[1:])
    return key[0] + re.sub(r"(.)\1+", r"\1", rest)


class ActorIndex:
    """Every actor name folded once: an automaton for exact names, lists for near ones."""

    def __init__(self, graph: Graph) -> None:
        import ahocorasick

        cues = load_cues()
        self.graph = graph
        self.automaton = ahocorasick.Automaton()
        self.keys: dict[str, set[str]] = defaultdict(set)
        self.key_forms: dict[str, list[str]] = defaultdict(list)  # the names as written, for case checks
        words: dict[str, set[str]] = defaultdict(set)
        for actor in graph.actors.values():
            for name in actor.names:
                key = normalize_key(name)
                if not key:
                    continue
                self.keys[key].add(actor.id)
                self.key_forms[key].append(name)
                for word in _WORD.findall(name):
                    folded = normalize_key(word)
                    if (
                        len(folded) >= 4
                        and word[:1].isupper()
                        and folded not in cues.generic_name_words
                        and word not in cues.not_names
                        and word not in cues.person_titles
                    ):
                        words[folded].add(actor.id)
        for key in self.keys:
            self.automaton.add_word(key, key)
        if self.keys:
            self.automaton.make_automaton()
        self.words = dict(words)
        # Every name of one actor other than an event, for reading an event's description.
        self.aliases = {
            key: next(iter(ids))
            for key, ids in self.keys.items()
            if len(ids) == 1 and graph.actors[next(iter(ids))].kind != "event"
        }
        self.events = [a for a in graph.actors.values() if a.kind == "event"]
        self.fuzzy_keys = [k for k in self.keys if len(k) >= FUZZY_MIN_LENGTH]

    def exact(self, text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """(start, end, key) of every name found on word boundaries in text[lo:hi]."""
        if not self.keys:
            return []
        folded: list[str] = []
        starts: dict[int, int] = {}  # position in the folded text -> text position
        ends: dict[int, int] = {}
        position = 0
        for token in _TOKEN.finditer(text, lo, hi):
            key = normalize_key(token.group())
            if not key:
                continue
            starts[position] = token.start()
            position += len(key)
            ends[position - 1] = token.end()
            folded.append(key)
        found = []
        for last, key in self.automaton.iter("".join(folded)):
            first = last - len(key) + 1
            if first not in starts or last not in ends:
                continue
            start, end = starts[first], ends[last]
            if self._fits(text, start, end, key):
                found.append((start, end, key))
        return found

    def _fits(self, text: str, start: int, end: int, key: str) -> bool:
        """Whether the words found really are the name: case for acronyms, no line or
        clause break inside, and a capital letter where the name has one."""
        surface = text[start:end]
        forms = self.key_forms[key]
        inner = re.sub(r"[^\W_]+", "", surface)
        if not _NAME_GAP.fullmatch(inner):
            return False
        if ". " in surface and not any(". " in f for f in forms):
            return False
        letters = re.sub(r"[^\w]", "", surface)
        if len(key) <= ACRONYM_LENGTH:
            return any(re.sub(r"[^\w]", "", f) == letters for f in forms)
        if any(ch.isupper() for f in forms for ch in f):
            return any(ch.isupper() for ch in surface)
        return True

    def near(self, surface: str) -> list[str]:
        """Actor ids whose name is a near spelling of `surface`, best first (two or
        more: ambiguous)."""
        from rapidfuzz import fuzz, process

        key = normalize_key(surface)
        if key in self.keys:
            return sorted(self.keys[key])
        if len(key) < FUZZY_MIN_LENGTH or not self.fuzzy_keys:
            return []
        found = process.extract(key, self.fuzzy_keys, scorer=fuzz.ratio, limit=8, score_cutoff=FUZZY_WITH_SKELETON)
        skeleton = _skeleton(key)
        best: dict[str, float] = {}
        for candidate, score, _ in found:
            if score < FUZZY_SURE and _skeleton(candidate) != skeleton:
                continue
            if abs(len(candidate) - len(key)) > max(2, len(key) // 5):
                continue
            for actor_id in self.keys[candidate]:
                best[actor_id] = max(best.get(actor_id, 0.0), score)
        if not best:
            return []
        top = max(best.values())
        return sorted((a for a, s in best.items() if top - s < 3), key=lambda a: -best[a])


# -- the analysis ----------------------------------------------------------------------


def analyse(
    text: str,
    graph: Graph,
    *,
    published: str | None = None,
    index: ActorIndex | None = None,
    document: dict[str, Any] | None = None,
) -> Analysis:
    """Mentions, new names and suggested ties for one document's text."""
    index = index or ActorIndex(graph)
    sentences = split_sentences(text)
    mentions, ambiguous, new = _find_names(text, sentences, index, published)
    new_counts: dict[str, int] = defaultdict(int)
    first_new: dict[str, Mention] = {}
    for m in new:
        key = normalize_key(m.name)
        new_counts[key] += 1
        first_new.setdefault(key, m)
    all_mentions = sorted(mentions + new, key=lambda m: m.start)
    suggestions = _suggest(text, sentences, all_mentions, graph, published)
    return Analysis(
        text=text,
        sentences=sentences,
        mentions=mentions,
        ambiguous=ambiguous,
        new_names=list(first_new.values()),
        new_counts=dict(new_counts),
        suggestions=suggestions,
        document=dict(document or {}),
    )


def _find_names(
    text: str, sentences: list[tuple[int, int]], index: ActorIndex, published: str | None = None
) -> tuple[list[Mention], list[Ambiguity], list[Mention]]:
    cues = load_cues()
    graph = index.graph
    mentions: list[Mention] = []
    ambiguous: list[Ambiguity] = []
    new: list[Mention] = []
    lowercase_words = {w for w in re.findall(r"\b[a-z][a-z’'\-]+\b", text)}

    def known(start: int, end: int, actor_id: str, fuzzy: bool = False) -> Mention:
        actor = graph.actors[actor_id]
        return Mention(start, end, text[start:end], actor_id, actor.name, actor.kind, fuzzy)

    def stored_event(words: str, name: str) -> str | None:
        """The store's event that these words name, or that the description `name` tells of
        ("the attacks on Kabul Airport (2021)" is "Kabul airport attack (Aug 2021)") when no
        other event fits as well."""
        ids = [a for a in index.near(words) if graph.actors[a].kind == "event"]
        if ids:
            return ids[0] if len(ids) == 1 else None
        likeness = sorted(((event_likeness(name, e.names, index.aliases), e.id) for e in index.events), reverse=True)
        if likeness and likeness[0][0] > 0 and (len(likeness) == 1 or likeness[1][0] < likeness[0][0]):
            return likeness[0][1]
        return None

    def add_new(start: int, end: int, kind: str | None = None) -> None:
        surface = text[start:end]
        new.append(Mention(start, end, surface, None, surface, kind or guess_kind(text, start, end, cues)))

    for lo, hi in sentences:
        exact: list[tuple[int, int, str]] = []
        for found in sorted(index.exact(text, lo, hi), key=lambda f: (-(f[1] - f[0]), f[0])):
            if not any(found[0] < e and s < found[1] for s, e, _ in exact):
                exact.append(found)
        # A one-word name inside a longer capitalised name is part of that name:
        # "Khalil Haqqani", "Isis Levant", "Quetta Shura" are not Haqqani, Isis, Quetta.
        for run_start, run_end, words in _capitalised_runs(text, lo, hi, [], cues):
            inner = [f for f in exact if run_start <= f[0] and f[1] <= run_end]
            sizes = [len(_WORD.findall(text[f[0] : f[1]])) for f in inner]
            naming = [
                w
                for w in words
                if w not in cues.not_names and w not in cues.not_alone and w not in cues.name_connectors
            ]
            if inner and len(naming) >= 2 and sum(sizes) < len(naming) and all(n == 1 for n in sizes):
                exact = [f for f in exact if f not in inner]
        before = len(mentions), len(new)
        for start, end, key in exact:
            ids = sorted(index.keys[key])
            if len(ids) == 1:
                mentions.append(known(start, end, ids[0]))
            else:
                ambiguous.append(Ambiguity(text[start:end], ids, start))
        taken = [(s, e) for s, e, _ in exact]
        for seq_start, seq_end, words in _capitalised_runs(text, lo, hi, taken, cues):
            surface = text[seq_start:seq_end]
            sentence_initial = not text[lo:seq_start].strip(" “\"‘'(-")
            key = normalize_key(surface)
            # "Pakistani", "Afghan": adjectives, not near spellings of Pakistan or Afghanistan;
            # "These" is a word, not a near spelling of "the US".
            alone = len(words) == 1 and (words[0] in cues.not_alone or words[0] in cues.not_names)
            ids = [] if alone else index.near(surface)
            if ids and len(key) <= ACRONYM_LENGTH and sentence_initial:
                ids = []  # "Let", "Is" opening a sentence are words, not LeT or IS
            if len(ids) == 1:
                mentions.append(known(seq_start, seq_end, ids[0], fuzzy=True))
                continue
            if len(ids) > 1:
                ambiguous.append(Ambiguity(surface, ids, seq_start))
                continue
            if len(words) == 1:
                owners = sorted(index.words.get(key, ()))
                if len(owners) == 1:
                    mentions.append(known(seq_start, seq_end, owners[0], fuzzy=True))
                    continue
                if len(owners) > 1:
                    ambiguous.append(Ambiguity(surface, owners, seq_start))
                    continue
            span = _clean_new_name(text, seq_start, seq_end, words, sentence_initial, lowercase_words, cues)
            if span is not None:
                add_new(*span)
        # "Jalalabad prison", "Pakistani military": a name and the noun after it name a place or a body.
        found_names = [(m.start, m.end) for m in mentions[before[0] :]] + [(m.start, m.end) for m in new[before[1] :]]
        runs = [(s, e) for s, e, _ in _capitalised_runs(text, lo, hi, taken, cues)]
        names = found_names + runs
        for start, end in sorted(set(names)):
            noun = re.match(r" ([a-z]+)\b", text[end:hi])
            if noun is None:
                continue
            word = noun.group(1)
            # "Jalalabad prison" is a place of its own; "Kunar province" is Kunar when Kunar is known.
            kind = "place" if word in cues.facility_nouns else None
            if kind is None and (start, end) in runs and word in cues.place_nouns:
                kind = "place"
            if kind is None and (start, end) in runs and word in cues.agency_nouns:
                kind = "agency"  # "Pakistani military", "Biden administration"; not "Daesh intelligence"
            stop = end + noun.end()
            inside_another = any(s <= start and stop <= e for s, e in names if (s, e) != (start, end))
            if kind and not inside_another and normalize_key(text[start:stop]) not in index.keys:
                # "The Biden administration": the article is not part of the name, and "Biden"
                # alone (a new name) was only the start of this one.
                new[:] = [m for m in new if not (start <= m.start and m.end <= end)]
                lead = re.match(r"(?:(?:" + "|".join(map(re.escape, cues.not_names)) + r")\s+)+", text[start:stop])
                add_new(start + (lead.end() if lead else 0), stop, kind)
        names = [(m.start, m.end) for m in mentions[before[0] :]] + [(m.start, m.end) for m in new[before[1] :]]
        for start, end, told in _event_spans(text, lo, hi, names, cues):
            # An event is known by its year: "suicide attack in Jalalabad (2020)".
            year = None if _YEAR.search(text, start, end) else _event_year(text, lo, hi, published)
            name = f"{told or text[start:end]} ({year})" if year else told or text[start:end]
            stored = stored_event(told or text[start:end], name)
            if stored is not None:
                mentions.append(known(start, end, stored, fuzzy=True))
                continue
            add_new(start, end, "event")
            new[-1].name = name
        names = [(m.start, m.end) for m in mentions[before[0] :]] + [(m.start, m.end) for m in new[before[1] :]]
        for start, end, kind in _collective_spans(text, lo, hi, names, cues):
            add_new(start, end, kind)
        in_sentence = mentions[before[0] :] + new[before[1] :]
        for event in [
            *_object_events(text, lo, hi, in_sentence, published, cues),
            *_passive_events(text, lo, hi, in_sentence, published, cues),
        ]:
            stored = stored_event(event.name, event.name) if event.actor_id is None else None
            if stored is not None:
                event.actor_id, event.name, event.fuzzy = stored, graph.actors[stored].name, True
            (new if event.actor_id is None else mentions).append(event)
        mentions.sort(key=lambda m: m.start)
        new.sort(key=lambda m: m.start)
    _bodies_of_states(text, mentions, new, cues)
    _places_by_company(text, mentions, new, cues)
    _people_by_company(text, mentions, new, cues)
    mentions = _merge_adjacent(text, mentions)
    _same_entities(text, mentions, new, graph)
    _followings(text, mentions, new, cues)
    _one_kind_per_name(new)
    return mentions, ambiguous, new


def _followings(text: str, mentions: list[Mention], new: list[Mention], cues: Cues) -> None:
    """A person's men are a group of their own: "Farooqi's men were run by X" says who runs
    the men, not Farooqi; "Haqqani's fighters" operate where the fighters are."""
    for m in [*mentions, *new]:
        following = re.match(r"(?:’s|'s)\s+([a-z]+)\b", text[m.end : m.end + 30])
        if m.kind != "person" or following is None or following.group(1) not in cues.followers:
            continue
        end = m.end + following.end()
        (mentions if m.actor_id is not None else new).remove(m)
        new.append(Mention(m.start, end, text[m.start : end], None, text[m.start : end], "group"))
    new.sort(key=lambda m: m.start)


def _one_kind_per_name(new: list[Mention]) -> None:
    """A new name keeps one kind through a document: "Moscow" after "in" is a place, and
    so it is in "the Moscow attack", where nothing around it says so ("group" is only the
    guess when nothing does)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for m in new:
        if m.kind != "event":
            kinds[normalize_key(m.name)].add(m.kind)
    for m in new:
        told = kinds.get(normalize_key(m.name), set()) - {"group"}
        if m.kind == "group" and len(told) == 1:
            m.kind = next(iter(told))


def _same_entities(text: str, mentions: list[Mention], new: list[Mention], graph: Graph) -> None:
    """New names that stand for an actor named nearby take its name: "Jaish-e-Mohammed
    (JeM)" and "Aslam Farooqi (aka Abdullah Orakzai)" name one actor each; "Khalilzad"
    is the "Zalmay Khalilzad" named earlier."""
    everything = sorted(mentions + new, key=lambda m: m.start)
    for previous, m in itertools.pairwise(everything):
        gap = text[previous.end : m.start]
        # "X (aka Y)" renames; a bare "(Y)" only when Y is one word, an acronym or short
        # form: "Beatrice de Graaf (Utrecht University)" gives her affiliation, not her name.
        renames = re.fullmatch(r"\s*\((?:aka|or)\s+", gap) or (re.fullmatch(r"\s*\(", gap) and len(m.text.split()) == 1)
        if m.actor_id is None and renames:
            m.actor_id, m.name, m.kind = previous.actor_id, previous.name, previous.kind
    full = [m for m in new if m.actor_id is None and len(m.name.split()) >= 2 and m.kind != "event"]
    for m in new:
        if m.actor_id is None and len(m.name.split()) == 1:
            longer = {f.name for f in full if f.start < m.start and m.name in f.name.split()}
            if len(longer) == 1:
                m.name = longer.pop()
    moved = [m for m in new if m.actor_id is not None]
    if moved:
        new[:] = [m for m in new if m.actor_id is None]
        mentions.extend(moved)
        mentions.sort(key=lambda m: m.start)


def _bodies_of_states(text: str, mentions: list[Mention], new: list[Mention], cues: Cues) -> None:
    """A known state or place named right before a new name of a body is part of it:
    "U.S. Army Central Command", "Pakistan Air Force" are bodies of their own."""
    bodies = cues.kind_words["agency"] | cues.kind_words["organization"]
    for m in new:
        if m.text.split()[-1] not in bodies:
            continue
        previous = next(
            (
                p
                for p in mentions
                if p.kind in PLACE_KINDS and p.end <= m.start and re.fullmatch(r"\.?\s", text[p.end : m.start])
            ),
            None,
        )
        if previous is None:
            continue
        lead = re.match(r"(?:the|The)\s+", previous.text)  # "the U.S" is an alias; the article is no part of a name
        m.start = previous.start + (lead.end() if lead else 0)
        m.text = m.name = text[m.start : m.end]
        m.kind = "agency"
        mentions.remove(previous)


def _places_by_company(text: str, mentions: list[Mention], new: list[Mention], cues: Cues) -> None:
    """A new name listed among places is a place: "in Peshawar, Yakatoot and Quetta"; not
    one whose own noun says what it is ("religious minorities, U.S. forces")."""
    everything = sorted(mentions + new, key=lambda m: m.start)
    listed = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
    changed = True
    while changed:  # along the list, one name at a time
        changed = False
        for i, m in enumerate(everything):
            if m.actor_id is not None or m.kind in ("place", "event") or m.text.split()[-1] in cues.collective_nouns:
                continue
            neighbours = []
            if i > 0 and listed.fullmatch(text[everything[i - 1].end : m.start]):
                neighbours.append(everything[i - 1])
            if i + 1 < len(everything) and listed.fullmatch(text[m.end : everything[i + 1].start]):
                neighbours.append(everything[i + 1])
            if any(n.kind in PLACE_KINDS for n in neighbours):
                m.kind = "place"
                changed = True


def _people_by_company(text: str, mentions: list[Mention], new: list[Mention], cues: Cues) -> None:
    """A new name joined by "and" to a person is a person: "Sirajuddin and Badaruddin"; not
    one whose own words say what it is ("Sirajuddin and the Quetta Shura")."""
    everything = sorted(mentions + new, key=lambda m: m.start)
    for previous, m in itertools.pairwise(everything):
        for person, other in ((previous, m), (m, previous)):
            named = any(w in vocabulary for vocabulary in cues.kind_words.values() for w in other.text.split())
            if (
                person.kind == "person"
                and other.actor_id is None
                and other.kind == "group"
                and not named
                and re.fullmatch(r"\s+and\s+", text[previous.end : m.start])
            ):
                other.kind = "person"


_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def _event_spans(
    text: str, lo: int, hi: int, names: list[tuple[int, int]], cues: Cues
) -> list[tuple[int, int, str | None]]:
    """Attacks, arrests, agreements named by their words: "the latest ISKP attack on
    Jalalabad prison", "a U.S. drone strike", "the 2008 Mumbai siege attacks".
    A phrase needs a name or a year in it; "the attack" alone names nothing new."""
    words = list(_WORD.finditer(text, lo, hi))
    spans: list[tuple[int, int, str | None]] = []

    def name_at(position: int) -> tuple[int, int] | None:
        here = [(s, e) for s, e in names if s <= position < e]
        return max(here, key=lambda span: span[1] - span[0]) if here else None

    for word in words:
        # "the murderers of Daniel Pearl": the doers name the deed, the murder of Daniel Pearl
        noun = cues.agent_nouns.get(word.group().casefold())
        linked = re.match(r"\s+of\s+(?:the\s+)?", text[word.end() : hi]) if noun else None
        # "of American journalist Daniel Pearl": a few words describe whom
        target = (
            next((n for n in sorted(names) if word.end() + linked.end() <= n[0] and n[0] - word.end() < 50), None)
            if linked
            else None
        )
        if target is not None and re.fullmatch(r"(?:[\w’'-]+\s+){0,3}", text[word.end() + linked.end() : target[0]]):
            spans.append((word.start(), target[1], f"{noun} of {text[target[0] : target[1]]}"))
    for i, word in enumerate(words):
        if word.group().casefold() not in cues.event_nouns or name_at(word.start()):
            continue
        start, end = word.start(), word.end()
        named = qualified = False
        j, steps = i - 1, 0
        while j >= 0 and steps < 4:
            previous = words[j]
            gap = text[previous.end() : start] or "x"
            # "a U.S. drone strike": the dot of an abbreviated name is no break
            if not (
                re.fullmatch(r"[ \-]", gap)
                or (gap == ". " and len(previous.group()) == 1 and name_at(previous.start()))
            ):
                break
            token = previous.group()
            inside = name_at(previous.start())
            if inside is not None:
                start, named = inside[0], True
                while j >= 0 and words[j].start() >= inside[0]:
                    j -= 1
                steps += 1
                continue
            folded = token.casefold()
            # "last week's attack", "Sunday's bombing": when, not which
            time = re.sub(r"(?:’s|'s)$", "", folded)
            if folded in cues.determiners or folded in cues.event_stop or (time != folded and time in cues.time_words):
                break
            if token[:1].isupper() or _YEAR.fullmatch(token):
                named = True
            elif folded.endswith("ed"):
                break  # "al Qaeda held negotiations", "ISKP staged attacks": a verb, not a qualifier
            elif start != word.start():
                break  # one plain word may qualify the noun ("suicide attack"), no more
            else:
                qualified = True
            start = previous.start()
            j -= 1
            steps += 1
        # What follows, link by link: "attacks against the Taliban in Nangarhar and Kunar",
        # "attacks against them in Nangarhar" (a pronoun links on but names nothing).
        k, reach = i + 1, end
        # "the agreement signed with the USA": a participle before the first link is no part of the name
        participle = None
        if (
            k + 1 < len(words)
            and text[end : words[k].start()] == " "
            and words[k].group().endswith("ed")
            and words[k].group().casefold() not in cues.event_stop
            and words[k + 1].group().casefold() in cues.event_links
        ):
            participle, reach, k = words[k], words[k].end(), k + 1
        while k + 1 < len(words) and text[reach : words[k].start()] == " ":
            if words[k].group().casefold() not in cues.event_links:
                break
            k += 1
            if words[k].group().casefold() == "the" and k + 1 < len(words):
                k += 1
            target = name_at(words[k].start())
            if target is None:
                if words[k].group().casefold() not in cues.object_pronouns:
                    break
                reach, k = words[k].end(), k + 1
                continue
            end = reach = target[1]
            named = True
            k = next((n for n in range(k, len(words)) if words[n].start() >= end), len(words))
            # "in Nangarhar and Kunar", "in A, B and C": the names listed with it (a list ends
            # in "and"; "after the attack on X, Pakistan closed ..." lists nothing)
            last = end
            while (gap := re.match(r"(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?", text[last:hi])) is not None:
                listed = name_at(last + gap.end())
                if listed is None or listed[0] != last + gap.end():
                    break
                last = listed[1]
                if "and" in gap.group():
                    end = reach = last
                    break
            k = next((n for n in range(k, len(words)) if words[n].start() >= end), len(words))
        # "propaganda video", "coordinated assault": a qualified noun names an event too.
        if named or qualified:
            told = None
            if participle is not None and participle.end() < end:
                told = text[start : participle.start()] + text[participle.end() + 1 : end]
            spans.append((start, end, told))
    return spans


def event_words(name: str, aliases: dict[str, str]) -> tuple[set[str], set[str], set[str]]:
    """A name's event nouns (singular), content words and years, case-folded; the longest
    runs of words that name an actor (`aliases`: folded name -> actor id) are that actor."""
    cues = load_cues()
    function_words = cues.determiners | cues.event_stop | cues.event_links | {w.casefold() for w in cues.not_names}
    nouns: set[str] = set()
    content: set[str] = set()
    years: set[str] = set()
    words = re.findall(r"[^\W_]+", name.casefold())
    i = 0
    while i < len(words):
        word = words[i]
        actor_id, n = next(
            (
                (aliases[normalize_key(" ".join(words[i : i + n]))], n)
                for n in range(min(5, len(words) - i), 0, -1)
                if normalize_key(" ".join(words[i : i + n])) in aliases
            ),
            (None, 1),
        )
        if actor_id is not None and word not in function_words:
            content.add("@" + actor_id)
        elif _YEAR.fullmatch(word):
            years.add(word)
        elif word in cues.event_nouns:
            nouns.add(word[:-1] if word.endswith("s") and word[:-1] in cues.event_nouns else word)
        elif word not in function_words and not word.isdigit() and len(word) > 1:
            content.add(word)
        i += n if actor_id is not None and word not in function_words else 1
    return nouns, content, years


def event_likeness(name: str, names: list[str], aliases: dict[str, str]) -> float:
    """How well an event's description ("suicide attacks in Jalalabad (2020)") fits an
    event's names ("ISKP suicide attack in Jalalabad"): the same event noun, every content
    word of the description among the name's (a name of an actor counts as that actor), two
    shared words at least, the event noun counted, and no other year. 0: not that event;
    at most 0.6, the more of the name's words the description gives the higher."""
    nouns, content, years = event_words(name, aliases)
    best = 0.0
    for other in names:
        other_nouns, other_content, other_years = event_words(other, aliases)
        shared = len(nouns & other_nouns) + len(content & other_content)
        if (
            nouns & other_nouns
            and content
            and content <= other_content
            and shared >= 2
            and (not years or not other_years or years & other_years)
        ):
            best = max(best, 0.5 * len(content) / len(other_content | content) + 0.1)
    return best


def _event_year(text: str, lo: int, hi: int, published: str | None) -> str | None:
    """The year an event a sentence tells of happened: the sentence's date, else the document's."""
    date = _dates(text, lo, hi, published)[0] or published
    return date[:4] if date and _YEAR.fullmatch(date[:4]) else None


def _passive_events(
    text: str, lo: int, hi: int, names: list[Mention], published: str | None, cues: Cues
) -> list[Mention]:
    """The event a passive verb tells of: "Farooqi was arrested in Kandahar by the NDS" is
    the arrest of Farooqi (its year from the sentence or the document), found where the
    verb is; what it did to whom, where and by whom are the ties _default_type gives it."""
    found: list[Mention] = []
    events = [m for m in names if m.kind == "event"]
    names = [m for m in names if m.kind != "event"]
    top = [m for m in names if not any(o is not m and o.start <= m.start and m.end <= o.end for o in names)]
    for verb in _WORD.finditer(text, lo, hi):
        noun = cues.event_verbs.get(verb.group().casefold())
        auxiliary = re.search(r"\b(\w+)\s+$", text[lo : verb.start()])
        if noun is None or auxiliary is None or auxiliary.group(1).casefold() not in cues.passive_auxiliaries:
            continue
        if any(m.start <= verb.start() < m.end for m in names):
            continue
        subject = _subject_before(text, lo, top, auxiliary.start() + lo, cues)
        if subject is None:
            continue  # "was attacked" with no one named names no event
        # "Mansour was killed in a U.S. drone strike": the killing is the strike.
        within = re.match(r"\s+(?:in|by|during)\s+(?:a|an|the)?\s*", text[verb.end() : hi])
        named = next((e for e in events if within is not None and e.start == verb.end() + within.end()), None)
        if named is not None:
            found.append(Mention(verb.start(), verb.end(), verb.group(), named.actor_id, named.name, "event"))
            continue
        name = f"{noun} {'on' if subject.kind in PLACE_KINDS else 'of'} {subject.name}"
        year = _event_year(text, lo, hi, published)
        found.append(
            Mention(verb.start(), verb.end(), verb.group(), None, f"{name} ({year})" if year else name, "event")
        )
    return found


def _subject_before(text: str, lo: int, top: list[Mention], position: int, cues: Cues) -> Mention | None:
    """The first name of a sentence before `position` that is its verb's subject: itself
    right before it or closing an apposition ("X, the head of Y, was"), not a modifier
    ("the TTP commander was") nor after a preposition ("In Kabul, X was")."""
    prepositions = "|".join(sorted(cues.place_prepositions | cues.event_links))
    for m in top:
        gap = text[m.end : position].rstrip()
        if (
            m.end <= position
            and (not gap.strip() or gap[-1] in ",)")
            and not re.search(rf"\b(?:{prepositions})\s+(?:the\s+)?$", text[lo : m.start], re.IGNORECASE)
        ):
            return m
    return None


def _object_events(
    text: str, lo: int, hi: int, names: list[Mention], published: str | None, cues: Cues
) -> list[Mention]:
    """A bare event noun its subject's verb introduces ("the Islamic State released a
    statement", "X launched an offensive"): the subject's event, named after it and its
    year ("Islamic State statement (2015)"). "the statement" refers to one told of before."""
    verbs = "|".join(
        re.escape(c.phrase).replace(r"\ ", r"\s+")
        for c in cues.relations
        if c.type == "carried_out" and c.order == "forward" and not c.phrase.endswith("*")
    )
    top = [m for m in names if not any(o is not m and o.start <= m.start and m.end <= o.end for o in names)]
    found: list[Mention] = []
    for noun in _WORD.finditer(text, lo, hi):
        if noun.group().casefold() not in cues.event_nouns or any(m.start <= noun.start() < m.end for m in names):
            continue
        verb = re.search(rf"\b(?:{verbs})\s+(?:a|an)\s+$", text[lo : noun.start()], re.IGNORECASE)
        subject = (
            _subject_before(
                text, lo, [m for m in top if m.kind not in ("event", *PLACE_KINDS)], lo + verb.start(), cues
            )
            if verb
            else None
        )
        if subject is None:
            continue
        name = f"{subject.name} {noun.group()}"
        year = _event_year(text, lo, hi, published)
        found.append(
            Mention(noun.start(), noun.end(), noun.group(), None, f"{name} ({year})" if year else name, "event")
        )
    return found


def _doer(text: str, other: Mention, event: Mention) -> bool:
    """Whether `other` is who an agent noun's event names as its doer: "X, one of the
    murderers of Y", "X was the killer of Y" (X carried out the murder of Y)."""
    return (
        other.kind != "event"
        and event.kind == "event"
        and event.text.split()[0].casefold() in load_cues().agent_nouns
        and re.fullmatch(
            r"(?:,\s*|\s+(?:is|was|are|were)\s+)(?:(?:one|two|some|any)\s+of\s+)?(?:the\s+)?",
            text[other.end : event.start],
        )
        is not None
    )


def _passive(m: Mention) -> bool:
    """Whether a mention is the event a passive verb tells of (_passive_events)."""
    return m.kind == "event" and m.text != m.name and m.text.casefold() in load_cues().event_verbs


def _collective_spans(
    text: str, lo: int, hi: int, names: list[tuple[int, int]], cues: Cues
) -> list[tuple[int, int, str]]:
    """Unnamed collective actors: a plural noun for people or bodies with one or two words
    that say which ("religious minorities", "local groups", "Salafist madrasas"); not the
    generic "terrorist groups" or "many fighters", which name no one in particular."""
    words = list(_WORD.finditer(text, lo, hi))
    verbs = set(cues.speech_verbs) | set(cues.claim_verbs) | {c.phrase for c in cues.relations if " " not in c.phrase}
    spans: list[tuple[int, int, str]] = []
    for i, word in enumerate(words):
        kind = cues.collective_nouns.get(word.group().casefold())
        if kind is None or any(s <= word.start() < e for s, e in names):
            continue
        start = word.start()
        for previous in reversed(words[max(0, i - 2) : i]):
            token = previous.group()
            if (
                text[previous.end() : start] != " "
                or token.casefold() in cues.collective_generic
                or token.casefold() in cues.determiners
                or token.casefold() in cues.event_stop
                or not token.isalpha()
                # "authorizing madrassas", "said relief charities", "attacked clerics": a verb and its object
                or token.casefold().endswith(("ing", "ed"))
                or token.casefold() in verbs
                or any(s < previous.end() and previous.start() < e for s, e in names)
            ):
                break
            start = previous.start()
        if start < word.start():
            spans.append((start, word.end(), kind))
    return spans


def _capitalised_runs(
    text: str, lo: int, hi: int, taken: list[tuple[int, int]], cues: Cues
) -> list[tuple[int, int, list[str]]]:
    """Runs of capitalised words ("Abdul Qahar Balkhi", "Lashkar-e-Toiba", "Sayed
    ul-Shuhada High School") outside the names already found, split where those are."""
    runs: list[tuple[int, int, list[str]]] = []
    current: list[re.Match[str]] = []
    pending: list[re.Match[str]] = []  # connectors waiting for a capitalised word

    def close() -> None:
        if current:
            runs.append((current[0].start(), _word_end(current[-1]), [m.group() for m in current]))
        current.clear()
        pending.clear()

    for match in _WORD.finditer(text, lo, hi):
        start = match.start()
        if any(t_start <= start < t_end for t_start, t_end in taken):
            close()
            continue
        word = match.group()
        capital = word[:1].isupper() or bool(_PREFIXED_NAME.match(word))
        joined = bool(current) and _joins(text, _word_end((pending or current)[-1]), start, (pending or current)[-1])
        if capital and word.casefold() not in cues.months and word not in cues.weekdays:
            if current and joined:
                current.extend(pending)
                pending.clear()
                current.append(match)
            else:
                close()
                current.append(match)
            if match.end() != _word_end(match):
                close()  # "Farooqi's men": the name stops at the possessive
        elif current and joined and word in cues.name_connectors:
            pending.append(match)
        else:
            close()
    close()
    return runs


_PREFIXED_NAME = re.compile(r"(?:al|el|ul|ud|ur|e|bin|ibn)-[A-Z]")


def _word_end(match: re.Match[str]) -> int:
    word = match.group()
    if word.endswith(("'s", "’s")):
        return match.end() - 2
    return match.end()


def _joins(text: str, end: int, start: int, previous: re.Match[str]) -> bool:
    gap = text[end:start]
    if gap == " ":
        return True
    # An initial: "Michael E. Kurilla"; initials: "U.S. Army".
    return gap in (". ", ".") and len(previous.group()) == 1


def _clean_new_name(
    text: str,
    start: int,
    end: int,
    words: list[str],
    sentence_initial: bool,
    lowercase_words: set[str],
    cues: Cues,
) -> tuple[int, int] | None:
    """The span of a plausible new name in a capitalised run, or None for noise."""
    # Leading articles and the like are not part of the name ("The Jundullah").
    while words and words[0] in cues.not_names:
        skip = text.find(words[0], start) + len(words[0])
        start = skip + (len(text[skip:]) - len(text[skip:].lstrip(" .")))
        words = words[1:]
        sentence_initial = False
    if not words or end <= start:
        return None
    # "Afghan", "Army" alone name nothing, but "Afghan Army" and "Soviet Union" do: a
    # run of two or more words ending in a word that names a kind of body is a name.
    kind_word = (
        len(words) >= 2
        and any(words[-1] in vocabulary for vocabulary in cues.kind_words.values())
        and not any(w in cues.person_titles for w in words)
    )
    if not kind_word and all(w in cues.not_names or w in cues.not_alone or w in cues.person_titles for w in words):
        return None
    if len(words) == 1:
        word = words[0]
        acronym = word.isupper() and len(word) >= 2
        if len(normalize_key(word)) < 3 and not (acronym and not sentence_initial):
            return None
        if word.casefold() in lowercase_words and not acronym:
            return None
        if sentence_initial and not acronym and len(word) < 5:
            return None
    return start, end


def guess_kind(text: str, start: int, end: int, cues: Cues | None = None) -> str:
    """A new name's kind from its own words, a title before it, or the words around it."""
    cues = cues or load_cues()
    name = text[start:end]
    words = name.replace("-", " - ").split()
    before = text[max(0, start - 40) : start].split()
    after = text[end : end + 30].split()
    previous = before[-1].strip(',.;:()“”"') if before else ""
    following = after[0].strip(',.;:()“”"').casefold() if after else ""
    # "Ziaurahman, head of ...", "X, the leader of ...": the role in an apposition.
    role = re.match(r",\s+(?:(?:the|a|an|its|their|then|former|current|new)\s+)*([a-z]+)", text[end : end + 40])
    if words[0] in cues.person_titles or previous in cues.person_titles or previous.casefold() in cues.person_context:
        return "person"
    for kind in ("event", "place", "agency", "organization", "group", "state"):
        vocabulary = cues.kind_words.get(kind, frozenset())
        if any(w in vocabulary for w in words) or any(v in name for v in vocabulary if " " in v or v.endswith("-")):
            return kind
    if following in {"province", "district"}:
        return "place"
    if following in cues.person_context or (role is not None and role.group(1) in cues.person_context):
        return "person"
    if previous.casefold() in cues.place_prepositions:
        return "place"
    if 2 <= len(words) <= 4 and all(w[:1].isupper() or w in cues.name_connectors for w in words):
        return "person"
    return "group"


def _merge_adjacent(text: str, mentions: list[Mention]) -> list[Mention]:
    """'Aslam' found by its word and 'Faroqqi' as an alias: one mention."""
    mentions.sort(key=lambda m: m.start)
    merged: list[Mention] = []
    for m in mentions:
        if merged and merged[-1].actor_id == m.actor_id and not text[merged[-1].end : m.start].strip():
            last = merged[-1]
            last.end = m.end
            last.text = text[last.start : m.end]
            last.fuzzy = last.fuzzy and m.fuzzy
            continue
        merged.append(m)
    return merged


# -- suggestions -----------------------------------------------------------------------


@dataclass(slots=True)
class _Cue:
    start: int
    end: int
    cue: Cue


def _cues_in(text: str, lo: int, hi: int) -> list[_Cue]:
    patterns = _patterns()
    found = []
    for match in patterns["relations"].finditer(text, lo, hi):
        phrase = re.sub(r"\s+", " ", match.group().casefold())
        cue = patterns["by_phrase"].get(phrase)
        if cue is None:  # "provided precisely by": the phrase without the adverb inside it
            words = phrase.split(" ")
            bare = " ".join([words[0], *(w for w in words[1:-1] if not re.fullmatch(_ADVERB, w)), words[-1]])
            phrase = bare if len(words) > 1 else phrase
            cue = patterns["by_phrase"].get(phrase)
        if cue is None:
            cue = next((c for stem, c in patterns["stems"] if phrase.startswith(stem)), None)
        # "will never work together", "did not fund": a denied relation is no cue for it.
        if cue is not None and not _NEGATED.search(text, max(lo, match.start() - 30), match.start()):
            found.append(_Cue(match.start(), match.end(), cue))
    return found


# ... but "not only cooperated with A but also with B" affirms it.
_NEGATED = re.compile(
    r"(?:\b(?:not|never|no\s+longer|neither|nor)|n[’']t)\s+(?!(?:only|just|merely|simply)\b)(?:[a-z]+\s+)?$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Stance:
    """How a sentence presents what it says: who claims it and where the claim's
    content lies, where its hedges are, whether it disputes it."""

    claimant: Mention | None = None
    content: tuple[int, int] = (0, 0)  # the claimed part of the sentence
    speaker: Mention | None = None  # who speaks ("X said"), claimant or not
    hedges: tuple[tuple[int, int], ...] = ()  # spans
    disputed: bool = False
    # "X, who fight Y and according to Z are run from W": a claim in mid-sentence covers
    # the ties it ends in (X-W), not the ones stated before it (X-Y).
    claims_back: bool = False
    # "General X, head of Y, declared that ...": a tie wholly before this point (the verb of
    # saying) is no part of the claim.
    said: int = 0

    def status(self, text: str, a: Mention, b: Mention) -> str:
        """The status of a tie between two actors of the sentence, in their order."""
        if self.disputed:
            return "disputed"
        lo, hi = self.content
        claimed = (lo <= a.start or self.claims_back) and lo <= b.start and b.end <= hi and b.start >= self.said
        if self.claimant is not None and claimed:
            return "claimed"
        # A hedge covers what follows it in its clause, not an aside: "In all
        # likelihood he was chosen by X, uncle of Y (son of Z)" hedges he-X, not X-Y or Y-Z.
        for hedge, hedge_end in self.hedges:
            if a.start <= hedge <= b.start:
                return "alleged"
            # Reaching back over an aside: ", uncle of", "(the sons of": not what is hedged.
            reach = text[hedge_end : a.start].lstrip(" ,")
            if hedge < a.start and not re.search(r"[,(]", reach + text[a.end : b.start]):
                return "alleged"
        return "reported"


def _stance(text: str, lo: int, hi: int, mentions: list[Mention]) -> _Stance:
    """A claim verb ("claimed", "accused", "announced") makes anyone a claimant; a
    verb of speech ("said", "says") only a party (a group, state, agency or
    organisation): an analyst who says something reports it."""
    patterns = _patterns()
    hedge_spans = [m.span() for m in patterns["hedges"].finditer(text, lo, hi)]
    stance = _Stance(hedges=tuple(hedge_spans), disputed=bool(patterns["disputes"].search(text, lo, hi)))
    for prefix in patterns["claim_prefixes"].finditer(text, lo, hi):
        after = [m for m in mentions if prefix.end() <= m.start <= prefix.end() + 20]
        if after:
            stance.claimant = stance.speaker = after[0]
            stance.content = (lo, hi)
            # Mid-sentence, it claims what follows it; closing the sentence ("..., a report
            # by X says"), all of it.
            if any(m.end <= prefix.start() for m in mentions) and any(m.start > after[0].end for m in mentions):
                stance.content, stance.claims_back = (prefix.start(), hi), True
            return stance
    for kind in ("claim_verbs", "speech_verbs"):
        for verb in patterns[kind].finditer(text, lo, hi):
            if any(s <= verb.start() < e for s, e in hedge_spans):
                continue
            if kind == "claim_verbs" and _claims_responsibility(text, verb.start(), hi, mentions):
                continue  # a claim of responsibility is the perpetrator's claim of that one tie
            who = _speaker(text, verb.start(), verb.end(), mentions)
            if who is None:
                continue
            if kind == "speech_verbs":
                stance.speaker = stance.speaker or who  # "X claimed responsibility" still relates X
            if kind == "claim_verbs" or who.kind != "person":
                stance.claimant = who
                # "X said that ...": what follows; "..., says X": what comes before.
                stance.content = (verb.end(), hi) if who.start < verb.start() else (lo, verb.start())
                if who.start < verb.start() and kind == "claim_verbs":
                    # "X accused Y of ..." relates X too, up to the end of its clause: "X, in
                    # addition to accusing Y of treason, talks of ..." claims X-Y only.
                    reported_speech = re.match(r"\s*(?:that\b|:)", text[verb.end() : hi])  # "X declared that ..."
                    end = hi if reported_speech else _clause_end(text, verb.end(), hi, mentions)
                    stance.content = (who.start, end)
                    stance.said = verb.end()
                # "X let it be known through their Y that ...": what the claim says follows "that".
                that = re.search(r"\bthat\b", text[verb.end() : hi])
                if (
                    kind == "claim_verbs"
                    and who.start < verb.start()
                    and that is not None
                    and any(verb.end() <= m.start < verb.end() + that.start() for m in mentions)
                ):
                    stance.content = (verb.end() + that.end(), hi)
                    stance.said = stance.content[0]
                return stance
    return stance


_QUOTE = re.compile(r"“[^“”\n]*”|\"[^\"\n]*\"")


def _quotations(text: str, mentions: list[Mention]) -> list[tuple[int, int, Mention]]:
    """Direct speech and who speaks it: '“...,” says X', '“...”, X explains', 'X: “...”',
    and a long quotation after 'X emphasizes that ...' in the same paragraph."""
    patterns = _patterns()

    def saying(position: int) -> re.Match[str] | None:
        """A verb of saying or claiming at `position`, after any spaces."""
        position += len(text[position:]) - len(text[position:].lstrip())
        return patterns["speech_verbs"].match(text, position) or patterns["claim_verbs"].match(text, position)

    found: list[tuple[int, int, Mention]] = []
    for line in re.finditer(r"[^\n]+", text):
        lo, hi = line.span()
        here = [m for m in mentions if lo <= m.start < hi and m.kind != "place"]
        speakers = [m for m in here if saying(m.end)]  # "X says", "X emphasizes"
        for quote in _QUOTE.finditer(text, lo, hi):
            start, end = quote.span()
            speaker = None
            for m in here:
                if m.end <= start and _SPEAKER_BEFORE.fullmatch(text[m.end : start]):
                    speaker = m  # 'X: “...”'
                elif end <= m.start <= end + 30:
                    verb = saying(end + len(re.match(r"[\s,.]*", text[end:]).group()))
                    if (verb is not None and not text[verb.end() : m.start].strip()) or (
                        not text[end : m.start].strip(" ,.") and saying(m.end)
                    ):
                        speaker = m  # '“...,” says X', '“...”, X explains'
                        break
            # A quotation of its own (not a phrase in quotes inside a sentence) with no verb
            # beside it goes on the speech of whoever spoke last in the paragraph.
            opening = text[lo:start].rstrip()
            stands_alone = (not opening or opening.endswith((".", "!", "?", "”", '"'))) and end - start > 40
            if speaker is None and stands_alone:
                speaker = next((m for m in reversed(speakers) if m.end <= start), None)
            if speaker is not None:
                found.append((start, end, speaker))
    return found


_SPEAKER_BEFORE = re.compile(r"\s*(?:\([^()]*\))?\s*:\s*")


def _clause_end(text: str, start: int, hi: int, mentions: list[Mention]) -> int:
    """Where the clause that runs from `start` ends: the first comma or semicolon after a
    name, unless it only separates the names of a list."""
    for mark in re.finditer(r"[,;]", text[start:hi]):
        position = start + mark.start()
        before = [m for m in mentions if start <= m.start and m.end <= position]
        after = next((m for m in mentions if m.start > position), None)
        if not before:
            continue
        if after is not None and mark.group() == "," and _LIST_GAP.fullmatch(text[before[-1].end : after.start]):
            continue
        return position
    return hi


def _claims_responsibility(text: str, start: int, hi: int, mentions: list[Mention]) -> bool:
    """ "claimed responsibility", "claimed by X", "claimed the attack": a claim of responsibility."""
    phrase = _phrase_pattern(list(load_cues().responsibility_claims)).match(text, start, hi)
    if phrase is None:
        return False
    if re.search(r"responsibility|\bby$", phrase.group()):
        return True
    following = next((m for m in mentions if m.start >= phrase.start()), None)
    return following is not None and following.kind == "event" and following.start - phrase.end() <= 40


def _speaker(text: str, start: int, end: int, mentions: list[Mention]) -> Mention | None:
    """Who a verb of saying belongs to: "says De Graaf", else the person (or, failing
    one, the actor) named last before it."""
    right_before = [m for m in mentions if m.end <= start and not text[m.end : start].strip()]
    if right_before:
        return right_before[-1]  # "X says Y did ...": X speaks, not Y
    after = [m for m in mentions if end <= m.start <= end + 3 and not text[end : m.start].strip()]
    if after:
        return after[0]
    before = [m for m in mentions if m.end <= start and start - m.end <= CLAIMANT_REACH]
    people = [m for m in before if m.kind == "person"]
    if people:
        return people[-1]
    return before[-1] if before else None


def _dates(text: str, lo: int, hi: int, published: str | None) -> tuple[str | None, str | None]:
    cues = load_cues()
    sentence = text[lo:hi]
    months = "|".join(sorted((re.escape(m) for m in cues.months), key=len, reverse=True))
    year_of_publication = int(published[:4]) if published and is_partial_date(published) else None

    def month_number(name: str) -> int:
        return cues.months[name.casefold().rstrip(".")]

    def ok(value: str) -> str | None:
        return value if is_partial_date(value) else None

    span = re.search(r"\bbetween\s+((?:19|20)\d\d)\s+and\s+((?:19|20)\d\d)\b", sentence, re.IGNORECASE)
    if span:
        return span.group(1), span.group(2)
    patterns: list[tuple[str, Any]] = [
        (
            rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b",
            lambda m: ok(f"{m.group(3)}-{month_number(m.group(1)):02d}-{int(m.group(2)):02d}"),
        ),
        (
            rf"\b(\d{{1,2}})\s+({months})\.?,?\s+((?:19|20)\d\d)\b",
            lambda m: ok(f"{m.group(3)}-{month_number(m.group(2)):02d}-{int(m.group(1)):02d}"),
        ),
        (rf"\b({months})\.?\s+((?:19|20)\d\d)\b", lambda m: ok(f"{m.group(2)}-{month_number(m.group(1)):02d}")),
        (
            rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*(?:19|20)\d\d)",
            lambda m: (
                ok(f"{year_of_publication}-{month_number(m.group(1)):02d}-{int(m.group(2)):02d}")
                if year_of_publication
                else None
            ),
        ),
        (r"\b((?:19|20)\d\d)\b(?!/)", lambda m: m.group(1)),
    ]
    for pattern, build in patterns:
        for match in re.finditer(pattern, sentence, flags=re.IGNORECASE):
            word = match.group(1)
            if word.casefold() == "may" and not word[0].isupper():
                continue  # "may" the verb
            value = build(match)
            if value:
                return value, None
    return None, None


def _default_type(text: str, a: Mention, b: Mention) -> tuple[str, Mention, Mention] | None:
    """A type from the two kinds alone, when no cue words relate them. Two places
    come contained first."""
    kinds = (a.kind, b.kind)
    if a.kind in PLACE_KINDS and b.kind in PLACE_KINDS:
        return "located_in", a, b
    if "place" in kinds:
        place, other = (a, b) if a.kind == "place" else (b, a)
        if other.kind == "event":
            if other.start <= place.start and re.search(r"\bwith\s+(?:the\s+)?$", text[other.start : place.start]):
                return None  # "negotiations with Kabul": a party named by its capital, not where they were
            return "located_in", other, place
        return None  # an actor named with a place, with no word relating them, need not act there
    if "event" in kinds:
        event, other = (a, b) if a.kind == "event" else (b, a)
        # An event's own name may name who carried it out ("the ISKP attack on ...",
        # "Isis-signed pamphlets"); otherwise the wording must say it: a party named in
        # the same sentence as an attack or a deal is as often its target or a bystander.
        if other.kind != "event" and event.start <= other.start and other.end <= event.end:
            # ... unless it is the event's object: "the attack on the Taliban" targeted them.
            if re.search(r"\b(?:on|against|of|at)\s+(?:the\s+)?$", text[event.start : other.start]):
                return "targeted", event, other
            if event.text.split()[0].casefold() in load_cues().agent_nouns:
                return "targeted", event, other  # "the murderers of American journalist X" murdered X
            # "attacks on the Taliban in Kabul and Pakistan": a state after "in" is where it was
            links = re.findall(r"\b(on|against|of|at|in|near|into|by|with|from)\b", text[event.start : other.start])
            if other.kind == "state" and links and links[-1] in load_cues().place_prepositions:
                return "located_in", event, other
            return "carried_out", other, event
        if _doer(text, other, event):
            return "carried_out", other, event
        if _passive(event) and other.kind != "event":
            # A passive verb's event ("X was arrested ... by Y"): the subject's clause before
            # the verb names whom it was done to, the agent after "by" who did it.
            if other.end <= event.start:
                return "targeted", event, other
            if re.search(r"\bby\s+(?:the\s+)?(?:\w+(?:’s|'s)\s+)?$", text[event.end : other.start], re.IGNORECASE):
                return "carried_out", other, event
        return None
    if "person" in kinds and kinds != ("person", "person"):
        person, other = (a, b) if a.kind == "person" else (b, a)
        if other.kind in ("group", "agency", "organization"):
            return "member_of", person, other
    return "affiliated_with", a, b


def _typed(cue: Cue, a: Mention, b: Mention) -> tuple[str, Mention, Mention] | None:
    """A cue's type with its ends turned the way the type reads, or None when the
    kinds cannot take that type (a cue of place with no place)."""
    tie_type = cue.type
    source, target = (a, b) if cue.order == "forward" else (b, a)
    kinds = {a.kind, b.kind}
    if tie_type in PERSON_ONLY_TYPES:
        if kinds == {"person"} or ("person" not in kinds and tie_type != "member_of"):
            return None  # a person leads, founds or joins a group, not another person
        if a.kind != b.kind and "person" in kinds:
            source, target = (a, b) if a.kind == "person" else (b, a)
    if tie_type in GROUP_ONLY_TYPES and "person" in kinds:
        return None  # a person is no branch of a group and no group emerges from one
    if "place" in kinds and tie_type not in PLACE_TYPES:
        return None  # a place is where things are and happen, never a party: "attack on Kabul" is no tie with Kabul
    if tie_type in PLACE_TYPES:
        if target.kind not in PLACE_KINDS:
            source, target = target, source
        if target.kind not in PLACE_KINDS:
            return None
        tie_type = "operates_in" if source.kind == "group" else "located_in"  # as model.TIE_TYPES has it
    if tie_type in ("cooperates_with", "allied_with") and "event" in kinds and a.kind != b.kind:
        tie_type = "carried_out"  # "planned with X": X took part in the attack
    if tie_type == "carried_out":
        if "event" not in kinds:
            return None
        source, target = (b, a) if a.kind == "event" else (a, b)
        if source.kind == "event":
            return None
    if tie_type == "hostile_to" and "event" in kinds and a.kind != b.kind:
        event, other = (a, b) if a.kind == "event" else (b, a)
        return "targeted", event, other
    if "event" in kinds and tie_type not in ("carried_out", "targeted", "located_in"):
        return None
    return tie_type, source, target


def _existing(graph: Graph, tie_type: str, source: Mention, target: Mention) -> Tie | None:
    if source.actor_id is None or target.actor_id is None:
        return None
    directed = TIE_TYPES[tie_type].directed
    for tie in graph.ties_between(source.actor_id, target.actor_id):
        if tie.type != tie_type:
            continue
        if not directed or (tie.source == source.actor_id and tie.target == target.actor_id):
            return tie
    return None


def _subject(actors: list[Mention], speaker: Mention | None) -> Mention | None:
    """Whom a sentence is about: its first person, group, agency or organisation
    (not the one who speaks), else its first state, else its first actor."""
    actors = [m for m in actors if m is not speaker] or actors
    subject = next((m for m in actors if m.kind in _ACTING_KINDS), None)
    return subject or next((m for m in actors if m.kind == "state"), actors[0] if actors else None)


_CLAUSE_BREAK = re.compile(r";|\s[—–]\s")


def _clauses(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """A sentence's clauses, split at semicolons and dashes: ties do not cross them."""
    spans, start = [], lo
    for match in _CLAUSE_BREAK.finditer(text, lo, hi):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, hi))
    return spans


def _after_preposition(text: str, mention: Mention) -> bool:
    if mention.kind != "state":
        return False
    words = text[max(0, mention.start - 12) : mention.start].split()
    return bool(words) and words[-1].casefold() in load_cues().place_prepositions


def _anaphor(
    text: str,
    lo: int,
    hi: int,
    mentions: list[Mention],
    person: Mention | None,
    groups: list[Mention],
    named: list[Mention] | None = None,
) -> list[Mention]:
    """'He' early in a sentence is the last person named before it; 'it', 'the group'
    the last group (or agency, organisation) that was a sentence's subject; 'they',
    'both', 'these groups' all the groups that subject was listed with ("ISKP and the
    Taliban ... They share common enemies"); 'the former' and 'the latter' the first and
    the last of the groups the sentence before named (`named`)."""
    first = mentions[0].start if mentions else hi
    for match in _patterns()["anaphors"].finditer(text, lo, hi):
        word = match.group().casefold()
        if any(m.start <= match.start() < m.end for m in mentions):
            continue
        if match.start() >= first and not (word.startswith("the ") and len(mentions) < 2):
            continue
        plural = re.sub(r"\s+", " ", word) in load_cues().plural_anaphors
        referents = [person] if word in _PERSONAL else groups if plural else groups[:1]
        if word in ("the former", "the latter") and named and len({m.key for m in named}) >= 2:
            referents = named[:1] if word == "the former" else named[-1:]
        if not referents or referents[0] is None:
            continue
        return [
            Mention(match.start(), match.end(), match.group(), r.actor_id, r.name, r.kind, fuzzy=True)
            for r in referents
        ]
    return []


_PERSONAL = frozenset({"he", "she", "his", "her"})
_ACTING_KINDS = ("person", "group", "agency", "organization")
# Two actors further apart than this in one sentence are paired only through its subject.
PAIR_REACH = 200
# Two names with no cue relating them and nothing linking them in the store are
# suggested only this close (characters between them).
UNCUED_REACH = 80
# A place pairs with actors this close, the subject, and the actor just before it.
PLACE_REACH = 40


def _suggest(
    text: str, sentences: list[tuple[int, int]], mentions: list[Mention], graph: Graph, published: str | None
) -> list[Suggestion]:
    suggestions: list[Suggestion] = []
    person: Mention | None = None
    groups: list[Mention] = []
    named: list[Mention] = []  # the groups the last sentence that named any named
    cursor = 0
    quotations = _quotations(text, mentions)
    states = {normalize_key(n): a.id for a in graph.actors.values() if a.kind == "state" for n in a.names}
    for number, (lo, hi) in enumerate(sentences):
        inside: list[Mention] = []
        while cursor < len(mentions) and mentions[cursor].start < hi:
            if mentions[cursor].start >= lo:
                inside.append(mentions[cursor])
            cursor += 1
        actors = sorted([*inside, *_anaphor(text, lo, hi, inside, person, groups, named)], key=lambda m: m.start)
        named = [m for m in inside if m.kind in ("group", "agency", "organization")] or named
        # "in Pakistan": a state named as a place is one here.
        actors = [dataclasses.replace(m, kind="place") if _after_preposition(text, m) else m for m in actors]
        stance = _stance(text, lo, hi, actors)
        # 'X: “...”': who introduces a quotation speaks, like "X says".
        speaker = stance.speaker or next((q[2] for q in quotations if lo <= q[2].start < hi <= q[1] + 1), None)
        # "says X (Utrecht University)": the speaker's affiliation, like the speaker, is no
        # party to what is said.
        affiliation = next((m for m in actors if speaker is not None and m.start >= speaker.end), None)
        if affiliation is None or not re.fullmatch(r"\s*\(", text[speaker.end : affiliation.start]):
            affiliation = None
        subject = _subject([m for m in actors if m is not affiliation], speaker)
        for m in actors:
            if m.kind == "person":
                person = m
        if subject is not None and subject.kind in ("group", "agency", "organization"):
            groups = [subject]
            for m in actors[actors.index(subject) + 1 :]:
                if m.kind not in ("group", "agency", "organization") or not _LIST_GAP.fullmatch(
                    text[groups[-1].end : m.start]
                ):
                    break
                groups.append(m)
        national = _national(text, inside, states, graph)
        if len({m.key for m in actors}) < 2 and not national:
            continue
        start, end = _dates(text, lo, hi, published)
        quote = text[lo:hi]
        # Cue words inside a name are part of it ("Islamic Emirate"); an event's name still
        # says what relates its parties ("strategic partnership between ISKP and ...").
        cues = [
            c
            for c in _cues_in(text, lo, hi)
            if not any(m.start < c.end and c.start < m.end and m.kind != "event" for m in inside)
        ]
        pairs = []
        for clause_lo, clause_hi in _clauses(text, lo, hi):
            in_clause = [
                m for m in actors if clause_lo <= m.start < clause_hi and m is not speaker and m is not affiliation
            ]
            if len({m.key for m in in_clause}) < 2:
                continue
            clause_subject = subject if subject in in_clause else _subject(in_clause, None)
            pairs += _pairs(text, in_clause, cues, clause_subject)
        # Who speaks is no party to what is said, but the title around the name is theirs:
        # "Foreign Ministry spokesman X says", "says X (Utrecht University)".
        if speaker is not None:
            titled = next((m for m in reversed(actors) if m.end <= speaker.start), None)
            if titled is not None and re.fullmatch(r" [a-z]+(?: [a-z]+)? ", text[titled.end : speaker.start]):
                pairs.append((titled, speaker, None, 0.5))
            if affiliation is not None:
                pairs.append((speaker, affiliation, None, 0.5))
        pairs += [
            p
            for p in national
            if frozenset((p[0].key, p[1].key)) not in {frozenset((x.key, y.key)) for x, y, *_ in pairs}
        ]
        for a, b, cue, weight in pairs:
            typed = _typed(cue, a, b) if cue is not None else None
            if typed is None:
                typed = _default_type(text, a, b)
                cue = None
                weight = min(weight, 0.35)
                # Measured on the bundled documents: two names with no word relating them
                # are as often unrelated as not, and far apart with nothing linking them in
                # the store, mostly unrelated.
                first, last = sorted((a, b), key=lambda m: m.start)
                linked = a.actor_id and b.actor_id and graph.ties_between(a.actor_id, b.actor_id)
                within = last.end <= first.end  # "the ISKP attack": a name inside an event's
                # A passive verb's event reaches over its subject's apposition to the subject.
                if (
                    not linked
                    and not within
                    and not _passive(a)
                    and not _passive(b)
                    and last.start - first.end > UNCUED_REACH
                ):
                    continue
            if typed is None:
                continue
            tie_type, source, target = typed
            body = re.match(r"(?:’s|'s)?\s+([a-z]+)", text[target.end : target.end + 30])
            if tie_type == "leads" and body is not None and body.group(1) in load_cues().agency_nouns:
                tie_type = "member_of"  # "head of Daesh intelligence" leads a body within Daesh, not Daesh
            status = stance.status(text, *sorted((a, b), key=lambda m: m.start))
            claimant = stance.claimant if status == "claimed" else None
            quoted = next((q for q in quotations if all(q[0] <= m.start and m.end <= q[1] for m in (a, b))), None)
            if status == "reported" and quoted is not None:
                status, claimant = "claimed", quoted[2]  # direct speech is its speaker's claim
            if tie_type == "carried_out" and cue is not None and cue.phrase in load_cues().responsibility_claims:
                status, claimant = "claimed", source  # "X claimed the attack": X's own claim
            existing = _existing(graph, tie_type, source, target)
            # Measured on the bundled documents (bench/ingest_bench.py): a tie the store
            # already holds, or any tie between the two, is the surest sign; names found
            # only by a near spelling or a pronoun the least sure.
            confidence = weight
            if existing is not None:
                confidence += 0.3
            elif source.actor_id and target.actor_id and graph.ties_between(source.actor_id, target.actor_id):
                confidence += 0.15
            if source.fuzzy or target.fuzzy:
                confidence -= 0.1
            if status in ("alleged", "disputed"):
                confidence -= 0.05
            if cue is not None and cue.phrase in load_cues().weak_cues:
                confidence -= 0.1  # a bare "in", "at" or "against" says least of all cues
            suggestions.append(
                Suggestion(
                    source=source,
                    target=target,
                    type=tie_type,
                    status=status,
                    claimant=claimant,
                    start=start,
                    end=end,
                    quote=quote,
                    existing_tie=existing.id if existing else None,
                    confidence=round(max(0.05, min(confidence, 0.95)), 2),
                    sentence=number,
                    cue=cue.phrase if cue else "",
                )
            )
    return suggestions


_NATIONAL_GROUP = Cue("(nationality)", "operates_in", "forward")
_NATIONAL_BODY = Cue("(nationality)", "affiliated_with", "forward")


def _national(
    text: str, mentions: list[Mention], states: dict[str, str], graph: Graph
) -> list[tuple[Mention, Mention, Cue | None, float]]:
    """A nationality word before a group or body ties it to its state: "the Pakistani
    military", "Pakistani terrorist outfits A and B" (A and B are based in Pakistan), "the
    Afghan Foreign Ministry" (a body of Afghanistan). The state must be a known actor."""
    demonyms = load_cues().demonyms
    found: list[tuple[Mention, Mention, Cue | None, float]] = []
    carried: Mention | None = None  # the state of the list being read
    previous: Mention | None = None
    for m in mentions:
        if m.kind not in ("group", "agency", "organization"):
            carried = previous = None
            continue
        # "Pakistani terrorist outfits A", not "the Pakistani leader of A": the words between
        # qualify the name itself.
        lead = re.search(
            r"\b([A-Z][a-z]+)\s+(?:(?!(?:of|in|for|to|by|with|at|from|on|against)\b)[a-z][\w-]*\s+){0,3}$",
            text[max(0, m.start - 50) : m.start],
        )
        word = m.text.split()[0] if m.text.split()[0] in demonyms else lead.group(1) if lead else None
        state = states.get(normalize_key(demonyms[word])) if word in demonyms else None
        if state is not None:
            position = text.find(word, max(0, m.start - 50))
            carried = Mention(
                position, position + len(word), word, state, graph.actors[state].name, "state", fuzzy=True
            )
        elif previous is None or not _LIST_GAP.fullmatch(text[previous.end : m.start]):
            carried = None
        if carried is not None and carried.actor_id != m.actor_id:
            # Measured on the bundled documents: right about a third of the time.
            found.append((m, carried, _NATIONAL_GROUP if m.kind == "group" else _NATIONAL_BODY, 0.3))
        previous = m
    return found


# "X, the head of", "X, the Pakistani leader of", "X, head of": a role given to X.
_APPOSITION_BEFORE = re.compile(
    r"(?:\s*\((?:aka\s+)?[^()]*\))?,\s*(?:(?:the|a|an|its|their|which|who)\s+)?(?:[\w’'-]+\s+)?"
)
_PREPOSITION_END = re.compile(r"\s(?:to|with|of|by|from|in|at|on|against|for|into)$")
# "collaboration between A and B", "a struggle going on between A and that of B".
_BETWEEN = re.compile(r"\s+(?:(?:going\s+)?on\s+)?(?:between|among|amongst)\s+", re.IGNORECASE)
_BETWEEN_GAP = re.compile(r"\s*,?\s+(?:and|or)\s+(?:that\s+of\s+|those\s+of\s+)?(?:[a-z][\w’'-]*\s+){0,2}")
# "B, which provided", "B (the ISI) agency, who also trained": B's relative clause.
_RELATIVE = re.compile(r"(?:\s*\([^()]*\))?(?:\s+[a-z]+)?,\s+(?:which|who)\s+(?:also\s+|then\s+|later\s+)?")
# What may stand between two objects of one verb: "A, B", "A camps and the B", "A's leaders
# and B", "A, U.S. and B"; not a relative clause ("A, which B ...") or a possessive alone ("A's B").
_CO_OBJECTS = re.compile(r"(?=.*(?:,|\band\b|\bor\b))(?!.*\b(?:which|who|whom|whose|that)\b)[^;:()]*", re.DOTALL)
_ASIDE = re.compile(r"\([^()]*\)")
_COORDINATION = re.compile(r"^[\s,]*(?:and|or|as well as|and then|then|and later|but also|and also)\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?(?:the\s+)?|\s+(?:and|or)\s+(?:the\s+)?)", re.IGNORECASE)


def _pairs(
    text: str, actors: list[Mention], cues: list[_Cue], subject: Mention | None
) -> list[tuple[Mention, Mention, Cue | None, float]]:
    """Which two actors of a sentence a suggestion relates, with the cue that types it.

    The subject with everyone else, and any two actors close together; a place only
    with the subject or the actor just before it, and with a place right next to it
    ("Jalalabad prison, Jalalabad", "Afghanistan's Nangarhar": the contained place
    first). The cue is the nearest one between the two that fits their kinds ("ties
    with A, B and C" types all three), else one just before the first ("the founder
    Jalaluddin") or just after both ("A and B are sworn enemies"). One suggestion
    per pair and sentence: the best-typed.
    """
    best: dict[frozenset[str], tuple[Mention, Mention, Cue | None, float]] = {}
    seconds: dict[frozenset[str], tuple[Mention, Mention, Cue | None, float]] = {}

    def fitting(candidates: list[_Cue], a: Mention, b: Mention) -> Cue | None:
        return next((c.cue for c in candidates if _typed(c.cue, a, b) is not None), None)

    events = [m for m in actors if m.kind == "event"]

    def apposed(c: _Cue) -> set[frozenset[str]] | None:
        """The pairs an apposition's role relates: "X, the head of Y" and "the founder of
        Y, X" make X the head or founder of Y, not of whoever else the sentence names;
        "X, uncle of Y and Z" makes X uncle of both."""
        following = [m for m in actors if m.start >= c.end]
        if not following or not re.fullmatch(r"\s*(?:of\s+)?(?:the\s+)?", text[c.end : following[0].start]):
            return None
        role = [following[0]]  # Y, or the list Y and Z
        for m in following[1:]:
            if not _LIST_GAP.fullmatch(text[role[-1].end : m.start]):
                break
            role.append(m)
        before = [m for m in actors if m.end <= c.start and _APPOSITION_BEFORE.fullmatch(text[m.end : c.start])]
        if (
            before
            and re.fullmatch(r"\s*,\s*", text[before[-1].end : c.start])
            and not re.search(r"\s(?:of|to)$", c.cue.phrase)
            and c.cue.type != "family"
        ):
            before = []  # "X, head of Y" is a role; "A, fought Y" closes an aside, the verb is another's
        if before:
            return {frozenset((before[-1].key, r.key)) for r in role}
        after = next((m for m in following if m.start >= role[0].end), None)
        if after is not None and re.fullmatch(r",\s*", text[role[0].end : after.start]) and after.kind == "person":
            return {frozenset((after.key, role[0].key))}
        return None

    def framed(c: _Cue) -> set[frozenset[str]] | None:
        """The pairs a cue followed by "between" relates: "close collaboration between A, B
        and C", "a struggle going on between A and that of B" relate A, B and C to each
        other and to no one else."""
        opening = _BETWEEN.match(text, c.end)
        if opening is None:
            return None
        following = [m for m in actors if m.start >= opening.end()]
        if not following or not re.fullmatch(r"\s*(?:the\s+)?", text[opening.end() : following[0].start]):
            return None
        items = [following[0]]
        for m in following[1:]:
            if re.fullmatch(r"(?:’s|'s)\s+", text[items[-1].end : m.start]):
                items[-1] = m  # "the Taliban's Haqqani network" is the network
                continue
            if (m.start, m.end) == (items[-1].start, items[-1].end):
                items.append(m)  # "between the two groups": all that "the two groups" stand for
                continue
            if not (
                _LIST_GAP.fullmatch(text[items[-1].end : m.start])
                or _BETWEEN_GAP.fullmatch(text[items[-1].end : m.start])
            ):
                break
            items.append(m)
        return {frozenset((x.key, y.key)) for x, y in itertools.combinations(items, 2) if x.key != y.key} or None

    frames = {id(c): framed(c) for c in cues}
    owners = {id(c): frames[id(c)] or apposed(c) for c in cues}

    reach = [*actors, *cues]
    asides = [
        match.span()
        for match in _ASIDE.finditer(text, max(0, min(x.start for x in reach) - 200), max(x.end for x in reach) + 200)
    ]

    def own_cue(c: _Cue, a: Mention, b: Mention) -> bool:
        """A cue inside an event's name ("attack on X") relates that event's parties only;
        a role in an apposition, its bearer and the ones it is a role in; a cue outside
        brackets, no name inside them ("X (the sons of Y) and head of Z": Y heads nothing)."""
        owner = owners[id(c)]
        if owner is not None and frozenset((a.key, b.key)) not in owner:
            return False
        for lo, hi in asides:
            inside = [lo < m.start and m.end <= hi for m in (a, b)]
            if any(inside) and not all(inside) and not (lo < c.start and c.end <= hi):
                return False
        named = [e for e in events if e.start <= c.start and c.end <= e.end]
        return not named or any(all(e.start <= m.start and m.end <= e.end for m in (a, b)) for e in named)

    def listed(a: Mention, b: Mention) -> bool:
        """Whether a and b are items of one list: only list commas and "and"s between them."""
        if a is subject or b is subject:
            return False
        top = [m for m in actors if not any(o is not m and o.start <= m.start and m.end <= o.end for o in actors)]
        if not any(m is a for m in top) or not any(m is b for m in top):
            return False
        first, last = next(i for i, m in enumerate(top) if m is a), next(i for i, m in enumerate(top) if m is b)
        gaps = [text[x.end : y.start] for x, y in itertools.pairwise(top[first:])]
        inside = gaps[: last - first]
        if not all(_LIST_GAP.fullmatch(g) for g in inside):
            return False
        # A list ends in "and" or "or" ("A, B and C"); "the founder of A, B" is an apposition.
        run = inside + list(itertools.takewhile(_LIST_GAP.fullmatch, gaps[last - first :]))
        return any(re.search(r"\b(?:and|or)\b", g) for g in run)

    def coordinated(chosen: _Cue, candidates: list[_Cue], a: Mention, b: Mention) -> Cue | None:
        """A second cue joined to the chosen one by "and", "or", "as well as", "then", with
        no name between: "a member and later the head of Y", "X's ally and sponsor" give
        the pair two ties."""
        kind = _typed(chosen.cue, a, b)
        for other in candidates:
            typed = _typed(other.cue, a, b)
            if other is chosen or typed is None or kind is None or typed[0] == kind[0]:
                continue
            lo, hi = min(chosen.end, other.end), max(chosen.start, other.start)
            if lo > hi or any(lo <= m.start < hi for m in actors):
                continue
            if _COORDINATION.search(text[lo:hi]):
                return other.cue
        return None

    def nested(m: Mention) -> Mention | None:
        return next((e for e in events if e is not m and e.start <= m.start and m.end <= e.end), None)

    def consider(a: Mention, b: Mention) -> None:
        if a.key == b.key:
            return
        # "Mansour was killed in a U.S. drone strike": a state or place inside an event's
        # name is the event's, not where whoever else the sentence names is.
        if any(
            m.kind in PLACE_KINDS and (e := nested(m)) is not None and e is not other and nested(other) is not e
            for m, other in ((a, b), (b, a))
        ):
            return
        # ... and so is anyone in it, for the one the event was done to ("Farooqi was killed in a TTP
        # ambush") and for its doer ("X, one of the murderers of Y")
        if any(
            (e := nested(m)) is not None
            and (_doer(text, other, e) or any(_passive(p) and p.key == e.key and other.end <= p.start for p in actors))
            for m, other in ((a, b), (b, a))
        ):
            return
        # "X was arrested by Y": what Y did to X is the arrest, no tie of their own
        first, last = sorted((a, b), key=lambda m: m.start)
        if any(
            _passive(p)
            and first.end <= p.start
            and p.end <= last.start
            and re.search(r"\bby\s+(?:the\s+)?(?:\w+(?:’s|'s)\s+)?$", text[p.end : last.start], re.IGNORECASE)
            for p in actors
        ):
            return
        second: Cue | None = None
        also: tuple[Mention, Mention, Cue | None, float] | None = None  # a second tie for the pair
        pair = frozenset((a.key, b.key))
        if nested(a) is b or nested(b) is a:
            # "the ISKP attack on ...", "a U.S. drone strike": the event's own name says
            # who carried it out or was its target, whatever words stand around it.
            if pair not in best or best[pair][3] < 0.5:  # over a passive verb's guess for the same event
                best[pair] = (a, b, None, 0.5)
            return
        frame = next((c for c in cues if pair in (frames[id(c)] or ()) and _typed(c.cue, a, b) is not None), None)
        if frame is not None:
            if pair not in best or best[pair][3] < 0.55:
                best[pair] = (a, b, frame.cue, 0.55)
            return
        if (a.start, a.end) == (b.start, b.end) and any(m.start >= b.end for m in actors):
            return  # "They are enemies of X": what "they" stand for are not each other's enemies
        if a.start > b.start:
            a, b = b, a
        between = [c for c in cues if a.end <= c.start and c.end <= b.start and own_cue(c, a, b)][::-1]
        cue = fitting(between, a, b)
        # "benefited from safe havens in X", "training centers, supported by X": of two cues
        # of one type with no name between them, the verb with its preposition says which
        # way the tie runs, not the noun.
        nearest = next((c for c in between if cue is not None and c.cue is cue), None)
        cue = next(
            (
                c.cue
                for c in between
                if nearest is not None
                and c.cue.type == cue.type
                and _PREPOSITION_END.search(c.cue.phrase)
                and not any(min(c.end, nearest.end) <= m.start and m.end <= max(c.start, nearest.start) for m in actors)
            ),
            cue,
        )
        if listed(a, b):
            # "ties with A, B and C": A, B and C are each tied to the subject, not to each
            # other, unless words after the list relate them ("A and B are sworn enemies").
            after = [c for c in cues if b.end <= c.start and c.start - b.end <= 25]
            cue = fitting(after, a, b)
            if cue is None:
                return
            weight = 0.5
        elif cue is not None:
            opening = text.rfind(",", 0, a.start)
            closing = text.find(",", a.end, a.end + 40)
            if (
                a is not subject
                and b is not subject
                and subject is not None
                and nearest is not None
                and subject.end <= opening
                and not text[subject.end : opening].strip()  # the aside opens right after the subject
                and a.end <= closing <= nearest.start
                and not any(opening < m.start < a.start or a.end <= m.start < closing for m in actors)
            ):
                # "X, backed by A, fought B", "X, besides accusing A of treason, fights B": A is
                # in an aside, not what fights B
                return
            others = any(a.end <= m.start and m.end <= b.start for m in actors)
            weight = 0.45 if others else 0.55
            chosen = next(c for c in between if c.cue is cue)
            second = coordinated(chosen, between, a, b)
            relative = next(
                (
                    c
                    for c in cues
                    if c.start >= b.end
                    and _RELATIVE.fullmatch(text[b.end : c.start])
                    and not any(b.end <= m.start < c.end and m.key != b.key for m in actors)
                ),
                None,
            )
            clause = _typed(relative.cue, b, a) if relative is not None else None
            if relative is not None and clause is not None and clause[0] != _typed(cue, a, b)[0]:
                # "A has ties with B, which provided weapons": B's relative clause tells
                # what B does for A, besides the tie the main clause names.
                also = (b, a, relative.cue, weight - 0.1)
        else:
            # "the founder Jalaluddin and the network", but not "S targeted A and B": a verb
            # after the subject relates the subject to its objects, not them to each other.
            before = [
                c
                for c in cues
                if c.end <= a.start
                and a.start - c.end <= 12
                and own_cue(c, a, b)
                and (
                    owners[id(c)] is not None  # "the founder of A, B": the role is B's
                    or c.cue.phrase.startswith("the ")  # "the founder Jalaluddin": a title, not a verb
                    or subject is None
                    or subject is a
                    or subject.end > c.start
                )
            ][::-1]
            # "A and B are sworn enemies", but not "A's emissary to C": a cue ending in a
            # preposition relates what follows it.
            after = [
                c
                for c in cues
                if b.end <= c.start
                and c.start - b.end <= 25
                and own_cue(c, a, b)
                and not any(b.end <= m.start < c.start for m in actors)
                and not _PREPOSITION_END.search(c.cue.phrase)
            ]
            if (a.start, a.end) == (b.start, b.end):
                # "These groups ... there is often pragmatic cooperation": what "they" stand
                # for are related to each other by any mutual word later in the clause.
                after = [c for c in cues if b.end <= c.start and not TIE_TYPES[c.cue.type].directed]
            cue = fitting(before, a, b) or fitting(after, a, b)
            weight = 0.5 if cue is not None else 0.35
            if (
                cue is None
                and subject is not None
                and subject.end <= a.start
                and _CO_OBJECTS.fullmatch(text[a.end : b.start])
                and not _doer(text, a, b)
                and fitting([c for c in cues if subject.end <= c.start and c.end <= a.start], subject, a) is not None
            ):
                return  # "S targeted A, B and C's allies": A and B are what S targeted, nothing to each other
            chosen = next((c for c in before + after if c.cue is cue), None)
            second = coordinated(chosen, before + after, a, b) if chosen is not None else None
            if chosen is not None and cue.type == "faction_of" and not text[b.end : chosen.start].strip():
                a, b = b, a  # "A, including the B faction": the noun right after B says what B is
        if second is not None:
            also = (a, b, second, weight - 0.1)  # the second of two coordinated roles, a little less sure
        if pair not in best or best[pair][3] < weight:
            best[pair] = (a, b, cue, weight)
            if also is not None:
                seconds[pair] = also
            else:
                seconds.pop(pair, None)

    places = [m.kind in PLACE_KINDS for m in actors]
    for i, a in enumerate(actors):
        for j in range(i + 1, len(actors)):
            b = actors[j]
            if places[i] and places[j]:
                gap = text[a.end : b.start]
                # "Afghanistan's Nangarhar", "Jalalabad prison in Jalalabad", and "a Sikh
                # gurdwara was attacked ... in Kabul": the next place, just after "in".
                possessive = j == i + 1 and re.fullmatch(r"(?:’s|'s)\s*(?:the\s+)?", gap)
                within = (
                    not any(places[i + 1 : j])
                    and len(gap) <= PLACE_REACH * 2
                    and re.search(r"\bin\s+(?:the\s+)?$", gap)
                    and not _CLAUSE_BREAK.search(gap)
                )
                if a.key != b.key and (possessive or within):
                    inner, outer = (b, a) if possessive else (a, b)
                    best[frozenset((a.key, b.key))] = (inner, outer, None, 0.5)
                continue
            if places[i] or places[j]:
                place = a if places[i] else b
                other = b if place is a else a
                k = actors.index(place)
                nearest = next((m for m, p in zip(reversed(actors[:k]), reversed(places[:k])) if not p), None)
                first = k  # the first of the places listed with this one
                while (
                    first > 0
                    and places[first - 1]
                    and _LIST_GAP.fullmatch(text[actors[first - 1].end : actors[first].start])
                ):
                    first -= 1
                gap = text[nearest.end : actors[first].start] if nearest is not None else ""
                if "," in gap and not _LIST_GAP.fullmatch(gap):
                    nearest = None  # "X, backed by Y, is based in A and B": Y sits in an aside
                if other is subject or other is nearest or b.start - a.end <= PLACE_REACH:
                    consider(a, b)
                continue
            if a is subject or b is subject or b.start - a.end <= PAIR_REACH or _passive(a) or _passive(b):
                consider(a, b)
    return list(best.values()) + [seconds[p] for p in best if p in seconds]


# -- storing what was accepted -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document to store: its full text (never a quote alone) and what is known of it."""

    title: str
    text: str
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    retrieved: str | None = None
    language: str | None = None
    grade: str | None = None

    def problems(self) -> dict[str, str]:
        from .edit import MAX_DOCUMENT, MAX_NAME, check_date, check_text
        from .model import SOURCE_GRADES

        found = {
            "title": check_text(self.title, "title", required=True, max_length=MAX_NAME * 2),
            "publisher": check_text(self.publisher, "publisher"),
            "published": check_date(self.published, "published"),
            "retrieved": check_date(self.retrieved, "retrieved"),
            "url": check_text(self.url, "url", max_length=MAX_NAME * 4),
            "language": check_text(self.language, "language"),
            "text": check_text(
                self.text, "the document's text", required=True, multiline=True, max_length=MAX_DOCUMENT
            ),
        }
        if self.grade is not None and self.grade not in SOURCE_GRADES:
            found["grade"] = f"unknown grade {self.grade!r}; choose from {', '.join(SOURCE_GRADES)}"
        return {k: v for k, v in found.items() if v}


def document_json(
    document: NewDocument | None, source_id: str | None, analysis: Analysis | None = None, source: Any = None
) -> dict[str, Any]:
    """The "document" part of `khorasan ingest --json`."""
    meta = source if source is not None else document
    return {
        "id": source_id,
        "title": meta.title,
        "publisher": meta.publisher,
        "published": meta.published,
        "url": meta.url,
        "grade": meta.grade,
        "characters": len(analysis.text) if analysis else None,
        "sentences": len(analysis.sentences) if analysis else None,
    }


def stored_copy(data: Any, text: str) -> str | None:
    """The id of a stored document with exactly this text, if there is one."""
    import hashlib

    from .validate import DocumentTexts

    digest = hashlib.sha256(_file_content(text).encode("utf-8")).hexdigest()[:16]
    texts = DocumentTexts(data)
    for source_id in data.sources:
        if source_id.endswith(digest) and texts.raw(source_id) == _file_content(text):
            return source_id
    return None


def _file_content(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def ingest_command(
    editor: Any,
    *,
    accepted: list[Suggestion],
    document: NewDocument | None = None,
    source_id: str | None = None,
    kinds: dict[str, str] | None = None,
) -> Any:
    """One undoable command: the new document (or an existing one, `source_id`), the
    new names the accepted suggestions need as actors, their ties, and a citation
    on each existing tie they corroborate. Build it inside `Editor.commit`.

    `kinds` overrides a new name's guessed kind (keyed by the name as written).
    """
    import copy

    from .edit import SOURCES_FOLDER, Command, RecordChange, TextFile, UnknownItem, ValidationError, check_kind
    from .model import Actor, Citation, Source, make_tie_id, new_actor_id

    data = editor.data
    changes: list[Any] = []
    files: list[Any] = []
    if document is not None:
        problems = document.problems()
        if problems:
            raise ValidationError(problems)
        duplicate = stored_copy(data, document.text)
        if duplicate is not None:
            raise ValidationError({"text": f"this text is already stored as document {duplicate}"})
        content = _file_content(document.text)
        source_id = editor.free_source_id(content)
        relative = f"{SOURCES_FOLDER}/{source_id}.txt"
        source = Source(
            id=source_id,
            title=document.title.strip(),
            publisher=(document.publisher or "").strip() or None,
            published=document.published or None,
            path=relative,
            url=(document.url or "").strip() or None,
            retrieved=document.retrieved or None,
            language=(document.language or "").strip() or None,
            grade=document.grade,
        )
        changes.append(RecordChange("sources", source_id, None, source))
        files.append(TextFile(relative, content))
    elif source_id not in data.sources:
        raise UnknownItem("document", str(source_id))

    created: dict[str, str] = {}  # folded new name -> actor id

    def actor_for(end: Mention) -> str:
        if end.actor_id is not None:
            if end.actor_id not in data.actors:
                raise UnknownItem("actor", end.actor_id)
            return end.actor_id
        key = normalize_key(end.name)
        if key in created:
            return created[key]
        owners = editor.name_owners(end.name)
        if owners:
            created[key] = owners[0].id  # someone added it meanwhile
            return owners[0].id
        kind = (kinds or {}).get(end.name, end.kind)
        problem = editor.check_new_name(end.name) or check_kind(kind)
        if problem:
            raise ValidationError({"name": problem})
        taken = set(data.actors) | set(created.values())
        actor = Actor(id=new_actor_id(end.name, taken), name=end.name.strip(), kind=kind)
        created[key] = actor.id
        changes.append(RecordChange("actors", actor.id, None, actor))
        return actor.id

    new_ties: dict[str, Tie] = {}
    cited: dict[str, Tie] = {}
    for s in accepted:
        citation = Citation(source_id, s.quote)
        existing = data.ties.get(s.existing_tie) if s.existing_tie else None
        if existing is not None:
            tie = cited.setdefault(existing.id, copy.deepcopy(existing))
            if citation not in tie.citations:
                tie.citations.append(citation)
            continue
        source_end, target_end = actor_for(s.source), actor_for(s.target)
        claimant = actor_for(s.claimant) if s.claimant is not None and s.status == "claimed" else None
        taken_ids = set(data.ties) | set(new_ties)
        tie_id = make_tie_id(source_end, s.type, target_end, taken_ids)
        new_ties[tie_id] = Tie(
            id=tie_id,
            type=s.type,
            source=source_end,
            target=target_end,
            status=s.status,
            claimant=claimant,
            start=s.start,
            end=s.end,
            citations=[citation],
        )
    for tie_id, tie in cited.items():
        changes.append(RecordChange("ties", tie_id, copy.deepcopy(data.ties[tie_id]), tie))
    for tie_id, tie in new_ties.items():
        changes.append(RecordChange("ties", tie_id, None, tie))
    title = document.title.strip() if document is not None else data.sources[source_id].title
    parts = [f"{len(new_ties)} tie(s)", f"{len(cited)} citation(s)", f"{len(created)} actor(s)"]
    verb = "add document" if document is not None else "review document"
    return Command(f"{verb} {title}: " + ", ".join(parts), changes, files)
