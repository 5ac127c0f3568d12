"""The ``dyads`` command: a thin layer over the library (each command lives in its own module)."""

from __future__ import annotations

import logging
import sys

import click

from .. import __version__


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = (
            "error"
            if record.levelno >= logging.ERROR
            else "warning"
            if record.levelno >= logging.WARNING
            else record.levelname.lower()
        )
        return f"dyads: {prefix}: {record.getMessage()}"


def setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR
        if quiet
        else logging.WARNING
        if verbose == 0
        else logging.INFO
        if verbose == 1
        else logging.DEBUG
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("trafilatura", "htmldate", "urllib3", "asyncio", "multipart"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))


LAZY_COMMANDS = {
    "code": "dyads.cli.code:code",
    "info": "dyads.cli.code:info",
    "dicts": "dyads.cli.code:dicts",
    "ingest": "dyads.cli.store:ingest",
    "query": "dyads.cli.store:query",
    "dyad": "dyads.cli.store:dyad",
    "export": "dyads.cli.store:export",
    "stats": "dyads.cli.store:stats",
    "serve": "dyads.cli.serve:serve",
    "spark": "dyads.cli.spark:spark",
    "eval": "dyads.cli.evaluate:evaluate",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast ``--help``, no heavy imports)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(name)
        if target is None:
            return None
        import importlib

        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and err.name.startswith("dyads."):
                return None  # command not built yet in this installation
            raise
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dyads")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bar.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """dyads: who did what to whom, when, where, and according to whom, from news text."""
    setup_logging(verbose, quiet)
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet


def main() -> None:
    cli(prog_name="dyads")
