"""The actor dictionary: countries, sector nouns, organisations and people with dated roles.

Data files and their formats: ``dyads/data/actors/`` and its README. ``ActorDictionary.load``
validates everything it reads; with ``strict=True`` any problem is an error, otherwise problems
are collected in ``warnings`` and the offending entry is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..records import Actor
from .files import load_yaml
from .normalize import first_words, fold, name_key

_CODE = re.compile(r"^[A-Z]{3}$")
_CUTS = frozenset(" -'/.")


class ActorDataError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Role:
    country: str | None
    org: str | None
    sector: str
    title: str
    start: dt.date
    end: dt.date | None  # None: still in office

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Entry:
    """One dictionary entry: a country, an organisation or a person."""

    id: str
    kind: str  # country | organization | person
    name: str
    code: str | None
    country: str | None
    sectors: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    org_kind: str | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """How an alias names its entry: as the name itself, an adjective, the people, the capital,
    a seat-of-power metonym (with its sector), or an organisation/person alias."""

    entry: Entry
    form: str  # name | adjective | people | capital | metonym | alias
    sector: str | None = None
    case_sensitive: bool = False
    surface: str = ""


_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
MISSPELT_MIN = 7  # letters of the shortest country name a misspelling is guessed for
MEMO_LIMIT = 10_000  # remembered misspelt-name lookups per dictionary (a worker's lifetime)


def _one_deletion(word: str) -> set[str]:
    """``word`` and every word one letter shorter (symmetric-deletion spelling match)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


# Countries whose names are written family name first in English-language news.
FAMILY_NAME_FIRST = frozenset({"CHN", "TWN", "HKG", "MAC", "KOR", "PRK"})
BLOCKER = Entry("blocker", "blocker", "", None, None)


def _listed(text: str) -> list[str]:
    """The entries of a one-per-line list file, without blank lines and ``#`` comments."""
    return [s for s in (line.strip() for line in text.splitlines()) if s and s[0] != "#"]


def _parse_day(value: str, end: bool = False) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    parts = value.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    month = int(parts[1])
    if len(parts) == 2:
        if end:
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(year, month, 1)
    return dt.date(year, month, int(parts[2]))


def _data_files(folder: str, suffix: str) -> list[tuple[str, str]]:
    root = resources.files("dyads").joinpath(f"data/actors/{folder}" if folder else "data/actors")
    out = []
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(suffix):
            out.append(
                (f"actors/{folder + '/' if folder else ''}{item.name}", item.read_text("utf-8"))
            )
    return out


def _is_risky(alias: str) -> bool:
    """Short all-caps aliases (US, IS, AP, UN) must match with their case."""
    bare = alias.replace(".", "")
    return len(bare) <= 3 and bare.isupper() or alias.lower() in {"us", "is", "it", "man", "chad"}


@dataclass
class ActorDictionary:
    entries: dict[str, Entry] = field(default_factory=dict)
    aliases: dict[str, list[Alias]] = field(default_factory=lambda: defaultdict(list))
    surnames: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    sector_nouns: dict[str, str] = field(default_factory=dict)
    sector_last_words: set[str] = field(default_factory=set)  # last words of sector_nouns' keys
    sector_of_heads: set[str] = field(default_factory=set)  # "head" of "head of state"
    alias_words: set[str] = field(default_factory=set)  # every letters-and-digits run of a name
    # token text → (name key, may start a name, is a surname): the scan's per-word questions
    word_index: dict[str, tuple[str, bool, bool]] = field(default_factory=dict)
    sector_labels: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    peoples: set[str] = field(default_factory=set)  # "kurds", "serbs": peoples within countries
    first_words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)  # name-key prefixes at token boundaries
    max_words: int = 1
    warnings: list[str] = field(default_factory=list)
    strict: bool = False
    _pending_people: dict[str, dict[str, Any]] = field(default_factory=dict)
    # one-letter-shorter variants of one-word country names → (name key, alias); built on first use
    _misspellings: dict[str, list[tuple[str, Alias]]] | None = None
    # surnames by (first letter, length), for misspelt titled names; built on first use
    _surname_buckets: dict[tuple[str, int], list[tuple[str, Counter[str]]]] | None = None
    _misspelt_people: dict[tuple[str, dt.date, str], Entry | None] = field(default_factory=dict)

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, extra_files: Iterable[str | Path] = (), strict: bool = False) -> ActorDictionary:
        self = cls(strict=strict)
        for name, text in _data_files("", "sectors.yaml"):
            self._load_sectors(name, load_yaml(text) or {})
        for name, text in _data_files("", "countries.yaml"):
            self._load_countries(name, load_yaml(text) or [])
        for name, text in _data_files("", "organizations.yaml"):
            self._load_organizations(name, load_yaml(text) or [])
        for name, text in _data_files("people", ".tsv"):
            self._load_people(name, text)
        for _name, text in _data_files("", "not_actors.txt"):
            self._load_blockers(text)
        for _name, text in _data_files("", "peoples.txt"):
            self.peoples.update(name_key(line) for line in _listed(text))
        for path in extra_files:
            self.load_file(Path(path))
        self._finish_people()
        self.max_words = max((len(k.split()) for k in self.aliases), default=1) + 2
        self.alias_words = {w for k in self.aliases for w in _WORD_SPLIT.split(k) if w}
        self.alias_words |= {"al", "el", "the"}  # name_key rewrites "El"/"al" and drops "the"
        return self

    def load_file(self, path: Path) -> None:
        """A user file: YAML with any of the keys ``countries``, ``organizations``, ``sectors``,
        or a people TSV."""
        text = path.read_text("utf-8")
        if path.suffix.lower() == ".tsv":
            self._load_people(str(path), text)
            return
        data = load_yaml(text) or {}
        if not isinstance(data, dict):
            raise ActorDataError(f"{path}: expected a mapping with countries/organizations/sectors")
        self._load_sectors(str(path), data.get("sectors") or {})
        self._load_countries(str(path), data.get("countries") or [])
        self._load_organizations(str(path), data.get("organizations") or [])

    def _problem(self, message: str) -> None:
        if self.strict:
            raise ActorDataError(message)
        self.warnings.append(message)

    def _add_alias(self, text: str, alias: Alias) -> None:
        key = name_key(text)
        if not key:
            return
        case_sensitive = alias.case_sensitive or _is_risky(text)
        alias = Alias(alias.entry, alias.form, alias.sector, case_sensitive, text.strip())
        bucket = self.aliases[key]
        if any(
            a.entry.id == alias.entry.id and a.form == alias.form and a.surface == alias.surface
            for a in bucket
        ):
            return
        bucket.append(alias)
        self.first_words |= first_words(key)
        for i, ch in enumerate(key):  # where a token boundary may cut the name: scans stop early
            if ch in _CUTS:
                self.prefixes.add(key[:i].rstrip())
                self.prefixes.add(key[: i + 1])

    def _load_blockers(self, text: str) -> None:
        """Phrases that contain a name but name no actor ("Latin American")."""
        for phrase in _listed(text):
            self._add_alias(phrase, Alias(BLOCKER, "blocker"))

    def _load_sectors(self, name: str, data: dict[str, Any]) -> None:
        for code, spec in data.items():
            if not _CODE.match(str(code)):
                self._problem(f"{name}: sector code {code!r} is not three capital letters")
                continue
            spec = spec or {}
            self.sector_labels[code] = spec.get("label", code)
            for noun in spec.get("nouns") or []:
                key = name_key(str(noun))
                if key in self.sector_nouns and self.sector_nouns[key] != code:
                    self._problem(
                        f"{name}: noun {noun!r} is in {self.sector_nouns[key]} and {code}"
                    )
                    continue
                self.sector_nouns[key] = code
                self.sector_last_words.add(key.rsplit(" ", 1)[-1])
                if " of " in key:
                    self.sector_of_heads.add(key.split(" of ", 1)[0].rsplit(" ", 1)[-1])

    def _check_sector(self, where: str, sector: str) -> bool:
        if self.sector_labels and sector not in self.sector_labels:
            self._problem(f"{where}: unknown sector {sector!r}")
            return False
        return True

    def _load_countries(self, name: str, data: list[dict[str, Any]]) -> None:
        for item in data:
            code = str(item.get("code", ""))
            if not _CODE.match(code) or not item.get("name"):
                self._problem(f"{name}: country {item.get('name')!r} needs a name and an ISO3 code")
                continue
            entry = Entry(f"country:{code}", "country", item["name"], code, code)
            self.entries[entry.id] = entry
            self.country_names[code] = item["name"]
            ambiguous = {name_key(a) for a in item.get("ambiguous") or []}
            self.ambiguous |= ambiguous
            for form, key in (
                ("name", "names"),
                ("adjective", "adjectives"),
                ("people", "people"),
                ("capital", "capitals"),
            ):
                values = list(item.get(key) or [])
                if form == "name":
                    values.append(item["name"])
                for value in values:
                    self._add_alias(str(value), Alias(entry, form))
            for place, sector in (item.get("metonyms") or {}).items():
                if self._check_sector(f"{name}: {code} metonym {place!r}", str(sector)):
                    self._add_alias(str(place), Alias(entry, "metonym", str(sector)))

    def _load_organizations(self, name: str, data: list[dict[str, Any]]) -> None:
        for item in data:
            oid, code = item.get("id"), item.get("code")
            if not oid or not item.get("name"):
                self._problem(f"{name}: organisation {item!r:.80} needs an id and a name")
                continue
            country = item.get("country") or None
            if country and not _CODE.match(str(country)):
                self._problem(f"{name}: organisation {oid}: bad country {country!r}")
                country = None
            sectors = tuple(str(s) for s in item.get("sectors") or [])
            sectors = tuple(
                s for s in sectors if self._check_sector(f"{name}: organisation {oid}", s)
            )
            entry = Entry(
                f"org:{oid}",
                "organization",
                item["name"],
                code,
                country,
                sectors,
                org_kind=item.get("kind"),
            )
            if entry.id in self.entries:
                self._problem(f"{name}: duplicate organisation id {oid}")
                continue
            self.entries[entry.id] = entry
            for alias in [item["name"], *(item.get("aliases") or [])]:
                self._add_alias(str(alias), Alias(entry, "alias"))
            for alias in item.get("ambiguous_aliases") or []:
                self._add_alias(str(alias), Alias(entry, "alias", case_sensitive=True))

    def _load_people(self, name: str, text: str) -> None:
        rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        if not rows:
            return
        reader = csv.DictReader(
            io.StringIO("\n".join(rows)), delimiter="\t", quoting=csv.QUOTE_NONE
        )
        people: dict[str, dict[str, Any]] = {}
        for lineno, row in enumerate(reader, start=2):
            where = f"{name}:{lineno}"
            try:
                pid, full = row["id"].strip(), row["name"].strip()
                start = _parse_day(row["start"])
                end = _parse_day(row.get("end") or "", end=True)
            except (KeyError, ValueError, AttributeError, IndexError) as err:
                self._problem(f"{where}: bad row ({err})")
                continue
            country = (row.get("country") or "").strip() or None
            sector = (row.get("sector") or "").strip()
            if not pid or not full or start is None or (country and not _CODE.match(country)):
                self._problem(f"{where}: needs id, name, start and an ISO3 country")
                continue
            if end is not None and end < start:
                self._problem(f"{where}: {pid} role ends before it starts")
                continue
            if not self._check_sector(where, sector):
                continue
            org = (row.get("org") or "").strip() or None
            person = people.setdefault(pid, {"name": full, "aliases": set(), "roles": []})
            if person["name"] != full:
                self._problem(f"{where}: id {pid} is {person['name']!r} elsewhere, {full!r} here")
            person["aliases"] |= {
                a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()
            }
            person["roles"].append(
                Role(country, org, sector, (row.get("title") or "").strip(), start, end)
            )
        for pid, person in people.items():
            pending = self._pending_people.setdefault(
                pid, {"name": person["name"], "aliases": set(), "roles": []}
            )
            pending["aliases"] |= person["aliases"]
            pending["roles"].extend(person["roles"])

    def _finish_people(self) -> None:
        """Build person entries once every file is read (a person may span files)."""
        for pid, person in self._pending_people.items():
            roles = tuple(sorted(set(person["roles"]), key=lambda r: (r.start, r.title)))
            entry = Entry(
                f"person:{pid}", "person", person["name"], None, roles[-1].country, (), roles
            )
            self.entries[entry.id] = entry
            for alias in {person["name"], *person["aliases"]}:
                self._add_alias(alias, Alias(entry, "alias"))
                parts = name_key(alias).split(" ")
                if len(parts) > 1 and entry not in self.surnames[parts[-1]]:
                    self.surnames[parts[-1]].append(entry)
                if (
                    len(parts) > 1
                    and entry.country in FAMILY_NAME_FIRST
                    and entry not in self.surnames[parts[0]]
                ):
                    self.surnames[parts[0]].append(
                        entry
                    )  # "Xi" of Xi Jinping, "Yoon" of Yoon Suk Yeol
        self._pending_people.clear()

    # -- lookups ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        kinds: dict[str, int] = defaultdict(int)
        for entry in self.entries.values():
            kinds[entry.kind] += 1
        return {
            "countries": kinds["country"],
            "organizations": kinds["organization"],
            "people": kinds["person"],
            "roles": sum(len(e.roles) for e in self.entries.values()),
            "aliases": sum(len(v) for v in self.aliases.values()),
            "sector_nouns": len(self.sector_nouns),
            "sectors": len(self.sector_labels),
        }

    def index_word(self, text: str) -> tuple[str, bool, bool]:
        """(name key, may start a name, is a dictionary surname) for one token's text, kept in
        :attr:`word_index` (emptied when it holds 200,000 words)."""
        key = name_key(text)
        known = (
            key,
            key in self.first_words or fold(text) in self.first_words,
            key in self.surnames,
        )
        if len(self.word_index) >= 200_000:
            self.word_index.clear()
        self.word_index[text] = known
        return known

    def misspelt_country(self, text: str) -> Alias | None:
        """The country whose one-word name ``text`` misspells by one letter ("Ethopia",
        "Afganistan", "Phillippines"), if exactly one does. Only names of 7 letters or more:
        shorter ones are too close to each other ("Iran"/"Iraq") to guess."""
        key = name_key(text)
        if len(key) < MISSPELT_MIN or not key.isalpha() or key in self.aliases:
            return None
        if key.endswith("s") and key[:-1] in self.aliases:
            return None  # a name's plural is another word: "the Americas", "the two Koreas"
        if self._misspellings is None:
            index: dict[str, list[tuple[str, Alias]]] = defaultdict(list)
            for name, aliases in self.aliases.items():
                for alias in aliases:
                    if alias.form == "name" and alias.entry.kind == "country":
                        if len(name) >= MISSPELT_MIN and name.isalpha():
                            for variant in _one_deletion(name):
                                index[variant].append((name, alias))
            self._misspellings = dict(index)
        found = {  # misspellings keep the first letter; other places do not ("Siberia")
            alias.entry.id: alias
            for v in _one_deletion(key)
            for name, alias in self._misspellings.get(v, ())
            if name[0] == key[0]
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def misspelt_person(self, name: str, day: dt.date | None, title: str) -> Entry | None:
        """The one person whose surname ``name``'s last word misspells (at most two letters
        apart, same first letter, six letters or more) and who holds a role titled ``title`` on
        ``day``: "President Bouteflicka" is Bouteflika, "President Obamma" Obama. None
        when no one or more than one fits: the title and the date are what make the guess safe."""
        parts = name_key(name).split(" ")
        key = parts[-1] if parts else ""
        if len(key) < 6 or not key.isalpha() or key in self.surnames or day is None:
            return None
        memo = (key, day, title)
        if memo in self._misspelt_people:
            return self._misspelt_people[memo]
        if self._surname_buckets is None:
            buckets: dict[tuple[str, int], list[tuple[str, Counter[str]]]] = defaultdict(list)
            for surname in self.surnames:
                if len(surname) >= 4:
                    buckets[(surname[0], len(surname))].append((surname, Counter(surname)))
            self._surname_buckets = dict(buckets)
        letters = Counter(key)
        found: dict[str, Entry] = {}
        for n in range(len(key) - 2, len(key) + 3):
            for surname, its_letters in self._surname_buckets.get((key[0], n), ()):
                # letters one has and the other lacks bound the edit distance from below
                if (
                    max(
                        sum((letters - its_letters).values()), sum((its_letters - letters).values())
                    )
                    > 2
                ):
                    continue
                if _edit_distance(surname, key) > 2:
                    continue
                for entry in self.surnames[surname]:
                    role, former = self.role_on(entry, day)
                    if role is not None and not former and title in role.title.lower():
                        found[entry.id] = entry
        result = next(iter(found.values())) if len(found) == 1 else None
        if len(self._misspelt_people) < MEMO_LIMIT:
            self._misspelt_people[memo] = result
        return result

    def lookup(self, text: str) -> list[Alias]:
        """Entries named exactly by ``text`` (case rules applied)."""
        hits = self.aliases.get(name_key(text), [])
        stripped = text.strip()
        if stripped.lower().startswith("the "):
            stripped = stripped[4:]
        if stripped.endswith(("'s", "’s")):
            stripped = stripped[:-2]
        return [
            a
            for a in hits
            if not a.case_sensitive
            or a.surface == stripped
            or a.surface.replace(".", "") == stripped.replace(".", "")
        ]

    def role_on(self, entry: Entry, day: dt.date | None) -> tuple[Role | None, bool]:
        """The role a person holds on ``day`` (``former`` True when only past roles exist)."""
        if not entry.roles:
            return None, False
        if day is None:
            return entry.roles[-1], entry.roles[-1].end is not None
        current = [r for r in entry.roles if r.covers(day)]
        if current:
            return _highest(current), False
        past = [r for r in entry.roles if r.end is not None and r.end < day]
        if past:
            latest_end = max(r.end for r in past if r.end is not None)
            return _highest([r for r in past if r.end == latest_end]), True
        return None, False

    def person_actor(self, entry: Entry, day: dt.date | None) -> Actor:
        role, former = self.role_on(entry, day)
        if role is None:
            first = entry.roles[0] if entry.roles else None
            country = first.country if first else None
            return Actor(
                code=country,
                country=country,
                name=entry.name,
                kind="person",
                entry=entry.id,
                reason="person known from a later role; no role on this date",
            )
        org = self.entries.get(f"org:{role.org}") if role.org else None
        if org is not None and org.code:
            code = org.code
        else:
            code = (
                (role.country or "IGO") + role.sector
                if role.sector != "IGO" or role.country
                else "IGO"
            )
        country = role.country or (org.country if org else None)
        when = f"{role.start.isoformat()}..{role.end.isoformat() if role.end else ''}"
        actor = Actor(
            code=code,
            country=country,
            # an international organisation's office holders are its officials (CAMEO IGO+GOV)
            sectors=("IGO", "GOV") if role.sector == "IGO" else (role.sector,),
            name=entry.name,
            kind="person",
            entry=entry.id,
            reason=f"{'former ' if former else ''}{role.title} ({when})",
        )
        return as_former(actor) if former else actor

    def entry_actor(self, alias: Alias, day: dt.date | None = None) -> Actor:
        entry = alias.entry
        if entry.kind == "person":
            return self.person_actor(entry, day)
        if entry.kind == "organization":
            return Actor(
                code=entry.code,
                country=entry.country,
                sectors=entry.sectors,
                name=entry.name,
                kind="organization",
                entry=entry.id,
                reason=f"organisation alias {alias.surface!r}",
            )
        sectors = (alias.sector,) if alias.sector else ()
        if alias.form == "capital":
            sectors = ("GOV",)
        return Actor(
            code=(entry.code or "") + "".join(sectors),
            country=entry.country,
            sectors=sectors,
            name=entry.name,
            kind="country",
            entry=entry.id,
            reason=f"country {alias.form} {alias.surface!r}",
        )

    def country_actor(
        self,
        country: str | None,
        sectors: tuple[str, ...],
        name: str | None = None,
        reason: str = "",
        kind: str = "group",
    ) -> Actor:
        code = (country or "") + "".join(sectors) if country or sectors else None
        return Actor(
            code=code or None,
            country=country,
            sectors=sectors,
            name=name or (self.country_names.get(country) if country else None),
            kind=kind,
            reason=reason,
        )


_RANK = (
    "president",
    "king",
    "queen",
    "emir",
    "supreme leader",
    "prime minister",
    "chancellor",
    "premier",
    "secretary-general",
    "secretary general",
    "minister",
    "secretary",
)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def as_former(actor: Actor) -> Actor:
    """``actor`` marked former; a former office holder keeps the office's code and also gets
    CAMEO's elite sector (ELI: "former government officials")."""
    sectors = actor.sectors
    if actor.kind == "person" and sectors and "ELI" not in sectors:
        sectors = (*sectors, "ELI")
    return replace(actor, former=True, sectors=sectors)


def _highest(roles: list[Role]) -> Role:
    def rank(role: Role) -> int:
        title = role.title.lower()
        for i, word in enumerate(_RANK):
            if word in title and not title.startswith(("deputy", "vice")):
                return i
        return len(_RANK)

    return min(roles, key=rank)
