"""The rulebook: what makes a field, a record and a store valid. No I/O.

Every way into a store asks these rules and nothing else: loading a file,
`khorasan validate`, the editor (CLI and app forms, checked as you type), the
importers and ingest. Each rule returns `Problem`s keyed by record and field,
with a severity:

* ``error``: the record is invalid. A store holding one is refused at load, an
  edit introducing one is refused, and `validate` fails.
* ``warning``: worth a curator's look (a lint); never blocks anything.

Messages are written once, here, so every entry point refuses the same input
with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import (
    CREDIBILITY,
    KINDS,
    SOURCE_GRADES,
    STATUSES,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    date_sort_key,
    is_partial_date,
    normalize_key,
)

# Limits keep one runaway paste, or a hostile store, from making the store,
# the screen or an export unusable.
MAX_NAME = 300
MAX_ALIASES = 200
MAX_ROLE = 300
MAX_TITLE = 600
MAX_SUMMARY = 20_000
MAX_QUOTE = 10_000
MAX_NOTE = 20_000
MAX_ACTOR_ID = 80
MAX_TIE_ID = 300
MAX_SOURCE_ID = 120
MAX_PATH = 500
MAX_URL = 2_000
MAX_CITATIONS = 1_000
MAX_DOCUMENT_BYTES = 20_000_000

ERROR = "error"
WARNING = "warning"

# Bump when a rule changes what it accepts: stores checked under an older
# rulebook are then checked again at their next load.
RULES_VERSION = 1

ACTOR_DATE_FIELDS = ("born", "founded", "died", "ended")


@dataclass(frozen=True, slots=True)
class Problem:
    severity: str  # ERROR or WARNING
    where: str  # "actor iskp", "tie a--leads--b", "source 001_x", "actors table"
    field: str  # the field at fault, or "" for the whole record
    message: str

    @property
    def level(self) -> str:  # the word `validate` has always printed
        return self.severity

    @property
    def text(self) -> str:
        """The message with its field: 'name is too long (…)'."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.text}"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


# -- characters ---------------------------------------------------------------------------

# Categories a name must never hold: controls (ESC above all) and invisible
# format characters (zero-width joiners, bidi overrides, BOM, soft hyphen...).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_LINE_BREAKS = frozenset("\n\t\r")


TEXT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # table: (fields that must be strings when present, fields that may also be null)
    "actors": (("id", "name", "kind", "summary"), ("born", "founded", "died", "ended", "possible_duplicate_of")),
    "ties": (("id", "type", "source", "target", "status", "summary", "note"), ("claimant", "role", "start", "end")),
    "sources": (
        ("id", "title", "published_note", "path"),
        ("publisher", "published", "url", "retrieved", "language", "grade"),
    ),
}


def wrong_field_type(table: str, record: dict[str, Any]) -> str | None:
    """Name a field of the wrong JSON type: a number for a name would crash the
    indexes later, and a string for a list would be split into characters."""
    strings, nullable = TEXT_FIELDS[table]
    # Runs once per record of a big store: one dict lookup per field, and the
    # exact-type test first (JSON strings are always exactly str).
    get = record.get
    for key in strings:
        value = get(key, "")
        if value.__class__ is not str and not isinstance(value, str):
            return f"field {key!r} is not a string"
    for key in nullable:
        value = get(key)
        if value is not None and value.__class__ is not str and not isinstance(value, str):
            return f"field {key!r} is not a string or null"
    for key in ("aliases", "merged_ids"):
        values = get(key)
        if values is not None and not (isinstance(values, list) and all(isinstance(a, str) for a in values)):
            return f"field {key!r} is not a list of strings"
    citations = get("citations")
    if citations is not None:
        if not isinstance(citations, list):
            return "field 'citations' is not a list"
        for citation in citations:
            if not (
                isinstance(citation, dict)
                and isinstance(citation.get("source"), str)
                and isinstance(citation.get("quote"), str)
            ):
                return "a citation is not an object with string 'source' and 'quote'"
    return None


def forbidden_characters(text: str, multiline: bool = False) -> list[str]:
    """The control and invisible characters in `text`, as 'U+200B' codes.

    Multi-line fields (quotes, summaries) may hold newlines and tabs.
    """
    # isprintable() is False for every forbidden category (and for spaces
    # other than ' '), so most strings are cleared by one C call.
    if text.isprintable():
        return []
    found: list[str] = []
    for ch in text:
        if ch.isprintable() or (multiline and ch in _LINE_BREAKS):
            continue
        category = unicodedata.category(ch)
        if category in _FORBIDDEN_CATEGORIES and f"U+{ord(ch):04X}" not in found:
            found.append(f"U+{ord(ch):04X}")
    return found


# -- field rules: each returns a message, or None when the value is fine ------------------


def check_text(
    value: Any, *, required: bool = False, multiline: bool = False, max_length: int = MAX_NAME
) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "must be text"
    if required and not value.strip():
        return "is empty"
    too_long = check_length(value, max_length)
    if too_long:
        return too_long
    bad = forbidden_characters(value, multiline)
    if bad:
        return f"contains control or invisible characters ({', '.join(bad[:5])})"
    return None


def check_length(value: str, max_length: int) -> str | None:
    if len(value) > max_length:
        return f"is too long ({len(value):,} characters; at most {max_length:,})"
    return None


def check_name(value: Any) -> str | None:
    """A name or alias: one line, not empty, at least one letter or digit."""
    problem = check_text(value, required=True)
    if problem:
        return problem
    if not normalize_key(value):
        return f"{value.strip()!r} needs at least one letter or digit"
    return None


def _in_vocabulary(value: Any, vocabulary: Mapping[str, Any], what: str) -> str | None:
    if not isinstance(value, str) or value not in vocabulary:
        return f"unknown {what} {value!r}; choose from {', '.join(vocabulary)}"
    return None


def check_kind(value: Any) -> str | None:
    return _in_vocabulary(value, KINDS, "kind")


def check_tie_type(value: Any) -> str | None:
    return _in_vocabulary(value, TIE_TYPES, "tie type")


def check_status(value: Any) -> str | None:
    return _in_vocabulary(value, STATUSES, "status")


def check_date(value: Any) -> str | None:
    """Empty is fine (no date); otherwise a partial ISO date."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_partial_date(value):
        return f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
    return None


def check_date_order(start: Any, end: Any) -> str | None:
    if isinstance(start, str) and isinstance(end, str) and is_partial_date(start) and is_partial_date(end):
        if date_sort_key(start) > date_sort_key(end):
            return f"the start ({start}) is after the end ({end})"
    return None


_ACTOR_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


def check_actor_id(value: Any) -> str | None:
    if not isinstance(value, str) or not _ACTOR_ID.fullmatch(value):
        return f"{value!r} must be lower-case letters, digits, '.', '_' or '-'"
    if len(value) > MAX_ACTOR_ID:
        return f"is too long ({len(value):,} characters; at most {MAX_ACTOR_ID})"
    return None


def check_record_id(value: Any, max_length: int) -> str | None:
    """Tie and document ids: letters, digits and . _ : - (they become file names)."""
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        return f"{value!r} must be letters, digits, '.', '_', ':' or '-'"
    if len(value) > max_length:
        return f"is too long ({len(value):,} characters; at most {max_length})"
    return None


def check_distinct_ends(source: Any, target: Any) -> str | None:
    if source == target:
        return "ties an actor to itself"
    return None


def check_actor_exists(actor_id: Any, actors: Mapping[str, Any]) -> str | None:
    if actor_id not in actors:
        return f"points to missing actor {actor_id!r}"
    return None


def duplicate_id(table: str, record_id: str) -> str:
    """Two records of one table under one id: one would be lost."""
    return f"duplicate id {record_id!r} in table {table!r}"


def check_quote(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is empty: copy the words from the document that state the tie"
    return check_text(value, multiline=True, max_length=MAX_QUOTE)


def check_grade(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.upper() not in SOURCE_GRADES:
        return f"{value!r} is not a source grade: A (completely reliable) to F (cannot be judged)"
    return None


def check_credibility(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in CREDIBILITY:
        return f"{value!r} is not a credibility: 1 (confirmed) to 6 (cannot be judged)"
    return None


def check_document_path(value: Any) -> str | None:
    """A document's text file: a relative path inside the store's folder.

    Lexical only; `store` also resolves symlinks and checks it is a regular file.
    """
    if value is None or value == "":
        return None
    problem = check_text(value, max_length=MAX_PATH)
    if problem:
        return problem
    normalised = value.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"[A-Za-z]:", normalised) or normalised.startswith("~"):
        return f"{value!r} is not inside the store's folder: give a path relative to it"
    if ".." in normalised.split("/"):
        return f"{value!r} leaves the store's folder ('..')"
    return None


# -- which tie types may touch an event or a place -----------------------------------------

PLACE_KINDS = frozenset({"place", "state"})  # what an actor can be located in or operate in
_NOT_AN_ACTOR = frozenset({"event", "place"})


def check_ends(tie_type: str, source_kind: str, target_kind: str) -> str | None:
    """Events and places are not actors: only the types made for them touch them.

    carried_out: actor -> event; targeted: event -> anything;
    located_in: anything -> place or state; operates_in: actor -> place or
    state; recruits_from: actor -> anything but an event (a pool may be a
    region); succeeded: event -> event or actor -> actor. Every other type
    links two actors (neither an event nor a place).
    """
    spec = TIE_TYPES.get(tie_type)
    if spec is None:
        return None
    fits = _END_RULES.get(tie_type, _actor_to_actor)(source_kind, target_kind)
    if fits:
        return None
    return f"'{tie_type}' cannot link {_a(source_kind)} to {_a(target_kind)}: {_END_HINTS.get(tie_type, _ACTOR_HINT)}"


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _actor_to_actor(source: str, target: str) -> bool:
    return source not in _NOT_AN_ACTOR and target not in _NOT_AN_ACTOR


_ACTOR_HINT = "it links two actors; events take carried_out, targeted or located_in, places located_in or operates_in"
_END_RULES = {
    "carried_out": lambda s, t: s not in _NOT_AN_ACTOR and t == "event",
    "targeted": lambda s, t: s == "event",
    "located_in": lambda s, t: t in PLACE_KINDS,
    "operates_in": lambda s, t: s not in _NOT_AN_ACTOR and t in PLACE_KINDS,
    "recruits_from": lambda s, t: s not in _NOT_AN_ACTOR and t != "event",
    "succeeded": lambda s, t: (s == "event") == (t == "event") and "place" not in (s, t),
}
_END_HINTS = {
    "carried_out": "an actor carries out an event",
    "targeted": "an event targets someone or something",
    "located_in": "the other end must be a place or a state",
    "operates_in": "an actor operates in a place or a state",
    "recruits_from": "an actor recruits from a group, a people or a region",
    "succeeded": "events succeed events, actors succeed actors",
}


# -- record rules -----------------------------------------------------------------------


class _Collector:
    __slots__ = ("problems", "where")

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def error(self, field_name: str, message: str | None) -> None:
        if message:
            self.problems.append(Problem(ERROR, self.where, field_name, message))

    def warning(self, field_name: str, message: str | None) -> None:
        if message:
            self.problems.append(Problem(WARNING, self.where, field_name, message))


def _check_citations(out: _Collector, citations: list[Citation], sources: Mapping[str, Any] | None) -> None:
    if len(citations) > MAX_CITATIONS:
        out.error("citations", f"too many ({len(citations):,}; at most {MAX_CITATIONS:,})")
        return
    for i, citation in enumerate(citations, 1):
        label = f"citation {i}"
        if sources is not None and citation.source not in sources:
            out.error(label, f"cites unknown document {citation.source!r}")
        quote_problem = check_quote(citation.quote)
        if quote_problem:
            out.error(label, f"the quote {quote_problem}")
        out.error(label, check_credibility(citation.credibility))


def actor_problems(actor: Actor, sources: Mapping[str, Any] | None = None) -> list[Problem]:
    """Rules for one actor on its own. `sources`: the store's documents, to check citations."""
    out = _Collector(f"actor {actor.id}")
    out.error("id", check_actor_id(actor.id))
    out.error("name", check_name(actor.name))
    out.error("kind", check_kind(actor.kind))
    if len(actor.aliases) > MAX_ALIASES:
        out.error("aliases", f"too many ({len(actor.aliases):,}; at most {MAX_ALIASES})")
    else:
        for alias in actor.aliases:
            problem = check_name(alias)
            if problem:
                out.error("aliases", f"alias {alias[:40]!r} {problem}" if isinstance(alias, str) else problem)
    out.error("summary", check_text(actor.summary, multiline=True, max_length=MAX_SUMMARY))
    for key in ACTOR_DATE_FIELDS:
        out.error(key, check_date(getattr(actor, key)))
    out.error("died" if actor.died else "ended", check_date_order(actor.start, actor.end))
    if actor.possible_duplicate_of == actor.id:
        out.error("possible_duplicate_of", "names the actor itself")
    _check_citations(out, actor.citations, sources)
    return out.problems


def tie_problems(
    tie: Tie, kinds: Mapping[str, str] | None = None, sources: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Rules for one tie. `kinds` maps actor ids to kinds: with it, both ends
    (and the claimant) must exist and the type must fit the ends' kinds."""
    out = _Collector(f"tie {tie.id}")
    out.error("id", check_record_id(tie.id, MAX_TIE_ID))
    out.error("type", check_tie_type(tie.type))
    out.error("status", check_status(tie.status))
    out.error("target", check_distinct_ends(tie.source, tie.target))
    if kinds is not None:
        for end_field, end in (("source", tie.source), ("target", tie.target)):
            out.error(end_field, check_actor_exists(end, kinds))
        if tie.source in kinds and tie.target in kinds and tie.source != tie.target:
            out.error("type", check_ends(tie.type, kinds[tie.source], kinds[tie.target]))
        if tie.claimant is not None and tie.claimant not in kinds:
            out.error("claimant", f"{tie.claimant!r} is not an actor id")
    if tie.status == "claimed" and not tie.claimant:
        out.error("claimant", "a claimed tie must name who claims it")
    out.error("role", check_text(tie.role, max_length=MAX_ROLE))
    out.error("start", check_date(tie.start))
    out.error("end", check_date(tie.end))
    out.error("end", check_date_order(tie.start, tie.end))
    out.error("summary", check_text(tie.summary, multiline=True, max_length=MAX_SUMMARY))
    out.error("note", check_text(tie.note, multiline=True, max_length=MAX_NOTE))
    if not tie.citations:
        out.error("citations", "a tie needs at least one citation")
    _check_citations(out, tie.citations, sources)
    return out.problems


def source_problems(source: Source) -> list[Problem]:
    out = _Collector(f"source {source.id}")
    out.error("id", check_record_id(source.id, MAX_SOURCE_ID))
    out.error("title", check_text(source.title, required=True, max_length=MAX_TITLE))
    out.error("publisher", check_text(source.publisher, max_length=MAX_NAME))
    out.error("published", check_date(source.published))
    out.error("retrieved", check_date(source.retrieved))
    out.error("published_note", check_text(source.published_note, multiline=True, max_length=MAX_SUMMARY))
    out.error("path", check_document_path(source.path))
    out.error("url", check_text(source.url, max_length=MAX_URL))
    out.error("language", check_text(source.language, max_length=40))
    out.error("grade", check_grade(source.grade))
    return out.problems


# -- store rules ----------------------------------------------------------------------------


def name_collisions(actors: Iterable[Actor]) -> dict[str, list[str]]:
    """Names and aliases that fold to one key (case, accents, spacing, hyphens,
    invisible characters) but belong to several actors: key -> actor ids."""
    owners: dict[str, list[str]] = defaultdict(list)
    for actor in actors:
        for name in actor.names:
            if not isinstance(name, str):
                continue
            key = normalize_key(name)
            if key and actor.id not in owners[key]:
                owners[key].append(actor.id)
    return {key: ids for key, ids in owners.items() if len(ids) > 1}


def store_problems(
    actors: Mapping[str, Actor], ties: Mapping[str, Tie], sources: Mapping[str, Source]
) -> list[Problem]:
    """Every rule over a whole store's records (not the quotes, which need the documents)."""
    problems: list[Problem] = []
    for source in sources.values():
        problems += source_problems(source)
    merged_from: dict[str, str] = {}
    for actor in actors.values():
        if not _actor_clean(actor, sources):
            problems += actor_problems(actor, sources)
        if actor.possible_duplicate_of and actor.possible_duplicate_of not in actors:
            problems.append(
                Problem(
                    ERROR,
                    f"actor {actor.id}",
                    "possible_duplicate_of",
                    f"names missing actor {actor.possible_duplicate_of!r}",
                )
            )
        for old in actor.merged_ids:
            if old in actors or old in merged_from:
                other = old if old in actors else merged_from[old]
                problems.append(Problem(ERROR, f"actor {actor.id}", "merged_ids", merged_id_taken(old, other)))
            merged_from[old] = actor.id
    kinds = {actor_id: actor.kind for actor_id, actor in actors.items()}
    for tie in ties.values():
        if not _tie_clean(tie, kinds, sources):
            problems += tie_problems(tie, kinds, sources)
    for key, owners in sorted(name_collisions(actors.values()).items()):
        problems.append(Problem(ERROR, "names", "", f"{key!r} names several actors: {', '.join(sorted(owners))}"))
    return problems


# -- fast paths -------------------------------------------------------------------------------
# A store of a million records is checked at every load. These predicates say
# "nothing to report" for the ordinary record in a few C-level calls; only a
# record they cannot clear goes through the rules above, which alone word the
# problems. They never accept what the rules refuse (tests/test_rules.py holds
# them to that with random records).

_VALID_DATES: set[str] = set()


def _date_ok(value: str | None) -> bool:
    if value is None:
        return True
    if value in _VALID_DATES:
        return True
    if isinstance(value, str) and is_partial_date(value):
        if len(_VALID_DATES) < 100_000:
            _VALID_DATES.add(value)
        return True
    return False


def _line_ok(value: str | None, limit: int, required: bool = False) -> bool:
    """One-line text: within its limit and printable (no control or invisible character)."""
    if value is None:
        return not required
    return len(value) <= limit and value.isprintable() and (not required or bool(value.strip()))


def _block_ok(value: str, limit: int) -> bool:
    return len(value) <= limit and value.isprintable()


def _citations_clean(citations: list[Citation], sources: Mapping[str, Any]) -> bool:
    if len(citations) > MAX_CITATIONS:
        return False
    for citation in citations:
        quote = citation.quote
        if (
            citation.source not in sources
            or citation.credibility is not None
            or len(quote) > MAX_QUOTE
            or not quote.isprintable()
            or not quote.strip()
        ):
            return False
    return True


_END_TABLE: dict[tuple[str, str, str], bool] = {
    (tie_type, source, target): check_ends(tie_type, source, target) is None
    for tie_type in TIE_TYPES
    for source in KINDS
    for target in KINDS
}


def _actor_clean(actor: Actor, sources: Mapping[str, Any]) -> bool:
    name = actor.name
    if not (
        actor.kind in KINDS
        and len(actor.id) <= MAX_ACTOR_ID
        and _ACTOR_ID.fullmatch(actor.id)
        and _line_ok(name, MAX_NAME, required=True)
        and (name.isascii() and any(c.isalnum() for c in name) or bool(normalize_key(name)))
        and _block_ok(actor.summary, MAX_SUMMARY)
        and len(actor.aliases) <= MAX_ALIASES
        and actor.possible_duplicate_of != actor.id
    ):
        return False
    for alias in actor.aliases:
        if not _line_ok(alias, MAX_NAME, required=True) or not normalize_key(alias):
            return False
    if not (_date_ok(actor.born) and _date_ok(actor.founded) and _date_ok(actor.died) and _date_ok(actor.ended)):
        return False
    start, end = actor.start, actor.end
    if start and end and date_sort_key(start) > date_sort_key(end):
        return False
    return _citations_clean(actor.citations, sources)


def _tie_clean(tie: Tie, kinds: Mapping[str, str], sources: Mapping[str, Any]) -> bool:
    source, target, status = tie.source, tie.target, tie.status
    source_kind, target_kind = kinds.get(source), kinds.get(target)
    if source_kind is None or target_kind is None or source == target:
        return False
    if not _END_TABLE.get((tie.type, source_kind, target_kind), False):
        return False
    if status not in STATUSES or (status == "claimed" and not tie.claimant):
        return False
    if tie.claimant is not None and tie.claimant not in kinds:
        return False
    if len(tie.id) > MAX_TIE_ID or not _RECORD_ID.fullmatch(tie.id):
        return False
    if not (_line_ok(tie.role, MAX_ROLE) and _block_ok(tie.summary, MAX_SUMMARY) and _block_ok(tie.note, MAX_NOTE)):
        return False
    start, end = tie.start, tie.end
    if not (_date_ok(start) and _date_ok(end)):
        return False
    if start and end and date_sort_key(start) > date_sort_key(end):
        return False
    return bool(tie.citations) and _citations_clean(tie.citations, sources)


def merged_id_taken(old: str, other: str) -> str:
    """An id an actor keeps from a merge that another actor also answers to."""
    return f"{old!r} is also {other}'s id"


def change_problems(
    actors: Mapping[str, Actor],
    ties: Mapping[str, Tie],
    sources: Mapping[str, Source],
    *,
    actor_ids: Iterable[str] = (),
    tie_ids: Iterable[str] = (),
    source_ids: Iterable[str] = (),
    name_owners: Mapping[str, list[str]] | None = None,
    merged_from: Mapping[str, str] | None = None,
    referrers: Callable[[set[str]], tuple[Iterable[Tie], Iterable[Actor]]] | None = None,
) -> list[Problem]:
    """The store rules for the records one change touched, after it was applied.

    What an edit is checked against: the touched records' own rules, their
    references, and name collisions with the rest (`name_owners`: the alias
    index, folded name -> actor ids; `merged_from`: merged-away id -> the actor
    keeping it). A removed record (no longer in its table) is checked for what
    still refers to it.
    """
    problems: list[Problem] = []
    kinds = _KindView(actors)
    for source_id in source_ids:
        source = sources.get(source_id)
        if source is not None:
            problems += source_problems(source)
    removed_actors = set()
    for actor_id in actor_ids:
        actor = actors.get(actor_id)
        if actor is None:
            removed_actors.add(actor_id)
            continue
        problems += actor_problems(actor, sources)
        if actor.possible_duplicate_of and actor.possible_duplicate_of not in actors:
            problems.append(
                Problem(
                    ERROR,
                    f"actor {actor.id}",
                    "possible_duplicate_of",
                    f"names missing actor {actor.possible_duplicate_of!r}",
                )
            )
        if merged_from is not None:
            problems += _merged_id_problems(actor, actors, merged_from)
        if name_owners is not None:
            for name in actor.names:
                key = normalize_key(name) if isinstance(name, str) else ""
                others = [a for a in name_owners.get(key, ()) if a != actor.id and a in actors]
                if others:
                    problems.append(
                        Problem(
                            ERROR,
                            f"actor {actor.id}",
                            "name" if name == actor.name else "aliases",
                            f"{name!r} already names {', '.join(sorted(others))}",
                        )
                    )
    for tie_id in tie_ids:
        tie = ties.get(tie_id)
        if tie is not None:
            problems += tie_problems(tie, kinds, sources)
    if removed_actors:
        # `referrers` answers from an index (a big store); else every record is looked at.
        referring_ties, referring_actors = (
            referrers(removed_actors) if referrers is not None else (ties.values(), actors.values())
        )
        for tie in referring_ties:
            if tie.source in removed_actors or tie.target in removed_actors or tie.claimant in removed_actors:
                problems.append(Problem(ERROR, f"tie {tie.id}", "", "refers to a deleted actor"))
        for actor in referring_actors:
            if actor.possible_duplicate_of in removed_actors:
                problems.append(Problem(ERROR, f"actor {actor.id}", "possible_duplicate_of", "names a deleted actor"))
    return problems


def _merged_id_problems(actor: Actor, actors: Mapping[str, Actor], merged_from: Mapping[str, str]) -> list[Problem]:
    """A touched actor's id, or an id it keeps from a merge, that another actor
    still answers to: the store would be refused at its next load."""
    problems = []
    keeper = merged_from.get(actor.id)
    if keeper is not None and keeper != actor.id and keeper in actors and actor.id in actors[keeper].merged_ids:
        problems.append(Problem(ERROR, f"actor {keeper}", "merged_ids", merged_id_taken(actor.id, actor.id)))
    for old in actor.merged_ids:
        other = old if old in actors else merged_from.get(old)
        if (
            other is not None
            and other != actor.id
            and other in actors
            and (other == old or old in actors[other].merged_ids)
        ):
            problems.append(Problem(ERROR, f"actor {actor.id}", "merged_ids", merged_id_taken(old, other)))
    return problems


class _KindView(Mapping[str, str]):
    """actor id -> kind without copying a million-actor table for one edit."""

    __slots__ = ("_actors",)

    def __init__(self, actors: Mapping[str, Actor]) -> None:
        self._actors = actors

    def __getitem__(self, key: str) -> str:
        return self._actors[key].kind

    def __contains__(self, key: object) -> bool:
        return key in self._actors

    def __iter__(self):
        return iter(self._actors)

    def __len__(self) -> int:
        return len(self._actors)
