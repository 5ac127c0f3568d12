"""Event coding: dependency patterns → CAMEO/PLOVER events with source and target.

For every verb and noun of a kept sentence the stage looks up the patterns of its lemma (most
specific first), checks their constraints, and for the first that holds builds one event per
(source, target) pair from the pattern's argument slots. Verbs go first: an object a verb pattern
used (``impose`` + ``sanctions``) cannot trigger again as a noun. Modality and attribution are
set afterwards by :mod:`dyads.stages.modality`.

Confidence (0–1) ranks events by how sure the coder is:
``0.35 + 0.05 × specificity (≤ 0.2) + 0.2 if the source has a code + 0.2 if the target has one``,
``− 0.1`` for a nominal trigger, ``− 0.1`` when an actor came from a pronoun, ``− 0.05`` when
the sentence is longer than 60 tokens (parses degrade), ``− 0.02`` per step from the trigger up
to the sentence root (at most 5: main-clause events first), clipped to [0.05, 0.99].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..dictionaries.patterns import Pattern, PatternSet
from ..ontology import Ontology
from ..records import Document, Event, Mention, Span
from . import arguments as args
from .actor_words import PARTITIVE
from .constraints import TESTS, Context
from .segment import sentence_spans

LIGHT_VERBS = {
    "launch", "carry", "conduct", "stage", "mount", "hold", "impose", "announce", "begin", "start",
    "continue", "resume", "make", "pay", "give", "issue", "sign", "reach", "exert", "apply", "step",
    "intensify", "escalate", "order", "unleash", "wage", "level", "lodge", "file", "deliver",
    "extend", "offer", "provide", "send", "host", "join", "open", "enter", "conclude",
    "complete", "undertake", "perform", "execute", "commit", "claim", "press", "renew",
    "expand", "organize", "organise", "call", "declare", "take", "finalize", "agree", "engage",
}  # fmt: skip
VERB_POS = {"VERB", "AUX"}
# who travels "for talks" holds them
TRAVEL_VERBS = {
    "fly", "travel", "return", "arrive", "come", "go", "head", "leave", "gather", "convene",
    "sit", "visit", "meet", "assemble", "reconvene",
}  # fmt: skip
# someone's ally or proxy is another actor than they are
ALLY_NOUNS = {"ally", "proxy", "partner", "client", "surrogate"}
# those a sending verb moves act in its purpose clause; they are not its target
SENDING_VERBS = {"send", "dispatch", "despatch", "deploy", "fly", "assign", "mobilize", "mobilise"}
# Nouns for a body of people acting for the actor that modifies them: "a WHO team",
# "Russia's delegation", "the UN mission".
COLLECTIVE_NOUNS = {
    "team", "delegation", "mission", "panel", "committee", "commission", "contingent", "crew",
    "staff", "personnel", "envoy", "representative", "representatives", "member", "members",
    "expert", "experts", "investigator", "investigators", "inspector", "inspectors", "monitor",
    "monitors", "observer", "observers", "negotiator", "negotiators", "worker", "workers",
    "group", "movement", "faction", "wing",
}  # fmt: skip
STATEMENT_CODE = "010"
STATEMENT_PENALTY = 0.3  # a plain statement beside another event of its sentence
DEPTH_PENALTY = 0.05  # per dependency level between the trigger and its sentence's root
# "a shipment of weapons", "16 rounds of sanctions": nouns whose "of" object is what counts
# a duration as the direct object holds the act: "launched 10 days of war games" (but "stopped work
# on the first day of the strike" is a date)
DURATION_NOUNS = {"day", "week", "month", "hour", "year", "night"}
CONTAINER_NOUNS = {
    # measures: "700 kg of medicine"
    "kg", "kilogram", "kilo", "pound", "litre", "liter", "gallon", "planeload", "crate", "box",
    "bag", "sack", "carton", "container", "pallet",
    "delivery", "shipment", "round", "package", "batch", "supply", "ton", "tonne", "consignment",
    "series", "wave", "number", "amount", "set", "lot", "kind", "type", "form", "provision",
    "transfer", "sale", "release", "return", "withdrawal", "exchange", "deployment", "dispatch",
    "convoy", "load", "cargo", "worth", "million", "billion", "dozen", "hundred", "thousand",
    "pair", "group", "unit", "flow", "stream", "volley", "barrage", "salvo", "string", "spate",
    "resumption", "suspension", "lifting", "easing", "imposition", "extension", "renewal",
    "part", "parts", "half", "rest",
    "volume", "quantity", "barrel", "share", "portion", "bulk", "shipload", "truckload",
}  # fmt: skip
MANDATIVE_VERBS = {
    "demand",
    "insist",
    "urge",
    "ask",
    "request",
    "propose",
    "suggest",
    "recommend",
    "order",
    "call",
    "require",
    "stipulate",
}
FRAME_PREPS = {"in", "during", "at", "after", "following", "ahead", "before"}
NOMINAL_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj"}  # "US strikes on Houthi targets resumed"
PARTICLE_DEPS = ("prt", "prep", "advmod", "dative", "agent", "oprd", "acomp", "ccomp", "xcomp")
# prepositions whose objects are places or times, never the object a pattern asks for
NOT_OBJECT_PREPS = {
    "in",
    "at",
    "during",
    "after",
    "before",
    "since",
    "until",
    "within",
    "near",
    "across",
    "throughout",
    "amid",
    "despite",
    "inside",
    "outside",
    "by",
}
NOUN_POS = {"NOUN", "PROPN"}
OBJECT_INNER_PREPS = (
    "against",
    "on",
    "to",
    "with",
    "by",
    "from",
    "between",
    "toward",
    "towards",
    "of",
    "for",
)
COMPLEMENT_PREPS = ("to", "for", "with", "against", "on", "into", "from", "toward", "towards")
DEFAULT_NOUN_TARGETS = ("on", "against", "toward", "towards", "upon", "of")


class Coder:
    """Codes one document; a new one per document."""

    def __init__(
        self, patterns: PatternSet, ontology: Ontology, document: Document, config: dict[str, Any]
    ):
        self.patterns, self.ontology, self.document = patterns, ontology, document
        self.doc = document.doc
        self.text = document.article.text
        self.min_actors = int(config.get("min_actors", 1))
        self.by_head = {m.head: m for m in document.mentions}
        self.by_token: dict[int, Mention] = {}  # token → the smallest mention holding it
        for m in sorted(document.mentions, key=lambda m: m.tokens[1] - m.tokens[0], reverse=True):
            for i in range(*m.tokens):
                self.by_token[i] = m
        self.quote_spans = [(q.start, q.end) for q in document.quotes if q.kind == "direct"]
        # Per-token answers: a trigger is tried against many patterns with the same particles and
        # objects, so each walk of the tree is done once per token.
        self._candidate_cache: dict[int, list[Any]] = {}
        self._particle_cache: dict[tuple[int, str], tuple[bool, Any | None]] = {}
        self._keys_cache: dict[int, set[str]] = {}
        # head token of a group phrase → mentions made from its conjoined country modifiers
        self.conjoined_modifiers: dict[int, list[Mention]] = {}
        for m in document.mentions:
            if m.rule.startswith("conjoined"):
                self.conjoined_modifiers.setdefault(int(m.rule.rsplit(":", 1)[1]), []).append(m)
        self.speaker_of = {
            q.verb.start: q.speaker
            for q in document.quotes
            if q.verb is not None and q.speaker is not None
        }

    # -- helpers --------------------------------------------------------------------------------
    def mention_of(self, tok: Any | None) -> Mention | None:
        if tok is None:
            return None
        m = self.by_head.get(tok.i)
        if m is not None:
            return m
        m = self.by_token.get(tok.i)
        if m is not None and m.head == tok.i:
            return m
        if m is not None and tok.pos_ in NOUN_POS and self.doc[m.head].head.i == tok.i:
            return m
        if tok.lemma_.lower() in COLLECTIVE_NOUNS:  # "a World Health Organization team"
            for c in reversed(list(tok.lefts)):  # nearest first: "the pro-Iranian Houthi group"
                if c.dep_ in ("compound", "poss", "amod", "nmod") and c.i in self.by_head:
                    return self.by_head[c.i]
        if tok.tag_ == "CD" or tok.lower_ in PARTITIVE:  # "700 of 1,200 Greek teachers"
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and obj.i in self.by_head:
                            return self.by_head[obj.i]
        return None

    def actor_of_np(self, tok: Any | None) -> Mention | None:
        """The actor a noun phrase names, else the actor that modifies it (``the US decision``)."""
        if tok is None:
            return None
        m = self.mention_of(tok)
        if m is not None:
            return m
        if tok.lemma_.lower() in ALLY_NOUNS:
            return None  # "Iran's militia ally in eastern Syria" is not Iran
        found = [
            m
            for c in tok.children
            if c.dep_ in ("poss", "compound", "amod", "nmod") and c.i < tok.i
            for m in (self.by_head.get(c.i) or self.by_token.get(c.i),)
            if m is not None
        ]
        if found:  # "his Indian counterpart": the named modifier before the pronoun
            return next((m for m in found if m.refers_to is None), found[0])
        if tok.pos_ in NOUN_POS and tok.ent_type_ == "":
            # "a demand from the US President", "the home of a journalist", "crimes by extremists"
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in ("by", "from", "of"):
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            m = self.mention_of(obj)
                            if m is not None:
                                return m
        return None

    def in_quote(self, tok: Any) -> bool:
        return any(s <= tok.idx < e for s, e in self.quote_spans)

    def expand(self, toks: list[Any]) -> list[Mention]:
        """Actors of the given argument tokens and their conjuncts: "Bosnia and Slovenia",
        "Russian and Ukrainian delegations", "the ministers of Armenia and Azerbaijan"."""
        out: list[Mention] = []
        for tok in toks:
            for t in args.conjuncts(tok):
                m = self.actor_of_np(t)
                if m is not None and m not in out:
                    out.append(m)
                for extra in self.conjoined_modifiers.get(t.i, ()):
                    if extra not in out:
                        out.append(extra)
        return out

    # -- argument slots -------------------------------------------------------------------------
    def slot(self, name: str, trig: Any, pattern: Pattern, used: Any | None) -> list[Any]:
        if name == "none":
            return []
        if name == "subject":
            subj = args.logical_subject(trig) if trig.pos_ in VERB_POS else self._noun_source(trig)
            if subj is None and trig.pos_ in VERB_POS:
                speaker = self.speaker_of.get(trig.idx)  # "..., former Ambassador Y told Z"
                return [self.doc[speaker.head]] if speaker is not None else []
            return [subj] if subj is not None else []
        if name == "agent":
            a = args.agent(trig)
            return [a] if a is not None else []
        if name == "object_possessor":
            # the actor that owns or modifies the object: "rejected Haiti's request",
            # "accepted Japan's apology", "criticized the US decision"
            holder = used if used is not None else args.direct_object(trig)
            return [holder] if holder is not None else []
        if name == "dobj":
            # the object; when it is the pattern's own object ("rejected Haiti's request") the
            # actor comes from its possessor or modifier (see actor_of_np)
            obj = args.direct_object(trig)
            return [obj] if obj is not None else []
        if name == "object_inner":
            # "threatened further action against Russia", "rejected calls by Belarus's rulers":
            # the actor inside a non-actor object
            obj = args.direct_object(trig) if trig.pos_ in VERB_POS else None
            holder = used if used is not None else obj
            if holder is None or self.mention_of(holder) is not None:
                return []
            return args.prep_objects(holder, OBJECT_INNER_PREPS)
        if name == "object_of":
            # "demanded the withdrawal of Serbian forces": the holder of the act the object names
            obj = args.direct_object(trig) if trig.pos_ in VERB_POS else None
            holder = used if used is not None else obj
            if holder is None or self.mention_of(holder) is not None:
                return []
            return args.prep_objects(holder, ("of",))
        if name == "iobj":
            return args.children(trig, "dative", "iobj")
        if name == "purpose_object":
            obj = args.purpose_object(trig)
            return [obj] if obj is not None else []
        if name == "xcomp_object":
            x = args.child(trig, "xcomp", "ccomp")
            obj = args.direct_object(x) if x is not None else None
            if obj is None and x is not None:  # "prepared to resume shelling the town"
                obj = args.direct_object(args.through_aspect(x))
            return [obj] if obj is not None else []
        if name == "ccomp_subject":
            x = args.child(trig, "ccomp")
            s = args.logical_subject(x) if x is not None else None
            return [s] if s is not None else []
        if name == "poss":
            return args.children(trig, "poss")
        if name == "mod":
            mods = [c for c in trig.lefts if c.dep_ in ("amod", "compound", "nmod")]
            mods += [
                g for c in mods for g in c.lefts if g.dep_ in ("amod", "compound", "nmod")
            ]  # "Turkish drone strikes"
            return [c for c in mods if self.mention_of(c) is not None]
        if name == "by":
            found = args.prep_objects(trig, ("by",))
            if not found:  # "the massacre of villagers by the army": "by" hangs off the of-object
                for of in args.prep_objects(trig, ("of",)):
                    found.extend(args.prep_objects(of, ("by",)))
            return found
        if name == "governor_object" and trig.pos_ in VERB_POS:
            gov = args.clause_governor(trig)
            if gov is not None and gov.lemma_ in SENDING_VERBS and trig.dep_ in ("advcl", "xcomp"):
                return []  # "sent a team of experts to Sudan to investigate": the sent do it
            obj = args.direct_object(gov) if gov is not None else None
            return [obj] if obj is not None else []
        if name == "under_subject":
            # "forces came under attack from X": the attacked are the subject of "came"
            head = trig.head
            if (
                trig.dep_ == "pobj"
                and head.lower_ == "under"
                and head.head.lemma_ in ("come", "be", "fall", "remain")
            ):
                subj = args.logical_subject(head.head)
                return [subj] if subj is not None else []
            return []
        if name == "frame_subject":
            # "In a letter to the UN, Azerbaijan said ...": a noun in a framing phrase of a clause
            # belongs to the clause's subject
            head = trig.head
            if (
                trig.dep_ == "pobj"
                and head.dep_ == "prep"
                and head.lower_ in FRAME_PREPS
                and head.head.pos_ in VERB_POS
            ):
                subj = args.logical_subject(head.head)
                return [subj] if subj is not None else []
            return []
        if name in ("governor_subject", "governor_object"):
            gov = args.governor(trig)
            travel = (  # "flew to Washington for talks with Trump": the traveller talks
                gov is not None
                and name == "governor_subject"
                and trig.dep_ == "pobj"
                and trig.head.lower_ == "for"
                and gov.lemma_ in TRAVEL_VERBS
            )
            if gov is None or gov.lemma_ not in LIGHT_VERBS and not travel:
                return []
            if name == "governor_subject":
                s = args.logical_subject(gov)
                return [s] if s is not None else []
            return args.children(gov, "dative") + args.prep_objects(gov, ("to",))
        # a preposition: on the trigger, on the object the pattern used, or on a light verb
        # (and on the object's conjuncts: "launched artillery, mortar and rocket fire against X")
        holders = [trig] + (args.conjuncts(used) if used is not None else [])
        if trig.pos_ in VERB_POS and used is None:
            obj = args.direct_object(trig)
            if obj is not None:
                holders.extend(args.conjuncts(obj))  # "extradited the former president to Paraguay"
        if trig.pos_ in NOUN_POS:
            gov = args.governor(trig)
            if gov is not None and gov.lemma_ in LIGHT_VERBS:
                holders.append(gov)
        found: list[Any] = []
        for holder in holders:
            found.extend(args.prep_objects(holder, (name,)))
        return found

    def _noun_source(self, noun: Any) -> Any | None:
        for name in ("poss", "mod", "by", "governor_subject", "frame_subject"):
            got = self.slot(name, noun, Pattern("", "", "noun", ""), None)
            if got:
                return got[0]
        return None

    # -- matching -------------------------------------------------------------------------------
    @staticmethod
    def _candidates(table: dict[str, list[Pattern]], trig: Any) -> list[Pattern] | None:
        """Patterns for the trigger's lemma; the small model sometimes lemmatises "staged" as
        "stag" or "fined" as "fin", so "<lemma>e" is tried for -ed/-ing forms too."""
        lemma = trig.lemma_.lower()
        found = table.get(lemma) or table.get(trig.lower_)
        if found is None and trig.lower_.endswith(("ed", "ing")) and not lemma.endswith("e"):
            found = table.get(lemma + "e")
        return found

    def _particle_ok(self, trig: Any, particle: str) -> tuple[bool, Any | None]:
        """Does the verb carry its particle, preposition or predicative adjective ("pull out",
        "call on", "found X guilty")? Returns (ok, preposition token). A preposition after a
        direct object is not a particle: "called an election for June" is not "call for"."""
        key = (trig.i, particle)
        found = self._particle_cache.get(key)
        if found is None:
            found = self._particle_cache[key] = self._find_particle(trig, particle)
        return found

    def _find_particle(self, trig: Any, particle: str) -> tuple[bool, Any | None]:
        words = particle.split()
        found_prep = None
        obj = args.child(trig, "dobj", "obj")
        for word in words:
            hit = next(
                (c for c in trig.children if c.lower_ == word and c.dep_ in PARTICLE_DEPS),
                None,
            )
            if hit is None:
                nxt = trig.doc[trig.i + 1] if trig.i + 1 < len(trig.doc) else None
                if nxt is not None and nxt.lower_ == word:
                    hit = nxt
            if hit is None:
                return False, None
            if hit.dep_ in ("prep", "dative"):
                if (
                    obj is not None
                    and obj.i < hit.i
                    and hit.lower_ in ("for", "on", "to")
                    and word == words[-1]
                    and len(words) == 1
                ):
                    return False, None
                found_prep = hit
        return True, found_prep

    def _object_ok(self, trig: Any, pattern: Pattern) -> tuple[Any, int] | None:
        """The token that satisfies ``pattern.objects`` and the length of the matched key.

        Verb candidates: the direct object (also of a passive: "was granted asylum") and its
        conjuncts; objects of non-locative prepositions ("call for talks"); the complement verb
        ("threatened to retaliate", "demanded that X withdraw"), its object and prepositional
        objects; gerunds ("accused X of committing war crimes"). Noun candidates: the noun's
        modifiers ("missile attacks") and the objects of its of/into/for phrases. Each candidate's
        compound nouns are candidates too ("military aid package" → "military aid"). Keys:
        lemma, form, modifiers + lemma, and the objects of of/for/with/in under the candidate."""
        candidates = self._object_candidates(trig)
        wanted = pattern.objects
        best: tuple[Any, int] | None = None
        for cand in candidates:
            keys = self._keys_cache.get(cand.i)
            if keys is None:
                keys = self._keys_cache[cand.i] = _object_keys(cand)
            for key in keys:
                if key in wanted and (best is None or len(key) > best[1]):
                    best = (cand, len(key))
        return best

    def _object_candidates(self, trig: Any) -> list[Any]:
        cached = self._candidate_cache.get(trig.i)
        if cached is not None:
            return cached
        candidates: list[Any] = []
        if trig.pos_ in NOUN_POS:
            candidates.extend(c for c in trig.lefts if c.dep_ in ("compound", "amod", "nmod"))
            for prep in trig.children:
                if prep.dep_ == "prep" and prep.lower_ in ("of", "into", "for", "over"):
                    candidates.extend(args.children(prep, "pobj"))
        else:
            obj = args.direct_object(trig)
            for o in (obj, args.child(trig, "dobj", "obj")):
                if o is not None and o not in candidates:
                    candidates.append(o)
                    candidates.extend(c for c in o.children if c.dep_ == "conj")
            own_object = args.child(trig, "dobj", "obj") is not None
            for c in trig.children:
                if c.dep_ == "prep" and c.lower_ not in NOT_OBJECT_PREPS:
                    if own_object and c.lower_ == "over":
                        continue  # "stopped work over the bill": the cause, not the object
                    candidates.extend(args.children(c, "pobj"))
                    for g in args.children(c, "pcomp"):  # "accused X of committing Y"
                        candidates.append(g)
                        o = args.direct_object(g)
                        if o is not None:
                            candidates.append(o)
            for x in trig.children:
                if x.dep_ == "advcl" and own_object:  # "blocked roads to press demands for
                    continue  # freedom": a purpose, not the object
                infinitive = args.is_infinitive(x)
                mandative = (
                    x.dep_ == "ccomp" and trig.lemma_ in MANDATIVE_VERBS
                )  # "demanded that X withdraw"
                if x.pos_ in VERB_POS and (
                    x.dep_ == "xcomp" or infinitive and x.dep_ in ("ccomp", "advcl") or mandative
                ):
                    candidates.append(x)  # "threatened to retaliate", "demanded that X withdraw"
                    o = args.direct_object(x)
                    if o is not None:
                        candidates.append(o)
                    inner = args.through_aspect(x)  # "prepared to resume shelling"
                    if inner is not x:
                        candidates.append(inner)
                        o = args.direct_object(inner)
                        if o is not None:
                            candidates.append(o)
                    for c in x.children:
                        if c.dep_ == "prep" and c.lower_ not in NOT_OBJECT_PREPS:
                            candidates.extend(args.children(c, "pobj"))
        for cand in list(candidates):
            candidates.extend(c for c in cand.lefts if c.dep_ == "compound" and c.pos_ == "NOUN")
        # a date is no object: "started to nosedive in March" names no march
        candidates = [c for c in candidates if not _is_date_name(c)]
        self._candidate_cache[trig.i] = candidates
        return candidates

    def _match(
        self, trig: Any, candidates: list[Pattern], consumed: set[int]
    ) -> tuple[Pattern, Any | None, list[Mention | None], list[Mention | None]] | None:
        """The first pattern (most specific first) whose constraints hold; among equally specific
        object patterns the one matching the longest object phrase ("suicide bombing" beats
        "bombing")."""
        best = None
        best_rank: tuple[int, int] | None = None
        for pattern in candidates:
            if best_rank is not None and pattern.specificity < best_rank[0]:
                break
            used, key_len = None, 0
            if pattern.particle:
                ok, _prep = self._particle_ok(trig, pattern.particle)
                if not ok:
                    continue
            if pattern.objects:
                found = self._object_ok(trig, pattern)
                if found is None or found[0].i in consumed:
                    continue
                used, key_len = found
            sources, targets = self._arguments(trig, pattern, used)
            ctx = Context(trig, self.mention_of, self.in_quote, targets, sources)
            if not all(TESTS[t](ctx) for t in pattern.when):
                continue
            if any(TESTS[t](ctx) for t in pattern.unless):
                continue
            rank = (pattern.specificity, key_len)
            if best_rank is None or rank > best_rank:
                best, best_rank = (pattern, used, sources, targets), rank
            if not pattern.objects:
                break  # no object to compare: the first match at this specificity wins
        return best

    def _arguments(
        self, trig: Any, pattern: Pattern, used: Any | None
    ) -> tuple[list[Mention | None], list[Mention | None]]:
        is_verb = pattern.kind == "verb"
        source_slots = pattern.source or (
            ("subject",) if is_verb else ("poss", "mod", "by", "governor_subject", "from")
        )
        if pattern.target:
            target_slots = pattern.target
        elif is_verb:
            particle = (pattern.particle.split()[-1],) if pattern.particle else ()
            target_slots = ("dobj", *particle, "object_inner")
        else:
            target_slots = (*DEFAULT_NOUN_TARGETS, "under_subject")
        sources = self._fill(source_slots, trig, pattern, used, first_only=True)
        if pattern.symmetric and len(sources) > 1:
            # "Germany and Poland stepped up cooperation", "A and B joined forces": the
            # conjoined sources are each other's targets; the object is not a party
            target_slots = tuple(
                t for t in target_slots if t not in ("dobj", "object_possessor", "object_inner")
            )
            targets = self._fill(target_slots, trig, pattern, used, first_only=True)
            if not targets:
                pairs = [(a, b) for a in sources for b in sources if a is not b]
                return [a for a, _ in pairs], [b for _, b in pairs]
        # "threatened to end its cooperation with the IAEA": "its" is the source itself; a slot
        # that names only the source gives way to the next ("withdraw its monitors from Syria")
        targets = self._fill(target_slots, trig, pattern, used, first_only=True, besides=sources)
        if not targets and "none" not in pattern.target:
            # nothing in the pattern's own slots: the actor inside the object ("rejected calls by
            # Kofi Annan", "agreed to US mediation"), then the target of the complement the
            # trigger governs ("agreed to provide aid to Romania", "demanded that its partners
            # refuse ...")
            fallbacks = ("object_possessor", "object_inner") if is_verb else ("under_subject",)
            for fallback in fallbacks:
                targets = self._not_sources(
                    self._fill((fallback,), trig, pattern, used, first_only=True), sources
                )
                if targets:
                    break
            if not targets:
                targets = self._complement_targets(trig, used, sources)
            if not targets and is_verb and trig.lemma_ in MANDATIVE_VERBS:
                targets = self._fill(("ccomp_subject",), trig, pattern, used, first_only=True)
            if not targets and is_verb:
                targets = self._condition_subjects(trig)
            targets = [t for t in targets if not any(t is src for src in sources)]
        if pattern.symmetric:
            # "A and B agreed", "talks between A and B", "Japan, Korea and the US met": every pair
            pool = (
                sources
                if len(sources) > 1 and not targets
                else targets
                if len(targets) > 1 and not sources
                else []
            )
            if len(pool) > 1:
                pairs = [(a, b) for a in pool for b in pool if a is not b]
                return [a for a, _ in pairs], [b for _, b in pairs]
        return (sources or [None]), (targets or [None])

    def _not_sources(self, found: list[Mention], sources: list[Mention]) -> list[Mention]:
        """Targets other than the sources themselves, a pronoun standing for one, or the
        source's own people ("rejected a call for its peacekeeping forces to deploy")."""
        return [
            m
            for m in found
            if not any(
                m is s or _same_referent(m, s) or self._owned_by(m, s)
                for s in sources
                if s is not None
            )
        ]

    def _owned_by(self, mention: Mention, source: Mention | None) -> bool:
        """Is ``mention`` "its/their X" with the pronoun standing for ``source``?"""
        if source is None or mention.head < 0:
            return False
        for c in self.doc[mention.head].children:
            if c.dep_ == "poss":
                owner = self.by_head.get(c.i) or self.by_token.get(c.i)
                if owner is not None and owner is not mention and _same_referent(owner, source):
                    return True
        return False

    def _condition_subjects(self, trig: Any) -> list[Mention]:
        """The actor a condition is laid on: "threatened to strike unless Israel rescinded the
        law", "will boycott the vote if the president stays" (the subject of an if/unless clause
        of the trigger or of its infinitive)."""
        heads = [trig] + [c for c in trig.children if c.dep_ == "xcomp"]
        for head in heads:
            for clause in head.children:
                if clause.dep_ != "advcl" or not any(
                    m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in clause.children
                ):
                    continue
                found = self.expand(args.children(clause, "nsubj"))
                if found:
                    return found
        return []

    def _complement_targets(
        self, trig: Any, used: Any | None, sources: list[Mention], depth: int = 0
    ) -> list[Mention]:
        if depth > 2:
            return []
        for comp in trig.children:
            if comp.dep_ not in ("xcomp", "ccomp", "advcl", "acl") or comp.pos_ not in VERB_POS:
                continue
            if comp.dep_ != "xcomp" and not args.is_infinitive(comp):
                continue
            obj = args.direct_object(comp)
            toks = [t for t in (obj,) if t is not None and (used is None or t.i != used.i)]
            toks += args.children(comp, "dative") + args.prep_objects(comp, COMPLEMENT_PREPS)
            if obj is not None:  # "threatened to end its cooperation with the IAEA"
                toks += args.prep_objects(obj, ("with", "to", "against"))
            found = self._not_sources(self.expand(toks), sources)
            if found:
                return found
            deeper = self._complement_targets(comp, used, sources, depth + 1)
            if deeper:
                return deeper
        return []

    def _fill(
        self,
        slots: tuple[str, ...],
        trig: Any,
        pattern: Pattern,
        used: Any | None,
        first_only: bool,
        besides: list[Mention] | None = None,
    ) -> list[Mention]:
        for slot in slots:
            toks = self.slot(slot, trig, pattern, used)
            mentions = self.expand(toks)
            if besides:
                mentions = self._not_sources(mentions, besides)
            if mentions:
                return mentions
        return []

    # -- events -----------------------------------------------------------------------------------
    def run(self) -> tuple[Event, ...]:
        events: list[Event] = []
        for index, sent in sentence_spans(self.document):
            consumed: set[int] = set()
            sentence = next(s for s in self.document.sentences if s.index == index)
            long_sentence = len(sent) > 60
            tokens = [(trig, trig.pos_) for trig in sent]
            for pos_set, table in (
                (VERB_POS, self.patterns.verbs),
                (NOUN_POS, self.patterns.nouns),
            ):
                for trig, pos in tokens:
                    if trig.i in consumed:
                        continue
                    if pos not in pos_set:
                        nominal = (  # a plural noun the tagger took for a verb
                            pos_set is NOUN_POS
                            and pos == "VERB"
                            and trig.dep_ in NOMINAL_DEPS
                            and (trig.tag_ == "NNS" or trig.lower_.endswith("s"))
                        )
                        if not nominal:
                            continue
                    candidates = self._candidates(table, trig)
                    if (
                        candidates
                        and trig.lemma_ == "go"
                        and any(c.dep_ == "xcomp" for c in trig.children)
                    ):
                        continue  # "is going to be": the future, not a journey
                    if trig.lower_ == "according" and any(c.lower_ == "to" for c in trig.children):
                        continue  # "according to the US government": a source, not accord
                    if not candidates:
                        continue
                    matched = self._match(trig, candidates, consumed)
                    if matched is None:
                        continue
                    pattern, used, sources, targets = matched
                    # The object a pattern used cannot trigger again, unless it belongs to an
                    # embedded clause that is an event of its own ("threatened to impose
                    # sanctions": the threat and the threatened sanctions are both coded).
                    if used is not None and not _in_complement(used, trig):
                        consumed.add(used.i)
                        consumed.update(  # "16 rounds of sanctions", "the delivery of weapons"
                            g.i
                            for p_ in used.children
                            if p_.dep_ == "prep" and p_.lower_ in ("of", "for", "with", "in")
                            for g in p_.children
                            if g.dep_ == "pobj"
                        )
                    consumed.add(trig.i)
                    events.extend(
                        self._events(
                            index,
                            sentence.text,
                            trig,
                            pattern,
                            used,
                            sources,
                            targets,
                            long_sentence,
                        )
                    )
        return tuple(_subordinate_statements(events))

    def _events(
        self,
        index: int,
        sentence: str,
        trig: Any,
        pattern: Pattern,
        used: Any | None,
        sources: list[Mention | None],
        targets: list[Mention | None],
        long_sentence: bool,
    ) -> list[Event]:
        cameo = self.ontology.code(pattern.code)
        plover = self.ontology.plover_for(pattern.code)
        toks = [trig] + ([used] if used is not None and abs(used.i - trig.i) <= 6 else [])
        if pattern.particle:
            toks += [c for c in trig.children if c.dep_ == "prt"]
        first, last = min(toks, key=lambda t: t.i), max(toks, key=lambda t: t.i)
        start, end = first.idx, last.idx + len(last.text)
        trigger = Span(start, end, self.text[start:end])
        depth, node = 0, trig
        while node.head.i != node.i and depth < 5:
            node, depth = node.head, depth + 1
        pairs = (
            list(zip(sources, targets, strict=True))
            if pattern.symmetric and len(sources) == len(targets) == 2 and sources[0] is targets[1]
            else [(s, t) for s in sources for t in targets]
        )
        needs_target = (
            "has_target" in pattern.when
            or "target_actor" in pattern.when
            or "no_target" in pattern.unless
        )
        out = []
        for source, target in pairs:
            if source is not None and target is not None and source.head == target.head:
                continue
            if _same_referent(source, target) and needs_target:
                continue  # "cut ties with its supplier": the supplier, who has no actor
            coded = sum(1 for m in (source, target) if m is not None and m.actor.code)
            if coded < self.min_actors:
                continue
            confidence = 0.35 + min(0.2, 0.05 * pattern.specificity)
            confidence += 0.2 if source is not None and source.actor.code else 0
            confidence += 0.2 if target is not None and target.actor.code else 0
            confidence -= 0.1 if pattern.kind == "noun" else 0
            confidence -= (
                0.1
                if any(m is not None and m.refers_to is not None for m in (source, target))
                else 0
            )
            confidence -= 0.05 if long_sentence else 0
            confidence -= DEPTH_PENALTY * depth
            out.append(
                Event(
                    article_id=self.document.article.id,
                    sentence_index=index,
                    sentence=sentence,
                    trigger=trigger,
                    cameo=cameo,
                    plover=plover,
                    source=source,
                    target=target,
                    confidence=max(0.05, min(0.99, confidence)),
                    rule=pattern.id,
                    trigger_token=trig.i,
                )
            )
        return out


def _subordinate_statements(events: list[Event]) -> list[Event]:
    """A plain statement (010) is CAMEO's residual code: when its sentence also carries another
    event ("wrote to Bush urging him to send troops", "told reporters the army lifted the
    blockade"), that event is the sentence's main one and the statement ranks below it."""
    eventful = {e.sentence_index for e in events if e.cameo.code != STATEMENT_CODE}
    return [
        replace(e, confidence=max(0.05, round(e.confidence - STATEMENT_PENALTY, 4)))
        if e.cameo.code == STATEMENT_CODE and e.sentence_index in eventful
        else e
        for e in events
    ]


def _in_complement(tok: Any, trig: Any) -> bool:
    """Is ``tok`` inside a verbal complement of ``trig`` (not its own object)?"""
    node, below = tok, None
    for _ in range(8):
        if node.head.i == node.i or node.i == trig.i:
            return False
        if node.head.i == trig.i:
            if node.dep_ == "prep":  # "stopped the opposition from holding a rally"
                return below is not None and below.dep_ == "pcomp" and below.pos_ in VERB_POS
            return node.pos_ in VERB_POS and node.dep_ in ("xcomp", "ccomp", "advcl")
        node, below = node.head, node
    return False


def _same_referent(a: Mention | None, b: Mention | None) -> bool:
    """A pronoun and what it stands for: "Samsung requested a patent for its screen" has no
    target, "its" being Samsung."""
    if a is None or b is None:
        return False
    if a.refers_to is not None and a.refers_to.start == b.start:
        return True
    if b.refers_to is not None and b.refers_to.start == a.start:
        return True
    # two pronouns for one antecedent: "it will withdraw its monitors"
    return (
        a.refers_to is not None
        and b.refers_to is not None
        and a.refers_to.start == b.refers_to.start
    )


def _is_date_name(tok: Any) -> bool:
    """ "March", "May": a month or day name is a date, not the noun it spells."""
    return tok.pos_ == "PROPN" and tok.ent_type_ in ("DATE", "TIME")


def _object_keys(cand: Any, depth: int = 0) -> set[str]:
    lemma = cand.lemma_.lower()
    keys = {lemma, cand.lower_}
    mods = [c for c in cand.lefts if c.dep_ in ("amod", "compound", "nmod")]
    if mods:
        keys.add(" ".join([*(m.lower_ for m in mods), lemma]))
        keys.add(f"{mods[-1].lower_} {lemma}")
        keys.add(f"{mods[-1].lower_} {cand.lower_}")
        if cand.i > 0 and cand.doc[cand.i - 1].text == "-":  # "cease-fire" split in three
            keys.add(f"{mods[-1].lower_}-{lemma}")
            keys.add(f"{mods[-1].lower_}{lemma}")
        nested = [g for m in mods for g in m.lefts if g.dep_ in ("amod", "compound")]
        if nested:  # "law enforcement cooperation"
            keys.add(" ".join([*(g.lower_ for g in nested), mods[-1].lower_, lemma]))
    for prep in cand.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":  # "state of emergency", "weapons of
            for pobj in prep.children:  # mass destruction", "cessation of hostilities"
                if pobj.dep_ == "pobj":
                    keys.add(f"{lemma} of {pobj.lower_}")
                    keys.add(f"{cand.lower_} of {pobj.lower_}")
                    pmods = [c.lower_ for c in pobj.lefts if c.dep_ in ("amod", "compound")]
                    if pmods:
                        keys.add(f"{cand.lower_} of {pmods[-1]} {pobj.lower_}")
        if prep.dep_ == "prep" and (
            prep.lower_ in ("for", "with", "in")
            or prep.lower_ == "of"
            and (lemma in CONTAINER_NOUNS or lemma in DURATION_NOUNS and cand.dep_ == "dobj")
        ):
            for pobj in prep.children:
                if pobj.dep_ == "pobj" and not _is_date_name(pobj):
                    keys.add(pobj.lemma_.lower())
                    pmods = [c for c in pobj.lefts if c.dep_ in ("amod", "compound")]
                    if pmods:
                        keys.add(f"{pmods[-1].lower_} {pobj.lemma_.lower()}")
                    if pobj.lemma_.lower() in CONTAINER_NOUNS and depth < 2:
                        # "the delivery of 500 tons of wheat": the wheat
                        keys |= {
                            k
                            for k in _object_keys(pobj, depth + 1)
                            if " of " not in k and k != pobj.lemma_.lower()
                        }
    return keys


def make_coding_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    patterns = resources.patterns
    ontology = resources.ontology

    def coding(document: Document) -> Document:
        return replace(document, events=Coder(patterns, ontology, document, config).run())

    return coding
