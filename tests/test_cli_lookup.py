"""The lookup commands (show, ties, path, search, stats, validate) through the
real entry point: output shapes, exit codes, and safe printing of store data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from khorasan_tui import cli
from khorasan_tui.model import KINDS, STATUSES, TIE_TYPES

ESC = "\x1b"
# Markup and escape-like text; control characters themselves are refused at load
# (tests/test_rules.py), so a loadable store can only carry look-alikes.
HOSTILE_NAME = "[bold]x[/][31m"
HOSTILE_NAME_PRINTED = "[bold]x[/][31m"
CLICK_NAME = "[@click=app.quit]q[/]"


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    monkeypatch.delenv("KHORASAN_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def run(capsys):
    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


@pytest.fixture
def run_json(run):
    def call(*argv: str, expect: int = 0):
        code, out, err = run(*argv, "--json")
        assert code == expect, err
        return json.loads(out)

    return call


def subprocess_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR", "KHORASAN_DB"}}
    env["TERM"] = "xterm-256color"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def khorasan(*argv: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "khorasan_tui", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=subprocess_env(**env),
        timeout=60,
    )


def check_actor_ref(ref: dict) -> None:
    assert set(ref) >= {"id", "name", "kind"}
    assert isinstance(ref["id"], str) and isinstance(ref["name"], str)
    assert ref["kind"] in KINDS


def check_citations(citations: list) -> None:
    for citation in citations:
        assert set(citation) == {"source", "quote"}
        assert isinstance(citation["source"], str) and isinstance(citation["quote"], str) and citation["quote"]


def check_tie(tie: dict) -> None:
    expected = {
        "id",
        "type",
        "directed",
        "source",
        "target",
        "status",
        "claimant",
        "role",
        "start",
        "end",
        "summary",
        "citations",
    }
    assert expected <= set(tie)
    assert tie["type"] in TIE_TYPES
    assert tie["directed"] is TIE_TYPES[tie["type"]].directed
    assert tie["status"] in STATUSES
    check_actor_ref(tie["source"])
    check_actor_ref(tie["target"])
    assert tie["citations"], "every tie is sourced"
    check_citations(tie["citations"])


# -- show ---------------------------------------------------------------------------------


def test_show_json(run_json):
    actor = run_json("show", "iskp")
    assert {"id", "name", "kind", "aliases", "summary", "citations"} <= set(actor)
    assert actor["id"] == "iskp"
    assert actor["kind"] == "group"
    assert "ISKP" in actor["aliases"]
    assert isinstance(actor["summary"], str)
    check_citations(actor["citations"])
    assert actor["citations"]


def test_show_resolves_names_and_aliases(run_json):
    assert run_json("show", "Lashkar-e-Toiba")["id"] == "lashkar-e-taiba"
    assert run_json("show", "al Qaeda")["id"] == "al-qaeda"
    assert run_json("show", "Haqani Network")["id"] == "haqqani-network"


def test_show_plain(run):
    code, out, err = run("show", "Abdullah Orakzai")
    assert code == 0, err
    assert out.splitlines()[0] == "Aslam Farooqi"
    assert "id aslam-farooqi" in out
    assert "Abdullah Orakzai" in out
    assert "Documents:" in out
    assert ESC not in out


# -- ties ---------------------------------------------------------------------------------


def test_ties_json(run_json):
    ties = run_json("ties", "haqqani-network")
    assert isinstance(ties, list) and ties
    for tie in ties:
        check_tie(tie)
        assert "haqqani-network" in (tie["source"]["id"], tie["target"]["id"])
    leaders = {t["source"]["id"] for t in ties if t["type"] == "leads" and t["target"]["id"] == "haqqani-network"}
    assert {"sirajuddin-haqqani", "haji-mali-khan"} <= leaders


def test_ties_filters(run_json):
    hostile = run_json("ties", "iskp", "--type", "hostile_to")
    assert hostile and {t["type"] for t in hostile} == {"hostile_to"}
    two = run_json("ties", "iskp", "--type", "hostile_to,supports")
    assert {t["type"] for t in two} == {"hostile_to", "supports"}
    assert run_json("ties", "iskp", "--type", "hostile_to", "--type", "supports") == two
    alleged = run_json("ties", "iskp", "--status", "alleged")
    assert alleged and {t["status"] for t in alleged} == {"alleged"}
    from_doc = run_json("ties", "iskp", "--source", "004_587b15208d2c7068")
    assert from_doc
    assert all(any(c["source"] == "004_587b15208d2c7068" for c in t["citations"]) for t in from_doc)


def test_ties_plain(run):
    code, out, err = run("ties", "sirajuddin-haqqani")
    assert code == 0, err
    assert "Sirajuddin Haqqani:" in out
    assert "leads" in out and "Haqqani Network (haqqani-network)" in out


def test_ties_reads_directed_types_from_the_far_end(run):
    code, out, _ = run("ties", "haqqani-network", "--type", "leads")
    assert code == 0
    assert "led by" in out


def test_ties_unknown_document_is_not_found(run):
    code, out, err = run("ties", "iskp", "--source", "no-such-doc")
    assert code == 1
    assert "no-such-doc" in err


# -- path ---------------------------------------------------------------------------------


def test_path_json(run_json):
    result = run_json("path", "sirajuddin-haqqani", "taliban")
    assert set(result) >= {"from", "to", "length", "routes_found", "complete", "routes"}
    assert result["from"]["id"] == "sirajuddin-haqqani"
    assert result["to"]["id"] == "taliban"
    check_actor_ref(result["from"])
    assert result["routes"]
    for route in result["routes"]:
        assert len(route["hops"]) == result["length"] == len(route["actors"]) - 1
        assert route["actors"][0]["id"] == "sirajuddin-haqqani" and route["actors"][-1]["id"] == "taliban"
        for hop, here, there in zip(route["hops"], route["actors"], route["actors"][1:]):
            assert (hop["from"]["id"], hop["to"]["id"]) == (here["id"], there["id"])
            assert hop["ties"]
            for tie in hop["ties"]:
                check_tie(tie)
                assert {tie["source"]["id"], tie["target"]["id"]} == {here["id"], there["id"]}
                assert isinstance(tie["wording"], str) and tie["wording"]


def test_path_groups_parallel_ties_into_routes(run, run_json):
    result = run_json("path", "iskp", "Sirajuddin Haqqani")
    chains = [tuple(a["id"] for a in route["actors"]) for route in result["routes"]]
    assert len(chains) == len(set(chains)) == result["routes_found"], "one route per chain of actors"
    assert any(len(hop["ties"]) > 1 for route in result["routes"] for hop in route["hops"])
    code, out, err = run("path", "iskp", "Sirajuddin Haqqani")
    assert code == 0, err
    count = result["routes_found"]
    assert f"{count} routes of 2 hops" in out
    assert "(s)" not in out and "shortest path" not in out
    assert out.count("Route ") == count
    assert "(1 tie)" in out
    assert "ties)" in out and "status: reported" in out and "“" in out


def test_path_limit_shows_the_first_routes(run, run_json):
    result = run_json("path", "iskp", "Sirajuddin Haqqani", "--limit", "1")
    assert len(result["routes"]) == 1 and result["routes_found"] > 1
    code, out, _ = run("path", "iskp", "Sirajuddin Haqqani", "--limit", "1")
    assert code == 0
    assert out.count("Route ") == 1 and "(the first 1 shown)" in out
    code, _, err = run("path", "iskp", "taliban", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_path_with_filters(run_json):
    hostile = run_json("path", "iskp", "taliban", "--type", "hostile_to")
    assert hostile["length"] == 1
    [route] = hostile["routes"]
    assert {t["type"] for t in route["hops"][0]["ties"]} == {"hostile_to"}
    reported = run_json("path", "iskp", "taliban", "--status", "reported", "--exclude-type", "hostile_to")
    ties = [t for r in reported["routes"] for h in r["hops"] for t in h["ties"]]
    assert ties and all(t["status"] == "reported" and t["type"] != "hostile_to" for t in ties)


def test_path_not_found_within_max(run, run_json):
    result = run_json("path", "sirajuddin-haqqani", "aslam-farooqi", "--max", "1", "--type", "family", expect=1)
    assert result["routes"] == [] and result["length"] is None
    code, out, _ = run("path", "sirajuddin-haqqani", "aslam-farooqi", "--max", "1", "--type", "family")
    assert code == 1
    assert "No chain" in out and "within 1 tie." in out


def test_path_same_actor_twice_is_a_usage_error(run):
    for extra in ((), ("--json",)):
        code, out, err = run("path", "iskp", "ISKP", *extra)
        assert code == 2
        assert out == ""
        assert "two different actors" in err and "Traceback" not in err


def test_path_plain(run):
    code, out, err = run("path", "Sirajuddin Haqqani", "ISKP")
    assert code == 0, err
    assert "Route 1 of" in out
    assert "Sirajuddin Haqqani" in out


# -- search -------------------------------------------------------------------------------


def test_search_json(run_json):
    hits = run_json("search", "Haqqani")
    assert hits
    for hit in hits:
        assert {"id", "name", "kind", "score", "matched"} <= set(hit)
        check_actor_ref(hit)
        assert isinstance(hit["score"], (int, float)) and isinstance(hit["matched"], str)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "haqqani-network" in [h["id"] for h in hits[:5]]


def test_search_kind_and_limit(run_json):
    people = run_json("search", "Haqqani", "--kind", "person")
    assert people and {h["kind"] for h in people} == {"person"}
    assert len(run_json("search", "Haqqani", "--limit", "2")) == 2


def test_search_exact_alias_first(run_json):
    hits = run_json("search", "Lashkar-e-Toiba")
    assert hits[0]["id"] == "lashkar-e-taiba"
    assert hits[0]["matched"] == "Lashkar-e-Toiba"


def test_search_nothing(run, run_json):
    assert run_json("search", "zzqqxxvv", expect=1) == []
    code, out, _ = run("search", "zzqqxxvv")
    assert code == 1
    assert "No actor matches" in out


def test_search_plain(run):
    code, out, err = run("search", "Faroqqi")
    assert code == 0, err
    assert "aslam-farooqi" in out


# -- stats and validate --------------------------------------------------------------------


def test_stats(run, run_json):
    stats = run_json("stats")
    assert stats["actors"] >= 50 and stats["ties"] >= 80
    assert sum(stats["by_kind"].values()) == stats["actors"]
    assert sum(stats["by_type"].values()) == stats["ties"]
    assert sum(stats["by_status"].values()) == stats["ties"]
    assert stats["most_connected"][0]["id"] == "iskp"
    assert set(stats["by_kind"]) <= set(KINDS)
    code, out, _ = run("stats")
    assert code == 0
    assert "Most connected" in out


def test_validate(run, run_json):
    verdict = run_json("validate")
    assert verdict["valid"] is True
    assert verdict["errors"] == []
    assert verdict["actors"] >= 50
    code, out, _ = run("validate")
    assert code == 0
    assert "✓ valid" in out


def test_validate_reports_a_quote_missing_from_its_document(run, bundled_store_copy):
    db = bundled_store_copy
    doc = orjson.loads(db.read_bytes())
    tie = next(iter(doc["ties"].values()))
    tie["citations"][0]["quote"] = "a sentence no document contains"
    db.write_bytes(orjson.dumps(doc))
    code, out, _ = run("validate", "--db", str(db), "--json")
    assert code == 1
    verdict = json.loads(out)
    assert verdict["valid"] is False
    assert any("quote not found" in e and tie["id"] in e for e in verdict["errors"])
    code, out, _ = run("validate", "--db", str(db))
    assert code == 1
    assert "quote not found" in out


# -- exit codes -----------------------------------------------------------------------------


def test_not_found_lists_the_closest_names_on_stderr(run):
    code, out, err = run("show", "Hakkani Net")
    assert code == 1
    assert out == ""
    assert "no actor matches 'Hakkani Net'" in err
    assert "closest:" in err and "haqqani-network" in err


@pytest.mark.parametrize(
    "argv",
    [("ties", "zzqqxxvv"), ("path", "iskp", "zzqqxxvv"), ("path", "zzqqxxvv", "iskp"), ("show", "zzqqxxvv", "--json")],
)
def test_not_found_in_every_command(run, argv):
    code, out, err = run(*argv)
    assert code == 1
    assert "no actor matches" in err
    assert out == ""


def test_ambiguous_name(run):
    code, out, err = run("show", "Orakzai")
    assert code == 3
    assert out == ""
    for actor_id in ("aslam-farooqi", "ziaurahman", "orakzai-agency"):
        assert actor_id in err


@pytest.mark.parametrize("argv", [("show", "Orakzai"), ("ties", "Orakzai"), ("path", "iskp", "Orakzai")])
def test_ambiguous_name_as_json(run, argv):
    code, out, err = run(*argv, "--json")
    assert code == 3
    result = json.loads(out)
    assert result["ambiguous"] is True
    ids = {c["id"] for c in result["candidates"]}
    assert {"aslam-farooqi", "ziaurahman", "orakzai-agency"} <= ids
    for candidate in result["candidates"]:
        check_actor_ref(candidate)


@pytest.mark.parametrize(
    "argv, hint",
    [
        (("show", "iskp", "--bogus"), "unrecognized arguments"),
        (("show",), "required"),
        (("frobnicate",), "invalid choice"),
        (("ties", "iskp", "--type", "loves"), "unknown tie type loves"),
        (("ties", "iskp", "--status", "rumoured"), "unknown status rumoured"),
        (("path", "iskp", "taliban", "--type", "loves"), "unknown tie type loves"),
        (("path", "iskp", "taliban", "--exclude-type", "loves"), "unknown tie type loves"),
        (("path", "iskp", "taliban", "--max", "0"), "--max"),
        (("path", "iskp", "taliban", "--max", "two"), "invalid int"),
        (("path", "iskp", "taliban", "--as-of", "March 2020"), "not a date"),
        (("path", "iskp", "taliban", "--as-of", "2020-02-30"), "not a date"),
        (("search", "x", "--kind", "tribe"), "invalid choice"),
        (("search", "x", "--limit", "many"), "invalid int"),
    ],
)
def test_usage_errors_exit_2(run, argv, hint):
    code, out, err = run(*argv)
    assert code == 2
    assert hint in err
    assert out == ""


def bad_store(tmp_path: Path, kind: str) -> Path:
    if kind == "directory":
        return tmp_path
    if kind == "missing":
        return tmp_path / "absent.json"
    path = tmp_path / "store.json"
    path.write_bytes({"empty": b"", "not-json": b"<html>not a store</html>", "json-list": b"[]"}[kind])
    return path


STORE_COMMANDS = [
    ("show", "iskp"),
    ("ties", "iskp"),
    ("path", "iskp", "taliban"),
    ("search", "isk"),
    ("stats",),
    ("validate",),
]


@pytest.mark.parametrize("kind", ["directory", "missing", "empty", "not-json", "json-list"])
@pytest.mark.parametrize("argv", STORE_COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_unusable_store_exits_2_naming_the_file(run, tmp_path, kind, argv, as_json):
    db = bad_store(tmp_path, kind)
    before = db.read_bytes() if db.is_file() else None
    code, out, err = run(*argv, "--db", str(db), *(["--json"] if as_json else []))
    assert code == 2
    assert str(db) in out + err
    assert "Traceback" not in out + err
    if before is not None:
        assert db.read_bytes() == before


def test_db_before_the_command_is_used(run, tmp_path, bundled_store_copy):
    absent = tmp_path / "absent.json"
    code, _, err = run("--db", str(absent), "show", "iskp")
    assert code == 2
    assert str(absent) in err
    db = bundled_store_copy
    code, out, err = run("--db", str(db), "validate", "--json")
    assert code == 0, err
    assert json.loads(out)["path"] == str(db)


def test_khorasan_db_environment_variable(run, tmp_path, monkeypatch):
    monkeypatch.setenv("KHORASAN_DB", str(tmp_path / "absent.json"))
    code, _, err = run("show", "iskp")
    assert code == 2
    assert "absent.json" in err


@pytest.mark.parametrize("kind", ["directory", "empty", "not-json", "missing"])
def test_unusable_store_in_a_real_process_has_no_traceback(tmp_path, kind):
    db = bad_store(tmp_path, kind)
    result = khorasan("show", "iskp", "--db", str(db))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(db) in result.stderr


def test_real_process_exit_codes():
    assert khorasan("show", "iskp", "--json").returncode == 0
    assert khorasan("show", "zzqqxxvv").returncode == 1
    assert khorasan("ties", "iskp", "--type", "loves").returncode == 2
    ambiguous = khorasan("show", "Orakzai", "--json")
    assert ambiguous.returncode == 3
    assert json.loads(ambiguous.stdout)["ambiguous"] is True
    for result in (ambiguous,):
        assert "Traceback" not in result.stderr


# -- terminal safety --------------------------------------------------------------------------

PLAIN_COMMANDS = [
    ("show", "iskp"),
    ("ties", "iskp"),
    ("path", "sirajuddin-haqqani", "taliban"),
    ("search", "haqqani"),
    ("stats",),
]


@pytest.mark.parametrize("force_color", [None, "1"], ids=["FORCE_COLOR unset", "FORCE_COLOR=1"])
def test_piped_output_has_no_escape_sequences(force_color):
    for argv in PLAIN_COMMANDS:
        result = khorasan(*argv, FORCE_COLOR=force_color)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()
        assert ESC not in result.stdout and ESC not in result.stderr, argv


# SGR parameters that set a colour: 30-37, 38;..., 39, 40-49, 90-97, 100-107
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def run_in_pty(argv: list[str], env: dict[str, str], answer: bytes = b"") -> bytes:
    """Run `argv` on a pseudo-terminal and return what it printed; `answer` is typed
    at once (the terminal holds it until the program reads a line)."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True)
    os.close(terminal)
    if answer:
        os.write(controller, answer)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(controller)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_is_honoured_on_a_terminal():
    argv = [sys.executable, "-m", "khorasan_tui", "ties", "sirajuddin-haqqani"]
    coloured = run_in_pty(argv, subprocess_env(COLUMNS="120")).decode("utf-8", "replace")
    assert ESC in coloured, "a terminal gets styling, so the NO_COLOR check below means something"
    uncoloured = run_in_pty(argv, subprocess_env(NO_COLOR="1", COLUMNS="120")).decode("utf-8", "replace")
    assert "Haqqani Network" in uncoloured
    assert not COLOUR_SGR.search(uncoloured)
    assert ESC not in uncoloured, "NO_COLOR gives plain text (README), not just fewer colours"


# What each lookup prints on a terminal, to show the output under NO_COLOR is the real one.
PLAIN_COMMAND_TEXT = {
    ("show", "iskp"): "Islamic State-Khorasan",
    ("ties", "iskp"): "Islamic State-Khorasan",
    ("path", "sirajuddin-haqqani", "taliban"): "Sirajuddin Haqqani",
    ("search", "haqqani"): "Haqqani Network",
    ("stats",): "actors",
}


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("argv", PLAIN_COMMANDS, ids=" ".join)
def test_no_color_gives_plain_text_on_a_terminal_for_every_lookup(argv):
    # A real terminal, not capsys: only a tty gets styled output, so only a tty can
    # show that NO_COLOR turns the styling off.
    command = [sys.executable, "-m", "khorasan_tui", *argv]
    styled = run_in_pty(command, subprocess_env(COLUMNS="120")).decode("utf-8", "replace")
    assert ESC in styled, "without NO_COLOR a terminal gets styling"
    plain = run_in_pty(command, subprocess_env(NO_COLOR="1", COLUMNS="120")).decode("utf-8", "replace")
    assert PLAIN_COMMAND_TEXT[argv] in plain
    assert ESC not in plain


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    "argv",
    [("search", "haqqani"), ("search", "kabul"), ("ties", "iskp"), ("stats",), ("timeline", "iskp")],
    ids=" ".join,
)
def test_tables_at_80_columns_never_cut_an_id(argv):
    ids = {a["id"] for a in json.loads(khorasan("search", "", "--limit", "1000", "--json").stdout)}
    ids |= set(json.loads(khorasan("stats", "--json").stdout)["by_document"])
    piped = khorasan(*argv).stdout  # plain text never wraps
    command = [sys.executable, "-m", "khorasan_tui", *argv]
    out = run_in_pty(command, subprocess_env(NO_COLOR="1", COLUMNS="80")).decode("utf-8").replace("\r\n", "\n")
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80

    def ids_in(text: str) -> set[str]:
        return ids & set(re.findall(r"[\w-]+", text))

    assert ids_in(piped), "the command shows ids"
    assert ids_in(out) == ids_in(piped), f"cut at a column's edge: {sorted(ids_in(piped) - ids_in(out))[:5]}"


@pytest.fixture
def hostile_db(bundled_store_copy) -> Path:
    db = bundled_store_copy
    doc = orjson.loads(db.read_bytes())
    by_id = {record["id"]: record for record in doc["actors"].values()}
    by_id["iskp"]["name"] = HOSTILE_NAME
    by_id["iskp"]["summary"] = "summary with ]0;pwned a title escape and [red]markup[/red]"
    by_id["taliban"]["name"] = CLICK_NAME
    by_id["taliban"]["aliases"].append("Click[2J alias")
    db.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return db


@pytest.mark.parametrize(
    "argv",
    [
        ("show", "iskp"),
        ("show", "taliban"),
        ("ties", "iskp"),
        ("ties", "taliban"),
        ("path", "iskp", "taliban"),
        ("search", "x"),
        ("search", "q"),
        ("stats",),
    ],
)
def test_hostile_names_print_literally_without_escapes(run, hostile_db, argv):
    code, out, err = run(*argv, "--db", str(hostile_db))
    assert code == 0, err
    assert ESC not in out and ESC not in err
    assert "\x07" not in out
    assert HOSTILE_NAME_PRINTED in out or CLICK_NAME in out


def test_hostile_show_keeps_markup_literal(run, hostile_db):
    code, out, _ = run("show", "iskp", "--db", str(hostile_db))
    assert code == 0
    assert out.splitlines()[0] == HOSTILE_NAME_PRINTED
    assert "[red]markup[/red]" in out
    code, out, _ = run("show", "taliban", "--db", str(hostile_db))
    assert out.splitlines()[0] == CLICK_NAME
    assert "Click[2J alias" in out


def test_hostile_names_in_error_messages_have_no_escapes(run, hostile_db):
    # the closest-match hint and the ambiguity list quote store names on stderr
    code, _, err = run("show", "bold x 31m", "--db", str(hostile_db))
    assert code == 1, err  # no actor matches; the closest name is offered
    assert HOSTILE_NAME_PRINTED in err
    assert ESC not in err
    code, _, err = run("show", "Islamic", "--db", str(hostile_db))
    assert code == 3
    assert HOSTILE_NAME_PRINTED in err
    assert ESC not in err


def test_hostile_names_in_json_are_escaped(run, hostile_db):
    code, out, _ = run("show", "iskp", "--db", str(hostile_db), "--json")
    assert code == 0
    assert ESC not in out
    assert json.loads(out)["name"] == HOSTILE_NAME, "JSON keeps the data exact, escaped"


def test_hostile_store_in_a_real_process(hostile_db):
    cases = [
        # argv, exit code, where the (sanitised) hostile name shows, the name
        (("show", "iskp"), 0, "stdout", HOSTILE_NAME_PRINTED),
        (("ties", "taliban"), 0, "stdout", CLICK_NAME),
        (("show", "Islamic"), 3, "stderr", HOSTILE_NAME_PRINTED),  # ambiguous: the candidates go to stderr
    ]
    for argv, expected, stream, name in cases:
        result = khorasan(*argv, "--db", str(hostile_db), FORCE_COLOR="1")
        assert result.returncode == expected, (argv, result.stderr)
        assert name in getattr(result, stream), argv
        assert ESC not in result.stdout and ESC not in result.stderr
        assert "Traceback" not in result.stderr


def test_junk_columns_variable_is_ignored(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "abc")
    code, out, err = run("ties", "iskp")
    assert code == 0, err
    assert "Islamic State-Khorasan" in out


def test_malformed_dates_are_reported_not_crashed_on(run, bundled_store_copy):
    db = bundled_store_copy
    doc = orjson.loads(db.read_bytes())
    by_id = {record["id"]: record for record in doc["actors"].values()}
    by_id["iskp"]["founded"] = "January 2015"
    by_id["iskp"]["ended"] = "2020"
    for tie in doc["ties"].values():
        tie["start"] = "March 2020"
    db.write_bytes(orjson.dumps(doc))
    code, out, err = run("validate", "--db", str(db), "--json")
    assert code == 1, err
    errors = json.loads(out)["errors"]
    assert any("founded: 'January 2015' is not a date" in e for e in errors)
    # Every other command refuses the store, naming the record and the field.
    code, out, err = run("path", "iskp", "taliban", "--as-of", "2020", "--db", str(db), "--json")
    assert code == 2
    assert "actor iskp: founded: 'January 2015' is not a date" in err
    assert "Traceback" not in err
