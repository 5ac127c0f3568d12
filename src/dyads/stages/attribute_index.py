"""An indexed matcher for spaCy's attribute ruler: the same matches, found by lookup.

The ``attribute_ruler`` of the English pipelines maps fine-grained tags to coarse POS and
morphology and fixes a few words (179 patterns in en_core_web_sm 3.8). spaCy runs it as a
:class:`~spacy.matcher.Matcher` over every token, which tries every pattern at every position:
on a 2-core machine that took a fifth of the parse. Almost all of these patterns start with an
exact tag or word, so :class:`IndexedAttributeMatcher` looks a token's candidates up by its tag
and lower-case form, checks only those, and sets the same attributes on the same tokens in the
same order as the ruler's own ``set_annotations`` (without building a ``Span`` per match).
``tests/stages/test_attribute_index.py`` checks the matches against spaCy's matcher and the
attributes against spaCy's ruler.

Patterns it cannot read (operators such as ``OP``, attributes other than those in
:data:`COLUMNS`) leave the ruler as spaCy built it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

# The token attributes a pattern may test, in the column order of ``Doc.to_array``; a pattern is
# indexed by the first of them its first token tests exactly (most selective first).
COLUMNS = ("TAG", "LOWER", "ORTH", "DEP", "IS_SPACE")

# A token test: (column, kind, value); kind is "eq" (value an int), "in" or "not_in" (a frozenset
# of ints) or "regex" (a :class:`_Regex`).
Test = tuple[int, str, Any]


class UnsupportedPattern(ValueError):
    """A pattern this matcher cannot evaluate exactly as spaCy's Matcher would."""


def _value_id(strings: Any, attr: str, value: Any) -> int:
    if attr == "IS_SPACE":
        if not isinstance(value, bool):
            raise UnsupportedPattern(f"IS_SPACE needs true or false, not {value!r}")
        return int(value)
    if not isinstance(value, str):
        raise UnsupportedPattern(f"{attr} needs a string, not {value!r}")
    return int(strings.add(value)) if value else 0


class _Regex:
    """A ``REGEX`` test on a string attribute, as the Matcher does it (``re.search``), with its
    answers kept per string id."""

    def __init__(self, strings: Any, pattern: str):
        self.strings, self.regex, self.seen = strings, re.compile(pattern), {}

    def __call__(self, value_id: int) -> bool:
        found = self.seen.get(value_id)
        if found is None:
            found = self.seen[value_id] = bool(self.regex.search(self.strings[value_id]))
        return found


def _token_tests(strings: Any, token: Mapping[str, Any]) -> tuple[Test, ...]:
    tests: list[Test] = []
    for attr, value in token.items():
        if attr not in COLUMNS:
            raise UnsupportedPattern(f"attribute {attr}")
        column = COLUMNS.index(attr)
        if isinstance(value, Mapping):
            if len(value) != 1 or next(iter(value)) not in ("IN", "NOT_IN", "REGEX"):
                raise UnsupportedPattern(f"operator {sorted(value)}")
            kind, values = next(iter(value.items()))
            if kind == "REGEX":
                if attr not in ("LOWER", "ORTH") or not isinstance(values, str):
                    raise UnsupportedPattern(f"REGEX on {attr}")
                tests.append((column, "regex", _Regex(strings, values)))
                continue
            ids = frozenset(_value_id(strings, attr, v) for v in values)
            tests.append((column, kind.lower(), ids))
        else:
            tests.append((column, "eq", _value_id(strings, attr, value)))
    return tuple(tests)


def _passes(row: Sequence[int], tests: tuple[Test, ...]) -> bool:
    for column, kind, value in tests:
        got = row[column]
        if kind == "eq":
            if got != value:
                return False
        elif kind == "in":
            if got not in value:
                return False
        elif kind == "regex":
            if not value(got):
                return False
        elif got in value:  # not_in
            return False
    return True


class IndexedAttributeMatcher:
    """``AttributeRuler.match`` by index lookup; build it with :meth:`for_ruler`."""

    def __init__(self, vocab: Any, patterns: Sequence[Mapping[str, Any]]):
        from spacy.attrs import IDS

        self._attr_ids = [IDS[name] for name in COLUMNS]
        strings = vocab.strings
        self._index: dict[tuple[int, ...], list[tuple[int, int, tuple]]] = {}
        self._always: list[tuple[int, int, tuple]] = []
        for number, entry in enumerate(patterns):
            match_id = int(strings.add(str(number)))
            for pattern in entry["patterns"]:
                if not pattern:
                    raise UnsupportedPattern("an empty pattern")
                steps = tuple(_token_tests(strings, token) for token in pattern)
                compiled = (number, match_id, steps)
                keys = self._first_keys(pattern[0], strings)
                if keys is None:
                    self._always.append(compiled)
                for key in keys or ():
                    self._index.setdefault(key, []).append(compiled)

    @staticmethod
    def _first_keys(first: Mapping[str, Any], strings: Any) -> list[tuple[int, ...]] | None:
        """The index keys a pattern is found under: its first token's exact tag and word (a pair
        when it tests both), else None (tried at every token)."""
        found: dict[int, list[int]] = {}
        for column, attr in enumerate(COLUMNS):
            value = first.get(attr)
            if isinstance(value, (str, bool)):
                found[column] = [_value_id(strings, attr, value)]
            elif isinstance(value, Mapping) and set(value) == {"IN"}:
                found[column] = [_value_id(strings, attr, v) for v in value["IN"]]
        if not found:
            return None
        if 0 in found and 1 in found:  # tag and lower case: the pair
            return [(-1, tag, lower) for tag in found[0] for lower in found[1]]
        column, values = next(iter(found.items()))
        return [(column, v) for v in values]

    @classmethod
    def for_ruler(cls, ruler: Any) -> IndexedAttributeMatcher | None:
        """The indexed matcher for ``ruler``, or None when one of its patterns is not supported."""
        try:
            return cls(ruler.vocab, ruler.patterns)
        except (UnsupportedPattern, KeyError, TypeError) as err:
            log.info("attribute ruler left as spaCy built it: %s", err)
            return None

    def match(self, doc: Any) -> list[tuple[int, int, int, int]]:
        """What ``AttributeRuler.match`` returns: ``(pattern number, match id, start, end)``,
        sorted, so that later patterns take precedence."""
        rows = doc.to_array(self._attr_ids).tolist()
        n = len(rows)
        index, always = self._index, self._always
        empty: list = []
        found: set[tuple[int, int, int, int]] = set()
        for start, row in enumerate(rows):
            tag, lower, orth = row[0], row[1], row[2]  # the first three of COLUMNS
            for candidates in (
                index.get((-1, tag, lower), empty),
                index.get((0, tag), empty),
                index.get((1, lower), empty),
                index.get((2, orth), empty),
                index.get((3, row[3]), empty),
                index.get((4, row[4]), empty),
                always,
            ):
                for number, match_id, steps in candidates:
                    end = start + len(steps)
                    if end > n or not _passes(row, steps[0]):
                        continue
                    if all(_passes(rows[start + k], steps[k]) for k in range(1, len(steps))):
                        found.add((number, match_id, start, end))
        return sorted(found)


def index_attribute_ruler(nlp: Any, name: str = "attribute_ruler") -> bool:
    """Give the pipeline's attribute ruler an indexed matcher. True when it was given one."""
    if name not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe(name)
    if not hasattr(ruler, "set_annotations") or not hasattr(ruler, "patterns"):
        return False
    indexed = IndexedAttributeMatcher.for_ruler(ruler)
    if indexed is None:
        return False
    ruler.match = indexed.match  # the instance's match: __call__ unchanged
    ruler.set_annotations = _direct_set_annotations(ruler)
    return True


def _direct_set_annotations(ruler: Any) -> Any:
    """``AttributeRuler.set_annotations`` without building a ``Span`` per match: the same
    ``set_token_attrs`` call on the same token (``start + index``, or ``end + index`` for a
    negative index), in the same order. A match whose index falls outside it goes to spaCy's
    own method, which raises its error for it."""
    from spacy.tokens._retokenize import set_token_attrs

    original = ruler.set_annotations
    attrs, indices = ruler.attrs, ruler.indices

    def set_annotations(doc: Any, matches: Sequence[tuple[int, int, int, int]]) -> None:
        for k, (attr_id, _, start, end) in enumerate(matches):
            index = indices[attr_id]
            i = start + index if index >= 0 else end + index
            if not start <= i < end:
                original(doc, matches[k:])
                return
            set_token_attrs(doc[i], attrs[attr_id])

    return set_annotations
