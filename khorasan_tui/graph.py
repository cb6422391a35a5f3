"""In-memory indexes and queries over a loaded store.

Built once from `StoreData`; every lookup after that is a dict access. The UI
and the CLI both ask questions here and never walk the raw tables.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .model import (
    STATUSES,
    Actor,
    Tie,
    date_end_key,
    date_sort_key,
    is_partial_date,
    normalize_key,
)
from .storedata import StoreData, gc_paused

FUZZY_ACCEPT = 88.0  # a fuzzy match this good resolves a name on its own...
FUZZY_MARGIN = 4.0  # ...when the runner-up actor scores at least this much lower
FUZZY_SUGGEST = 60.0
DUPLICATE_SCORE = 85.0  # a new name this close to an existing one is a possible duplicate
# WRatio scores a short name found anywhere inside the query at 90, so "AQ"
# would rival "Haqqani Network" for the typo "Haqani Netwark". Names this
# short are abbreviations: fuzzy-match them only against queries as short.
SHORT_NAME = 4
MAX_PATHS = 200


class ResolveError(LookupError):
    def __init__(self, query: str, candidates: list[Actor]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(query)


class NotFound(ResolveError):
    """No actor fits; `candidates` are the closest names, best first."""


class Ambiguous(ResolveError):
    """Several actors fit equally well; `candidates` lists them."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    actor_id: str
    score: float
    matched: str  # the name or alias that matched (or "summary")


@dataclass(slots=True)
class TieFilter:
    types: frozenset[str] | None = None
    exclude_types: frozenset[str] = frozenset()
    statuses: frozenset[str] | None = None
    document: str | None = None
    as_of: str | None = None
    # Worked out once, not per tie: queries run a filter over thousands of ties.
    accepts_all: bool = field(init=False, default=True)
    _as_of_span: tuple[tuple[int, int, int], tuple[int, int, int]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.accepts_all = (
            self.types is None
            and not self.exclude_types
            and self.statuses is None
            and self.document is None
            and self.as_of is None
        )
        if self.as_of is not None:
            self._as_of_span = (date_sort_key(self.as_of), date_end_key(self.as_of))

    def accepts(self, tie: Tie) -> bool:
        if self.types is not None and tie.type not in self.types:
            return False
        if tie.type in self.exclude_types:
            return False
        if self.statuses is not None and tie.status not in self.statuses:
            return False
        if self.document is not None and all(c.source != self.document for c in tie.citations):
            return False
        return self.active(tie.start, tie.end)

    def active(self, start: str | None, end: str | None) -> bool:
        """Whether something dated start..end stands on this filter's as-of date."""
        return self._as_of_span is None or _active(start, end, *self._as_of_span)

    @classmethod
    def of(
        cls,
        types: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        document: str | None = None,
        as_of: str | None = None,
        exclude_types: Iterable[str] = (),
    ) -> TieFilter:
        return cls(
            types=frozenset(types) if types else None,
            exclude_types=frozenset(exclude_types),
            statuses=frozenset(statuses) if statuses else None,
            document=document,
            as_of=as_of,
        )


ALL_TIES = TieFilter()
# What a path may walk when no status is asked for: a tie a document mentions
# only to reject it joins nothing.
PATH_STATUSES = frozenset(s for s in STATUSES if s != "disputed")


def path_filter(tie_filter: TieFilter) -> TieFilter:
    """`tie_filter` as paths apply it: without a status filter, no disputed ties."""
    if tie_filter.statuses is not None:
        return tie_filter
    return dataclasses.replace(tie_filter, statuses=PATH_STATUSES)


def _hop_tie_order(tie: Tie) -> tuple[int, str, str]:
    status_rank = list(STATUSES).index(tie.status) if tie.status in STATUSES else len(STATUSES)
    return status_rank, tie.type, tie.id


@dataclass(frozen=True, slots=True)
class Route:
    """A chain of actors from one end to the other, and for each step the
    ties (one or more, parallel) that join its two actors."""

    actors: tuple[str, ...]
    hops: tuple[tuple[Tie, ...], ...]

    @property
    def tie_count(self) -> int:
        return sum(len(ties) for ties in self.hops)

    @property
    def weak_hops(self) -> int:
        """Steps that no document reports as fact (only alleged, claimed...)."""
        return sum(all(t.status != "reported" for t in ties) for ties in self.hops)

    @property
    def combinations(self) -> int:
        return math.prod(len(ties) for ties in self.hops)


def active_at(start: str | None, end: str | None, as_of: str) -> bool:
    """Whether something dated start..end had begun and not yet ended on `as_of`.

    Partial dates are generous: a tie that starts in '2020' is active as of
    '2020-01-01', and one that ends in '2020' is still active then.
    """
    return _active(start, end, date_sort_key(as_of), date_end_key(as_of))


def _active(start: str | None, end: str | None, as_of_first: tuple, as_of_last: tuple) -> bool:
    # A malformed date (validate reports it) must not crash a query: ignore it.
    if start and is_partial_date(start) and date_sort_key(start) > as_of_last:
        return False
    if end and is_partial_date(end) and date_end_key(end) < as_of_first:
        return False
    return True


@dataclass
class Graph:
    data: StoreData
    actors: dict[str, Actor] = field(init=False)
    ties: dict[str, Tie] = field(init=False)
    merged: dict[str, str] = field(init=False)
    adjacency: dict[str, list[str]] = field(init=False)
    # Whether the store is read as it is used (SQLite): the app then asks for
    # what it shows (a page of the ranked list, one actor's ties) and never
    # walks every record.
    lazy = False

    def __new__(cls, data: StoreData | None = None, *args, **kwargs):
        # A SQLite store gets the graph that queries it rather than indexing it all.
        if cls is Graph and getattr(data, "backend", None) is not None:
            cls = SqlGraph
        return object.__new__(cls)

    def __post_init__(self) -> None:
        self.actors = self.data.actors
        self.ties = self.data.ties
        self.reindex()

    # -- indexes ---------------------------------------------------------------
    def reindex(self) -> None:
        # Runs once per load over every actor and tie (600k items in a big
        # store): plain loops with local names, and the cyclic collector paused.
        with gc_paused():
            self._build_indexes()

    def _build_indexes(self) -> None:
        # What the first paint needs (ties by actor, merged ids) is built here;
        # the name, type and document indexes on first use (seconds on a big
        # store that opening it need not wait for).
        self._deferred: dict[str, dict[str, list[str]]] = {}
        merged: dict[str, str] = {}
        for actor in self.actors.values():
            if actor.merged_ids:
                for old in actor.merged_ids:
                    merged[old] = actor.id
        adjacency: dict[str, list[str]] = defaultdict(list)
        for tie in self.ties.values():
            tie_id, source, target = tie.id, tie.source, tie.target
            adjacency[source].append(tie_id)
            if target != source:
                adjacency[target].append(tie_id)
        # Ids of actors merged into others: links and scripts that use them still work.
        self.merged = merged
        self.adjacency = dict(adjacency)
        self._search_rows: list[tuple[str, str, str]] | None = None
        self._folded_summaries: list[tuple[str, str]] | None = None
        # Per-actor documents and type counts: a hub's detail pane would walk
        # thousands of ties on every visit. Cleared whenever the indexes change.
        self._documents_cache: dict[str, list[str]] = {}
        self._counts_cache: dict[str, dict[str, int]] = {}

    _DEFERRED = ("alias_index", "by_type", "by_document")

    def _deferred_index(self, name: str) -> dict[str, list[str]]:
        deferred = self._deferred
        index = deferred.get(name)
        if index is None:
            with gc_paused():
                index = getattr(self, f"_build_{name}")()
            # Into the dict of the indexes it was built from: a reindex meanwhile
            # (an edit in another thread) starts a new one, and this stale index
            # is never used again.
            deferred[name] = index
        return index

    def build_deferred(self) -> None:
        """Build the indexes left for first use now (from a worker, after the first paint)."""
        for name in self._DEFERRED:
            self._deferred_index(name)

    @property
    def alias_index(self) -> dict[str, list[str]]:
        """Folded name or alias -> the ids of the actors it names."""
        return self._deferred_index("alias_index")

    @property
    def by_type(self) -> dict[str, list[str]]:
        return self._deferred_index("by_type")

    @property
    def by_document(self) -> dict[str, list[str]]:
        """Document id -> the ties that cite it."""
        return self._deferred_index("by_document")

    def _build_alias_index(self) -> dict[str, list[str]]:
        alias_index: dict[str, list[str]] = defaultdict(list)
        for actor in self.actors.values():
            actor_id = actor.id
            for name in (actor.name, *actor.aliases):
                key = normalize_key(name)
                if key and actor_id not in alias_index[key]:
                    alias_index[key].append(actor_id)
        return dict(alias_index)

    def _build_by_type(self) -> dict[str, list[str]]:
        by_type: dict[str, list[str]] = defaultdict(list)
        for tie in self.ties.values():
            by_type[tie.type].append(tie.id)
        return dict(by_type)

    def _build_by_document(self) -> dict[str, list[str]]:
        by_document: dict[str, list[str]] = defaultdict(list)
        for tie in self.ties.values():
            citations = tie.citations
            if len(citations) == 1:
                by_document[citations[0].source].append(tie.id)
            else:
                for doc in dict.fromkeys(c.source for c in citations):
                    by_document[doc].append(tie.id)
        return dict(by_document)

    # -- lookups ---------------------------------------------------------------
    def degree(self, actor_id: str) -> int:
        return len(self.adjacency.get(actor_id, ()))

    def ties_of(self, actor_id: str, tie_filter: TieFilter = ALL_TIES) -> list[Tie]:
        ties = [self.ties[t] for t in self.adjacency.get(actor_id, ())]
        if tie_filter.accepts_all:
            return ties
        return [t for t in ties if tie_filter.accepts(t)]

    def neighbours(self, actor_id: str, tie_filter: TieFilter = ALL_TIES) -> list[str]:
        seen: dict[str, None] = {}
        for tie in self.ties_of(actor_id, tie_filter):
            seen.setdefault(tie.other(actor_id), None)
        seen.pop(actor_id, None)
        return list(seen)

    def ties_between(self, a: str, b: str, tie_filter: TieFilter = ALL_TIES) -> list[Tie]:
        return [t for t in self.ties_of(a, tie_filter) if t.other(a) == b or (a == b and t.source == t.target)]

    def documents_of(self, actor_id: str) -> list[str]:
        """Documents that mention an actor: its own citations and its ties'."""
        cached = self._documents_cache.get(actor_id)
        if cached is not None:
            return list(cached)
        docs: dict[str, None] = {}
        for c in self.actors[actor_id].citations:
            docs.setdefault(c.source, None)
        for tie in self.ties_of(actor_id):
            for c in tie.citations:
                docs.setdefault(c.source, None)
        self._documents_cache[actor_id] = sorted(docs)
        return list(self._documents_cache[actor_id])

    def type_counts(self, actor_id: str, tie_filter: TieFilter = ALL_TIES) -> dict[str, int]:
        unfiltered = tie_filter.accepts_all
        if unfiltered and actor_id in self._counts_cache:
            return dict(self._counts_cache[actor_id])
        counts: dict[str, int] = defaultdict(int)
        for tie in self.ties_of(actor_id, tie_filter):
            counts[tie.type] += 1
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        if unfiltered:
            self._counts_cache[actor_id] = dict(ordered)
        return ordered

    def most_connected(self, n: int = 10) -> list[tuple[str, int]]:
        # nsmallest keeps sorted()'s order at a fraction of the cost when n is small.
        ranked = heapq.nsmallest(n, self.actors, key=lambda a: (-self.degree(a), a))
        return [(a, self.degree(a)) for a in ranked]

    # -- names -----------------------------------------------------------------
    def _rows(self) -> list[tuple[str, str, str]]:
        """(normalised name, display name, actor id) for every name and alias."""
        if self._search_rows is None:
            self._search_rows = [
                (normalize_key(name), name, actor.id) for actor in self.actors.values() for name in actor.names
            ]
        return self._search_rows

    def resolve(self, query: str) -> Actor:
        """A user's name for an actor: id, then alias, then a clear fuzzy match.

        Raises `Ambiguous` when several actors fit equally, `NotFound` otherwise.
        """
        query = query.strip()
        if query in self.actors:
            return self.actors[query]
        merged = self.merged.get(query)
        if merged:
            return self.actors[merged]
        key = normalize_key(query)
        if not key:
            raise NotFound(query, [])
        exact = self.alias_index.get(key, [])
        if len(exact) == 1:
            return self.actors[exact[0]]
        if len(exact) > 1:
            raise Ambiguous(query, [self.actors[a] for a in exact])
        contained = self._contained_ids(key)
        if len(contained) == 1 and len(key) >= 3:
            return self.actors[contained[0]]
        if len(contained) > 1:
            raise Ambiguous(query, [self.actors[a] for a in contained])
        ranked = self._fuzzy(key)
        if ranked:
            best_id, best = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            if best >= FUZZY_ACCEPT and best - runner_up >= FUZZY_MARGIN:
                return self.actors[best_id]
            if best >= FUZZY_ACCEPT:
                close = [self.actors[a] for a, s in ranked if best - s < FUZZY_MARGIN]
                raise Ambiguous(query, close)
        raise NotFound(query, [self.actors[a] for a, s in ranked[:5] if s >= FUZZY_SUGGEST])

    def _contained_ids(self, key: str) -> list[str]:
        """Every actor with a folded name holding `key`, in file order."""
        return list(dict.fromkeys(aid for norm, _, aid in self._rows() if key in norm))

    def near_names(self, name: str, exclude: str | None = None, limit: int = 3) -> list[tuple[Actor, float]]:
        """Actors with a name or alias close to `name` (a possible duplicate of a
        new actor), best first: the same test the importers apply."""
        from rapidfuzz import fuzz, process

        key = normalize_key(name)
        if len(key) < 4:
            return []
        rows = self._near_rows(key)
        found = process.extract(key, [r[0] for r in rows], scorer=fuzz.ratio, score_cutoff=DUPLICATE_SCORE, limit=20)
        best: dict[str, float] = {}
        for _, score, index in found:
            actor_id = rows[index][2]
            if actor_id != exclude and score > best.get(actor_id, -1):
                best[actor_id] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(self.actors[a], round(float(score), 1)) for a, score in ranked]

    def _near_rows(self, key: str) -> list[tuple[str, str, str]]:
        """The names `near_names` compares `key` with (a SQLite store: those sharing a trigram)."""
        return self._rows()

    def _fuzzy_rows(self, key: str) -> list[tuple[str, str, str]]:
        return [row for row in self._rows() if len(row[0]) >= SHORT_NAME or len(key) <= len(row[0]) + 1]

    def _fuzzy_matches(self, key: str, limit: int, cutoff: float = 0) -> list[tuple[float, tuple[str, str, str]]]:
        """(score, row) for the names closest to `key` (rapidfuzz WRatio)."""
        from rapidfuzz import fuzz, process

        rows = self._fuzzy_rows(key)
        found = process.extract(key, [r[0] for r in rows], scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
        return [(score, rows[index]) for _, score, index in found]

    def _fuzzy(self, key: str) -> list[tuple[str, float]]:
        """Best fuzzy score per actor over all its names, best first."""
        best: dict[str, float] = {}
        for score, (_, _, aid) in self._fuzzy_matches(key, limit=50):
            if score > best.get(aid, -1):
                best[aid] = score
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))

    def _summaries(self) -> list[tuple[str, str]]:
        """(actor id, casefolded summary), folded once rather than per keystroke."""
        if self._folded_summaries is None:
            self._folded_summaries = [(a.id, a.summary.casefold()) for a in self.actors.values() if a.summary]
        return self._folded_summaries

    def search(self, text: str, kind: str | None = None, limit: int = 50, fuzzy: bool = True) -> list[SearchHit]:
        """Actors whose name, alias or summary matches `text`, best first.

        Exact name beats prefix beats substring beats summary; fuzzy matching
        only fills in when the cheap matches found little (typos).
        """
        key = normalize_key(text)
        if not key:
            hits = [SearchHit(a.id, 0.0, a.name) for a in self.actors.values() if kind in (None, a.kind)]
            return hits[:limit]
        best: dict[str, SearchHit] = {}

        def offer(aid: str, score: float, matched: str) -> None:
            if kind is not None and self.actors[aid].kind != kind:
                return
            current = best.get(aid)
            if current is None or score > current.score:
                best[aid] = SearchHit(aid, score, matched)

        for norm, name, aid in self._rows():
            if norm == key:
                offer(aid, 100.0, name)
            elif norm.startswith(key):
                offer(aid, 95.0 - min(len(norm) - len(key), 20) * 0.1, name)
            elif key in norm:
                offer(aid, 85.0 - min(len(norm) - len(key), 20) * 0.1, name)
        folded = text.casefold().strip()
        if len(folded) >= 3:
            for aid, summary in self._summaries():
                if aid not in best and folded in summary:
                    offer(aid, 60.0, "summary")
        if fuzzy and len(best) < 5 and len(key) >= 3:
            for score, (_, name, aid) in self._fuzzy_matches(key, limit=20, cutoff=70):
                if aid not in best or best[aid].score < score * 0.8:
                    offer(aid, round(score * 0.8, 1), name)
        ranked = sorted(best.values(), key=lambda h: (-h.score, -self.degree(h.actor_id), h.actor_id))
        return ranked[:limit]

    # -- paths -----------------------------------------------------------------
    def shortest_routes(
        self,
        a: str,
        b: str,
        tie_filter: TieFilter = ALL_TIES,
        max_length: int | None = None,
        limit: int = MAX_PATHS,
    ) -> list[Route]:
        """Every shortest route from `a` to `b`: a chain of actors, with all
        the ties that join each pair of neighbours on it (ties walked either way).

        Parallel ties between two actors are one hop with several ties, not
        several routes: ISKP and the Haqqani Network tied eight ways is one
        step. Disputed ties are never walked unless the filter names that
        status. The most solid routes come first (fewest hops without a
        reported tie, then most ties); at most `limit` routes.
        """
        tie_filter = path_filter(tie_filter)
        found = self._meet(a, b, tie_filter, max_length)
        if found is None:
            return []
        meeting, parents_a, parents_b = found

        def grouped(parents: list[Tie], node: str) -> dict[str, list[Tie]]:
            by_actor: dict[str, list[Tie]] = {}
            for tie in parents:
                by_actor.setdefault(tie.other(node), []).append(tie)
            return by_actor

        def from_a(node: str, suffix: list[tuple[str, list[Tie]]]) -> Iterator[tuple[list[str], list[list[Tie]]]]:
            if node == a:
                yield [a, *(n for n, _ in suffix)], [t for _, t in suffix]
                return
            for previous, ties in grouped(parents_a[node], node).items():
                yield from from_a(previous, [(node, ties), *suffix])

        def to_b(node: str, actors: list[str], hops: list[list[Tie]]) -> Iterator[tuple[list[str], list[list[Tie]]]]:
            if node == b:
                yield actors, hops
                return
            for following, ties in grouped(parents_b[node], node).items():
                yield from to_b(following, [*actors, following], [*hops, ties])

        def every_route() -> Iterator[Route]:
            for middle in meeting:
                for head_actors, head_hops in from_a(middle, []):
                    for actors, hops in to_b(middle, head_actors, head_hops):
                        yield Route(tuple(actors), tuple(tuple(sorted(h, key=_hop_tie_order)) for h in hops))

        routes = list(itertools.islice(every_route(), limit))
        routes.sort(key=lambda r: (r.weak_hops, -r.tie_count, [self._sort_name(x) for x in r.actors]))
        return routes

    def shortest_paths(
        self,
        a: str,
        b: str,
        tie_filter: TieFilter = ALL_TIES,
        max_length: int | None = None,
        limit: int = MAX_PATHS,
    ) -> list[list[Tie]]:
        """Every shortest chain of ties from `a` to `b`, one per combination
        of parallel ties (`shortest_routes` groups them). At most `limit`."""
        paths: list[list[Tie]] = []
        for route in self.shortest_routes(a, b, tie_filter, max_length, limit):
            for combination in itertools.product(*route.hops):
                paths.append(list(combination))
                if len(paths) >= limit:
                    return paths
        return paths

    def _sort_name(self, actor_id: str) -> str:
        actor = self.actors.get(actor_id)
        return (actor.name if actor else actor_id).casefold()

    def _meet(
        self, a: str, b: str, tie_filter: TieFilter, max_length: int | None
    ) -> tuple[list[str], dict[str, list[Tie]], dict[str, list[Tie]]] | None:
        """Breadth-first from both ends at once, one whole layer at a time, always
        growing the side whose frontier has fewer ties to walk: through a hub
        with thousands of ties, two searches of half the depth touch a small
        fraction of what one search from `a` would. Each side records, for each
        actor, the ties that reach it on a shortest route from its end. The
        first layer that meets the other side holds every shortest route's
        actor at that position; returns those actors and both sides' records.
        """
        if a == b:
            return None
        accepts = None if tie_filter.accepts_all else tie_filter.accepts
        walk = self._path_ties
        dist_a: dict[str, int] = {a: 0}
        dist_b: dict[str, int] = {b: 0}
        parents_a: dict[str, list[Tie]] = {}
        parents_b: dict[str, list[Tie]] = {}
        frontier_a, frontier_b = [a], [b]
        depth_a = depth_b = 0
        meeting: list[str] = []
        while frontier_a and frontier_b and not meeting:
            if max_length is not None and depth_a + depth_b >= max_length:
                return None
            if self._frontier_cost(frontier_a) <= self._frontier_cost(frontier_b):
                frontier, dist, parents, depth, other_dist = frontier_a, dist_a, parents_a, depth_a, dist_b
            else:
                frontier, dist, parents, depth, other_dist = frontier_b, dist_b, parents_b, depth_b, dist_a
            step = depth + 1
            grown: list[str] = []
            for node in frontier:
                for tie in walk(node, tie_filter):
                    if accepts is not None and not accepts(tie):
                        continue
                    nxt = tie.target if tie.source == node else tie.source
                    if nxt == node:
                        continue
                    seen = dist.get(nxt)
                    if seen is None:
                        dist[nxt] = step
                        parents[nxt] = [tie]
                        grown.append(nxt)
                    elif seen == step:
                        parents[nxt].append(tie)
            # Nothing met before this layer, so any meeting actor lies on the
            # other side's current frontier and every shortest chain crosses
            # this layer at exactly one of them.
            meeting = [n for n in grown if n in other_dist]
            if frontier is frontier_a:
                frontier_a, depth_a = grown, step
            else:
                frontier_b, depth_b = grown, step
        if not meeting:
            return None
        return meeting, parents_a, parents_b

    def _frontier_cost(self, frontier: list[str]) -> int:
        """How many ties one side's next layer would walk."""
        adjacency = self.adjacency
        return sum(len(adjacency.get(n, ())) for n in frontier)

    def _path_ties(self, node: str, tie_filter: TieFilter) -> Iterable[Tie]:
        """The ties a path search walks from `node` (the filter is applied by the caller)."""
        ties = self.ties
        return [ties[t] for t in self.adjacency.get(node, ())]

    def reach(self, centre: str, depth: int = 1, tie_filter: TieFilter = ALL_TIES) -> set[str]:
        """Actor ids within `depth` hops of `centre` (itself included)."""
        actors = {centre}
        frontier = {centre}
        for _ in range(max(depth, 0)):
            frontier = {other for node in frontier for other in self.neighbours(node, tie_filter)} - actors
            actors |= frontier
        return actors

    def neighbourhood(self, centre: str, depth: int = 1, tie_filter: TieFilter = ALL_TIES) -> tuple[set[str], set[str]]:
        """Actor ids within `depth` hops of `centre`, and every tie among them."""
        actors = self.reach(centre, depth, tie_filter)
        ties = {t.id for a in actors for t in self.ties_of(a, tie_filter) if t.other(a) in actors}
        return actors, ties


# -- the SQLite backend -------------------------------------------------------------------------
class _Lookup:
    """A read-only mapping answered by one query per key (an index over a SQLite store)."""

    def __init__(self, fetch) -> None:
        self._fetch = fetch

    def get(self, key, default=None):
        found = self._fetch(key)
        return found if found else default

    def __getitem__(self, key):
        found = self._fetch(key)
        if not found:
            raise KeyError(key)
        return found

    def __contains__(self, key) -> bool:
        return bool(self._fetch(key))


class SqlGraph(Graph):
    """The same questions as `Graph`, answered by indexed queries over a SQLite
    store: nothing is built at load, and only what is asked for is read.

    The lazy `adjacency`, `alias_index`, `merged`, `by_type` and `by_document`
    answer per key, so code written for the in-memory graph works unchanged;
    the methods below replace the ones that would walk every record.
    """

    lazy = True

    def __post_init__(self) -> None:
        self.actors = self.data.actors
        self.ties = self.data.ties
        db = self.data.backend
        self._db = db
        self.adjacency = _Lookup(self._tie_ids_of)  # type: ignore[assignment]
        self.merged = _Lookup(
            lambda old: (db.one("SELECT actor_id FROM merged WHERE old_id = ?", (old,)) or (None,))[0]
        )  # type: ignore[assignment]
        # The indexes the in-memory graph builds on first use, here one query per key.
        self._lookups = {
            "alias_index": _Lookup(
                lambda key: [
                    r[0] for r in db.query("SELECT DISTINCT actor_id FROM names WHERE key = ? ORDER BY rowid", (key,))
                ]
            ),
            "by_type": _Lookup(
                lambda kind: [r[0] for r in db.query("SELECT id FROM ties WHERE type = ? ORDER BY doc_id", (kind,))]
            ),
            "by_document": _Lookup(
                lambda doc: [
                    r[0]
                    for r in db.query(
                        # In file order, as the in-memory index lists them.
                        "SELECT c.tie_id FROM cites c JOIN ties t ON t.id = c.tie_id WHERE c.doc = ? ORDER BY t.doc_id",
                        (doc,),
                    )
                ]
            ),
        }
        self.reindex()

    def _deferred_index(self, name: str):  # type: ignore[override]
        return self._lookups[name]

    def build_deferred(self) -> None:
        """Nothing to build: every index is a query."""

    def reindex(self) -> None:
        self._adjacency_cache: dict[str, list[str]] = {}
        self._documents_cache = {}
        self._counts_cache = {}

    def _tie_ids_of(self, actor_id: str) -> list[str]:
        cached = self._adjacency_cache.get(actor_id)
        if cached is None:
            # In file order, as the in-memory index lists them.
            cached = [
                r[0]
                for r in self._db.query(
                    "SELECT id FROM (SELECT id, doc_id FROM ties WHERE source = ?1"
                    " UNION ALL SELECT id, doc_id FROM ties WHERE target = ?1 AND source != ?1) ORDER BY doc_id",
                    (actor_id,),
                )
            ]
            if len(self._adjacency_cache) > 2_000:
                self._adjacency_cache.clear()
            self._adjacency_cache[actor_id] = cached
        return cached

    def degree(self, actor_id: str) -> int:
        row = self._db.one("SELECT degree FROM actors WHERE id = ?", (actor_id,))
        return row[0] if row else 0

    def ties_of(self, actor_id: str, tie_filter: TieFilter = ALL_TIES) -> list[Tie]:
        ties = list(self.ties.get_many(self._tie_ids_of(actor_id)).values())
        if tie_filter.accepts_all:
            return ties
        return [t for t in ties if tie_filter.accepts(t)]

    def type_counts(self, actor_id: str, tie_filter: TieFilter = ALL_TIES) -> dict[str, int]:
        if not tie_filter.accepts_all:
            return super().type_counts(actor_id, tie_filter)
        rows = self._db.query("SELECT type, n FROM actor_types WHERE actor_id = ?", (actor_id,))
        return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))

    def documents_of(self, actor_id: str) -> list[str]:
        docs = {r[0] for r in self._db.query("SELECT doc FROM actor_docs WHERE actor_id = ?", (actor_id,))}
        actor = self.actors.get(actor_id)
        if actor is not None:
            docs.update(c.source for c in actor.citations)
        return sorted(docs)

    def most_connected(self, n: int = 10) -> list[tuple[str, int]]:
        rows = self._db.query("SELECT id, degree FROM actors ORDER BY degree DESC, id LIMIT ?", (n,))
        return [(aid, degree) for aid, degree in rows]

    # -- the ranked actor list, a page at a time ---------------------------------------------
    def ranked_count(self, kind: str | None = None) -> int:
        if kind is None:
            return len(self.actors)
        return self._db.one("SELECT count(*) FROM actors WHERE kind = ?", (kind,))[0]

    def ranked_page(self, offset: int, limit: int, kind: str | None = None) -> list[str]:
        """Actor ids most connected first, then by name: rows offset..offset+limit."""
        if kind is None:
            rows = self._db.query(
                "SELECT id FROM actors ORDER BY degree DESC, sort_name, id LIMIT ? OFFSET ?", (limit, offset)
            )
        else:
            rows = self._db.query(
                "SELECT id FROM actors WHERE kind = ? ORDER BY degree DESC, sort_name, id LIMIT ? OFFSET ?",
                (kind, limit, offset),
            )
        return [r[0] for r in rows]

    def ranked_position(self, actor_id: str, kind: str | None = None) -> int | None:
        row = self._db.one("SELECT degree, sort_name, kind FROM actors WHERE id = ?", (actor_id,))
        if row is None or (kind is not None and row[2] != kind):
            return None
        degree, sort_name, _ = row
        where = "(degree > ?1 OR (degree = ?1 AND (sort_name < ?2 OR (sort_name = ?2 AND id < ?3))))"
        if kind is None:
            return self._db.one(f"SELECT count(*) FROM actors WHERE {where}", (degree, sort_name, actor_id))[0]  # noqa: S608
        return self._db.one(
            f"SELECT count(*) FROM actors WHERE kind = ?4 AND {where}",  # noqa: S608
            (degree, sort_name, actor_id, kind),
        )[0]

    # -- names ---------------------------------------------------------------------------------
    def _containing(self, key: str, limit: int) -> list[tuple[str, str, str]]:
        """(key, name, actor id) for names whose folded form contains `key`."""
        if len(key) >= 3 and self._db.has_fts and not any(c in key for c in "%_\\"):
            # A subquery, not a join: the planner would walk `names` and probe the
            # index per row. No ESCAPE clause: with one, FTS5 cannot use the
            # trigram index for LIKE and reads every row (60x slower).
            return self._db.query(
                "SELECT key, name, actor_id FROM names WHERE rowid IN"
                " (SELECT rowid FROM names_fts WHERE key LIKE ?) LIMIT ?",
                (f"%{key}%", limit),
            )
        return self._db.query(
            "SELECT key, name, actor_id FROM names WHERE key LIKE ? ESCAPE '\\' LIMIT ?",
            (f"%{_like_escape(key)}%", limit),
        )

    def _candidates(self, key: str, limit: int = 1_500) -> list[tuple[str, str, str]]:
        """Names sharing a three-letter run with `key`: what fuzzy matching looks at."""
        grams = list(dict.fromkeys(key[i : i + 3] for i in range(len(key) - 2)))
        if not grams:
            return []
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams[:24])
        return self._db.query(
            "SELECT key, name, actor_id FROM names WHERE rowid IN"
            " (SELECT rowid FROM names_fts WHERE names_fts MATCH ?) LIMIT ?",
            (match, limit),
        )

    def _rows(self) -> list[tuple[str, str, str]]:
        # Every name of the store: only small stores should ever come here.
        return self._db.query("SELECT key, name, actor_id FROM names ORDER BY rowid")

    def _fuzzy_rows(self, key: str) -> list[tuple[str, str, str]]:
        # A store with few names is scored whole, as the in-memory graph does:
        # a typo sharing no three letters in a row with a name can still be
        # close to it ("no-such-actor" and NATO). Past that, the trigram index.
        few = self._db.one("SELECT count(*) FROM (SELECT 1 FROM names LIMIT ?)", (_ALL_NAMES + 1,))[0]
        rows = self._rows() if few <= _ALL_NAMES else self._candidates(key)
        return [row for row in rows if len(row[0]) >= SHORT_NAME or len(key) <= len(row[0]) + 1]

    def _contained_ids(self, key: str) -> list[str]:
        # Every name holding the text, as the in-memory graph lists them all
        # in an ambiguity (up to a bound on a big store).
        return self._in_file_order({aid for _, _, aid in self._containing(key, _ALL_NAMES)})

    def _in_file_order(self, actor_ids: set[str]) -> list[str]:
        """Actor ids as the file lists them: the order in which the in-memory
        graph names the candidates of an ambiguous name (the names index's
        own order changes as actors are edited)."""
        ids = list(actor_ids)
        if len(ids) < 2:
            return ids
        marks = ",".join("?" * len(ids))
        return [r[0] for r in self._db.query(f"SELECT id FROM actors WHERE id IN ({marks}) ORDER BY doc_id", ids)]  # noqa: S608

    def _near_rows(self, key: str) -> list[tuple[str, str, str]]:
        return self._candidates(key)

    def search(self, text: str, kind: str | None = None, limit: int = 50, fuzzy: bool = True) -> list[SearchHit]:
        """As `Graph.search`, from the names index: exact and prefix matches by
        index range, substrings through the trigram index, summaries by word
        (full-text index), fuzzy matches among names sharing a trigram.

        The classes score apart (exact 100, prefix 93 and up, substring 85 and
        below, summary 60), so a class is only looked at while the ones above
        it found fewer than `limit` actors: a keystroke reads what it shows.
        """
        key = normalize_key(text)
        db = self._db
        if not key:
            ids = self.ranked_page(0, limit, kind)
            return [SearchHit(a, 0.0, self.actors[a].name) for a in ids]
        kinds: dict[str, str] = {}
        best: dict[str, SearchHit] = {}

        def learn_kinds(ids: Iterable[str]) -> None:
            if kind is None:
                return
            unknown = [a for a in dict.fromkeys(ids) if a not in kinds]
            for start in range(0, len(unknown), 900):
                chunk = unknown[start : start + 900]
                kinds.update(db.query(f"SELECT id, kind FROM actors WHERE id IN ({','.join('?' * len(chunk))})", chunk))  # noqa: S608

        def offer(aid: str, score: float, matched: str) -> None:
            if kind is not None and kinds.get(aid) != kind:
                return
            current = best.get(aid)
            if current is None or score > current.score:
                best[aid] = SearchHit(aid, score, matched)

        def offer_names(rows: list[tuple[str, str, str]]) -> None:
            learn_kinds(r[2] for r in rows)
            for norm, name, aid in rows:
                if norm == key:
                    offer(aid, 100.0, name)
                elif norm.startswith(key):
                    offer(aid, 95.0 - min(len(norm) - len(key), 20) * 0.1, name)
                elif key in norm:
                    offer(aid, 85.0 - min(len(norm) - len(key), 20) * 0.1, name)

        # Exact and prefix: one index range. A one- or two-letter prefix of a
        # big store is cut at 1,000 names in name order; narrower ones are read whole.
        offer_names(
            db.query(
                "SELECT key, name, actor_id FROM names WHERE key >= ? AND key < ? LIMIT 1000",
                (key, key + "\U0010ffff"),
            )
        )
        if len(best) < limit:
            offer_names(self._containing(key, 2000))
        folded = text.casefold().strip()
        if len(best) < limit and len(folded) >= 3 and db.has_fts:
            # The words as the full-text index splits them: "al-qaeda" is two
            # (a phrase, which an index without positions cannot match).
            words = _FTS_WORD.findall(folded)
            if words:
                match = " ".join('"' + w + '"' for w in words[:-1]) + (' "' + words[-1] + '"*')
                for aid, actor_kind, summary in db.query(
                    "SELECT actors.id, actors.kind, json_extract(actors.body, '$.summary') FROM actors"
                    " WHERE actors.rowid IN (SELECT rowid FROM summaries_fts WHERE summaries_fts MATCH ?) LIMIT 500",
                    (match.strip(),),
                ):
                    if aid not in best and folded in (summary or "").casefold():
                        kinds[aid] = actor_kind
                        offer(aid, 60.0, "summary")
        if fuzzy and len(best) < 5 and len(key) >= 3:
            matches = self._fuzzy_matches(key, limit=20, cutoff=70)
            learn_kinds(row[2] for _, row in matches)
            for score, (_, name, aid) in matches:
                if aid not in best or best[aid].score < score * 0.8:
                    offer(aid, round(score * 0.8, 1), name)
        # Ranking needs degrees only for the hits that can still make the cut.
        ordered = sorted(best.values(), key=lambda h: -h.score)
        if len(ordered) > limit:
            cut = ordered[limit - 1].score
            ordered = [h for h in ordered if h.score >= cut]
        degrees: dict[str, int] = {}
        ids = [h.actor_id for h in ordered]
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            degrees.update(db.query(f"SELECT id, degree FROM actors WHERE id IN ({','.join('?' * len(chunk))})", chunk))  # noqa: S608
        ordered.sort(key=lambda h: (-h.score, -degrees.get(h.actor_id, 0), h.actor_id))
        return ordered[:limit]

    # -- paths -----------------------------------------------------------------------------------
    def _light_ties(self, node: str) -> list[Tie]:
        """The ties of one actor with the columns a path filter reads, no bodies.
        In file order, as the in-memory graph walks them: which routes a
        limited search finds first depends on it."""
        columns = "id, type, source, target, status, start_date, end_date, doc_id"
        return [
            Tie(id=r[0], type=r[1], source=r[2], target=r[3], status=r[4], start=r[5], end=r[6])
            for r in self._db.query(
                f"SELECT {columns} FROM ties WHERE source = ?1"  # noqa: S608 - our own column names
                f" UNION ALL SELECT {columns} FROM ties WHERE target = ?1 AND source != ?1 ORDER BY doc_id",
                (node,),
            )
        ]

    def tie_rows(self, actor_id: str) -> list[tuple[Tie, str | None, int]]:
        """An actor's ties with the columns a list filters and orders by (no quotes),
        each with its other end's folded name (None when no such actor) and its
        degree: a hub's thousands of ties in one indexed query, no body parsed.
        In file order, as `ties_of` gives them."""
        columns = (
            "t.id, t.type, t.source, t.target, t.status, t.start_date, t.end_date, a.sort_name, a.degree, t.doc_id"
        )
        return [
            (Tie(id=r[0], type=r[1], source=r[2], target=r[3], status=r[4], start=r[5], end=r[6]), r[7], r[8] or 0)
            for r in self._db.query(
                f"SELECT {columns} FROM ties t LEFT JOIN actors a ON a.id = t.target WHERE t.source = ?1"  # noqa: S608
                f" UNION ALL SELECT {columns} FROM ties t LEFT JOIN actors a ON a.id = t.source"
                " WHERE t.target = ?1 AND t.source != ?1 ORDER BY 10",
                (actor_id,),
            )
        ]

    def _frontier_cost(self, frontier: list[str]) -> int:
        total = 0
        for start in range(0, len(frontier), 900):
            chunk = frontier[start : start + 900]
            row = self._db.one(f"SELECT sum(degree) FROM actors WHERE id IN ({','.join('?' * len(chunk))})", chunk)  # noqa: S608
            total += row[0] or 0
        return total

    def _path_ties(self, node: str, tie_filter: TieFilter) -> Iterable[Tie]:
        # Light ties (columns, no quotes) unless the filter reads the citations.
        return self.ties_of(node) if tie_filter.document is not None else self._light_ties(node)

    def shortest_routes(self, a, b, tie_filter=ALL_TIES, max_length=None, limit=MAX_PATHS) -> list[Route]:
        routes = super().shortest_routes(a, b, tie_filter, max_length, limit)
        # The search walked light ties (no quotes); the routes carry the real ones.
        wanted = {t.id for r in routes for hop in r.hops for t in hop}
        full = self.ties.get_many(wanted)
        return [Route(r.actors, tuple(tuple(full.get(t.id, t) for t in hop) for hop in r.hops)) for r in routes]


_FTS_WORD = re.compile(r"[^\W_]+")
# A store with at most this many names is matched whole, as the in-memory graph
# matches it; past that, through the indexes, with bounded work per question.
_ALL_NAMES = 5_000


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
