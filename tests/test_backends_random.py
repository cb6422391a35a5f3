"""The contract both backends keep, part 7: random edit sequences.

The same random edits, undos and redos go through an `Editor` on a small JSON
store and on the same store in SQLite. Each step must succeed on both or be
refused on both with the same message, and leave the same store.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khorasan_tui.edit import EditError, Editor

from .backends import store_bytes, to_sqlite
from .store_writer import DOC_ID, QUOTES, make_store

KINDS = ["group", "person", "place", "event"]
TYPES = ["member_of", "allied_with", "hostile_to", "leads", "operates_in", "carried_out"]
NAMES = ["Nangarhar Shura", "Abu Test", "ISKP", "Kabul", "Kunar Front", "Haqqani Netwrk", "Abu Test 2"]

steps = st.lists(
    st.tuples(
        st.sampled_from(["actor", "alias", "tie", "rm-tie", "rm-actor", "merge", "edit", "undo", "redo"]),
        st.integers(0, 20),
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=8,
)


def _step(editor: Editor, step: tuple[str, int, int, int]) -> str:
    """One edit by its ingredients; what it did or why it was refused."""
    op, i, j, k = step
    actors = sorted(editor.data.actors) or ["nobody"]
    ties = sorted(editor.data.ties)
    a, b = actors[i % len(actors)], actors[j % len(actors)]
    try:
        if op == "actor":
            return editor.add_actor(NAMES[i % len(NAMES)], KINDS[j % len(KINDS)], aliases=[f"alias {k}"]).id
        if op == "alias":
            return str(editor.add_alias(a, NAMES[k % len(NAMES)]).aliases)
        if op == "tie":
            tie = editor.add_tie(a, TYPES[k % len(TYPES)], b, quote=QUOTES[k % len(QUOTES)], source_id=DOC_ID)
            return tie.id
        if op == "rm-tie":
            return editor.delete_tie(ties[i % len(ties)]).id if ties else "no ties"
        if op == "rm-actor":
            return editor.delete_actor(a).describe()
        if op == "merge":
            return editor.merge_actors(a, b).describe()
        if op == "edit":
            return editor.edit_actor(a, summary=f"Summary {k}.", kind=KINDS[k % len(KINDS)]).kind
        if op == "undo":
            return editor.undo().description
        return editor.redo().description
    except EditError as exc:
        return f"refused: {type(exc).__name__}: {exc}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_edits_do_the_same_on_both_backends(sequence):
    folder = Path(tempfile.mkdtemp(prefix="khorasan-backends-"))
    try:
        json_path = make_store(folder / "json")
        sql_folder = folder / "sqlite"
        shutil.copytree(folder / "json" / "sources", sql_folder / "sources")
        sql_path = to_sqlite(json_path, sql_folder / "khorasan.sqlite")
        editors = [Editor.open(json_path), Editor.open(sql_path)]
        for step in sequence:
            said = [_step(editor, step) for editor in editors]
            assert said[1] == said[0], step
            assert store_bytes(sql_path) == store_bytes(json_path), step
        editors[1].data.backend.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
