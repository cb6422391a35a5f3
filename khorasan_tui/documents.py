"""Document texts: read from the store's folder and nowhere else.

A store names each document's text file by a path relative to its folder. A
store from someone else is untrusted input, so a path is only ever opened
after it has been shown to stay inside that folder (symlinks resolved) and to
be a regular file of sensible size: never /etc/passwd, a FIFO that would hang
the reader, or /dev/zero.
"""

from __future__ import annotations

import os
import stat

from . import rules
from .model import Source
from .storedata import StoreData


def squash_whitespace(text: str) -> str:
    return " ".join(text.split())


def document_path_problems(data: StoreData) -> list[rules.Problem]:
    """Document files that resolve (through symlinks) outside the store's folder."""
    problems: list[rules.Problem] = []
    folder = os.path.realpath(data.folder)
    for source in data.sources.values():
        if not source.path or rules.check_document_path(source.path):
            continue  # none, or already refused by the lexical rule
        resolved = os.path.realpath(os.path.join(folder, source.path))
        if os.path.commonpath([folder, resolved]) != folder:
            problems.append(
                rules.Problem(
                    rules.ERROR, f"source {source.id}", "path", f"{source.path!r} leads outside the store's folder"
                )
            )
    return problems


class DocumentRefused(OSError):
    """A document file that may not be opened: the message says why."""


def read_document(data: StoreData, source: Source, *, max_bytes: int = rules.MAX_DOCUMENT_BYTES) -> str | None:
    """A document's text, or None when it has none. Raises DocumentRefused for
    a path outside the store's folder, a FIFO or device, or an oversized file:
    none of them is ever opened, so a hostile store cannot read /etc/passwd,
    hang on a pipe or fill memory from /dev/zero."""
    if not source.path:
        return None
    problem = rules.check_document_path(source.path)
    if problem:
        raise DocumentRefused(f"document {source.id}: path {problem}")
    folder = os.path.realpath(data.folder)
    resolved = os.path.realpath(os.path.join(folder, source.path))
    if os.path.commonpath([folder, resolved]) != folder:
        raise DocumentRefused(f"document {source.id}: path {source.path!r} leads outside the store's folder")
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        raise DocumentRefused(f"document {source.id}: text file {source.path!r} is missing") from None
    if not stat.S_ISREG(info.st_mode):
        raise DocumentRefused(f"document {source.id}: {source.path!r} is not a regular file")
    if info.st_size > max_bytes:
        raise DocumentRefused(f"document {source.id}: {source.path!r} is larger than {max_bytes:,} bytes")
    # O_NONBLOCK: should the file be swapped for a FIFO after the stat, the
    # open still returns at once instead of hanging.
    fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat; fdopen would raise on a folder
        os.close(fd)
        raise DocumentRefused(f"document {source.id}: {source.path!r} is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DocumentRefused(f"document {source.id}: {source.path!r} is larger than {max_bytes:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentRefused(f"document {source.id}: {source.path!r} is not UTF-8 text") from None


class DocumentTexts:
    """Source texts read lazily, once each, with whitespace squashed."""

    def __init__(self, data: StoreData) -> None:
        self.data = data
        self._texts: dict[str, str | None] = {}
        self.refused: dict[str, str] = {}  # source id -> why its file was not read

    def raw(self, source_id: str) -> str | None:
        source = self.data.sources.get(source_id)
        if source is None:
            return None
        try:
            return read_document(self.data, source)
        except OSError as exc:
            self.refused[source_id] = str(exc) if isinstance(exc, DocumentRefused) else (exc.strerror or str(exc))
            return None

    def squashed(self, source_id: str) -> str | None:
        if source_id not in self._texts:
            raw = self.raw(source_id)
            self._texts[source_id] = squash_whitespace(raw) if raw is not None else None
        return self._texts[source_id]

    def forget(self, source_id: str) -> None:
        """Drop a cached text whose file was just written or removed."""
        self._texts.pop(source_id, None)
        self.refused.pop(source_id, None)

    def contains(self, source_id: str, quote: str) -> bool:
        text = self.squashed(source_id)
        return text is not None and squash_whitespace(quote) in text
