"""Export writers: the graph (or an actor's neighbourhood) as JSON, CSV,
GraphML, GEXF or Graphviz DOT.

Every writer returns text and knows nothing about files or the command line.
The flat formats (CSV, GraphML, GEXF) share one record layout, `NODE_FIELDS`
and `EDGE_FIELDS`, so a column means the same thing in each of them.

A graph in GraphML or GEXF has one default edge direction, while our tie types
are partly undirected, so the graph is declared directed and every edge carries
a boolean `directed` attribute (networkx refuses per-edge direction flags in a
directed graph). Each tie is its own edge with the tie id as edge id, so several
ties between two actors survive as parallel edges.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .graph import Graph
from .model import Actor, Citation, Source, Tie, is_partial_date, strip_control
from .serialize import actor_json, source_json, tie_json
from .store import StoreData

# (name, type) with type one of "string", "boolean", "int".
# Gephi treats columns called start/end as time intervals and "type" (CSV) as
# the edge direction, so our dates and tie types use other names.
NODE_FIELDS: tuple[tuple[str, str], ...] = (
    ("label", "string"),
    ("kind", "string"),
    ("aliases", "string"),
    ("summary", "string"),
    ("born", "string"),
    ("founded", "string"),
    ("died", "string"),
    ("ended", "string"),
    ("possible_duplicate_of", "string"),
    ("documents", "string"),
)
EDGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("label", "string"),
    ("tie_type", "string"),
    ("directed", "boolean"),
    ("status", "string"),
    ("claimant", "string"),
    ("role", "string"),
    ("start_date", "string"),
    ("end_date", "string"),
    ("summary", "string"),
    ("documents", "string"),
    ("quote", "string"),
    ("citations_json", "string"),
)
LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Selection:
    """The actors and ties to export, in store order."""

    actor_ids: Collection[str]
    tie_ids: Collection[str]
    whole: bool


def select(graph: Graph, around: str | None = None, depth: int = 1) -> Selection:
    if around is None:
        # Views, not lists: a SQLite store of millions of ties is read as it is written out.
        return Selection(graph.actors.keys(), graph.ties.keys(), whole=True)
    actors, ties = graph.neighbourhood(around, depth)
    return Selection(
        [a for a in graph.actors if a in actors],
        [t for t in graph.ties if t in ties],
        whole=False,
    )


# -- what may leave the program ----------------------------------------------------
def _scrub(value: Any) -> Any:
    """A value with no control, bidi or zero-width character left in any string.

    A carriage return becomes a newline first, so a line break survives as one.
    """
    if isinstance(value, str):
        return strip_control(value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _dirty(value: Any) -> bool:
    """Whether `_scrub` would change anything. `str.isprintable` (C speed) clears
    nearly every string: controls, bidi and zero-width characters are not printable."""
    if isinstance(value, str):
        return not value.isprintable() and _scrub(value) != value
    if isinstance(value, list):
        return any(_dirty(v) for v in value)
    if isinstance(value, dict):
        return any(_dirty(k) or _dirty(v) for k, v in value.items())
    if isinstance(value, Citation):
        return _dirty(value.source) or _dirty(value.quote) or _dirty(value.extra)
    return False


def _clean_table(table: dict[str, Any], cls: type) -> dict[str, Any] | None:
    """A scrubbed copy of one table, or None when nothing in it needs it."""
    names = [name for name in cls.__slots__ if not name.startswith("_")]
    dirty = [key for key, item in table.items() if _dirty(key) or any(_dirty(getattr(item, n)) for n in names)]
    if not dirty:
        return None
    clean = dict(table)
    for key in dirty:
        clean[key] = cls.from_dict(_scrub(table[key].to_dict()))
    # A key may change too; rebuild in the same order.
    return {_scrub(k): v for k, v in clean.items()}


def scrubbed(graph: Graph) -> Graph:
    """The graph as every export writes it: an ESC or a bidi override in a store
    (or an imported file) never reaches a spreadsheet, a viewer or a terminal.
    The graph itself when nothing needs cleaning, as in any curated store."""
    data = graph.data
    tables = [_clean_table(data.actors, Actor), _clean_table(data.ties, Tie), _clean_table(data.sources, Source)]
    meta = _scrub(data.meta) if _dirty(data.meta) else None
    if all(t is None for t in tables) and meta is None:
        return graph
    actors, ties, sources = (
        t if t is not None else original
        for t, original in zip(tables, (data.actors, data.ties, data.sources), strict=True)
    )
    return Graph(StoreData(actors=actors, ties=ties, sources=sources, meta=meta or data.meta, path=data.path))


# -- records shared by the flat formats -----------------------------------------
def _documents(citations) -> str:
    return LIST_SEPARATOR.join(dict.fromkeys(c.source for c in citations))


def node_record(actor: Actor) -> dict[str, Any]:
    return {
        "label": actor.name,
        "kind": actor.kind,
        "aliases": LIST_SEPARATOR.join(actor.aliases),
        "summary": actor.summary,
        "born": actor.born,
        "founded": actor.founded,
        "died": actor.died,
        "ended": actor.ended,
        "possible_duplicate_of": actor.possible_duplicate_of,
        "documents": _documents(actor.citations),
    }


def edge_record(tie: Tie) -> dict[str, Any]:
    return {
        "label": tie.wording_from(tie.source),
        "tie_type": tie.type,
        "directed": tie.directed,
        "status": tie.status,
        "claimant": tie.claimant,
        "role": tie.role,
        "start_date": tie.start,
        "end_date": tie.end,
        "summary": tie.summary,
        "documents": _documents(tie.citations),
        "quote": tie.citations[0].quote if tie.citations else None,
        "citations_json": orjson.dumps([c.to_dict() for c in tie.citations]).decode(),
    }


# -- JSON ---------------------------------------------------------------------
def to_json_data(graph: Graph, selection: Selection) -> dict[str, Any]:
    actors = [graph.actors[a] for a in selection.actor_ids]
    ties = [graph.ties[t] for t in selection.tie_ids]
    if selection.whole:
        sources = list(graph.data.sources.values())
    else:
        cited = {c.source for item in [*actors, *ties] for c in item.citations}
        sources = [s for s in graph.data.sources.values() if s.id in cited]
    return {
        "actors": [actor_json(graph, a) for a in actors],
        "ties": [tie_json(graph, t) for t in ties],
        "sources": [source_json(s) for s in sources],
    }


def to_json(graph: Graph, selection: Selection) -> str:
    return b"".join(iter_json(graph, selection)).decode()


def iter_json(graph: Graph, selection: Selection, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The bytes of `to_json_data` as indented JSON, a record at a time: a whole
    SQLite store is written out without ever being in memory at once."""
    from .sqlstore import _indent

    if selection.whole:
        actors: Iterable[Actor] = graph.actors.values()
        ties: Iterable[Tie] = graph.ties.values()
        sources: Iterable[Source] = graph.data.sources.values()
    else:
        data = to_json_data(graph, selection)
        actors, ties, sources = data["actors"], data["ties"], data["sources"]
    tables = (
        (b"actors", actors, (lambda a: actor_json(graph, a)) if selection.whole else None),
        (b"ties", ties, (lambda t: tie_json(graph, t)) if selection.whole else None),
        (b"sources", sources, source_json if selection.whole else None),
    )
    yield b"{"
    for position, (name, records, as_json) in enumerate(tables):
        yield (b"\n" if position == 0 else b",\n") + b'  "' + name + b'": '
        empty = True
        for record in records:
            body = as_json(record) if as_json is not None else record
            yield (b"[\n" if empty else b",\n") + b"    " + _indent(orjson.dumps(body, option=orjson.OPT_INDENT_2), 4)
            empty = False
            if progress is not None:
                progress(1)
        yield b"[]" if empty else b"\n  ]"
    yield b"\n}\n"


# -- CSV ----------------------------------------------------------------------
NODE_COLUMNS = ["Id", *(name for name, _ in NODE_FIELDS)]
# Id/Source/Target/Type/Label are Gephi's spreadsheet-import columns; Type is
# the edge direction there ("Directed"/"Undirected"), never the tie type.
EDGE_COLUMNS = ["Id", "Source", "Target", "Type", *(name for name, _ in EDGE_FIELDS)]


# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|..., @SUM...): OWASP's "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any, formula_guard: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if formula_guard and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(graph: Graph, selection: Selection, formula_guard: bool = True) -> tuple[str, str]:
    """(nodes file text, edges file text).

    With `formula_guard`, a cell a spreadsheet would run as a formula gets a
    leading `'`; pipelines that read the cells verbatim turn it off.
    """
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(NODE_COLUMNS)
    for actor_id in selection.actor_ids:
        record = node_record(graph.actors[actor_id])
        writer.writerow([_csv_cell(v, formula_guard) for v in (actor_id, *(record[name] for name, _ in NODE_FIELDS))])
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(EDGE_COLUMNS)
    for tie_id in selection.tie_ids:
        tie = graph.ties[tie_id]
        record = edge_record(tie)
        direction = "Directed" if tie.directed else "Undirected"
        cells = (tie.id, tie.source, tie.target, direction, *(record[name] for name, _ in EDGE_FIELDS))
        writer.writerow([_csv_cell(v, formula_guard) for v in cells])
    return nodes.getvalue(), edges.getvalue()


# -- XML helpers ----------------------------------------------------------------
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: Any) -> str:
    """A value as XML 1.0 can carry it.

    Characters XML forbids are dropped, and line ends become "\\n" because every
    XML parser turns a bare carriage return in text into a newline anyway.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("", text)


def _xml_string(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- GraphML ------------------------------------------------------------------
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def to_graphml(graph: Graph, selection: Selection) -> str:
    root = ET.Element(
        "graphml",
        {
            "xmlns": GRAPHML_NS,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd",
        },
    )
    node_keys: dict[str, str] = {}
    edge_keys: dict[str, str] = {}
    for scope, fields, keys in (("node", NODE_FIELDS, node_keys), ("edge", EDGE_FIELDS, edge_keys)):
        for name, kind in fields:
            key_id = f"{scope[0]}_{name}"
            keys[name] = key_id
            ET.SubElement(root, "key", {"id": key_id, "for": scope, "attr.name": name, "attr.type": kind})
    body = ET.SubElement(root, "graph", {"id": xml_text(graph.data.name), "edgedefault": "directed"})

    def add_data(element: ET.Element, record: dict[str, Any], keys: dict[str, str]) -> None:
        for name, value in record.items():
            if value is None:
                continue
            ET.SubElement(element, "data", {"key": keys[name]}).text = xml_text(value)

    for actor_id in selection.actor_ids:
        node = ET.SubElement(body, "node", {"id": xml_text(actor_id)})
        add_data(node, node_record(graph.actors[actor_id]), node_keys)
    for tie_id in selection.tie_ids:
        tie = graph.ties[tie_id]
        edge = ET.SubElement(
            body, "edge", {"id": xml_text(tie.id), "source": xml_text(tie.source), "target": xml_text(tie.target)}
        )
        add_data(edge, edge_record(tie), edge_keys)
    return _xml_string(root)


# -- GEXF ---------------------------------------------------------------------
GEXF_NS = "http://www.gexf.net/1.2draft"
_GEXF_TYPES = {"string": "string", "boolean": "boolean", "int": "integer"}


def widened(value: str | None, last: bool) -> str | None:
    """A partial date as the full day a timeline needs: its first day for a
    start, its last for an end ('2020-02' ends on 2020-02-29)."""
    if not value or not is_partial_date(value):
        return None
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if last else 1)
    if len(parts) > 2:
        day = parts[2]
    else:
        day = calendar.monthrange(year, month)[1] if last else 1
    return f"{year:04d}-{month:02d}-{day:02d}"


def _add_spell(element: ET.Element, start: str | None, end: str | None) -> None:
    """A GEXF spell for Gephi's timeline; an undated item has none and shows throughout."""
    spell = {k: v for k, v in (("start", widened(start, False)), ("end", widened(end, True))) if v}
    if spell:
        ET.SubElement(ET.SubElement(element, "spells"), "spell", spell)


def to_gexf(graph: Graph, selection: Selection) -> str:
    """GEXF in dynamic mode: actors and ties carry spells from their dates, so
    Gephi's timeline plays the network's history."""
    root = ET.Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd",
            "version": "1.2",
        },
    )
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "khorasan"
    ET.SubElement(meta, "description").text = xml_text(graph.data.name)
    body = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date"})
    # label is a native GEXF attribute of nodes and edges, not a column.
    node_columns = [(n, t) for n, t in NODE_FIELDS if n != "label"]
    edge_columns = [(n, t) for n, t in EDGE_FIELDS if n != "label"]
    for scope, columns in (("node", node_columns), ("edge", edge_columns)):
        attributes = ET.SubElement(body, "attributes", {"class": scope, "mode": "static"})
        for name, kind in columns:
            ET.SubElement(attributes, "attribute", {"id": name, "title": name, "type": _GEXF_TYPES[kind]})

    def add_values(element: ET.Element, record: dict[str, Any], columns) -> None:
        values = [(name, record[name]) for name, _ in columns if record[name] is not None]
        if not values:
            return
        holder = ET.SubElement(element, "attvalues")
        for name, value in values:
            ET.SubElement(holder, "attvalue", {"for": name, "value": xml_text(value)})

    nodes = ET.SubElement(body, "nodes")
    for actor_id in selection.actor_ids:
        actor = graph.actors[actor_id]
        record = node_record(actor)
        node = ET.SubElement(nodes, "node", {"id": xml_text(actor_id), "label": xml_text(record["label"])})
        add_values(node, record, node_columns)
        _add_spell(node, actor.start, actor.end)
    edges = ET.SubElement(body, "edges")
    for tie_id in selection.tie_ids:
        tie = graph.ties[tie_id]
        record = edge_record(tie)
        edge = ET.SubElement(
            edges,
            "edge",
            {
                "id": xml_text(tie.id),
                "source": xml_text(tie.source),
                "target": xml_text(tie.target),
                "label": xml_text(record["label"]),
            },
        )
        add_values(edge, record, edge_columns)
        _add_spell(edge, tie.start, tie.end)
    return _xml_string(root)


# -- DOT ----------------------------------------------------------------------
_DOT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KIND_SHAPES = {
    "group": "box",
    "person": "ellipse",
    "state": "box3d",
    "agency": "component",
    "organization": "note",
    "event": "diamond",
    "place": "house",
}
_STATUS_STYLES = {"reported": "solid", "alleged": "dashed", "claimed": "dotted"}


def dot_string(value: Any) -> str:
    """A double-quoted DOT string that graphviz reads back as `value`.

    Backslashes are doubled (graphviz gives `\\n`, `\\l`, `\\N`... meaning in
    labels), quotes escaped, and line ends turned into the `\\n` escape so a
    name never spans lines or ends a statement early.
    """
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + _DOT_CONTROL.sub("", text) + '"'


def _dot_attributes(attributes: dict[str, Any]) -> str:
    return ", ".join(f"{name}={dot_string(value)}" for name, value in attributes.items() if value is not None)


def to_dot(graph: Graph, selection: Selection) -> str:
    lines = [
        f"digraph {dot_string(graph.data.name)} {{",
        '  graph [rankdir="LR", overlap="false", charset="UTF-8"];',
        '  node [fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="8"];',
    ]
    for actor_id in selection.actor_ids:
        actor = graph.actors[actor_id]
        attributes = {
            "label": actor.name,
            "shape": _KIND_SHAPES.get(actor.kind, "box"),
            "tooltip": f"{actor.name} ({actor.kind})",
            "kind": actor.kind,
        }
        lines.append(f"  {dot_string(actor_id)} [{_dot_attributes(attributes)}];")
    for tie_id in selection.tie_ids:
        tie = graph.ties[tie_id]
        record = edge_record(tie)
        attributes = {
            "id": tie.id,
            "label": record["label"],
            "style": _STATUS_STYLES.get(tie.status, "solid"),
            "dir": None if tie.directed else "none",
            "tooltip": record["quote"],
            "tie_type": tie.type,
            "status": tie.status,
        }
        lines.append(f"  {dot_string(tie.source)} -> {dot_string(tie.target)} [{_dot_attributes(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
