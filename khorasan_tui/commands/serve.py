"""`khorasan serve`: the app in a browser through textual-serve.

textual-serve runs a shell command per browser tab and relays its terminal
over a websocket, so the command below is the app's own entry point with the
store and --read-only, every argument shell-quoted.
"""

from __future__ import annotations

import shlex
import sys

from .context import EXIT_OK, EXIT_USAGE, CliExit, Context

INSTALL_HINT = "khorasan serve needs textual-serve: pip install 'khorasan-tui[serve]'"


def app_command(db_path: str, read_only: bool) -> str:
    """The shell command textual-serve starts for each browser session."""
    parts = [sys.executable, "-m", "khorasan_tui", "--db", db_path]
    if read_only:
        parts.append("--read-only")
    return " ".join(shlex.quote(part) for part in parts)


def run(ctx: Context) -> int:
    args = ctx.args
    if not 0 < args.port < 65536:
        raise CliExit(EXIT_USAGE, f"--port {args.port}: use 1-65535")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CliExit(EXIT_USAGE, INSTALL_HINT) from None
    # Refuse an unusable store here, not in every browser tab.
    ctx.load()
    db_path = str(ctx.db_path.resolve())
    read_only = not args.edit
    public_url = args.public_url or f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    server = Server(
        app_command(db_path, read_only),
        host=args.host,
        port=args.port,
        title="Khorasan" + (" (read-only)" if read_only else ""),
        public_url=public_url,
    )
    mode = "read-only" if read_only else "EDITABLE by anyone who can reach it"
    sys.stderr.write(f"khorasan: serving {db_path} ({mode}) at {public_url}; ctrl+c stops\n")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(f"khorasan: note: --host {args.host} lets other machines connect; there is no login\n")
    try:
        server.serve()
    except OSError as exc:
        raise CliExit(EXIT_USAGE, f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK
