"""Plain data: actors, ties, sources, citations and the vocabularies they use.

Nothing here knows about storage or the UI, so every layer (and every test) can
build these objects cheaply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

KINDS: dict[str, str] = {
    "group": "armed group, faction or branch",
    "person": "person",
    "state": "state",
    "agency": "intelligence service, police, armed forces or ministry",
    "organization": "media, NGO, institute",
    "event": "attack, arrest, killing, negotiation or announcement",
    "place": "place",
}

# A glyph per kind, so that kind never depends on colour alone.
KIND_GLYPHS: dict[str, str] = {
    "group": "⚑",
    "person": "☺",
    "state": "▣",
    "agency": "◈",
    "organization": "▤",
    "event": "✦",
    "place": "⌖",
}


@dataclass(frozen=True, slots=True)
class TieType:
    name: str
    directed: bool
    forward: str  # how the source relates to the target
    backward: str  # how the target relates to the source
    cooperative: bool = False
    description: str = ""


_TIE_TYPES = [
    TieType("leads", True, "leads", "led by", description="person heads a group or agency"),
    TieType("member_of", True, "member of", "has member"),
    TieType("founded", True, "founded", "founded by"),
    TieType("faction_of", True, "faction of", "has faction", description="branch, province, wing or faction"),
    TieType("emerged_from", True, "emerged from", "gave rise to"),
    TieType(
        "supports",
        True,
        "supports",
        "supported by",
        cooperative=True,
        description="sponsorship, shelter, training, money, logistics, intelligence",
    ),
    TieType("recruits_from", True, "recruits from", "recruited by"),
    TieType("succeeded", True, "succeeded", "succeeded by", description="successor -> predecessor"),
    TieType("carried_out", True, "carried out", "carried out by", description="actor -> event"),
    TieType("targeted", True, "targeted", "targeted by", description="event -> actor"),
    TieType("located_in", True, "located in", "location of", description="event or actor -> place"),
    TieType("operates_in", True, "operates in", "area of operations of", description="group -> place"),
    TieType("family", False, "family of", "family of"),
    TieType("allied_with", False, "allied with", "allied with", cooperative=True),
    TieType("cooperates_with", False, "cooperates with", "cooperates with", cooperative=True),
    TieType(
        "affiliated_with",
        False,
        "affiliated with",
        "affiliated with",
        description="the document says 'ties' or 'linked' and no more",
    ),
    TieType("hostile_to", False, "hostile to", "hostile to"),
    TieType("negotiates_with", False, "negotiates with", "negotiates with"),
]
TIE_TYPES: dict[str, TieType] = {t.name: t for t in _TIE_TYPES}
COOPERATIVE_TYPES = frozenset(t.name for t in _TIE_TYPES if t.cooperative)

STATUSES: dict[str, str] = {
    "reported": "the document states it as fact",
    "alleged": "the document hedges",
    "claimed": "a party claims it",
    # A passage that states a view in order to reject it ("It's often said ...")
    # supports nothing; recorded so that the disagreement itself is on file.
    "disputed": "the document mentions it only to dispute it",
}
STATUS_GLYPHS: dict[str, str] = {"reported": "●", "alleged": "◐", "claimed": "◌", "disputed": "✗"}


def kind_label(kind: str) -> str:
    """'⚑ group': a glyph and a word, so kind never rests on colour alone."""
    return f"{KIND_GLYPHS.get(kind, '?')} {kind}"


def status_label(status: str, claimant_name: str | None = None) -> str:
    """'◌ claimed by Taliban'."""
    label = f"{STATUS_GLYPHS.get(status, '?')} {status}"
    if claimant_name:
        label += f" by {claimant_name}"
    return label


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 tie', '2 ties', '0 entries' (with plural_form='entries')."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


# [0-9], not \d (which admits Arabic-Indic and other digits), and fullmatch, not
# "$" (which lets a trailing newline through).
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # The leap-year rule itself: the calendar module costs 4 ms of every start-up.
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]


def is_partial_date(value: str) -> bool:
    """True for '2015', '2020-03' or '2020-03-25' with a real month and day."""
    match = _PARTIAL_DATE.fullmatch(value)
    if not match:
        return False
    year, month, day = match.groups()
    if month is not None and not 1 <= int(month) <= 12:
        return False
    if day is not None and not 1 <= int(day) <= _days_in_month(int(year), int(month)):
        return False
    return True


def date_sort_key(value: str | None) -> tuple[int, int, int]:
    """Order partial dates so that '2020' < '2020-03' < '2020-03-25' < '2021'."""
    if not value:
        return (9999, 99, 99)
    parts = [int(p) for p in value.split("-")]
    while len(parts) < 3:
        parts.append(0)
    return (parts[0], parts[1], parts[2])


def date_end_key(value: str) -> tuple[int, int, int]:
    """The last day a partial date can mean: '2020' ends at (2020, 12, 31)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return (parts[0], 12, 31)
    if len(parts) == 2:
        return (parts[0], parts[1], 31)
    return (parts[0], parts[1], parts[2])


_NON_KEY = re.compile(r"[\s\-‐‑‒–—_'’‘`´.,()]+")


def normalize_key(text: str) -> str:
    """Fold a name for lookup: case, accents, hyphens, spaces and apostrophes.

    "al Qaeda", "Al-Qaeda" and "al-qaeda" all become "alqaeda".
    """
    if text.isascii():
        # ASCII has no decompositions and no combining marks: same result, 5x faster.
        return _NON_KEY.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    # Invisible characters (zero-width, bidi controls) fold away too, so that
    # "ISK\u200bP" finds ISKP instead of becoming a second actor.
    stripped = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) not in ("Cf", "Cc")
    )
    return _NON_KEY.sub("", stripped.casefold())


def slugify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug or "actor"


# What a terminal obeys or hides: C0 but tab and newline, DEL, C1 (ESC and CSI
# above all), and the invisible format characters that reorder or hide text
# (soft hyphen, bidi marks, embeddings, overrides and isolates, zero-width
# characters, BOM, interlinear annotations, tag characters).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def strip_control(text: str) -> str:
    """Remove the characters a terminal would obey or that hide or reorder text."""
    return CONTROL_CHARACTERS.sub("", text)


# NATO Admiralty scale: how reliable the source is (A-F) and how credible one
# piece of information is (1-6). F and 6 mean "cannot be judged".
SOURCE_GRADES: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


def _extra(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Fields another tool added: kept as they are and written back on save."""
    if len(data) <= len(known) and data.keys() <= known:
        return {}
    return {k: v for k, v in data.items() if k not in known}


@dataclass(slots=True)
class Citation:
    source: str
    quote: str
    credibility: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    FIELDS = frozenset({"source", "quote", "credibility"})

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "quote": self.quote}
        if self.credibility is not None:
            data["credibility"] = self.credibility
        if self.extra:
            data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(
            source=data["source"],
            quote=data["quote"],
            credibility=data.get("credibility"),
            extra={} if data.keys() <= cls.FIELDS else _extra(data, cls.FIELDS),
        )


def _citations(data: dict[str, Any]) -> list[Citation]:
    return [Citation.from_dict(c) for c in data.get("citations") or []]


@dataclass(slots=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    born: str | None = None
    founded: str | None = None
    died: str | None = None
    ended: str | None = None
    citations: list[Citation] = field(default_factory=list)
    possible_duplicate_of: str | None = None
    # Ids this actor absorbed in merges: they still resolve to it.
    merged_ids: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    FIELDS = frozenset(
        {
            "id",
            "name",
            "kind",
            "aliases",
            "summary",
            "born",
            "founded",
            "died",
            "ended",
            "citations",
            "possible_duplicate_of",
            "merged_ids",
        }
    )

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def start(self) -> str | None:
        return self.born or self.founded

    @property
    def end(self) -> str | None:
        return self.died or self.ended

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "summary": self.summary,
        }
        for key in ("born", "founded", "died", "ended", "possible_duplicate_of"):
            value = getattr(self, key)
            if value:
                data[key] = value
        data["citations"] = [c.to_dict() for c in self.citations]
        if self.merged_ids:
            data["merged_ids"] = list(self.merged_ids)
        if self.extra:
            data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            id=data["id"],
            name=data["name"],
            kind=data["kind"],
            aliases=list(data.get("aliases") or []),
            summary=data.get("summary") or "",
            born=data.get("born"),
            founded=data.get("founded"),
            died=data.get("died"),
            ended=data.get("ended"),
            citations=_citations(data),
            possible_duplicate_of=data.get("possible_duplicate_of"),
            merged_ids=list(data.get("merged_ids") or []),
            extra={} if data.keys() <= cls.FIELDS else _extra(data, cls.FIELDS),
        )


@dataclass(slots=True)
class Tie:
    id: str
    type: str
    source: str
    target: str
    status: str = "reported"
    claimant: str | None = None
    role: str | None = None
    start: str | None = None
    end: str | None = None
    summary: str = ""
    citations: list[Citation] = field(default_factory=list)
    # The curator's note, above all where a date comes from general knowledge
    # rather than the quoted document: never passed off as quoted.
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    FIELDS = frozenset(
        {"id", "type", "source", "target", "status", "claimant", "role", "start", "end", "summary", "citations", "note"}
    )

    @property
    def directed(self) -> bool:
        tie_type = TIE_TYPES.get(self.type)
        return tie_type.directed if tie_type else True

    def other(self, actor_id: str) -> str:
        return self.target if self.source == actor_id else self.source

    def wording_from(self, actor_id: str) -> str:
        """The tie in words as seen from one end: 'leads' or 'led by'."""
        tie_type = TIE_TYPES.get(self.type)
        if tie_type is None:
            return self.type
        if self.source == actor_id or not tie_type.directed:
            return tie_type.forward
        return tie_type.backward

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "target": self.target,
            "status": self.status,
            "claimant": self.claimant,
            "role": self.role,
            "start": self.start,
            "end": self.end,
            "summary": self.summary,
            "citations": [c.to_dict() for c in self.citations],
        }
        if self.note:
            data["note"] = self.note
        if self.extra:
            data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tie:
        return cls(
            id=data["id"],
            type=data["type"],
            source=data["source"],
            target=data["target"],
            status=data.get("status") or "reported",
            claimant=data.get("claimant"),
            role=data.get("role"),
            start=data.get("start"),
            end=data.get("end"),
            summary=data.get("summary") or "",
            citations=_citations(data),
            note=data.get("note") or "",
            extra={} if data.keys() <= cls.FIELDS else _extra(data, cls.FIELDS),
        )


@dataclass(slots=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    published: str | None = None
    published_note: str = ""
    path: str = ""  # relative to the store's folder
    url: str | None = None
    retrieved: str | None = None
    language: str | None = None
    grade: str | None = None  # SOURCE_GRADES: set by the analyst
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    FIELDS = frozenset(
        {"id", "title", "publisher", "published", "published_note", "path", "url", "retrieved", "language", "grade"}
    )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published,
            "published_note": self.published_note,
            "path": self.path,
        }
        for key in ("url", "retrieved", "language", "grade"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.extra:
            data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(
            id=data["id"],
            title=data.get("title") or data["id"],
            publisher=data.get("publisher"),
            published=data.get("published"),
            published_note=data.get("published_note") or "",
            path=data.get("path") or "",
            url=data.get("url"),
            retrieved=data.get("retrieved"),
            language=data.get("language"),
            grade=data.get("grade"),
            extra={} if data.keys() <= cls.FIELDS else _extra(data, cls.FIELDS),
        )


MAX_ACTOR_ID = 80


def unique_id(base: str, taken: Container[str] | Callable[[str], bool], sep: str = "-") -> str:
    """`base`, or `base-2`, `base-3`…: the first one `taken` does not hold."""
    is_taken = taken if callable(taken) else taken.__contains__
    candidate, n = base, 2
    while is_taken(candidate):
        candidate, n = f"{base}{sep}{n}", n + 1
    return candidate


def new_actor_id(name: str, taken: Container[str] | Callable[[str], bool]) -> str:
    """A readable slug for a new actor ('sirajuddin-haqqani'), unique among `taken`."""
    return unique_id(slugify(name)[:MAX_ACTOR_ID].strip("-") or "actor", taken)


def make_tie_id(source: str, tie_type: str, target: str, taken: set[str] | dict[str, Any]) -> str:
    """A readable id, unique among `taken`: 'shahab-al-muhajir--leads--iskp'."""
    return unique_id(f"{source}--{tie_type}--{target}", taken, sep="--")
