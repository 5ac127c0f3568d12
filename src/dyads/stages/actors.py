"""Actor mentions: noun phrases, names and pronouns → :class:`~dyads.records.Actor` codes.

For every noun phrase of a kept sentence the stage decides what it names, in this order:

1. a dictionary name covering the phrase's head: a person (role on the publication date), an
   organisation, a country (name, capital, seat of power, demonym);
2. an agent noun (``officials``, ``army``, ``intelligence unit``, ``foreign minister``) with its
   country from adjectives, compounds, possessors or an ``of`` phrase (``Israel's army``,
   ``the IDF's intelligence unit``, ``Iranian Foreign Minister Abbas Araqchi``);
3. a named entity the dictionaries do not know: kept with its text and ``code=None``;
4. a city or region in an argument position (``shelled Kharkiv``): its country, from the gazetteer.

Appositions share what they know (``former Israeli Ambassador to the US, Michael Herzog``), a
country adjective on a non-actor noun becomes a mention of its own (``Iranian missile attacks``),
and pronouns and definite descriptions are resolved by :mod:`dyads.stages.coref`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..dictionaries.actors import ActorDictionary, Alias, Entry, as_former
from ..dictionaries.normalize import fold, name_key
from ..records import Actor, Document, Mention
from .actor_mentions import (
    drop_contained,
    interviewers,
    merge_appositions,
    possessed_by_pronouns,
    repeated_names,
)
from .actor_words import (
    ALWAYS_CONSIDERED,
    ARGUMENT_DEPS,
    COMMON_WORD_SURNAMES,
    ENTITY_KINDS,
    FORMER,
    INHABITED_PLACES,
    LEFT_DEPS,
    MEMBER_GROUP_SECTORS,
    NOUNS,
    PARTITIVE,
    PERSON_TITLES,
    TITLE_WORDS,
    bare_people,
    best_alias,
    combine,
    equipment_agent,
    gazetteer_country,
    inner,
    is_generic,
    is_locative,
)
from .coref import PRONOUNS, resolve_references
from .segment import sentence_spans

# people fleeing a country are of it ("refugees fleeing the civil war in Liberia")
FLEEING = {"flee", "escape", "leave"}


@dataclass
class _Resolved:
    actor: Actor
    rule: str


class ActorResolver:
    """Finds and resolves the mentions of one document; a new one per document."""

    def __init__(self, dictionary: ActorDictionary, gazetteer: Any, document: Document):
        self.d = dictionary
        self.gazetteer = gazetteer
        self.document = document
        self.doc = document.doc
        self.day: dt.date | None = document.article.date
        self.text = document.article.text
        self.matches: dict[int, tuple[int, int, list[Alias]]] = {}  # token → (start, end, aliases)
        self.seen_surnames: dict[str, Entry] = {}  # surname → person named in full earlier
        self._surnames_in_text: set[str] | None = None
        self._phrases: dict[int, list[Any]] = {}  # head token → its phrase (asked for twice)

    # -- dictionary scan ---------------------------------------------------------------------
    def scan(self, sent: Any) -> None:
        """Longest dictionary matches in a sentence, recorded on every token they cover."""
        d, doc = self.d, self.doc
        words = d.word_index
        i, end = sent.start, sent.end
        while i < end:
            tok = doc[i]
            known = words.get(tok.text)
            if known is None:
                known = d.index_word(tok.text)
            key, starts_name, is_surname = known
            if tok.is_space or tok.is_punct or not starts_name:
                if not tok.is_space and (is_surname or key in self.seen_surnames):
                    entry = self._surname(tok)
                    if entry is not None:
                        self.matches[i] = (i, i + 1, [Alias(entry, "surname", surface=tok.text)])
                i += 1
                continue
            best = None
            stop = min(end, i + d.max_words)
            for j in range(i + 1, stop + 1):
                last = doc[j - 1]
                if last.is_space:
                    break
                if j > i + 1:  # a word in no name ends every longer match ("Israel said")
                    word = fold(last.text)
                    if word.isalnum() and word not in d.alias_words:
                        break
                surface = self.text[tok.idx : last.idx + len(last.text)]
                key = name_key(surface)
                if key not in d.aliases:
                    if key not in d.prefixes:
                        break  # no name starts like this: stop extending
                    continue
                hits = d.lookup(surface)
                if hits and last.text not in ("'s", "’s", "-"):
                    best = (i, j, hits)
            if best is None:
                entry = self._surname(tok)
                if entry is not None:
                    self.matches[i] = (i, i + 1, [Alias(entry, "surname", surface=tok.text)])
                i += 1
                continue
            s, e, hits = best
            if all(h.entry.kind == "blocker" for h in hits):
                i = e  # "Latin American": no actor, and no "American" inside it either
                continue
            hits = [h for h in hits if h.entry.kind != "blocker"]
            hits = self._filter_ambiguous(s, e, hits)
            if (
                e - s == 1
                and not (tok.is_title or tok.is_upper)
                or e - s == 1
                and tok.pos_ != "PROPN"
                and not tok.ent_type_
            ):
                hits = [h for h in hits if h.entry.kind == "country"]  # "time" is not Time magazine
            if e - s == 1 and tok.ent_type_ == "PERSON" and self._in_longer_name(s):
                hits = [h for h in hits if h.entry.kind != "person"]  # "Omar" of "Omar El Bashir"
            if hits:
                for k in range(s, e):
                    self.matches[k] = (s, e, hits)
                for h in hits:
                    if h.entry.kind == "person" and e - s > 1:
                        self.seen_surnames[name_key(doc[e - 1].text)] = h.entry
            i = e

    def _full_name_surnames(self) -> set[str]:
        """Last words of the people the article names in full who are not dictionary people: a
        bare "Zamora" in a story on "Jose Ruben Zamora" is that journalist, neither a namesake
        head of government nor the Spanish city."""
        if self._surnames_in_text is None:
            self._surnames_in_text = {
                name_key(ent[-1].text)
                for ent in self.doc.ents
                if ent.label_ == "PERSON"
                and len(ent) > 1
                and not any(a.entry.kind == "person" for a in self.d.lookup(ent.text))
            }
        return self._surnames_in_text

    def _in_longer_name(self, i: int) -> bool:
        doc = self.doc
        before = i > 0 and doc[i - 1].ent_type_ == "PERSON" and doc[i].ent_iob_ == "I"
        after = i + 1 < len(doc) and doc[i + 1].ent_iob_ == "I" and doc[i + 1].ent_type_ == "PERSON"
        return before or after

    def _surname(self, tok: Any) -> Entry | None:
        """A bare surname: the person named in full earlier in the article, else the only
        dictionary person of that surname in office on the date (names the parser tags PERSON)."""
        if tok.pos_ not in NOUNS or not tok.is_title:
            return None
        key = name_key(tok.text)
        if key in self.seen_surnames:
            return self.seen_surnames[key]
        if key not in self.d.surnames:
            return None
        if tok.ent_type_ != "PERSON":
            # the small model misses rare names ("Zelenskyy" as a noun): accept a capitalised word
            # in an argument position that is not a sentence start nor an everyday word
            if (
                tok.ent_type_ not in ("", "ORG")
                or tok.is_sent_start
                or key in COMMON_WORD_SURNAMES
                or tok.dep_ not in ARGUMENT_DEPS
            ):
                return None
        prev = self.doc[tok.i - 1] if tok.i > 0 else None
        if prev is not None and prev.ent_type_ == "PERSON" and prev.pos_ == "PROPN":
            return None  # another first name: a different person
        nxt = self.doc[tok.i + 1] if tok.i + 1 < len(self.doc) else None
        if nxt is not None and nxt.ent_iob_ == "I" and nxt.ent_type_ == "PERSON":
            return None  # a first or middle name of a longer name ("Haroon Rashid Aswad")
        if key in self._full_name_surnames():
            return None  # someone else of that name is named in full ("Jose Ruben Zamora")
        candidates = self.d.surnames[key]
        if self.day is not None:
            active = [e for e in candidates if any(r.covers(self.day) for r in e.roles)]
            candidates = active or candidates
        countries = {e.country for e in candidates}
        return (
            candidates[0]
            if len(candidates) == 1 or len(countries) == 1 and len(candidates) <= 3
            else None
        )

    def _filter_ambiguous(self, s: int, e: int, hits: list[Alias]) -> list[Alias]:
        span = self.doc[s:e]
        key = name_key(span.text)
        if key not in self.d.ambiguous:
            return hits
        ent = span[0].ent_type_
        if ent == "PERSON":
            first, last = s, e - 1
            while first > 0 and self.doc[first].ent_iob_ == "I":
                first -= 1
            while last + 1 < len(self.doc) and self.doc[last + 1].ent_iob_ == "I":
                last += 1
            people = [h for h in hits if h.entry.kind == "person"]
            if people or (first, last + 1) != (s, e):
                return people  # part of a longer name: "Michael Jordan"
            return hits  # a bare "Jordan" tagged PERSON is most often the country
        if ent in ("GPE", "NORP", "LOC", "ORG"):
            return hits
        prev = self.doc[s - 1] if s > 0 else None
        nxt = self.doc[e] if e < len(self.doc) else None
        if (
            nxt is not None
            and nxt.ent_type_ == "PERSON"
            or prev is not None
            and prev.ent_type_ == "PERSON"
            and prev.dep_ == "compound"
        ):
            return []
        return hits if span[0].is_title or span[0].is_upper else []

    # -- phrases -------------------------------------------------------------------------------
    def phrase(self, head: Any) -> list[Any]:
        """The tokens of the noun phrase headed by ``head`` (without relative clauses)."""
        found = self._phrases.get(head.i)
        if found is None:
            found = self._phrases[head.i] = self._phrase(head)
        return found

    def _phrase(self, head: Any) -> list[Any]:
        toks = [head]

        def left(t: Any) -> None:
            for child in t.lefts:
                if child.dep_ == "poss":
                    # "Israel's army", "Lebanon's new President X": the possessor is in the phrase
                    toks.extend(inner(child))
                    continue
                if child.lower_ == "led" and child.dep_ == "amod":
                    toks.extend(child.subtree)  # "Vietnamese-led forces"
                    continue
                if child.dep_ in LEFT_DEPS and child.dep_ not in ("cc", "conj", "poss"):
                    toks.append(child)
                    left(child)
                    for r in child.rights:
                        if (
                            r.dep_ in ("prep", "pobj", "compound", "case", "nummod")
                            and r.i < head.i
                        ):
                            toks.extend(r.subtree)

        left(head)
        for child in head.rights:
            if child.dep_ in ("compound", "nummod", "flat", "case"):
                toks.append(child)
            elif child.dep_ == "prep" and child.lower_ == "of":
                toks.extend(inner(child))
        toks = sorted({t.i: t for t in toks}.values(), key=lambda t: t.i)
        while toks and (toks[0].is_punct or toks[0].dep_ in ("cc", "case")):
            toks.pop(0)
        while toks and (toks[-1].is_punct or toks[-1].is_space):
            toks.pop()
        return toks or [head]

    def _sector_of(self, toks: list[Any], head: Any) -> tuple[str | None, str | None, Any]:
        """(head sector, modifier sector, token that carried the head sector).

        For a name (``Iranian Foreign Minister Abbas Araqchi``) the title before the name counts
        as the head."""
        d = self.d
        if head.ent_type_ == "PERSON" and head.pos_ == "PROPN":
            first = head
            while (
                first.i > 0
                and first.nbor(-1).ent_type_ == "PERSON"
                and first.nbor(-1).pos_ == "PROPN"
            ):
                first = first.nbor(-1)
            title = first.nbor(-1) if first.i > 0 else None
            if title is not None and title.pos_ in NOUNS and any(t.i == title.i for t in toks):
                head = title
        words = [  # the possessor is not part of the agent noun, but a possessed head is
            t
            for t in toks
            if t.i <= head.i and (t.dep_ != "poss" or t.i == head.i) and not t.is_punct
        ]
        head_sector = None
        carrier = None
        # longest multi-word agent noun ending at the head ("foreign minister"), then "X of Y";
        # only where the last word ends some agent noun (most nouns are not agent nouns)
        last = words[-1] if words else None
        last_lemma = _plain_lemma(last) if last is not None else ""
        ends_agent_noun = last is not None and (
            name_key(last.text) in d.sector_last_words
            or name_key(last_lemma) in d.sector_last_words
        )
        for k in range(len(words) if ends_agent_noun else 0):
            seg = words[k:]
            key = name_key(" ".join(t.text for t in seg))
            lemma_key = name_key(" ".join([*(t.text for t in seg[:-1]), last_lemma]))
            if key in d.sector_nouns or lemma_key in d.sector_nouns:
                head_sector = d.sector_nouns.get(key) or d.sector_nouns.get(lemma_key)
                carrier = seg[0]
                break
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    key = name_key(f"{head.lemma_} of {obj.text}")
                    if key in d.sector_nouns:
                        head_sector, carrier = d.sector_nouns[key], head
        modifier = None
        if head_sector is None or is_generic(head):
            for child in head.rights:  # "leader of the opposition", "members of the military"
                if child.dep_ == "prep" and child.lower_ == "of":
                    obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                    if obj is not None and obj.i not in self.matches:
                        found = d.sector_nouns.get(name_key(obj.lemma_))
                        if found and found != "ELI":
                            modifier = found
        for t in words:
            if t.i == head.i or carrier is not None and t.i >= carrier.i:
                continue
            if t.dep_ in ("compound", "amod", "nmod") and t.i not in self.matches:
                sector = d.sector_nouns.get(name_key(t.text)) or d.sector_nouns.get(
                    name_key(t.lemma_)
                )
                if sector and sector != "ELI":  # "elite troops" are troops
                    modifier = sector
        return head_sector, modifier, carrier

    def _match_at(self, tok: Any) -> tuple[int, int, list[Alias]] | None:
        return self.matches.get(tok.i)

    def _country_from(
        self, toks: list[Any], head: Any, skip_from: int | None
    ) -> tuple[str | None, str]:
        """Country of an agent-noun phrase from its modifiers, possessor or ``of`` phrase."""
        for t in toks:
            if skip_from is not None and t.i >= skip_from:
                break
            m = self._match_at(t)
            if m is None:
                continue
            if t.head.lower_ == "to" and t.head.head.i in {x.i for x in toks}:
                continue  # "Ambassador to the US": the posting, not the country
            if _stance_word(t):
                continue  # "an anti-Syria lawmaker", "pro-Russian separatists": not their country
            if (
                t.ent_type_ == "PERSON"
                and head.ent_type_ == "PERSON"
                and all(a.entry.kind != "country" for a in m[2])
            ):
                continue  # a word of a name ("Omar" in "President Omar El Bashir") says nothing
            for alias in m[2]:
                if alias.entry.country:
                    return alias.entry.country, f"modifier {self.doc[m[0] : m[1]].text!r}"
        for led in (c for c in head.lefts if c.lower_ == "led" and c.dep_ == "amod"):
            for t in led.lefts:  # "Saudi-led", "Vietnamese-led": the leader's country
                m = self._match_at(t)
                country = (
                    next((a.entry.country for a in m[2] if a.entry.country), None) if m else None
                )
                if country:
                    return country, f"'{t.text}-led'"
        poss = next((c for c in head.children if c.dep_ == "poss"), None)
        if poss is not None:
            resolved = self.resolve_head(poss)
            if resolved is not None and resolved.actor.country:
                return resolved.actor.country, f"possessor {poss.text!r}"
            if poss.pos_ == "PRON":  # "Turkey strengthened its forces in Syria": the owner's
                return None, ""  # country, once the pronoun is resolved, not the place's
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ in ("of", "from", "in", "inside"):
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    resolved = self.resolve_head(obj) if obj.i in self.matches else None
                    if resolved is not None and resolved.actor.country:
                        return resolved.actor.country, f"'{child.text} {obj.text}'"
                    names = [obj] + [c for c in obj.lefts if c.dep_ == "compound"]
                    for name in names:  # "the government of Sindh province"
                        place = self._place_country(name)
                        if place is not None:
                            return place, f"place '{child.text} {name.text}'"
            if child.dep_ == "acl" and child.lemma_ in FLEEING:  # "refugees fleeing the war in
                for t in child.subtree:  # Liberia": the country they flee
                    m = self._match_at(t) if t.pos_ == "PROPN" else None
                    alias = best_alias(m[2]) if m is not None else None
                    if alias is not None and alias.entry.kind == "country":
                        return alias.entry.country, f"fleeing {t.text!r}"
        for t in toks:  # "Darfur rebels", "Kurdish" handled above; places as modifiers here
            if (
                t.i < head.i
                and t.pos_ == "PROPN"
                and t.dep_ in ("compound", "nmod")
                and t.ent_type_ != "PERSON"
                and t.i not in self.matches
                and len(t.text) > 3
                and not t.is_upper
            ):
                misspelt = self.d.misspelt_country(t.text)
                if misspelt is not None and misspelt.entry.country:
                    return misspelt.entry.country, f"misspelt country name {t.text!r}"
                if t.lower_ in TITLE_WORDS:  # "the Federal Minister": a word of the title,
                    continue  # though also a town in Argentina
                place = self._place_country(t)
                if place is not None:
                    return place, f"place {t.text!r}"
        return None, ""

    def _people_home(self, head: Any, own: str | None) -> tuple[str, str] | None:
        """The country a people lives in when an ``of``/``in`` phrase names another country's
        place (``the Albanians of southern Serbia``, ``Turks in Germany``)."""
        for prep in head.rights:
            if prep.dep_ != "prep" or prep.lower_ not in ("of", "in"):
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                m = self._match_at(obj)
                alias = best_alias(m[2]) if m is not None else None
                country = (
                    alias.entry.country
                    if alias is not None and alias.entry.kind == "country"
                    else self._place_country(obj)
                )
                if country and country != own:
                    return country, obj.text
        return None

    def _place_country(self, tok: Any) -> str | None:
        """The country of a place name (gazetteer: regions and cities), if it is one."""
        if self.gazetteer is None or tok.pos_ != "PROPN":
            return None
        found = gazetteer_country(self.gazetteer, tok)
        return found[0] if found else None

    def resolve_head(self, head: Any) -> _Resolved | None:
        """What the noun phrase headed by ``head`` names, or None if it is not an actor."""
        if head.lower_ in PARTITIVE and head.pos_ in ("NUM", "PRON", "NOUN", "ADJ", "DET"):
            of = next((c for c in head.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = (
                next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            )
            if obj is not None:
                inner = self.resolve_head(obj)
                if inner is not None:
                    return _Resolved(inner.actor, inner.rule + "+partitive")
        toks = self.phrase(head)
        former = any(t.lower_ in FORMER for t in toks if t.i < head.i)
        m = self._match_at(head)
        if m is not None:
            aliases = m[2]
            alias = best_alias(aliases)
            actor = self.d.entry_actor(alias, self.day)
            if alias.form in ("name", "capital") and alias.entry.kind == "country":
                sector, modifier, _ = self._sector_of(toks, head)
                if modifier:
                    actor = _with_sector(actor, modifier)
                elif alias.form == "capital" and is_locative(head):
                    # "a bombing in central Baghdad": the city and its people, not the government
                    actor = _with_sector(
                        actor, "CVL", reason=f"{actor.reason}, as a place: its people"
                    )
            elif alias.form == "people" and alias.entry.kind == "country" and bare_people(head):
                # "Palestinians marched", "thousands of Afghans": the people, not the state
                # ("the Americans" in diplomatic talk stays the country)
                actor = _with_sector(
                    actor,
                    "CVL",
                    kind="group",
                    reason=f"{actor.reason}; a people named without an article: civilians",
                )
            elif alias.form == "people" and alias.entry.kind == "country":
                home = self._people_home(head, actor.country)
                if home is not None:  # "the Albanians of southern Serbia": a people where it lives
                    actor = self.d.country_actor(
                        home[0], ("CVL",), reason=f"{actor.reason}, living in {home[1]}"
                    )
            elif alias.entry.kind == "person" and not actor.sectors and actor.country:
                # a known person with no role on this date, titled in the text ("President
                # Obama" in an undated story): the title says what the text claims they are
                sector, _, carrier = self._sector_of(toks, head)
                before = [t for t in toks if t.i < m[0]]
                if sector is None and before and before[-1].pos_ in NOUNS:
                    # the parser may not tag the name PERSON ("Vice-President Moody Awori")
                    sector, _, carrier = self._sector_of(before, before[-1])
                if sector and carrier is not None and carrier.i < head.i:
                    actor = _with_sector(
                        actor,
                        sector,
                        reason=f"{actor.reason}; sector from the title {carrier.text!r}",
                    )
            if former and not actor.former:
                actor = as_former(actor)
            return _Resolved(actor, f"dictionary:{alias.entry.kind}:{alias.form}")
        sector, modifier, carrier = self._sector_of(toks, head)
        if (
            sector is None
            and modifier in (None, "MIL")
            and equipment_agent(head)
            and (modifier or self._country_from(toks, head, None)[0])
        ):
            sector, carrier = "MIL", head  # "Israeli tanks shelled", "army bulldozers razed"
        if (
            sector is None
            and modifier in (None, "REF", "CVL")
            and (
                head.lemma_.lower() in INHABITED_PLACES
                or head.lemma_.lower() == "camp"
                and modifier == "REF"
            )
            and not is_locative(head)
            and self._country_from(toks, head, None)[0]
        ):
            sector, carrier = modifier or "CVL", head  # "shelled Iraqi towns", "Palestinian homes"
        if modifier and not sector and not is_generic(head):
            modifier = None  # "military equipment" is not an actor; "military officials" are
        if sector or modifier:
            sectors = combine(sector, modifier, head, carrier)
            # an international organisation named in the phrase wins over any country in it:
            # "the U.N. special envoy for Syria" is the UN's
            org = self._org_modifier(toks, head)
            member_of = org or self._org_of(head)
            if (
                member_of is not None
                and member_of.code
                and member_of.country is not None
                and MEMBER_GROUP_SECTORS & set(member_of.sectors)
                and (is_generic(head) or sector in member_of.sectors)
            ):
                # a non-state group's own people: "Hamas officials", "the Islamic State group's
                # leaders", "a leader of Hezbollah" are the group, not the country's government
                return _Resolved(
                    replace(
                        member_of,
                        reason=f"{member_of.reason}; its {head.lemma_.lower()}",
                        kind="group",
                        former=former,
                    ),
                    "agent-noun+organisation",
                )
            if org is not None and org.code and org.country is None:
                country, why = None, ""
            else:
                country, why = self._country_from(toks, head, None)
                if country is not None:
                    org = None
                elif org is not None:
                    country, why = org.country, f"organisation {org.name!r}"
            person = head.ent_type_ == "PERSON" and carrier is not None and carrier.i < head.i
            titled = (
                not person and head.lemma_.lower() in PERSON_TITLES and head.tag_ in ("NN", "NNP")
            )
            actor = self.d.country_actor(
                country,
                sectors,
                None,
                reason=f"agent noun {head.lemma_!r}" + (f", country from {why}" if why else ""),
                kind="person" if person or titled else "group",
            )
            if org is not None and org.country is None and org.code:
                # an international organisation's people: "EU foreign ministers" → IGOEECGOV
                actor = replace(actor, code=org.code + "".join(s for s in sectors if s != "IGO"))
                if person or titled:  # "the UN Secretary-General": an official of the IGO
                    actor = replace(actor, sectors=tuple(dict.fromkeys((*sectors, "IGO", "GOV"))))
            if person and country is None and carrier is not None:
                entry = self.d.misspelt_person(head.text, self.day, carrier.lemma_.lower())
                if entry is not None:  # "President Bouteflicka": a spelling of Bouteflika
                    known = self.d.person_actor(entry, self.day)
                    reason = (
                        f"{head.text!r} read as {entry.name!r} "
                        "(same title on this date, at most two letters apart)"
                    )
                    return _Resolved(replace(known, reason=reason), "dictionary:person:misspelt")
            if person:
                actor = replace(actor, name=self._name_text(toks, head))
            if former:
                actor = as_former(actor)
            return _Resolved(actor, "title" if person else "agent-noun")
        if (
            head.pos_ == "PROPN"
            and head.ent_type_ != "PERSON"
            and not any(t.pos_ == "PROPN" and t.i != head.i for t in toks)
        ):
            alias = self.d.misspelt_country(head.text)
            if alias is not None:
                actor = self.d.entry_actor(alias, self.day)
                actor = replace(
                    actor, reason=f"misspelt country name {head.text!r} → {alias.entry.name!r}"
                )
                return _Resolved(actor, "dictionary:country:misspelt")
        if head.ent_type_ in ENTITY_KINDS and head.pos_ == "PROPN":
            single = head.ent_iob_ == "B" and (
                head.i + 1 >= len(self.doc) or self.doc[head.i + 1].ent_iob_ != "I"
            )
            place_like = (
                head.ent_type_ in ("GPE", "LOC", "FAC") or head.ent_type_ == "PERSON" and single
            )
            if (
                place_like
                and self.gazetteer is not None
                and name_key(head.text) not in self._full_name_surnames()
            ):
                place = gazetteer_country(self.gazetteer, head)
                if place is not None:
                    return _Resolved(
                        self.d.country_actor(
                            place[0],
                            (),
                            place[1],
                            reason=f"place {place[1]!r} in {place[0]}",
                            kind="country",
                        ),
                        "gazetteer",
                    )
            people = self._people_of_country(toks, head)
            if people is not None:
                return people
            office = self._org_modifier(toks, head) if head.ent_type_ == "ORG" else None
            if office is not None:  # "the United Nations Emergency Relief Coordinator"
                return _Resolved(
                    replace(office, reason=f"{office.reason}; an office named after it"),
                    "dictionary:organization-office",
                )
            kind = ENTITY_KINDS[head.ent_type_]
            return _Resolved(
                Actor(
                    code=None,
                    name=self._name_text(toks, head),
                    kind=kind,
                    reason=f"{head.ent_type_} entity not in the dictionaries",
                ),
                "ner-unknown",
            )
        return None

    def _people_of_country(self, toks: list[Any], head: Any) -> _Resolved | None:
        """An unknown people named with a country adjective ("Iraqi Kurds", "Bosnian Serbs",
        "Syrian Druze"): the country the adjective names; the people itself stays uncoded."""
        if head.ent_type_ not in ("NORP", "PERSON") or name_key(head.text) not in self.d.peoples:
            return None
        for t in toks:
            m = self._match_at(t) if t.i < head.i else None
            if m is None or m[1] > head.i:
                continue
            for alias in m[2]:
                if alias.entry.kind == "country" and alias.form in ("adjective", "people"):
                    bare = bare_people(head)  # "Iraqi Kurds marched": civilians, as for demonyms
                    return _Resolved(
                        self.d.country_actor(
                            alias.entry.country,
                            ("CVL",) if bare else (),
                            None,
                            reason=f"country adjective {t.text!r} before the people {head.text!r}"
                            + ("; named without an article: civilians" if bare else ""),
                        ),
                        "people-of-country",
                    )
        return None

    def _may_name_actor(self, tok: Any) -> bool:
        """A cheap test before :meth:`resolve_head`: False only for a common noun that no rule
        there can turn into an actor (most nouns: "talks", "weapons", "week")."""
        if tok.pos_ != "NOUN" or tok.ent_type_ or tok.i in self.matches:
            return True
        words = (name_key(tok.text), name_key(tok.lemma_))
        return any(
            w in self.d.sector_last_words or w in self.d.sector_of_heads or w in ALWAYS_CONSIDERED
            for w in words
        )

    def _org_of(self, head: Any) -> Actor | None:
        """An organisation in the head's ``of`` phrase ("a leader of Hezbollah")."""
        for prep in head.rights:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    m = self._match_at(obj) if obj.dep_ == "pobj" else None
                    alias = best_alias(m[2]) if m is not None else None
                    if alias is not None and alias.entry.kind == "organization":
                        return self.d.entry_actor(alias, self.day)
        return None

    def _org_modifier(self, toks: list[Any], head: Any) -> Actor | None:
        """An organisation named by the possessor or a modifier (``the IDF's unit``,
        ``European Community foreign ministers``)."""
        for t in toks:
            if (
                t.i >= head.i
                or t.dep_ not in ("poss", "compound", "nmod", "amod")
                and t.head.dep_ not in ("poss", "compound", "nmod")
            ):
                continue
            m = self._match_at(t)
            if m is not None:
                alias = best_alias(m[2])
                if alias.entry.kind == "organization":
                    return self.d.entry_actor(alias, self.day)
        return None

    def _name_text(self, toks: list[Any], head: Any) -> str:
        names = [
            t for t in toks if t.ent_type_ == head.ent_type_ and t.i <= head.i and t.pos_ == "PROPN"
        ]
        names = names or [head]
        return self.text[names[0].idx : names[-1].idx + len(names[-1].text)]

    # -- the pass over the document ----------------------------------------------------------
    def run(self) -> tuple[Mention, ...]:
        mentions: dict[int, Mention] = {}
        sentences = list(sentence_spans(self.document))
        for _, sent in sentences:
            self.scan(sent)
        for index, sent in sentences:
            for tok in sent:
                if tok.pos_ not in NOUNS and not (
                    tok.lower_ in PARTITIVE and tok.dep_ in ("nsubj", "dobj", "pobj", "nsubjpass")
                ):
                    continue
                if (
                    tok.dep_ in ("compound", "flat")
                    and tok.head.pos_ in NOUNS
                    and tok.head.i != tok.i
                ):
                    continue
                if (
                    is_locative(tok)
                    and tok.i not in self.matches
                    and self.d.misspelt_country(tok.text) is None
                ):
                    continue  # "in Rafah" is a location; "withdrew from Lebanon" still names Lebanon
                if not self._may_name_actor(tok):
                    continue
                resolved = self.resolve_head(tok)
                if resolved is None:
                    continue
                mentions[tok.i] = self._mention(tok, index, resolved)
            for tok in sent:  # country adjectives and names modifying non-actor nouns
                if tok.i in mentions or tok.dep_ not in ("amod", "compound", "nmod", "poss"):
                    continue
                if tok.head.i in mentions and tok.head.i != tok.i:
                    continue
                m = self._match_at(tok)
                if m is None or m[1] - 1 != tok.i:
                    continue
                alias = best_alias(m[2])
                actor = self.d.entry_actor(alias, self.day)
                mentions[tok.i] = self._mention(
                    tok,
                    index,
                    _Resolved(actor, f"modifier:{alias.entry.kind}:{alias.form}"),
                    span=(m[0], m[1]),
                )
            for tok in sent:
                if tok.lower_ in PRONOUNS and tok.pos_ == "PRON":
                    mentions[tok.i] = Mention(
                        tok.idx,
                        tok.idx + len(tok.text),
                        tok.text,
                        index,
                        tok.i,
                        (tok.i, tok.i + 1),
                        Actor(code=None, kind="unknown", reason="unresolved pronoun"),
                        "pronoun",
                    )
        self._conjoined_modifiers(mentions)
        merged = merge_appositions(mentions, self.doc)
        merged = drop_contained(merged, self.doc)
        merged = interviewers(merged, self.doc)
        merged = repeated_names(merged, self.doc)
        return possessed_by_pronouns(resolve_references(self.document, merged), self.doc)

    def _conjoined_modifiers(self, mentions: dict[int, Mention]) -> None:
        """ "Russian and Ukrainian delegations", "the ministers of Armenia and Azerbaijan": one
        mention per country, with the group's sectors, tied to the group's head token (the coder
        expands arguments with them; rule ``conjoined:<head token>``)."""
        for head_i, m in list(mentions.items()):
            if m.actor.kind not in ("group", "person") or not m.actor.country:
                continue
            head = self.doc[head_i]
            anchors = [t for t in head.lefts if t.dep_ in ("amod", "compound", "nmod")]
            anchors += [
                o
                for p_ in head.children
                if p_.dep_ == "prep" and p_.lower_ == "of"
                for o in p_.children
                if o.dep_ == "pobj"
            ]
            for anchor in anchors:
                for conj in anchor.children:
                    if conj.dep_ != "conj" or conj.i in mentions:
                        continue
                    match = self._match_at(conj)
                    country = (
                        next((a.entry.country for a in match[2] if a.entry.country), None)
                        if match
                        else None
                    )
                    if country is None or country == m.actor.country:
                        continue
                    actor = replace(
                        m.actor,
                        country=country,
                        code=country + "".join(m.actor.sectors),
                        name=self.d.country_names.get(country),
                        reason=f"{m.actor.reason}; conjoined {conj.text!r}",
                    )
                    mentions[conj.i] = Mention(
                        conj.idx,
                        conj.idx + len(conj.text),
                        conj.text,
                        m.sentence_index,
                        conj.i,
                        (conj.i, conj.i + 1),
                        actor,
                        f"conjoined:{head_i}",
                    )

    def _mention(
        self, head: Any, index: int, resolved: _Resolved, span: tuple[int, int] | None = None
    ) -> Mention:
        if span is None:
            toks = self.phrase(head)
            # a mention never reaches into a relative clause or past an apposition comma
            first, last = toks[0].i, toks[-1].i + 1
        else:
            first, last = span
        while first < last - 1 and self.doc[first].lower_ in ("the", "a", "an"):  # never empty
            first += 1
        while last - 1 > first and self.doc[last - 1].dep_ == "case":  # "the government's"
            last -= 1
        start = self.doc[first].idx
        end = self.doc[last - 1].idx + len(self.doc[last - 1].text)
        return Mention(
            start,
            end,
            self.text[start:end],
            index,
            head.i,
            (first, last),
            resolved.actor,
            resolved.rule,
        )


def _plain_lemma(tok: Any) -> str:
    """The token's lemma; for a capitalised plural the tagger took for a name at the start of a
    sentence ("Rebels based in Congo attacked"), its singular."""
    lemma = tok.lemma_
    if tok.pos_ == "PROPN" and tok.is_sent_start and not tok.ent_type_ == "PERSON":
        low = tok.lower_
        if low.endswith(("ches", "shes", "sses", "xes")):
            return low[:-2]
        if low.endswith("s") and not low.endswith("ss"):
            return low[:-1]
    return lemma


def _stance_word(tok: Any) -> bool:
    """Is ``tok`` the country of an ``anti-``/``pro-`` stance ("anti-Syria", "pro-Russian")?"""
    lower = tok.lower_
    if lower.startswith(("anti-", "pro-")):
        return True
    doc = tok.doc
    return tok.i >= 2 and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ in ("anti", "pro")


def _with_sector(actor: Actor, sector: str, **changes: Any) -> Actor:
    """``actor`` (a country) as one of its sectors: ISR + MIL → ``ISRMIL``."""
    return replace(actor, code=f"{actor.country or ''}{sector}", sectors=(sector,), **changes)


def make_actor_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    dictionary = resources.actors
    use_gazetteer = config.get("use_gazetteer", True)

    def actors(document: Document) -> Document:
        gazetteer = _optional_gazetteer(resources) if use_gazetteer else None
        return replace(document, mentions=ActorResolver(dictionary, gazetteer, document).run())

    return actors


def _optional_gazetteer(resources: Any) -> Any:
    try:
        return resources.gazetteer
    except ImportError:
        return None
