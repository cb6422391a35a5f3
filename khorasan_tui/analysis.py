"""Analysis views over a graph: the timeline and the contested claims.

Pure functions over `graph.Graph` returning plain dataclasses; the CLI turns
them into JSON or tables and the UI into widgets. Nothing here prints.

Dates are partial ('2020', '2020-03', '2020-03-25'); a malformed date in the
store is treated as no date rather than breaking the whole view (`validate`
reports it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from .graph import Graph, TieFilter
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
RULE_STATUS_MISMATCH = "status_mismatch"
RULES = (RULE_COOPERATION_VS_HOSTILITY, RULE_RIVAL_LEADERS, RULE_STATUS_MISMATCH)

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
    dated = [
        t for t in graph.ties_of(event_id) if t.type in EVENT_DATING_TYPES and _date(t.start)
    ]
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
) -> list[TimelineEntry]:
    """Events and dated ties in date order; each event once, its ties under it.

    With `actor_id`: that actor's dated ties and the events it is tied to (or
    the event itself). With `as_of`: see `as_of_entries`. With `date_from`
    and/or `date_to`: see `entries_between`.
    """
    if actor_id is None:
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
    return entries_between(as_of_entries(entries, as_of), date_from, date_to)


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


# -- contested claims --------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """Two actors whose ties disagree.

    For rival leaders `a` and `b` are the two leaders and `group` the group
    they both lead; otherwise `a` and `b` are the two ends of the ties (source
    then target for a directed tie type, else by id) and `group` is None.
    """

    rule: str  # one of RULES
    reason: str  # a few words: "cooperation vs hostility", "rival leaders of X", "reported vs alleged (supports)"
    a: str
    b: str
    tie_ids: list[str] = field(default_factory=list)
    group: str | None = None

    @property
    def actor_ids(self) -> list[str]:
        return [x for x in (self.a, self.b, self.group) if x is not None]

    def involves(self, actor_id: str) -> bool:
        return actor_id in self.actor_ids


def _name(graph: Graph, actor_id: str) -> str:
    actor = graph.actors.get(actor_id)
    return actor.name if actor else actor_id


def _tie_order(tie: Tie) -> tuple[int, str]:
    status_rank = list(STATUSES).index(tie.status) if tie.status in STATUSES else len(STATUSES)
    return status_rank, tie.id


def _cooperation_vs_hostility(graph: Graph) -> list[Finding]:
    cooperative: dict[tuple[str, str], list[Tie]] = defaultdict(list)
    hostile: dict[tuple[str, str], list[Tie]] = defaultdict(list)
    for tie in graph.ties.values():
        if tie.source == tie.target:
            continue
        pair = tuple(sorted((tie.source, tie.target)))
        if tie.type in COOPERATIVE_TYPES:
            cooperative[pair].append(tie)  # type: ignore[index]
        elif tie.type == "hostile_to":
            hostile[pair].append(tie)  # type: ignore[index]
    findings = []
    for pair in sorted(cooperative.keys() & hostile.keys()):
        kinds = sorted({t.type for t in cooperative[pair]})
        ties = sorted(cooperative[pair], key=lambda t: (t.type, *_tie_order(t))) + sorted(hostile[pair], key=_tie_order)
        findings.append(
            Finding(
                RULE_COOPERATION_VS_HOSTILITY,
                f"cooperation vs hostility: {', '.join(kinds)} beside hostile_to",
                pair[0],
                pair[1],
                [t.id for t in ties],
            )
        )
    return findings


def _leads_span(graph: Graph, tie: Tie) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(latest possible start, earliest possible end) of a `leads` tie.

    Using the narrow reading of partial dates means a handover within one
    month ('until 2016-05-21' then 'from 2016-05') is not flagged, while two
    undated ties always overlap. A leader who died or ended bounds an
    open-ended tie.
    """
    start = _date(tie.start)
    end = _date(tie.end)
    if end is None and tie.source in graph.actors:
        end = _date(graph.actors[tie.source].end)
    return (date_end_key(start) if start else _EARLIEST, date_sort_key(end) if end else _LATEST)


def _overlap(x: tuple, y: tuple) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _is_dated(graph: Graph, tie: Tie) -> bool:
    return _leads_span(graph, tie) != (_EARLIEST, _LATEST)


def _predecessors(graph: Graph, actor_id: str) -> set[str]:
    """Everyone `actor_id` succeeded, directly or down a chain of `succeeded` ties."""
    seen: set[str] = set()
    stack = [actor_id]
    while stack:
        current = stack.pop()
        for tie in graph.ties_of(current):
            if tie.type == "succeeded" and tie.source == current and tie.target not in seen:
                seen.add(tie.target)
                stack.append(tie.target)
    seen.discard(actor_id)
    return seen


def _rival_leaders(graph: Graph) -> list[Finding]:
    by_group: dict[str, dict[str, list[Tie]]] = defaultdict(lambda: defaultdict(list))
    for tie_id in graph.by_type.get("leads", ()):
        tie = graph.ties[tie_id]
        if tie.source == tie.target or (tie.role and _DEPUTY_ROLE.search(tie.role)):
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
                clashing: dict[str, Tie] = {}
                for x in leaders[first]:
                    for y in leaders[second]:
                        if _overlap(_leads_span(graph, x), _leads_span(graph, y)):
                            clashing[x.id] = x
                            clashing[y.id] = y
                if clashing:
                    ties = sorted(clashing.values(), key=lambda t: (t.source != first, *_tie_order(t)))
                    findings.append(
                        Finding(
                            RULE_RIVAL_LEADERS,
                            f"rival leaders of {_name(graph, group)}",
                            first,
                            second,
                            [t.id for t in ties],
                            group,
                        )
                    )
    return findings


def _same_claim_key(tie: Tie) -> tuple[str, str, str]:
    if tie.directed:
        return (tie.type, tie.source, tie.target)
    low, high = sorted((tie.source, tie.target))
    return (tie.type, low, high)


def _statuses_disagree(ties: list[Tie]) -> bool:
    """One document reports what another only alleges or claims, or two
    claimants give it different statuses."""
    per_document: dict[str, set[str]] = defaultdict(set)
    for tie in ties:
        for citation in tie.citations:
            per_document[citation.source].add(tie.status)
    reporting = {doc for doc, statuses in per_document.items() if "reported" in statuses}
    hedging = {doc for doc, statuses in per_document.items() if "reported" not in statuses}
    if reporting and hedging:
        return True
    for i, x in enumerate(ties):
        for y in ties[i + 1 :]:
            if x.claimant != y.claimant and x.status != y.status:
                return True
    return False


def _status_mismatches(graph: Graph) -> list[Finding]:
    same_claim: dict[tuple[str, str, str], list[Tie]] = defaultdict(list)
    for tie in graph.ties.values():
        if tie.source != tie.target:
            same_claim[_same_claim_key(tie)].append(tie)
    findings = []
    for (tie_type, a, b), ties in same_claim.items():
        if len(ties) < 2 or len({t.status for t in ties}) < 2 or not _statuses_disagree(ties):
            continue
        ties = sorted(ties, key=_tie_order)
        statuses = [s for s in STATUSES if any(t.status == s for t in ties)]
        statuses += sorted({t.status for t in ties} - set(statuses))
        findings.append(
            Finding(RULE_STATUS_MISMATCH, f"{' vs '.join(statuses)} ({tie_type})", a, b, [t.id for t in ties])
        )
    return findings


def contested(graph: Graph, actor_id: str | None = None) -> list[Finding]:
    """Every pair of actors whose ties disagree, optionally only those involving `actor_id`.

    Three rules, one finding per pair and rule (per group for rival leaders,
    per tie type for status mismatches):
    - cooperation vs hostility: a cooperative tie beside a `hostile_to` tie;
    - rival leaders: two actors `leads` the same group over overlapping or
      undated spans (not deputies, not one succeeding the other; a leader's
      dated ties, when there are any, stand for its undated ones);
    - status mismatch: the same tie (type and ends, direction-aware) reported
      by one document and only alleged or claimed by another, or given
      different statuses by different claimants.
    """
    findings = [*_cooperation_vs_hostility(graph), *_rival_leaders(graph), *_status_mismatches(graph)]
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
