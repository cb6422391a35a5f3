"""`khorasan import csv|ftm`: read the file, plan the import inside the one write
path (under the store's lock, on the store as it is then), keep the CSV as a
source document, save atomically, remember it for `khorasan undo`, report.
CSV and FollowTheMoney files share the planner's rules and this one path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import csv_import
from ..changes import Command, TextFile, diff
from ..edit import Editor
from ..model import plural
from .context import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, CliExit, Context
from .edit import _edit


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CliExit(EXIT_NOT_FOUND, f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliExit(EXIT_USAGE, f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"{path}: cannot be read ({exc.strerror or exc})") from None


def run(ctx: Context) -> int:
    args = ctx.args
    input_path = Path(args.file)
    raw = _read_input(input_path)
    try:
        options = csv_import.ImportOptions(
            source_title=args.source_title,
            file_name=input_path.name,
            source_id=args.source_id,
            publisher=args.publisher,
            mapping=csv_import.parse_mapping(args.map),
            values=csv_import.parse_values(args.value),
            merge_suggested=args.merge_suggested,
            default_kind=args.default_kind,
            dry_run=args.dry_run,
        )
        text, encoding = csv_import.decode(raw)
    except csv_import.ImportUsageError as exc:
        raise CliExit(EXIT_USAGE, str(exc)) from None
    if args.format == "ftm":
        from ..ftm import plan_import
    else:
        plan_import = csv_import.plan_import

    holder: dict[str, csv_import.ImportResult] = {}
    from ..progress import for_work

    # A big file's import takes a while in each step; say which one it is in.
    bar = for_work(text.count("\n"))

    def plan(data) -> csv_import.ImportResult:
        bar.phase(f"planning the import of {input_path.name}")
        try:
            options.merges = csv_import.parse_merges(args.merge, data)
            return plan_import(
                data,
                text,
                options,
                path_taken=lambda relative: (data.folder / relative).exists(),
                encoding=encoding,
            )
        except csv_import.ImportUsageError as exc:
            raise CliExit(EXIT_USAGE, str(exc)) from None
        except csv_import.ImportNotFound as exc:
            raise CliExit(EXIT_NOT_FOUND, str(exc)) from None

    with bar:
        bar.phase("reading the store")
        result = _run(ctx, plan, holder, bar)
    if args.json:
        from ..console_output import print_json

        print_json(result.report)
    else:
        _print_report(result.report)
    return EXIT_OK


def _run(ctx: Context, plan, holder: dict[str, csv_import.ImportResult], bar) -> csv_import.ImportResult:
    if ctx.args.dry_run:
        # A dry run writes nothing, so it need not wait for another writer.
        return plan(ctx.load().data)

    # Planned inside the write path, on the store as it is under the lock.
    def change(editor: Editor):
        def build() -> Command | None:
            planned = holder["result"] = plan(editor.data)
            if not planned.changed:
                return None
            bar.phase("checking and saving")
            files = [TextFile(planned.document_path, planned.document_text)]
            return Command(
                f"import {plural(planned.report['imported_ties'], 'tie')} from {planned.report['file']}",
                diff(editor.data, planned.data),
                files,
            )

        # A bulk import saves what the lints flag and lists it: the analyst
        # reviews the report rather than losing every row to one warning.
        editor.allow_warnings = True
        command = editor.commit(build)
        return [str(p) for p in editor.warnings_of(command)] if command.changes else []

    _, warnings = _edit(ctx, "import", change)
    result = holder["result"]
    result.report["saved"] = result.changed
    result.report["warnings"] = warnings
    return result


def _print_report(report: dict[str, Any]) -> None:
    from ..console_output import Printer

    out = Printer()
    source = report["source"]
    count = report["imported_ties"]
    if report["dry_run"]:
        headline = f"Dry run: would import {count} tie(s) from {report['file']} as source {source['id']!r}"
    elif report["saved"]:
        headline = f"Imported {count} tie(s) from {report['file']} as source {source['id']!r} ({source['path']})"
    else:
        headline = f"Nothing imported from {report['file']}: no row could be used"
    out.line(headline, style="bold")
    out.line(
        f"{report['rows']} row(s) read, {len(report['rejected'])} rejected, "
        f"{len(report['new_actors'])} new actor(s); dates read as {report['date_order']}"
    )
    if report["new_actors"]:
        out.table(
            "New actors",
            ["id", "name", "kind", "possible duplicate of"],
            [[a["id"], a["name"], a["kind"], a["possible_duplicate_of"] or ""] for a in report["new_actors"]],
        )
    if report["possible_duplicates"]:
        out.table(
            "Possible duplicates (merge with --merge RAW=ID, or all with --merge-suggested)",
            ["name in file", "suggested", "score", "outcome"],
            [
                [
                    d["raw"],
                    d["suggested_id"],
                    f"{d['score']:.0f}",
                    "merged" if d["merged"] else f"new actor {d['new_id']}",
                ]
                for d in report["possible_duplicates"]
            ],
        )
    if report["merged"]:
        out.table(
            "Merged names",
            ["name in file", "actor", "by", "alias added"],
            [[m["raw"], m["id"], m["via"], "yes" if m["alias_added"] else "no"] for m in report["merged"]],
        )
    for warning in report.get("warnings", []):
        out.line(warning)
    if report["rejected"]:
        out.table("Rejected rows", ["line", "reason"], [[str(r["line"]), r["reason"]] for r in report["rejected"]])
    if report["cleaned"]:
        out.table(
            "Invisible or control characters removed (the kept copy is the cleaned text)",
            ["line", "removed"],
            [[str(c["line"]), ", ".join(c["removed"])] for c in report["cleaned"]],
        )
    ftm = report.get("ftm")
    if ftm:
        out.line(f"{ftm['entities']} FtM entities; {ftm['actors_without_ties']} actor(s) without a tie not imported")
        if ftm["not_mapped"]:
            out.table(
                "FtM entities not imported",
                ["schema", "count", "why"],
                [[n["schema"], str(n["count"]), n["reason"]] for n in ftm["not_mapped"]],
            )
    if report["unmapped_values"]:
        out.table(
            "Values that map to nothing",
            ["field", "value", "lines"],
            [[u["field"], u["value"], ", ".join(map(str, u["lines"]))] for u in report["unmapped_values"]],
        )
        out.line("Translate them with --value FIELD:RAW=OURS; they are never guessed.")
    for unused in report["unused_merges"]:
        out.line(f"note: --merge {unused['raw']}={unused['id']} matched no name in the file")
