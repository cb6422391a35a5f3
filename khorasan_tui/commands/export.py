"""`khorasan export`: the graph, or one actor's neighbourhood, in an exchange format."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..model import plural
from .context import EXIT_OK, EXIT_USAGE, CliExit, Context


def edges_path_for(nodes_path: Path) -> Path:
    """Where the CSV edges go next to the nodes file: graph.csv -> graph.edges.csv."""
    stem, suffix = nodes_path.stem, nodes_path.suffix
    if not suffix:
        return nodes_path.with_name(nodes_path.name + ".edges.csv")
    if stem.endswith(".nodes"):
        stem = stem[: -len(".nodes")]
    return nodes_path.with_name(f"{stem}.edges{suffix}")


def _write(path: Path, text: str | Iterable[bytes]) -> None:
    from ..store import atomic_write

    try:
        atomic_write(path, text.encode("utf-8") if isinstance(text, str) else text, backup=False)
    except FileNotFoundError:
        raise CliExit(EXIT_USAGE, f"cannot write {path}: its folder does not exist") from None
    except IsADirectoryError:
        raise CliExit(EXIT_USAGE, f"cannot write {path}: it is a directory") from None
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot write {path}: {exc.strerror or exc}") from None


def run(ctx: Context) -> int:
    from .. import exchange

    args = ctx.args
    if args.depth < 0:
        raise CliExit(EXIT_USAGE, "--depth must be 0 or more")
    output = Path(args.output) if args.output else None
    if output is not None and output.is_dir():
        raise CliExit(EXIT_USAGE, f"cannot write {output}: it is a directory")
    if output is not None:
        from ..store import refuse_to_overwrite

        targets = [output, edges_path_for(output)] if args.format == "csv" else [output]
        for target in targets:
            problem = refuse_to_overwrite(target, ctx.db_path)
            if problem:
                raise CliExit(EXIT_USAGE, f"cannot write {target}: {problem}")
    graph = ctx.load()
    around = ctx.resolve(graph, args.around).id if args.around else None
    graph = exchange.scrubbed(graph)
    selection = exchange.select(graph, around, args.depth)
    from ..progress import for_work

    with for_work(len(selection.actor_ids) + len(selection.tie_ids)) as bar:
        if args.format == "json":
            whole = len(selection.actor_ids) + len(selection.tie_ids) + len(graph.data.sources)
            bar.phase("records", whole if selection.whole else None)
            # Streamed: a SQLite store of millions of ties is never in memory at once.
            chunks = _escaped(exchange.iter_json(graph, selection, progress=bar.advance))
            if output is None:
                for chunk in chunks:
                    sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            else:
                _write(output, chunks)
        else:
            bar.phase(f"writing {args.format}")
            _export(args, graph, selection, output)
    if output is not None and args.format != "csv":
        sys.stderr.write(f"wrote {args.format}: {_counts(selection)} to {output}\n")
    return EXIT_OK


def _escaped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Unknown fields a store carries are exported as they are, and may hold
    bidi or C1 characters a terminal obeys: escape them (same JSON data)."""
    from ..console_output import escape_json_controls

    for chunk in chunks:
        yield chunk if chunk.isascii() else escape_json_controls(chunk.decode("utf-8")).encode("utf-8")


def _export(args, graph, selection, output: Path | None) -> None:
    from .. import exchange

    if args.format == "csv":
        nodes, edges = exchange.to_csv(graph, selection, formula_guard=not args.no_formula_guard)
        if output is None:
            sys.stdout.buffer.write((nodes + "\n" + edges).encode("utf-8"))
            sys.stdout.flush()
        else:
            edges_path = edges_path_for(output)
            _write(output, nodes)
            _write(edges_path, edges)
            sys.stderr.write(f"wrote csv: {_counts(selection)}: nodes to {output}, edges to {edges_path}\n")
        return

    from .. import ftm, stix

    writers = {
        "graphml": exchange.to_graphml,
        "gexf": exchange.to_gexf,
        "dot": exchange.to_dot,
        "ftm": ftm.to_ftm,
        "stix": stix.to_stix,
    }
    text = writers[args.format](graph, selection)
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    else:
        _write(output, text)


def _counts(selection) -> str:
    return f"{plural(len(selection.actor_ids), 'actor')}, {plural(len(selection.tie_ids), 'tie')}"
