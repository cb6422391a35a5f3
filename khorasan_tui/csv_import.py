"""Bring ties (and their actors) from another project's CSV of relationships.

Pure logic: `plan_import` takes a loaded store, the CSV's text and the options,
and returns the changed store, the document to keep and a report. Reading the
file, locking and saving belong to the command (commands/importer.py). The CSV
is read into `Row`s and `plan_rows` imports them; ftm.py feeds FollowTheMoney
streams through the same `plan_rows`, so both formats get the same checks.

Hostile files: the text is cleaned of control and invisible characters (each
removal reported by line) before anything reads it, an unbalanced quote is
reported and reading resumes on the next line, and over-long fields refuse
their row (FIELD_LIMITS).

Principles:
- never guess: a code that no `--value` translates, a name that matches several
  actors or a date that fits no known pattern rejects the row, with its line
  number and the reason;
- never merge silently: a name close to an existing actor's (but not one of its
  names) becomes a new actor flagged `possible_duplicate_of`, unless the user
  merges it with `--merge RAW=ID` or `--merge-suggested`;
- every imported tie cites the kept copy of the CSV with a quote that occurs
  in it verbatim, so `khorasan validate` still passes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import rules
from .graph import DUPLICATE_SCORE
from .model import (
    KINDS,
    STATUSES,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    is_partial_date,
    make_tie_id,
    new_actor_id,
    normalize_key,
    slugify,
    strip_control,
    unique_id,
)
from .storedata import StoreData
from .validate import squash_whitespace

FIELDS: dict[str, str] = {
    "source": "name of the actor the tie starts from",
    "target": "name of the actor the tie points to",
    "type": "tie type (translate codes with --value type:RAW=TYPE)",
    "status": "reported, alleged, claimed or disputed (default reported)",
    "claimant": "who claims the tie, when its status is claimed (an actor's name)",
    "start": "date the tie began",
    "end": "date the tie ended",
    "quote": "the evidence; without it the row's own CSV text is the quote",
    "summary": "a sentence about the tie",
    "role": "role within the tie (e.g. 'commander')",
    "source_kind": "kind of the source actor, if it is new",
    "target_kind": "kind of the target actor, if it is new",
}
REQUIRED_FIELDS = ("source", "target", "type")
VOCABULARIES: dict[str, dict[str, Any]] = {
    "type": TIE_TYPES,
    "status": STATUSES,
    "source_kind": KINDS,
    "target_kind": KINDS,
}
# The rulebook's words for a value outside a vocabulary.
_VOCABULARY_RULES = {
    "type": rules.check_tie_type,
    "status": rules.check_status,
    "source_kind": rules.check_kind,
    "target_kind": rules.check_kind,
}
MIN_FUZZY_KEY = 5  # shorter names ("ISI", "IS") are too alike by chance to suggest anything
EMPTY_MARKERS = frozenset({"", "na", "n/a", "nan", "none", "null", "unknown", "-", "--", "?"})
DELIMITERS = (",", ";", "\t", "|")


class ImportUsageError(ValueError):
    """Options that cannot work (bad --map/--value syntax, unknown field or column)."""


class ImportNotFound(LookupError):
    """An actor named in --merge does not exist."""


# -- option parsing ------------------------------------------------------------
def _fold(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def _vocabulary_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def parse_mapping(specs: list[str]) -> dict[str, str]:
    """['source=group1_name', ...] -> {'source': 'group1_name'}."""
    mapping: dict[str, str] = {}
    for spec in specs:
        name, sep, column = spec.partition("=")
        name = name.strip()
        if not sep or not name or not column.strip():
            raise ImportUsageError(f"--map {spec!r} is not FIELD=COLUMN")
        if name not in FIELDS:
            raise ImportUsageError(f"--map {spec!r}: unknown field {name!r}; fields: {', '.join(FIELDS)}")
        mapping[name] = column.strip()
    return mapping


def parse_values(specs: list[str]) -> dict[str, dict[str, str]]:
    """['type:riv=hostile_to'] -> {'type': {'riv': 'hostile_to'}} (raw values folded)."""
    values: dict[str, dict[str, str]] = {}
    for spec in specs:
        name, colon, rest = spec.partition(":")
        raw, equals, ours = rest.rpartition("=")
        name = name.strip()
        if not colon or not equals or not name or not raw.strip() or not ours.strip():
            raise ImportUsageError(f"--value {spec!r} is not FIELD:RAW=OURS")
        if name not in FIELDS:
            raise ImportUsageError(f"--value {spec!r}: unknown field {name!r}; fields: {', '.join(FIELDS)}")
        ours = ours.strip()
        vocabulary = VOCABULARIES.get(name)
        if vocabulary is not None:
            ours = _vocabulary_key(ours)
            if ours not in vocabulary:
                raise ImportUsageError(
                    f"--value {spec!r}: {ours!r} is not a {name.replace('_', ' ')}; choose from {', '.join(vocabulary)}"
                )
        values.setdefault(name, {})[_fold(raw)] = ours
    return values


def parse_merges(specs: list[str], data: StoreData) -> dict[str, str]:
    """['Jaish-e-Mohammad=jaish-e-mohammed'] -> {'Jaish-e-Mohammad': 'jaish-e-mohammed'}."""
    merges: dict[str, str] = {}
    for spec in specs:
        raw, equals, actor_id = spec.rpartition("=")
        actor_id = actor_id.strip()
        if not equals or not normalize_key(raw) or not actor_id:
            raise ImportUsageError(f"--merge {spec!r} is not RAW=ID")
        if actor_id not in data.actors:
            raise ImportNotFound(f"--merge {spec!r}: no actor with id {actor_id!r}")
        merges[raw.strip()] = actor_id
    return merges


# -- reading the file -----------------------------------------------------------
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    A byte-order mark says the encoding (Excel's "Unicode text" is UTF-16);
    without one, UTF-8 first; spreadsheets on Windows still write cp1252, and
    latin-1 accepts any byte as a last resort.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ImportUsageError(
                    f"the file starts with a {encoding} byte-order mark but is not {encoding}: {exc}"
                ) from None
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, encoding
    raise AssertionError("latin-1 decodes every byte")


_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


def _character_name(ch: str) -> str:
    """'U+001B ESC', 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    name = _CONTROL_NAMES.get(ord(ch)) or unicodedata.name(ch, "control character")
    return f"U+{ord(ch):04X} {name}"


def clean_text(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The text without control, bidi or stray zero-width characters, and per
    line what went (ESC, BEL, NUL, an RLO that reverses a name...).

    The cleaned text is what gets kept as the source document, so every quote
    taken from it still occurs in it verbatim.
    """
    lines: list[str] = []
    removed: list[dict[str, Any]] = []
    for number, physical in enumerate(io.StringIO(text, newline=""), 1):
        body = physical.rstrip("\r\n")
        clean = strip_control(body)
        if clean != body:
            gone = sorted({ch for ch in body if ch not in clean} or {"?"})
            removed.append({"line": number, "removed": [_character_name(ch) for ch in gone]})
        lines.append(clean + physical[len(body) :])
    return "".join(lines), removed


def sniff_delimiter(text: str) -> str:
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass(slots=True)
class Record:
    line: int  # first physical line of the record, 1-based
    cells: list[str]
    raw: str  # the record's text exactly as in the file
    last_line: int = 0


def read_records(text: str, delimiter: str) -> tuple[list[Record], list[dict[str, Any]]]:
    """Every CSV record with its line number and raw text, plus parse failures.

    An unbalanced quote makes the csv module read every following line into one
    field. A record that spans lines and has a cell count other than the
    header's is taken for that: it is reported, and reading starts again on the
    line after the quote, so the rows it swallowed are still read.
    """
    lines = list(io.StringIO(text, newline=""))
    records: list[Record] = []
    failures: list[dict[str, Any]] = []
    width: int | None = None
    start = 0
    while start < len(lines):
        consumed: list[str] = []

        def feed(first: int = start, sink: list[str] = consumed):
            for physical in lines[first:]:
                sink.append(physical)
                yield physical

        reader = csv.reader(feed(), delimiter=delimiter, skipinitialspace=True)
        next_line = start + 1
        restart: int | None = None
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                last = next_line + len(consumed) - 1
                span = f"lines {next_line}-{last}" if last > next_line else f"line {next_line}"
                reason = f"cannot be parsed ({span}): {exc}; an unbalanced quote?"
                failures.append({"line": next_line, "reason": reason})
                restart = next_line  # 0-based index of the line after
                break
            last = next_line + len(consumed) - 1
            if width is None and any(c.strip() for c in cells):
                width = len(cells)
            if last > next_line and width is not None and len(cells) != width:
                failures.append(
                    {
                        "line": next_line,
                        "reason": f"has {len(cells)} cells but the header has {width}: an unbalanced quote"
                        f" seems to run over lines {next_line}-{last}; read again from line {next_line + 1}",
                    }
                )
                restart = next_line
                break
            records.append(Record(next_line, cells, "".join(consumed).rstrip("\r\n"), last))
            next_line = last + 1
            consumed.clear()
        if restart is None:
            break
        start = restart
    return records, failures


# -- dates ------------------------------------------------------------------------
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_ISO_LIKE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_WORDY = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})")
_TIME_SUFFIX = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


class DateError(ValueError):
    pass


def _two_digit_year(yy: int, this_year: int) -> int:
    return 2000 + yy if 2000 + yy <= this_year else 1900 + yy


def _partial(year: int, month: int, day: int) -> str:
    """'2005-00-00' style zeros mean 'unknown': keep only what is known."""
    if month == 0:
        return f"{year:04d}"
    if day == 0:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(raw: str, day_first: bool = False, this_year: int | None = None) -> str | None:
    """A messy date cell as a partial ISO date, None when empty; DateError otherwise."""
    text = " ".join(raw.split())
    if text.casefold() in EMPTY_MARKERS:
        return None
    this_year = this_year or dt.date.today().year
    text = _TIME_SUFFIX.sub("", text)
    value: str | None = None
    if match := _ISO_LIKE.fullmatch(text):
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if year == 0:
            return None  # '0000-00-00': databases' way of saying no date
        value = _partial(year, month, day)
    elif match := _NUMERIC.fullmatch(text):
        first, second, year_text = match.groups()
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text), this_year)
        month, day = (int(second), int(first)) if day_first else (int(first), int(second))
        order = "day/month" if day_first else "month/day"
        if month > 12:
            raise DateError(f"date {raw.strip()!r} does not fit this file's {order} order")
        value = _partial(year, month, day)
    elif match := _MONTH_YEAR.fullmatch(text):
        value = _partial(int(match.group(2)), int(match.group(1)), 0)
    elif match := _WORDY.fullmatch(text.casefold()):
        day_before, month_name, day_after, year_text = match.groups()
        month = _MONTHS.get(month_name)
        if month is None or (day_before and day_after):
            raise DateError(f"date {raw.strip()!r} is not a date this import understands")
        value = _partial(int(year_text), month, int(day_before or day_after or 0))
    if value is None or not is_partial_date(value):
        raise DateError(f"date {raw.strip()!r} is not a date this import understands")
    return value


def detect_day_first(values: list[str]) -> bool:
    """Whether the file writes d/m/y: some first number above 12 and no second one."""
    first_big = second_big = False
    for value in values:
        match = _NUMERIC.fullmatch(" ".join(value.split()))
        if match:
            first_big |= int(match.group(1)) > 12
            second_big |= int(match.group(2)) > 12
    return first_big and not second_big


# -- the import ---------------------------------------------------------------------
@dataclass
class ImportOptions:
    source_title: str
    file_name: str = "import.csv"
    source_id: str | None = None
    publisher: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    merges: dict[str, str] = field(default_factory=dict)
    merge_suggested: bool = False
    default_kind: str = "group"
    dry_run: bool = False
    imported_on: dt.date | None = None


@dataclass
class ImportResult:
    report: dict[str, Any]
    data: StoreData  # the store with the import applied (a copy; the input is untouched)
    document_text: str  # the CSV text to keep as the source document
    document_path: str  # where to keep it, relative to the store's folder

    @property
    def changed(self) -> bool:
        return bool(self.report["imported_ties"])


_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _choose_source_id(data: StoreData, options: ImportOptions, path_taken: Callable[[str], bool], suffix: str) -> str:
    def taken(candidate: str) -> bool:
        return candidate in data.sources or path_taken(f"sources/{candidate}{suffix}")

    if options.source_id is not None:
        if not _SOURCE_ID.fullmatch(options.source_id):
            raise ImportUsageError(
                f"--source-id {options.source_id!r}: use letters, digits, '.', '-' and '_' (it names a file)"
            )
        if taken(options.source_id):
            raise ImportUsageError(f"--source-id {options.source_id!r} is already a source of this store")
        return options.source_id
    return unique_id(slugify(Path(options.file_name).name.split(".")[0]), taken)


def _columns(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    folded = [_fold(h) for h in header]
    columns: dict[str, int] = {}
    for name in FIELDS:
        wanted = mapping.get(name)
        if wanted is not None:
            if _fold(wanted) not in folded:
                listing = ", ".join(repr(h.strip().lstrip("\ufeff")) for h in header)
                raise ImportUsageError(f"--map {name}={wanted}: no column {wanted!r}; the columns are {listing}")
            columns[name] = folded.index(_fold(wanted))
        elif name in folded:
            columns[name] = folded.index(name)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        listing = ", ".join(repr(h.strip().lstrip("\ufeff")) for h in header)
        raise ImportUsageError(
            f"no column for {', '.join(missing)}; say which with --map FIELD=COLUMN (the columns are {listing})"
        )
    return columns


def _verbatim_quote(cell: str, raw: str) -> str:
    """A quote that occurs in the kept CSV text (up to whitespace, as validate reads).

    The cell itself when it appears as written; the cell as the file writes it
    when its quotation marks were doubled (the file is the evidence, so the
    quote follows the file); otherwise the whole record's text.
    """
    squashed_raw = squash_whitespace(raw)
    quote = cell.strip()
    if quote:
        for candidate in (quote, quote.replace('"', '""')):
            if candidate in raw:
                return candidate
            if squash_whitespace(candidate) in squashed_raw:
                # Spread over lines in the file; one line reads better.
                return squash_whitespace(candidate)
    whole = raw.strip()
    return whole if "\n" not in whole and "\r" not in whole else squashed_raw


@dataclass(slots=True)
class _Match:
    actor_id: str | None  # an existing actor, or None for a new one
    key: str
    name: str
    suggestion: tuple[str, float] | None = None


class _Names:
    """Name -> actor decisions, made once per normalized name and kept consistent."""

    def __init__(self, data: StoreData, options: ImportOptions) -> None:
        self.data = data
        self.options = options
        self.merges = {normalize_key(raw): actor_id for raw, actor_id in options.merges.items()}
        self.alias_index: dict[str, list[str]] = {}
        for actor in data.actors.values():
            for name in actor.names:
                key = normalize_key(name)
                if key and actor.id not in self.alias_index.setdefault(key, []):
                    self.alias_index[key].append(actor.id)
        self.fuzzy_rows = [(key, ids[0]) for key, ids in self.alias_index.items() if len(ids) == 1]
        # Ids of merged-away actors still open the actor that absorbed them: never reuse one.
        self.merged_ids = {old for actor in data.actors.values() for old in actor.merged_ids}
        self.new_by_key: dict[str, str] = {}
        self.decided: dict[str, _Match] = {}
        self.new_actors: list[Actor] = []
        self.possible_duplicates: list[dict[str, Any]] = []
        self.merged: list[dict[str, Any]] = []
        self.used_merges: set[str] = set()

    def _best_fuzzy(self, key: str) -> tuple[str, float] | None:
        if len(key) < MIN_FUZZY_KEY or not self.fuzzy_rows:
            return None
        from rapidfuzz import fuzz, process

        found = process.extractOne(
            key, [k for k, _ in self.fuzzy_rows], scorer=fuzz.ratio, score_cutoff=DUPLICATE_SCORE
        )
        if found is None:
            return None
        _, score, index = found
        return self.fuzzy_rows[index][1], round(float(score), 1)

    def lookup(self, name: str) -> _Match:
        """Which actor a name means; raises ValueError when it cannot be told."""
        key = normalize_key(name)
        if key in self.decided:
            return self.decided[key]
        if key in self.merges:
            match = _Match(self.merges[key], key, name)
        elif name in self.data.actors:
            match = _Match(name, key, name)
        elif len(owners := self.alias_index.get(key, [])) > 1:
            raise ValueError(f"{name!r} names several actors: {', '.join(owners)}")
        elif owners:
            match = _Match(owners[0], key, name)
        else:
            match = _Match(None, key, name, self._best_fuzzy(key))
        return match

    def identity(self, match: _Match) -> tuple[str, str]:
        """Who a looked-up name will turn out to be, before anything is created."""
        if match.actor_id is not None:
            return ("actor", match.actor_id)
        if match.suggestion and self.options.merge_suggested:
            return ("actor", match.suggestion[0])
        return ("new", match.key)

    def commit(self, match: _Match, kind: str, aliases: list[str] = ()) -> str:
        """The actor id for a looked-up name, creating or merging as decided."""
        if match.key in self.decided:
            decided = self.decided[match.key]
            return decided.actor_id or self.new_by_key[match.key]
        self.decided[match.key] = match
        if match.actor_id is not None:
            if match.key in self.merges:
                self.used_merges.add(match.key)
                self._merge(match.name, match.key, match.actor_id, via="--merge")
            return match.actor_id
        if match.suggestion and self.options.merge_suggested:
            suggested_id, score = match.suggestion
            self.possible_duplicates.append(
                {"raw": match.name, "suggested_id": suggested_id, "score": score, "new_id": None, "merged": True}
            )
            self._merge(match.name, match.key, suggested_id, via="--merge-suggested")
            match.actor_id = suggested_id
            return suggested_id
        actor_id = new_actor_id(match.name, lambda i: i in self.data.actors or i in self.merged_ids)
        key_names = {match.key}
        other_names = []
        for alias in map(_clean, aliases):
            alias_key = normalize_key(alias)
            if alias_key and alias_key not in key_names:
                key_names.add(alias_key)
                other_names.append(alias)
        actor = Actor(
            id=actor_id,
            name=match.name,
            kind=kind,
            aliases=other_names,
            possible_duplicate_of=match.suggestion[0] if match.suggestion else None,
        )
        self.data.actors[actor_id] = actor
        self.alias_index[match.key] = [actor_id]
        self.new_by_key[match.key] = actor_id
        self.new_actors.append(actor)
        if match.suggestion:
            suggested_id, score = match.suggestion
            self.possible_duplicates.append(
                {"raw": match.name, "suggested_id": suggested_id, "score": score, "new_id": actor_id, "merged": False}
            )
        return actor_id

    def _merge(self, raw: str, key: str, actor_id: str, via: str) -> None:
        """Treat `raw` as `actor_id`, recording it as an alias when no one has it yet."""
        alias_added = False
        if key and key not in self.alias_index:
            actor = self.data.actors[actor_id]
            # Copy before changing: the caller's store must stay untouched.
            self.data.actors[actor_id] = replace(actor, aliases=[*actor.aliases, raw])
            self.alias_index[key] = [actor_id]
            alias_added = True
        self.merged.append({"raw": raw, "id": actor_id, "via": via, "alias_added": alias_added})


def _clean(cell: str) -> str:
    """A cell as one line of visible text; our CSV export's formula guard (a
    leading ' before = + - @) is taken off again."""
    text = " ".join(strip_control(cell).split())
    if text.startswith("'") and text[1:2] and text[1] in "=+-@":
        return text[1:]
    return text


# The longest a cell may be: a 100,000-character "name" is an attack or an
# export gone wrong, never a name.
FIELD_LIMITS: dict[str, int] = {
    "source": 300,
    "target": 300,
    "claimant": 300,
    "alias": 300,
    "quote": 10_000,
    "summary": 20_000,
}


@dataclass(slots=True)
class Row:
    """One relationship to import, whatever kind of file it came from."""

    line: int  # where it starts in the kept document, 1-based
    raw: str  # its text in the kept document: the quote when it has none
    cells: dict[str, str]  # field -> text as found
    aliases: dict[str, list[str]] = field(default_factory=dict)  # "source"/"target" -> other names


def plan_import(
    data: StoreData,
    text: str,
    options: ImportOptions,
    path_taken: Callable[[str], bool] = lambda relative: False,
    encoding: str = "utf-8",
) -> ImportResult:
    """Apply a CSV of relationships to a copy of `data` and say what happened.

    `path_taken(relative_path)` tells whether a file already exists next to the
    store, so the kept document never overwrites one.
    """
    check_options(options)
    text, cleaned = clean_text(text.lstrip("\ufeff"))
    records, failures = read_records(text, sniff_delimiter(text))
    records = [r for r in records if any(c.strip() for c in r.cells)]
    if not records:
        raise ImportUsageError(f"{options.file_name}: no header row; the file is empty")
    header, records = records[0], records[1:]
    columns = _columns(header.cells, options.mapping)
    rows: list[Row] = []
    for record in records:
        extra = record.cells[len(header.cells) :]
        if any(c.strip() for c in extra):
            failures.append(
                {
                    "line": record.line,
                    "reason": f"has {len(record.cells)} cells but the header has {len(header.cells)}"
                    " (an unquoted delimiter or an unbalanced quote?)",
                }
            )
            continue
        cells = {name: record.cells[i] for name, i in columns.items() if i < len(record.cells)}
        rows.append(Row(record.line, record.raw, cells))
    report = {
        "columns": {name: _clean(header.cells[index]) for name, index in columns.items()},
        "rows": len(records) + sum(1 for f in failures if f["line"] > header.line),
    }
    return plan_rows(data, rows, options, text, ".csv", report, failures, cleaned, path_taken, encoding)


def check_options(options: ImportOptions) -> None:
    if not options.source_title.strip():
        raise ImportUsageError("--source-title must not be empty")
    if options.default_kind not in KINDS:
        raise ImportUsageError(f"unknown kind {options.default_kind!r}; choose from {', '.join(KINDS)}")


def _over_limit(row: Row) -> str | None:
    """Why the row is refused for a field longer than FIELD_LIMITS allows, or None."""
    for name, limit in FIELD_LIMITS.items():
        if name == "alias":
            values = [*row.aliases.get("source", []), *row.aliases.get("target", [])]
        else:
            values = [row.cells.get(name, "")]
        for value in values:
            too_long = rules.check_length(value, limit)
            if too_long:
                return f"{name}: {too_long}"
    return None


def plan_rows(
    data: StoreData,
    rows: list[Row],
    options: ImportOptions,
    document_text: str,
    suffix: str,
    file_report: dict[str, Any],
    failures: list[dict[str, Any]],
    cleaned: list[dict[str, Any]],
    path_taken: Callable[[str], bool] = lambda relative: False,
    encoding: str = "utf-8",
) -> ImportResult:
    """The import proper, for rows read from any format: names matched or
    created, vocabularies, dates and limits checked, each tie citing its row in
    the kept document (`document_text`, saved as sources/<id><suffix>)."""
    check_options(options)
    imported_on = options.imported_on or dt.date.today()
    source_id = _choose_source_id(data, options, path_taken, suffix)
    document_path = f"sources/{source_id}{suffix}"

    result_data = StoreData(
        actors=dict(data.actors),
        ties=dict(data.ties),
        sources=dict(data.sources),
        meta=dict(data.meta),
        path=data.path,
        fingerprint=data.fingerprint,
        doc_ids={table: dict(ids) for table, ids in data.doc_ids.items()},
    )
    source = Source(
        id=source_id,
        title=options.source_title.strip(),
        publisher=options.publisher,
        published_note=f"Imported from {Path(options.file_name).name} on {imported_on.isoformat()}.",
        path=document_path,
    )

    report: dict[str, Any] = {
        "dry_run": options.dry_run,
        "saved": False,
        "file": options.file_name,
        "encoding": encoding,
        "source": {"id": source_id, "title": source.title, "path": document_path},
        "columns": {},
        "date_order": "month/day",
        "rows": len(rows),
        "imported_ties": 0,
        "ties": [],
        "new_actors": [],
        "merged": [],
        "possible_duplicates": [],
        "rejected": [],
        "cleaned": cleaned,
        "unmapped_values": [],
        "unused_merges": [],
        **file_report,
    }

    date_cells = [row.cells.get(f, "") for row in rows for f in ("start", "end")]
    day_first = detect_day_first(date_cells)
    report["date_order"] = "day/month" if day_first else "month/day"

    names = _Names(result_data, options)
    unmapped: dict[tuple[str, str], list[int]] = {}
    rejected: list[dict[str, Any]] = []
    seen_rows: dict[tuple, int] = {}
    new_ties: list[Tie] = []

    def translated(name: str, raw: str) -> str:
        return options.values.get(name, {}).get(_fold(raw), raw)

    def vocabulary_value(row: Row, name: str, default: str | None) -> str:
        raw = _clean(row.cells.get(name, ""))
        if not raw:
            if default is None:
                raise ValueError(f"no {name}")
            return default
        value = _vocabulary_key(translated(name, raw))
        if value not in VOCABULARIES[name]:
            unmapped.setdefault((name, raw), []).append(row.line)
            raise ValueError(f"{name}: {_VOCABULARY_RULES[name](value)}; translate it with --value {name}:{raw}=...")
        return value

    for row in rows:
        try:
            if too_long := _over_limit(row):
                raise ValueError(too_long)
            source_name = _clean(translated("source", _clean(row.cells.get("source", ""))))
            target_name = _clean(translated("target", _clean(row.cells.get("target", ""))))
            if not normalize_key(source_name):
                raise ValueError("no source actor")
            if not normalize_key(target_name):
                raise ValueError("no target actor")
            tie_type = vocabulary_value(row, "type", None)
            status = vocabulary_value(row, "status", "reported")
            source_kind = vocabulary_value(row, "source_kind", options.default_kind)
            target_kind = vocabulary_value(row, "target_kind", options.default_kind)
            try:
                start = parse_date(row.cells.get("start", ""), day_first, imported_on.year)
                end = parse_date(row.cells.get("end", ""), day_first, imported_on.year)
            except DateError as exc:
                raise ValueError(str(exc)) from None
            order = rules.check_date_order(start, end)
            if order:
                raise ValueError(f"end: {order}")
            source_match = names.lookup(source_name)
            target_match = names.lookup(target_name)
            same = rules.check_distinct_ends(names.identity(source_match), names.identity(target_match))
            if same:
                raise ValueError(f"{source_name!r} and {target_name!r}: {same}")
            claimant_name = _clean(row.cells.get("claimant", ""))
            if claimant_name and status != "claimed":
                raise ValueError(f"names a claimant ({claimant_name!r}) but its status is {status}, not claimed")
            claimant_match = names.lookup(claimant_name) if normalize_key(claimant_name) else None
        except ValueError as exc:
            rejected.append({"line": row.line, "reason": str(exc)})
            continue

        source_actor = names.commit(source_match, source_kind, row.aliases.get("source", []))
        target_actor = names.commit(target_match, target_kind, row.aliases.get("target", []))
        claimant = names.commit(claimant_match, options.default_kind) if claimant_match else None
        quote = _verbatim_quote(row.cells.get("quote", ""), row.raw)
        ends = (source_actor, target_actor)
        if not TIE_TYPES[tie_type].directed:
            ends = tuple(sorted(ends))
        signature = (ends, tie_type, start, end, squash_whitespace(quote))
        if signature in seen_rows:
            rejected.append({"line": row.line, "reason": f"repeats line {seen_rows[signature]}"})
            continue
        seen_rows[signature] = row.line
        role = _clean(row.cells.get("role", "")) or None
        tie = Tie(
            id=make_tie_id(source_actor, tie_type, target_actor, result_data.ties),
            type=tie_type,
            source=source_actor,
            target=target_actor,
            status=status,
            claimant=claimant,
            role=role,
            start=start,
            end=end,
            summary=_clean(row.cells.get("summary", "")),
            citations=[Citation(source_id, quote)],
        )
        result_data.ties[tie.id] = tie
        new_ties.append(tie)

    rejected.extend(failures)
    if new_ties:
        result_data.sources[source_id] = source
    report["imported_ties"] = len(new_ties)
    report["ties"] = [t.id for t in new_ties]
    report["new_actors"] = [
        {"id": a.id, "name": a.name, "kind": a.kind, "possible_duplicate_of": a.possible_duplicate_of}
        for a in names.new_actors
    ]
    report["merged"] = names.merged
    report["possible_duplicates"] = names.possible_duplicates
    report["rejected"] = sorted(rejected, key=lambda r: r["line"])
    report["unmapped_values"] = [
        {"field": name, "value": raw, "lines": lines} for (name, raw), lines in unmapped.items()
    ]
    report["unused_merges"] = [
        {"raw": raw, "id": actor_id}
        for raw, actor_id in options.merges.items()
        if normalize_key(raw) not in names.used_merges
    ]
    return ImportResult(report, result_data, document_text, document_path)
