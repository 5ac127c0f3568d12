"""dyads: political event data from news text.

Who did what to whom, when, where, and according to whom: articles go in, CAMEO/PLOVER coded
events with their evidence come out.

    >>> import dyads
    >>> nlp = dyads.Pipeline.from_config()          # doctest: +SKIP
    >>> coded = nlp(dyads.Article.from_text("Germany imposed sanctions on Iran.", "2025-02-27"))

Nothing is loaded at import time: the spaCy model and the dictionaries load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Article", "CodedArticle", "Event", "Pipeline", "__version__", "open"]

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Pipeline
    from .records import Article, CodedArticle, Event
    from .store import EventStore


def __getattr__(name: str) -> Any:
    # Lazy exports keep `import dyads` cheap (no spaCy, no DuckDB until asked for).
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    if name in {"Article", "CodedArticle", "Event"}:
        from . import records

        return getattr(records, name)
    raise AttributeError(f"module 'dyads' has no attribute {name!r}")


def open(path: str, read_only: bool = False) -> EventStore:  # noqa: A001 - mirrors sqlite_utils.Database
    """Open (or create) a dyads event store, for notebooks: ``dyads.open("events.duckdb").events()``."""
    from .store import EventStore

    return EventStore(path, read_only=read_only)
