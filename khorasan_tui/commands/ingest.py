"""`khorasan ingest FILE|-`: read new reporting against the store.

With --dry-run nothing is written: the known actors it names, the names the
store does not know and the ties it suggests are printed. Otherwise the text is
stored next to the store (sources/) with its metadata, and with --accept-known
its sentences are cited on the existing ties they corroborate, all as one
undoable edit. New ties and actors are accepted only in the app's review.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..console_output import Printer, print_json
from ..ingest import Analysis, NewDocument, analyse, document_json, ingest_command
from ..model import TIE_TYPES
from .context import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, CliExit, Context, checked_date


def _read_text(name: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except FileNotFoundError:
        raise CliExit(EXIT_NOT_FOUND, f"{name}: no such file") from None
    except IsADirectoryError:
        raise CliExit(EXIT_USAGE, f"{name}: is a directory, not a document") from None
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"{name}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliExit(EXIT_USAGE, f"{name}: not UTF-8 text") from None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise CliExit(EXIT_USAGE, f"{name}: the document is empty")
    return text


def _end_name(end: dict[str, Any]) -> str:
    return end["name"] + (" (new)" if end.get("new") else "")


def _print(analysis_json: dict[str, Any], stored: bool, cited: list[str]) -> None:
    out = Printer()
    doc = analysis_json["document"]
    where = f"stored as {doc['id']}" if stored else "not stored (dry run)"
    out.line(f"{doc['title']} — {where}", style="bold")
    suggestions = analysis_json["suggestions"]
    corroborating = sum(1 for s in suggestions if s["existing_tie"])
    out.line(
        f"{doc['sentences']} sentences · {len(analysis_json['mentions'])} known actors · "
        f"{len(analysis_json['new_names'])} new names · {len(analysis_json['ambiguous'])} ambiguous · "
        f"{len(suggestions)} suggested ties ({corroborating} corroborate existing ties)"
    )
    if stored:
        out.line(
            f"Cited on {len(cited)} existing tie(s)."
            if cited
            else "No citations added (--accept-known adds them to the ties the document corroborates)."
        )
    out.blank()
    out.table(
        "Known actors",
        ["actor", "kind", "count"],
        [[m["actor"]["name"], m["actor"]["kind"], m["count"]] for m in analysis_json["mentions"]],
    )
    if analysis_json["ambiguous"]:
        out.table(
            "Ambiguous (not guessed)",
            ["text", "could be"],
            [[a["text"], "; ".join(c["name"] for c in a["candidates"])] for a in analysis_json["ambiguous"]],
        )
    if analysis_json["new_names"]:
        out.table(
            "New names",
            ["name", "kind (guessed)", "count"],
            [[n["name"], n["kind"], n["count"]] for n in analysis_json["new_names"]],
        )
    rows = []
    for s in suggestions:
        status = s["status"] + (f" by {s['claimant']['name']}" if s["claimant"] else "")
        when = "–".join(d for d in (s["start"], s["end"]) if d)
        rows.append(
            [
                _end_name(s["source"]),
                TIE_TYPES[s["type"]].forward,
                _end_name(s["target"]),
                status,
                when,
                f"{s['confidence']:.2f}",
                s["existing_tie"] or "new",
            ]
        )
    out.table("Suggested ties", ["source", "type", "target", "status", "dates", "conf.", "existing tie"], rows)


def run(ctx: Context) -> int:
    args = ctx.args
    text = _read_text(args.file)
    document = NewDocument(
        title=args.title,
        text=text,
        publisher=args.publisher,
        published=checked_date(args.published, "--published"),
        url=args.url,
        grade=args.grade,
    )
    problems = document.problems()
    if problems:
        raise CliExit(EXIT_USAGE, "; ".join(f"{k}: {v}" for k, v in problems.items()))
    if args.dry_run:
        graph = ctx.load()
        analysis = analyse(text, graph, published=document.published)
        analysis.document = document_json(document, None, analysis)
        return _report(ctx, analysis.to_json(graph), stored=False, cited=[])

    from .edit import _edit

    def change(editor) -> tuple[Analysis, Any]:
        editor.allow_warnings = True  # like an import: the document is stored, the review decides the rest
        analysis = analyse(text, editor.graph, published=document.published)
        accepted = [s for s in analysis.suggestions if s.existing_tie] if args.accept_known else []
        command = editor.commit(lambda: ingest_command(editor, accepted=accepted, document=document))
        return analysis, command

    editor, (analysis, command) = _edit(ctx, "ingest", change)
    source_id = next(c.key for c in command.changes if c.table == "sources")
    cited = [c.key for c in command.changes if c.table == "ties" and c.before is not None]
    analysis.document = document_json(document, source_id, analysis)
    payload = analysis.to_json(editor.graph)
    return _report(ctx, payload, stored=True, cited=cited)


def _report(ctx: Context, payload: dict[str, Any], stored: bool, cited: list[str]) -> int:
    if ctx.args.json:
        if stored:
            payload = {**payload, "stored": True, "cited_ties": cited}
        print_json(payload)
    else:
        _print(payload, stored, cited)
    return EXIT_OK
