"""Shared, lazily loaded data for the stages of one pipeline: ontology, dictionaries, gazetteer.

One :class:`Resources` belongs to one :class:`~dyads.pipeline.Pipeline` (and so to one worker
process); nothing here is a module-level global, and nothing loads until a stage asks for it.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .config import Config

if TYPE_CHECKING:  # pragma: no cover
    from .dictionaries.actors import ActorDictionary
    from .dictionaries.gazetteer import Gazetteer
    from .dictionaries.patterns import PatternSet
    from .ontology import Ontology


class Resources:
    def __init__(self, config: Config):
        self.config = config

    @cached_property
    def ontology(self) -> Ontology:
        from .ontology import load_ontology

        return load_ontology()

    @cached_property
    def actors(self) -> ActorDictionary:
        from .dictionaries.actors import ActorDictionary

        extra = self.config.section("stages.actors").get("extra_files", [])
        return ActorDictionary.load(extra_files=extra)

    @cached_property
    def patterns(self) -> PatternSet:
        from .dictionaries.patterns import load_patterns

        extra = self.config.section("stages.coding").get("pattern_files", [])
        return load_patterns(self.ontology, extra_files=extra)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from .dictionaries.gazetteer import Gazetteer

        section = self.config.section("stages.places")
        return Gazetteer.load(min_population=int(section.get("min_population", 15000)))

    def loaded(self) -> list[str]:
        """Names of the resources loaded so far."""
        return [n for n in ("ontology", "actors", "patterns", "gazetteer") if n in self.__dict__]
