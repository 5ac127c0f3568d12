"""Stage factories by name.

A stage is a plain callable ``Document -> Document``. A *factory* builds one from the shared
:class:`~dyads.resources.Resources` and the stage's config section::

    def make_my_stage(resources: Resources, config: dict) -> Callable[[Document], Document]: ...

Names resolve, in order, to a built-in stage, an installed entry point in the ``dyads.stages``
group, or a ``"package.module:function"`` path. Nothing is registered at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .records import Document
    from .resources import Resources

Stage = Callable[["Document"], "Document"]
StageFactory = Callable[["Resources", dict[str, Any]], Stage]

BUILTIN_STAGES: dict[str, str] = {
    "tokens": "dyads.stages.tokens:make_token_stage",
    "segment": "dyads.stages.segment:make_segment_stage",
    "actors": "dyads.stages.actors:make_actor_stage",
    "quotes": "dyads.stages.quotes:make_quote_stage",
    "coding": "dyads.stages.coding:make_coding_stage",
    "modality": "dyads.stages.modality:make_modality_stage",
    "subcodes": "dyads.stages.subcodes:make_subcode_stage",
    "dates": "dyads.stages.dates:make_date_stage",
    "places": "dyads.stages.places:make_place_stage",
    "refine": "dyads.stages.refine:make_refine_stage",
}


class UnknownStage(LookupError):
    pass


def _load(path: str) -> StageFactory:
    module_name, _, attr = path.partition(":")
    if not attr:
        raise UnknownStage(f"stage path {path!r} must look like 'package.module:function'")
    return getattr(importlib.import_module(module_name), attr)


def stage_factory(name: str) -> StageFactory:
    if name in BUILTIN_STAGES:
        return _load(BUILTIN_STAGES[name])
    for ep in entry_points(group="dyads.stages"):
        if ep.name == name:
            return ep.load()
    if ":" in name:
        return _load(name)
    known = ", ".join(sorted(BUILTIN_STAGES))
    raise UnknownStage(f"unknown stage {name!r} (built-in: {known})")
