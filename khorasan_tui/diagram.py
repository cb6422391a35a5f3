"""A neighbourhood drawn as text: the centre actor in a double box, its
neighbours in one box per tie type (and direction) on either side, joined to
the centre by labelled lines.

Pure layout over `graph.Graph`, no textual: the result is a grid of cells with
style names and the positions of the nodes, so the UI only paints it and moves
a focus between nodes, and tests can read it as plain lines.

    ┌─✕ hostile to (25)───┐                      ┌─⊙ operates in (26)──┐
    │ ⚑ Taliban           ├─✕─┐              ┌─⊙▶┤ ▣ Afghanistan       │
    │ ⚑ al Qaeda          │   │ ╔══════════╗ │   │ ▣ Pakistan          │
    │ … and 23 more       │   └─╢ ⚑ ISKP   ╟─┤   │ … and 24 more       │
    └─────────────────────┘     ╚══════════╝     └─────────────────────┘
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rich.cells import cell_len

from .graph import ALL_TIES, Graph, TieFilter
from .model import KIND_GLYPHS, STATUS_GLYPHS, STATUSES, TIE_TYPES, Tie, strip_control

# One narrow glyph per tie type, so an edge says its type without colour.
TIE_GLYPHS: dict[str, str] = {
    "leads": "★",
    "member_of": "∈",
    "founded": "✱",
    "faction_of": "⊂",
    "emerged_from": "⇑",
    "supports": "⊕",
    "recruits_from": "«",
    "succeeded": "↻",
    "carried_out": "✸",
    "targeted": "⊗",
    "located_in": "⌂",
    "operates_in": "⊙",
    "family": "∞",
    "allied_with": "≡",
    "cooperates_with": "≈",
    "affiliated_with": "∼",
    "hostile_to": "✕",
    "negotiates_with": "⇄",
}
UNKNOWN_TIE_GLYPH = "?"

# Style names per family of tie types; the UI maps them to colours.
TYPE_FAMILIES: dict[str, str] = {
    "hostile_to": "hostile",
    "targeted": "hostile",
    "supports": "cooperative",
    "allied_with": "cooperative",
    "cooperates_with": "cooperative",
    "leads": "structure",
    "member_of": "structure",
    "founded": "structure",
    "faction_of": "structure",
    "emerged_from": "structure",
    "succeeded": "structure",
    "family": "structure",
    "carried_out": "action",
    "recruits_from": "action",
    "located_in": "place",
    "operates_in": "place",
}

FOCUS_MARK = "»"
ARROW_RIGHT = "▶"
ARROW_LEFT = "◀"
DEFAULT_CAP = 5
SECOND_RING_CAP = 3
GAP = 5  # cells between a column of boxes and the centre: connector, glyph, connector, bus, stub
MIN_BOX = 18
MAX_BOX = 40

_DIRS_TO_CHAR = {
    frozenset("NS"): "│",
    frozenset("EW"): "─",
    frozenset("NE"): "└",
    frozenset("NW"): "┘",
    frozenset("SE"): "┌",
    frozenset("SW"): "┐",
    frozenset("NSE"): "├",
    frozenset("NSW"): "┤",
    frozenset("EWS"): "┬",
    frozenset("EWN"): "┴",
    frozenset("NSEW"): "┼",
    frozenset("N"): "│",
    frozenset("S"): "│",
    frozenset("E"): "─",
    frozenset("W"): "─",
}


def tie_glyph(tie_type: str) -> str:
    return TIE_GLYPHS.get(tie_type, UNKNOWN_TIE_GLYPH)


def clean(text: object) -> str:
    """One line of untrusted text for the canvas."""
    value = "" if text is None else str(text)
    return strip_control(value.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


# -- what to draw ------------------------------------------------------------------


@dataclass(slots=True)
class SecondRing:
    actor_id: str
    tie_type: str


@dataclass(slots=True)
class Member:
    actor_id: str
    statuses: frozenset[str]
    second: list[SecondRing] = field(default_factory=list)
    second_total: int = 0


@dataclass(slots=True)
class Group:
    key: str  # "type:wording", unique per type and direction
    tie_type: str
    wording: str  # the tie in words from the centre: "led by"
    direction: str  # "out" (centre is the source), "in", or "both" (undirected)
    members: list[Member]
    shown: int  # members drawn; the rest are "… and N more"

    @property
    def total(self) -> int:
        return len(self.members)

    @property
    def hidden(self) -> int:
        return self.total - self.shown


def neighbour_groups(
    graph: Graph,
    centre: str,
    depth: int = 1,
    tie_filter: TieFilter = ALL_TIES,
    cap: int = DEFAULT_CAP,
    expanded: frozenset[str] = frozenset(),
    second_cap: int = SECOND_RING_CAP,
) -> list[Group]:
    """The centre's neighbours grouped by tie type and direction, biggest group first."""
    by_group: dict[tuple[str, str], dict[str, list[Tie]]] = defaultdict(lambda: defaultdict(list))
    ties, ends = _neighbour_ties(graph, centre, tie_filter)
    for tie in ties:
        other = tie.other(centre)
        if other == centre or other not in ends:
            continue
        by_group[(tie.type, tie.wording_from(centre))][other].append(tie)
    groups = []
    for (tie_type, wording), members in by_group.items():
        spec = TIE_TYPES.get(tie_type)
        first = next(iter(members.values()))[0]
        if spec is not None and not spec.directed:
            direction = "both"
        else:
            direction = "out" if first.source == centre else "in"
        ordered = sorted(members, key=lambda a: (-ends[a][0], ends[a][1], a))
        key = f"{tie_type}:{wording}"
        shown = len(ordered) if key in expanded or len(ordered) <= cap + 1 else cap
        built = []
        for position, actor_id in enumerate(ordered):
            member = Member(actor_id, frozenset(t.status for t in members[actor_id]))
            if depth >= 2 and position < shown:  # a hub's hidden members would cost their every tie
                member.second, member.second_total = _second_ring(graph, actor_id, centre, tie_filter, second_cap)
            built.append(member)
        groups.append(Group(key, tie_type, wording, direction, built, shown))
    groups.sort(key=lambda g: (-g.total, g.tie_type, g.wording))
    return groups


def _neighbour_ties(graph: Graph, actor_id: str, tie_filter: TieFilter) -> tuple[list[Tie], dict[str, tuple[int, str]]]:
    """An actor's ties the filter takes, and (degree, folded name) of each other end
    that exists: what the groups are sorted by. On a SQLite store one indexed query
    (no quote parsed, no actor read one by one: a hub has thousands)."""
    if graph.lazy and tie_filter.document is None:
        rows = graph.tie_rows(actor_id)
        ties = [t for t, _, _ in rows if tie_filter.accepts(t)]
        return ties, {t.other(actor_id): (degree, name) for t, name, degree in rows if name is not None}
    ties = graph.ties_of(actor_id, tie_filter)
    others = {t.other(actor_id) for t in ties}
    return ties, {a: (graph.degree(a), graph.actors[a].name.casefold()) for a in others if a in graph.actors}


def _second_ring(
    graph: Graph, actor_id: str, centre: str, tie_filter: TieFilter, cap: int
) -> tuple[list[SecondRing], int]:
    seen: dict[str, str] = {}
    ties, ends = _neighbour_ties(graph, actor_id, tie_filter)
    for tie in ties:
        other = tie.other(actor_id)
        if other in (actor_id, centre) or other not in ends:
            continue
        seen.setdefault(other, tie.type)
    ordered = sorted(seen, key=lambda a: (-ends[a][0], ends[a][1], a))
    return [SecondRing(a, seen[a]) for a in ordered[:cap]], len(ordered)


# -- the canvas --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A place the focus can rest: an actor, or a group's "… and N more"."""

    actor_id: str | None  # None for "… and N more"
    row: int
    start: int  # first cell of its text; the focus mark goes in the cell before
    end: int  # one past its last cell
    column: int  # 0 left, 1 centre, 2 right
    group: str  # Group.key, "" for the centre
    depth: int  # 0 centre, 1 neighbour, 2 neighbour's neighbour


@dataclass
class Diagram:
    centre: str
    width: int
    cells: list[list[str]]
    styles: list[list[str | None]]
    nodes: list[Node]
    groups: list[Group]
    legend_start: int  # first row of the legend

    @property
    def height(self) -> int:
        return len(self.cells)

    def line(self, y: int) -> str:
        return "".join(self.cells[y])

    def lines(self) -> list[str]:
        return [self.line(y).rstrip() for y in range(self.height)]

    def runs(self, y: int, focus: int | None = None) -> list[tuple[str, str | None]]:
        """Row `y` as (text, style name) runs; the focused node is marked and styled "focus"."""
        cells = list(self.cells[y])
        styles = list(self.styles[y])
        if focus is not None and 0 <= focus < len(self.nodes) and self.nodes[focus].row == y:
            node = self.nodes[focus]
            if node.start > 0:
                cells[node.start - 1] = FOCUS_MARK
                styles[node.start - 1] = "focus"
            for x in range(node.start, node.end):
                styles[x] = "focus"
        runs: list[tuple[str, str | None]] = []
        for ch, style in zip(cells, styles):
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + ch, style)
            else:
                runs.append((ch, style))
        return runs


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.cells = [[" "] * width for _ in range(height)]
        self.styles: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.links: dict[tuple[int, int], set[str]] = defaultdict(set)
        self.link_styles: dict[tuple[int, int], str] = {}

    def put(self, x: int, y: int, text: str, style: str | None = None, limit: int | None = None) -> int:
        """Write `text` from cell x, never past `limit`; returns the cell after it."""
        limit = self.width if limit is None else min(limit, self.width)
        for ch in text:
            w = cell_len(ch)
            if w == 0:
                if x > 0:
                    self.cells[y][x - 1] += ch
                continue
            if x + w > limit:
                break
            self.cells[y][x] = ch
            self.styles[y][x] = style
            for extra in range(1, w):
                self.cells[y][x + extra] = ""
                self.styles[y][x + extra] = style
            x += w
        return x

    def link(self, x: int, y: int, dirs: str, style: str | None = None) -> None:
        self.links[(x, y)].update(dirs)
        if style is not None:
            self.link_styles.setdefault((x, y), style)

    def hline(self, y: int, x0: int, x1: int, style: str | None = None) -> None:
        for x in range(x0, x1 + 1):
            self.link(x, y, ("W" if x > x0 else "") + ("E" if x < x1 else ""), style)

    def vline(self, x: int, y0: int, y1: int, style: str | None = None) -> None:
        for y in range(y0, y1 + 1):
            self.link(x, y, ("N" if y > y0 else "") + ("S" if y < y1 else ""), style)

    def draw_links(self) -> None:
        for (x, y), dirs in self.links.items():
            char = _DIRS_TO_CHAR.get(frozenset(dirs))
            if char and 0 <= x < self.width:
                self.cells[y][x] = char
                self.styles[y][x] = self.link_styles.get((x, y), "line")


@dataclass(slots=True)
class _Box:
    group: Group
    height: int
    width: int
    top: int = 0
    column: int = 2

    @property
    def connect_row(self) -> int:
        return self.top + 1


def _box_height(group: Group) -> int:
    lines = 0
    for member in group.members[: group.shown]:
        lines += 1 + len(member.second) + (1 if member.second_total > len(member.second) else 0)
    if group.hidden:
        lines += 1
    return lines + 2


def _stack(boxes: list[_Box]) -> int:
    y = 0
    for box in boxes:
        box.top = y
        y += box.height + 1
    return max(y - 1, 0)


def _centre_lines(name: str, info: str, inner: int) -> list[str]:
    words = name.split() or [""]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if cell_len(candidate) <= inner or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > 3:
        lines = [*lines[:2], " ".join(lines[2:])]
    return [fit(line, inner) for line in lines] + [fit(info, inner)]


def layout(
    graph: Graph,
    centre: str,
    depth: int = 1,
    tie_filter: TieFilter = ALL_TIES,
    width: int = 78,
    view_height: int = 20,
    cap: int = DEFAULT_CAP,
    expanded: frozenset[str] = frozenset(),
) -> Diagram:
    """Draw `centre` and its neighbours in about `width` cells.

    Groups go to the left and right of the centre, largest first, each side
    kept about as tall as the other; below about 62 cells every group goes to
    the right. The centre sits level with the middle of the drawing when the
    drawing fits in `view_height` rows, else at the top so it is seen first.
    """
    actor = graph.actors[centre]
    groups = neighbour_groups(graph, centre, depth, tie_filter, cap, expanded)
    name = clean(actor.name)
    info = f"{actor.kind} · {graph.degree(centre)} ties"
    centre_w = min(max(cell_len(name) + 6, cell_len(info) + 6, 16), 24)
    two_sided = width >= 2 * MIN_BOX + centre_w + 2 * GAP and len(groups) > 1
    if two_sided:
        box_w = max(MIN_BOX, min(MAX_BOX, (width - centre_w - 2 * GAP) // 2))
    else:
        box_w = max(MIN_BOX + 4, min(MAX_BOX + 10, width - centre_w - GAP))

    boxes = [_Box(g, _box_height(g), box_w) for g in groups]
    left: list[_Box] = []
    right: list[_Box] = []
    for box in boxes:
        if two_sided and sum(b.height + 1 for b in left) < sum(b.height + 1 for b in right):
            box.column = 0
            left.append(box)
        else:
            right.append(box)
    stacks_h = max(_stack(left), _stack(right))

    inner = centre_w - 4
    centre_text = _centre_lines(name, info, inner - 2)
    centre_h = len(centre_text) + 2
    body_h = max(stacks_h, centre_h)
    centre_top = (body_h - centre_h) // 2 if body_h <= view_height else 0
    centre_top = min(centre_top, max(body_h - centre_h, 0))

    left_w = box_w if left else 0
    centre_x = left_w + GAP if left else 0
    right_x = centre_x + centre_w + GAP
    total_w = right_x + (box_w if right else 0)
    if not right:
        total_w = centre_x + centre_w

    legend = _legend_lines(groups, max(total_w, min(width, 60)))
    canvas_w = max(total_w, max((cell_len(line) for line in legend), default=0))
    canvas = _Canvas(canvas_w, body_h + 1 + len(legend))
    nodes: list[Node] = []

    # centre box
    cy0 = centre_top
    canvas.put(centre_x, cy0, "╔" + "═" * (centre_w - 2) + "╗", "centre-border")
    for i, text in enumerate(centre_text):
        y = cy0 + 1 + i
        canvas.put(centre_x, y, "║", "centre-border")
        canvas.put(centre_x + centre_w - 1, y, "║", "centre-border")
        if i == 0:
            glyph = KIND_GLYPHS.get(actor.kind, "?")
            end = canvas.put(centre_x + 2, y, f"{glyph} {text}", "centre", limit=centre_x + centre_w - 2)
            nodes.append(Node(centre, y, centre_x + 2, end, 1, "", 0))
        elif i < len(centre_text) - 1:
            canvas.put(centre_x + 4, y, text, "centre", limit=centre_x + centre_w - 2)
        else:
            canvas.put(centre_x + 2, y, text, "dim", limit=centre_x + centre_w - 2)
    canvas.put(centre_x, cy0 + centre_h - 1, "╚" + "═" * (centre_w - 2) + "╝", "centre-border")
    centre_row = cy0 + 1

    if not groups:
        canvas.put(centre_x + centre_w + 2, centre_row, "no ties to show", "dim")

    # group boxes and their lines
    box_nodes: dict[str, list[Node]] = {}
    for box in boxes:
        x = 0 if box.column == 0 else right_x
        box_nodes[box.group.key] = _draw_box(canvas, graph, box, x)
    for side, column_boxes in ((0, left), (2, right)):
        if not column_boxes:
            continue
        if side == 0:
            bus_x = left_w + 3
            canvas.put(centre_x, centre_row, "╢", "centre-border")
            canvas.hline(centre_row, bus_x, centre_x - 1)
        else:
            bus_x = centre_x + centre_w + 1
            canvas.put(centre_x + centre_w - 1, centre_row, "╟", "centre-border")
            canvas.hline(centre_row, centre_x + centre_w, bus_x)
        rows = [b.connect_row for b in column_boxes]
        canvas.vline(bus_x, min([*rows, centre_row]), max([*rows, centre_row]))
        for box in column_boxes:
            _draw_connector(canvas, box, side, left_w, right_x, bus_x)
    canvas.draw_links()

    # nodes in reading order: centre, then groups as sorted
    for group in groups:
        nodes.extend(box_nodes[group.key])

    legend_start = body_h + 1
    for i, line in enumerate(legend):
        canvas.put(0, legend_start + i, line, "legend")
    return Diagram(centre, canvas_w, canvas.cells, canvas.styles, nodes, groups, legend_start)


def _draw_box(canvas: _Canvas, graph: Graph, box: _Box, x: int) -> list[Node]:
    group = box.group
    family = f"type-{TYPE_FAMILIES.get(group.tie_type, 'other')}"
    w = box.width
    right = x + w - 1
    y = box.top
    count = f" ({group.total})"
    head = f"─{tie_glyph(group.tie_type)} "
    title = head + fit(clean(group.wording), w - 2 - cell_len(head) - cell_len(count)) + count
    canvas.put(x, y, "┌", "border")
    end = canvas.put(x + 1, y, title, family)
    canvas.put(end, y, "─" * (right - end), "border")
    canvas.put(right, y, "┐", "border")
    nodes: list[Node] = []
    row = y + 1
    inner_end = right - 1  # last usable cell, leaving a space before the border

    def side_borders(r: int) -> None:
        canvas.put(x, r, "│", "border")
        canvas.put(right, r, "│", "border")

    for member in group.members[: group.shown]:
        side_borders(row)
        actor = graph.actors[member.actor_id]
        status = _weakest_status(member.statuses)
        status_room = 2 if status else 0
        label = f"{KIND_GLYPHS.get(actor.kind, '?')} {clean(actor.name)}"
        start = x + 2
        label = fit(label, inner_end - start - status_room)
        end = canvas.put(start, row, label, "name")
        if status:
            canvas.put(inner_end - 1, row, STATUS_GLYPHS[status], "status")
        nodes.append(Node(member.actor_id, row, start, end, box.column, group.key, 1))
        row += 1
        more = member.second_total - len(member.second)
        for i, ring in enumerate(member.second):
            side_borders(row)
            last = i == len(member.second) - 1 and more <= 0
            canvas.put(x + 3, row, "└" if last else "├", "line")
            canvas.put(x + 4, row, tie_glyph(ring.tie_type), f"type-{TYPE_FAMILIES.get(ring.tie_type, 'other')}")
            other = graph.actors[ring.actor_id]
            start = x + 6
            label = fit(f"{KIND_GLYPHS.get(other.kind, '?')} {clean(other.name)}", inner_end - start)
            end = canvas.put(start, row, label, "name2")
            nodes.append(Node(ring.actor_id, row, start, end, box.column, group.key, 2))
            row += 1
        if more > 0:
            side_borders(row)
            canvas.put(x + 3, row, "└", "line")
            canvas.put(x + 6, row, fit(f"+{more} more", inner_end - x - 6), "dim")
            row += 1
    if group.hidden:
        side_borders(row)
        start = x + 2
        end = canvas.put(start, row, fit(f"… and {group.hidden} more", inner_end - start), "more")
        nodes.append(Node(None, row, start, end, box.column, group.key, 1))
        row += 1
    canvas.put(x, row, "└" + "─" * (w - 2) + "┘", "border")
    return nodes


def _draw_connector(canvas: _Canvas, box: _Box, side: int, left_w: int, right_x: int, bus_x: int) -> None:
    """Box edge, then [arrow or line, type glyph, arrow or line], then the bus."""
    group = box.group
    family = f"type-{TYPE_FAMILIES.get(group.tie_type, 'other')}"
    y = box.connect_row
    glyph = tie_glyph(group.tie_type)
    if side == 0:
        canvas.put(left_w - 1, y, "├", "border")
        near_box = ARROW_LEFT if group.direction == "out" else "─"
        near_bus = ARROW_RIGHT if group.direction == "in" else "─"
        canvas.put(left_w, y, near_box + glyph + near_bus, family)
        canvas.link(bus_x, y, "W")
    else:
        canvas.put(right_x, y, "┤", "border")
        near_bus = ARROW_LEFT if group.direction == "in" else "─"
        near_box = ARROW_RIGHT if group.direction == "out" else "─"
        canvas.put(bus_x + 1, y, near_bus + glyph + near_box, family)
        canvas.link(bus_x, y, "E")


def _weakest_status(statuses: frozenset[str]) -> str | None:
    """The status glyph a member shows: none when some document reports the tie."""
    if not statuses or "reported" in statuses:
        return None
    order = list(STATUSES)
    known = [s for s in statuses if s in order]
    return max(known, key=order.index) if known else None


def _legend_lines(groups: list[Group], width: int) -> list[str]:
    items = []
    seen = set()
    for group in groups:
        if group.tie_type not in seen:
            seen.add(group.tie_type)
            items.append(f"{tie_glyph(group.tie_type)} {group.tie_type}")
    items.append(f"{ARROW_RIGHT}{ARROW_LEFT} source→target")
    items.append(f"{STATUS_GLYPHS['alleged']} alleged {STATUS_GLYPHS['claimed']} claimed")
    items.append(f"{FOCUS_MARK} focus")
    lines = []
    current = "Legend:"
    for item in items:
        if cell_len(current) + 3 + cell_len(item) > width and current != "Legend:":
            lines.append(current)
            current = "       " + item
        else:
            current = f"{current}  {item}" if current.strip() else current + item
    lines.append(current)
    return lines


# -- moving the focus --------------------------------------------------------------


def move_focus(diagram: Diagram, index: int, direction: str) -> int:
    """The node the focus moves to from `index`: "up", "down", "left", "right",
    "next" or "previous" (the next group); `index` itself when there is none."""
    nodes = diagram.nodes
    if not nodes:
        return index
    if not 0 <= index < len(nodes):
        return 0
    here = nodes[index]
    if direction in ("up", "down"):
        same = [i for i, n in enumerate(nodes) if n.column == here.column]
        same.sort(key=lambda i: (nodes[i].row, nodes[i].start))
        pos = same.index(index)
        step = -1 if direction == "up" else 1
        if 0 <= pos + step < len(same):
            return same[pos + step]
        return index
    if direction in ("left", "right"):
        columns = sorted({n.column for n in nodes})
        pos = columns.index(here.column) + (-1 if direction == "left" else 1)
        if not 0 <= pos < len(columns):
            return index
        target = columns[pos]
        candidates = [i for i, n in enumerate(nodes) if n.column == target]
        # prefer the node nearest in height, then the higher one
        return min(candidates, key=lambda i: (abs(nodes[i].row - here.row), nodes[i].row))
    if direction in ("next", "previous"):
        firsts: list[int] = []
        seen: set[str] = set()
        for i, node in enumerate(nodes):
            if node.group not in seen:
                seen.add(node.group)
                firsts.append(i)
        current = max((pos for pos, i in enumerate(firsts) if i <= index), default=0)
        step = 1 if direction == "next" else -1
        return firsts[(current + step) % len(firsts)]
    raise ValueError(f"unknown direction {direction!r}")
