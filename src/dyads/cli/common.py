"""Options and helpers shared by the commands that run the pipeline (code, ingest, eval)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import Config
from ..records import ArticleError

log = logging.getLogger("dyads")

F = TypeVar("F", bound=Callable[..., Any])


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def pipeline_options(func: F) -> F:
    """--date, --config, --model, --patterns, --processes, --batch-size, --input-format."""
    options = [
        click.option(
            "--date",
            callback=_date,
            help="Publication date (YYYY-MM-DD) for inputs that have none.",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False),
            help="TOML file merged over the default configuration.",
        ),
        click.option("--model", default=None, help="spaCy model name or path (default: auto)."),
        click.option(
            "--patterns",
            "pattern_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Extra pattern file (YAML); repeatable.",
        ),
        click.option(
            "--actors",
            "actor_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Extra actor dictionary file; repeatable.",
        ),
        click.option(
            "--processes",
            "-p",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes (default: CPU count).",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(min=1),
            default=None,
            help="Articles per parse batch.",
        ),
        click.option(
            "--input-format",
            type=click.Choice(["text", "jsonl", "csv", "html", "parquet"]),
            default=None,
            help="Read every file as this format (default: by extension).",
        ),
        click.option("--strict", is_flag=True, help="Stop at the first bad article (exit 1)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_config(
    config_path: str | None,
    model: str | None,
    pattern_files: Iterable[str],
    actor_files: Iterable[str],
) -> Config:
    overrides: dict[str, Any] = {}
    if model:
        overrides["nlp"] = {"model": model}
    stages: dict[str, Any] = {}
    if pattern_files:
        stages["coding"] = {"pattern_files": [str(Path(p).resolve()) for p in pattern_files]}
    if actor_files:
        stages["actors"] = {"extra_files": [str(Path(p).resolve()) for p in actor_files]}
    if stages:
        overrides["stages"] = stages
    config = Config.load(config_path)
    return config.with_overrides(overrides) if overrides else config


def resolve_processes(processes: int | None) -> int:
    from ..scale.parallel import default_processes

    return processes or default_processes()


class Progress:
    """A progress bar on stderr when it is a terminal (articles/s, ETA when the total is known)."""

    def __init__(self, enabled: bool, total: int | None = None, unit: str = "article"):
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, unit=unit, unit_scale=True, dynamic_ncols=True, file=sys.stderr
            )

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class ErrorLog:
    """Reports per-article errors as one line each and counts them."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.count = 0

    def report(self, error: ArticleError) -> None:
        self.count += 1
        log.error(" ".join(error.message().splitlines()))  # one line, whatever the reason holds
        if self.strict:
            raise click.exceptions.Exit(1)


def iterate(results: Iterable[Any], progress: Progress) -> Iterator[Any]:
    for result in results:
        progress.update()
        yield result
