"""Store data turned into rich Text for the panes: never markup, never raw ESC.

Every string from the store passes through `safe()` and lands in a `Text` as
plain characters, so a name like "[@click=app.quit]x[/]" is shown, not obeyed.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text
from textual.markup import escape

from ..graph import Graph
from ..model import (
    KIND_GLYPHS,
    SOURCE_GRADES,
    STATUS_GLYPHS,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    kind_label,
    plural,
)
from ..pathtext import Hop, actor_name, hop_facts

CONTESTED_GLYPH = "⚡"
CITATION_GLYPH = "❝"
DOCUMENTS_SHOWN = 10


def _visible(text: str, line_break: str) -> str:
    """Drop what a terminal would obey or hide: control characters (Cc: ESC above all)
    and format characters (Cf: bidi overrides U+202A-202E and U+2066-2069, zero-width
    U+200B-200D, U+2060, U+FEFF); line and paragraph separators become `line_break`."""
    if text.isprintable():  # the common case, checked in C
        return text
    kept = []
    for char in text:
        if char == "\n":
            kept.append(line_break)
            continue
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            kept.append(line_break)
        elif category == "Cc" and char == "\t":
            kept.append(" ")
        elif category not in ("Cc", "Cf"):
            kept.append(char)
    return "".join(kept)


def safe(value: object) -> str:
    """One line of untrusted text, fit to show anywhere (panes, toasts, titles,
    dialogs): invisible and control characters out, line breaks flattened.
    Put it in a `Text`/`Content` or a toast (KhorasanApp.notify never parses
    markup); never in a markup string."""
    text = "" if value is None else str(value)
    return _visible(text.replace("\r\n", "\n").replace("\r", "\n"), " ")


def safe_block(value: object) -> str:
    """Untrusted multi-line text: as `safe`, newlines kept."""
    text = "" if value is None else str(value)
    return _visible(text.replace("\r\n", "\n").replace("\r", "\n"), "\n")


def safe_markup(value: object) -> str:
    """`safe`, escaped for the few Textual APIs that take only markup strings
    (the command palette's help line)."""
    return escape(safe(value))


def crop_left(text: Text, width: int) -> Text:
    """The last `width` cells of a one-line text, '…' first: keeps the recent end of a trail."""
    if text.cell_len <= width:
        return text
    kept = cells = 0
    for char in reversed(text.plain):
        cells += cell_len(char)
        if cells > width - 1:
            break
        kept += 1
    cropped = Text("…", style="dim", no_wrap=True, overflow="ellipsis", end="")
    cropped.append_text(text[len(text) - kept :])
    return cropped


def when(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start}–{end}"
    if start:
        return f"{start}–"
    if end:
        return f"–{end}"
    return ""


def actor_row(graph: Graph, actor: Actor, width: int, matched: str | None = None) -> Text:
    """'⚑ Islamic State-Khorasan        122'; a search hit by alias adds it after
    the name ('☺ Aslam Farooqi aka Abdullah Orakzai'), so a narrow list cuts the
    alias, not the name."""
    count = str(graph.degree(actor.id))
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(KIND_GLYPHS.get(actor.kind, "?") + " ", style="bold")
    row.append(safe(actor.name))
    if matched == "summary":
        row.append(" (summary)", style="dim")
    elif matched and matched != actor.name:
        row.append(" aka ", style="dim")
        row.append(safe(matched), style="italic")
    room = width - len(count) - 1
    if row.cell_len > room:
        row.truncate(max(room, 1), overflow="ellipsis")
    row.pad_right(max(width - row.cell_len - len(count), 1))
    row.append(count, style="dim")
    return row


def tie_row(graph: Graph, tie: Tie, from_actor: str, width: int, contested: bool = False) -> Text:
    """'⚡● led by ☺ Haji Mali Khan (head)  reported · 2020– · ❝2'

    The status glyph comes first so it survives truncation on narrow screens.
    """
    other = graph.actors.get(tie.other(from_actor))
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(CONTESTED_GLYPH if contested else " ", style="bold")
    row.append(STATUS_GLYPHS.get(tie.status, "?") + " ", style="bold")
    row.append(tie.wording_from(from_actor), style="italic")
    row.append(" ")
    if other is not None:
        row.append(KIND_GLYPHS.get(other.kind, "?") + " ")
        row.append(safe(other.name), style="bold")
    if tie.role:
        row.append(f" ({safe(tie.role)})", style="dim")
    claimant = graph.actors.get(tie.claimant).name if tie.claimant in graph.actors else tie.claimant
    tail = [tie.status + (f" by {safe(claimant)}" if claimant else "")]
    span = when(tie.start, tie.end)
    if span:
        tail.append(span)
    tail.append(f"{CITATION_GLYPH}{len(tie.citations)}")
    row.append("  " + " · ".join(tail), style="dim" if tie.status == "reported" else "")
    return row


def type_header(tie_type: str, count: int) -> Text:
    spec = TIE_TYPES.get(tie_type)
    arrow = "→" if spec and spec.directed else "↔"
    return Text(f"── {tie_type} {arrow} ({count}) ", style="bold", no_wrap=True, end="")


Tallies = tuple[dict[str, int], list[str]]  # an actor's tie counts by type and its documents


def actor_tallies(graph: Graph, actor_id: str) -> Tallies:
    return graph.type_counts(actor_id), graph.documents_of(actor_id)


def actor_detail(graph: Graph, actor: Actor, tallies: Tallies | None = None, pending: bool = False) -> RenderableType:
    """The centre pane: who or what this is, and where the documents say so.

    `tallies` are the counts and documents when already worked out (a hub's, in
    a worker); `pending` says they are still being counted."""
    parts: list[RenderableType] = []
    parts.append(Text(safe(actor.name), style="bold"))
    parts.append(
        Text(f"{kind_label(actor.kind)} · id {safe(actor.id)} · {plural(graph.degree(actor.id), 'tie')}", style="dim")
    )
    if actor.possible_duplicate_of:
        parts.append(Text(f"⚠ possible duplicate of {safe(actor.possible_duplicate_of)}", style="bold"))
    if actor.aliases:
        aliases = Text("Also: ", style="bold")
        aliases.append("; ".join(safe(a) for a in actor.aliases))
        parts.append(aliases)
    dates = [f"{k} {getattr(actor, k)}" for k in ("born", "founded", "died", "ended") if getattr(actor, k)]
    if dates:
        parts.append(Text(" · ".join(dates)))
    if actor.summary:
        parts.append(Text(""))
        parts.append(Text(safe_block(actor.summary)))
    if pending:
        parts.append(Text(""))
        parts.append(Text("counting its ties and documents…", style="dim"))
        counts, documents = {}, []
    else:
        counts, documents = tallies or actor_tallies(graph, actor.id)
    if counts:
        parts.append(Text(""))
        parts.append(Text("Ties by type", style="bold underline"))
        for tie_type, n in counts.items():
            parts.append(Text(f"  {n:>3}  {tie_type}"))
    if documents:
        parts.append(Text(""))
        parts.append(Text(f"Documents ({len(documents)})", style="bold underline"))
        # A hub can be cited by hundreds of documents; listing them all made a
        # jump to it cost ~200 ms of layout. The sources screen (s) has them all.
        for doc_id in documents[:DOCUMENTS_SHOWN]:
            source = graph.data.sources.get(doc_id)
            line = Text("  ▤ ")
            line.append(safe(source.title if source else doc_id))
            meta = [safe(source.publisher)] if source and source.publisher else []
            if source and source.published:
                meta.append(published_label(source))
            if meta:
                line.append(f" ({', '.join(meta)})", style="dim")
            parts.append(line)
        if len(documents) > DOCUMENTS_SHOWN:
            parts.append(Text(f"  … and {len(documents) - DOCUMENTS_SHOWN} more (s: sources)", style="dim"))
    parts.append(Text(""))
    parts.append(
        Text(f"{CITATION_GLYPH} {plural(len(actor.citations), 'citation')} of its own · s: sources", style="dim")
    )
    return Group(*parts)


def published_label(source: Source) -> str:
    """'2023-05-01' as typed, '~2020-08' when the date is an estimate (it has a note)."""
    date = safe(source.published)
    return f"~{date}" if source.published_note else date


def tie_facts(graph: Graph, tie: Tie) -> Text:
    """'● reported · 2020–2021 · head' or '◌ claimed by Taliban …': what the tie
    row's tail says, on a line of its own so no width cuts it off."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(f"{STATUS_GLYPHS.get(tie.status, '?')} {tie.status}", style="bold")
    if tie.claimant:
        claimant = graph.actors.get(tie.claimant)
        text.append(f" by {safe(claimant.name if claimant else tie.claimant)}", style="bold")
    span = when(tie.start, tie.end)
    text.append(f" · {span}" if span else " · undated")
    if tie.role:
        text.append(f" · {safe(tie.role)}", style="italic")
    text.append(f" · {CITATION_GLYPH}{len(tie.citations)}", style="dim")
    return text


def tie_detail(graph: Graph, tie: Tie) -> Text:
    """The strip under the tie list: the highlighted tie's status, claimant and
    dates, how many documents agree, then the first quote behind it."""
    from ..analysis import corroboration  # on first use: start-up does not pay for the analysis module

    text = tie_facts(graph, tie)
    text.no_wrap = False
    agreeing = len(corroboration(graph, tie))
    if agreeing > 1:
        text.append(f" · {agreeing} documents agree", style="bold")
    text.append("\n")
    if not tie.citations:
        text.append("No citation.", style="italic")
        return text
    first = tie.citations[0]
    text.append_text(citation_row(graph, first.quote, first.source))
    if len(tie.citations) > 1:
        text.append(f"  (+{len(tie.citations) - 1} more, s)", style="dim")
    return text


def citation_copy(graph: Graph, citation: Citation) -> str:
    """'“quote” — Document title (publisher, 2020-08, id doc-id)': a quote as copied."""
    source = graph.data.sources.get(citation.source)
    meta = []
    if source is not None and source.publisher:
        meta.append(safe(source.publisher))
    if source is not None and source.published:
        meta.append(published_label(source))
    meta.append(f"id {safe(citation.source)}")
    title = safe(source.title) if source is not None else "unknown document"
    return f"“{safe(citation.quote)}” — {title} ({', '.join(meta)})"


def tie_copy(graph: Graph, tie: Tie, from_id: str) -> str:
    """A tie as copied: who, how, whom, its facts, then every quote with its document."""
    hop = Hop(tie, from_id, tie.other(from_id))
    lines = [
        f"{actor_name(graph, hop.from_id)} — {hop.wording} → {actor_name(graph, hop.to_id)}",
        f"  {hop_facts(graph, hop)}",
    ]
    lines += [f"  {citation_copy(graph, c)}" for c in tie.citations] or ["  (no citation)"]
    return "\n".join(lines) + "\n"


def citation_row(graph: Graph, quote: str, source_id: str) -> Text:
    """'❝ “quote…”  — Document title' on one line, for citation lists."""
    source = graph.data.sources.get(source_id)
    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(f"{CITATION_GLYPH} “{safe(quote)}”", style="italic")
    row.append(f"  — {safe(source.title if source else source_id)}", style="dim")
    return row


def grade_label(source: Source | None) -> str:
    """'grade B (usually reliable)' or 'ungraded': the document's Admiralty grade."""
    if source is None or not source.grade:
        return "ungraded"
    return f"grade {source.grade} ({SOURCE_GRADES.get(source.grade, '?')})"
