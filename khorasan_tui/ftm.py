"""FollowTheMoney (FtM): the entity format of OpenSanctions, Aleph and the
OCCRP tools, as JSON lines, both ways.

Export: actors become Person, Organization, PublicBody, Event or Address
entities, each document a Document entity, and each tie an interval entity
(Membership, Directorship, Family, Associate, Succession, or UnknownLink where
FtM has no closer schema) with its dates, status, the documents as `proof`,
their URLs and publishers, and the quotes in `description`. Ids are our ids
behind a prefix, so two exports of the same store diff line by line.

Import: `read_rows` turns such a stream (ours, or an OpenSanctions export)
into the rows csv_import's `plan_rows` imports, so an FtM file goes through the
same name matching, checks and report as a CSV file. What has no counterpart
here (Ownership, Sanction, Passport, Vessel...) is counted and named, never
guessed.

This module needs no followthemoney package: it writes and reads plain dicts
(the tests check the output with followthemoney itself).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import orjson

from .csv_import import ImportOptions, ImportResult, ImportUsageError, Row, check_options, clean_text, plan_rows
from .exchange import Selection
from .graph import Graph
from .model import STATUSES, TIE_TYPES, Actor, Citation, Source, Tie
from .store import StoreData

ID_PREFIX = "khorasan"
_SAFE_ID = re.compile(r"[0-9a-zA-Z](?:[0-9a-zA-Z.-]{0,98}[0-9a-zA-Z])?")
_UNSAFE = re.compile(r"[^0-9a-zA-Z.-]+")

ACTOR_SCHEMATA: dict[str, str] = {
    "person": "Person",
    "group": "Organization",
    "organization": "Organization",
    "state": "PublicBody",
    "agency": "PublicBody",
    "event": "Event",
    "place": "Address",
}
_LEGAL = frozenset({"person", "group", "organization", "state", "agency"})  # FtM's LegalEntity
_ORGANIZATIONS = frozenset({"group", "organization", "state", "agency"})  # FtM's Organization
# (start property, end property) per schema.
_ACTOR_DATES: dict[str, tuple[str, str]] = {
    "Person": ("birthDate", "deathDate"),
    "Organization": ("incorporationDate", "dissolutionDate"),
    "PublicBody": ("incorporationDate", "dissolutionDate"),
    "Event": ("startDate", "endDate"),
}


def entity_id(scope: str, our_id: str) -> str:
    """'khorasan-actor-iskp': readable and stable across exports. FtM ids allow
    only letters, digits, '.' and '-', so an id with anything else keeps a
    readable part and gains a hash of the whole ('...-hostile-to-taliban-3f2a...')."""
    if _SAFE_ID.fullmatch(our_id):
        return f"{ID_PREFIX}-{scope}-{our_id}"
    readable = _UNSAFE.sub("-", our_id).strip(".-")[:60]
    digest = hashlib.sha1(our_id.encode("utf-8")).hexdigest()[:12]
    return f"{ID_PREFIX}-{scope}-{readable}-{digest}" if readable else f"{ID_PREFIX}-{scope}-{digest}"


def _entity(entity_id_: str, schema: str, properties: dict[str, list[str]]) -> dict[str, Any]:
    return {"id": entity_id_, "schema": schema, "properties": {k: v for k, v in properties.items() if v}}


def _values(*values: str | None) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _document(source: Source) -> dict[str, Any]:
    file_name = PurePosixPath(source.path).name if source.path else source.id
    return _entity(
        entity_id("doc", source.id),
        "Document",
        {
            "title": _values(source.title),
            "fileName": _values(file_name),
            "publisher": _values(source.publisher),
            "publishedAt": _values(source.published),
            "sourceUrl": _values(source.url),
            # FtM's language type is ISO 639-3 ('eng'); anything else would be dropped.
            "language": _values(source.language if source.language and len(source.language) == 3 else None),
            "summary": _values(source.published_note),
        },
    )


def _provenance(graph: Graph, citations: list[Citation]) -> dict[str, list[str]]:
    sources = [graph.data.sources[c.source] for c in citations if c.source in graph.data.sources]
    return {
        "proof": _values(*(entity_id("doc", c.source) for c in citations)),
        "sourceUrl": _values(*(s.url for s in sources)),
        "publisher": _values(*(s.publisher for s in sources)),
    }


def _actor_entity(graph: Graph, actor: Actor) -> dict[str, Any]:
    schema = ACTOR_SCHEMATA.get(actor.kind, "LegalEntity")
    name_property = "full" if schema == "Address" else "name"
    properties: dict[str, list[str]] = {
        name_property: [actor.name],
        "alias": [] if schema == "Address" else _values(*actor.aliases),  # an Address has no aliases
        "summary": _values(actor.summary),
        # Our kind, so that a re-import tells a state from an agency and a group from an organisation.
        "keywords": [actor.kind],
        **_provenance(graph, actor.citations),
    }
    if schema in _ACTOR_DATES:
        start_property, end_property = _ACTOR_DATES[schema]
        properties[start_property] = _values(actor.start)
        properties[end_property] = _values(actor.end)
    return _entity(entity_id("actor", actor.id), schema, properties)


def _tie_schema(tie: Tie, source_kind: str, target_kind: str) -> tuple[str, str, str]:
    """(schema, property for the tie's source, property for its target)."""
    legal = source_kind in _LEGAL and target_kind in _LEGAL
    people = source_kind == target_kind == "person"
    if tie.type == "leads" and source_kind in _LEGAL and target_kind in _ORGANIZATIONS:
        return "Directorship", "director", "organization"
    if tie.type in ("member_of", "faction_of") and source_kind in _LEGAL and target_kind in _ORGANIZATIONS:
        return "Membership", "member", "organization"
    if tie.type == "family" and people:
        return "Family", "person", "relative"
    if tie.type in ("affiliated_with", "allied_with", "cooperates_with") and people:
        return "Associate", "person", "associate"
    if tie.type == "succeeded" and legal:
        return "Succession", "successor", "predecessor"
    return "UnknownLink", "subject", "object"


def _tie_entity(graph: Graph, tie: Tie) -> dict[str, Any]:
    source_kind = graph.actors[tie.source].kind
    target_kind = graph.actors[tie.target].kind
    schema, source_property, target_property = _tie_schema(tie, source_kind, target_kind)
    wording = TIE_TYPES[tie.type].forward if tie.type in TIE_TYPES else tie.type
    # The role says which of our tie types it was wherever the schema alone does not.
    if schema in ("Directorship", "Succession") or (schema == "Membership" and tie.type == "member_of"):
        role = tie.role
    else:
        role = f"{wording}: {tie.role}" if tie.role else wording
    status = tie.status
    if tie.claimant:
        claimant = graph.actors.get(tie.claimant)
        status = f"{status} by {claimant.name if claimant else tie.claimant}"
    lines = []
    for citation in tie.citations:
        source = graph.data.sources.get(citation.source)
        lines.append(f"“{citation.quote}” ({source.title if source else citation.source})")
    quotes = "\n".join(lines)
    properties: dict[str, list[str]] = {
        source_property: [entity_id("actor", tie.source)],
        target_property: [entity_id("actor", tie.target)],
        "startDate": _values(tie.start),
        "endDate": _values(tie.end),
        "summary": _values(tie.summary),
        "description": _values(quotes),
        "recordId": [tie.id],
        **_provenance(graph, tie.citations),
    }
    if schema in ("Family", "Associate"):
        properties["relationship"] = _values(role)
        # Family and Associate are not Interests: no status field, so it leads the description.
        properties["description"] = [f"[{status}] {quotes}"]
    else:
        properties["role"] = _values(role)
        properties["status"] = [status]
    return _entity(entity_id("tie", tie.id), schema, properties)


def to_ftm(graph: Graph, selection: Selection) -> str:
    """JSON lines: the cited documents, then the actors, then the ties."""
    actors = [graph.actors[a] for a in selection.actor_ids]
    ties = [graph.ties[t] for t in selection.tie_ids]
    cited = {c.source for item in [*actors, *ties] for c in item.citations}
    entities = [_document(s) for s in graph.data.sources.values() if s.id in cited or selection.whole]
    entities += [_actor_entity(graph, a) for a in actors]
    entities += [_tie_entity(graph, t) for t in ties]
    return "".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS).decode() + "\n" for e in entities)


# -- import -------------------------------------------------------------------------
# schema -> (our tie type, property of the tie's source, property of its target)
RELATIONSHIPS: dict[str, tuple[str, str, str]] = {
    "Membership": ("member_of", "member", "organization"),
    "Directorship": ("leads", "director", "organization"),
    "Employment": ("member_of", "employee", "employer"),
    "Family": ("family", "person", "relative"),
    "Associate": ("affiliated_with", "person", "associate"),
    "Succession": ("succeeded", "successor", "predecessor"),
    "UnknownLink": ("affiliated_with", "subject", "object"),
}
# Thing schemata we can take as actors; the kind may be refined by a keyword.
THING_KINDS: dict[str, str | None] = {
    "Person": "person",
    "Organization": None,  # --default-kind, unless a keyword says
    "LegalEntity": None,
    "Company": "organization",
    "PublicBody": "agency",
    "Event": "event",
    "Address": "place",
}
# The kinds a keyword (our export writes the kind as one) may choose per schema.
_KEYWORD_KINDS: dict[str, frozenset[str]] = {
    "Organization": frozenset(_ORGANIZATIONS),
    "LegalEntity": frozenset(_LEGAL),
    "PublicBody": frozenset({"state", "agency"}),
}
_NOT_MAPPED: dict[str, str] = {
    "Document": "documents are not imported; the file itself is kept as the source",
    "Ownership": "no tie type here means ownership",
    "Sanction": "sanctions are not ties between actors",
}
_WORDINGS = {t.forward: t.name for t in TIE_TYPES.values()}


class FtmError(ValueError):
    """A stream that is not FtM at all (no entity could be read)."""


def _first(properties: dict[str, Any], name: str) -> str:
    values = properties.get(name) or []
    return str(values[0]) if values and isinstance(values, list) else ""


def _type_from_role(default: str, role: str) -> tuple[str, str]:
    """Our tie type and the role left over: 'hostile to' -> hostile_to; 'faction of: wing' -> faction_of, 'wing'."""
    wording, _, rest = role.partition(":")
    found = _WORDINGS.get(wording.strip().casefold())
    if found is None:
        return default, role
    return found, rest.strip()


def read_rows(text: str, default_kind: str) -> tuple[list[Row], list[dict[str, Any]], dict[str, Any]]:
    """The relationships in an FtM stream as import rows, the lines that could
    not be read, and a summary of what the stream held and what was left out."""
    entities: dict[str, tuple[int, str, dict[str, Any]]] = {}
    order: list[str] = []
    failures: list[dict[str, Any]] = []
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        raw = line.rstrip("\r\n")
        if not raw.strip():
            continue
        try:
            entity = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            failures.append({"line": number, "reason": f"not a JSON entity: {exc}"})
            continue
        if not isinstance(entity, dict) or not all(isinstance(entity.get(k), str) for k in ("id", "schema")):
            failures.append({"line": number, "reason": "not an FtM entity (no id or schema)"})
            continue
        if not isinstance(entity.get("properties"), dict):
            entity["properties"] = {}
        if entity["id"] in entities:
            first = entities[entity["id"]][0]
            failures.append({"line": number, "reason": f"repeats entity {entity['id']!r} of line {first}"})
            continue
        entities[entity["id"]] = (number, raw, entity)
        order.append(entity["id"])
    if not entities and failures:
        raise FtmError(f"no FtM entity could be read ({failures[0]['reason']} on line {failures[0]['line']})")

    def actor_of(entity_ref: str) -> tuple[str, str, list[str]]:
        """(name, kind, aliases) of a referenced entity; ValueError when it cannot be an actor."""
        if entity_ref not in entities:
            raise ValueError(f"refers to {entity_ref!r}, which is not in the file")
        _, _, entity = entities[entity_ref]
        schema, properties = entity["schema"], entity["properties"]
        if schema not in THING_KINDS:
            raise ValueError(f"refers to a {schema} ({entity_ref!r}); {schema} entities are not imported")
        allowed = _KEYWORD_KINDS.get(schema, frozenset())
        keyword = next((k for k in properties.get("keywords") or [] if k in allowed), None)
        kind = keyword or THING_KINDS[schema]
        name = _first(properties, "full" if schema == "Address" else "name")
        aliases = [str(a) for a in properties.get("alias") or []]
        return name, kind or default_kind, aliases

    rows: list[Row] = []
    schemata: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    referenced: set[str] = set()
    for entity_ref in order:
        number, raw, entity = entities[entity_ref]
        schema, properties = entity["schema"], entity["properties"]
        schemata[schema] += 1
        if schema in THING_KINDS:
            continue
        if schema not in RELATIONSHIPS:
            left_out[schema] += 1
            continue
        tie_type, source_property, target_property = RELATIONSHIPS[schema]
        role = _first(properties, "relationship" if schema in ("Family", "Associate") else "role")
        if schema in ("UnknownLink", "Associate", "Membership"):
            tie_type, role = _type_from_role(tie_type, role)
        # Our export writes "claimed by Taliban"; other publishers' statuses ("active") are not ours.
        status, _, claimant = _first(properties, "status").partition(" by ")
        known = status in STATUSES
        cells = {
            "type": tie_type,
            "status": status if known else "",
            "claimant": claimant if known else "",
            "start": _first(properties, "startDate") or _first(properties, "date"),
            "end": _first(properties, "endDate"),
            "summary": _first(properties, "summary"),
            "role": role,
        }
        aliases: dict[str, list[str]] = {}
        try:
            for end, prop in (("source", source_property), ("target", target_property)):
                ref = _first(properties, prop)
                if not ref:
                    raise ValueError(f"{schema} without its {prop}")
                referenced.add(ref)
                cells[end], cells[f"{end}_kind"], aliases[end] = actor_of(ref)
        except ValueError as exc:
            failures.append({"line": number, "reason": str(exc)})
            continue
        rows.append(Row(number, raw, cells, aliases))
    summary = {
        "entities": len(entities),
        "schemata": dict(schemata),
        "not_mapped": [
            {"schema": schema, "count": count, "reason": _NOT_MAPPED.get(schema, f"{schema} has no counterpart here")}
            for schema, count in sorted(left_out.items())
        ],
        # Actors come in with their ties: a lone sanctioned person has nothing to cite it by.
        "actors_without_ties": sum(
            1 for ref in order if entities[ref][2]["schema"] in THING_KINDS and ref not in referenced
        ),
    }
    return rows, failures, summary


def plan_import(
    data: StoreData,
    text: str,
    options: ImportOptions,
    path_taken: Callable[[str], bool] = lambda relative: False,
    encoding: str = "utf-8",
) -> ImportResult:
    """An FtM stream through csv_import's import: the same matching, checks and
    report; the stream is kept as sources/<id>.ftm.json and each tie quotes its line."""
    check_options(options)
    text, cleaned = clean_text(text.lstrip("\ufeff"))
    try:
        rows, failures, summary = read_rows(text, options.default_kind)
    except FtmError as exc:
        raise ImportUsageError(f"{options.file_name}: {exc}") from None
    file_report = {"ftm": summary, "rows": len(rows) + len(failures)}
    return plan_rows(data, rows, options, text, ".ftm.json", file_report, failures, cleaned, path_taken, encoding)
