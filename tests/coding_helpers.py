"""Helpers shared by test modules (a plain module: ``conftest`` names clash between folders)."""

from __future__ import annotations


def code_text(pipeline, text: str, date: str = "2025-02-27"):
    """Code one text with the session pipeline."""
    from dyads.records import Article

    return pipeline(Article.from_text(text, date))
