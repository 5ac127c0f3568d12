"""Parse features of one coded event, for the CAMEO sub-code model.

The features describe what the pattern coder saw and what surrounds the trigger in the dependency
tree: the pattern that fired and its code, the trigger's lemma, its objects, prepositional
objects and infinitive complements (one level down, and their own objects), the content words of
the trigger's subtree, and the sectors of the resolved source and target. They are plain strings
(``"dobj=embargo"``), so the model file stays readable.

The content words also give *lexical codes*: every code whose patterns use the word as trigger or
object (``return`` → 0841, 1053…; ``extradite`` → 0213, 1013…). They carry the pattern
dictionary's knowledge to words anywhere in the trigger's clause, and let the model learn from
few sentences per code that "a demand whose complement has release words" is 1053.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..records import Event

CONTENT_POS = {"NOUN", "VERB", "ADJ", "PROPN"}
ARGUMENT_DEPS = {"dobj", "nsubjpass", "attr", "acomp", "oprd", "dative", "prt", "neg"}
CLAUSE_DEPS = {"xcomp", "ccomp", "advcl", "acl", "relcl", "conj"}
SUBTREE_LIMIT = 40


def _lemma(tok: Any) -> str:
    return (tok.lemma_ or tok.text).lower()


def _argument_features(tok: Any, prefix: str) -> Iterator[str]:
    for child in tok.children:
        dep = child.dep_
        if dep in ARGUMENT_DEPS:
            yield f"{prefix}{dep}={_lemma(child)}"
            for mod in child.children:
                if mod.dep_ in ("amod", "compound", "nmod"):
                    yield f"{prefix}{dep}.mod={_lemma(mod)}"
        elif dep == "prep":
            for pobj in child.children:
                if pobj.dep_ in ("pobj", "pcomp"):
                    yield f"{prefix}p.{_lemma(child)}={_lemma(pobj)}"
                    yield f"{prefix}pobj={_lemma(pobj)}"


def lexical_codes(patterns: Any) -> dict[str, frozenset[str]]:
    """Word → the codes of the patterns that use it as trigger lemma or object word."""
    found: dict[str, set[str]] = {}
    for index in (patterns.verbs, patterns.nouns):
        for lemma, entries in index.items():
            for pattern in entries:
                found.setdefault(lemma, set()).add(pattern.code)
                for phrase in pattern.objects:
                    found.setdefault(phrase.split()[-1], set()).add(pattern.code)
    return {word: frozenset(codes) for word, codes in found.items()}


def event_features(
    doc: Any, event: Event, code: str, lexicon: Mapping[str, frozenset[str]] | None = None
) -> list[str]:
    """Feature strings of ``event`` (whose CAMEO code under CAMEO's modal convention is ``code``);
    ``lexicon`` (:func:`lexical_codes`) adds the lexical codes of the clause's words."""
    feats = [
        "bias",
        f"code={code}",
        f"code3={code[:3]}",
        f"rule={event.rule}",
        f"modality={event.modality}",
    ]
    i = event.trigger_token
    if doc is None or not 0 <= i < len(doc):
        return feats
    trig = doc[i]
    feats.append(f"t={_lemma(trig)}")
    feats.append(f"t.dep={trig.dep_}")
    feats.extend(_argument_features(trig, ""))
    for child in trig.children:
        if child.dep_ in CLAUSE_DEPS and child.pos_ in ("VERB", "AUX", "NOUN"):
            feats.append(f"{child.dep_}={_lemma(child)}")
            feats.extend(_argument_features(child, "c."))
    if trig.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "attr"):  # a noun trigger's verb
        feats.append(f"gov={_lemma(trig.head)}")
    for n, tok in enumerate(trig.subtree):
        if n >= SUBTREE_LIMIT:
            break
        if tok.pos_ in CONTENT_POS and tok.i != i and not tok.is_punct:
            lemma = _lemma(tok)
            feats.append(f"w={lemma}")
            if lexicon:
                feats.extend(f"lex={c}" for c in lexicon.get(lemma, ()))
    for role, mention in (("s", event.source), ("o", event.target)):
        if mention is None:
            feats.append(f"{role}=none")
            continue
        actor = mention.actor
        feats.append(f"{role}.kind={actor.kind}")
        feats.extend(f"{role}.sector={sector}" for sector in actor.sectors)
    return sorted(set(feats))
