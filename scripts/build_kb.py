"""Build data/khorasan.json from the per-document drafts in kb/drafts/.

Each draft holds what one document says (kb/DRAFT_FORMAT.md). This merges them:
one actor per id with every alias and citation, and one tie per distinct claim.
Two documents that make the same claim share a tie with two citations; a claim
made with a different status or claimant stays its own tie, because
disagreement between documents is information. kb/curation.json renames ids
(the surviving actor keeps the old ids in `merged_ids`), sets canonical names,
kinds and summaries, fixes or drops ties across drafts (`tie_fixes`), and adds
what the drafts missed. A tie whose type does not fit the kinds of its ends
(an alliance with an event, a place that is not the target of located_in or
operates_in, a self-tie) is left out with a note on stderr.

Run: python scripts/build_kb.py   (then: khorasan validate)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khorasan_tui.model import (  # noqa: E402
    SCHEMA_VERSION,
    TIE_TYPES,
    Actor,
    Citation,
    Source,
    Tie,
    make_tie_id,
    normalize_key,
)
from khorasan_tui.rules import check_ends  # noqa: E402
from khorasan_tui.store import StoreData, save_store  # noqa: E402

DATE_FIELDS = ("born", "founded", "died", "ended")


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def add_citations(into: list[Citation], new: list[dict]) -> None:
    have = {(c.source, " ".join(c.quote.split())) for c in into}
    for c in new:
        key = (c["source"], " ".join(c["quote"].split()))
        if key not in have:
            into.append(Citation(c["source"], c["quote"]))
            have.add(key)


def add_aliases(actor: Actor, names: list[str]) -> None:
    keys = {normalize_key(n) for n in actor.names}
    for name in names:
        name = name.strip()
        if name and normalize_key(name) not in keys:
            actor.aliases.append(name)
            keys.add(normalize_key(name))


def kind_problem(tie_type: str, source_kind: str, target_kind: str, same: bool) -> str | None:
    """Why a tie of this type cannot join these kinds, or None when it can: the rulebook's answer."""
    if same:
        return "a self-tie"
    return check_ends(tie_type, source_kind, target_kind)


def fix_matches(match: dict, raw: dict) -> bool:
    for key, want in match.items():
        if key == "doc":
            if not any(c["source"] == want for c in raw.get("citations", [])):
                return False
        elif (raw.get(key) or None) != want:
            return False
    return True


def apply_tie_fixes(drafts: list[dict], fixes: list[dict], rid) -> None:
    """Correct or drop draft ties in place, after ids are renamed.

    Each fix has a "match" (tie fields, or "doc": a cited document) and either
    "drop", "set" (overwrite fields) or "fill" (fields the draft left empty).
    A fix that matches nothing is reported, not an error: the draft may already
    have been corrected at its source.
    """
    for fix in fixes:
        match = {k: (rid(v) if k in ("source", "target", "claimant") else v) for k, v in fix["match"].items()}
        hits = 0
        for draft in drafts:
            kept = []
            for raw in draft.get("ties", []):
                resolved = {
                    **raw,
                    "source": rid(raw["source"]),
                    "target": rid(raw["target"]),
                    "claimant": rid(raw.get("claimant")),
                }
                if not fix_matches(match, resolved):
                    kept.append(raw)
                    continue
                hits += 1
                if fix.get("drop"):
                    continue
                fixed = {**raw, **fix.get("set", {})}
                # "fill" only supplies what the draft left empty, so a draft corrected
                # at its source keeps its own wording.
                fixed.update({k: v for k, v in fix.get("fill", {}).items() if not fixed.get(k)})
                kept.append(fixed)
            if "ties" in draft:
                draft["ties"] = kept
        if not hits:
            print(f"note: tie fix matched nothing: {fix['match']}", file=sys.stderr)


def join_notes(old: str, new: str) -> str:
    new = new.strip()
    if not new or new in old:
        return old
    return f"{old} {new}" if old else new


def build(drafts_dir: Path, curation_path: Path, out: Path) -> StoreData:
    curation = load_json(curation_path) if curation_path.exists() else {}
    rename: dict[str, str] = curation.get("rename", {})
    drop_aliases: dict[str, list[str]] = curation.get("drop_aliases", {})
    drafts = [load_json(p) for p in sorted(drafts_dir.glob("*.json"))]
    drafts += [json.loads(json.dumps(d)) for d in curation.get("extra_drafts", [])]

    def rid(actor_id: str | None) -> str | None:
        seen = set()
        while actor_id in rename and actor_id not in seen:
            seen.add(actor_id)
            actor_id = rename[actor_id]
        return actor_id

    apply_tie_fixes(drafts, curation.get("tie_fixes", []), rid)

    data = StoreData(meta={"schema_version": SCHEMA_VERSION, "name": "Khorasan knowledge base"})
    summaries: dict[str, list[str]] = {}
    for draft in drafts:
        src = draft.get("source")
        if src and src["id"] not in data.sources:
            data.sources[src["id"]] = Source(
                id=src["id"],
                title=src["title"],
                publisher=src.get("publisher"),
                published=src.get("published"),
                published_note=src.get("published_note", ""),
                path=f"sources/{src['id']}.txt",
            )
        for raw in draft.get("actors", []):
            aid = rid(raw["id"])
            actor = data.actors.get(aid)
            if actor is None:
                actor = Actor(id=aid, name=raw["name"].strip(), kind=raw["kind"])
                data.actors[aid] = actor
            elif actor.kind != raw["kind"]:
                print(f"note: {aid} is {actor.kind} but a draft says {raw['kind']}", file=sys.stderr)
            add_aliases(actor, [raw["name"], *raw.get("aliases", [])])
            for f in DATE_FIELDS:
                if raw.get(f) and not getattr(actor, f):
                    setattr(actor, f, raw[f])
            if raw.get("summary"):
                summaries.setdefault(aid, []).append(raw["summary"].strip())
            add_citations(actor.citations, raw.get("citations", []))

    # Curated fields win over drafts.
    for aid, fields in curation.get("actors", {}).items():
        actor = data.actors.get(aid)
        if actor is None:
            print(f"note: curation names unknown actor {aid}", file=sys.stderr)
            continue
        old_name = actor.name
        for key, value in fields.items():
            if key == "aliases":
                add_aliases(actor, value)
            else:
                setattr(actor, key, value)
        if "name" in fields and old_name != actor.name:
            add_aliases(actor, [old_name])
    for actor in data.actors.values():
        actor.aliases = [a for a in actor.aliases if normalize_key(a) != normalize_key(actor.name)]
        drop = {normalize_key(a) for a in drop_aliases.get(actor.id, [])}
        actor.aliases = [a for a in actor.aliases if normalize_key(a) not in drop]
        if not actor.summary and actor.id in summaries:
            actor.summary = max(summaries[actor.id], key=len)
    for old in sorted(rename):
        survivor = data.actors.get(rid(old))
        if survivor is not None and old != survivor.id and old not in survivor.merged_ids:
            survivor.merged_ids.append(old)
    for actor in data.actors.values():
        actor.merged_ids.sort()

    merged: dict[tuple, Tie] = {}
    for draft in drafts:
        for raw in draft.get("ties", []):
            src, dst = rid(raw["source"]), rid(raw["target"])
            tie_type = raw["type"]
            spec = TIE_TYPES.get(tie_type)
            ends = (src, dst) if spec is None or spec.directed else tuple(sorted((src, dst)))
            role = (raw.get("role") or None) and raw["role"].strip()
            key = (tie_type, ends, raw.get("status", "reported"), rid(raw.get("claimant")), (role or "").casefold())
            tie = merged.get(key)
            if tie is None:
                tie = Tie(
                    id="",
                    type=tie_type,
                    source=src,
                    target=dst,
                    status=raw.get("status", "reported"),
                    claimant=rid(raw.get("claimant")),
                    role=role,
                    start=raw.get("start"),
                    end=raw.get("end"),
                    summary=raw.get("summary", "").strip(),
                    note=(raw.get("note") or "").strip(),
                )
                merged[key] = tie
            else:
                tie.start = tie.start or raw.get("start")
                tie.end = tie.end or raw.get("end")
                tie.note = join_notes(tie.note, raw.get("note") or "")
            add_citations(tie.citations, raw.get("citations", []))
    for key, tie in list(merged.items()):
        source, target = data.actors.get(tie.source), data.actors.get(tie.target)
        if source is None or target is None:
            continue  # validate reports dangling ends
        problem = kind_problem(tie.type, source.kind, target.kind, tie.source == tie.target)
        if problem:
            print(f"note: left out {tie.source} {tie.type} {tie.target}: {problem}", file=sys.stderr)
            del merged[key]
    for tie in merged.values():
        tie.id = make_tie_id(tie.source, tie.type, tie.target, data.ties)
        data.ties[tie.id] = tie

    out.parent.mkdir(parents=True, exist_ok=True)
    data.path = out.absolute()
    save_store(data, out, check_conflict=False)
    return data


if __name__ == "__main__":
    built = build(ROOT / "kb" / "drafts", ROOT / "kb" / "curation.json", ROOT / "data" / "khorasan.json")
    print(f"{len(built.actors)} actors, {len(built.ties)} ties, {len(built.sources)} sources")
