"""Deterministic synthetic stores, for benchmarks and tests at sizes the real
knowledge base will not reach for years.

The shape mimics the real store: plausible names and aliases for every kind,
tie types that fit the kinds they join, a mix of statuses (claims name their
claimant), partial dates, and a verbatim quote behind every tie, written into
a handful of synthetic article files beside the store so `khorasan validate`
passes. Degrees are heavy-tailed on purpose: a few dozen hubs with thousands
of ties, a long tail of actors with exactly one.

Everything is drawn from one `random.Random(seed)` and written in a fixed
order, so a seed always gives the same bytes.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
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
from .rules import check_ends
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


class _Names:
    """Unique names: no two actors may share a name or alias once normalised."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        self.ids: set[str] = set()

    def claim(self, name: str) -> bool:
        key = normalize_key(name)
        if not key or key in self.taken:
            return False
        self.taken.add(key)
        return True

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
        actor_id = new_actor_id(name, self.ids)
        self.ids.add(actor_id)
        return actor_id


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
    def __init__(self, n_actors: int, n_ties: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_actors = n_actors
        self.n_ties = n_ties
        self.names = _Names(self.rng)
        self.actors: dict[str, Actor] = {}
        self.ties: dict[str, Tie] = {}
        # Quotes wait here until the documents are written: (document index, sentence).
        self.sentences: list[tuple[int, str]] = []
        self.heads: dict[tuple[str, str], int] = {}
        expected_quotes = n_ties * 1.1 + n_actors * 0.3
        self.n_documents = max(3, math.ceil(expected_quotes / QUOTES_PER_DOCUMENT))
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
        self.actors[actor.id] = actor
        return actor

    def _cite(self, sentence: str) -> str:
        doc = self.rng.randrange(self.n_documents)
        self.sentences.append((doc, sentence))
        return self.document_id(doc)

    def document_id(self, index: int) -> str:
        return f"syn-{index + 1:04d}"

    def make_actors(self) -> list[float]:
        """Every actor, hubs first, and each one's weight for drawing tie ends."""
        rng = self.rng
        n = self.n_actors
        hubs = min(max(1, n // 2000 + 3), max(1, n // 10))
        kinds = _Pick([k for k, _ in KIND_SHARE], [s for _, s in KIND_SHARE])
        plan = [HUB_KINDS[i % len(HUB_KINDS)] for i in range(hubs)]
        plan += [kinds(rng) for _ in range(n - hubs)]
        tail_weights: list[float] = []
        for _ in plan[hubs:]:
            if rng.random() < LONG_TAIL_SHARE:
                tail_weights.append(0.0)
            else:
                tail_weights.append(min(rng.paretovariate(1.3), MAX_TAIL_WEIGHT))
        tail_total = sum(tail_weights) or 1.0
        zipf = [1.0 / (r + 1) ** 0.5 for r in range(hubs)]
        hub_total = tail_total * HUB_SHARE / (1.0 - HUB_SHARE)
        weights = [hub_total * z / sum(zipf) for z in zipf] + tail_weights
        for kind in plan:
            self.add_actor(kind)
        # A few suspected duplicates, as curation leaves them: one in 500 people.
        people = [a.id for a in self.actors.values() if a.kind == "person"]
        for _ in range(len(people) // 500):
            suspect, original = rng.sample(people, 2)
            self.actors[suspect].possible_duplicate_of = original
        return weights

    # -- ties ----------------------------------------------------------------------
    def make_ties(self, weights: list[float]) -> None:
        rng = self.rng
        ids = list(self.actors)
        actors = [self.actors[a] for a in ids]
        n = len(ids)
        if n < 2:
            if self.n_ties:
                raise ValueError("ties need at least two actors")
            return
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        options = _tie_options()
        statuses = _Pick([s for s, _ in STATUS_SHARE], [w for _, w in STATUS_SHARE])
        claimants = [a for a in actors if a.kind in ("state", "agency", "organization", "group")] or actors
        claimants = claimants[: max(50, len(claimants) // 20)]
        draw = rng.random

        # A spanning tree first: each actor hangs off an earlier one, so the graph
        # is connected and the long tail has exactly one tie each.
        tree = min(n - 1, self.n_ties)
        for i in range(1, tree + 1):
            j = bisect.bisect(cumulative, draw() * cumulative[i - 1], 0, i - 1)
            self._add_tie(actors[i], actors[j], options, statuses, claimants)
        for _ in range(self.n_ties - tree):
            i = bisect.bisect(cumulative, draw() * total, 0, n - 1)
            j = i
            while j == i:
                j = bisect.bisect(cumulative, draw() * total, 0, n - 1)
            self._add_tie(actors[i], actors[j], options, statuses, claimants)

    def _add_tie(self, a: Actor, b: Actor, options, statuses, claimants) -> None:
        rng = self.rng
        tie_type, swap = options[(a.kind, b.kind)](rng)
        if swap:
            a, b = b, a
        if tie_type in ("leads", "founded"):
            # A group has a handful of leaders and founders over its life, not hundreds.
            count = self.heads.get((tie_type, b.id), 0)
            if count >= MAX_HEADS:
                tie_type = "member_of"
            else:
                self.heads[(tie_type, b.id)] = count + 1
        status = statuses(rng)
        claimant = None
        if status == "claimed":
            claimant = claimants[rng.randrange(len(claimants))]
            if claimant.id in (a.id, b.id):
                claimant = None
                status = "alleged"
        start = end = role = None
        event = a if a.kind == "event" else b if b.kind == "event" else None
        if event is not None and event.founded:
            start = event.founded  # a tie to an event dates from the event
        elif rng.random() < 0.45:
            start = _partial_date(rng, 1996, 2022)
            if rng.random() < 0.2:
                end = str(_year(rng, int(start[:4]) + 1, 2025))
        if tie_type in ("leads", "member_of") and rng.random() < 0.5:
            role = rng.choice(ROLES)
        when = f" in {start[:4]}" if start else ""
        form = rng.choice(QUOTE_FORMS[status])
        verb = "took place in" if tie_type == "located_in" and a.kind == "event" else VERB_PHRASES[tie_type]
        quote = form.format(a=a.name, v=verb, b=b.name, w=when, c=claimant.name if claimant else "")
        citations = [Citation(self._cite(quote), quote)]
        if rng.random() < 0.08:
            second = f"{b.name} was again linked to {a.name}."
            citations.append(Citation(self._cite(second), second))
        summary = f"{a.name} {verb} {b.name}." if rng.random() < 0.3 else ""
        tie_id = make_tie_id(a.id, tie_type, b.id, self.ties)
        self.ties[tie_id] = Tie(
            id=tie_id,
            type=tie_type,
            source=a.id,
            target=b.id,
            status=status,
            claimant=claimant.id if claimant else None,
            role=role,
            start=start,
            end=end,
            summary=summary,
            citations=citations,
        )

    # -- documents -----------------------------------------------------------------
    def documents(self, folder_name: str) -> tuple[dict[str, Source], dict[str, str]]:
        rng = self.rng
        bodies: list[list[str]] = [[] for _ in range(self.n_documents)]
        for doc, sentence in self.sentences:
            bodies[doc].append(sentence)
        sources: dict[str, Source] = {}
        texts: dict[str, str] = {}
        for index, sentences in enumerate(bodies):
            doc_id = self.document_id(index)
            title = rng.choice(HEADLINES).format(p=rng.choice(PROVINCES))
            title = title[0].upper() + title[1:]
            publisher = rng.choice(PUBLISHERS)
            published = f"{_year(rng, 2015, 2024)}-{rng.randint(1, 12):02d}"
            file_name = f"{doc_id}.txt"
            sources[doc_id] = Source(
                id=doc_id,
                title=title,
                publisher=publisher,
                published=published,
                published_note="Synthetic article generated for benchmarks.",
                path=f"{folder_name}/{file_name}",
            )
            paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
            texts[file_name] = "\n\n".join([title, f"{publisher}, {published}", *paragraphs]) + "\n"
        return sources, texts


def sources_folder_for(path: Path) -> Path:
    """Where a generated store keeps its articles: beside it, named after it."""
    return path.with_name(f"{path.stem}-sources")


def build(n_actors: int, n_ties: int, seed: int = 1, folder_name: str = "sources") -> tuple[StoreData, dict[str, str]]:
    """The store in memory and its documents' texts (file name -> text)."""
    if n_actors < 0 or n_ties < 0:
        raise ValueError("counts must not be negative")
    builder = _Builder(n_actors, n_ties, seed)
    weights = builder.make_actors()
    builder.make_ties(weights)
    sources, texts = builder.documents(folder_name)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "name": f"Synthetic store: {n_actors} actors, {n_ties} ties (seed {seed})",
        "synthetic": {"actors": n_actors, "ties": n_ties, "seed": seed},
    }
    data = StoreData(actors=builder.actors, ties=builder.ties, sources=sources, meta=meta)
    check_structure(data)
    return data, texts


def generate(path: str | Path, n_actors: int, n_ties: int, seed: int = 1) -> GeneratedStore:
    """Write a synthetic store to `path` and its articles to a folder beside it."""
    path = Path(path).absolute()
    folder = sources_folder_for(path)
    with gc_paused():
        data, texts = build(n_actors, n_ties, seed, folder.name)
        payload = encode_store(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(exist_ok=True)
    for stale in folder.glob("syn-*.txt"):
        if stale.name not in texts:
            stale.unlink()
    for file_name, text in texts.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    # Written as save_store would, without its lock file and backup: a
    # generated store has no history to protect.
    atomic_write(path, payload, backup=False)
    return GeneratedStore(path, folder, len(data.actors), len(data.ties), len(data.sources))


__all__ = ["GeneratedStore", "build", "generate", "sources_folder_for"]
