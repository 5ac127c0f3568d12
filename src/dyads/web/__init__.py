"""The HTTP API and dashboard of an event store (``dyads serve``; docs/web.md).

``dyads.web.create_app(db_path, ...)`` makes the FastAPI app; FastAPI is imported only then."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'dyads.web' has no attribute {name!r}")
