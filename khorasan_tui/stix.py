"""STIX 2.1: the graph as one bundle for threat-intelligence platforms (OpenCTI,
MISP, TAXII feeds).

- armed groups are `threat-actor`s (no threat_actor_types: the documents name
  them, we do not classify them); people are `identity` (individual), since
  not every person here (a minister, a negotiator) is a threat actor; states,
  agencies and other organisations are `identity` (organization);
- places are `location`s; STIX wants a region, country or coordinates and the
  store has none of them, so the place's own name is the (open-vocabulary)
  region rather than a guessed country;
- events are `incident`s; each cited document is a `report` that refers to
  the objects and relationships it supports, with the quotes and its URL;
- every tie is a `relationship`: `located-at`, `targets` and `attributed-to`
  (the incident attributed to whoever carried it out) where STIX has the
  type, `related-to` with the tie in words otherwise;
- ids are UUIDv5 of our ids in a fixed namespace, and `created`/`modified`
  come from the documents' dates, never the clock, so re-exports diff cleanly;
- `confidence` (0-100) comes from the status (reported > alleged > claimed >
  disputed), moved by the document's Admiralty grade and the citation's
  credibility where the analyst set them.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from .exchange import Selection, widened
from .graph import Graph
from .model import TIE_TYPES, Actor, Citation, Source, Tie, date_sort_key

NAMESPACE = uuid.UUID("8907aa0b-81be-4315-93fe-0ecda192510c")
# Used only when no document in the store has a date: STIX requires a time.
FALLBACK_TIME = "1970-01-01T00:00:00.000Z"

STATUS_CONFIDENCE = {"reported": 85, "alleged": 50, "claimed": 35, "disputed": 10}
GRADE_SHIFT = {"A": 10, "B": 5, "C": 0, "D": -10, "E": -20, "F": 0}
CREDIBILITY_SHIFT = {1: 10, 2: 5, 3: 0, 4: -10, 5: -20, 6: 0}
# tie type -> (STIX relationship type, whether STIX reads it target -> source)
RELATIONSHIP_TYPES: dict[str, tuple[str, bool]] = {
    "located_in": ("located-at", False),
    "targeted": ("targets", False),
    "carried_out": ("attributed-to", True),
}


def stix_id(kind: str, scope: str, our_id: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{scope}:{our_id}')}"


def _time(value: str | None, last: bool = False) -> str | None:
    day = widened(value, last)
    if day is None:
        return None
    return f"{day}T23:59:59.999Z" if last else f"{day}T00:00:00.000Z"


def _actor_type(actor: Actor) -> str:
    return {"group": "threat-actor", "place": "location", "event": "incident"}.get(actor.kind, "identity")


def confidence(tie: Tie, sources: dict[str, Source]) -> int:
    """The strongest citation's support: the status, moved by grade and credibility."""
    base = STATUS_CONFIDENCE.get(tie.status, 50)

    def one(citation: Citation) -> int:
        source = sources.get(citation.source)
        shift = GRADE_SHIFT.get(source.grade, 0) if source and source.grade else 0
        shift += CREDIBILITY_SHIFT.get(citation.credibility, 0) if citation.credibility else 0
        return base + shift

    return max(0, min(100, max((one(c) for c in tie.citations), default=base)))


class _Clock:
    """created/modified for an object: the earliest date of the documents it cites."""

    def __init__(self, sources: dict[str, Source]) -> None:
        self.dates = {s.id: s.published for s in sources.values() if s.published}
        earliest = min(self.dates.values(), key=date_sort_key, default=None)
        self.fallback = _time(earliest) or FALLBACK_TIME

    def __call__(self, citations: list[Citation]) -> str:
        dates = [self.dates[c.source] for c in citations if c.source in self.dates]
        return _time(min(dates, key=date_sort_key)) if dates else self.fallback


def _common(kind: str, object_id: str, when: str) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": object_id, "created": when, "modified": when}


def _actor_object(actor: Actor, when: str) -> dict[str, Any]:
    kind = _actor_type(actor)
    obj = _common(kind, stix_id(kind, "actor", actor.id), when)
    obj["name"] = actor.name
    if actor.summary:
        obj["description"] = actor.summary
    if kind == "location":
        obj["region"] = actor.name
        return obj
    if kind == "incident":
        return obj
    if actor.aliases and kind == "threat-actor":
        obj["aliases"] = list(actor.aliases)
    if kind == "threat-actor":
        first, last = _time(actor.start), _time(actor.end, last=True)
        if first:
            obj["first_seen"] = first
        if last and (first is None or last > first):
            obj["last_seen"] = last
    elif actor.kind == "person":
        obj["identity_class"] = "individual"
    else:
        obj["identity_class"] = "organization"
        if actor.kind in ("state", "agency"):
            obj["sectors"] = ["government-national"]
    return obj


def _quote_line(citation: Citation, sources: dict[str, Source]) -> str:
    source = sources.get(citation.source)
    return f"“{citation.quote}” ({source.title if source else citation.source})"


def _relationship(graph: Graph, tie: Tie, ids: dict[str, str], when: str) -> dict[str, Any]:
    sources = graph.data.sources
    relationship_type, reverse = RELATIONSHIP_TYPES.get(tie.type, ("related-to", False))
    source_ref, target_ref = ids[tie.source], ids[tie.target]
    if reverse:
        source_ref, target_ref = target_ref, source_ref
    source_name, target_name = graph.actors[tie.source].name, graph.actors[tie.target].name
    wording = TIE_TYPES[tie.type].forward if tie.type in TIE_TYPES else tie.type
    status = tie.status
    if tie.claimant:
        claimant = graph.actors.get(tie.claimant)
        status += f" by {claimant.name if claimant else tie.claimant}"
    lines = [f"{source_name} {wording} {target_name}" + (f" ({tie.role})" if tie.role else "") + f"; {status}."]
    if tie.summary:
        lines.append(tie.summary)
    lines += [_quote_line(c, sources) for c in tie.citations]
    obj = _common("relationship", stix_id("relationship", "tie", tie.id), when)
    obj.update(
        relationship_type=relationship_type,
        source_ref=source_ref,
        target_ref=target_ref,
        description="\n".join(lines),
        confidence=confidence(tie, sources),
        labels=[tie.type, tie.status],
    )
    start, stop = _time(tie.start), _time(tie.end, last=True)
    if start:
        obj["start_time"] = start
    if stop and (start is None or stop > start):
        obj["stop_time"] = stop
    obj["external_references"] = [_reference(sources, s) for s in dict.fromkeys(c.source for c in tie.citations)]
    return obj


def _reference(sources: dict[str, Source], source_id: str) -> dict[str, Any]:
    source = sources.get(source_id)
    reference: dict[str, Any] = {"source_name": "khorasan", "external_id": source_id}
    if source is not None:
        reference["description"] = source.title
        if source.url:
            reference["url"] = source.url
    return reference


def _report(source: Source, citing: list[tuple[str, Citation]], published: str) -> dict[str, Any]:
    obj = _common("report", stix_id("report", "source", source.id), published)
    lines = [f"Publisher: {source.publisher}."] if source.publisher else []
    if source.published_note:
        lines.append(source.published_note)
    if not source.published and not source.retrieved:
        lines.append("Publication date unknown.")
    lines += [f"“{q}”" for q in dict.fromkeys(c.quote for _, c in citing)]
    reference: dict[str, Any] = {"source_name": source.publisher or source.title, "description": source.title}
    if source.url:
        reference["url"] = source.url
    obj.update(
        name=source.title,
        published=published,
        report_types=["threat-report"],
        object_refs=list(dict.fromkeys(ref for ref, _ in citing)),
        description="\n".join(lines),
        external_references=[reference, {"source_name": "khorasan", "external_id": source.id}],
    )
    if source.language:
        obj["lang"] = source.language
    return obj


def to_stix_data(graph: Graph, selection: Selection) -> dict[str, Any]:
    sources = graph.data.sources
    clock = _Clock(sources)
    actors = [graph.actors[a] for a in selection.actor_ids]
    ties = [graph.ties[t] for t in selection.tie_ids]
    ids: dict[str, str] = {}
    objects: list[dict[str, Any]] = []
    citing: dict[str, list[tuple[str, Citation]]] = {}
    for actor in actors:
        obj = _actor_object(actor, clock(actor.citations))
        ids[actor.id] = obj["id"]
        objects.append(obj)
        for citation in actor.citations:
            citing.setdefault(citation.source, []).append((obj["id"], citation))
    for tie in ties:
        obj = _relationship(graph, tie, ids, clock(tie.citations))
        objects.append(obj)
        for citation in tie.citations:
            citing.setdefault(citation.source, []).append((obj["id"], citation))
    for source in sources.values():
        if source.id in citing:
            published = _time(source.published) or _time(source.retrieved) or clock.fallback
            objects.append(_report(source, citing[source.id], published))
    scope = "whole" if selection.whole else ",".join(selection.actor_ids)
    return {"type": "bundle", "id": stix_id("bundle", graph.data.name, scope), "objects": objects}


def to_stix(graph: Graph, selection: Selection) -> str:
    return orjson.dumps(to_stix_data(graph, selection), option=orjson.OPT_INDENT_2).decode() + "\n"
