"""``dyads eval``: accuracy against the reference sets in ../shared (written to docs/quality.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import build_config


@click.command("eval")
@click.option(
    "--gsr",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PLOVER_GSR_CAMEO.json (default: ../shared/reference/).",
)
@click.option(
    "--cameo",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="cameo-codes.csv (default: ../shared/reference/).",
)
@click.option(
    "--seed",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The seed article (default: ../shared/seeds/000_834ea8c2f8507daf.txt).",
)
@click.option("--no-when-where", is_flag=True, help="Skip the dates/places test sets.")
@click.option(
    "--write",
    "write_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the Markdown report here (e.g. docs/quality.md).",
)
@click.option("--misses", default=25, show_default=True, help="How many misses to list per set.")
@click.option("--model", default=None, help="spaCy model (default: auto).")
@click.option(
    "--patterns", "pattern_files", multiple=True, type=click.Path(exists=True, dir_okay=False)
)
def evaluate(gsr, cameo, seed, no_when_where, write_path, misses, model, pattern_files):
    """Measure coding, actor, date and place accuracy and print (or --write) the report."""
    from ..evaluation.reference import default_path
    from ..evaluation.report import render, run_evaluation, summary
    from ..pipeline import Pipeline

    gsr = gsr or default_path("reference", "PLOVER_GSR_CAMEO.json")
    cameo = cameo or default_path("reference", "cameo-codes.csv")
    seed = seed or default_path("seeds", "000_834ea8c2f8507daf.txt")
    if gsr is None and cameo is None and seed is None:
        click.echo(
            "dyads: no reference sets found; pass --gsr/--cameo/--seed or set DYADS_SHARED",
            err=True,
        )
        sys.exit(2)
    pipeline = Pipeline(build_config(None, model, pattern_files, ()))
    command = "dyads eval" + (f" --write {write_path}" if write_path else "")
    result = run_evaluation(pipeline, gsr, cameo, seed, not no_when_where, command)
    report = render(result, misses)
    if write_path is not None:
        write_path.parent.mkdir(parents=True, exist_ok=True)
        write_path.write_text(report, encoding="utf-8")
        for line in summary(result):
            click.echo(line)
        click.echo(f"report written to {write_path}")
    else:
        click.echo(report)
