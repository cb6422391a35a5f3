"""Random sequences of CLI edits on a copy of the bundled store keep it valid.

After every step `khorasan validate --json` reports no error and no more
warnings than before; a refused step leaves the file's bytes as they were;
`khorasan undo` puts back exactly the bytes before the change it undoes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khorasan_tui.cli import main
from khorasan_tui.lints import PAST_ROLE_CUES
from khorasan_tui.model import KINDS, TIE_TYPES
from khorasan_tui.store import load_store

from .conftest import DATA

PAST_ROLE = re.compile("|".join(PAST_ROLE_CUES.values()), re.IGNORECASE)


def _sentences() -> dict[str, list[str]]:
    """Quotes taken verbatim from the bundled documents, one sentence each.

    Sentences that speak of a role in the past are left out: a tie citing one
    without an end date is a curator's warning by design (lints), which is
    not what this test is about.
    """
    data = load_store(DATA / "khorasan.json")
    found: dict[str, list[str]] = {}
    for source in data.sources.values():
        text = (DATA / source.path).read_text(encoding="utf-8")
        sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", text)]
        found[source.id] = [s for s in sentences if 20 <= len(s) <= 300 and not PAST_ROLE.search(s)][:40]
    return {k: v for k, v in found.items() if v}


SENTENCES = _sentences()
NAME = st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True)
STEPS = ["add-actor", "add-alias", "add-tie", "rm-tie", "rm-actor", "merge", "undo"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys, path: Path) -> tuple[list[str], list[str]]:
    code, out, _ = run(capsys, "validate", "--json", "--db", str(path))
    report = orjson.loads(out)
    assert code == (0 if report["valid"] else 1)
    return report["errors"], report["warnings"]


def draw_step(data: st.DataObject, path: Path) -> tuple[str, list[str]]:
    store = load_store(path)
    actors = sorted(store.actors)
    step = data.draw(st.sampled_from(STEPS), label="step")
    if step == "add-actor":
        return step, ["add-actor", data.draw(NAME), "--kind", data.draw(st.sampled_from(list(KINDS)))]
    if step == "add-alias":
        return step, ["add-alias", data.draw(st.sampled_from(actors)), data.draw(NAME)]
    if step == "add-tie":
        a, b = data.draw(st.sampled_from(actors)), data.draw(st.sampled_from(actors))
        source = data.draw(st.sampled_from(sorted(SENTENCES)))
        quoted = {c.quote for t in store.ties.values() for c in t.citations}
        quote = data.draw(st.sampled_from([s for s in SENTENCES[source] if s not in quoted]))
        tie_type = data.draw(st.sampled_from(list(TIE_TYPES)))
        return step, ["add-tie", a, tie_type, b, "--source", source, "--quote", quote]
    if step == "rm-tie":
        return step, ["rm", data.draw(st.sampled_from(sorted(store.ties))), "--yes"]
    if step == "rm-actor":
        return step, ["rm", data.draw(st.sampled_from(actors)), "--yes"]
    if step == "merge":
        return step, ["merge", data.draw(st.sampled_from(actors)), data.draw(st.sampled_from(actors)), "--yes"]
    return step, ["undo"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_cli_edits_keep_the_bundled_store_valid(data, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(DATA / "sources", Path(tmp) / "sources")
        path = Path(tmp) / "khorasan.json"
        shutil.copyfile(DATA / "khorasan.json", path)
        errors, warnings = check(capsys, path)
        assert errors == [], "the bundled store must start valid"
        done: list[tuple[bytes, list[str]]] = []  # bytes and warnings before each saved change
        for _ in range(data.draw(st.integers(1, 6), label="steps")):
            step, argv = draw_step(data, path)
            before = path.read_bytes()
            code, out, err = run(capsys, *argv, "--db", str(path))
            assert code in (0, 1, 2, 3), (argv, err)
            assert "Traceback" not in err
            if step == "undo":
                if not done:
                    assert code == 1 and "nothing to undo" in err
                    continue
                assert code == 0, err
                restored, warnings = done.pop()
                assert path.read_bytes() == restored, "undo puts back the very bytes"
            elif code != 0 or path.read_bytes() == before:
                assert path.read_bytes() == before, (argv, err)
                continue
            else:
                done.append((before, warnings))
            new_errors, new_warnings = check(capsys, path)
            assert new_errors == [], (argv, out)
            assert len(new_warnings) <= len(warnings), (argv, sorted(set(new_warnings) - set(warnings)))
            warnings = new_warnings
