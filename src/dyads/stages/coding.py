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
from .constraints import TESTS, Context
from .segment import sentence_spans

LIGHT_VERBS = {
    "launch", "carry", "conduct", "stage", "mount", "hold", "impose", "announce", "begin", "start",
    "continue", "resume", "make", "pay", "give", "issue", "sign", "reach", "exert", "apply", "step",
    "intensify", "escalate", "order", "unleash", "wage", "level", "lodge", "file", "deliver",
    "extend", "offer", "provide", "send", "host", "join", "open", "enter", "conclude",
    "complete", "undertake", "perform", "execute", "commit", "claim", "press", "renew",
    "expand", "organize", "organise", "call", "declare", "take", "finalize", "agree",
}  # fmt: skip
VERB_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
DEFAULT_NOUN_TARGETS = ("on", "against", "toward", "towards", "upon")


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
        return (
            m
            if m is not None and tok.pos_ in NOUN_POS and self.doc[m.head].head.i == tok.i
            else None
        )

    def actor_of_np(self, tok: Any | None) -> Mention | None:
        """The actor a noun phrase names, else the actor that modifies it (``the US decision``)."""
        if tok is None:
            return None
        m = self.mention_of(tok)
        if m is not None:
            return m
        for c in tok.children:
            if c.dep_ in ("poss", "compound", "amod", "nmod") and c.i < tok.i:
                m = self.by_head.get(c.i) or self.by_token.get(c.i)
                if m is not None:
                    return m
        return None

    def in_quote(self, tok: Any) -> bool:
        return any(s <= tok.idx < e for s, e in self.quote_spans)

    def expand(self, toks: list[Any]) -> list[Mention]:
        out: list[Mention] = []
        for tok in toks:
            for t in args.conjuncts(tok):
                m = self.actor_of_np(t)
                if m is not None and m not in out:
                    out.append(m)
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
        if name in ("dobj", "object_possessor"):
            obj = args.direct_object(trig)
            if obj is None or obj is used:
                return []
            return [obj]
        if name == "iobj":
            return args.children(trig, "dative", "iobj")
        if name == "purpose_object":
            obj = args.purpose_object(trig)
            return [obj] if obj is not None else []
        if name == "xcomp_object":
            x = args.child(trig, "xcomp", "ccomp")
            obj = args.direct_object(x) if x is not None else None
            return [obj] if obj is not None else []
        if name == "ccomp_subject":
            x = args.child(trig, "ccomp")
            s = args.logical_subject(x) if x is not None else None
            return [s] if s is not None else []
        if name == "poss":
            return args.children(trig, "poss")
        if name == "mod":
            return [
                c
                for c in trig.lefts
                if c.dep_ in ("amod", "compound", "nmod") and self.mention_of(c) is not None
            ]
        if name == "by":
            return args.prep_objects(trig, ("by",))
        if name == "governor_object" and trig.pos_ in VERB_POS:
            gov = args.clause_governor(trig)
            obj = args.direct_object(gov) if gov is not None else None
            return [obj] if obj is not None else []
        if name in ("governor_subject", "governor_object"):
            gov = args.governor(trig)
            if gov is None or gov.lemma_ not in LIGHT_VERBS:
                return []
            if name == "governor_subject":
                s = args.logical_subject(gov)
                return [s] if s is not None else []
            return args.children(gov, "dative") + args.prep_objects(gov, ("to",))
        # a preposition: on the trigger, on the object the pattern used, or on a light verb
        holders = [trig] + ([used] if used is not None else [])
        if trig.pos_ in NOUN_POS:
            gov = args.governor(trig)
            if gov is not None and gov.lemma_ in LIGHT_VERBS:
                holders.append(gov)
        found: list[Any] = []
        for holder in holders:
            found.extend(args.prep_objects(holder, (name,)))
        return found

    def _noun_source(self, noun: Any) -> Any | None:
        for name in ("poss", "mod", "by", "governor_subject"):
            got = self.slot(name, noun, Pattern("", "", "noun", ""), None)
            if got:
                return got[0]
        return None

    # -- matching -------------------------------------------------------------------------------
    def _particle_ok(self, trig: Any, particle: str) -> tuple[bool, Any | None]:
        """Does the verb carry its particle/preposition? Returns (ok, preposition token)."""
        words = particle.split()
        found_prep = None
        for word in words:
            hit = next(
                (
                    c
                    for c in trig.children
                    if c.lower_ == word and c.dep_ in ("prt", "prep", "advmod", "dative", "agent")
                ),
                None,
            )
            if hit is None:
                nxt = trig.doc[trig.i + 1] if trig.i + 1 < len(trig.doc) else None
                if nxt is not None and nxt.lower_ == word:
                    hit = nxt
            if hit is None:
                return False, None
            if hit.dep_ in ("prep", "dative"):
                found_prep = hit
        return True, found_prep

    def _object_ok(self, trig: Any, pattern: Pattern) -> Any | None:
        """The object token that satisfies ``pattern.objects`` (or None)."""
        candidates = []
        obj = args.direct_object(trig) if trig.pos_ in VERB_POS else None
        if obj is not None:
            candidates.append(obj)
            candidates.extend(c for c in obj.children if c.dep_ == "conj")
        if trig.pos_ in VERB_POS:
            for (
                c
            ) in trig.children:  # "halt deliveries of weapons", "put pressure on", "call for talks"
                if c.dep_ == "prep":
                    candidates.extend(args.children(c, "pobj"))
            for x in args.children(trig, "xcomp"):
                o = args.direct_object(x)
                if o is not None:
                    candidates.append(o)
        for cand in candidates:
            keys = {cand.lemma_.lower(), cand.lower_}
            mods = [c for c in cand.lefts if c.dep_ in ("amod", "compound", "nmod")]
            if mods:
                keys.add(" ".join([*(m.lower_ for m in mods), cand.lemma_.lower()]))
                keys.add(" ".join([mods[-1].lower_, cand.lemma_.lower()]))
                keys.add(" ".join([mods[-1].lower_, cand.lower_]))
            of = args.child(cand, "prep", words=("of",))
            if of is not None and args.child(of, "pobj") is not None:
                keys.add(args.child(of, "pobj").lemma_.lower())
            if keys & set(pattern.objects):
                return cand
        return None

    def _match(
        self, trig: Any, candidates: list[Pattern], consumed: set[int]
    ) -> tuple[Pattern, Any | None, list[Mention | None], list[Mention | None]] | None:
        for pattern in candidates:
            used = None
            if pattern.particle:
                ok, prep = self._particle_ok(trig, pattern.particle)
                if not ok:
                    continue
            if pattern.objects:
                used = self._object_ok(trig, pattern)
                if used is None or used.i in consumed:
                    continue
            sources, targets = self._arguments(trig, pattern, used)
            ctx = Context(trig, self.mention_of, self.in_quote, targets, sources)
            if not all(TESTS[t](ctx) for t in pattern.when):
                continue
            if any(TESTS[t](ctx) for t in pattern.unless):
                continue
            return pattern, used, sources, targets
        return None

    def _arguments(
        self, trig: Any, pattern: Pattern, used: Any | None
    ) -> tuple[list[Mention | None], list[Mention | None]]:
        is_verb = pattern.kind == "verb"
        source_slots = pattern.source or (
            ("subject",) if is_verb else ("poss", "mod", "by", "governor_subject")
        )
        if pattern.target:
            target_slots = pattern.target
        elif is_verb:
            target_slots = ("dobj",) + ((pattern.particle.split()[-1],) if pattern.particle else ())
        else:
            target_slots = DEFAULT_NOUN_TARGETS
        sources = self._fill(source_slots, trig, pattern, used, first_only=True)
        targets = self._fill(target_slots, trig, pattern, used, first_only=True)
        if pattern.symmetric:
            # "A and B agreed", "talks between A and B": both directions
            pool = (
                sources
                if len(sources) > 1 and not targets
                else targets
                if len(targets) > 1 and not sources
                else []
            )
            if len(pool) > 1:
                return [pool[0], pool[1]], [pool[1], pool[0]]
        return (sources or [None]), (targets or [None])

    def _fill(
        self,
        slots: tuple[str, ...],
        trig: Any,
        pattern: Pattern,
        used: Any | None,
        first_only: bool,
    ) -> list[Mention]:
        for slot in slots:
            toks = self.slot(slot, trig, pattern, used)
            mentions = self.expand(toks)
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
            for pos_set, table in (
                (VERB_POS, self.patterns.verbs),
                (NOUN_POS, self.patterns.nouns),
            ):
                for trig in sent:
                    if trig.pos_ not in pos_set or trig.i in consumed:
                        continue
                    candidates = table.get(trig.lemma_.lower()) or table.get(trig.lower_)
                    if not candidates:
                        continue
                    matched = self._match(trig, candidates, consumed)
                    if matched is None:
                        continue
                    pattern, used, sources, targets = matched
                    if used is not None:
                        consumed.add(used.i)
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
        return tuple(events)

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
        while node.head is not node and depth < 5:
            node, depth = node.head, depth + 1
        pairs = (
            list(zip(sources, targets, strict=True))
            if pattern.symmetric and len(sources) == len(targets) == 2 and sources[0] is targets[1]
            else [(s, t) for s in sources for t in targets]
        )
        out = []
        for source, target in pairs:
            if source is not None and target is not None and source.head == target.head:
                continue
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
            confidence -= 0.02 * depth
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


def make_coding_stage(resources: Any, config: dict[str, Any]) -> Callable[[Document], Document]:
    patterns = resources.patterns
    ontology = resources.ontology

    def coding(document: Document) -> Document:
        return replace(document, events=Coder(patterns, ontology, document, config).run())

    return coding
