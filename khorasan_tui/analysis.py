"""Analysis views over a graph: the timeline, corroboration and the contested claims.

Pure functions over `graph.Graph` returning plain dataclasses; the CLI turns
them into JSON or tables and the UI into widgets. Nothing here prints.

Dates are partial ('2020', '2020-03', '2020-03-25'); a malformed date in the
store is treated as no date rather than breaking the whole view (`validate`
reports it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from .graph import Graph, TieFilter, active_at
from .model import (
    COOPERATIVE_TYPES,
    STATUSES,
    TIE_TYPES,
    Citation,
    Tie,
    date_end_key,
    date_sort_key,
    is_partial_date,
)

# Ties whose start dates an event that has no date of its own.
EVENT_DATING_TYPES = ("carried_out", "targeted", "located_in")

RULE_COOPERATION_VS_HOSTILITY = "cooperation_vs_hostility"
RULE_RIVAL_LEADERS = "rival_leaders"
RULE_DISPUTED = "disputed"
RULE_REPORTED_VS_ALLEGED = "reported_vs_alleged"
RULES = (RULE_COOPERATION_VS_HOSTILITY, RULE_RIVAL_LEADERS, RULE_DISPUTED, RULE_REPORTED_VS_ALLEGED)

# A deputy beside a head is not a rival; drafts sometimes encode deputies as `leads`.
_DEPUTY_ROLE = re.compile(r"\b(deputy|vice|second[- ]in[- ]command)\b", re.IGNORECASE)

_EARLIEST = (0, 0, 0)
_LATEST = (9999, 99, 99)


def _date(value: str | None) -> str | None:
    return value if value and is_partial_date(value) else None


# -- timeline ----------------------------------------------------------------------


@dataclass(slots=True)
class TimelineEntry:
    date: str
    kind: str  # "event" or "tie"
    id: str  # the event's actor id or the tie id
    what: str  # 'ISKP carried out Kabul airport attack', the event's name
    actor_ids: list[str]
    citations: list[Citation]
    end: str | None = None  # ties only
    status: str | None = None  # ties only
    start: str | None = None  # the tie's own start (None for an event, dated by `date`)
    ties: list[Tie] = field(default_factory=list)  # an event's ties, listed under it

    @property
    def title(self) -> str:
        if self.kind == "tie" and self.end:
            return f"{self.what}, until {self.end}" if self.start else f"{self.what}: ended"
        return self.what

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(c.source for c in self.citations))


def event_date(graph: Graph, event_id: str) -> tuple[str | None, Tie | None]:
    """When an event happened, and the tie that says so if the event itself does not.

    Drafts put an event's date in `founded` (or `born`); failing that, the
    earliest start among its carried_out/targeted/located_in ties.
    """
    actor = graph.actors[event_id]
    own = _date(actor.founded) or _date(actor.born)
    if own:
        return own, None
    dated = [t for t in graph.ties_of(event_id) if t.type in EVENT_DATING_TYPES and _date(t.start)]
    if not dated:
        return None, None
    earliest = min(dated, key=lambda t: (date_sort_key(t.start), t.id))
    return earliest.start, earliest


def tie_title(graph: Graph, tie: Tie, seen_from: str | None = None) -> str:
    """'ISKP carried out Kabul airport attack', '... (head; claimed by X)';
    seen from one end, without it: 'carried out by ISKP' under the attack."""
    spec = TIE_TYPES.get(tie.type)
    verb = spec.forward if spec else tie.type
    source = graph.actors[tie.source].name if tie.source in graph.actors else tie.source
    target = graph.actors[tie.target].name if tie.target in graph.actors else tie.target
    if seen_from in (tie.source, tie.target):
        other = tie.other(seen_from)
        other_name = graph.actors[other].name if other in graph.actors else other
        source, verb, target = "", tie.wording_from(seen_from), other_name
    notes = [tie.role] if tie.role else []
    if tie.status == "claimed":
        claimant = graph.actors.get(tie.claimant) if tie.claimant else None
        notes.append(f"claimed by {claimant.name}" if claimant else "claimed")
    elif tie.status != "reported":
        notes.append(tie.status)
    title = f"{source} {verb} {target}".lstrip()
    return f"{title} ({'; '.join(notes)})" if notes else title


def _event_entry(graph: Graph, event_id: str) -> TimelineEntry | None:
    date, dating_tie = event_date(graph, event_id)
    if date is None:
        return None
    event = graph.actors[event_id]
    ties = sorted(graph.ties_of(event_id), key=_event_tie_order)
    tied = [t.other(event_id) for t in ties]
    actor_ids = list(dict.fromkeys([event_id, *(a for a in tied if a != event_id)]))
    citations = list(event.citations)
    if not citations and dating_tie is not None:
        citations = list(dating_tie.citations)
    return TimelineEntry(date, "event", event_id, event.name, actor_ids, citations, ties=ties)


def _event_tie_order(tie: Tie) -> tuple[int, str]:
    rank = EVENT_DATING_TYPES.index(tie.type) if tie.type in EVENT_DATING_TYPES else len(EVENT_DATING_TYPES)
    return rank, tie.id


def _tie_entry(graph: Graph, tie: Tie) -> TimelineEntry | None:
    start, end = _date(tie.start), _date(tie.end)
    date = start or end
    if date is None:
        return None
    actor_ids = list(dict.fromkeys([tie.source, tie.target]))
    return TimelineEntry(
        date, "tie", tie.id, tie_title(graph, tie), actor_ids, list(tie.citations), end, tie.status, start
    )


def timeline_sort_key(entry: TimelineEntry) -> tuple:
    # Partial dates first within their span ('2020' < '2020-03'), events before ties.
    return (date_sort_key(entry.date), 0 if entry.kind == "event" else 1, entry.title.casefold(), entry.id)


def timeline(
    graph: Graph,
    actor_id: str | None = None,
    as_of: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
) -> list[TimelineEntry]:
    """Events and dated ties in date order; each event once, its ties under it.

    With `actor_id`: that actor's dated ties and the events it is tied to (or
    the event itself). With `as_of`: see `as_of_entries`. With `date_from`
    and/or `date_to`: see `entries_between`. With `limit` the first entries
    only: on a SQLite store the whole store's timeline is then read by date
    from its indexes (about `limit` ties of the span), not built whole.
    """
    if actor_id is None and graph.lazy:
        event_ids, ties = _sql_timeline_records(graph, date_from, date_to, limit)
    elif actor_id is None:
        event_ids = [a.id for a in graph.actors.values() if a.kind == "event"]
        ties = list(graph.ties.values())
    else:
        ties = graph.ties_of(actor_id)
        candidates = [actor_id, *(t.other(actor_id) for t in ties)]
        event_ids = list(dict.fromkeys(a for a in candidates if a in graph.actors and graph.actors[a].kind == "event"))
    if as_of is not None:
        # The date test is cheap and titles are not: drop ties before building entries.
        as_of_filter = TieFilter.of(as_of=as_of)
        ties = [t for t in ties if as_of_filter.accepts(t)]
    entries = [e for e in (_event_entry(graph, event_id) for event_id in event_ids) if e is not None]
    # A tie of a dated event is told under the event, not again on its own.
    listed = {e.id for e in entries}
    ties = [t for t in ties if t.source not in listed and t.target not in listed]
    entries.extend(e for e in (_tie_entry(graph, tie) for tie in ties) if e is not None)
    entries.sort(key=timeline_sort_key)
    return entries_between(as_of_entries(entries, as_of), date_from, date_to)[:limit]


def _sql_timeline_records(
    graph: Graph, date_from: str | None, date_to: str | None, limit: int | None
) -> tuple[list[str], list[Tie]]:
    """The events and ties a SQLite store's timeline of a span may list: ties
    begun or ended in the span's years (the first `limit` of each, by date),
    the events at their ends and those dated in the span themselves.
    `timeline` then keeps exactly what the span holds."""
    db = graph.data.backend
    low = date_from[:4] if date_from else None
    high = str(int(date_to[:4]) + 1) if date_to else None
    tail = " LIMIT ?" if limit else ""

    def window(column: str, extra: str = "", extra_params: tuple = ()) -> tuple[str, list]:
        where, params = [f"{column} IS NOT NULL"], []
        if low:
            where.append(f"{column} >= ?")
            params.append(low)
        if high:
            where.append(f"{column} < ?")
            params.append(high)
        if extra:
            where.append(extra)
            params.extend(extra_params)
        return " AND ".join(where), params + ([limit] if limit else [])

    tie_ids: dict[str, None] = {}
    ends: dict[str, None] = {}
    # Begun in the span; then ended in it, begun before it or undated.
    begun_before = ("(start_date IS NULL OR start_date < ?)", (low,)) if low else ("start_date IS NULL", ())
    for column, extra in (("start_date", ("", ())), ("end_date", begun_before)):
        where, params = window(column, *extra)
        for tie_id, source, target in db.query(
            f"SELECT id, source, target FROM ties WHERE {where} ORDER BY {column}{tail}",  # noqa: S608
            params,
        ):
            tie_ids[tie_id] = None
            ends.update(dict.fromkeys((source, target)))
    dated = "coalesce(json_extract(body, '$.founded'), json_extract(body, '$.born'))"
    where, params = window(dated)
    event_ids = dict.fromkeys(
        r[0]
        for r in db.query(
            f"SELECT id FROM actors WHERE kind = 'event' AND {where} ORDER BY {dated}{tail}",  # noqa: S608
            params,
        )
    )
    ids = list(ends)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        event_ids.update(
            dict.fromkeys(
                r[0]
                for r in db.query(
                    f"SELECT id FROM actors WHERE kind = 'event' AND id IN ({','.join('?' * len(chunk))})",  # noqa: S608
                    chunk,
                )
            )
        )
    return list(event_ids), list(graph.ties.get_many(tie_ids).values())


def as_of_entries(entries: list[TimelineEntry], as_of: str | None) -> list[TimelineEntry]:
    """The entries of a timeline as they stood on `as_of` (all with None).

    Nothing dated after it: not an event, not a tie begun or ended later (an
    end after the date is left unsaid, it had not happened yet), not an
    event's tie that had not begun. Kept apart from `timeline` so a view can
    build the timeline once and re-filter it as the user steps through the years.
    """
    if as_of is None:
        return list(entries)
    as_of_filter = TieFilter.of(as_of=as_of)  # works out the date span once
    last = date_end_key(as_of)
    kept = []
    for entry in entries:
        if date_sort_key(entry.date) > last:
            continue
        if entry.kind == "event":
            ties = [t for t in entry.ties if as_of_filter.active(t.start, t.end)]
            kept.append(entry if len(ties) == len(entry.ties) else replace(entry, ties=ties))
        elif as_of_filter.active(entry.start, entry.end):
            later_end = entry.end is not None and date_sort_key(entry.end) > last
            kept.append(replace(entry, end=None) if later_end else entry)
    return kept


def entries_between(entries: list[TimelineEntry], date_from: str | None, date_to: str | None) -> list[TimelineEntry]:
    """What happened from `date_from` to `date_to` (both partial and inclusive,
    either open): the entries dated in that span, and the ties that ended in it."""
    if date_from is None and date_to is None:
        return list(entries)
    first = date_sort_key(date_from) if date_from else _EARLIEST
    last = date_end_key(date_to) if date_to else _LATEST

    def within(date: str | None) -> bool:
        # a partial date is a span of its own: '2020' meets a range from 2020-06
        return date is not None and date_sort_key(date) <= last and date_end_key(date) >= first

    return [e for e in entries if within(e.date) or within(e.end)]


# -- the "as of" date and date spans (the app's < > @ keys and the timeline's /) --


def year_span(graph: Graph) -> tuple[int, int] | None:
    """The first and last year any tie or actor in the store is dated."""
    if graph.lazy:
        return _sql_year_span(graph)
    years = []
    for tie in graph.ties.values():
        years.extend(int(d[:4]) for d in (tie.start, tie.end) if d and is_partial_date(d))
    for actor in graph.actors.values():
        years.extend(
            int(d[:4]) for d in (actor.born, actor.founded, actor.died, actor.ended) if d and is_partial_date(d)
        )
    return (min(years), max(years)) if years else None


def step_as_of(as_of: str | None, step: int, span: tuple[int, int] | None) -> str | None:
    """One year earlier (step -1) or later (+1).

    No date means "now", after the last dated year: stepping back from it
    starts at that year, and stepping past it returns to no date.
    """
    if span is None:
        return as_of
    first, last = span
    if as_of is None:
        return str(last) if step < 0 else None
    year = int(as_of[:4]) + step
    if year > last:
        return None
    return str(max(year, first))


_SPAN_SEPARATORS = re.compile(r"\s*(?:–|—|\bto\b|\s)\s*")


def parse_span(text: str) -> tuple[str | None, str | None]:
    """'2020' → (2020, 2020); '2018..2020', '2018 to 2020', '2018-2020' → a range;
    '2020..' and '..2020' leave an end open; '' → (None, None).
    Raises ValueError naming what is not a date."""
    text = text.strip()
    if not text:
        return None, None
    years = re.fullmatch(r"([0-9]{4})-([0-9]{4})", text)
    if years:
        parts: list[str | None] = list(years.groups())
    elif ".." in text:
        parts = [part.strip() or None for part in text.split("..", 1)]
    else:
        parts = [part for part in _SPAN_SEPARATORS.split(text) if part]
        parts = parts * 2 if len(parts) == 1 else parts
    if len(parts) != 2 or parts == [None, None]:
        raise ValueError(f"{text!r} is not a date or a span of two dates")
    for part in parts:
        if part is not None and not is_partial_date(part):
            raise ValueError(f"{part!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    first, last = parts
    if first and last and date_sort_key(first) > date_end_key(last):
        raise ValueError(f"{first} is after {last}")
    return first, last


# -- corroboration and contested claims ----------------------------------------------

# Statuses that assert a tie; `disputed` mentions it only to reject it.
AFFIRMING = frozenset({"reported", "alleged", "claimed"})

# How a claim reads in a sentence ("that ISKP is hostile to Taliban") where the
# tie type's own wording ("hostile to") is no verb.
_CLAIM_VERBS = {
    "member_of": "is a member of",
    "faction_of": "is a faction of",
    "located_in": "is located in",
    "family": "is family of",
    "allied_with": "is allied with",
    "affiliated_with": "is affiliated with",
    "hostile_to": "is hostile to",
}
DOCUMENTS_NAMED = 3  # an explanation names this many documents per side, then "and N more"
TITLE_CHARS = 40  # a document's title in an explanation is cut to about this many characters
# (singular, plural) of the verbs an explanation puts after its documents
_SAY = ("says", "say")
_DISPUTE = ("disputes", "dispute")
_REPORT = ("reports", "report")
_ALLEGE = ("only alleges", "only allege")


def _same_claim_key(tie: Tie) -> tuple[str, str, str]:
    if tie.directed:
        return (tie.type, tie.source, tie.target)
    low, high = sorted((tie.source, tie.target))
    return (tie.type, low, high)


def _documents(tie: Tie) -> list[str]:
    return list(dict.fromkeys(c.source for c in tie.citations))


def _status_contest(x: str, y: str) -> str | None:
    """The rule two statuses of one claim break, or None when they agree."""
    if (x == "disputed") != (y == "disputed"):
        return RULE_DISPUTED
    if {x, y} == {"reported", "alleged"}:
        return RULE_REPORTED_VS_ALLEGED
    return None


def _stances(ties: list[Tie]) -> dict[str, str]:
    """Each document's status for one claim: the firmest it gives (reported over
    alleged over claimed), and `disputed` only when it asserts the claim nowhere."""
    stances: dict[str, str] = {}
    for tie in ties:
        for doc in _documents(tie):
            current = stances.get(doc)
            if current is None or _status_rank(tie.status) < _status_rank(current):
                stances[doc] = tie.status
    return stances


_STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}


def _status_rank(status: str) -> int:
    return _STATUS_RANK.get(status, len(STATUSES))


# The last graph index `_claims` grouped, and its groups. Holding the index
# itself keeps its identity from being reused; a reindex (after any edit)
# builds new indexes, so the groups are rebuilt when the store changes.
_claims_cache: dict[str, tuple[object, dict[tuple[str, str, str], list[Tie]]]] = {}


def _claims(graph: Graph) -> dict[tuple[str, str, str], list[Tie]]:
    """Ties grouped by claim (type and ends, direction-aware), once per store version."""
    cached = _claims_cache.get("last")
    if cached is not None and cached[0] is graph.adjacency:
        return cached[1]
    groups = _group_claims(graph.ties.values())
    _claims_cache["last"] = (graph.adjacency, groups)
    return groups


def _group_claims(ties) -> dict[tuple[str, str, str], list[Tie]]:
    groups: dict[tuple[str, str, str], list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.source != tie.target:
            groups[_same_claim_key(tie)].append(tie)
    return groups


def _same_claim(graph: Graph, tie: Tie) -> list[Tie]:
    """The ties that make the same claim as `tie` (itself included)."""
    if not graph.lazy:
        return _claims(graph).get(_same_claim_key(tie), [tie])
    if tie.source == tie.target:
        return [tie]
    sql = "SELECT id FROM ties WHERE source = ?1 AND type = ?3 AND target = ?2"
    if not tie.directed:
        sql += " UNION SELECT id FROM ties WHERE source = ?2 AND type = ?3 AND target = ?1"
    ids = [r[0] for r in graph.data.backend.query(sql, (tie.source, tie.target, tie.type))]
    return list(graph.ties.get_many(ids).values()) or [tie]


# -- a SQLite store: the few ties a rule can concern, found by queries ---------------

_UNDIRECTED_TYPES = frozenset(t for t, spec in TIE_TYPES.items() if not spec.directed)
_AFFIRMING_SQL = "('reported', 'alleged', 'claimed')"
_COOPERATIVE_SQL = "(" + ", ".join(f"'{t}'" for t in sorted(COOPERATIVE_TYPES)) + ")"
# Ties of claims given two statuses, their ids joined by a unit separator per claim.
_CONTESTED_CLAIMS_SQL = (
    "SELECT group_concat(id, char(31)) FROM (SELECT id, status, type,"
    " CASE WHEN type IN ({undirected}) THEN min(source, target) ELSE source END AS a,"
    " CASE WHEN type IN ({undirected}) THEN max(source, target) ELSE target END AS b"
    " FROM ties WHERE source != target) GROUP BY type, a, b HAVING count(DISTINCT status) > 1"
)
# Cooperative and hostile ties between the same two actors (either way round).
_COOPERATION_VS_HOSTILITY_SQL = (
    f"SELECT group_concat(id, char(31)) FROM ties WHERE source != target AND status IN {_AFFIRMING_SQL}"
    f" AND (type = 'hostile_to' OR type IN {_COOPERATIVE_SQL}) GROUP BY min(source, target), max(source, target)"
    " HAVING max(type = 'hostile_to') = 1 AND min(type = 'hostile_to') = 0"
)
# `leads` ties of the groups two actors are said to lead.
_RIVAL_LEADS_SQL = (
    f"SELECT group_concat(id, char(31)) FROM ties WHERE type = 'leads' AND source != target"
    f" AND status IN {_AFFIRMING_SQL} GROUP BY target HAVING count(DISTINCT source) > 1"
)


def _scan(graph: Graph, sql: str, params: list[str] = ()) -> list[tuple]:
    """A query that reads much of a SQLite store (seconds at millions of ties), on
    a read-only connection of its own: the app's shared one stays free for what
    the screen asks meanwhile."""
    import sqlite3

    from .sqlstore import BUSY_TIMEOUT_MS

    uri = graph.data.path.absolute().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return conn.execute(sql, tuple(params)).fetchall()
    finally:
        conn.close()


def _sql_batches(graph: Graph, sql: str, undirected: list[str] | None = None, groups: int = 500) -> Iterator[list[Tie]]:
    """The ties whose ids `sql` returns, a row per group (a claim, a pair, a
    group's leaders; ids joined by char(31)), read `groups` rows at a time: a
    rule sees every tie of a group at once, and never every candidate of a
    store of millions of ties."""
    if undirected is not None:
        sql = sql.format(undirected=", ".join(f"?{i}" for i in range(1, len(undirected) + 1)))
    rows = _scan(graph, sql, undirected or [])
    for start in range(0, len(rows), groups):
        ids = dict.fromkeys(i for (joined,) in rows[start : start + groups] for i in joined.split("\x1f"))
        yield list(graph.ties.get_many(ids).values())


def _sql_year_span(graph: Graph) -> tuple[int, int] | None:
    dated = "GLOB '[0-9][0-9][0-9][0-9]*'"
    parts = [
        f"SELECT min(substr({c}, 1, 4)), max(substr({c}, 1, 4)) FROM ties WHERE {c} {dated}"
        for c in ("start_date", "end_date")
    ]
    for field_name in ("born", "founded", "died", "ended"):
        value = f"json_extract(body, '$.{field_name}')"
        parts.append(f"SELECT min(substr({value}, 1, 4)), max(substr({value}, 1, 4)) FROM actors WHERE {value} {dated}")
    years = [int(y) for row in _scan(graph, " UNION ALL ".join(parts)) for y in row if y]
    return (min(years), max(years)) if years else None


def corroboration(graph: Graph, tie: Tie) -> list[str]:
    """The documents that say what `tie` says, its own included, sorted.

    Another document agrees when it gives a tie of the same type between the
    same ends (direction-aware) a status that does not contest this one: a
    report and a claim agree; a report and an allegation, or a statement and a
    dispute, do not (those are contested claims).
    """
    agreeing = set(_documents(tie))
    for doc, stance in _stances(_same_claim(graph, tie)).items():
        if _status_contest(stance, tie.status) is None:
            agreeing.add(doc)
    return sorted(agreeing)


@dataclass(slots=True)
class Side:
    """One account in a contested claim: what it says, its ties, the documents that say it."""

    title: str
    tie_ids: list[str]
    documents: list[str]


@dataclass(slots=True)
class Finding:
    """Two documents (at least) that disagree about two actors.

    For rival leaders `a` and `b` are the two leaders and `group` the group
    they both lead; otherwise `a` and `b` are the two ends of the ties (source
    then target for a directed tie type, else by id) and `group` is None.
    `explanation` says in one line which documents say what.
    """

    rule: str  # one of RULES
    reason: str  # a few words: "cooperation vs hostility", "rival leaders of X", "reported vs alleged (supports)"
    a: str
    b: str
    sides: tuple[Side, Side]
    explanation: str
    group: str | None = None

    @property
    def tie_ids(self) -> list[str]:
        return [*self.sides[0].tie_ids, *self.sides[1].tie_ids]

    @property
    def actor_ids(self) -> list[str]:
        return [x for x in (self.a, self.b, self.group) if x is not None]

    def involves(self, actor_id: str) -> bool:
        return actor_id in self.actor_ids


def _name(graph: Graph, actor_id: str) -> str:
    actor = graph.actors.get(actor_id)
    return actor.name if actor else actor_id


def document_label(graph: Graph, doc_id: str) -> str:
    """'002 (Taliban far closer to Islamic State…)': the id's number, when it
    has one, and the title cut short."""
    prefix, _, rest = doc_id.partition("_")
    short = prefix if rest and prefix.isdigit() else doc_id
    source = graph.data.sources.get(doc_id)
    if source is None or not source.title or source.title == doc_id:
        return short
    title = source.title
    if len(title) > TITLE_CHARS:
        # at a word boundary when there is one: "Taliban far closer to Islamic State…"
        cut = title[:TITLE_CHARS].rsplit(" ", 1)[0] if " " in title[:TITLE_CHARS] else title[:TITLE_CHARS]
        title = cut.rstrip(" ,;:—-") + "…"
    return f"{short} ({title})"


def _documents_say(graph: Graph, docs: list[str], verbs: tuple[str, str], first: bool = False) -> str:
    """'Documents 000 (…) and 004 (…) say' / '003 (…) says': `verbs` is (singular, plural)."""
    labels = [document_label(graph, d) for d in docs[:DOCUMENTS_NAMED]]
    if len(docs) > DOCUMENTS_NAMED:
        labels.append(f"{len(docs) - DOCUMENTS_NAMED} more")
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    noun = ("Document " if len(docs) == 1 else "Documents ") if first else ""
    return f"{noun}{listed} {verbs[0] if len(docs) == 1 else verbs[1]}"


def _claim(graph: Graph, tie_type: str, a: str, b: str) -> str:
    spec = TIE_TYPES.get(tie_type)
    verb = _CLAIM_VERBS.get(tie_type) or (spec.forward if spec else tie_type)
    return f"{_name(graph, a)} {verb} {_name(graph, b)}"


def _tie_order(tie: Tie) -> tuple[int, str]:
    return _status_rank(tie.status), tie.id


def _span(tie: Tie, open_end: str | None = None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(latest possible start, earliest possible end) of a tie; `open_end` bounds an undated end.

    The narrow reading of partial dates means a change within one month
    ('until 2016-05-21' then 'from 2016-05') is no overlap, while an undated
    tie overlaps everything.
    """
    start = _date(tie.start)
    end = _date(tie.end) or _date(open_end)
    return (date_end_key(start) if start else _EARLIEST, date_sort_key(end) if end else _LATEST)


def _overlap(x: tuple, y: tuple) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _clash(first: list[Tie], second: list[Tie], overlap) -> tuple[list[Tie], list[str], list[Tie], list[str]] | None:
    """The ties and documents of each side that clash with the other side.

    Two ties clash when `overlap` says so and a document of one is not a
    document of the other: one document's two statements never make a contest.
    """
    ties_1: dict[str, Tie] = {}
    ties_2: dict[str, Tie] = {}
    docs_1: set[str] = set()
    docs_2: set[str] = set()
    for x in first:
        x_docs = _documents(x)
        for y in second:
            if not overlap(x, y):
                continue
            y_docs = _documents(y)
            found = False
            for dx in x_docs:
                for dy in y_docs:
                    if dx != dy:
                        docs_1.add(dx)
                        docs_2.add(dy)
                        found = True
            if found:
                ties_1[x.id] = x
                ties_2[y.id] = y
    if not ties_1:
        return None
    return list(ties_1.values()), sorted(docs_1), list(ties_2.values()), sorted(docs_2)


def _cooperation_vs_hostility(graph: Graph, ties: Iterable[Tie] | None = None) -> list[Finding]:
    if ties is None:
        if graph.lazy:
            batches = _sql_batches(graph, _COOPERATION_VS_HOSTILITY_SQL)
            return [f for batch in batches for f in _cooperation_vs_hostility(graph, batch)]
        ties = graph.ties.values()
    cooperative: dict[tuple[str, str], list[Tie]] = defaultdict(list)
    hostile: dict[tuple[str, str], list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.source == tie.target or tie.status not in AFFIRMING:
            continue
        pair = tuple(sorted((tie.source, tie.target)))
        if tie.type in COOPERATIVE_TYPES:
            cooperative[pair].append(tie)  # type: ignore[index]
        elif tie.type == "hostile_to":
            hostile[pair].append(tie)  # type: ignore[index]
    findings = []
    for pair in sorted(cooperative.keys() & hostile.keys()):
        clash = _clash(cooperative[pair], hostile[pair], lambda x, y: _overlap(_span(x), _span(y)))
        if clash is None:
            continue  # one ended before the other began, or one document says both
        coop_ties, coop_docs, hostile_ties, hostile_docs = clash
        kinds = sorted({t.type for t in coop_ties})
        a, b = pair
        explanation = (
            f"{_documents_say(graph, coop_docs, _SAY, first=True)} {_name(graph, a)} and {_name(graph, b)} cooperate; "
            f"{_documents_say(graph, hostile_docs, _SAY)} they are hostile"
        )
        sides = (
            Side(f"Cooperation ({', '.join(kinds)})", _ids(coop_ties, lambda t: (t.type, *_tie_order(t))), coop_docs),
            Side("Hostility (hostile_to)", _ids(hostile_ties, _tie_order), hostile_docs),
        )
        reason = f"cooperation vs hostility: {', '.join(kinds)} beside hostile_to"
        findings.append(Finding(RULE_COOPERATION_VS_HOSTILITY, reason, a, b, sides, explanation))
    return findings


def _ids(ties: list[Tie], key) -> list[str]:
    return [t.id for t in sorted(ties, key=key)]


def _is_dated(graph: Graph, tie: Tie) -> bool:
    return _leads_span(graph, tie) != (_EARLIEST, _LATEST)


def _leads_span(graph: Graph, tie: Tie) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A `leads` tie's span: a leader who died or ended bounds an open-ended tie."""
    leader = graph.actors.get(tie.source)
    span = _span(tie, leader.end if leader else None)
    if not tie.start and not tie.end:
        # "X heads Y" in an undated sentence says he heads it when the document
        # was written, no more: a leadership that had ended by then is his
        # predecessor's, not a rival claim (the founder who died in 2018 and
        # the son a 2021 article calls the head).
        sources = graph.data.sources
        published = [
            sources[c.source].published
            for c in tie.citations
            if c.source in sources and sources[c.source].published and is_partial_date(sources[c.source].published)
        ]
        if published:
            span = (date_sort_key(min(published, key=date_sort_key)), span[1])
    return span


def _predecessors(graph: Graph, actor_id: str) -> set[str]:
    """Everyone `actor_id` succeeded, directly or down a chain of `succeeded` ties."""
    seen: set[str] = set()
    stack = [actor_id]
    while stack:
        current = stack.pop()
        if graph.lazy:
            succeeded = [
                r[0]
                for r in graph.data.backend.query(
                    "SELECT target FROM ties WHERE source = ? AND type = 'succeeded'", (current,)
                )
            ]
        else:
            succeeded = [t.target for t in graph.ties_of(current) if t.type == "succeeded" and t.source == current]
        for target in succeeded:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    seen.discard(actor_id)
    return seen


def _rival_leaders(graph: Graph, leads: Iterable[Tie] | None = None) -> list[Finding]:
    if leads is None:
        if graph.lazy:
            return [f for batch in _sql_batches(graph, _RIVAL_LEADS_SQL) for f in _rival_leaders(graph, batch)]
        leads = (graph.ties[tie_id] for tie_id in graph.by_type.get("leads", ()))
    by_group: dict[str, dict[str, list[Tie]]] = defaultdict(lambda: defaultdict(list))
    for tie in leads:
        if tie.source == tie.target or tie.status not in AFFIRMING or (tie.role and _DEPUTY_ROLE.search(tie.role)):
            continue
        by_group[tie.target][tie.source].append(tie)
    findings = []
    for group, leaders in by_group.items():
        if len(leaders) < 2:
            continue
        for leader, ties in leaders.items():
            # Another document's dates for the same leadership say more than an undated mention.
            dated = [t for t in ties if _is_dated(graph, t)]
            if dated:
                leaders[leader] = dated
        predecessors = {leader: _predecessors(graph, leader) for leader in leaders}
        ordered = sorted(leaders)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                # A successor and a predecessor took turns, whatever the (missing) dates suggest.
                if second in predecessors[first] or first in predecessors[second]:
                    continue
                clash = _clash(
                    leaders[first], leaders[second], lambda x, y: _overlap(_leads_span(graph, x), _leads_span(graph, y))
                )
                if clash is None:
                    continue
                ties_1, docs_1, ties_2, docs_2 = clash
                group_name = _name(graph, group)
                explanation = (
                    f"{_documents_say(graph, docs_1, _SAY, first=True)} {_name(graph, first)} leads {group_name}; "
                    f"{_documents_say(graph, docs_2, _SAY)} {_name(graph, second)} does"
                )
                sides = (
                    Side(f"{_name(graph, first)} leads {group_name}", _ids(ties_1, _tie_order), docs_1),
                    Side(f"{_name(graph, second)} leads {group_name}", _ids(ties_2, _tie_order), docs_2),
                )
                findings.append(
                    Finding(
                        RULE_RIVAL_LEADERS, f"rival leaders of {group_name}", first, second, sides, explanation, group
                    )
                )
    return findings


def _status_contests(graph: Graph, claims: dict[tuple[str, str, str], list[Tie]] | None = None) -> list[Finding]:
    if claims is None:
        if graph.lazy:
            # Only the claims given two statuses, what these rules look at.
            batches = _sql_batches(graph, _CONTESTED_CLAIMS_SQL, sorted(_UNDIRECTED_TYPES))
            return [f for batch in batches for f in _status_contests(graph, _group_claims(batch))]
        claims = _claims(graph)
    findings = []
    for (tie_type, a, b), ties in claims.items():
        if len(ties) < 2 or len({t.status for t in ties}) < 2:
            continue
        stances = _stances(ties)
        claim = _claim(graph, tie_type, a, b)
        disputing = sorted(d for d, s in stances.items() if s == "disputed")
        stating = sorted(d for d, s in stances.items() if s != "disputed")
        if disputing and stating:
            firm = [t for t in ties if t.status != "disputed"]
            doubt = [t for t in ties if t.status == "disputed" and set(_documents(t)) & set(disputing)]
            explanation = (
                f"{_documents_say(graph, stating, _SAY, first=True)} {claim}; "
                f"{_documents_say(graph, disputing, _DISPUTE)} it"
            )
            sides = (
                Side(f"Stated ({tie_type})", _ids(firm, _tie_order), stating),
                Side(f"Disputed ({tie_type})", _ids(doubt, _tie_order), disputing),
            )
            findings.append(Finding(RULE_DISPUTED, f"stated vs disputed ({tie_type})", a, b, sides, explanation))
        reporting = sorted(d for d, s in stances.items() if s == "reported")
        hedging = sorted(d for d, s in stances.items() if s == "alleged")
        if reporting and hedging:
            reported = [t for t in ties if t.status == "reported"]
            alleged = [t for t in ties if t.status == "alleged" and set(_documents(t)) & set(hedging)]
            explanation = (
                f"{_documents_say(graph, reporting, _REPORT, first=True)} as fact that {claim}; "
                f"{_documents_say(graph, hedging, _ALLEGE)} it"
            )
            sides = (
                Side(f"Reported ({tie_type})", _ids(reported, _tie_order), reporting),
                Side(f"Alleged ({tie_type})", _ids(alleged, _tie_order), hedging),
            )
            findings.append(
                Finding(RULE_REPORTED_VS_ALLEGED, f"reported vs alleged ({tie_type})", a, b, sides, explanation)
            )
    return findings


def contested(graph: Graph, actor_id: str | None = None) -> list[Finding]:
    """Every disagreement between documents, optionally only those involving `actor_id`.

    Four rules; two statements of one document never make a contest, and
    documents that say the same thing corroborate each other (`corroboration`):
    - cooperation vs hostility: a cooperative tie and a `hostile_to` tie
      between the same two actors over overlapping (or undated) spans: one
      that ended before the other began is a change over time;
    - rival leaders: two actors `leads` the same group over spans that overlap
      as far as the dates are known (not deputies, not one succeeding the
      other; a leader's dated ties, when there are any, stand for its undated
      ones; a leader's death ends an open-ended tie);
    - disputed: one document states a tie (same type and ends,
      direction-aware) that another mentions only to dispute it;
    - reported vs alleged: one document reports as fact what another only
      alleges.
    """
    findings = [*_cooperation_vs_hostility(graph), *_rival_leaders(graph), *_status_contests(graph)]
    if actor_id is not None:
        findings = [f for f in findings if f.involves(actor_id)]
    findings.sort(
        key=lambda f: (
            RULES.index(f.rule),
            _name(graph, f.group or "").casefold(),
            _name(graph, f.a).casefold(),
            _name(graph, f.b).casefold(),
            f.reason,
        )
    )
    return findings


def contested_tie_ids(graph: Graph) -> set[str]:
    """Ids of every tie that takes part in some contested finding (for a glyph)."""
    return {tie_id for finding in contested(graph) for tie_id in finding.tie_ids}


def visible_sides(graph: Graph, finding: Finding, as_of: str | None) -> tuple[Side, Side] | None:
    """The sides with only the ties active as of the date; None when one side is then empty."""
    sides = finding.sides
    if as_of is None:
        return sides
    kept = []
    for side in sides:
        ties = [graph.ties[t] for t in side.tie_ids]
        ties = [t for t in ties if active_at(t.start, t.end, as_of)]
        if not ties:
            return None
        cited = {c.source for t in ties for c in t.citations}
        kept.append(Side(side.title, [t.id for t in ties], [d for d in side.documents if d in cited]))
    return kept[0], kept[1]
