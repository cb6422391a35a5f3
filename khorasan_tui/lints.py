"""Warnings about knowledge that is valid but probably wrong: pure functions, no I/O.

`lint(data)` returns `Lint(where, field, message)` tuples: a tie that a past-role
quote suggests has ended, one quote read two incompatible ways, an alias that is
a common phrase rather than a name. They are warnings for a curator to look at,
never errors: each has innocent readings ("once the Taliban took Kabul").
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import NamedTuple

from .model import COOPERATIVE_TYPES, Tie
from .storedata import StoreData


class Lint(NamedTuple):
    where: str  # "tie <id>" or "actor <id>", as validate says it
    field: str
    message: str


# Words in a quote that put a role in the past: the tie probably has an end date.
PAST_ROLE_CUES: dict[str, str] = {
    "former": r"\bformer\b",
    "formerly": r"\bformerly\b",
    "once": r"\bonce\b",
    "until": r"\buntil\b",
    "had died": r"\bhad died\b",
    "was": r"\bwas\b",
    "ex-": r"\bex-",
    "the late": r"\bthe late\b",  # not "in late 2021"
}
_PAST_ROLE = [(cue, re.compile(pattern, re.IGNORECASE)) for cue, pattern in PAST_ROLE_CUES.items()]
# Ties that record one act, or where an event happened, rather than a standing
# role: a past tense is their nature.
ONE_OFF_TYPES = frozenset({"carried_out", "targeted", "founded", "succeeded", "emerged_from", "located_in"})

# Verbs that make an alias a clause ("Sikh gurdwara was attacked") rather than a
# name; matched only as written in lower case, so "IS" stays a name.
ALIAS_VERBS = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "does",
        "did",
        "says",
        "said",
        "claims",
        "claimed",
        "announced",
        "attacked",
        "arrested",
        "killed",
        "leads",
        "led",
        "operates",
        "operated",
        "fought",
        "fights",
        "supports",
        "supported",
        "recruits",
        "recruited",
        "freed",
        "released",
        "took",
        "signed",
    }
)
# Lower-case words that begin real names: "the al-Qaeda network" is a name.
NAME_PARTICLES = ("al-", "al ", "el-", "ad-", "ud-", "bin ", "ibn ", "de ", "van ", "von ")
PHRASE_WORDS = 3  # an all lower-case alias of this many words or more is a phrase


def _meaning(tie: Tie) -> str | None:
    if tie.type in COOPERATIVE_TYPES:
        return "cooperation"
    if tie.type == "hostile_to":
        return "hostility"
    return None


def past_role_without_end(data: StoreData) -> list[Lint]:
    """A standing tie whose quote speaks of the role in the past and that has no end date."""
    found = []
    for tie in data.ties.values():
        if tie.end or tie.type in ONE_OFF_TYPES:
            continue
        for citation in tie.citations:
            cue = next((cue for cue, pattern in _PAST_ROLE if pattern.search(citation.quote)), None)
            if cue is not None:
                found.append(
                    Lint(f"tie {tie.id}", "end", f'its quote says "{cue}", a past role, but the tie has no end date')
                )
                break
    return found


def one_quote_two_readings(data: StoreData) -> list[Lint]:
    """One quote (same document, same text) read as cooperation and as hostility, or
    with two statuses, by ties between the same two actors.

    Between different actors one sentence may well say several things with
    different certainty, so those are left alone.
    """
    by_quote: dict[tuple[str, str, frozenset[str]], list[Tie]] = defaultdict(list)
    for tie in data.ties.values():
        ends = frozenset((tie.source, tie.target))
        for citation in tie.citations:
            by_quote[(citation.source, citation.quote, ends)].append(tie)
    found = []
    for (source, _quote, _ends), ties in by_quote.items():
        ties = list({t.id: t for t in ties}.values())
        if len(ties) < 2:
            continue
        ids = ", ".join(t.id for t in ties)
        meanings = {m for m in (_meaning(t) for t in ties) if m}
        if len(meanings) > 1:
            message = f"one quote of {source} is read as cooperation and as hostility by {ids}"
            found.append(Lint(f"tie {ties[0].id}", "type", message))
        statuses = sorted({t.status for t in ties})
        if len(statuses) > 1:
            found.append(
                Lint(
                    f"tie {ties[0].id}", "status", f"one quote of {source} is read as {' and '.join(statuses)} by {ids}"
                )
            )
    return found


def _phrase_reason(alias: str) -> str | None:
    words = alias.split()
    bare = [w.strip(".,;:'\"“”‘’()") for w in words]
    if len(words) >= 2 and words[0].casefold() == "the" and words[1][:1].islower():
        rest = alias.split(None, 1)[1]
        if not rest.casefold().startswith(NAME_PARTICLES):
            return f'"the" and the common word "{words[1]}"'
    verbs = [w for w in bare if w in ALIAS_VERBS]
    if verbs:
        return f'it has the verb "{verbs[0]}"'
    if len(words) >= PHRASE_WORDS and alias == alias.casefold() and any(ch.isalpha() for ch in alias):
        return f"{len(words)} words, all lower-case"
    return None


def phrase_aliases(data: StoreData) -> list[Lint]:
    """Aliases that are common phrases rather than names: "the group", "the new Afghanistan"."""
    found = []
    for actor in data.actors.values():
        for alias in actor.aliases:
            reason = _phrase_reason(alias)
            if reason is not None:
                message = f'alias "{alias}" looks like a phrase, not a name: {reason}'
                found.append(Lint(f"actor {actor.id}", "aliases", message))
    return found


LINTS = (past_role_without_end, one_quote_two_readings, phrase_aliases)


def lint(data: StoreData) -> list[Lint]:
    """Every warning of every lint, in the order of LINTS."""
    return [warning for check in LINTS for warning in check(data)]
