"""The event pattern dictionary: triggers over the dependency parse → CAMEO codes.

Pattern files are YAML lists under ``dyads/data/patterns/`` (format: docs/patterns.md). A pattern
names a CAMEO code and a trigger — verb lemmas (``verbs``, with an optional particle or
preposition: ``pull out``, ``call on``) or noun lemmas (``nouns``) — plus optional constraints:
``object`` (the object's lemma, for light verbs and idioms: impose + sanctions, bring down + axe),
``when``/``unless`` (named argument tests, e.g. ``verbal_context``), and where the ``source`` and
``target`` come from (argument slots). More constraints = more specific = tried first.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..stages.constraints import TESTS
from .files import load_yaml
from .normalize import name_key

if TYPE_CHECKING:  # pragma: no cover
    from ..ontology import Ontology

VERB_SLOTS = {
    "subject",
    "dobj",
    "iobj",
    "object_possessor",
    "purpose_object",
    "xcomp_object",
    "ccomp_subject",
    "agent",
    "governor_object",
    "object_inner",
    "object_of",
    "none",
}
NOUN_SLOTS = {
    "poss",
    "mod",
    "by",
    "governor_subject",
    "governor_object",
    "frame_subject",
    "under_subject",
    "of",
    "none",
    "subject",
}
PREPOSITIONS = {
    "on", "against", "to", "with", "from", "for", "into", "over", "at", "toward", "towards", "in",
    "outside", "along", "near", "inside", "beyond", "via", "amid", "across", "around",
    "between", "among", "of", "about", "upon", "onto", "by", "through", "within",
    "off", "out", "under", "behind", "after", "before", "as", "like", "than",
}  # fmt: skip
KNOWN_TESTS = frozenset(TESTS)  # the named argument tests of dyads.stages.constraints
_CODE = re.compile(r"^\d{2,4}$")


log = logging.getLogger(__name__)


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class Pattern:
    id: str
    code: str
    kind: str  # verb | noun
    lemma: str  # the trigger lemma
    particle: str | None = None  # second word of a verb trigger: particle or preposition
    objects: tuple[str, ...] = ()  # required object lemmas/phrases (name keys)
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    symmetric: bool = False
    origin: str = ""
    order: int = 0

    @property
    def specificity(self) -> int:
        return (
            (2 if self.particle else 0)
            + (3 if self.objects else 0)
            + 2 * len(self.when)
            + len(self.unless)
        )


@dataclass
class PatternSet:
    verbs: dict[str, list[Pattern]] = field(default_factory=lambda: defaultdict(list))
    nouns: dict[str, list[Pattern]] = field(default_factory=lambda: defaultdict(list))
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)

    def add(self, pattern: Pattern) -> None:
        index = self.verbs if pattern.kind == "verb" else self.nouns
        index[pattern.lemma].append(pattern)
        self.codes.add(pattern.code)

    def finish(self) -> None:
        """Most specific first; among equals, user files (loaded later) first."""
        for index in (self.verbs, self.nouns):
            for patterns in index.values():
                patterns.sort(key=lambda p: (-p.specificity, -p.order))

    def counts(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "patterns": sum(len(v) for v in self.verbs.values())
            + sum(len(v) for v in self.nouns.values()),
            "verb_lemmas": len(self.verbs),
            "noun_lemmas": len(self.nouns),
            "cameo_codes_covered": len(self.codes),
        }


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _parse(
    entry: dict[str, Any], where: str, ontology: Ontology | None, order: int
) -> list[Pattern]:
    if not isinstance(entry, dict):
        raise PatternError(f"{where}: a pattern must be a mapping, got {type(entry).__name__}")
    unknown = set(entry) - {
        "id",
        "code",
        "verbs",
        "nouns",
        "object",
        "when",
        "unless",
        "source",
        "target",
        "symmetric",
        "note",
        "examples",
    }
    if unknown:
        raise PatternError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    code = str(entry.get("code", "")).strip()
    if not _CODE.match(code):
        raise PatternError(f"{where}: bad or missing CAMEO code {code!r}")
    if ontology is not None and code not in ontology.cameo:
        raise PatternError(f"{where}: CAMEO code {code} is not in the ontology")
    verbs, nouns = _as_list(entry.get("verbs")), _as_list(entry.get("nouns"))
    if not verbs and not nouns:
        raise PatternError(f"{where}: needs verbs or nouns")
    when, unless = tuple(_as_list(entry.get("when"))), tuple(_as_list(entry.get("unless")))
    for test in when + unless:
        if test not in KNOWN_TESTS:
            raise PatternError(
                f"{where}: unknown test {test!r} (known: {', '.join(sorted(KNOWN_TESTS))})"
            )
    objects = tuple(name_key(o) for o in _as_list(entry.get("object")))
    source, target = tuple(_as_list(entry.get("source"))), tuple(_as_list(entry.get("target")))
    out = []
    for kind, words, slots in (("verb", verbs, VERB_SLOTS), ("noun", nouns, NOUN_SLOTS)):
        for slot in source + target:
            if words and slot not in slots and slot not in PREPOSITIONS:
                raise PatternError(f"{where}: unknown {kind} slot {slot!r}")
        for word in words:
            parts = name_key(word).split(" ")
            lemma = parts[0]
            particle = " ".join(parts[1:]) or None
            if kind == "noun" and particle:
                raise PatternError(
                    f"{where}: noun trigger {word!r} must be one word (use object/when)"
                )
            pid = str(entry.get("id") or f"{code}:{kind}:{word}")
            out.append(
                Pattern(
                    pid if len(words) == 1 else f"{pid}:{word}",
                    code,
                    kind,
                    lemma,
                    particle,
                    objects,
                    when,
                    unless,
                    source,
                    target,
                    bool(entry.get("symmetric", False)),
                    where,
                    order,
                )
            )
    return out


def _pattern_files() -> list[tuple[str, str]]:
    root = resources.files("dyads").joinpath("data/patterns")
    return [
        (f"patterns/{p.name}", p.read_text("utf-8"))
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".yaml")
    ]


def load_patterns(
    ontology: Ontology | None = None, extra_files: Iterable[str | Path] = (), strict: bool = False
) -> PatternSet:
    patterns = PatternSet()
    extra = [Path(p) for p in extra_files]
    builtin = _pattern_files()
    sources = builtin + [(str(p), p.read_text("utf-8")) for p in extra]
    seen_ids: dict[str, str] = {}
    for order, (name, text) in enumerate(sources):
        user_file = order >= len(builtin)
        try:
            data = load_yaml(text) or []
            if not isinstance(data, list):
                raise PatternError(f"{name}: expected a list of patterns")
        except Exception as err:  # yaml.YAMLError and friends
            problem = (
                err
                if isinstance(err, PatternError)
                else PatternError(f"{name}: not valid YAML ({err})")
            )
            if strict or user_file:  # a user's own file must be right
                raise problem from None
            log.warning("skipping %s", problem)  # a broken built-in file must not stop coding
            patterns.warnings.append(str(problem))
            continue
        patterns.files.append(name)
        for i, entry in enumerate(data, start=1):
            where = f"{name}#{i}"
            pid = entry.get("id") if isinstance(entry, dict) else None
            if pid is not None and pid in seen_ids:
                # an event's rule names its pattern: two patterns with one id blur that record
                problem = PatternError(f"{where}: id {pid!r} is already used at {seen_ids[pid]}")
                if strict:
                    raise problem
                patterns.warnings.append(str(problem))
            elif pid is not None:
                seen_ids[pid] = where
            try:
                for pattern in _parse(entry, where, ontology, order):
                    patterns.add(pattern)
            except PatternError as err:
                if strict or user_file:
                    raise
                patterns.warnings.append(str(err))
    patterns.finish()
    if ontology is not None:
        roots3 = {c for c in ontology.cameo if len(c) == 3}
        covered = {c[:3] for c in patterns.codes if len(c) >= 3}
        missing = sorted(roots3 - covered)
        if missing:
            patterns.warnings.append(f"CAMEO base codes without a pattern: {', '.join(missing)}")
    return patterns
