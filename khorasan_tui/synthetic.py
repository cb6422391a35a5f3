"""Deterministic synthetic stores, for benchmarks and tests at sizes the real
knowledge base will not reach for years.

The shape mimics the real store: plausible names and aliases for every kind,
tie types that fit the kinds they join, a mix of statuses (claims name their
claimant), partial dates, and a verbatim quote behind every tie, written into
a handful of synthetic article files beside the store so `khorasan validate`
passes. Degrees are heavy-tailed on purpose: a few dozen hubs with thousands
of ties, a long tail of actors with exactly one.

Everything is drawn from one `random.Random(seed)` and written in a fixed
order, so a seed always gives the same bytes. Records are made one at a time
in file order, so a SQLite store of millions of ties streams to disk in
bounded memory; a JSON store is gathered in memory and written whole.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import shutil
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

from .model import (
    KINDS,
    SCHEMA_VERSION,
    Actor,
    Citation,
    Source,
    Tie,
    make_tie_id,
    new_actor_id,
    normalize_key,
)
from .progress import QUIET, Progress
from .rules import check_ends
from .sqlstore import SqlWriter, wants_sqlite
from .store import StoreData, atomic_write, check_structure, encode_store, gc_paused

QUOTES_PER_DOCUMENT = 2_000
HUB_SHARE = 0.2  # of the randomly drawn tie ends that land on hubs
LONG_TAIL_SHARE = 0.45  # actors that only ever get the one tie that connects them
MAX_TAIL_WEIGHT = 60.0  # caps the Pareto draw so only hubs reach thousands of ties
MAX_HEADS = 4  # leaders (and founders) per group

# -- name pools (plausible, not real people) -----------------------------------------

GIVEN = (
    "Abdul Ahmad Akhtar Amanullah Amir Anwar Asadullah Asif Attaullah Aziz Bashir Bilal Burhan Daud "
    "Ehsan Faisal Farhad Farid Fazl Ghulam Gul Habib Hafiz Hamid Hamza Haroon Hashim Hayat Hekmat Ibrahim "
    "Idris Ihsan Ikram Imran Inayat Ismail Jalal Jamil Javed Kabir Kamal Karim Khalid Latif Mahmood Mansoor "
    "Masood Mir Mohammad Mubarak Mujib Munir Murad Mustafa Nabi Nadir Najib Naqib Nasir Nazar Nizam Noor "
    "Obaid Omar Qadir Qasim Rafiq Rahim Rahmat Rashid Rauf Sadiq Saeed Saif Sajjad Salim Sami Sardar "
    "Shafiq Shah Shakir Sharif Shaukat Sher Siraj Sultan Tahir Tariq Umar Wahid Waqar Wasim Yahya Yaqub "
    "Yasin Younis Yusuf Zabihullah Zahid Zakir Zaman Zia Zubair"
).split()
GIVEN_SECOND = (
    "Rahman Rahim Karim Haq Wali Jan Gul Din Ali Nabi Hadi Qayyum Samad Basir Ghani Hakim Jabbar "
    "Latif Majid Malik Mannan Qadir Rashid Sattar Wahab Wadud Zahir Aziz Hamid"
).split()
FAMILY = (
    "Achakzai Afridi Ahmadzai Alizai Andar Baluch Barakzai Bangash Durrani Ghilzai Hotak Jadran Kakar "
    "Kharoti Khattak Logari Mangal Mehsud Mohmand Muhajir Nangarhari Noorzai Orakzai Popalzai Safi "
    "Shinwari Stanikzai Tani Tokhi Turi Wardak Wazir Yousafzai Zadran Kunari Paktiawal Helmandi Bajauri "
    "Swati Dawar Bhittani Khogiani Sulaimankhel Tajik Uzbeki Hazarawal Farooqi Siddiqui Qureshi Ansari "
    "Hashimi Sadat Naqvi Rizvi Gilani Bukhari Chishti Mujaddidi Haqqani Mansoori Akhund Khan"
).split()
NISBA = (
    "Khorasani Afghani Pakistani Muhajir Kunari Logari Nangarhari Tajiki Uzbeki Shami Iraqi Baluchi "
    "Waziri Bajauri Swati Kabuli Peshawari Qandahari Hilmandi Badakhshani Farahi Ghazni"
).split()
HONORIFIC = ("Mullah", "Maulvi", "Qari", "Sheikh", "Haji", "Mufti", "Commander")

PROVINCES = (
    "Nangarhar Kunar Nuristan Laghman Kabul Logar Paktia Paktika Khost Ghazni Zabul Kandahar Helmand "
    "Farah Herat Badghis Faryab Jowzjan Balkh Kunduz Takhar Badakhshan Baghlan Parwan Kapisa Wardak "
    "Bamyan Uruzgan Nimroz Sar-e-Pul Samangan Panjshir Bajaur Mohmand Khyber Kurram Orakzai Swat Dir "
    "Chitral Peshawar Quetta Zhob Gwadar Sistan Tirah"
).split()
DISTRICT_PARTS_A = (
    "Achin",
    "Deh",
    "Shin",
    "Spin",
    "Tor",
    "Zar",
    "Gul",
    "Sar",
    "Nau",
    "Pul",
    "Qala",
    "Dara",
    "Bagh",
    "Chapa",
    "Khas",
    "Mamand",
    "Pech",
    "Shigal",
    "Wata",
    "Nari",
    "Kot",
    "Baru",
)
DISTRICT_PARTS_B = (
    "kot",
    "abad",
    "khel",
    "garh",
    "pur",
    "zai",
    "dara",
    "bagh",
    "shahr",
    "gai",
    "wal",
    "pora",
    "dand",
    "tangi",
    "kalay",
    "sar",
)
PLACE_QUALIFIERS = ("", "Upper ", "Lower ", "Old ", "New ")

GROUP_PREFIX = (
    "Tehrik-e-",
    "Jamaat-ul-",
    "Lashkar-e-",
    "Harakat-ul-",
    "Jaish-e-",
    "Ansar-ul-",
    "Hizb-e-",
    "Katibat ",
    "Liwa ",
    "Jabhat-ul-",
)
GROUP_CORE = (
    "Ahrar",
    "Islam",
    "Mujahideen",
    "Furqan",
    "Jihad",
    "Khilafat",
    "Tawhid",
    "Sunnah",
    "Haqq",
    "Nusrat",
    "Imam",
    "Fateh",
    "Shariat",
    "Khorasan",
    "Muhajirin",
    "Ansar",
    "Umar",
    "Badr",
    "Qital",
    "Hijrat",
    "Taiba",
    "Zubair",
    "Mahdi",
    "Sahaba",
    "Rijal",
)
GROUP_SUFFIX = ("", " Front", " Brigade", " Shura", " Wing", " Battalion", " Faction", " Network")

STATES = (
    "Afghanistan Pakistan Iran India China Russia Tajikistan Uzbekistan Turkmenistan Kyrgyzstan "
    "Kazakhstan Qatar Saudi-Arabia United-Arab-Emirates Turkey Iraq Syria Jordan Egypt Oman Bahrain Kuwait "
    "Yemen United-States United-Kingdom France Germany Italy Netherlands Norway Sweden Belgium Spain "
    "Australia Canada Japan Indonesia Malaysia Bangladesh Sri-Lanka Azerbaijan Georgia Somalia Libya"
).split()
AGENCY_FORMS = (
    "{s} Ministry of Interior",
    "{s} General Directorate of Intelligence",
    "{s} National Police",
    "{s} Counter-Terrorism Department",
    "{s} Border Police",
    "{s} Special Forces",
    "{s} Intelligence Bureau",
    "{s} Military Intelligence",
    "{p} Provincial Police",
    "{p} Counter-Terrorism Cell",
    "{p} Levies Force",
    "{p} District Police",
    "{p} Garrison Command",
    "{p} Frontier Corps Wing",
)
ORG_FORMS = (
    "Al-{c} Media Foundation",
    "{p} Institute for Peace Studies",
    "{p} Times",
    "{p} Relief Trust",
    "Voice of {p}",
    "{c} Welfare Society",
    "{p} Human Rights Watchers",
    "{c} Publications",
    "{p} Observer",
    "{c} Madrasa Network",
    "{p} Research Centre",
    "{p} Radio",
)
EVENT_FORMS = (
    "{p} suicide bombing",
    "{p} prison attack",
    "{p} mosque attack",
    "{p} ambush",
    "{p} raid",
    "{p} kidnapping",
    "{p} drone strike",
    "{p} market bombing",
    "{p} school attack",
    "{p} checkpoint attack",
    "{p} assassination",
    "{p} peace talks",
    "{p} arrests",
    "{p} airport attack",
    "{p} shrine bombing",
)

PUBLISHERS = (
    "Khorasan Monitor",
    "Frontier Review",
    "Hindu Kush Observer",
    "Durand Line Daily",
    "Kabul Evening Post",
    "Peshawar Ledger",
    "Central Asia Brief",
    "Afghan Analysts Bulletin",
    "South Asia Security Digest",
    "Pamir Wire",
)
HEADLINES = (
    "new alliances in {p}",
    "the fight over {p}",
    "who is behind the attacks in {p}",
    "recruitment networks in {p}",
    "the rise and fall of militant factions in {p}",
    "talks and rivalries around {p}",
    "money, arms and shelter in {p}",
    "the war in {p} explained",
)

ROLES = (
    "commander",
    "deputy leader",
    "spokesman",
    "financier",
    "recruiter",
    "shura member",
    "trainer",
    "intelligence chief",
    "military commander",
    "emir",
)

KIND_SHARE = (  # the real store's mix, leaning a little more to people
    ("person", 0.30),
    ("place", 0.18),
    ("event", 0.18),
    ("group", 0.14),
    ("organization", 0.07),
    ("agency", 0.09),
    ("state", 0.04),  # states run out after a few dozen; the rest become agencies
)
KIND_LIST = tuple(KINDS)
KIND_INDEX = {kind: i for i, kind in enumerate(KIND_LIST)}
HUB_KINDS = ("group", "state", "group", "agency", "place", "group", "organization")

# How one actor relates to another in a sentence: "X is a member of Y".
VERB_PHRASES = {
    "leads": "leads",
    "member_of": "is a member of",
    "founded": "founded",
    "faction_of": "is a faction of",
    "emerged_from": "emerged from",
    "supports": "supports",
    "recruits_from": "recruits from",
    "succeeded": "succeeded",
    "carried_out": "carried out",
    "targeted": "targeted",
    "located_in": "is located in",
    "operates_in": "operates in",
    "family": "is a relative of",
    "allied_with": "is allied with",
    "cooperates_with": "cooperates with",
    "affiliated_with": "has ties to",
    "hostile_to": "is hostile to",
    "negotiates_with": "is negotiating with",
}
QUOTE_FORMS = {
    "reported": (
        "{a} {v} {b}{w}.",
        "Officials confirmed that {a} {v} {b}{w}.",
        "According to local sources, {a} {v} {b}{w}.",
    ),
    "alleged": (
        "Analysts suspect that {a} {v} {b}{w}.",
        "It is alleged that {a} {v} {b}{w}.",
        "Some reports suggest that {a} {v} {b}{w}.",
    ),
    "claimed": ("{c} claims that {a} {v} {b}{w}.", "In a statement, {c} said that {a} {v} {b}{w}."),
}
STATUS_SHARE = (("reported", 0.72), ("alleged", 0.20), ("claimed", 0.08))

PEOPLE = ("person",)
ARMED = ("group", "person")
AUTHORITIES = ("state", "agency")
# (source kinds, tie type, target kinds, weight)
TIE_RULES = (
    (PEOPLE, "member_of", ("group", "agency", "organization"), 5.0),
    (PEOPLE, "leads", ("group", "agency", "organization"), 1.0),
    (PEOPLE, "founded", ("group", "organization"), 0.3),
    (PEOPLE, "family", PEOPLE, 1.0),
    (PEOPLE, "cooperates_with", PEOPLE, 1.0),
    (PEOPLE, "hostile_to", PEOPLE, 0.4),
    (PEOPLE, "succeeded", PEOPLE, 0.3),
    (("group",), "allied_with", ("group",), 2.0),
    (("group",), "hostile_to", ("group",), 2.0),
    (("group",), "cooperates_with", ("group",), 1.0),
    (("group",), "faction_of", ("group",), 1.0),
    (("group",), "emerged_from", ("group",), 0.5),
    (("group",), "affiliated_with", ("group",), 1.0),
    (("group",), "recruits_from", ("group", "place"), 0.7),
    (AUTHORITIES, "supports", ("group",), 1.5),
    (AUTHORITIES, "hostile_to", ARMED, 2.0),
    (AUTHORITIES, "negotiates_with", ("group", "state"), 0.5),
    (("state",), "cooperates_with", ("state", "agency"), 2.0),
    (("agency",), "cooperates_with", ("agency",), 1.0),
    (ARMED, "carried_out", ("event",), 3.0),
    (("event",), "targeted", ("person", "group", "state", "agency", "organization"), 2.0),
    (("event",), "located_in", ("place",), 3.0),
    (("group", "agency"), "operates_in", ("place",), 3.0),
    (("person", "organization", "agency"), "located_in", ("place",), 1.0),
    (("place",), "located_in", ("place",), 1.0),
    (("organization",), "supports", ("group",), 0.5),
    (("organization",), "affiliated_with", ("group", "person", "organization"), 1.0),
)


@dataclass(frozen=True, slots=True)
class GeneratedStore:
    path: Path
    sources_folder: Path
    actors: int
    ties: int
    documents: int


class _Pick:
    """Weighted choice from a fixed table, by bisecting cumulative weights."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def _tie_options() -> dict[tuple[str, str], _Pick]:
    """For each ordered pair of kinds, the tie types that fit and whether to swap ends."""
    table: dict[tuple[str, str], _Pick] = {}
    for ka in KINDS:
        for kb in KINDS:
            options: list[tuple[str, bool]] = []
            weights: list[float] = []
            for sources, tie_type, targets, weight in TIE_RULES:
                if ka in sources and kb in targets:
                    options.append((tie_type, False))
                    weights.append(weight)
                elif kb in sources and ka in targets:
                    options.append((tie_type, True))
                    weights.append(weight)
            if not options:
                # No rule pairs these kinds: the first type the rulebook lets
                # join them (places and events are not actors: a loose
                # "affiliated_with" would make an invalid store).
                fallback = [
                    ("located_in", False),
                    ("located_in", True),
                    ("affiliated_with", False),
                    ("succeeded", False),
                ]
                for tie_type, swap in fallback:
                    source, target = (kb, ka) if swap else (ka, kb)
                    if check_ends(tie_type, source, target) is None:
                        options, weights = [(tie_type, swap)], [1.0]
                        break
            table[(ka, kb)] = _Pick(options, weights)
    return table


class _Digests:
    """A set of strings kept as 64-bit digests in one flat table: a million actor
    names or five million tie ids take tens of megabytes, where a set of the
    strings would take gigabytes. Two strings sharing a digest (a chance in a
    million at five million ids) only make one look taken, so the generator
    picks another: never a duplicate. Digests, not `hash()`: the same seed must
    give the same store in every process."""

    MAX_LOAD = 0.7

    def __init__(self, expected: int = 0) -> None:
        size = 16
        while size * self.MAX_LOAD < expected:
            size *= 2
        self._slots = array("Q", [0]) * size
        self._count = 0

    @staticmethod
    def _digest(text: str) -> int:
        return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "little") or 1

    def _slot(self, digest: int) -> int:
        """Where `digest` is, or the empty slot where it would go (linear probing)."""
        slots = self._slots
        mask = len(slots) - 1
        i = digest & mask
        while True:
            held = slots[i]
            if held == 0 or held == digest:
                return i
            i = (i + 1) & mask

    def add(self, text: str) -> bool:
        """Add `text`; False when it was there already."""
        digest = self._digest(text)
        i = self._slot(digest)
        if self._slots[i] == digest:
            return False
        self._slots[i] = digest
        self._count += 1
        if self._count > self.MAX_LOAD * len(self._slots):
            old = self._slots
            self._slots = array("Q", [0]) * (2 * len(old))
            for held in old:
                if held:
                    self._slots[self._slot(held)] = held
        return True

    def taken_else_add(self, text: str) -> bool:
        """Whether `text` is taken; if not, it is now (for `unique_id`: one digest per candidate)."""
        return not self.add(text)


class _Names:
    """Unique names: no two actors may share a name or alias once normalised."""

    def __init__(self, rng: random.Random, n_actors: int) -> None:
        self.rng = rng
        self.taken = _Digests(2 * n_actors)
        self.ids = _Digests(n_actors)

    def claim(self, name: str) -> bool:
        key = normalize_key(name)
        return bool(key) and self.taken.add(key)

    def unique(self, make) -> str:
        for _ in range(12):
            name = make()
            if self.claim(name):
                return name
        base = make()
        n = 2
        while not self.claim(f"{base} {n}"):
            n += 1
        return f"{base} {n}"

    def actor_id(self, name: str) -> str:
        return new_actor_id(name, self.ids.taken_else_add)


class _Quotes:
    """The sentences each document will hold, kept on disk until the documents
    are written (at five million ties they would fill gigabytes). Each bucket
    file holds a run of consecutive documents, so the documents are written in
    order with one bucket in memory at a time."""

    BUCKETS = 64

    def __init__(self, n_documents: int, folder: Path) -> None:
        self.n_documents = n_documents
        self.buckets = min(self.BUCKETS, n_documents)
        self.folder = Path(tempfile.mkdtemp(prefix=".khorasan-quotes-", dir=folder))
        self.files = [open(self.folder / str(b), "w", encoding="utf-8") for b in range(self.buckets)]

    def _bucket(self, doc: int) -> int:
        return doc * self.buckets // self.n_documents

    def add(self, doc: int, sentence: str) -> None:
        # Sentences are made of generated names: no newline in them.
        self.files[self._bucket(doc)].write(f"{doc}\t{sentence}\n")

    def by_document(self) -> Iterator[list[str]]:
        """Each document's sentences in the order they were cited, document after document."""
        for handle in self.files:
            handle.close()
        doc = 0
        for bucket in range(self.buckets):
            sentences: dict[int, list[str]] = {}
            with open(self.folder / str(bucket), encoding="utf-8") as handle:
                for line in handle:
                    number, sentence = line.rstrip("\n").split("\t", 1)
                    sentences.setdefault(int(number), []).append(sentence)
            while doc < self.n_documents and self._bucket(doc) == bucket:
                yield sentences.get(doc, [])
                doc += 1

    def close(self) -> None:
        for handle in self.files:
            handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _acronym(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words)


def _year(rng: random.Random, low: int = 1996, high: int = 2024) -> int:
    return rng.randint(low, high)


def _partial_date(rng: random.Random, low: int = 1996, high: int = 2024) -> str:
    year = _year(rng, low, high)
    roll = rng.random()
    if roll < 0.4:
        return str(year)
    month = rng.randint(1, 12)
    if roll < 0.75:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


class _Builder:
    """Makes the store record by record, in file order: actors, then ties, then
    documents. What the ties need of each actor is kept in flat lists (the
    Actor objects of a million actors would not fit in memory)."""

    def __init__(self, n_actors: int, n_ties: int, seed: int, spool: Path) -> None:
        self.rng = random.Random(seed)
        self.n_actors = n_actors
        self.n_ties = n_ties
        self.names = _Names(self.rng, n_actors)
        self.ids: list[str] = []
        self.actor_names: list[str] = []
        self.kinds = bytearray()
        self.event_dates: dict[int, str] = {}
        self.people = array("I")
        self.cumulative = array("d")
        # How many leaders and founders each actor has had so far.
        self.heads = {"leads": bytearray(n_actors), "founded": bytearray(n_actors)}
        self.tie_ids = _Digests(n_ties)
        expected_quotes = n_ties * 1.1 + n_actors * 0.3
        self.n_documents = max(3, math.ceil(expected_quotes / QUOTES_PER_DOCUMENT))
        self.quotes = _Quotes(self.n_documents, spool)
        self.state_names = list(STATES)
        self.rng.shuffle(self.state_names)

    # -- actors --------------------------------------------------------------------
    def _person(self) -> tuple[str, list[str], str]:
        rng = self.rng

        def make() -> str:
            if rng.random() < 0.55:
                return f"{rng.choice(GIVEN)} {rng.choice(GIVEN_SECOND)} {rng.choice(FAMILY)}"
            return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"

        name = self.names.unique(make)
        aliases = []
        if rng.random() < 0.5:
            kunya = f"Abu {rng.choice(GIVEN)} al-{rng.choice(NISBA)}"
            if self.names.claim(kunya):
                aliases.append(kunya)
        if rng.random() < 0.15:
            title = f"{rng.choice(HONORIFIC)} {name.split()[0]} {name.split()[-1]}"
            if self.names.claim(title):
                aliases.append(title)
        summary = f"{rng.choice(ROLES).capitalize()} from {rng.choice(PROVINCES)}."
        return name, aliases, summary

    def _group(self) -> tuple[str, list[str], str]:
        rng = self.rng

        def make() -> str:
            core = f"{rng.choice(GROUP_PREFIX)}{rng.choice(GROUP_CORE)}"
            if rng.random() < 0.5:
                core = f"{core} {rng.choice(PROVINCES)}"
            return core + rng.choice(GROUP_SUFFIX)

        name = self.names.unique(make)
        aliases = []
        acronym = _acronym(name)
        if len(acronym) >= 3 and rng.random() < 0.7 and self.names.claim(acronym):
            aliases.append(acronym)
        summary = f"Armed faction active in {rng.choice(PROVINCES)}."
        return name, aliases, summary

    def _place(self) -> tuple[str, list[str], str]:
        rng = self.rng

        def make() -> str:
            if rng.random() < 0.1:
                return f"{rng.choice(PROVINCES)} Province"
            village = f"{rng.choice(PLACE_QUALIFIERS)}{rng.choice(DISTRICT_PARTS_A)}{rng.choice(DISTRICT_PARTS_B)}"
            return f"{village}, {rng.choice(PROVINCES)}"

        name = self.names.unique(make)
        aliases = []
        if "," in name and rng.random() < 0.2:
            alias = name.split(",")[0].replace("abad", " Abad").replace("kot", " Kot")
            if alias != name.split(",")[0] and self.names.claim(alias):
                aliases.append(alias)
        return name, aliases, "District or village in the border region."

    def _event(self) -> tuple[str, list[str], str]:
        rng = self.rng
        date = _partial_date(rng, 2001, 2024)

        def make() -> str:
            place = (
                rng.choice(PROVINCES)
                if rng.random() < 0.5
                else rng.choice(DISTRICT_PARTS_A) + rng.choice(DISTRICT_PARTS_B)
            )
            return f"{rng.choice(EVENT_FORMS).format(p=place)} ({date[:4]})"

        name = self.names.unique(make)
        self._event_date = date
        return name, [], "Attack, arrest, killing or negotiation reported in the press."

    def _state(self) -> tuple[str, list[str], str]:
        if not self.state_names:
            return self._agency()
        name = self.state_names.pop().replace("-", " ")
        if not self.names.claim(name):
            return self._agency()
        return name, [], "State."

    def _agency(self) -> tuple[str, list[str], str]:
        rng = self.rng

        def make() -> str:
            form = rng.choice(AGENCY_FORMS)
            return form.format(s=rng.choice(STATES).replace("-", " "), p=rng.choice(PROVINCES))

        name = self.names.unique(make)
        aliases = []
        acronym = _acronym(name)
        if len(acronym) >= 3 and rng.random() < 0.4 and self.names.claim(acronym):
            aliases.append(acronym)
        return name, aliases, "Intelligence service, police or armed force."

    def _organization(self) -> tuple[str, list[str], str]:
        rng = self.rng

        def make() -> str:
            return rng.choice(ORG_FORMS).format(p=rng.choice(PROVINCES), c=rng.choice(GROUP_CORE))

        name = self.names.unique(make)
        return name, [], "Media outlet, charity or research institute."

    def add_actor(self, kind: str) -> Actor:
        rng = self.rng
        self._event_date = None
        make = {
            "person": self._person,
            "group": self._group,
            "place": self._place,
            "event": self._event,
            "state": self._state,
            "agency": self._agency,
            "organization": self._organization,
        }[kind]
        name, aliases, summary = make()
        if kind == "state" and summary != "State.":
            kind = "agency"
        actor = Actor(id=self.names.actor_id(name), name=name, kind=kind, aliases=aliases, summary=summary)
        if kind == "person":
            if rng.random() < 0.3:
                actor.born = str(_year(rng, 1950, 1995))
                if rng.random() < 0.3:
                    actor.died = str(_year(rng, int(actor.born) + 20, 2024))
        elif kind in ("group", "organization", "agency"):
            if rng.random() < 0.6:
                actor.founded = _partial_date(rng, 1980, 2020)
                if rng.random() < 0.15:
                    actor.ended = str(_year(rng, int(actor.founded[:4]) + 1, 2025))
        elif kind == "event":
            actor.founded = self._event_date
        if rng.random() < 0.25:
            also = f", also known as {aliases[0]}," if aliases else ""
            quote = f"{name}{also} is described as follows: {summary}"
            actor.citations.append(Citation(self._cite(quote), quote))
        index = len(self.ids)
        if kind == "person":
            # A few suspected duplicates, as curation leaves them: one in 500 people.
            if self.people and rng.random() < 1 / 500:
                actor.possible_duplicate_of = self.ids[self.people[rng.randrange(len(self.people))]]
            self.people.append(index)
        if kind == "event":
            self.event_dates[index] = actor.founded
        self.ids.append(actor.id)
        self.actor_names.append(name)
        self.kinds.append(KIND_INDEX[kind])
        return actor

    def _cite(self, sentence: str) -> str:
        doc = self.rng.randrange(self.n_documents)
        self.quotes.add(doc, sentence)
        return self.document_id(doc)

    def document_id(self, index: int) -> str:
        return f"syn-{index + 1:04d}"

    def actors(self) -> Iterator[Actor]:
        """Every actor, hubs first; each one's weight for drawing tie ends is kept for the ties."""
        rng = self.rng
        n = self.n_actors
        hubs = min(max(1, n // 2000 + 3), max(1, n // 10))
        kinds = _Pick([k for k, _ in KIND_SHARE], [s for _, s in KIND_SHARE])
        plan = [HUB_KINDS[i % len(HUB_KINDS)] for i in range(hubs)]
        plan += [kinds(rng) for _ in range(n - hubs)]
        tail_weights = array("d")
        for _ in range(n - hubs):
            if rng.random() < LONG_TAIL_SHARE:
                tail_weights.append(0.0)
            else:
                tail_weights.append(min(rng.paretovariate(1.3), MAX_TAIL_WEIGHT))
        tail_total = sum(tail_weights) or 1.0
        zipf = [1.0 / (r + 1) ** 0.5 for r in range(hubs)]
        zipf_total = sum(zipf)
        hub_total = tail_total * HUB_SHARE / (1.0 - HUB_SHARE)
        total = 0.0
        for weight in itertools.chain((hub_total * z / zipf_total for z in zipf), tail_weights):
            total += weight
            self.cumulative.append(total)
        del tail_weights
        for kind in plan:
            yield self.add_actor(kind)
        # Only new actors need unique names: a million actors' digests are 50 MB the ties can use.
        self.names.taken = self.names.ids = _Digests()

    # -- ties ----------------------------------------------------------------------
    def ties(self) -> Iterator[Tie]:
        rng = self.rng
        n = len(self.ids)
        if n < 2:
            if self.n_ties:
                raise ValueError("ties need at least two actors")
            return
        cumulative = self.cumulative
        total = cumulative[-1]
        options = _tie_options()
        statuses = _Pick([s for s, _ in STATUS_SHARE], [w for _, w in STATUS_SHARE])
        can_claim = {KIND_INDEX[k] for k in ("state", "agency", "organization", "group")}
        claimants = [i for i, k in enumerate(self.kinds) if k in can_claim] or list(range(n))
        claimants = claimants[: max(50, len(claimants) // 20)]
        draw = rng.random

        # A spanning tree first: each actor hangs off an earlier one, so the graph
        # is connected and the long tail has exactly one tie each.
        tree = min(n - 1, self.n_ties)
        for i in range(1, tree + 1):
            j = bisect.bisect(cumulative, draw() * cumulative[i - 1], 0, i - 1)
            yield self._tie(i, j, options, statuses, claimants)
        for _ in range(self.n_ties - tree):
            i = bisect.bisect(cumulative, draw() * total, 0, n - 1)
            j = i
            while j == i:
                j = bisect.bisect(cumulative, draw() * total, 0, n - 1)
            yield self._tie(i, j, options, statuses, claimants)

    def _tie(self, a: int, b: int, options, statuses, claimants) -> Tie:
        rng = self.rng
        kinds, names = self.kinds, self.actor_names
        tie_type, swap = options[(KIND_LIST[kinds[a]], KIND_LIST[kinds[b]])](rng)
        if swap:
            a, b = b, a
        kind_a, kind_b = KIND_LIST[kinds[a]], KIND_LIST[kinds[b]]
        if tie_type in ("leads", "founded"):
            # A group has a handful of leaders and founders over its life, not hundreds.
            counts = self.heads[tie_type]
            if counts[b] >= MAX_HEADS:
                tie_type = "member_of"
            else:
                counts[b] += 1
        status = statuses(rng)
        claimant = None
        if status == "claimed":
            claimant = claimants[rng.randrange(len(claimants))]
            if claimant in (a, b):
                claimant = None
                status = "alleged"
        start = end = role = None
        event = a if kind_a == "event" else b if kind_b == "event" else None
        if event is not None and self.event_dates.get(event):
            start = self.event_dates[event]  # a tie to an event dates from the event
        elif rng.random() < 0.45:
            start = _partial_date(rng, 1996, 2022)
            if rng.random() < 0.2:
                end = str(_year(rng, int(start[:4]) + 1, 2025))
        if tie_type in ("leads", "member_of") and rng.random() < 0.5:
            role = rng.choice(ROLES)
        when = f" in {start[:4]}" if start else ""
        form = rng.choice(QUOTE_FORMS[status])
        verb = "took place in" if tie_type == "located_in" and kind_a == "event" else VERB_PHRASES[tie_type]
        name_a, name_b = names[a], names[b]
        quote = form.format(a=name_a, v=verb, b=name_b, w=when, c=names[claimant] if claimant is not None else "")
        citations = [Citation(self._cite(quote), quote)]
        if rng.random() < 0.08:
            second = f"{name_b} was again linked to {name_a}."
            citations.append(Citation(self._cite(second), second))
        summary = f"{name_a} {verb} {name_b}." if rng.random() < 0.3 else ""
        tie_id = make_tie_id(self.ids[a], tie_type, self.ids[b], self.tie_ids.taken_else_add)
        return Tie(
            id=tie_id,
            type=tie_type,
            source=self.ids[a],
            target=self.ids[b],
            status=status,
            claimant=self.ids[claimant] if claimant is not None else None,
            role=role,
            start=start,
            end=end,
            summary=summary,
            citations=citations,
        )

    # -- documents -----------------------------------------------------------------
    def documents(self, folder: Path) -> Iterator[Source]:
        """Each document's record, its text written into `folder` on the way."""
        rng = self.rng
        for index, sentences in enumerate(self.quotes.by_document()):
            doc_id = self.document_id(index)
            title = rng.choice(HEADLINES).format(p=rng.choice(PROVINCES))
            title = title[0].upper() + title[1:]
            publisher = rng.choice(PUBLISHERS)
            published = f"{_year(rng, 2015, 2024)}-{rng.randint(1, 12):02d}"
            file_name = f"{doc_id}.txt"
            paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
            text = "\n\n".join([title, f"{publisher}, {published}", *paragraphs]) + "\n"
            (folder / file_name).write_text(text, encoding="utf-8")
            yield Source(
                id=doc_id,
                title=title,
                publisher=publisher,
                published=published,
                published_note="Synthetic article generated for benchmarks.",
                path=f"{folder.name}/{file_name}",
            )
        self._release()

    def _release(self) -> None:
        """Every record is made: what the ties needed of each actor (hundreds of
        megabytes at a million actors) goes before SQLite sorts its indexes."""
        self.ids, self.actor_names, self.kinds, self.event_dates = [], [], bytearray(), {}
        self.people, self.cumulative, self.heads, self.tie_ids = array("I"), array("d"), {}, _Digests()


def sources_folder_for(path: Path) -> Path:
    """Where a generated store keeps its articles: beside it, named after it."""
    return path.with_name(f"{path.stem}-sources")


def generate(path: str | Path, n_actors: int, n_ties: int, seed: int = 1, progress: Progress = QUIET) -> GeneratedStore:
    """Write a synthetic store to `path` and its articles to a folder beside it.

    A path ending .sqlite (or an existing SQLite store) gets a SQLite store,
    streamed record by record in bounded memory; otherwise a JSON store, built
    in memory and held to the whole rulebook before it is written. Both hold
    the same records: converting one gives the other's bytes.
    """
    if n_actors < 0 or n_ties < 0:
        raise ValueError("counts must not be negative")
    path = Path(path).absolute()
    folder = sources_folder_for(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(exist_ok=True)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "name": f"Synthetic store: {n_actors} actors, {n_ties} ties (seed {seed})",
        "synthetic": {"actors": n_actors, "ties": n_ties, "seed": seed},
    }
    builder = _Builder(n_actors, n_ties, seed, path.parent)
    try:
        write = _write_sqlite if wants_sqlite(path) else _write_json
        counts = write(builder, path, meta, folder, progress)
    finally:
        builder.quotes.close()
    for stale in folder.glob("syn-*.txt"):
        if not _is_document_of(stale.name, builder.n_documents):
            stale.unlink()
    return GeneratedStore(path, folder, *counts)


def _is_document_of(file_name: str, n_documents: int) -> bool:
    number = file_name[len("syn-") : -len(".txt")]
    return number.isdigit() and 1 <= int(number) <= n_documents and file_name == f"syn-{int(number):04d}.txt"


def _phases(builder: _Builder, folder: Path):
    yield "actors", builder.n_actors, builder.actors()
    yield "ties", builder.n_ties, builder.ties()
    yield "documents", builder.n_documents, builder.documents(folder)


def _write_json(builder: _Builder, path: Path, meta: dict, folder: Path, progress: Progress) -> tuple[int, int, int]:
    data = StoreData(meta=meta, path=path)
    tables = {"actors": data.actors, "ties": data.ties, "documents": data.sources}
    with gc_paused():
        for phase, total, records in _phases(builder, folder):
            progress.phase(phase, total)
            table = tables[phase]
            for record in records:
                table[record.id] = record
                progress.advance()
        progress.phase("checking")
        check_structure(data)
        progress.phase("writing")
        payload = encode_store(data)
    # Written as save_store would, without its lock file and backup: a
    # generated store has no history to protect.
    atomic_write(path, payload, backup=False)
    return len(data.actors), len(data.ties), len(data.sources)


def _write_sqlite(builder: _Builder, path: Path, meta: dict, folder: Path, progress: Progress) -> tuple[int, int, int]:
    writer = SqlWriter(path, meta)
    adds = {"actors": writer.add_actor, "ties": writer.add_tie, "documents": writer.add_source}
    try:
        for phase, total, records in _phases(builder, folder):
            progress.phase(phase, total)
            add = adds[phase]
            for record in records:
                add(record)
                progress.advance()
        writer.finish(progress.phase)
    except BaseException:
        writer.abort()
        raise
    return writer.counts["actors"], writer.counts["ties"], writer.counts["sources"]


__all__ = ["GeneratedStore", "generate", "sources_folder_for"]
